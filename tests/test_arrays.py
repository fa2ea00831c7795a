"""Vectors and matrices: values and gradients against NumPy written by hand and finite
differences, the check, shapes checked before anything runs, bad values."""

from __future__ import annotations

import numpy as np
import pytest

from cgcli import evaluate
from cgcli.core.errors import CgMathError, CgSyntaxError, ShapeError, UsageError

W = np.array([[0.5, -1.0], [2.0, 0.1], [0.0, 1.0]])
X = np.array([1.0, -2.0])
B = np.array([0.1, 0.2, 0.3])


def finite_difference(f, values: dict, name: str, h: float = 1e-6) -> np.ndarray:
    """Central differences of f over every entry of values[name]."""
    base = np.array(values[name], dtype=float)
    grad = np.zeros_like(base)
    for position in np.ndindex(*base.shape):
        up, down = base.copy(), base.copy()
        up[position] += h
        down[position] -= h
        grad[position] = (f({**values, name: up}) - f({**values, name: down})) / (2 * h)
    return grad


def test_matrix_vector_product_and_its_matrix_rules():
    program = "y = W @ x + b\nL = sum(y * y)"
    result = evaluate(program, {"W": W, "x": X, "b": B})
    y = W @ X + B
    dy = 2 * y
    assert result.value == pytest.approx(float(y @ y))
    np.testing.assert_allclose(result.gradient["W"], np.outer(dy, X))  # dW = dD · xᵀ
    np.testing.assert_allclose(result.gradient["x"], W.T @ dy)  # dx = Wᵀ · dD
    np.testing.assert_allclose(result.gradient["b"], dy)
    assert result.check.method == "sympy" and result.ok


def test_matrix_matrix_product_with_a_bias_broadcast_over_the_batch():
    rng = np.random.default_rng(1)
    w, x, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 5)), rng.normal(size=(3, 1))
    result = evaluate("D = W @ X + b\nL = mean(tanh(D))", {"W": w, "X": x, "b": b.tolist()})
    d = w @ x + b
    upstream = (1 - np.tanh(d) ** 2) / d.size
    np.testing.assert_allclose(result.gradient["W"], upstream @ x.T)
    np.testing.assert_allclose(result.gradient["X"], w.T @ upstream)
    # the bias was fanned out over the 5 columns: its gradient sums them
    np.testing.assert_allclose(result.gradient["b"], upstream.sum(axis=1, keepdims=True))
    assert result.gradient["b"].shape == (3, 1)
    assert result.ok


def test_linear_layer_softmax_and_cross_entropy_against_numpy_by_hand():
    values = {"W": W, "x": X, "b": B, "y": [0.0, 1.0, 0.0]}
    program = "s = W @ x + b\np = softmax(s)\nL = -sum(y * log(p))"
    result = evaluate(program, values)
    s = W @ X + B
    p = np.exp(s - s.max()) / np.exp(s - s.max()).sum()
    ds = p - np.array(values["y"])  # softmax with cross-entropy: p - y
    assert result.value == pytest.approx(-np.log(p[1]))
    np.testing.assert_allclose(result.gradient["W"], np.outer(ds, X), rtol=1e-12)
    np.testing.assert_allclose(result.gradient["b"], ds, rtol=1e-12)

    def loss(v):
        return evaluate(program, v, check=False).value

    np.testing.assert_allclose(
        result.gradient["x"], finite_difference(loss, values, "x"), rtol=1e-6
    )
    assert result.ok


def test_logsumexp_and_cross_entropy_on_a_batch_with_sums_along_axes():
    rng = np.random.default_rng(2)
    scores = rng.normal(size=(4, 3))
    onehot = np.eye(3)[[0, 2, 1, 2]]
    program = "L = mean(logsumexp(S, axis=1) - sum(S * Y, axis=1))"
    result = evaluate(program, {"S": scores, "Y": onehot})
    top = scores.max(axis=1, keepdims=True)
    lse = np.log(np.exp(scores - top).sum(axis=1)) + top[:, 0]
    assert result.value == pytest.approx(np.mean(lse - (scores * onehot).sum(axis=1)))
    p = np.exp(scores - lse[:, None])
    np.testing.assert_allclose(result.gradient["S"], (p - onehot) / 4, rtol=1e-12)
    assert result.ok


def test_sums_and_means_along_each_axis_transpose_dot_norm_and_entries():
    values = {"W": W, "x": X}
    program = (
        "a = sum(W, axis=0)\nm = mean(W, axis=1)\nV = W.T\nn = norm(W)\n"
        "L = dot(a, x) + sum(m * m) + V[2, 3] * n + W[1, 2] + transpose(W)[1, 1]"
    )
    with pytest.raises(CgSyntaxError, match="an entry is read from a name, so name the array"):
        evaluate(program, values)
    program = program.replace("transpose(W)[1, 1]", "0")
    result = evaluate(program, values)

    def by_hand(v):
        w, x = np.asarray(v["W"]), np.asarray(v["x"])
        m = w.mean(axis=1)
        return w.sum(axis=0) @ x + m @ m + w.T[1, 2] * np.linalg.norm(w) + w[0, 1]

    assert result.value == pytest.approx(by_hand(values))
    for name in ("W", "x"):
        np.testing.assert_allclose(
            result.gradient[name], finite_difference(by_hand, values, name), rtol=1e-6
        )
    assert result.ok


