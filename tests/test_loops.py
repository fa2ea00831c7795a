"""Loops, indexed names and sums: the language, and gradients against an independent reference.

The references are SymPy expressions written out here step by step (not built from cg's
graph), differentiated by SymPy, and hand-worked numbers.
"""

from __future__ import annotations

import math
import tracemalloc

import pytest
import sympy

from cgcli import CgSyntaxError, UsageError, evaluate, parse
from cgcli.api.evaluation import evaluate_graph
from cgcli.passes.values import parse_assignments

RNN = """\
h[0] = 0
L = 0
for t in 1..T:
    h[t] = tanh(w*h[t-1] + u*x[t])
    L += (h[t] - y[t])^2
"""

XS = [0.5, -1, 2, 0.25, -0.75, 1.5, -2, 0.125]
YS = [0, 1, 0, -0.5, 0.5, 1, 0, -1]


def rnn_reference(steps: int, w: float, u: float):
    """The loss and its gradients, by SymPy on the recurrence written out by hand."""
    W, U = sympy.symbols("w u", real=True)
    xs = sympy.symbols(f"x1:{steps + 1}", real=True)
    h = sympy.Integer(0)
    loss = sympy.Integer(0)
    for t in range(steps):
        h = sympy.tanh(W * h + U * xs[t])
        loss += (h - sympy.Rational(YS[t])) ** 2
    point = {W: sympy.Rational(w), U: sympy.Rational(u)}
    point.update({xs[t]: sympy.Rational(XS[t]) for t in range(steps)})
    grads = {"w": sympy.diff(loss, W), "u": sympy.diff(loss, U)}
    grads.update({f"x[{t + 1}]": sympy.diff(loss, xs[t]) for t in range(steps)})
    # each shared subexpression evaluated once, at 50 digits (substituted whole, 8 steps'
    # derivatives took SymPy 20 s)
    replacements, reduced = sympy.cse([loss, *grads.values()])
    known = dict(point)
    for symbol, expr in replacements:
        known[symbol] = expr.xreplace(known).evalf(50)
    numbers = [float(expr.xreplace(known).evalf(50)) for expr in reduced]
    return numbers[0], dict(zip(grads, numbers[1:], strict=True))


def rnn_values(steps: int, w: float = 0.5, u: float = 1.0) -> dict:
    return {"w": w, "u": u, "x": XS[:steps], "y": YS[:steps]}


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-14)


@pytest.mark.parametrize("steps", [1, 2, 3, 5, 8])
def test_recurrence_of_each_length_against_sympy(steps):
    result = evaluate(f"T = {steps}\n" + RNN, rnn_values(steps, 0.5, 1.0), check=False)
    loss, grads = rnn_reference(steps, 0.5, 1.0)
    assert close(result.value, loss)
    for name, expected in grads.items():
        assert close(result.gradient[name], expected), name


def test_the_worked_three_step_recurrence_by_hand():
    """h1 = tanh(0.5) = 0.46211715726000974, the first step's loss (h1 - 0)^2, and so on:
    the numbers docs/sequences.md works by hand."""
    result = evaluate("T = 3\n" + RNN, rnn_values(3), check=True)
    h = [0.0]
    for t in range(3):
        h.append(math.tanh(0.5 * h[-1] + XS[t]))
    assert [result.nodes[i].value for i in _named(result, "h[1]", "h[2]", "h[3]")] == h[1:]
    assert result.value == sum((h[t + 1] - YS[t]) ** 2 for t in range(3))
    assert result.check.ok and result.check.method == "sympy"


def _named(result, *labels):
    index = {r.label: i for i, r in enumerate(result.nodes)}
    return [index[label] for label in labels]


def test_one_line_and_indented_bodies_build_the_same_graph():
    indented = parse("h[0] = 0\nfor t in 1..3:\n    h[t] = w*h[t-1] + x[t]\n    L = h[t]\nL")
    one_line = parse("h[0] = 0\nfor t in 1..3: h[t] = w*h[t-1] + x[t]; L = h[t]\nL")
    assert _shape(indented) == _shape(one_line)


def test_a_loop_builds_the_graph_of_its_steps_written_out():
    loop = parse("T = 3\n" + RNN)
    lines = ["T = 3", "h[0] = 0", "L = 0"]
    for t in range(1, 4):
        lines += [f"h[{t}] = tanh(w*h[{t - 1}] + u*x[{t}])", f"L += (h[{t}] - y[{t}])^2"]
    by_hand = parse("\n".join(lines))
    assert _shape(loop) == _shape(by_hand)
    assert [loop.label_at(i) for i in range(len(loop.nodes))] == [
        by_hand.label_at(i) for i in range(len(by_hand.nodes))
    ]


def _shape(graph):
    return [(n.op, n.inputs, n.name, n.version, n.literal) for n in graph.nodes], graph.output


