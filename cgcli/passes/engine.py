"""Forward and backward passes over scalars: loops over the node list, never recursion.

Whether one point of a program is for them, or needs the passes over vectors and
matrices (:mod:`cgcli.passes.arrays`), is told here too (:func:`uses_arrays`), without
importing the array ops: only an op the scalar op table does not know is looked up
among them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..core.errors import CgMathError, line_and_column
from ..core.ir import COPY, INPUT, NUMBER, Graph, Node
from ..core.numbers import format_number
from ..core.ops import CONSTANTS, DomainError, op_for, scalar_op

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def forward(graph: Graph, inputs: Mapping[str, float]) -> list[float]:
    """The value of every node, given a value for every input name."""
    table = graph.table
    values: list[float] = [0.0] * len(table)
    kinds = [_forward_kind(op) for op in table.op_names]
    offsets = table.input_offsets
    flat = table.input_flat
    for index, code in enumerate(table.op_codes):
        kind = kinds[code]
        if kind is _INPUT:
            value = float(inputs[table.names[index]])
        elif kind is _NUMBER:
            value = float(table.literals[index])
        elif type(kind) is float:
            value = kind
        elif kind is _COPY:
            value = values[flat[offsets[index]]]
        else:
            args = [values[i] for i in flat[offsets[index] : offsets[index + 1]]]
            try:
                value = kind(*args)
            except DomainError as exc:
                raise _math_error(graph, table.node(index), str(exc), args) from None
            except OverflowError:
                raise _math_error(
                    graph, table.node(index), "result overflows a float64", args
                ) from None
            except (ValueError, ZeroDivisionError):
                raise _math_error(graph, table.node(index), "result out of range", args) from None
            if not math.isfinite(value):
                raise _math_error(graph, table.node(index), "result overflows a float64", args)
        values[index] = value
    return values


_INPUT = object()
_NUMBER = object()
_COPY = object()


def _forward_kind(op: str):
    """How :func:`forward` computes a node of ``op``: a marker, a constant's value, or the
    op's forward function."""
    if op == INPUT:
        return _INPUT
    if op == NUMBER:
        return _NUMBER
    if op in CONSTANTS:
        return float(CONSTANTS[op][0])
    if op == COPY:
        return _COPY
    return op_for(op).forward


def backward(graph: Graph, values: list[float], output: int | None = None) -> list[float | None]:
    """∂output/∂node for every node; None for nodes that depend on no input.

    Gradients of a node used several times add up. Nodes after the output, or
    that the output does not use, get 0.
    """
    output = graph.output if output is None else output
    table = graph.table
    needs = graph.needs
    # per op code: the op's partials, or _COPY; looked up on first use (leaves have none)
    partials: list = [None] * len(table.op_names)
    codes = table.op_codes
    offsets = table.input_offsets
    flat = table.input_flat
    grads: list[float] = [0.0] * len(table)
    grads[output] = 1.0
    for index in range(output, -1, -1):
        upstream = grads[index]
        start, stop = offsets[index], offsets[index + 1]
        if upstream == 0.0 or start == stop or not needs[index]:
            continue
        inputs = flat[start:stop]
        code = codes[index]
        partial = partials[code]
        if partial is None:
            op = table.op_names[code]
            partial = partials[code] = _COPY if op == COPY else op_for(op).partials
        if partial is _COPY:
            locals_ = (1.0,)
        else:
            args = [values[i] for i in inputs]
            try:
                locals_ = partial(*args, values[index])
            except (OverflowError, ValueError, ZeroDivisionError) as exc:
                raise local_derivative_error(graph, table.node(index), exc, args) from None
        for i, local in zip(inputs, locals_, strict=True):
            if needs[i]:
                total = grads[i] + upstream * local
                if total - total != 0.0 and overflowed(grads[i], upstream, local):
                    what = f"the gradient ∂{graph.output_label()}/∂{graph.label_at(i)}"
                    args = [values[k] for k in inputs]
                    raise overflow_error(graph, table.node(index), what, args)
                grads[i] = total
    return [g if needed else None for g, needed in zip(grads, needs, strict=True)]