def test_every_node_has_its_shape_and_a_verdict_per_node():
    result = evaluate("h = relu(W @ x)\nL = sum(h)", {"W": W, "x": X})
    by_label = {r.label: r for r in result.nodes}
    assert by_label["h"].value.shape == (3,)
    np.testing.assert_allclose(by_label["h"].value, np.maximum(W @ X, 0))
    np.testing.assert_allclose(by_label["h"].grad, np.ones(3))
    assert all(v is None or v.status == "ok" for v in result.check.grads)
    assert result.check.grads[result.graph.bindings["h"]].status == "ok"


@pytest.mark.parametrize(
    ("program", "gradient"),
    [  # by hand at s = (1, 2): n = 3 or √5
        ("n = sum(s); L = n * n", lambda s: 2 * s.sum() * np.ones(2)),
        ("n = norm(s); L = n^2/2 + n", lambda s: s + s / np.linalg.norm(s)),
        ("n = sum(s); m = n * n; L = m + n * m", lambda s: (2 * 3 + 3 * 9) * np.ones(2)),
    ],
)
def test_sympy_checks_every_node_when_a_reduced_scalar_is_used_twice(program, gradient):
    s = np.array([1.0, 2.0])
    result = evaluate(program, {"s": s})
    assert result.check.method == "sympy", result.check.note
    by_label = {r.label: r for r in result.nodes}
    np.testing.assert_allclose(by_label["s"].grad, gradient(s), rtol=1e-15)
    assert result.check.value.status == "ok"
    for node, verdict in zip(result.graph.nodes, result.check.grads, strict=True):
        assert verdict is not None or node.op == "const", node
        assert verdict is None or verdict.status == "ok", (node, verdict)


def test_a_sympy_failure_on_arrays_shows_no_internal_exception(monkeypatch):
    from cgcli.check import arrays

    def broken(*args):
        raise TypeError("'mpf' object is not subscriptable")

    monkeypatch.setattr(arrays, "_sympy_reference", broken)
    result = evaluate("L = sum(s * s)", {"s": np.array([1.0, 2.0])})
    assert result.check.method == "high-precision" and result.ok
    assert "SymPy could not check this program" in result.check.note
    assert "mpf" not in result.check.note and "TypeError" not in result.check.note


@pytest.mark.parametrize(
    ("program", "values", "gradient", "status"),
    [("L = sum(sqrt(abs(x)))", [0, 4], [np.nan, 0.25], "convention"),  # ∞ · 0, as PyTorch
     ("L = sum(abs(x))", [0, 4], [0, 1], "convention"),
     ("L = sum(relu(x)*1e-6 + x)", [0, 4], [1, 1.000001], "convention"),  # sides 1e-6 apart
     ("L = sum(x*x)", [0, 4], [0, 8], "ok"),  # the sides have opposite signs, but are ~0
     ("L = sum(1/x)", [1e-15, 4], [-1e30, -1 / 16], "ok")],  # steep, yet smooth
)  # fmt: skip
def test_the_high_precision_check_tells_a_kink_by_its_one_sided_quotients(
    monkeypatch, program, values, gradient, status
):
    """With SymPy out of the way, a right gradient at a kink is a convention, never ✗
    (the central quotient of √|x| at 0 is 0, ours nan); a smooth one is checked."""
    from cgcli.check import arrays

    def broken(*args):
        raise TypeError("SymPy out of the way")

    monkeypatch.setattr(arrays, "_sympy_reference", broken)
    result = evaluate(program, {"x": values})
    x = result.graph.inputs[0]
    np.testing.assert_allclose(result.gradient["x"], gradient, rtol=1e-12)
    assert result.check.method == "high-precision" and result.ok
    assert result.check.grads[x.index].status == status


def test_a_wrong_gradient_would_be_caught_by_the_check():
    from cgcli.check.arrays import judge_array

    assert judge_array(np.array([1.0, 2.0]), np.array([1.0, 2.0])).status == "ok"
    wrong = judge_array(np.array([[1.0, 2.0]]), np.array([[1.0, 2.5]]))
    assert wrong.status == "mismatch" and "entry [1, 2]" in wrong.reason


def test_the_high_precision_check_takes_over_beyond_sympy():
    rng = np.random.default_rng(3)
    values = {"W": rng.normal(size=(40, 40)), "x": rng.normal(size=40)}
    result = evaluate("L = sum(tanh(W @ x))", values)
    assert result.check.method == "high-precision" and result.ok
    assert "20×20" not in (result.check.note or "")


def test_a_derivative_infinite_by_mathematics_stays_inf_and_is_left_unchecked():
    """√'(0) is inf, as over scalars; the high-precision check's difference quotient
    would step to √(-h) there, so that entry is not checked, and the others are."""
    result = evaluate("f = sum(sqrt(x))", {"x": [0, 4, 1]})
    assert result.gradient["x"].tolist() == [np.inf, 0.25, 0.5]
    assert result.check.method == "high-precision" and result.ok
    assert "checked 2 input gradient entries" in result.check.note


