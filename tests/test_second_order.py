"""Forward mode, the gradient graph and second derivatives, against SymPy and the reverse pass.

SymPy's side is built independently of cg's op table: from the random programs'
SymPy mirrors (tests/test_properties.py), or from SymPy's own functions per op.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import assume, given, settings
from op_cases import BINARY_POINTS, UNARY_POINTS, program_for
from test_properties import SYMBOLS, VARIABLES, close, points, programs

from cgcli import CgError, parse
from cgcli.api.evaluate import forward as forward_mode
from cgcli.api.forward_mode import tangents
from cgcli.api.hessian import hessian, hessian_matrix
from cgcli.core.ops import DERIVATIVE_OPS, FUNCTIONS, OPERATORS
from cgcli.passes.engine import backward, forward
from cgcli.passes.gradient_graph import gradient_graph

S = sympy
FEW = max(10, settings.default.max_examples // 4)
"""SymPy's Hessians of random programs are slow: a quarter of the usual examples."""

SYMPY_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "max": S.Max,
    "min": S.Min,
    "neg": lambda a: -a,
    "sin": S.sin,
    "cos": S.cos,
    "tan": S.tan,
    "asin": S.asin,
    "acos": S.acos,
    "atan": S.atan,
    "sinh": S.sinh,
    "cosh": S.cosh,
    "tanh": S.tanh,
    "exp": S.exp,
    "log": S.log,
    "sqrt": S.sqrt,
    "abs": S.Abs,
    "sigmoid": lambda a: 1 / (1 + S.exp(-a)),
    "relu": lambda a: S.Max(0, a),
    "softplus": lambda a: S.log(1 + S.exp(a)),
}
"""Each op as SymPy writes it, not through cg's op table."""


def exact(x: float) -> sympy.Rational:
    return S.Rational(Fraction(x))


def sympy_hessian(expr, point: dict[str, object]) -> list[list[float]]:
    names = sorted(n for n in point if S.Symbol(n, real=True) in expr.free_symbols)
    at = {S.Symbol(n, real=True): point[n] for n in point}
    matrix = S.hessian(expr, [S.Symbol(n, real=True) for n in names])
    return [
        [float(S.N(matrix[i, j].xreplace(at), 40)) for j in range(len(names))]
        for i in range(len(names))
    ]


def assert_second_derivatives(program: str, expr, point: dict[str, sympy.Rational]) -> None:
    """The one helper: cg's Hessian, each H·eᵢ and the gradient graph's values at ``point``
    against SymPy's hessian and diff of ``expr``, and against cg's own reverse pass."""
    values = {n: str(v) for n, v in point.items()}
    result = hessian(program, values, check=False)
    order = {name: k for k, name in enumerate(result.inputs)}
    expected = sympy_hessian(expr, {n: point[n] for n in result.inputs})
    names = sorted(result.inputs)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ours = result.matrix[order[a]][order[b]]
            assert close(ours, expected[i][j]), (program, a, b, ours, expected[i][j])
    at = {S.Symbol(n, real=True): v for n, v in point.items()}
    for k, name in enumerate(result.inputs):
        grad = float(S.N(S.diff(expr, S.Symbol(name, real=True)).xreplace(at), 40))
        assert close(result.gradient[k], grad), (program, name)


@pytest.mark.parametrize("op", sorted(UNARY_POINTS))
def test_every_unary_op_second_derivative(op):
    x = S.Symbol("x", real=True)
    for point in UNARY_POINTS[op]:
        assert_second_derivatives(program_for(op), SYMPY_OPS[op](x), {"x": exact(point)})


@pytest.mark.parametrize("op", sorted(BINARY_POINTS))
def test_every_binary_op_second_derivative(op):
    x, y = S.Symbol("x", real=True), S.Symbol("y", real=True)
    for a, b in BINARY_POINTS[op]:
        assert_second_derivatives(
            program_for(op), SYMPY_OPS[op](x, y), {"x": exact(a), "y": exact(b)}
        )


def test_every_op_has_a_derivative_rule_per_argument():
    for op in [*OPERATORS.values(), *FUNCTIONS.values(), *DERIVATIVE_OPS.values()]:
        assert len(op.derivative_rules()) == op.arity, op.name


