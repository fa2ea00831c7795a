"""Formula answers (``dz = x + y``) and exact answers (``--exact``), compared in SymPy.

A formula is parsed by cg's own parser (:mod:`cgcli.grading.given`) and built
into SymPy from its graph, with each name standing for that node of the program
as an expression in the program's inputs; the true value or gradient of a node
is built the same way (the gradient as the derivative of the output with
respect to a symbol added to the node). Two expressions are equivalent when
SymPy simplifies their difference to 0 (within a time budget), or when it vanishes
at the point and at several points near it to 30 digits. User text never reaches
``sympify``.
"""

from __future__ import annotations

import random
from fractions import Fraction

import sympy

from ..check.symbolic import build, exact_value, input_symbols
from ..core import clock
from ..core.ir import Graph
from .given import Given
from .keys import GRAD

ANSWER_SECONDS = 5.0
"""Time one formula (or ``--exact``) answer may take SymPy to build and compare; an answer
over it is graded "could not be evaluated (over the budget)" and the class goes on."""
SHEET_SECONDS = 20.0
"""Time all of one sheet's formula answers may take together: one student cannot hold
up the class with many answers each just under :data:`ANSWER_SECONDS`."""
SIMPLIFY_LIMIT = 400
"""Differences with more operations than this are compared at points only."""
SIMPLIFY_SECONDS = 2.0
"""Time SymPy may take to simplify a difference; beyond it, points decide."""
SAMPLES = 4
SAMPLE_DIGITS = 30


class Symbolic:
    """The program's nodes as SymPy expressions in its inputs, built on first use."""

    def __init__(self, graph: Graph, point: dict[str, Fraction | Graph]) -> None:
        self.graph = graph
        self.symbols = input_symbols(graph)
        self.point = {self.symbols[name]: exact_value(v) for name, v in point.items()}
        self._values: list[sympy.Expr] | None = None
        self._grads: dict[int, sympy.Expr] = {}
        self.sheet_spent = 0.0
        """Seconds the current sheet's answers have taken (see :meth:`new_sheet`)."""

    def new_sheet(self) -> None:
        """Start the budget of a new sheet (:data:`SHEET_SECONDS`)."""
        self.sheet_spent = 0.0

    def answer_is(self, given: Given, truth: sympy.Expr, exact: bool = False) -> bool | None:
        """Whether a written answer (a formula, or with ``exact`` a number) equals
        ``truth``, within the answer's time budget; None when it is over the budget.

        The answer is built and compared in a worker process that is stopped when
        :data:`ANSWER_SECONDS` (or what is left of the sheet's :data:`SHEET_SECONDS`)
        pass: ``0*(1+1/10^9)^(10^9)`` would keep SymPy busy for minutes.
        """
        from ..check.run import call_with_timeout

        _ = self.values  # built here, once, and shared with every worker
        budget = min(ANSWER_SECONDS, SHEET_SECONDS - self.sheet_spent)
        if budget <= 0:
            return None
        started = clock.now()
        try:
            return call_with_timeout(self._compare, (given, truth, exact), budget)
        except TimeoutError:
            return None
        except RuntimeError:  # SymPy failed on the answer: it is not the same function
            return False
        finally:
            self.sheet_spent += clock.now() - started

    def _compare(self, given: Given, truth: sympy.Expr, exact: bool) -> bool:
        mine = build(given.graph, {})[given.graph.output] if exact else self.of_answer(given)
        return self.equivalent(mine, truth)

    @property
    def values(self) -> list[sympy.Expr]:
        if self._values is None:
            self._values = build(self.graph, self.symbols)
        return self._values

    def truth(self, kind: str, index: int) -> sympy.Expr:
        """The true value or gradient of a node as a formula in the inputs."""
        if kind != GRAD:
            return self.values[index]
        if index not in self._grads:
            eps = sympy.Symbol("ε_grade", real=True)
            output = build(self.graph, self.symbols, {index: eps})[self.graph.output]
            self._grads[index] = sympy.diff(output, eps).xreplace({eps: 0})
        return self._grads[index]

    def of_answer(self, given: Given) -> sympy.Expr:
        """A written answer in SymPy: each name stands for that node of the program."""
        labels = {self.graph.label(n): n.index for n in self.graph.nodes}
        leaves = {name: self.values[labels[name]] for name in given.graph.input_names}
        return build(given.graph, leaves)[given.graph.output]

    def equivalent(self, a: sympy.Expr, b: sympy.Expr) -> bool:
        """Whether two formulas in the inputs are the same function."""
        if _agree(a, b, self.point) is not True:
            return False
        difference = a - b
        if sympy.count_ops(difference) <= SIMPLIFY_LIMIT and _simplifies_to_zero(difference):
            return True
        if not self.symbols:
            return True  # two numbers equal to 30 digits
        generator = random.Random(len(self.symbols))
        defined = 0
        for _ in range(4 * SAMPLES):
            nearby = {
                s: v * (1 + sympy.Rational(generator.randint(1, 97), 1000)) + sympy.Rational(1, 7)
                for s, v in self.point.items()
            }
            verdict = _agree(a, b, nearby)
            if verdict is False:
                return False
            defined += verdict is True
            if defined == SAMPLES:
                return True
        return False


def _simplifies_to_zero(difference: sympy.Expr) -> bool:
    """Whether SymPy simplifies ``difference`` to 0 within :data:`SIMPLIFY_SECONDS`
    (``x^1000000 - 1`` would keep it busy for minutes)."""
    from ..check.run import call_with_timeout

    try:
        return call_with_timeout(_is_zero, (difference,), SIMPLIFY_SECONDS)
    except (TimeoutError, RuntimeError):
        return False


def _is_zero(expr: sympy.Expr) -> bool:
    try:
        return sympy.simplify(expr) == 0
    except (TypeError, ValueError, NotImplementedError):
        return False


def _agree(a: sympy.Expr, b: sympy.Expr, point: dict) -> bool | None:
    """Whether a and b have the same value at the point to 30 digits; None where
    either is undefined or not real there. The point is substituted in the numerical
    evaluation, never exactly (an exact 1.097^1000000 has a million digits)."""
    values = []
    for expr in (a, b):
        try:
            value = expr.evalf(SAMPLE_DIGITS, subs=point)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        if not value.is_number or value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            return None
        real, imaginary = value.as_real_imag()
        if abs(imaginary) > abs(real) * sympy.Float(10) ** (8 - SAMPLE_DIGITS):
            return None
        values.append(real)
    scale = max(1, abs(values[0]), abs(values[1]))
    return bool(abs(values[0] - values[1]) <= scale * sympy.Float(10) ** (8 - SAMPLE_DIGITS))
