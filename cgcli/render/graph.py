"""Drawings of the graph: Graphviz DOT, Mermaid, and an ASCII tree for the terminal.

Each node shows its label and op; when values were given, its value (blue)
and its gradient (red), in the style of the CS231n circuit diagrams. Edges run
from each input to the op that uses it, in the order the arguments are written.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ..ir import COPY, INPUT, NUMBER, Graph, Node
from ..numbers import format_number
from ..ops import op_for

VALUE_COLOUR = "#1f5fbf"
GRAD_COLOUR = "#c0392b"


@dataclass(frozen=True)
class Annotations:
    """Values and gradients to draw beside the nodes (None for a bare graph)."""

    values: list[float]
    grads: list[float | None]
    output: str
    digits: int | None


def node_caption(graph: Graph, node: Node) -> str:
    """The label and what the node computes: ``p = x + y``, ``x (input)``, ``n2 = 2``."""
    label = graph.label(node)
    if node.op == INPUT:
        return f"{label} (input)"
    if node.op == NUMBER or node.op in ("pi", "e"):
        return f"{label} = {graph.text(node)}"
    args = [graph.label(graph.nodes[i]) for i in node.inputs]
    shown = args[0] if node.op == COPY else op_for(node.op).show(args)
    return f"{label} = {shown}"


def _numbers(notes: Annotations, node: Node) -> tuple[str, str | None]:
    value = format_number(notes.values[node.index], notes.digits)
    grad = notes.grads[node.index]
    shown = None if grad is None else format_number(grad, notes.digits)
    return value, shown


def _partial(graph: Graph, notes: Annotations, node: Node, grad: str) -> str:
    return f"∂{notes.output}/∂{graph.label(node)} = {grad}"


def to_dot(graph: Graph, notes: Annotations | None) -> str:
    """Graphviz DOT, left to right, with HTML labels for the coloured numbers."""
    lines = [
        "digraph cg {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded", fontname="Helvetica"];',
        '  edge [color="#555555"];',
    ]
    for node in graph.nodes:
        rows = [html.escape(node_caption(graph, node))]
        if notes:
            value, grad = _numbers(notes, node)
            rows.append(f'<font color="{VALUE_COLOUR}">value {html.escape(value)}</font>')
            if grad is not None:
                partial = html.escape(_partial(graph, notes, node, grad))
                rows.append(f'<font color="{GRAD_COLOUR}">{partial}</font>')
        shape = "ellipse" if node.op == INPUT else "box"
        extra = ', penwidth="2"' if node.index == graph.output else ""
        extra += f', id="cg-node-{node.id}"'  # the page finds each node's drawing by this id
        lines.append(f"  {node.id} [shape={shape}{extra}, label=<{'<br/>'.join(rows)}>];")
    for node in graph.nodes:
        for i in node.inputs:
            lines.append(f"  {graph.nodes[i].id} -> {node.id};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(graph: Graph, notes: Annotations | None) -> str:
    """A Mermaid flowchart; values and gradients on separate lines of each node."""
    lines = ["flowchart LR"]
    for node in graph.nodes:
        rows = [_mermaid_escape(node_caption(graph, node))]
        if notes:
            value, grad = _numbers(notes, node)
            rows.append(f"value {_mermaid_escape(value)}")
            if grad is not None:
                rows.append(_mermaid_escape(_partial(graph, notes, node, grad)))
        open_, close = ("([", "])") if node.op == INPUT else ("[", "]")
        lines.append(f'  {node.id}{open_}"{"<br/>".join(rows)}"{close}')
    for node in graph.nodes:
        for i in node.inputs:
            lines.append(f"  {graph.nodes[i].id} --> {node.id}")
    lines.append(f"  style {graph.nodes[graph.output].id} stroke-width:3px")
    return "\n".join(lines) + "\n"


def _mermaid_escape(text: str) -> str:
    return html.escape(text).replace("#", "#35;")


def to_ascii(graph: Graph, notes: Annotations | None) -> str:
    """A tree from the output down to its inputs; a node shown before is not repeated."""
    lines: list[str] = []
    shown: set[int] = set()
    stack: list[tuple[int, str, str]] = [(graph.output, "", "")]
    while stack:  # depth first, without recursion
        index, lead, child_lead = stack.pop()
        node = graph.nodes[index]
        text = node_caption(graph, node)
        if notes:
            value, grad = _numbers(notes, node)
            text += f"   value {value}"
            if grad is not None:
                text += f"   {_partial(graph, notes, node, grad)}"
        if index in shown and node.inputs:
            lines.append(f"{lead}{graph.label(node)} (shown above)")
            continue
        lines.append(lead + text)
        shown.add(index)
        children = list(node.inputs)
        for position in range(len(children) - 1, -1, -1):
            last = position == len(children) - 1
            branch, extend = ("└── ", "    ") if last else ("├── ", "│   ")
            stack.append((children[position], child_lead + branch, child_lead + extend))
    unused = [graph.label(n) for n in graph.nodes if n.index not in shown]
    if unused:
        lines.append("not used by the output: " + ", ".join(unused))
    return "\n".join(lines) + "\n"
