"""The worked solution: forward pass node by node, then the backward pass by the chain rule.

The steps are data (:class:`Solution`); renderers turn them into text,
Markdown or LaTeX. Local derivative formulas come from SymPy, differentiating
each op's SymPy form with respect to symbols named after the node's inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy

from .ir import COPY, INPUT, Graph, Node
from .ops import op_for
from .symbolic import exact_number


@dataclass(frozen=True)
class ForwardStep:
    """``label = formula = formula with numbers = value``."""

    node: Node
    formula: sympy.Expr | None
    """The op applied to symbols named after its inputs (None for a copy)."""
    numbers: list[str]
    value: str


@dataclass(frozen=True)
class LocalStep:
    """``label = formula, so ∂label/∂input = derivative = value`` for each input."""

    node: Node
    derivatives: list[tuple[Node, sympy.Expr, str]]


@dataclass(frozen=True)
class ChainStep:
    """``∂out/∂v = Σ ∂out/∂u · ∂u/∂v = Σ (upstream) · (local) = gradient``."""

    node: Node
    terms: list[tuple[Node, str, str]]
    """Per user u: u, the upstream gradient ∂out/∂u and the local derivative ∂u/∂v."""
    grad: str


@dataclass(frozen=True)
class Solution:
    graph: Graph
    output: str
    inputs: list[tuple[str, str]]
    forward: list[ForwardStep]
    backward: list[LocalStep | ChainStep]


def float_numbers(graph: Graph, values: list[float], grads: list, digits: int | None) -> Numbers:
    """The numbers of a float evaluation, from the engine's own local derivatives."""
    from .engine import local_partials
    from .numbers import format_number

    def local(node: int, of: int) -> str:
        target = graph.nodes[node]
        partials = local_partials(graph, target, values)
        total = sum(p for i, p in zip(target.inputs, partials, strict=True) if i == of)
        return format_number(total, digits)

    return Numbers(
        value=lambda i: format_number(values[i], digits),
        grad=lambda i: format_number(grads[i], digits),
        local=local,
    )


def exact_numbers(exact, digits: int | None) -> Numbers:
    """The numbers of an exact evaluation (:class:`cgcli.exact.ExactPass`)."""
    from .exact import show_exact

    return Numbers(
        value=lambda i: show_exact(exact.values[i], digits),
        grad=lambda i: show_exact(exact.grads[i], digits),
        local=lambda node, of: show_exact(exact.locals[(node, of)], digits),
        operand=lambda i: show_exact(exact.values[i], None, approximate=False),
    )


@dataclass(frozen=True)
class Numbers:
    """The numbers a solution shows, already formatted: per node and per (node, input)."""

    value: Callable[[int], str]
    grad: Callable[[int], str]
    local: Callable[[int, int], str]
    """∂node/∂input summed over the slots where that input appears."""
    operand: Callable[[int], str] | None = None
    """A value where it is substituted into a formula (default: as ``value``)."""


def solve(graph: Graph, numbers: Numbers) -> Solution:
    """The steps of the worked solution for an evaluated graph."""
    symbols = {n.index: sympy.Symbol(graph.label(n), real=True) for n in graph.nodes}
    needs = graph.depends_on_input()
    used = _used_by_output(graph)

    def operand(index: int) -> sympy.Expr:
        node = graph.nodes[index]
        return exact_number(node.literal) if node.literal is not None else symbols[index]

    forward = []
    for node in graph.nodes:
        if node.op == INPUT or not node.inputs or not used[node.index]:
            continue
        formula = None if node.op == COPY else _formula(node, [operand(i) for i in node.inputs])
        shown = numbers.operand or numbers.value
        args = [_parenthesise(shown(i)) for i in node.inputs]
        forward.append(ForwardStep(node, formula, args, numbers.value(node.index)))
    users: dict[int, list[int]] = {}
    for node in graph.nodes:
        for i in dict.fromkeys(node.inputs):
            if needs[i] and used[node.index]:
                users.setdefault(i, []).append(node.index)
    backward: list[LocalStep | ChainStep] = []
    chains_of_inputs: list[ChainStep] = []
    for node in reversed(graph.nodes[: graph.output + 1]):
        if not needs[node.index] or not used[node.index]:
            continue
        if node.index != graph.output:
            chain = _chain(graph, node, users[node.index], numbers)
            only_output = users[node.index] == [graph.output]
            if node.op == INPUT:
                chains_of_inputs.append(chain)
            elif not only_output:
                backward.append(chain)
        if node.inputs:
            backward.append(_local(graph, node, operand, symbols, numbers, needs))
    backward.extend(reversed(chains_of_inputs))
    inputs = [(graph.label(n), numbers.value(n.index)) for n in graph.inputs]
    return Solution(graph, graph.label(graph.nodes[graph.output]), inputs, forward, backward)