@pytest.mark.parametrize(
    ("program", "point", "expected"),
    [
        ("relu(x)^2", {"x": 0}, [[0.0]]),  # relu'(0) = 0 and relu''(0) = 0
        ("abs(x) * x", {"x": 0}, [[0.0]]),  # abs'(0) = 0: 2·|x|' ... = 0
        ("max(x, y) * 2", {"x": 1, "y": 1}, [[0.0, 0.0], [0.0, 0.0]]),
        ("x^y", {"x": 0, "y": 2}, [[2.0, 0.0], [0.0, 0.0]]),  # ∂/∂y of x^y at x = 0 is 0
    ],
)
def test_kinks_follow_the_conventions(program, point, expected):
    assert hessian(program, point, check=False).matrix == expected


def test_kink_conventions_in_the_gradient_graph():
    for program, point, expected in [
        ("relu(x)", {"x": 0.0}, 0.0),
        ("abs(x)", {"x": 0.0}, 0.0),
        ("max(x, y)", {"x": 1.0, "y": 1.0}, 0.5),
        ("min(x, y)", {"x": 1.0, "y": 1.0}, 0.5),
    ]:
        grads = gradient_graph(program)
        values = forward(grads.graph, point)
        assert values[grads.gradient["x"]] == expected, program
    grads = gradient_graph("x^y")
    values = forward(grads.graph, {"x": 0.0, "y": 2.0})
    assert values[grads.gradient["y"]] == 0.0


# --- colah's example, and the gradient graph as a graph ---------------------------


COLAH = "c = a + b; d = b + 1; e = c * d"


@pytest.mark.parametrize(
    ("program", "point", "wrong"),
    [  # x² + y² and x·y written with max and min: the split at a tie is no second derivative
        ("max(x,y)^2 + min(x,y)^2", {"x": 1, "y": 1}, [[1.0, 1.0], [1.0, 1.0]]),
        ("max(x,y)*min(x,y)", {"x": 2, "y": 2}, [[0.5, 0.5], [0.5, 0.5]]),
    ],
)
def test_a_hessian_through_a_tie_is_a_convention_though_sympy_splits_alike(program, point, wrong):
    """SymPy's own derivative of max at a tie is ½/½ (Heaviside(0) = ½), as cg's: agreeing
    with it proved nothing, and the true Hessians are [[2, 0], [0, 2]] and [[0, 1], [1, 0]]."""
    result = hessian(program, point)
    assert result.matrix == wrong
    assert {v.status for row in result.verdicts for v in row} == {"convention"}
    assert "4 entries follow PyTorch's convention" in repr(result) or result.ok
    away = hessian(program, {"x": 1, "y": 3})  # no tie: checked
    assert {v.status for row in away.verdicts for v in row} == {"ok"}


def test_a_tangent_through_a_tie_is_a_convention_as_its_gradient_is():
    result = forward_mode("max(x,y)", {"x": 1, "y": 1}, tangent={"x": 1, "y": 0})
    assert result.derivative == 0.5
    assert result.nodes[result.graph.output].check.status == "convention"


def test_colah_forward_mode():
    result = forward_mode(COLAH, {"a": 2, "b": 1}, wrt="b")
    assert {r.label: r.tangent for r in result.nodes} == {
        "a": 0.0,
        "b": 1.0,
        "c": 1.0,
        "1": 0.0,
        "d": 1.0,
        "e": 5.0,
    }
    assert result.derivative == 5.0
    assert result.tangents == {"a": 0.0, "b": 1.0, "c": 1.0, "1": 0.0, "d": 1.0, "e": 5.0}
    assert "| e | mul | c, d | c * d | 6 | 5 | ✓ |" in result._repr_markdown_()
    assert result.method == "sympy" and result.ok
    assert repr(result) == "<ForwardEvaluation e = 6; ∂e/∂b = 5; check: sympy, all agree>"
    wrt_a = forward_mode(COLAH, {"a": 2, "b": 1}, wrt="a")
    assert [r.tangent for r in wrt_a.nodes] == [1.0, 0.0, 1.0, 0.0, 0.0, 2.0]


