"""Every op's value and local derivatives against SymPy and central finite differences."""

from __future__ import annotations

import math

import pytest
import sympy
from op_cases import BINARY_POINTS, UNARY_POINTS, program_for

from cgcli import evaluate
from cgcli.ops import FUNCTIONS, OPERATORS


def sympy_reference(op: str, point: dict[str, float]):
    """Value and gradient from SymPy, built independently of cg's op table."""
    x, y = sympy.symbols("x y", real=True)
    formulas = {
        "add": x + y,
        "sub": x - y,
        "mul": x * y,
        "div": x / y,
        "pow": x**y,
        "max": sympy.Max(x, y),
        "min": sympy.Min(x, y),
        "neg": -x,
        "sigmoid": 1 / (1 + sympy.exp(-x)),
        "relu": sympy.Max(0, x),
        "softplus": sympy.log(1 + sympy.exp(x)),
        "abs": sympy.Abs(x),
    }
    f = formulas.get(op) or getattr(sympy, op)(x)
    at = {x: sympy.nsimplify(point["x"]), y: sympy.nsimplify(point.get("y", 0))}
    value = float(sympy.N(f.subs(at), 30))
    grads = {str(v): float(sympy.N(sympy.diff(f, v).subs(at), 30)) for v in (x, y)}
    return value, grads


def finite_difference(program: str, point: dict[str, float], name: str) -> float:
    h = 1e-6 * max(1.0, abs(point[name]))
    up = evaluate(program, {**point, name: point[name] + h}, check=False).value
    down = evaluate(program, {**point, name: point[name] - h}, check=False).value
    return (up - down) / (2 * h)


def assert_op(op: str, point: dict[str, float]) -> None:
    """One helper for every op: cg's value and gradient against SymPy and finite differences."""
    program = program_for(op)
    result = evaluate(program, point, check=False)
    value, grads = sympy_reference(op, point)
    assert result.value == pytest.approx(value, rel=1e-12, abs=1e-14)
    for name in point:
        assert result.gradient[name] == pytest.approx(grads[name], rel=1e-10, abs=1e-13)
        fd = finite_difference(program, point, name)
        assert result.gradient[name] == pytest.approx(fd, rel=1e-6, abs=1e-6)
    assert evaluate(program, point).check.ok


CASES = [(op, {"x": x}) for op, xs in UNARY_POINTS.items() for x in xs] + [
    (op, {"x": x, "y": y}) for op, pairs in BINARY_POINTS.items() for x, y in pairs
]


@pytest.mark.parametrize(("op", "point"), CASES, ids=[f"{op}-{p}" for op, p in CASES])
def test_op_against_sympy_and_finite_differences(op, point):
    assert_op(op, point)


def test_every_op_is_covered():
    assert set(UNARY_POINTS) | set(BINARY_POINTS) == set(FUNCTIONS) | set(OPERATORS)


def test_pow_function_is_the_operator():
    assert (
        evaluate("pow(x, 3)", {"x": 2}).gradient
        == evaluate("x^3", {"x": 2}).gradient
        == {"x": 12.0}
    )


def test_stable_sigmoid_and_softplus():
    r = evaluate("sigmoid(x)", {"x": 1000})
    assert (r.value, r.gradient["x"]) == (1.0, 0.0)
    r = evaluate("sigmoid(x)", {"x": -1000})
    assert (r.value, r.gradient["x"]) == (0.0, 0.0)
    r = evaluate("sigmoid(x)", {"x": 40})
    assert r.gradient["x"] == pytest.approx(math.exp(-40), rel=1e-12)
    r = evaluate("softplus(x)", {"x": 1000})
    assert (r.value, r.gradient["x"]) == (1000.0, 1.0)
    r = evaluate("softplus(x)", {"x": -40})
    assert r.value == pytest.approx(math.exp(-40), rel=1e-12)


def test_tanh_derivative_does_not_cancel():
    r = evaluate("tanh(x)", {"x": 20})
    assert r.gradient["x"] == pytest.approx(4 / (math.exp(20) + math.exp(-20)) ** 2, rel=1e-12)
    assert r.gradient["x"] > 0
    assert evaluate("tanh(x)", {"x": 400}).gradient["x"] == 0.0


@pytest.mark.parametrize(
    ("program", "point", "grads"),
    [
        ("relu(x)", {"x": 0}, {"x": 0.0}),
        ("abs(x)", {"x": 0}, {"x": 0.0}),
        ("max(x, y)", {"x": 2, "y": 2}, {"x": 0.5, "y": 0.5}),
        ("min(x, y)", {"x": 2, "y": 2}, {"x": 0.5, "y": 0.5}),
        ("sqrt(x)", {"x": 0}, {"x": math.inf}),
        ("x^y", {"x": 0, "y": 2}, {"x": 0.0, "y": 0.0}),
    ],
)
def test_conventions_at_non_differentiable_points(program, point, grads):
    result = evaluate(program, point)
    assert result.gradient == grads
    assert result.check.ok
