"""The graph IR printed back as a cg program that parses to the same graph.

Every node becomes one statement, in the graph's order: an input is read by
an expression statement of its name (so it is created where it was), a number
or an operation is assigned to a fresh name. Parsing the text again gives the
same ops, edges, literals and output; only the names of intermediate nodes
differ.
"""

from __future__ import annotations

from .ir import COPY, INPUT, NUMBER, Graph
from .ops import op_for


def to_program(graph: Graph) -> str:
    """A program whose graph has the same structure as ``graph``."""
    names = {n.name for n in graph.nodes if n.name}
    prefix = "_n"
    while any(name.startswith(prefix) for name in names):
        prefix = "_" + prefix

    def ref(index: int) -> str:
        node = graph.nodes[index]
        return node.name if node.op == INPUT else f"{prefix}{index}"

    lines = []
    for node in graph.nodes:
        if node.op == INPUT:
            lines.append(node.name)
        elif node.op == NUMBER:
            lines.append(f"{ref(node.index)} = {node.literal}")
        elif node.op == COPY:
            lines.append(f"{ref(node.index)} = {ref(node.inputs[0])}")
        elif not node.inputs:  # a named constant (pi, e) bound as such
            lines.append(f"{ref(node.index)} = {node.op}")
        else:
            args = [ref(i) for i in node.inputs]
            lines.append(f"{ref(node.index)} = {op_for(node.op).show(args)}")
    lines.append(ref(graph.output))
    return "\n".join(lines) + "\n"


def structure(graph: Graph) -> tuple:
    """What :func:`to_program` keeps: each node's op, inputs and literal, and the output."""
    return tuple((n.op, n.inputs, n.literal) for n in graph.nodes), graph.output