def test_directional_derivative_is_the_gradient_along_the_direction():
    result = forward_mode(COLAH, {"a": 2, "b": 1}, tangent={"a": 1, "b": 0.5})
    assert result.derivative == 2 * 1 + 5 * 0.5
    assert result.along == "v\u0303"


def test_colah_gradient_graph():
    grads = gradient_graph(COLAH)
    graph = grads.graph
    shown = [(graph.label(n), graph.text(n)) for n in graph.nodes[len(grads.program.nodes) :]]
    assert shown == [
        ("∂e/∂e", "1"),
        ("∂e/∂c", "d"),
        ("∂e/∂d", "c"),
        ("∂e/∂b#1", "∂e/∂d"),
        ("∂e/∂a", "∂e/∂c"),
        ("∂e/∂b#2", "∂e/∂b#1 + ∂e/∂c"),
    ]
    values = forward(graph, {"a": 2.0, "b": 1.0})
    assert {k: values[i] for k, i in grads.gradient.items()} == {"a": 2.0, "b": 5.0}
    assert repr(grads) == "<GradientGraph of 6 nodes + 6 adjoint nodes: ∂e/∂a, ∂e/∂b#2>"


# --- random programs ------------------------------------------------------------------


@given(programs(), points)
def test_gradient_graph_evaluates_to_the_reverse_pass(program, point):
    text, _ = program
    graph = parse(text)
    values = {n: float(point[n]) for n in VARIABLES}
    try:
        reverse = backward(graph, forward(graph, values))
        grads = gradient_graph(graph)
        adjoint_values = forward(grads.graph, values)
    except CgError:
        assume(False)  # a domain edge reached by the numbers
    for index, adjoint in enumerate(grads.adjoints):
        expected = reverse[index] or 0.0
        ours = 0.0 if adjoint is None else adjoint_values[adjoint]
        assert close(ours, expected), (index, ours, expected)


@given(programs(), points)
def test_forward_mode_tangents_equal_sympy(program, point):
    text, expr = program
    graph = parse(text)
    direction = {"x": 1.0, "y": -0.5, "z": 2.0}
    try:
        values = forward(graph, {n: float(point[n]) for n in VARIABLES})
    except CgError:
        assume(False)
    from test_properties import variables_through_a_kink

    assume(not variables_through_a_kink(graph, values))
    dots = tangents(graph, values, direction)
    at = {SYMBOLS[n]: point[n] for n in VARIABLES}
    exact_dot = sum(
        (S.Rational(Fraction(direction[n])) * S.diff(expr, SYMBOLS[n]) for n in VARIABLES),
        S.S.Zero,
    )
    try:
        expected = S.N(exact_dot.xreplace(at), 40)
    except TypeError:  # SymPy cannot order two numbers it built (a Max of them)
        assume(False)
    assume(expected.is_real and abs(expected) < 1e300)
    assert close(dots[graph.output], float(expected))
    # every node's tangent is its gradient contribution: Σ ∂node/∂xᵢ vᵢ, from the reverse pass
    for node in graph.nodes:
        sub = backward(graph, values, node.index)
        along = sum((sub[n.index] or 0.0) * direction[n.name] for n in graph.inputs)
        assert close(dots[node.index], along), node


@settings(max_examples=FEW)
@given(programs(), points)
def test_hessians_of_random_programs_equal_sympy(program, point):
    text, expr = program
    graph = parse(text)
    floats = {n: float(point[n]) for n in VARIABLES}
    try:
        values = forward(graph, floats)
        matrix = hessian_matrix(gradient_graph(graph), floats)
    except CgError:
        assume(False)
    from test_properties import variables_through_a_kink

    assume(not variables_through_a_kink(graph, values))
    names = list(graph.input_names)
    at = {SYMBOLS[n]: point[n] for n in VARIABLES}
    firsts = [S.diff(expr, SYMBOLS[a]) for a in names]  # each once: SymPy's time is the test's
    for i, a in enumerate(names):
        for j, b in enumerate(names[i:], start=i):
            second = S.diff(firsts[i], SYMBOLS[b])
            # away from kinks (assumed above) every DiracDelta of SymPy's is at a nonzero point
            second = second.replace(S.DiracDelta, lambda *args: S.S.Zero)
            try:
                expected = S.N(second.xreplace(at), 40)
            except TypeError:  # SymPy cannot order two numbers it built (a Max of them)
                assume(False)
            assume(expected.is_real is True and abs(expected) < 1e300)
            # smooth here: ∂²/∂a∂b = ∂²/∂b∂a, and cg computes both entries
            assert close(matrix[i][j], float(expected)), (a, b)
            assert close(matrix[j][i], float(expected)), (b, a)


