"""Forward and backward passes over many points at once: one numpy array per node.

The same loops as :mod:`cgcli.passes.engine`, elementwise. A row whose value at some
node is not a finite real number (log(-1), 1/0, overflow) while that node's
inputs were finite has a math error there: the node's value becomes nan for
that row, which then propagates, and the row is reported by its index. A row whose
values are finite but whose gradient is not is passed to the scalar passes, which
tell float64 overflow (a math error: the row's output and gradients become nan) from a
derivative infinite by mathematics or nan by convention (kept).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..core.errors import CgMathError
from ..core.ir import COPY, INPUT, NUMBER, Graph
from ..core.ops import CONSTANTS, op_for
from .engine import backward, forward


@dataclass(frozen=True)
class Batch:
    """A graph evaluated at ``rows`` points: value and gradient arrays per node."""

    values: list[np.ndarray]
    grads: list[np.ndarray | None]
    """∂output/∂node per node; None for nodes that depend on no input."""
    error_node: np.ndarray
    """Per row, the index of the first node with a math error, or -1."""


def forward_arrays(
    graph: Graph, inputs: Mapping[str, np.ndarray | float], rows: int
) -> tuple[list[np.ndarray], np.ndarray]:
    """Values of every node at every row, and the first erroneous node per row (-1 if none)."""
    values: list[np.ndarray] = []
    error_node = np.full(rows, -1, dtype=np.int64)
    with np.errstate(all="ignore"):
        for node in graph.nodes:
            if node.op == INPUT:
                value = np.broadcast_to(np.asarray(inputs[node.name], dtype=np.float64), (rows,))
            elif node.op == NUMBER:
                value = np.float64(node.literal)
            elif node.op in CONSTANTS:
                value = np.float64(CONSTANTS[node.op][0])
            elif node.op == COPY:
                value = values[node.inputs[0]]
            else:
                args = [values[i] for i in node.inputs]
                value = op_for(node.op).forward_array(np, *args)
                value = _flag_errors(node.index, value, args, error_node, rows)
            values.append(value)
    return values, error_node


def _flag_errors(index: int, value, args, error_node: np.ndarray, rows: int):
    """Mark rows where a finite input gave a non-finite value; their value becomes nan."""
    if np.isfinite(np.sum(value)):  # fast path: a sum is finite only if every term is
        return value
    finite = np.isfinite(value)
    if finite.all():  # the sum overflowed, the terms did not
        return value
    fresh = np.broadcast_to(~finite, (rows,))
    for arg in args:
        fresh = fresh & np.isfinite(arg)
    if fresh.any():
        error_node[fresh & (error_node < 0)] = index
        value = np.where(fresh, np.nan, np.broadcast_to(value, (rows,)))
    return value


def backward_arrays(graph: Graph, values: list[np.ndarray], rows: int) -> list[np.ndarray | None]:
    """∂output/∂node at every row; gradients of a node used several times add up."""
    needs = graph.depends_on_input()
    grads: list[np.ndarray | None] = [None] * len(graph.nodes)
    grads[graph.output] = np.float64(1.0)  # broadcast: ∂output/∂output is 1 at every row
    with np.errstate(all="ignore"):
        for index in range(graph.output, -1, -1):
            node = graph.nodes[index]
            upstream = grads[index]
            if upstream is None or not node.inputs or not needs[index]:
                continue
            if node.op == COPY:
                locals_ = (1.0,)
            else:
                args = [values[i] for i in node.inputs]
                locals_ = op_for(node.op).partials_array(np, *args, values[index])
            for i, local in zip(node.inputs, locals_, strict=True):
                if needs[i]:
                    unit = type(local) is float and local == 1.0  # add, sub, copy: no work
                    contribution = upstream if unit else upstream * local
                    grads[i] = contribution if grads[i] is None else grads[i] + contribution
    return [
        (np.zeros(rows) if g is None else np.broadcast_to(g, (rows,))) if needed else None
        for g, needed in zip(grads, needs, strict=True)
    ]


def evaluate_arrays(graph: Graph, inputs: Mapping[str, np.ndarray | float], rows: int) -> Batch:
    """Forward and backward passes at ``rows`` points; rows with math errors get nan gradients."""
    values, error_node = forward_arrays(graph, inputs, rows)
    grads = backward_arrays(graph, values, rows)
    _settle_non_finite_gradients(graph, values, grads, error_node)
    bad = error_node >= 0
    if bad.any():  # the output is nan already where a value failed; so where a gradient did
        grads = [None if g is None else np.where(bad, np.nan, g) for g in grads]
        values[graph.output] = np.where(bad, np.nan, values[graph.output])
    return Batch(values, grads, error_node)


def _settle_non_finite_gradients(
    graph: Graph, values: list[np.ndarray], grads: list[np.ndarray | None], error_node: np.ndarray
) -> None:
    """Rows with finite values and an inf or nan gradient (rare) go through the scalar
    passes: a row whose gradient overflows float64 there is a math error at the node they
    name; any other takes their gradients. Those are ±inf or nan where mathematics or a
    convention says so (√' at 0), and finite where the whole columns met 0 · inf (an
    upstream gradient of 0 meeting a local derivative beyond float64, which the scalar
    reverse pass never computes)."""
    suspect = np.zeros(len(error_node), dtype=bool)
    for grad in grads:
        if grad is not None and not np.isfinite(np.sum(grad)):  # fast: a sum of finite terms
            suspect |= ~np.isfinite(grad)
    suspect &= error_node < 0
    names = [node.name for node in graph.inputs]
    scalar: dict[tuple[float, ...], int | list] = {}  # rows alike (x = 0 again) are run once
    for row in np.flatnonzero(suspect):
        point = tuple(float(values[node.index][row]) for node in graph.inputs)
        if point not in scalar:
            scalar[point] = _scalar_gradients(graph, dict(zip(names, point, strict=True)))
        found = scalar[point]
        if isinstance(found, int):
            error_node[row] = found
            continue
        for k, grad in enumerate(grads):
            if grad is not None:
                if not grad.flags.writeable:  # a column broadcast from one number
                    grads[k] = grad = grad.copy()
                grad[row] = found[k]


def _scalar_gradients(graph: Graph, point: dict[str, float]) -> int | list:
    """The scalar passes' gradients at ``point``, or the node where they meet a float64
    overflow."""
    try:
        return backward(graph, forward(graph, point))
    except CgMathError as exc:
        return graph.output if exc.node is None else exc.node


def pieces_arrays(graph: Graph, values: list[np.ndarray], rows: int) -> list[np.ndarray]:
    """For each piecewise node, which piece applies at every row (0 at a kink)."""
    return [
        np.broadcast_to(op_for(node.op).side(*(values[i] for i in node.inputs)), (rows,))
        for node in graph.nodes
        if node.inputs and node.op != COPY and op_for(node.op).side is not None
    ]