def _used_by_output(graph: Graph) -> list[bool]:
    used = [False] * len(graph.nodes)
    used[graph.output] = True
    for node in reversed(graph.nodes):
        if used[node.index]:
            for i in node.inputs:
                used[i] = True
    return used


def _formula(node: Node, args: list[sympy.Expr]) -> sympy.Expr:
    with sympy.evaluate(False):
        return op_for(node.op).sympy(sympy, *args)


def _local(graph, node: Node, operand, symbols, numbers: Numbers, needs) -> LocalStep:
    if node.op == COPY:
        expr = symbols[node.inputs[0]]
    else:
        expr = op_for(node.op).sympy(sympy, *(operand(i) for i in node.inputs))
    derivatives = [
        (graph.nodes[i], sympy.diff(expr, symbols[i]), numbers.local(node.index, i))
        for i in dict.fromkeys(node.inputs)
        if needs[i]
    ]
    return LocalStep(node, derivatives)


def _chain(graph: Graph, node: Node, users: list[int], numbers: Numbers) -> ChainStep:
    terms = [(graph.nodes[u], numbers.grad(u), numbers.local(u, node.index)) for u in users]
    return ChainStep(node, terms, numbers.grad(node.index))


def _parenthesise(number: str) -> str:
    return f"({number})" if number.startswith("-") or " " in number else number


# --- rendering -------------------------------------------------------------------


def _text_expr(expr: sympy.Expr) -> str:
    return sympy.sstr(expr).replace("**", "^")


def _forward_text(graph: Graph, step: ForwardStep) -> str:
    node = step.node
    label = graph.label(node)
    if node.op == COPY:
        source = graph.label(graph.nodes[node.inputs[0]])
        return f"{label} = {source} = {step.value}"
    op = op_for(node.op)
    labels = [graph.label(graph.nodes[i]) for i in node.inputs]
    return f"{label} = {op.show(labels)} = {op.show(step.numbers)} = {step.value}"


def render_text(solution: Solution, markdown: bool = False) -> str:
    """The solution as plain text, or as Markdown with headings and a list."""
    graph, out = solution.graph, solution.output
    lines = []
    given = ", ".join(f"{name} = {value}" for name, value in solution.inputs)

    def item(text: str) -> str:
        return f"- `{text}`" if markdown else f"  {text}"

    lines.append("## Forward pass" if markdown else "Forward pass")
    if markdown:
        lines.append("")
    if given:
        lines.append(f"Inputs: `{given}`" if markdown else f"  inputs: {given}")
    lines += [item(_forward_text(graph, step)) for step in solution.forward]
    lines += ["", "## Backward pass" if markdown else "Backward pass"]
    if markdown:
        lines.append("")
    lines.append(item(f"∂{out}/∂{out} = 1"))
    for step in solution.backward:
        lines.append(item(_backward_text(graph, out, step)))
    return "\n".join(lines) + "\n"


def step_lines(solution: Solution) -> list[tuple[str, Node, str]]:
    """Each line of the solution's passes as (``"forward"`` or ``"backward"``, its node, text):
    the lines :func:`render_text` lists, for a page that shows them one node at a time."""
    graph, out = solution.graph, solution.output
    output_node = graph.nodes[graph.output]
    lines = [("forward", step.node, _forward_text(graph, step)) for step in solution.forward]
    lines.append(("backward", output_node, f"∂{out}/∂{out} = 1"))
    for step in solution.backward:
        lines.append(("backward", step.node, _backward_text(graph, out, step)))
    return lines


def _backward_text(graph: Graph, out: str, step: LocalStep | ChainStep) -> str:
    label = graph.label(step.node)
    if isinstance(step, LocalStep):
        parts = [
            f"∂{label}/∂{graph.label(i)} = " + (v if d.is_number else f"{_text_expr(d)} = {v}")
            for i, d, v in step.derivatives
        ]
        shown = _formula_text(graph, step.node)
        return f"{label} = {shown}, so " + " and ".join(parts)
    symbolic = " + ".join(
        f"∂{out}/∂{graph.label(u)} · {_local_symbol(graph, u, label)}" for u, _, _ in step.terms
    )
    numeric = " + ".join(f"{_parenthesise(g)} · {_parenthesise(v)}" for _, g, v in step.terms)
    if len(step.terms) == 1 and step.terms[0][0].index == graph.output:
        return f"∂{out}/∂{label} = {step.grad}"
    return f"∂{out}/∂{label} = {symbolic} = {numeric} = {step.grad}"