def overflowed(*finite_before: float) -> bool:
    """Whether a sum of products of these numbers that came out ±inf or nan did so from
    float64 overflow: they were all finite. Where one was not (√' at 0 is inf by
    mathematics, a^b's derivative in b at a < 0 is nan by convention), the result
    carries it on."""
    return all(x - x == 0.0 for x in finite_before)


def overflow_error(
    graph: Graph, node: Node, what: str, args: list[float] | None, entry: tuple[int, ...] = ()
) -> CgMathError:
    """The math error of ``what`` (a gradient, a tangent) that overflowed float64 at
    ``node``, with the node's arguments (of its ``entry``, over arrays; None: an op on
    whole arrays, whose arguments are not shown)."""
    return _math_error(graph, node, f"{what} overflows a float64", args, entry)


def local_partials(graph: Graph, node: Node, values: list[float]) -> tuple[float, ...]:
    """∂node/∂input for each of the node's inputs, at the forward values."""
    if node.op == COPY:
        return (1.0,)
    args = [values[i] for i in node.inputs]
    try:
        return op_for(node.op).partials(*args, values[node.index])
    except (OverflowError, ValueError, ZeroDivisionError) as exc:
        raise local_derivative_error(graph, node, exc, args) from None


def local_derivative_error(
    graph: Graph, node: Node, exc: Exception, args: list[float], entry: tuple[int, ...] = ()
) -> CgMathError:
    """The math error of a local derivative that float64 cannot hold, or that is out of
    its range (a math function's ValueError); over arrays, at ``entry``."""
    reason = "overflows a float64" if isinstance(exc, OverflowError) else "out of range"
    return _math_error(graph, node, f"local derivative {reason}", args, entry)


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


def _math_error(
    graph: Graph,
    node: Node,
    reason: str,
    args: list[float] | None,
    entry: tuple[int, ...] = (),
) -> CgMathError:
    line, column = line_and_column(graph.source, node.start)
    text = graph.text(node)
    where = f"{line}:{column}: " + (
        text if graph.inline(node) else f"node {graph.label(node)} = {text}"
    )
    if args is not None:
        reason += f" in {node.op}({', '.join(format_number(a) for a in args)})"
    return CgMathError(f"{where}: {reason}{at_entry(entry)}", node.index)


def at_entry(entry: tuple[int, ...]) -> str:
    """`` at entry [2, 1]`` for an entry of an array (counted from 1); "" for a scalar."""
    return f" at entry [{', '.join(str(k + 1) for k in entry)}]" if entry else ""


def over_arrays(graph: Graph, inputs: Mapping[str, Any], output: str | None = None) -> bool:
    """Whether one point of ``graph`` (differentiating ``output``) needs the array passes."""
    return uses_arrays(graph if output is None else graph.with_output_name(output), inputs)


def uses_arrays(graph: Graph, inputs: Mapping[str, Any]) -> bool:
    """Whether ``graph`` works on arrays: it has an array op, ``inputs`` give a list to an
    input the program reads whole (a vector), or rows to a name it reads row by row
    (``W[2]`` of a matrix: a sequence of vectors)."""
    if any(is_array_op(op) for op in graph.table.op_names):
        return True
    names = set(graph.input_names)
    listed = (n for n, v in inputs.items() if not isinstance(getattr(v, "number", None), float))
    if any(name in names for name in listed):  # a SequenceValue or an ArrayValue
        return True
    for name, value in inputs.items():  # a matrix whose rows are read: W[2] is a vector
        ndim = getattr(getattr(value, "number", None), "ndim", 0)
        reads = [n for n in names if ndim >= 2 and n.startswith(f"{name}[")]
        if any(read.count(",") + 1 < ndim for read in reads):
            return True
    return False


def is_array_op(op: str) -> bool:
    """Whether a node's ``op`` is an op on whole arrays (``matmul``, ``sum:0``, ...)."""
    if op in (INPUT, NUMBER, COPY) or op in CONSTANTS or scalar_op(op) is not None:
        return False
    from ..core.array_ops import array_op

    return array_op(op) is not None