def test_a_gradient_that_overflows_over_arrays_is_a_math_error_naming_the_entry():
    """-1/x² at x = 1e-200 is -1e400: not -inf printed as if right."""
    with pytest.raises(CgMathError, match=r"local derivative overflows .* at entry \[2\]"):
        evaluate("f = sum(1/x)", {"x": [3, 1e-200]}, check=False)
    with pytest.raises(CgMathError, match=r"the gradient ∂f/∂x overflows a float64 at entry"):
        evaluate("f = sum(x*1e308) + sum(x*1e308)", {"x": [1e-10, 0]}, check=False)


def test_an_array_check_out_of_time_lists_each_input_unchecked(stepping_clock, cg):
    """As over scalars: 'nothing checked', 0 of the 3 inputs, and each with the reason."""
    result = cg("eval", "L = sum(W @ x) * c", "W=[[1,2],[3,4]]", "x=[1,-1]", "c=2",
                "--check-timeout", "0.5")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    check = next(line for line in lines if line.startswith("check:"))
    assert "nothing checked" in check and "checked: 0 of 3 input gradients" in check
    for name in ("W", "x", "c"):
        assert f"unchecked ∂L/∂{name}: the check's time budget ran out" in lines


@pytest.mark.parametrize(
    ("program", "values", "gradient"),
    [("L = sum(abs(x))", {"x": [0, 3]}, [0, 1]),  # SymPy's sign(0) is 0 too: still no derivative
     ("L = norm(x)", {"x": [0, 0]}, [0, 0]),  # PyTorch's 0 where √(Σx²) has none
     ("L = sum(relu(x))", {"x": [0, 3]}, [0, 1])],
)  # fmt: skip
def test_an_entry_at_a_kink_is_a_convention_as_over_scalars(program, values, gradient):
    result = evaluate(program, values)
    x = result.graph.inputs[0]
    assert result.gradient["x"].tolist() == gradient
    assert result.check.grads[x.index].status == "convention" and result.ok


def test_an_entry_off_the_kink_is_still_checked_beside_one_on_it():
    from cgcli.check.arrays import judge_array

    at_kink = np.array([True, False])
    assert judge_array(np.array([0.0, 1.0]), np.array([0.5, 1.0]), at_kink=at_kink).status == (
        "convention"
    )
    wrong = judge_array(np.array([0.0, 2.0]), np.array([0.5, 1.0]), at_kink=at_kink)
    assert wrong.status == "mismatch" and "entry [2]" in wrong.reason


@pytest.mark.parametrize("scale", [1e-200, 1e-320, 1e200])
def test_the_norm_of_tiny_or_huge_entries_neither_underflows_nor_overflows(scale):
    """√(x·x) of [1e-200, 1e-200] was 0 (x·x underflows), with the gradient 0."""
    result = evaluate("L = norm(x)", {"x": [3 * scale, 4 * scale]})
    assert result.value == pytest.approx(5 * scale, rel=1e-6 if scale < 1e-300 else 1e-15)
    np.testing.assert_allclose(result.gradient["x"], [0.6, 0.8], rtol=1e-5)
    assert result.ok


def test_literals_in_programs_and_values_on_the_command_line_as_text():
    result = evaluate("W = [[1, 2], [3, 4]]\nL = sum(W @ x)", {"x": "[1, -1]"})
    assert result.value == (1 - 2) + (3 - 4)
    np.testing.assert_allclose(result.gradient["x"], [4, 6])
    result = evaluate("sum(W @ x)", {"W": "[[1/2, 1], [pi, 0]]", "x": [1, 1]})
    assert result.value == pytest.approx(1.5 + np.pi)
    assert result.ok


def test_a_sequence_stays_a_sequence():
    result = evaluate("x[1]*10 + x[2]", {"x": [1, 2]}, check=False)
    assert result.value == 12 and result.gradient == {"x[1]": 10.0, "x[2]": 1.0}


def test_a_matrix_value_for_entries_read_by_index():
    result = evaluate("W[1,2] * W[2,1]", {"W": [[1, 2], [3, 4]]})
    assert result.value == 6 and result.gradient == {"W[1,2]": 3.0, "W[2,1]": 2.0}
    with pytest.raises(ShapeError, match=r"W\[4,1\] is not an entry of the 2×2 value of W"):
        evaluate("W[4,1]", {"W": [[1, 2], [3, 4]]})


def test_a_matrix_value_for_rows_read_by_index():
    """A row W[2] of a name read only by index is a vector of its own, as docs/vectors.md
    says; the same numbers as the row read from W used whole."""
    W = [[0.3, -1.2, 2.0], [1.5, 0.7, -0.4]]
    result = evaluate("r = W[2]; L = sum(r * W[1])", {"W": W})
    whole = evaluate("V = W; r = V[2]; L = sum(r * V[1])", {"W": W})
    assert result.ok and result.value == pytest.approx(0.3 * 1.5 - 1.2 * 0.7 - 2.0 * 0.4)
    assert result.gradient["W[2]"].tolist() == W[0] and result.gradient["W[1]"].tolist() == W[1]
    assert whole.gradient["W"].tolist() == [W[1], W[0]]
    with pytest.raises(ShapeError, match=r"W\[3\] is not an entry of the 2×3 value of W"):
        evaluate("sum(W[3])", {"W": W})