def test_two_shared_weights_and_a_bias_against_sympy():
    program = """\
h[0] = 0
for t in 1..4:
    h[t] = sigmoid(w*h[t-1] + u*x[t] + b)
L = sum((h[t] - y[t])^2 for t in 1..4)
"""
    values = {"w": 0.8, "u": -0.3, "b": 0.1, "x": XS[:4], "y": YS[:4]}
    result = evaluate(program, values, check=True)
    W, U, B = sympy.symbols("w u b", real=True)
    h, loss = sympy.Integer(0), sympy.Integer(0)
    for t in range(4):
        h = 1 / (1 + sympy.exp(-(W * h + U * sympy.Rational(XS[t]) + B)))
        loss += (h - sympy.Rational(YS[t])) ** 2
    point = {W: sympy.Rational("0.8"), U: sympy.Rational("-0.3"), B: sympy.Rational("0.1")}
    for name, symbol in (("w", W), ("u", U), ("b", B)):
        assert close(result.gradient[name], float(sympy.diff(loss, symbol).subs(point)))
    assert result.check.ok


def test_nested_loops_and_a_double_sum_against_sympy():
    program = """\
T = 3
for i in 1..T:
    for j in 1..i:
        a[i,j] = w^j * x[i] + sin(i*j)
s = sum(sum(a[i,j] for j in 1..i) for i in 1..T)
"""
    result = evaluate(program, {"w": 1.5, "x": [0.5, -1, 2]}, check=True)
    W = sympy.Symbol("w", real=True)
    xs = [sympy.Rational(1, 2), -1, 2]
    s = sum(W**j * xs[i - 1] + sympy.sin(i * j) for i in range(1, 4) for j in range(1, i + 1))
    at = {W: sympy.Rational(3, 2)}
    assert close(result.value, float(s.subs(at)))
    assert close(result.gradient["w"], float(sympy.diff(s, W).subs(at)))
    assert [r.label for r in result.nodes if r.node.name and r.node.name.startswith("a")] == [
        "a[1,1]",
        "a[2,1]",
        "a[2,2]",
        "a[3,1]",
        "a[3,2]",
        "a[3,3]",
    ]
    assert result.check.ok


def test_mean_over_time_and_the_loop_variable_as_a_number():
    result = evaluate("m = mean(w*sin(t) + x[t] for t in 1..4)", {"w": 2, "x": [1, 2, 3, 4]})
    expected = sum(2 * math.sin(t) + t for t in range(1, 5)) / 4
    assert close(result.value, expected)
    assert close(result.gradient["w"], sum(math.sin(t) for t in range(1, 5)) / 4)
    assert result.gradient["x[3]"] == 0.25
    assert result.check.ok
    labels = {r.label for r in result.nodes}
    assert {"sin(1)", "sin(4)"} <= labels  # the step's constant, with t's value


def test_a_bound_may_be_an_expression_of_named_constants_and_outer_variables():
    result = evaluate(
        "N = 2\nT = 2*N + 1\ns = 0\nfor i in 1..T-1:\n    for j in i+1..T: s += x^(i*j)\ns",
        {"x": 1},
        check=False,
    )
    assert result.value == 10  # the pairs i < j of 1..5
    assert result.gradient["x"] == sum(i * j for i in range(1, 6) for j in range(i + 1, 6))


def test_reading_back_an_element_and_reassigning_one():
    result = evaluate("h[1] = x\nh[1] = h[1] * 2\nh[2] = h[1] + 1\nh[2]", {"x": 3}, check=False)
    assert [r.label for r in result.nodes] == ["x", "h[1]#1", "2", "h[1]#2", "1", "h[2]"]
    assert result.value == 7


def test_indented_blocks_with_comments_blank_lines_and_a_statement_after():
    program = "s = 0  # total\nfor t in 1..3:\n\n    # add one step\n    s += t*x\n\ny = s\ny"
    assert evaluate(program, {"x": 2}, check=False).value == 12


def test_top_level_indentation_still_means_nothing():
    program = "  a = x\n    b = a * 2\n b"
    assert evaluate(program, {"x": 2}, check=False).value == 4


def test_one_line_nested_loops():
    result = evaluate("s = 0\nfor i in 1..2: for j in 1..3: s += i*j*x\ns", {"x": 1}, check=False)
    assert result.value == 18


@pytest.mark.parametrize(
    ("program", "message"),
    [
        ("for t in 1..3:\n    h[t] = w*h[t-1]", "h[0] (h[t-1] at t = 1) is read before it is"),
        ("h[0] = 0\nfor t in 1..3: h[t] = h[t-2]", "h[-1] (h[t-2] at t = 1) is read before"),
        ("h[0] = 1\nh[1] = 2\ny = h[3]", "h[3] is read before it is assigned (so far h has"),
        ("y = x[1.5]", "the index 1.5 is not an integer"),
        ("for t in 1..3: y = x[t/2]", "the index t/2 is 1/2 at t = 1, not an integer"),
        ("y = n\nfor t in 1..n: y = x[t]", "n is an input: an index or a range's bound"),
        ("for t in 1..N: y = x[t]", "N is not defined here (an input, or set only later)"),
        ("y = x[n]", "n is not defined here (an input, or set only later): an index or a"),
        ("for t in 3..1: y = t", "the range 3..1 is empty"),
        ("for t in 1..3000000: y = x", "unrolling this loop makes more than 2,000,000"),
        ("y = h[1]\nh[2] = 3", "h[2] is assigned, but h[1] was read before as an input"),
        ("x[1] = 1\ny = x", "x is an indexed name: read one of its elements"),
        ("for t in 1..2: t = 3", "cannot assign to t: it is the loop's variable"),
        ("for t in 1..2:\n    for t in 1..2: y = t", "t is already the variable of a loop"),
        ("W[1,1] = 1\ny = W[1]", "W has 2 indexes (W[i, j]), not 1"),
        ("for t in 1..3:\ny = 2", "expected the loop's body here"),
        ("for t in 1..3:\n    a[t] = 1\n  b = 2", "like neither the loop's body (4)"),
        ("for t in 1..3", "expected ':' at the end of the loop's line"),
    ],
)
def test_mistakes_in_loops_are_syntax_errors_at_their_place(program, message):
    with pytest.raises(CgSyntaxError) as caught:
        parse(program)
    assert message in caught.value.message