# --- reused names, reassignment, Hessian-vector products ---------------------------


REUSED = "t = x * y; x = sin(t) + x^2; y = x * t + y; loss = (x - y)^2 + relu(t) * tanh(x)"


def reused_expr():
    x, y = SYMBOLS["x"], SYMBOLS["y"]
    t = x * y
    x2 = S.sin(t) + x**2
    y2 = x2 * t + y
    return (x2 - y2) ** 2 + S.Max(0, t) * S.tanh(x2)


def test_hessian_with_reused_names_and_reassignment():
    point = {"x": S.Rational(1, 2), "y": S.Rational(-3, 4)}
    assert_second_derivatives(REUSED, reused_expr(), point)
    result = hessian(REUSED, {"x": "1/2", "y": "-3/4"})
    assert result.method == "sympy" and result.ok
    assert result.output == "loss"


def test_hessian_vector_product_is_h_times_v():
    point = {"x": "1/2", "y": "2/3"}
    direction = {"x": "1/3", "y": -2}
    result = hessian(REUSED, point, hvp=direction)
    expected = sympy_hessian(reused_expr(), {"x": S.Rational(1, 2), "y": S.Rational(2, 3)})
    v = [S.Rational(1, 3), S.Integer(-2)]
    for i in range(2):
        assert close(result.hvp[i], float(sum(expected[i][j] * v[j] for j in range(2))))
    assert result.ok and all(v.status == "ok" for v in result.hvp_verdicts)


def test_hessian_repr_and_json():
    result = hessian("x^2 * y", {"x": 3, "y": 2}, hvp={"x": 1, "y": 0})
    assert (
        repr(result)
        == "<Hessian of f wrt x, y: [4, 6; 6, 0]; H·ṽ = [4, 6]; check: sympy, all agree>"
    )
    assert result._repr_markdown_().startswith("| ∂²f | ∂x | ∂y |\n| --- | ---: | ---: |\n")
    doc = result.as_dict()
    assert doc["hessian"] == [[4.0, 6.0], [6.0, 0.0]]
    assert doc["hvp"] == [4.0, 6.0]
    assert doc["gradient"] == {"x": 12.0, "y": 9.0}
    assert doc["check"]["method"] == "sympy" and doc["check"]["mismatches"] == []


def test_a_wrong_hessian_would_be_caught():
    """The check is not vacuous: a planted wrong entry is a mismatch."""
    from cgcli.check.tangents import check_hessian

    graph = parse("x^2 * y").bind_constants(())
    values = forward(graph, {"x": 3.0, "y": 2.0})
    method, _, verdicts, _ = check_hessian(
        graph,
        {"x": Fraction(3), "y": Fraction(2)},
        ["x", "y"],
        [[4.0, 6.0], [6.0, 1e-6]],
        values,
        5.0,
    )
    assert method == "sympy"
    assert [[v.status for v in row] for row in verdicts] == [["ok", "ok"], ["ok", "mismatch"]]


# --- deep programs -----------------------------------------------------------------------


DEPTH = 10_000