def test_an_entry_outside_a_matrix_read_by_index_gets_a_caret():
    result = run_cg("eval", "L = 2 * W[1,1] + W[1,3] * 2", "W=[[1,2],[3,4]]")
    assert result.exit_code == 2
    assert result.output == (
        "cg: shape error: 1:18: W[1,3] is not an entry of the 2×2 value of W\n"
        "  L = 2 * W[1,1] + W[1,3] * 2\n"
        "                   ^\n"
    )


@pytest.mark.parametrize(
    ("program", "values", "message", "column"),
    [
        ("y = W @ x", {"W": W, "x": [1, 2, 3]}, "3×2 @ 3 (2 ≠ 3) (W is 3×2, x is 3)", 7),
        ("y = (W @ x) @ x", {"W": W, "x": [1, 2]}, "3 @ 2 (3 ≠ 2)", 13),
        ("y = W + x", {"W": W, "x": [1, 2, 3]}, "the shapes 3×2 and 3 do not broadcast", 5),
        ("y = a @ x", {"a": 2, "x": [1, 2]}, "@ multiplies arrays, not a scalar", 7),
        ("y = sum(a)", {"a": 2}, "sum takes an array, not a scalar", 5),
        ("y = sum(W, axis=2)", {"W": W}, "sum has no axis 2", 5),
        ("y = [[1, 2], [3]]", {}, "a ragged list: entry 1 has shape 2 but entry 2 has shape 1", 5),
        ("s = sum(W)\ny = W[4, 1]", {"W": W}, "index 4 is out of range in [4, 1]", 5),
        ("x = 1\ny = x[1]", {}, "[1] reads an entry of an array, but this is a scalar", 5),
        ("y = dot(W, x)", {"W": W, "x": X}, "dot takes two vectors of one length", 5),
        (
            "y = a + b",
            {"a": np.ones((10**4, 1)), "b": np.ones(10**4)},
            "the result would have 100,000,000 entries (shape 10000×10000), over the limit",
            5,
        ),
    ],
)
def test_shapes_are_checked_before_anything_runs(program, values, message, column):
    with pytest.raises(ShapeError) as caught:
        evaluate(program, values)
    assert message in caught.value.message
    assert caught.value.column == column and caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ({"W": [[1, 2], [3]]}, UsageError, "ragged"),
        ({"W": [[1, float("nan")], [3, 4]]}, UsageError, "W[1,2] must be finite, not nan"),
        ({"W": "[[1, 2], [3]]"}, ShapeError, "a ragged list"),
        ({"W": "[[1, 2], [3, nan]]"}, UsageError, "the value of W[2,2] must be finite, not nan"),
        ({"W": "[[1, 2], [-inf, 4]]"}, UsageError, "the value of W[2,1] must be finite, not -inf"),
        ({"W": "[[1, 2], [3, 2*Infinity]]"}, UsageError, "W[2,2] must be finite, not 2*Infinity"),
        ({"W": "[[1, 2], [3, nan + y]]"}, UsageError, "but 'nan + y' uses the name 'nan'"),
    ],
)
def test_bad_matrix_values(values, error, message):
    with pytest.raises(error) as caught:
        evaluate("sum(W)", values)
    assert message in caught.value.message


def test_a_math_error_names_the_node_and_the_entry():
    with pytest.raises(CgMathError) as caught:
        evaluate("y = log(x)\nsum(y)", {"x": [1, -1]})
    assert "node y = log(x): log of a negative number at entry [2]" in caught.value.message


def test_an_array_output_is_differentiated_as_its_sum_with_a_warning():
    result = evaluate("W @ x", {"W": W, "x": X})
    np.testing.assert_allclose(result.value, W @ X)
    np.testing.assert_allclose(result.gradient["x"], W.sum(axis=0))
    assert "the gradients are those of the sum of its entries" in result.warnings[0]


# --- what a user sees ------------------------------------------------------------------

ARGS = ["L = sum(W @ x)", "W=[[0.5,-1],[2,0.1]]", "x=[1,-2]"]


def run_cg(*argv: str):
    from click.testing import CliRunner

    from cgcli.cli.group import cg as main

    return CliRunner().invoke(main, list(argv))


@pytest.mark.parametrize(
    ("program", "value", "message"),
    [
        ("L = sum(W @ x)", "W=[[1,nan],[3,4]]", "the value of W[1,2] must be finite, not nan"),
        ("L = sum(W @ x)", "x=[1,-inf]", "the value of x[2] must be finite, not -inf"),
        ("L = x[1] * 2", "x=[NaN, 1]", "the value of x[1] must be finite, not NaN"),
        ("L = y * 2", "y=inf", "the value of y must be finite, not inf"),
    ],
)
def test_a_value_that_is_not_finite_says_so_on_the_command_line(program, value, message):
    values = {"W": "W=[[1,2],[3,4]]", "x": "x=[1,2]"}
    values[value.split("=")[0]] = value
    wanted = [values[n] for n in ("W", "x") if n in program] if "W" in program else [value]
    result = run_cg("eval", program, *wanted)
    assert result.exit_code == 2
    assert result.output.strip() == f"cg: usage error: {message}"


