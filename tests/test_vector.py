"""The vectorised engine agrees with the scalar engine, op by op, edge values included."""

from __future__ import annotations

import math

import numpy as np
import pytest
from op_cases import BINARY_POINTS, UNARY_POINTS, program_for

from cgcli import CgMathError, evaluate, parse
from cgcli.passes.vector import evaluate_arrays

EDGES = [-1000.0, -40.0, -1.0, 0.0, 0.5, 1.0, 40.0, 1000.0]


def scalar_or_none(program: str, point: dict[str, float]):
    try:
        return evaluate(program, point, check=False)
    except CgMathError:
        return None


@pytest.mark.parametrize("op", sorted(set(UNARY_POINTS) | set(BINARY_POINTS)))
def test_vector_matches_scalar(op):
    program = program_for(op)
    graph = parse(program).bind_constants(())
    names = graph.input_names
    values = UNARY_POINTS.get(op, []) + EDGES
    if len(names) == 1:
        grid = [{"x": x} for x in values]
    else:
        pairs = BINARY_POINTS[op] + [(a, b) for a in EDGES for b in (-2.0, 0.0, 0.5, 3.0)]
        grid = [{"x": a, "y": b} for a, b in pairs]
    columns = {n: np.array([p[n] for p in grid]) for n in names}
    batch = evaluate_arrays(graph, columns, len(grid))
    for r, point in enumerate(grid):
        scalar = scalar_or_none(program, point)
        if scalar is None:
            assert batch.error_node[r] >= 0, (op, point)
            assert math.isnan(batch.values[graph.output][r])
            continue
        assert batch.error_node[r] == -1, (op, point)
        assert batch.values[graph.output][r] == pytest.approx(scalar.value, rel=1e-15, abs=0)
        for node in graph.inputs:
            expected = scalar.gradient[node.name]
            got = batch.grads[node.index][r]
            if math.isnan(expected):
                assert math.isnan(got)
            else:
                assert got == pytest.approx(expected, rel=1e-14, abs=1e-300), (op, point, node.name)


def test_stable_sigmoid_gradient_in_arrays():
    graph = parse("sigmoid(x)").bind_constants(())
    x = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    batch = evaluate_arrays(graph, {"x": x}, 5)
    expected = [0.0, math.exp(-40), 0.25, math.exp(-40), 0.0]
    np.testing.assert_allclose(batch.grads[0], expected, rtol=1e-12, atol=0)
    assert batch.error_node.tolist() == [-1] * 5
