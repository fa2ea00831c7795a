"""evaluate() for a program over vectors and matrices: shapes, the array passes, the check.

Values and gradients of array nodes are NumPy arrays of the node's shape (a scalar node's
are floats, as in a scalar program), so ``result.gradient["W"]`` is an array like ``W``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.errors import UsageError
from ..core.ir import Graph
from ..core.limits import CHECK_TIMEOUT as DEFAULT_TIMEOUT
from ..core.verdicts import not_checked
from ..passes.arrays import backward, forward, scalar_output, shape_of, shapes
from ..passes.engine import over_arrays
from ..passes.values import bind_inputs, exact_values
from .evaluation import Evaluation, NodeResults, evaluate_graph


def evaluate_arrays(
    graph: Graph,
    inputs: Mapping[str, Any],
    *,
    output: str | None = None,
    check: bool,
    check_timeout: float,
    exact: bool = False,
    stepwise: bool = False,
) -> Evaluation:
    """One point of an array program: every node's value and gradient, checked."""
    if exact:
        raise UsageError("--exact works on scalar programs; this program uses arrays")
    if stepwise:
        raise UsageError("--by-step and --truncate work on scalar loops; this program uses arrays")
    if output is not None:
        graph = graph.with_output_name(output)
    graph, point, warnings = bind_inputs(graph, inputs, arrays=True)
    found = shapes(graph, {name: shape_of(value) for name, value in point.items()})
    values = forward(graph, point)
    note = scalar_output(graph, values)
    if note:
        warnings.append(note)
    grads = backward(graph, values)
    if check:
        from ..check.arrays import check_arrays

        def exact() -> Mapping[str, Any]:
            return exact_values(graph, inputs)

        report = check_arrays(graph, exact, values, grads, check_timeout)
    else:
        report = not_checked(graph)
    shown = [_plain(v) for v in values]
    shown_grads = [None if g is None else _plain(g) for g in grads]
    gradient = {n.name: shown_grads[n.index] for n in graph.inputs}
    return Evaluation(
        graph,
        graph.output_label(),
        shown[graph.output],
        gradient,
        NodeResults(graph, shown, shown_grads),
        report,
        warnings,
        shapes=tuple(found),
    )


def _plain(value: Any) -> Any:
    """A 0-d array as a float (a scalar node reads as in a scalar program)."""
    return float(value) if value.ndim == 0 else value


def evaluate_either(
    graph: Graph,
    inputs: Mapping[str, Any],
    *,
    output: str | None = None,
    check: bool = True,
    check_timeout: float = DEFAULT_TIMEOUT,
) -> Evaluation:
    """:func:`evaluate_graph`, or for a program over arrays the array passes
    (:func:`cgcli.api.array_evaluation.evaluate_arrays`): one point, no options beyond."""
    if over_arrays(graph, inputs, output):
        return evaluate_arrays(
            graph, inputs, output=output, check=check, check_timeout=check_timeout
        )
    return evaluate_graph(graph, inputs, output=output, check=check, check_timeout=check_timeout)
