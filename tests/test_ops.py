"""Every op's value and local derivatives against SymPy and central finite differences."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import sympy
from op_cases import BINARY_POINTS, EDGE_POINTS, KINKS, UNARY_POINTS, program_for

from cgcli import evaluate, parse
from cgcli.check.run import agrees
from cgcli.check.symbolic import apply_op, at_kink, numeric, reference, substitute
from cgcli.core.ops import FUNCTIONS, OPERATORS, DomainError, op_for


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


# --- the SymPy side of the check, for every op and every kind of argument ----------------

ONE = sympy.sin(1) ** 2 + sympy.cos(1) ** 2
"""Exactly 1, but SymPy does not see it: a symbolic argument it cannot order by itself."""
ARGUMENT_KINDS = {
    "integer": lambda v: sympy.Integer(int(v)),
    "rational": lambda v: sympy.Rational(Fraction(v).numerator, Fraction(v).denominator),
    "float": lambda v: sympy.Float(float(v)),
    "symbolic": lambda v: sympy.Rational(Fraction(v).numerator, Fraction(v).denominator) * ONE,
}
EDGE_CASES = [
    (op, point, kind)
    for op, points in EDGE_POINTS.items()
    for point in points
    for kind in ARGUMENT_KINDS
    if kind != "integer" or all(Fraction(v).denominator == 1 for v in point)
]


def assert_sympy_builds(op: str, point: tuple, kind: str) -> None:
    """One helper for every op: SymPy builds it from arguments of one kind, the check
    evaluates it and its derivative in each argument without an error, the value
    agrees with cg's float forward where that is defined, and the derivative is
    called a kink exactly where it does not exist."""
    args = [ARGUMENT_KINDS[kind](v) for v in point]
    value = numeric(apply_op(op, args))
    try:
        ours = op_for(op).forward(*(float(v) for v in point))
    except (DomainError, ValueError, ZeroDivisionError):
        assert value in ("zoo", "complex") or math.isnan(value), value
    else:
        undecided = kind == "symbolic" and isinstance(value, float) and math.isnan(value)
        assert agrees(ours, value) or undecided, (ours, value)
    eps = sympy.Symbol("eps", real=True)
    for position in range(len(args)):
        shifted = [a + eps if i == position else a for i, a in enumerate(args)]
        derivative = sympy.diff(apply_op(op, shifted), eps)
        zero = {eps: sympy.S.Zero}
        assert isinstance(numeric(substitute(derivative, zero)), (float, str))
        assert at_kink(derivative, eps, zero) is ((op, point) in KINKS)


@pytest.mark.parametrize(
    ("op", "point", "kind"), EDGE_CASES, ids=[f"{op}-{p}-{k}" for op, p, k in EDGE_CASES]
)
def test_sympy_builds_every_op_for_every_kind_of_argument(op, point, kind):
    assert_sympy_builds(op, point, kind)


def test_every_op_has_edge_points():
    assert set(EDGE_POINTS) == set(FUNCTIONS) | set(OPERATORS)


@pytest.mark.parametrize(
    ("op", "point"),
    [(op, p) for op, points in EDGE_POINTS.items() for p in points],
    ids=[f"{op}-{p}" for op, points in EDGE_POINTS.items() for p in points],
)
def test_the_sympy_reference_at_every_edge_point(op, point):
    """The check's SymPy step at each edge point, with the inputs as rationals and as
    constant expressions SymPy cannot simplify at once."""
    graph = parse(program_for(op))
    needs = graph.depends_on_input()
    names = ["x", "y"][: len(point)]
    rational = {name: Fraction(v) for name, v in zip(names, point, strict=True)}
    symbolic = {
        name: parse(f"({v}) * (sin(1)^2 + cos(1)^2)").bind_constants(())
        for name, v in zip(names, point, strict=True)
    }
    for (value, grads, kinks), exact in zip(
        reference(graph, [rational, symbolic], needs), [rational, symbolic], strict=True
    ):
        numbers = [value, *(g for g in grads if g is not None)]
        assert all(isinstance(n, (float, str)) for n in numbers), (exact, numbers)
        assert any(kinks) is ((op, point) in KINKS)


# --- derivative edges, pinned against SymPy ---------------------------------------------

X, Y = sympy.symbols("x y", real=True)
H = sympy.Symbol("h", positive=True)


def one_sided(f, symbol, at: dict, direction: int):
    """The one-sided limit of the difference quotient of ``f`` in ``symbol`` at ``at``."""
    moved = f.subs({**at, symbol: at[symbol] + direction * H})
    return float(sympy.limit((moved - f.subs(at)) / (direction * H), H, 0, "+"))


@pytest.mark.parametrize(
    ("x", "y", "expected", "statuses"),
    [
        (0, 1, {"x": 1.0, "y": 0.0}, {"x": "ok", "y": "convention"}),
        (2, 0, {"x": 0.0, "y": math.log(2)}, {"x": "ok", "y": "ok"}),
        (0, Fraction(1, 2), {"x": math.inf, "y": 0.0}, {"x": "ok", "y": "convention"}),
    ],
)
def test_pow_at_its_edges(x, y, expected, statuses):
    result = evaluate("x^y", {"x": x, "y": y})
    assert result.gradient == expected
    at = {X: sympy.Rational(Fraction(x)), Y: sympy.Rational(Fraction(y))}
    f = X**Y
    # ∂/∂x from the side where x^y is real, ∂/∂y from the right; at x = 0, 0^y is 0 on
    # the left of y too, so the derivative in y is 0 from both sides
    assert one_sided(f, X, at, +1) == expected["x"]
    assert one_sided(f, Y, at, +1) == pytest.approx(expected["y"], rel=1e-15)
    if x == 0:
        assert f.subs({X: 0, Y: at[Y] - sympy.Rational(1, 1000)}) == 0
    assert {n: result.check.grads[i].status for i, n in enumerate("xy")} == statuses


@pytest.mark.parametrize(
    ("program", "x", "side", "expected"),
    [
        ("asin(x)", 1, -1, math.inf),
        ("asin(x)", -1, +1, math.inf),
        ("acos(x)", 1, -1, -math.inf),
        ("acos(x)", -1, +1, -math.inf),
    ],
)
def test_asin_and_acos_at_the_ends_of_their_domain(program, x, side, expected):
    result = evaluate(program, {"x": x})
    assert result.gradient == {"x": expected}
    f = getattr(sympy, program[:4])(X)
    assert one_sided(f, X, {X: sympy.Integer(x)}, side) == expected
    assert result.check.grads[0].status == "ok"


def test_tanh_at_40_against_sympy():
    result = evaluate("tanh(x)", {"x": 40})
    exact = float(sympy.N(sympy.diff(sympy.tanh(X), X).subs(X, 40), 50))
    assert exact == pytest.approx(7.219412171090094e-35, rel=1e-15)
    assert result.gradient["x"] == pytest.approx(exact, rel=1e-14)
    assert result.check.grads[0].status == "ok"


def test_zero_times_sqrt_at_zero_has_gradient_zero():
    result = evaluate("0*sqrt(x)", {"x": 0})
    assert result.gradient == {"x": 0.0}  # not 0·inf = nan
    assert sympy.diff(0 * sympy.sqrt(X), X) == 0
    assert result.check.grads[1].status == "ok"


@pytest.mark.parametrize("op", ["max", "min"])
def test_ties_split_the_gradient_and_are_a_convention(op):
    result = evaluate(f"{op}(x, y)", {"x": 1, "y": 1})
    assert result.gradient == {"x": 0.5, "y": 0.5}
    f = getattr(sympy, op.capitalize())(X, 1)
    sides = [one_sided(f, X, {X: sympy.Integer(1)}, d) for d in (-1, +1)]
    assert sorted(sides) == [0.0, 1.0]  # no derivative; cg takes the mean
    assert [v.status for v in result.check.grads if v] == ["convention", "convention", "ok"]
    assert result.check.ok
