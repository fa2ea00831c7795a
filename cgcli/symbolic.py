"""The graph in SymPy, built from the IR with SymPy classes, never from user text.

Importing this module imports SymPy, so only the check and symbolic commands do.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import sympy

from .ir import COPY, INPUT, NUMBER, Graph
from .ops import CONSTANTS, op_for

Expected = float | str
"""A float, or one of "complex" (not a real number) and "zoo" (unsigned infinity)."""


def build(
    graph: Graph,
    leaves: Mapping[str, sympy.Expr],
    perturb: Mapping[int, sympy.Symbol] | None = None,
) -> list[sympy.Expr]:
    """A SymPy expression for every node; ``perturb`` adds a symbol to chosen nodes."""
    exprs: list[sympy.Expr] = []
    for node in graph.nodes:
        if node.op == INPUT:
            expr = leaves[node.name]
        elif node.op == NUMBER:
            expr = exact_number(node.literal)
        elif node.op in CONSTANTS:
            expr = getattr(sympy, CONSTANTS[node.op][1])
        elif node.op == COPY:
            expr = exprs[node.inputs[0]]
        else:
            expr = op_for(node.op).sympy(sympy, *(exprs[i] for i in node.inputs))
        if perturb and node.index in perturb:
            expr = expr + perturb[node.index]
        exprs.append(expr)
    return exprs


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
    if expr.has(sympy.zoo):
        return "zoo"
    value = sympy.N(expr, digits)
    if value is sympy.nan:
        return float("nan")
    if value in (sympy.oo, sympy.zoo, -sympy.oo):
        return "zoo" if value is sympy.zoo else float(value)
    real, imaginary = value.as_real_imag()
    if imaginary != 0:
        return "complex"
    return float(real)


def reference(
    graph: Graph, points: list[Mapping[str, Fraction | Graph]], needs: list[bool]
) -> list[tuple[Expected, list[Expected | None]]]:
    """At each point: the output value and ∂output/∂node for every node that needs it.

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
        at_point.update({symbol: 0 for symbol in eps.values()})
        value = numeric(output.xreplace(at_point))
        grads: list[Expected | None] = [None] * len(graph.nodes)
        for index, derivative in derivatives.items():
            grads[index] = numeric(derivative.xreplace(at_point))
            if grads[index] == "zoo" or grads[index] != grads[index]:  # 0/0, 0·∞: a limit
                grads[index] = _limit(derivative, eps[index], at_point, grads[index])
        results.append((value, grads))
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


def gradient_formulas(
    graph: Graph,
    wrt: list[str],
    exact_inputs: Mapping[str, Fraction | Graph] | None,
    simplify: bool = True,
    expand: bool = False,
) -> list[tuple[str, str, str, Expected | None, str | None]]:
    """Per input in ``wrt``: ∂output/∂input as text and LaTeX, and at the point if given.

    Returns (name, text, latex, value, exact value text). The derivatives are
    written in the program's own terms (its named intermediates, σ for the
    sigmoid), or with ``expand`` in the inputs alone; SymPy simplifies each
    derivative when ``simplify``.
    """
    from .named_grad import derivatives, for_evaluation, symbols_of
    from .notation import latex_name

    if expand:
        symbols = symbols_of(graph)
        by_name = {n.name: symbols[n.index] for n in graph.inputs}
        output = build(graph, by_name)[graph.output]
        found = {name: sympy.diff(output, by_name[name]) for name in wrt}
    else:
        found, symbols = derivatives(graph, wrt)
    latex_names = {s: latex_name(s.name) for s in symbols.values()}
    at = None
    if exact_inputs is not None:  # every symbol (input or named node) at its exact value
        point = {name: exact_value(exact_inputs[name]) for name in graph.input_names}
        exact_nodes = build(graph, point)
        at = {s: exact_nodes[i] for i, s in symbols.items()}
    rows = []
    for name in wrt:
        derivative = found[name]
        if simplify:  # the named form is already short: only common factors are pulled out
            derivative = sympy.simplify(derivative) if expand else sympy.factor_terms(derivative)
        value = exact = None
        if at is not None:
            exact_expr = sympy.simplify(for_evaluation(derivative).xreplace(at))
            value = numeric(exact_expr)
            exact = sympy.sstr(exact_expr).replace("**", "^")
        text = sympy.sstr(derivative).replace("**", "^")
        latex = sympy.latex(derivative, symbol_names=latex_names)
        rows.append((name, text, latex, value, exact))
    return rows