def _local_symbol(graph: Graph, user: Node, label: str) -> str:
    """∂u/∂v; for the output u, written with its formula so it is not read as the total."""
    if user.index == graph.output:
        return f"∂({_formula_text(graph, user)})/∂{label}"
    return f"∂{graph.label(user)}/∂{label}"


def _formula_text(graph: Graph, node: Node) -> str:
    labels = [graph.label(graph.nodes[i]) for i in node.inputs]
    return labels[0] if node.op == COPY else op_for(node.op).show(labels)


# LaTeX ----------------------------------------------------------------------------

_LATEX_FUNCTIONS = {
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "asin": r"\arcsin",
    "acos": r"\arccos",
    "atan": r"\arctan",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "tanh": r"\tanh",
    "exp": r"\exp",
    "log": r"\log",
    "max": r"\max",
    "min": r"\min",
}


def latex_name(label: str) -> str:
    from .render.formats import latex_escape

    return rf"\mathit{{{latex_escape(label)}}}" if len(label) > 1 else latex_escape(label)


def _latex_apply(op_name: str, args: list[str]) -> str:
    binary = {"add": "{} + {}", "sub": "{} - {}", "mul": r"{} \cdot {}", "pow": "{{{}}}^{{{}}}"}
    if op_name in binary:
        return binary[op_name].format(*args)
    if op_name == "div":
        return rf"\frac{{{args[0]}}}{{{args[1]}}}"
    if op_name == "neg":
        return f"-{args[0]}"
    if op_name == "sqrt":
        return rf"\sqrt{{{args[0]}}}"
    if op_name == "abs":
        return rf"\left|{args[0]}\right|"
    name = _LATEX_FUNCTIONS.get(op_name, rf"\operatorname{{{op_name}}}")
    return rf"{name}\left({', '.join(args)}\right)"


def _partial(out: str, of: str) -> str:
    return rf"\frac{{\partial {latex_name(out)}}}{{\partial {latex_name(of)}}}"


def _latex_local(graph: Graph, user: Node, label: str) -> str:
    if user.index != graph.output:
        return _partial(graph.label(user), label)
    labels = [latex_name(graph.label(graph.nodes[i])) for i in user.inputs]
    formula = labels[0] if user.op == COPY else _latex_apply(user.op, labels)
    return rf"\frac{{\partial \left({formula}\right)}}{{\partial {latex_name(label)}}}"


def _latex_number(text: str) -> str:
    return text.replace("≈", r"\approx ").replace("·", r"\cdot ")


def render_latex(solution: Solution) -> str:
    """The solution as two LaTeX align* environments (amsmath)."""
    graph, out = solution.graph, solution.output
    lines = [r"\textbf{Forward pass}", r"\begin{align*}"]
    for step in solution.forward:
        node = step.node
        labels = [latex_name(graph.label(graph.nodes[i])) for i in node.inputs]
        if node.op == COPY:
            symbolic, numeric = labels[0], _latex_number(step.numbers[0])
        else:
            symbolic = _latex_apply(node.op, labels)
            numeric = _latex_apply(node.op, [_latex_number(n) for n in step.numbers])
        value = _latex_number(step.value)
        lines.append(rf"{latex_name(graph.label(node))} &= {symbolic} = {numeric} = {value} \\")
    lines += [r"\end{align*}", r"\textbf{Backward pass}", r"\begin{align*}"]
    lines.append(rf"{_partial(out, out)} &= 1 \\")
    for step in solution.backward:
        label = graph.label(step.node)
        if isinstance(step, LocalStep):
            for i, derivative, value in step.derivatives:
                shown = _latex_number(value)
                if not derivative.is_number:
                    shown = f"{sympy.latex(derivative)} = {shown}"
                lines.append(rf"{_partial(label, graph.label(i))} &= {shown} \\")
            continue
        if len(step.terms) == 1 and step.terms[0][0].index == graph.output:
            lines.append(rf"{_partial(out, label)} &= {_latex_number(step.grad)} \\")
            continue
        symbolic = " + ".join(
            rf"{_partial(out, graph.label(u))} \cdot {_latex_local(graph, u, label)}"
            for u, _, _ in step.terms
        )
        numeric = " + ".join(
            rf"{_latex_number(_parenthesise(g))} \cdot {_latex_number(_parenthesise(v))}"
            for _, g, v in step.terms
        )
        lines.append(
            rf"{_partial(out, label)} &= {symbolic} = {numeric} = {_latex_number(step.grad)} \\"
        )
    lines.append(r"\end{align*}")
    return "\n".join(lines) + "\n"