def test_the_table_shows_each_nodes_shape_value_and_gradient():
    result = run_cg("eval", *ARGS)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "node  op      inputs  text        shape                   value            ∂L/∂node  check\n"  # noqa: E501
        "W     input           W           2×2     [[0.5, -1], [2, 0.1]]  [[1, -2], [1, -2]]  ✓\n"
        "x     input           x           2                     [1, -2]         [2.5, -0.9]  ✓\n"
        "v1    matmul  W, x    W @ x       2                  [2.5, 1.8]              [1, 1]  ✓\n"
        "L     sum     v1      sum(W @ x)  scalar                    4.3                   1  ✓\n"
        "\n"
        "L = 4.3  ✓\n"
        "∂L/∂W = [[1, -2], [1, -2]]  ✓\n"
        "∂L/∂x = [2.5, -0.9]  ✓\n"
        "check: sympy, all agree (tolerance relative 1e-09 + absolute 1e-12)\n"
    )


def test_json_csv_and_markdown_show_arrays_whole():
    import json

    document = json.loads(run_cg("eval", *ARGS, "--format", "json").output)
    assert document["gradient"] == {"W": [[1.0, -2.0], [1.0, -2.0]], "x": [2.5, -0.9]}
    matmul = document["nodes"][2]
    assert (matmul["op"], matmul["shape"], matmul["value"]) == ("matmul", [2], [2.5, 1.8])
    assert document["check"]["nodes"]["n1"]["expected"] == [[1.0, -2.0], [1.0, -2.0]]
    csv = run_cg("eval", *ARGS, "--format", "csv").output.splitlines()
    assert csv[1] == 'W,input,,W,"[[0.5,-1],[2,0.1]]","[[1,-2],[1,-2]]",ok'
    markdown = run_cg("eval", *ARGS, "--format", "markdown").output
    assert "| ∂L/∂W | [[1, -2], [1, -2]] | ✓ |" in markdown


def test_a_big_array_is_compact_on_a_terminal_and_whole_in_json():
    import json

    values = {"W": np.arange(64.0).reshape(8, 8), "x": np.ones(8)}
    result = evaluate("L = sum(W @ x)", values)
    from cgcli.render.table import render_plain

    text = render_plain(result, 6, ["W", "x"])
    assert "∂L/∂W = [[1, 1, …, 1, 1], [1, 1, …, 1, 1], …, [1, 1, …, 1, 1], [1, 1, …, 1, 1]]" in text
    assert json.loads(json.dumps(result.as_dict()))["gradient"]["W"] == np.ones((8, 8)).tolist()


@pytest.mark.parametrize(
    "argv",
    [
        ["explain", *ARGS, "--mode", "forward", "--wrt", "x"],
        ["grad", *ARGS],
        ["hessian", *ARGS],
        ["grad", "x * 2", "x=[1,2]"],
        ["grad", "sum(W @ x)"],  # no values: SymPy's worker must not be where it fails
        ["grad", "sum(x)", "--order", "2"],
    ],
)
def test_the_commands_that_work_on_scalars_say_so(argv):
    result = run_cg(*argv)
    assert result.exit_code == 2
    assert "this works on scalar programs; the program uses vectors or matrices" in result.output


@pytest.mark.parametrize(
    ("argv", "option"),
    [(["--mode", "forward", "--wrt", "x"], "--mode forward"), (["--grad-graph"], "--grad-graph")],
)
def test_the_modes_of_cg_eval_that_work_on_scalars_name_their_option(argv, option):
    """It said 'this works on scalar programs ... which cg eval and evaluate() take': cg
    eval itself, with the option that needs scalars."""
    result = run_cg("eval", *ARGS, *argv)
    assert (result.exit_code, result.output) == (
        2,
        f"cg: usage error: {option} works on scalar programs; this one uses vectors or "
        "matrices: leave it out, and cg eval runs the reverse pass over the arrays\n",
    )


def test_a_matrix_read_row_by_row_evaluates_over_arrays():
    """W read only as W[2], a 3×2 matrix given: the row is a vector, and so is L (an
    array output, differentiated as the sum of its entries); it was refused as 'this
    works on scalar programs'. ∂ΣL/∂W[2] = (3, 3)."""
    result = evaluate("L = W[2] * 3", {"W": [[1, 2], [3, 4], [5, 6]]})
    assert result.value.tolist() == [9.0, 12.0]
    assert {k: v.tolist() for k, v in result.gradient.items()} == {"W[2]": [3.0, 3.0]}
    assert result.check.ok


def test_exact_and_points_say_what_they_take():
    assert "--exact works on scalar programs" in run_cg("eval", *ARGS, "--exact").output
    with pytest.raises(UsageError, match="--engine dask evaluates scalar programs"):
        evaluate("sum(W)", {"W": [[1, 2]]}, points="rows", out="out", engine="dask")


# --- every array op of the table, against SymPy and finite differences ------------------