def test_the_unrolling_limit_is_raised_by_a_keyword():
    from cgcli.core.limits import Limits

    program = "for t in 1..3000: y = x"
    with pytest.raises(CgSyntaxError, match="more than 1,000 nodes"):
        parse(program, Limits(max_unrolled=1000))
    assert len(parse(program, Limits(max_unrolled=10_000)).nodes) == 3001


# --- values of indexed names -----------------------------------------------------------


def test_a_list_starts_at_the_smallest_index_the_program_uses():
    result = evaluate("x[0]*1 + x[1]*10 + x[2]*100", {"x": [1, 2, 3]}, check=False)
    assert result.value == 321
    result = evaluate("x[2] + x[4]", {"x": "[1, 2, 3]"}, check=False)  # x[3] is unused
    assert result.value == 4


def test_elements_by_name_on_the_command_line():
    values = parse_assignments(["x[1]=1/2", "x[ 2 ]=-1", "w=2"])
    assert sorted(values) == ["w", "x[1]", "x[2]"]
    result = evaluate_graph(parse("w*x[1] + x[2]"), values)
    assert result.value == 0 and result.check.ok


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"x": [1, 2]}, "x=[...] has 2 values, but the program uses x[1] to x[3] (3 values)"),
        ({"x": [1, 2, 3], "x[2]": 5}, "x[2] is given twice: in x=[...] and as x[2]=..."),
        ({"x[1]": 1, "x[3]": 3}, "missing value for x[2] (give x[2]=...)"),
        ({"x[t]": 1}, "values: 'x[t]' is not a name"),
        ({"x": []}, "the value of x is an empty list"),
        (
            {"x": 2},
            "x is a sequence in this program (it reads x[1], x[2], x[3]), so one number is "
            "not its value: give one per element, as x=[...] or x[1]=...",
        ),
    ],
)
def test_bad_sequence_values(values, message):
    with pytest.raises(UsageError) as caught:
        evaluate("x[1] + x[2] + x[3]", values, check=False)
    assert message in caught.value.message


def test_a_value_for_a_name_the_program_computes_says_so(cg):
    program = "h[0] = 0\nL = 0\nfor t in 1..2: h[t] = w*h[t-1] + x[t]; L += h[t]\n"
    result = cg("eval", program, "w=1", "x=[1,2]", "h=[5,6]", "L=3", "z=1", "--no-check")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "cg: warning: h is a sequence the program computes (h[...] = ...), not an input; "
        "its value is ignored",
        "cg: warning: L is computed by the program, not an input; its value is ignored",
        "cg: warning: z is not used by the program; its value is ignored",
    ]
    assert "L = 4" in result.stdout  # h[1] = 1, h[2] = 1 + 2 = 3: the given values are unused


def test_a_list_for_a_name_with_two_indexes_is_refused():
    with pytest.raises(UsageError, match="W has 2 indexes in the program"):
        evaluate("W[1,1] + W[1,2]", {"W": [1, 2]}, check=False)


def test_many_missing_elements_are_shortened():
    with pytest.raises(UsageError) as caught:
        evaluate("sum(x[t] for t in 1..100)", {}, check=False)
    assert caught.value.message == (
        "missing values for x[1] … x[100] (100 elements of x) (give x=[...] or x[1]=...)"
    )


def test_list_values_stay_exact_for_the_check():
    result = evaluate("x[1]*3 - 1", {"x": "[1/3]"})
    assert result.value == 0.0 and result.check.ok


# --- size ------------------------------------------------------------------------------


def _peak(steps: int) -> int:
    program = f"T = {steps}\n" + RNN
    values = parse_assignments(["w=0.5", "u=1"])
    graph = parse(program)
    inputs = {**values}
    for name in graph.input_names:
        if name.startswith(("x[", "y[")):
            inputs.update(parse_assignments([f"{name}=0.5"]))
    tracemalloc.start()
    try:
        evaluate_graph(parse(program), inputs, check=False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_unrolling_takes_memory_linear_in_the_steps():
    small, large = _peak(1_000), _peak(4_000)
    assert 3.2 < large / small < 4.8
