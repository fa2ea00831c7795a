"""Which passes one point of a program needs: the scalar engine
(:mod:`cgcli.passes.engine`), or the passes over vectors and matrices
(:mod:`cgcli.passes.arrays`).

A program of scalars is told apart without importing the array ops: only an op that the
scalar op table does not know is looked up among them.
"""

from __future__ import annotations

from ..core.ir import COPY, INPUT, NUMBER
from ..core.ops import CONSTANTS, scalar_op

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from ..core.ir import Graph


def over_arrays(graph: Graph, inputs: Mapping[str, Any], output: str | None = None) -> bool:
    """Whether one point of ``graph`` (differentiating ``output``) needs the array passes."""
    return uses_arrays(graph if output is None else graph.with_output_name(output), inputs)


def uses_arrays(graph: Graph, inputs: Mapping[str, Any]) -> bool:
    """Whether ``graph`` works on arrays: it has an array op, or ``inputs`` give a list to
    an input the program reads whole (a vector)."""
    if any(is_array_op(op) for op in graph.table.op_names):
        return True
    names = set(graph.input_names)
    listed = (n for n, v in inputs.items() if not isinstance(getattr(v, "number", None), float))
    return any(name in names for name in listed)  # a SequenceValue or an ArrayValue


def is_array_op(op: str) -> bool:
    """Whether a node's ``op`` is an op on whole arrays (``matmul``, ``sum:0``, ...)."""
    if op in (INPUT, NUMBER, COPY) or op in CONSTANTS or scalar_op(op) is not None:
        return False
    from ..core.array_ops import array_op

    return array_op(op) is not None