ARRAY_OP_CASES = {
    "stack": ("L = sum([a, 2 * a, b] * w)", {"a": 0.3, "b": -1.2, "w": [1.5, -0.5, 2.0]}),
    "matmul": (
        "L = sum(tanh(A @ B))",
        {"A": [[0.5, -1, 0.2], [1, 0.3, -0.4]], "B": [[1, 2], [0, -1], [0.5, 0.5]]},
    ),
    "transpose": (
        "L = sum(sin(A.T) * C)",
        {"A": [[0.5, -1, 0.2], [1, 0.3, -0.4]], "C": [[1, 2], [0, -1], [0.5, 0.5]]},
    ),
    "sum": (
        "L = sum(exp(sum(A, axis=0))) + sum(A, axis=1) @ [1, -2] + sum(A)^2",
        {"A": [[0.5, -1, 0.2], [1, 0.3, -0.4]]},
    ),
    "mean": (
        "L = sum(exp(mean(A, axis=1))) + mean(A, axis=-2) @ [1, -2, 3] + mean(A)^2",
        {"A": [[0.5, -1, 0.2], [1, 0.3, -0.4]]},
    ),
    "dot": ("L = dot(a, b)^2 + dot(a, a)", {"a": [0.5, -1, 2], "b": [1, 0.3, -0.2]}),
    "norm": ("L = norm(A) + norm(v)^3", {"A": [[0.5, -1], [0.2, 1]], "v": [3, -4]}),
    "softmax": (
        "L = sum(softmax(A) * C) + sum(softmax(A, axis=0) * C^2)",
        {"A": [[0.5, -1, 0.2], [1, 0.3, -0.4]], "C": [[1, 2, 0], [0, -1, 3]]},
    ),
    "logsumexp": (
        "L = logsumexp(v) + sum(logsumexp(A, axis=0) * [1, 2, 3])",
        {"v": [0.5, -1, 2], "A": [[0.5, -1, 0.2], [1, 0.3, -0.4]]},
    ),
    "index": (
        "n = norm(A) + norm(v)\nL = A[2, 1] * v[3] + sum(A[1] * A[2]) + n",
        {"A": [[0.5, -1, 0.2], [1, 0.3, -0.4]], "v": [1, 2, 3]},
    ),
}


def test_every_array_op_has_a_case():
    from cgcli.core.array_ops import ARRAY_OPS

    assert sorted(ARRAY_OP_CASES) == sorted(ARRAY_OPS)


@pytest.mark.parametrize("name", sorted(ARRAY_OP_CASES))
def test_each_array_op_against_sympy_and_finite_differences(name):
    program, values = ARRAY_OP_CASES[name]
    result = evaluate(program, values)
    assert name in {n.op.partition(":")[0] for n in result.graph.nodes}
    assert result.check.method == "sympy" and result.ok
    assert all(v is None or v.status == "ok" for v in result.check.grads)

    def loss(v):
        return evaluate(program, v, check=False).value

    for key in values:
        np.testing.assert_allclose(
            result.gradient[key], finite_difference(loss, values, key), rtol=1e-6, atol=1e-8
        )


def test_a_program_too_big_for_the_high_precision_check_is_left_unchecked_saying_why():
    rng = np.random.default_rng(4)
    values = {"W": rng.normal(size=(100, 100)), "X": rng.normal(size=(100, 30))}
    result = evaluate("L = sum(W @ X)", values)
    assert result.check.value.status == "unchecked" and result.ok
    assert (
        "up to 200,000 scalar operations, and this one has 313,001" in result.check.note
    )  # 10⁴ + 3·10³ + 100·30·100 + 1


# --- cg explain: the matrix rules with shapes -----------------------------------------

EXPLAIN = ["D = W @ X; L = sum(D * G)", "W=[[1,2,0],[0,-1,3]]", "X=[[1,0],[2,1],[-1,2]]"]


@pytest.mark.parametrize(
    ("program", "rule", "gradient"),
    [  # by hand at x = (3, 1), G = (2, 5): d(x·x)/dx = 2x; d(x/G)/dG = -x/G²
        ("v = x*x; L = sum(G * v)", "∂L/∂x gets ∂L/∂v ⊙ (x + x)", "∂L/∂x = [12, 10]"),
        ("v = x/G; L = sum(v)", "∂L/∂G gets ∂L/∂v ⊙ (-x/G²)", "∂L/∂G = [-0.75, -0.04]"),
        ("v = x*x - x; L = sum(v * v)", "∂L/∂v gets ∂L/∂t2 ⊙ (v + v)", "∂L/∂v = [12, 0]"),
    ],
)
def test_explain_groups_a_sum_or_a_sign_inside_a_product(program, rule, gradient):
    result = run_cg("explain", program, "x=[3,1]", "G=[2,5]")
    assert result.exit_code == 0, result.output
    assert f"    {rule}\n" in result.output
    assert f"    {gradient}   (shape 2)\n" in result.output


