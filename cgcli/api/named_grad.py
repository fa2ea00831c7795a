"""Symbolic derivatives in the program's own terms, as a course writes them.

Where the program names an intermediate (``h = tanh(w*x + b)``), the
derivative uses that name (``1 - h^2``) instead of expanding it; the sigmoid
stays σ with its textbook derivative σ·(1 - σ). Each derivative is built by the
chain rule over the named nodes, in forward order (a loop, no recursion).
Importing this module imports SymPy.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import sympy

from ..check.symbolic import Expected, build, cg_latex, cg_text, exact_value, numeric
from ..core.ir import INPUT, Graph, Node
from ..core.ops import op_for


class Sigmoid(sympy.Function):
    """σ(a) = 1/(1 + exp(-a)), kept whole: its derivative is σ(a)·(1 - σ(a))."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return self * (1 - self)

    def _sympystr(self, printer) -> str:
        return f"σ({printer._print(self.args[0])})"

    def _latex(self, printer) -> str:
        return rf"\sigma\left({printer._print(self.args[0])}\right)"

    def expanded(self) -> sympy.Expr:
        return 1 / (1 + sympy.exp(-self.args[0]))


class Relu(sympy.Function):
    """relu(a) = max(0, a), kept whole: its derivative is cg's step, 1 above 0 and 0 at
    and below it (relu'(0) = 0, as cg eval and PyTorch), not SymPy's Heaviside(a) = ½ at 0."""

    @classmethod
    def eval(cls, a):
        if a.is_number:
            return sympy.Max(0, a)
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.Heaviside(self.args[0], 0)

    def _sympystr(self, printer) -> str:
        return f"relu({printer._print(self.args[0])})"

    def _latex(self, printer, exp=None) -> str:
        power = "" if exp is None else f"^{{{exp}}}"
        return rf"\operatorname{{relu}}{power}\left({printer._print(self.args[0])}\right)"


class RealSign(sympy.sign):
    """sign(a) of a real a, as cg's abs' is: its derivative is 0 (cg's convention at the
    jump too), whatever SymPy knows of a (relu(u), σ(u), log(u) are real in cg)."""

    def _eval_derivative(self, x) -> sympy.Expr:
        return sympy.S.Zero

    def _sympystr(self, printer) -> str:
        return f"sign({printer._print(self.args[0])})"

    def _latex(self, printer, exp=None) -> str:
        power = "" if exp is None else f"^{{{exp}}}"
        return rf"\operatorname{{sign}}{power}\left({printer._print(self.args[0])}\right)"


class RealAbs(sympy.Abs):
    """|a| of a real a: its derivative is sign(a)·a', never SymPy's re(a)/im(a) forms
    for an argument SymPy cannot tell is real (cg's every value is real)."""

    def _eval_derivative(self, x) -> sympy.Expr:
        return sympy.Derivative(self.args[0], x, evaluate=True) * RealSign(self.args[0])

    def _sympystr(self, printer) -> str:
        return f"abs({printer._print(self.args[0])})"


def _builder(op: str):
    """The SymPy builder of each op, for derivatives in the program's terms: σ and relu
    kept whole."""
    if op == "sigmoid":
        return lambda s, a: Sigmoid(a)
    return expanded_builder(op)


def expanded_builder(op: str):
    """The SymPy builder of each op, for derivatives in the inputs alone: relu kept whole,
    so that its derivative follows cg's convention at 0."""
    if op == "relu":
        return lambda s, a: Relu(a)
    if op == "abs":
        return lambda s, a: RealAbs(a)
    return op_for(op).sympy


def without_impulses(expr: sympy.Expr) -> sympy.Expr:
    """SymPy's DiracDelta, the derivative of a step, is 0 by cg's convention: the
    derivative of relu', abs' (sign), max' and min' is 0, at their jump too."""
    return expr.replace(lambda e: isinstance(e, sympy.DiracDelta), lambda e: sympy.S.Zero)


def is_named(graph: Graph, node: Node) -> bool:
    """A node the program names (not an input): its derivative is written with its name."""
    return node.name is not None and node.op != INPUT


def symbols_of(graph: Graph) -> dict[int, sympy.Symbol]:
    """A real symbol, named by its label, for every input and every named node."""
    return {
        n.index: sympy.Symbol(graph.label(n), real=True)
        for n in graph.nodes
        if n.op == INPUT or is_named(graph, n)
    }


def definitions(graph: Graph, symbols: dict[int, sympy.Symbol]) -> list[sympy.Expr]:
    """Each node in terms of the inputs and of the named nodes before it."""
    return build(
        graph,
        {n.name: symbols[n.index] for n in graph.inputs},
        operand=lambda node, expr: symbols[node.index] if is_named(graph, node) else expr,
        builder=_builder,
    )


def derivatives(graph: Graph, wrt: list[str]) -> tuple[dict[str, sympy.Expr], dict]:
    """∂output/∂input for each input in ``wrt``, in terms of the program's named nodes.

    Returns the derivatives and the symbols (by node index) they may use.
    """
    symbols = symbols_of(graph)
    defined = definitions(graph, symbols)
    inputs = {n.name: symbols[n.index] for n in graph.inputs}
    names_back = {  # a named node's definition written as its name again; never a number,
        defined[i]: s  # whose every occurrence would become the name (h0 = 0)
        for i, s in symbols.items()
        if is_named(graph, graph.nodes[i]) and not defined[i].is_number
    }
    by_symbol = {s: i for i, s in symbols.items()}
    totals: dict[int, dict[str, sympy.Expr]] = {}
    output = graph.nodes[graph.output]
    chain_nodes = [n for n in graph.nodes[: graph.output] if is_named(graph, n)] + [output]
    for node in chain_nodes:
        expr = defined[node.index]
        named_inside = [s for s in expr.free_symbols if s in by_symbol and by_symbol[s] in totals]
        total = {}
        for name in wrt:
            derivative = sympy.diff(expr, inputs[name])
            for s in named_inside:
                inner = totals[by_symbol[s]][name]
                if inner != 0:
                    derivative += sympy.diff(expr, s) * inner
            total[name] = derivative.xreplace(names_back)
        totals[node.index] = total
    return totals[graph.output], symbols


def for_evaluation(expr: sympy.Expr) -> sympy.Expr:
    """σ(a) written out as 1/(1 + exp(-a)); relu's step is already 0 at 0 (cg's, PyTorch's
    convention) and max's and min's ½ at a tie, as in cg eval."""
    return expr.replace(lambda e: isinstance(e, Sigmoid), lambda e: e.expanded())


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
    from ..core.notation import latex_name

    if expand:
        symbols = symbols_of(graph)
        by_name = {n.name: symbols[n.index] for n in graph.inputs}
        output = build(graph, by_name, builder=expanded_builder)[graph.output]
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
            exact_expr = for_evaluation(derivative).xreplace(at)
            value = numeric(exact_expr)
            exact = _exact_text(exact_expr)
        text = cg_text(derivative)
        latex = cg_latex(derivative, latex_names)
        rows.append((name, text, latex, value, exact))
    return rows


SHORT_EXACT = 60
"""An exact value at a point is shown when SymPy's simplest form is this short."""


def _exact_text(expr: sympy.Expr) -> str | None:
    """A short exact form of a value at a point, or None when it has none.

    Simplifying a large expression of rationals takes SymPy minutes, so only a
    small one is simplified.
    """
    if sympy.count_ops(expr) > 40:
        return None
    text = cg_text(sympy.simplify(expr))
    return text if len(text) <= SHORT_EXACT else None
