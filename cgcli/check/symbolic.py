"""The graph in SymPy, built from the IR with SymPy classes, never from user text.

Importing this module imports SymPy, so only the check and symbolic commands do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

import sympy
from sympy.printing.str import StrPrinter

from ..core.ir import COPY, INPUT, NUMBER, Graph, Node
from ..core.ops import CONSTANTS, op_for

Expected = float | str
"""A float, or one of "complex" (not a real number) and "zoo" (unsigned infinity)."""


def build(
    graph: Graph,
    leaves: Mapping[str, sympy.Expr],
    perturb: Mapping[int, sympy.Symbol] | None = None,
    *,
    operand: Callable[[Node, sympy.Expr], sympy.Expr] | None = None,
    builder: Callable[[str], Callable] | None = None,
) -> list[sympy.Expr]:
    """A SymPy expression for every node; ``perturb`` adds a symbol to chosen nodes.

    ``operand(node, expr)`` is what the nodes after ``node`` see of it (by default its
    expression; ``cg grad`` gives a named node's symbol), and ``builder(op)`` the SymPy
    builder of an op (by default the op table's).
    """
    exprs: list[sympy.Expr] = []
    seen: list[sympy.Expr] = exprs if operand is None else []
    for node in graph.nodes:
        if node.op == INPUT:
            expr = leaves[node.name]
        elif node.op == NUMBER:
            expr = exact_number(node.literal)
        elif node.op in CONSTANTS:
            expr = getattr(sympy, CONSTANTS[node.op][1])
        elif node.op == COPY:
            expr = seen[node.inputs[0]]
        else:
            args = [seen[i] for i in node.inputs]
            expr = apply_op(node.op, args) if builder is None else builder(node.op)(sympy, *args)
        if perturb and node.index in perturb:
            expr = expr + perturb[node.index]
        exprs.append(expr)
        if operand is not None:
            seen.append(operand(node, expr))
    return exprs


def apply_op(op: str, args: list[sympy.Expr]) -> sympy.Expr:
    """The op's SymPy builder for any arguments: integers, rationals, floats, expressions.

    Unevaluated where SymPy cannot order its numeric arguments (Max(0, sin(1)^2 +
    cos(1)^2 - 1) raises "not comparable"), which :func:`settle` decides later.
    """
    try:
        return op_for(op).sympy(sympy, *args)
    except ZeroDivisionError:  # a Float divided by a Float zero; rationals give zoo
        return sympy.zoo
    except ValueError:
        with sympy.evaluate(False):
            return op_for(op).sympy(sympy, *args)


def exact_number(value: Fraction | str) -> sympy.Rational:
    """A rational, or a number literal's text, as an exact SymPy number."""
    value = Fraction(value)
    return sympy.Rational(value.numerator, value.denominator)


def exact_value(value: Fraction | Graph) -> sympy.Expr:
    """The exact SymPy value of an input given as a rational or a constant expression."""
    if isinstance(value, Fraction):
        return exact_number(value)
    return build(value, {})[value.output]


def input_symbols(graph: Graph) -> dict[str, sympy.Symbol]:
    return {name: sympy.Symbol(name, real=True) for name in graph.input_names}


def numeric(expr: sympy.Expr, digits: int = 30) -> Expected:
    """Evaluate a closed-form expression to a float, "complex" or "zoo"."""
    expr = settle(sympy.sympify(expr, strict=True))
    if expr.has(sympy.zoo):
        return "zoo"
    value = sympy.N(expr, digits)
    if value is sympy.nan:
        return float("nan")
    if value in (sympy.oo, sympy.zoo, -sympy.oo):
        return "zoo" if value is sympy.zoo else float(value)
    real, imaginary = value.as_real_imag()
    if imaginary != 0:
        # a complex number, or a real one that hinges on a quantity SymPy cannot tell
        # from zero (sqrt(sin(1)^2 + cos(1)^2 - 1)): then more digits change it
        again = sympy.N(expr, digits + 30)
        if abs(again - value) > sympy.Float(1e-10) * abs(again):
            return float("nan")
        return "complex"
    return float(real)


_PIECEWISE = (sympy.Heaviside, sympy.sign, sympy.Max, sympy.Min)
_STEPS = (sympy.Heaviside, sympy.sign)
"""What SymPy's derivatives of Max, Min, Abs and relu are made of."""


def settle(expr: sympy.Expr) -> sympy.Expr:
    """A closed-form expression with every Heaviside, sign, Max and Min decided.

    SymPy leaves them unevaluated where it cannot order numbers symbolically
    (``Heaviside(6 - 3/(4*tan(11/4) + ...))``); they are decided numerically here,
    innermost first. Heaviside(0) is 1/2, as in SymPy.
    """
    while True:
        innermost = [
            atom
            for atom in expr.atoms(*_PIECEWISE)
            if not any(arg.has(*_PIECEWISE) for arg in atom.args)
        ]
        if not innermost:
            return expr
        expr = sympy.sympify(
            expr.xreplace({atom: _decide(atom) for atom in innermost}), strict=True
        )


def _decide(atom: sympy.Expr) -> sympy.Expr:
    if isinstance(atom, sympy.Heaviside):
        return {1: sympy.Integer(1), 0: sympy.S.Half, -1: sympy.Integer(0)}[sign_of(atom.args[0])]
    if isinstance(atom, sympy.sign):
        return sympy.Integer(sign_of(atom.args[0]))
    return _pick(atom, {})


def substitute(expr: sympy.Expr, point: Mapping[sympy.Symbol, sympy.Expr]) -> sympy.Expr:
    """``expr`` at the point. Max and Min are decided first, innermost first: rebuilding
    one from numbers SymPy cannot order would raise "not comparable"."""
    expr = sympy.sympify(expr, strict=True)
    while True:
        innermost = [
            atom
            for atom in expr.atoms(sympy.Max, sympy.Min)
            if atom.free_symbols and not any(arg.has(sympy.Max, sympy.Min) for arg in atom.args)
        ]
        if not innermost:
            return sympy.sympify(expr.xreplace(point), strict=True)
        expr = expr.xreplace({atom: _pick(atom, point) for atom in innermost})


def _pick(atom: sympy.Expr, point: Mapping[sympy.Symbol, sympy.Expr]) -> sympy.Expr:
    """The argument of a Max or Min that is largest or smallest at the point."""
    larger = 1 if isinstance(atom, sympy.Max) else -1
    best = atom.args[0]
    for arg in atom.args[1:]:
        if sign_of((arg - best).xreplace(point)) == larger:
            best = arg
    return best


def sign_of(expr: sympy.Expr) -> int:
    """The sign of a closed-form real number, -1, 0 or 1 (0 when 60 digits cannot tell)."""
    expr = settle(sympy.sympify(expr, strict=True))
    zero = expr.is_zero
    if zero:
        return 0
    value = sympy.N(expr, 60)
    if not value.is_number or not value.is_real:
        raise ValueError(f"cannot decide the sign of {expr}")
    if zero is False or abs(value) > sympy.Float("1e-50"):
        return 1 if value > 0 else -1 if value < 0 else 0
    return 0


ONE_SIDE = sympy.Rational(1, 10**30)
"""How far from a step's break :func:`at_kink` looks on each side."""


def at_kink(
    derivative: sympy.Expr, symbol: sympy.Symbol, at_point: Mapping[sympy.Symbol, sympy.Expr]
) -> bool:
    """Whether ``derivative`` (with respect to ``symbol``) does not exist at the point: it
    holds a step (Heaviside, sign) at its break, and differs on the two sides of it.

    There SymPy's value (Heaviside(0) = 1/2, sign(0) = 0) is a convention too.
    """
    steps = [
        step
        for step in derivative.atoms(*_STEPS)
        if sign_of(substitute(step.args[0], at_point)) == 0
    ]
    if not steps:
        return False
    left, right = (
        numeric(substitute(derivative, {**at_point, symbol: side}))
        for side in (-ONE_SIDE, ONE_SIDE)
    )
    if isinstance(left, float) and isinstance(right, float):
        return not abs(left - right) <= 1e-9 * max(abs(left), abs(right)) + 1e-12
    return left != right


def reference(
    graph: Graph, points: list[Mapping[str, Fraction | Graph]], needs: list[bool]
) -> list[tuple[Expected, list[Expected | None], list[bool]]]:
    """At each point: the output value, ∂output/∂node for every node that needs it, and
    whether that derivative sits on a kink.

    Each such node gets a symbol ε added to it; ∂output/∂node is the derivative
    of the output with respect to that ε at ε = 0. The derivatives are taken
    once and evaluated at every point.
    """
    symbols = input_symbols(graph)
    eps = {
        n.index: sympy.Symbol(f"eps_{n.index}", real=True) for n in graph.nodes if needs[n.index]
    }
    output = build(graph, symbols, eps)[graph.output]
    derivatives = {index: sympy.diff(output, symbol) for index, symbol in eps.items()}
    results = []
    for exact_inputs in points:
        at_point = {symbols[name]: exact_value(exact_inputs[name]) for name in symbols}
        at_point.update({symbol: sympy.S.Zero for symbol in eps.values()})
        value = numeric(substitute(output, at_point))
        grads: list[Expected | None] = [None] * len(graph.nodes)
        kinks = [False] * len(graph.nodes)
        for index, derivative in derivatives.items():
            grads[index] = numeric(substitute(derivative, at_point))
            if grads[index] == "zoo" or grads[index] != grads[index]:  # 0/0, 0·∞: a limit
                grads[index] = _limit(derivative, eps[index], at_point, grads[index])
            kinks[index] = at_kink(derivative, eps[index], at_point)
        results.append((value, grads, kinks))
    return results


def _limit(
    derivative: sympy.Expr, symbol: sympy.Symbol, at_point: dict, fallback: Expected
) -> Expected:
    """The two-sided limit of ``derivative`` as ``symbol`` → 0, the others at the point."""
    others = {k: v for k, v in at_point.items() if k != symbol}
    try:
        limit = sympy.limit(derivative.xreplace(others), symbol, 0, dir="+-")
    except (NotImplementedError, ValueError, TypeError):
        return fallback
    if not limit.is_number or isinstance(limit, sympy.AccumBounds):
        return fallback
    return numeric(limit)


class _CgPrinter(StrPrinter):
    """SymPy's text in cg's notation: Euler's number is e (E would read as a name)."""

    def _print_Exp1(self, expr) -> str:
        return "e"


def cg_text(expr: sympy.Expr) -> str:
    """An expression as cg writes it: ``^`` for powers, ``e`` for Euler's number."""
    return _CgPrinter().doprint(expr).replace("**", "^")