def test_explain_writes_the_matrix_rules_with_their_shapes():
    result = run_cg("explain", *EXPLAIN, "G=[[0.5,-1],[2,0.1]]")
    assert result.exit_code == 0, result.output
    backward = result.output.split("∂L/∂L = 1\n")[1]
    assert backward == (
        "  L = sum(v1):\n"
        "    ∂L/∂v1 gets ∂L/∂L, copied to every entry that was summed\n"
        "    ∂L/∂v1 = [[1, 1], [1, 1]]   (shape 2×2)\n"
        "  v1 = D * G:\n"
        "    ∂L/∂D gets ∂L/∂v1 ⊙ G\n"
        "    ∂L/∂G gets ∂L/∂v1 ⊙ D\n"
        "    ∂L/∂D = [[0.5, -1], [2, 0.1]]   (shape 2×2)\n"
        "    ∂L/∂G = [[5, 2], [-5, 5]]   (shape 2×2)\n"
        "  D = W @ X:\n"
        "    ∂L/∂W gets ∂L/∂D · Xᵀ, (2×2)(2×3) → 2×3\n"
        "    ∂L/∂X gets Wᵀ · ∂L/∂D, (3×2)(2×2) → 3×2\n"
        "    ∂L/∂W = [[0.5, 0, -2.5], [2, 4.1, -1.8]]   (shape 2×3)\n"
        "    ∂L/∂X = [[0.5, -1], [-1, -2.1], [6, 0.3]]   (shape 3×2)\n"
    )
    # G · Xᵀ and Wᵀ · G by hand, as the rules say
    g = np.array([[0.5, -1], [2, 0.1]])
    w, x = np.array([[1, 2, 0], [0, -1, 3]]), np.array([[1, 0], [2, 1], [-1, 2]])
    np.testing.assert_allclose(g @ x.T, [[0.5, 0, -2.5], [2, 4.1, -1.8]])
    np.testing.assert_allclose(w.T @ g, [[0.5, -1], [-1, -2.1], [6, 0.3]])


def test_explain_of_a_matrix_vector_layer_writes_vectors_as_columns():
    from cgcli import explain

    text = explain("L = sum(W @ x + b)", {"W": W, "x": X, "b": B}).text
    assert "∂L/∂W gets ∂L/∂v1 · xᵀ, (3×1)(1×2) → 3×2" in text
    assert "∂L/∂x gets Wᵀ · ∂L/∂v1, (2×3)(3×1) → 2" in text
    text = explain(
        "D = W @ X + b\nL = sum(D)", {"W": W, "X": np.ones((2, 4)), "b": [[1], [2], [3]]}
    ).text
    assert "∂L/∂b gets ∂L/∂D, summed over the axes broadcasting stretched (3×4 → 3×1)" in text
    text = explain("L = sum(D * D)", {"D": [1, 2]}).text
    assert "∂L/∂D gets ∂L/∂v1 ⊙ (D + D)" in text


def test_explain_in_markdown_and_in_latex(tmp_path):
    markdown = run_cg("explain", *EXPLAIN, "G=[[0.5,-1],[2,0.1]]", "--format", "markdown")
    assert "  * `∂L/∂W gets ∂L/∂D · Xᵀ, (2×2)(2×3) → 2×3`" in markdown.output
    latex = run_cg("explain", *EXPLAIN, "G=[[0.5,-1],[2,0.1]]", "--format", "latex").output
    rule = (
        r"\item[] \quad \ensuremath{\partial}L/\ensuremath{\partial}W gets "
        r"\ensuremath{\partial}L/\ensuremath{\partial}D \ensuremath{\cdot} X\ensuremath{^{\top}}, "
        r"(2\ensuremath{\times}2)(2\ensuremath{\times}3) \ensuremath{\to} 2\ensuremath{\times}3"
    )
    assert rule in latex.splitlines()


def test_latex_shows_arrays_as_small_matrices():
    from cgcli.render.formats import latex_matrix

    assert latex_matrix(np.array([0.5, -1.0]), 6) == (
        r"\left[\begin{smallmatrix}0.5 \\ -1\end{smallmatrix}\right]"
    )
    big = latex_matrix(np.arange(64.0).reshape(8, 8), 6)
    assert r"\\ \vdots & \vdots & \ddots & \vdots & \vdots \\" in big
    assert r"0 & 1 & \cdots & 6 & 7" in big


def test_a_recurrence_over_vectors_in_a_loop():
    program = "h = [0, 0]\nfor t in 1..3:\n    h = tanh(W @ h + U * t)\nL = sum(h)"
    values = {"W": [[0.5, -1], [0.2, 0.3]], "U": [0.1, -0.2]}
    result = evaluate(program, values, check=False)

    def by_hand(v):
        h = np.zeros(2)
        for t in range(1, 4):
            h = np.tanh(np.asarray(v["W"]) @ h + np.asarray(v["U"]) * t)
        return h.sum()

    assert result.value == pytest.approx(by_hand(values))
    for name in ("W", "U"):
        np.testing.assert_allclose(
            result.gradient[name], finite_difference(by_hand, values, name), rtol=1e-6
        )


def test_the_drawing_labels_wires_with_shapes_and_each_branch_of_a_fork_with_its_share():
    import re

    result = run_cg("graph", "M = sum(V.T @ V, axis=0); L = M[1] + V[2, 1]", "V=[[1,2],[3,4]]")
    assert "V (input)   value (2×2) [[1, 2], [3, 4]]" in result.output
    dot = run_cg(
        "graph", "L = sum(V) + V[2, 1]", "V=[[1,2],[3,4]]", "--format", "dot", "--style", "circuit"
    ).output
    tips = re.findall(r'tooltip="([^"]*)"', dot)
    # the fork carries the whole gradient; each branch what its gate sends back
    assert "V → fork: value (2×2) [[1, 2], [3, 4]], gradient (2×2) [[1, 1], [2, 1]]" in tips
    assert "V → sum: value (2×2) [[1, 2], [3, 4]], gradient (2×2) [[1, 1], [1, 1]]" in tips
    assert "V → [2,1]: value (2×2) [[1, 2], [3, 4]], gradient (2×2) [[0, 0], [1, 0]]" in tips


