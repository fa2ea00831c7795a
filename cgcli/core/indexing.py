"""Indexed names (``h[2]``, ``W[1,2]``) and the integer expressions that index them.

An element of an indexed name is an ordinary scalar node named by its base and its
indexes: ``h[t-1]`` read at ``t = 3`` is the node named ``h[2]``. The rule is written
once, in docs/language.md (Indexed names). Index expressions and loop bounds are a small
language of their own: integers, loop variables and named constants with ``+ - * /``,
unary minus and parentheses; here as a tree evaluated exactly with a loop, never by
recursion.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import NamedTuple

ELEMENT = re.compile(r"([^\W\d]\w*)\[\s*(-?\d+\s*(?:,\s*-?\d+\s*)*)\]")
"""An element's name as a user writes it in a value or a column: ``x[1]``, ``W[1, 2]``."""


def element_name(base: str, indexes: tuple[int, ...]) -> str:
    """The name every output shows for an element: ``h[2]``, ``W[1,2]``."""
    return f"{base}[{','.join(map(str, indexes))}]"


def split_element(name: str) -> tuple[str, tuple[int, ...]] | None:
    """``"x[1]"`` → ``("x", (1,))``; None for a name that is not an element."""
    match = ELEMENT.fullmatch(name.strip())
    if match is None:
        return None
    return match.group(1), tuple(int(i) for i in match.group(2).split(","))


def base_of(name: str) -> str:
    """The base name of an element (``h`` of ``h[2]``), or the name itself."""
    return name.split("[", 1)[0]


class IndexExpr(NamedTuple):
    """A node of an index expression: ``op`` is ``number``, ``name``, ``neg`` or one of
    ``+ - * /``; ``args`` holds a Fraction, a name, or the operands."""

    op: str
    args: tuple
    start: int
    end: int


class Subscript(NamedTuple):
    """An element as written: ``h[t-1]``; its indexes are evaluated when it is read."""

    base: str
    indexes: tuple[IndexExpr, ...]
    start: int
    end: int
    base_end: int
    """Where the base name ends (a caret for an error about the name itself)."""


class BadIndex(Exception):
    """An index expression that has no integer value; ``pos`` is where in the source."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


def evaluate(
    expr: IndexExpr,
    variables: Mapping[str, int],
    constant: Callable[[str, int], Fraction],
) -> Fraction:
    """The exact value of ``expr``; ``variables`` are the loop variables in scope and
    ``constant(name, pos)`` the value of any other name (it raises when there is none)."""
    results: list[Fraction] = []
    stack: list[tuple[IndexExpr, bool]] = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        op = node.op
        if op == "number":
            results.append(node.args[0])
        elif op == "name":
            name = node.args[0]
            value = variables.get(name)
            results.append(Fraction(value) if value is not None else constant(name, node.start))
        elif not ready:
            stack.append((node, True))
            stack.extend((arg, False) for arg in reversed(node.args))
        elif op == "neg":
            results.append(-results.pop())
        else:
            right = results.pop()
            left = results.pop()
            if op == "+":
                results.append(left + right)
            elif op == "-":
                results.append(left - right)
            elif op == "*":
                results.append(left * right)
            elif right == 0:
                raise BadIndex("division by zero in an index", node.start)
            else:
                results.append(left / right)
    return results[0]


def names_in(expr: IndexExpr) -> list[str]:
    """The names an index expression reads, in order."""
    found = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if node.op == "name":
            found.append(node.args[0])
        elif node.op != "number":
            stack.extend(reversed(node.args))
    return found


def integer(
    expr: IndexExpr,
    variables: Mapping[str, int],
    constant: Callable[[str, int], Fraction],
    source: str,
    what: str = "index",
) -> int:
    """:func:`evaluate`, which must give an integer; the error names the expression and,
    inside a loop, the loop variables' values."""
    value = evaluate(expr, variables, constant)
    if value.denominator != 1:
        text = source[expr.start : expr.end]
        shown = f"{text} is {value}" if text != str(value) else f"{text} is"
        at = _at(expr, variables)
        raise BadIndex(f"the {what} {shown}{at}, not an integer", expr.start)
    return value.numerator


def _at(expr: IndexExpr, variables: Mapping[str, int]) -> str:
    used = [name for name in dict.fromkeys(names_in(expr)) if name in variables]
    if not used:
        return ""
    return " at " + ", ".join(f"{name} = {variables[name]}" for name in used)
