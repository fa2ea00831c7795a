"""Forward and backward passes: loops over the node list, never recursion."""

from __future__ import annotations

import math
from collections.abc import Mapping

from .errors import CgMathError, line_and_column
from .ir import COPY, INPUT, NUMBER, Graph, Node
from .numbers import format_number
from .ops import CONSTANTS, DomainError, op_for


def forward(graph: Graph, inputs: Mapping[str, float]) -> list[float]:
    """The value of every node, given a value for every input name."""
    values: list[float] = [0.0] * len(graph.nodes)
    for node in graph.nodes:
        if node.op == INPUT:
            value = float(inputs[node.name])
        elif node.op == NUMBER:
            value = float(node.literal)
        elif node.op in CONSTANTS:
            value = CONSTANTS[node.op][0]
        elif node.op == COPY:
            value = values[node.inputs[0]]
        else:
            args = [values[i] for i in node.inputs]
            try:
                value = op_for(node.op).forward(*args)
            except DomainError as exc:
                raise _math_error(graph, node, str(exc), args) from None
            except OverflowError:
                raise _math_error(graph, node, "result overflows a float64", args) from None
            except (ValueError, ZeroDivisionError):
                raise _math_error(graph, node, "result out of range", args) from None
            if not math.isfinite(value):
                raise _math_error(graph, node, "result overflows a float64", args)
        values[node.index] = value
    return values


def backward(graph: Graph, values: list[float], output: int | None = None) -> list[float | None]:
    """∂output/∂node for every node; None for nodes that depend on no input.

    Gradients of a node used several times add up. Nodes after the output, or
    that the output does not use, get 0.
    """
    output = graph.output if output is None else output
    needs = graph.depends_on_input()
    grads: list[float] = [0.0] * len(graph.nodes)
    grads[output] = 1.0
    for index in range(output, -1, -1):
        node = graph.nodes[index]
        upstream = grads[index]
        if upstream == 0.0 or not node.inputs or not needs[index]:
            continue
        for i, local in zip(node.inputs, local_partials(graph, node, values), strict=True):
            if needs[i]:
                grads[i] += upstream * local
    return [g if needed else None for g, needed in zip(grads, needs, strict=True)]


def local_partials(graph: Graph, node: Node, values: list[float]) -> tuple[float, ...]:
    """∂node/∂input for each of the node's inputs, at the forward values."""
    if node.op == COPY:
        return (1.0,)
    args = [values[i] for i in node.inputs]
    try:
        return op_for(node.op).partials(*args, values[node.index])
    except (OverflowError, ValueError, ZeroDivisionError):
        raise _math_error(graph, node, "local derivative out of range", args) from None


def pieces(graph: Graph, values: list[float]) -> list[int | None]:
    """For each piecewise node, which piece of its op applies (0 at a kink); else None."""
    sides: list[int | None] = [None] * len(graph.nodes)
    for node in graph.nodes:
        if node.inputs and node.op != COPY:
            side = op_for(node.op).side
            if side is not None:
                sides[node.index] = side(*(values[i] for i in node.inputs))
    return sides


def through_kink(graph: Graph, values: list[float], needs: list[bool]) -> list[bool]:
    """Nodes whose gradient flows through a kink (a piecewise op at its break point),
    where cg follows its documented convention; ``needs``: the nodes that have a gradient."""
    sides = pieces(graph, values)
    marked = [False] * len(graph.nodes)
    for node in reversed(graph.nodes):
        if sides[node.index] == 0 or marked[node.index]:
            for i in node.inputs:
                marked[i] = needs[i]
    return marked


def _math_error(graph: Graph, node: Node, reason: str, args: list[float]) -> CgMathError:
    line, column = line_and_column(graph.source, node.start)
    shown = ", ".join(format_number(a) for a in args)
    text = graph.text(node)
    where = f"{line}:{column}: " + (
        text if graph.inline(node) else f"node {graph.label(node)} = {text}"
    )
    return CgMathError(f"{where}: {reason} in {node.op}({shown})")
