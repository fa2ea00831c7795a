"""The worked forward-mode solution: each node's value, then its tangent by the chain rule,
in the seed's style (the library side of ``cg explain --mode forward``).

Each step writes the node's local derivatives in the textbook's form (the op table's
``textbook`` field) and sums them times its inputs' tangents, one loop over the nodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..core.ir import COPY, INPUT, Graph
from ..core.notation import LANGUAGE, TEXT, formula, label_pieces
from ..core.numbers import format_number
from ..core.ops import op_for
from ..passes.engine import forward as forward_values
from ..passes.engine import local_partials
from ..passes.values import InputValue


@dataclass(frozen=True, repr=False)
class ForwardExplanation:
    """The forward-mode steps as text and as Markdown."""

    text: str
    markdown: str
    along: str
    steps: int
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"<ForwardExplanation: tangents ∂node/∂{self.along}, {self.steps} steps>"


def explain_tangents(
    graph: Graph,
    inputs: Mapping[str, InputValue],
    *,
    wrt: str | None = None,
    tangent: Mapping[str, object] | None = None,
    digits: int | None = 6,
) -> ForwardExplanation:
    """``explain(..., mode="forward")``: every node's value, then its tangent ∂node/∂``wrt``
    (or along ``tangent``) as the sum of its local derivatives times its inputs' tangents."""
    from ..api.forward_mode import direction_from, direction_name, tangents
    from ..passes.values import bind_inputs

    graph, point, warnings = bind_inputs(graph, inputs)
    direction = direction_from(graph.input_names, wrt, tangent)
    values_ = forward_values(graph, point)
    dots = tangents(graph, values_, direction)
    along = direction_name(direction)
    lines = _lines(graph, values_, dots, direction, along, digits)
    heading = f"Forward mode: tangents ∂node/∂{along}"
    text = "\n".join([heading, *(f"  {line}" for line in lines)]) + "\n"
    markdown = "\n".join([f"## {heading}", "", *(f"- {line}" for line in lines)]) + "\n"
    steps = sum(1 for n in graph.nodes if n.inputs and not graph.inline(n))
    return ForwardExplanation(text, markdown, along, steps, tuple(warnings))


def _lines(graph: Graph, values, dots, direction, along: str, digits) -> list[str]:
    def number(x: float) -> str:
        shown = format_number(x, digits)
        return f"({shown})" if shown.startswith("-") else shown

    label_of = {n.name: graph.label(n) for n in graph.inputs}
    moves = [
        f"∂{label_of[name]}/∂{along} = {format_number(dv, digits)}"
        for name, dv in direction.items()
    ]
    inputs = [f"{graph.label(n)} = {format_number(values[n.index], digits)}" for n in graph.inputs]
    lines = [f"inputs: {', '.join(inputs)}", f"seeds: {', '.join(moves)}"]
    pieces = [  # constants carry their value: the textbook writes x^2's derivative 2·x
        p._replace(constant=values[n.index] if graph.inline(n) else None)
        for p, n in zip(label_pieces(graph, TEXT), graph.nodes, strict=True)
    ]
    moved = [False] * len(graph.nodes)
    for node in graph.nodes:
        if node.op == INPUT:
            moved[node.index] = direction.get(node.name, 0.0) != 0
            continue
        moved[node.index] = any(moved[i] for i in node.inputs)
        if not node.inputs or graph.inline(node):
            continue
        label = graph.label(node)
        value = format_number(values[node.index], digits)
        lines.append(f"{label} = {formula(graph, node, pieces, LANGUAGE).text} = {value}")
        if not moved[node.index]:
            lines.append(f"  ∂{label}/∂{along} = 0 (it does not depend on {along})")
            continue
        locals_ = local_partials(graph, node, values)
        terms, symbols, numbers = [], [], []
        for i in dict.fromkeys(node.inputs):
            if not moved[i]:
                continue
            slots = [k for k, j in enumerate(node.inputs) if j == i]
            operand = graph.label(graph.nodes[i])
            local = sum(locals_[k] for k in slots)
            if node.op == COPY:
                form = "1"
            else:
                args = [pieces[j] for j in node.inputs]
                form = op_for(node.op).textbook_local(TEXT, slots, args).text
            shown = format_number(local, digits)
            name = f"∂{label}/∂{operand} (local)"
            terms.append(f"{name} = {shown}" if form == shown else f"{name} = {form} = {shown}")
            symbols.append(f"{name} · ∂{operand}/∂{along}")
            numbers.append(f"{number(local)} · {number(dots[i])}")
        lines.append("  " + ", ".join(terms))
        total = format_number(dots[node.index], digits)
        lines.append(
            f"  ∂{label}/∂{along} = {' + '.join(symbols)} = {' + '.join(numbers)} = {total}"
        )
    return lines