def test_a_numpy_vector_is_taken_whole_and_still_fills_an_indexed_name_as_a_list_does():
    big = np.linspace(-1, 1, 10**5)
    result = evaluate("L = sum(x * x)", {"x": big}, check=False)
    assert result.value == pytest.approx(float(big @ big))
    np.testing.assert_allclose(result.gradient["x"], 2 * big)
    # for x[t], the first entry goes to the smallest index the program uses
    assert evaluate("x[0] + 10*x[1]", {"x": np.array([1.0, 2.0])}, check=False).value == 21


def test_the_check_calls_a_gradient_through_a_kink_a_convention():
    result = evaluate("h = relu(W @ x)\nL = sum(h)", {"W": [[1, 0], [0, 1]], "x": [0, 1]})
    assert result.check.method == "sympy" and result.ok
    np.testing.assert_allclose(result.gradient["x"], [0, 1])  # relu'(0) = 0, as PyTorch
    assert result.check.grads[result.graph.bindings["x"]].status == "convention"
    assert result.check.grads[result.graph.bindings["h"]].status == "ok"


def test_the_check_of_a_small_batch_classifier_is_sympy_s_node_by_node():
    rng = np.random.default_rng(0)
    values = {
        "W": rng.normal(size=(3, 4)).round(2),
        "X": rng.normal(size=(4, 5)).round(2),
        "b": rng.normal(size=(3, 1)).round(2),
        "Y": np.eye(3)[:, [0, 1, 2, 0, 1]],
    }
    program = "S = W @ X + b\nL = mean(logsumexp(S, axis=0) - sum(S * Y, axis=0))"
    result = evaluate(program, values, check_timeout=60)
    assert result.check.method == "sympy" and result.ok
    statuses = {v.status for v in result.check.grads if v is not None}
    assert statuses == {"ok"}


def test_a_wrong_matrix_rule_in_the_op_table_is_caught(monkeypatch):
    from cgcli.core import array_ops

    matmul = array_ops.ARRAY_OPS["matmul"]

    def transposed_mistake(np, args, out, g, parameter):  # Xᵀ·dD for dD·Xᵀ: a shape-safe slip
        a, b = args
        return g @ b.T * 2, a.T @ g

    monkeypatch.setitem(array_ops.ARRAY_OPS, "matmul", matmul._replace(vjp=transposed_mistake))
    result = evaluate("L = sum(W @ X)", {"W": [[1, 2], [3, 4]], "X": [[1, 0], [2, 1]]})
    assert not result.ok
    verdict = result.check.grads[result.graph.bindings["W"]]
    assert verdict.status == "mismatch" and "at entry [1, 1]" in verdict.reason


def test_an_entry_may_come_before_the_whole_array():
    values = {"W": [[0.5, -1], [2, 0.1]], "x": [1, -2]}
    result = evaluate("y = W[2, 1] * x[1]\nL = sum(W @ x) + y", values)
    assert result.value == pytest.approx((0.5 * 1 + -1 * -2) + (2 * 1 + 0.1 * -2) + 2 * 1)
    np.testing.assert_allclose(result.gradient["W"], [[1, -2], [2, -2]])  # W[2,1]: 1 + x[1]
    np.testing.assert_allclose(result.gradient["x"], [2.5 + 2, -0.9])
    assert result.ok


def test_the_scalar_and_the_array_ops_share_no_name():
    """A scalar program is told apart without importing the array ops (passes.engine, the
    parser's calls): no name of the scalar op table, nor input, const, copy or a
    constant, is an array op's or an array function's."""
    from cgcli.core import ops
    from cgcli.core.array_ops import ARRAY_OPS, FUNCTION_NAMES
    from cgcli.core.ir import COPY, INPUT, NUMBER
    from cgcli.passes.engine import is_array_op

    scalar = {*ops.OPERATORS, *ops.FUNCTIONS, *ops.DERIVATIVE_OPS, *ops.CONSTANTS}
    scalar |= {INPUT, NUMBER, COPY}
    assert scalar.isdisjoint(ARRAY_OPS)
    assert scalar.isdisjoint(FUNCTION_NAMES)
    assert not any(is_array_op(op) for op in scalar)
    assert all(is_array_op(op) for op in ("matmul", "sum", "sum:0", "index:2,1", "stack"))


def test_an_intermediate_array_value_is_checked_entry_by_entry():
    """a = (x + 1e16) - 1e16 is [0, 2] in float64 where it is [1, 2]: nothing downstream
    shows it (a*0), and its row said ✓."""
    result = evaluate("a = (x+1e16) - 1e16; L = sum(a*0 + x)", {"x": [1, 2]})
    a = next(n for n in result.graph.nodes if n.name == "a")
    verdict = result.check.values[a.index]
    assert (verdict.status, verdict.reason) == ("mismatch", "ours 0, expected 1 at entry [1]")
    assert not result.check.ok
    fine = evaluate("h = W @ x; L = sum(tanh(h))", {"W": [[1, 2], [3, 4]], "x": [0.5, -1]})
    assert fine.check.ok and {v.status for v in fine.check.values if v} == {"ok"}