def test_deep_chain_in_every_mode():
    program = "x = x0\n" + "x = sin(x) * 0.5 + x * y\n" * DEPTH + "x"
    point = {"x0": 0.3, "y": 0.5}
    graph = parse(program)
    values = forward(graph, point)
    reverse = backward(graph, values)
    grads = gradient_graph(graph)
    adjoint_values = forward(grads.graph, point)
    for name, index in grads.gradient.items():
        assert close(adjoint_values[index], reverse[graph.bindings[name]] or 0.0)
    dots = tangents(graph, values, {"x0": 1.0})
    assert close(dots[graph.output], reverse[graph.bindings["x0"]])
    matrix = hessian_matrix(grads, point)
    assert close(matrix[0][1], matrix[1][0])
    # too large for SymPy: high precision, on a chain of 2,400 nodes (on all 40,000 it takes
    # most of this test's time and checks nothing more)
    shorter = "x = x0\n" + "x = sin(x) * 0.5 + x * y\n" * 600 + "x"
    result = forward_mode(shorter, point, wrt="x0")
    assert result.method == "high-precision" and "2000 nodes" in result.note
    assert result.ok
    short = parse(shorter)
    reverse = backward(short, forward(short, point))
    assert close(result.derivative, reverse[short.bindings["x0"]])


def test_deep_nesting_in_every_mode():
    program = "(" * DEPTH + "x" + " * 1.0001 + y)" * DEPTH
    graph = parse(program)
    point = {"x": 0.5, "y": 0.25}
    values = forward(graph, point)
    grads = gradient_graph(graph)
    adjoint_values = forward(grads.graph, point)
    reverse = backward(graph, values)
    assert close(adjoint_values[grads.gradient["x"]], reverse[0])
    assert close(tangents(graph, values, {"x": 1.0})[graph.output], reverse[0])
    result = hessian(graph, point, check=False)
    assert result.matrix == [[0.0, 0.0], [0.0, 0.0]]
    assert result.method == "none"


# --- the high-precision fallback --------------------------------------------------------


def sympy_gives_up(monkeypatch):
    import cgcli.check.tangents as tangent_check

    monkeypatch.setattr(tangent_check, "_run", lambda *args: (None, "SymPy gave up (test)"))


def test_hessian_falls_back_to_high_precision(monkeypatch):
    sympy_gives_up(monkeypatch)
    program = "x^2*sin(y)*exp(x*y) + log(y)*x + relu(x)"
    result = hessian(program, {"x": "1/3", "y": "pi/4"}, hvp={"x": 1, "y": "1/2"})
    assert result.method == "high-precision"
    assert result.note.startswith("SymPy gave up (test); high-precision difference quotients")
    assert [[v.status for v in row] for row in result.verdicts] == [["ok", "ok"], ["ok", "ok"]]
    assert [v.status for v in result.hvp_verdicts] == ["ok", "ok"]
    assert all(v.error < 1e-20 for row in result.verdicts for v in row)


def test_high_precision_catches_a_wrong_entry(monkeypatch):
    from cgcli.check.tangents import check_hessian

    sympy_gives_up(monkeypatch)
    graph = parse("x^2 * y").bind_constants(())
    values = forward(graph, {"x": 3.0, "y": 2.0})
    exact = {"x": Fraction(3), "y": Fraction(2)}
    method, _, verdicts, _ = check_hessian(
        graph, exact, ["x", "y"], [[4.0, 6.0], [6.0, 1e-6]], values, 5.0
    )
    assert method == "high-precision"
    assert [[v.status for v in row] for row in verdicts] == [["ok", "ok"], ["ok", "mismatch"]]


def test_forward_mode_falls_back_to_high_precision(monkeypatch):
    sympy_gives_up(monkeypatch)
    result = forward_mode(
        "x^2*sin(y) + log(y)*x", {"x": "1/3", "y": "pi/4"}, tangent={"x": 1, "y": -2}
    )
    assert result.method == "high-precision" and result.ok
    assert result.value_check.status == "ok"
    assert result.nodes[-1].check.status == "ok"
    assert all(r.check is None for r in result.nodes[:-1])  # the other nodes: not checked


def test_no_module_shadows_a_public_name():
    """``cgcli.hessian`` must stay the function after ``import cgcli.api.hessian`` etc."""
    import importlib
    import types

    import cgcli

    for module in set(cgcli._EXPORTS.values()):
        importlib.import_module(f"cgcli.{module}")
    for name in cgcli.__all__:
        assert not isinstance(getattr(cgcli, name), types.ModuleType), name
