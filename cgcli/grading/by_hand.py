"""The textbook's local derivatives worked out with numbers, as a student works them.

A student who writes a gate's value computes its local derivative from the numbers
on the sheet, in the form the course taught: σ(1 − σ) and 1 − tanh² from the gate's
own output as they wrote it, not from its input. :func:`local_by_hand` evaluates the
op table's textbook form (the one a diagnosis prints) at the student's numbers, so
that the number a diagnosis shows is the one its formula gives.
"""

from __future__ import annotations

import math

from ..core.ops import op_for


class _Number(float):
    """A number as an operand of a textbook form (which may read ``.constant``)."""

    @property
    def constant(self) -> float:
        return float(self)


class _Numbers:
    """The interface of :class:`cgcli.core.notation.Notation`, over floats."""

    def number(self, text: str, constant: float | None = None) -> float:
        return _Number(constant if constant is not None else float(text))

    def add(self, a: float, b: float) -> float:
        return a + b

    def sub(self, a: float, b: float) -> float:
        return a - b

    def mul(self, a: float, b: float) -> float:
        return a * b

    def div(self, a: float, b: float) -> float:
        return a / b

    def neg(self, a: float) -> float:
        return -a

    def power(self, a: float, b: float) -> float:
        return op_for("pow").forward(a, b)

    def square(self, a: float) -> float:
        return a * a

    def call(self, function: str, *args: float) -> float:
        return op_for(function).forward(*args)

    def cases(self, *branches: tuple[float, bool | None]) -> float:
        for value, condition in branches:
            if condition is None or condition:
                return value
        return math.nan

    def half(self) -> float:
        return 0.5

    def compare(self, a: float, relation: str, b: float) -> bool:
        return {"<": a < b, ">": a > b, "=": a == b}[relation]

    def apply(self, op: str, args: list[float]) -> float:
        return op_for(op).forward(*args)


NUMBERS = _Numbers()


def local_by_hand(op: str, slot: int, args: list[float], out: float) -> float:
    """∂out/∂args[slot] by the textbook's form of ``op`` at these numbers, ``out`` the
    gate's value as the student has it (nan outside the form's domain)."""
    book = op_for(op).textbook
    if book is None:
        return math.nan
    try:
        value = book.partials[slot](NUMBERS, *(_Number(a) for a in args), _Number(out))
        return float(value)
    except (ArithmeticError, ValueError, OverflowError):
        return math.nan
