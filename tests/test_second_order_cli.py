"""cg eval --mode forward / --tangent / --grad-graph and cg hessian: exact output, errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given
from test_properties import VARIABLES, points, programs

from cgcli import CgError, evaluate_gradient_graph

COLAH = "c = a + b; d = b + 1; e = c * d"
COST = (
    "cost: forward mode needs one pass per input (2 passes for the whole gradient), "
    "reverse mode one per output (1 pass)"
)


def test_forward_mode_table(cg):
    result = cg("eval", COLAH, "a=2", "b=1", "--mode", "forward", "--wrt", "b")
    assert result.exit_code == 0
    assert result.stdout == (
        "node  op     inputs  text   value  ∂node/∂b  check\n"
        "a     input          a          2         0  ✓\n"
        "b     input          b          1         1  ✓\n"
        "c     add    a, b    a + b      3         1  ✓\n"
        "d     add    b, 1    b + 1      2         1  ✓\n"
        "e     mul    c, d    c * d      6         5  ✓\n"
        "\n"
        "e = 6  ✓\n"
        "∂e/∂b = 5  ✓\n"
        "check: sympy, every tangent: all agree (tolerance relative 1e-09 + absolute 1e-12)\n"
        f"{COST}\n"
    )


def test_directional_derivative(cg):
    result = cg("eval", COLAH, "a=2", "b=1", "--tangent", "a=1,b=1/2")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "node  op     inputs  text   value  ∂node/∂ṽ  check"
    assert lines[-5:-2] == ["e = 6  ✓", "direction ṽ: a = 1, b = 0.5", "∂e/∂ṽ = 4.5  ✓"]


def test_forward_mode_machine_formats(cg):
    doc = json.loads(cg("eval", COLAH, "a=2", "b=1", "--mode", "forward", "--wrt", "b",
                        "--format", "json").stdout)  # fmt: skip
    assert doc["direction"] == {"a": 0.0, "b": 1.0}
    assert [n["tangent"] for n in doc["nodes"]] == [0.0, 1.0, 1.0, 0.0, 1.0, 5.0]
    assert doc["derivative"] == 5.0 and doc["check"]["ok"] and doc["check"]["method"] == "sympy"
    csv = cg("eval", COLAH, "a=2", "b=1", "--mode", "forward", "--format", "csv").stdout
    assert csv.splitlines()[0] == "node,op,inputs,text,value,tangent,check"
    assert csv.splitlines()[-1] == 'e,mul,"c, d",c * d,6,2,ok'


def test_forward_mode_errors(cg):
    def error(*args):
        result = cg("eval", COLAH, "a=2", "b=1", *args)
        return result.exit_code, result.stderr

    assert error("--mode", "forward", "--wrt", "a,b") == (
        2,
        "cg: usage error: --mode forward --wrt takes one input (one pass per input); "
        "for a mix of inputs give --tangent a=1,b=0.5\n",
    )
    assert error("--tangent", "a") == (
        2,
        "cg: usage error: --tangent: expected NAME=VALUE,..., got 'a'\n",
    )
    assert error("--tangent", "q=1")[0] == 2
    assert error("--mode", "forward", "--exact")[0] == 2
    assert error("--grad-graph", "--mode", "forward")[0] == 2


def test_gradient_graph_table(cg):
    result = cg("eval", COLAH, "a=2", "b=1", "--grad-graph")
    assert result.exit_code == 0
    assert result.stdout == (
        "node     op     inputs          text             value  reverse pass  check\n"
        "a        input                  a                    2\n"
        "b        input                  b                    1\n"
        "c        add    a, b            a + b                3\n"
        "d        add    b, 1            b + 1                2\n"
        "e        mul    c, d            c * d                6\n"
        "∂e/∂e    copy   1               1                    1             1  ✓\n"
        "∂e/∂c    copy   d               d                    2             2  ✓\n"
        "∂e/∂d    copy   c               c                    3             3  ✓\n"
        "∂e/∂b#1  copy   ∂e/∂d           ∂e/∂d                3\n"
        "∂e/∂a    copy   ∂e/∂c           ∂e/∂c                2             2  ✓\n"
        "∂e/∂b#2  add    ∂e/∂b#1, ∂e/∂c  ∂e/∂b#1 + ∂e/∂c      5             5  ✓\n"
        "\n"
        "gradient graph: 6 program nodes + 6 gradient nodes\n"
        "equals the reverse pass: yes (tolerance relative 1e-09 + absolute 1e-12)\n"
        "check: sympy, every gradient node: all agree\n"
    )


def test_gradient_graph_of_reassigned_names(cg):
    result = cg("eval", "x = x*y; x = x + x^2; relu(x)", "x=1", "y=2", "--grad-graph")
    assert result.exit_code == 0
    assert "∂f/∂x#1    mul    ∂f/∂x#2#2, y    ∂f/∂x#2#2 * y       10            10  ✓" in (
        result.stdout
    )


@given(programs(), points)
def test_evaluated_gradient_graph_equals_the_reverse_pass(program, point):
    text, _ = program
    try:
        result = evaluate_gradient_graph(text, {n: str(point[n]) for n in VARIABLES}, check=False)
    except CgError:
        assume(False)
    assert result.equals_reverse


def test_hessian_table(cg):
    result = cg("hessian", "loss = (w*x + b - y)^2", "w=0.5", "b=0", "x=2", "y=3", "--hvp", "w=1")
    assert result.exit_code == 0
    assert result.stdout == (
        "∂²loss  ∂w   ∂x  ∂b  ∂y\n"
        "∂w       8   -2   4  -4\n"
        "∂x      -2  0.5   1  -1\n"
        "∂b       4    1   2  -2\n"
        "∂y      -4   -1  -2   2\n"
        "\n"
        "loss = 4\n"
        "gradient: ∂loss/∂w = -8, ∂loss/∂x = -2, ∂loss/∂b = -4, ∂loss/∂y = 4\n"
        "direction ṽ: w = 1, x = 0, b = 0, y = 0\n"
        "(H·ṽ)_w = 8  ✓\n"
        "(H·ṽ)_x = -2  ✓\n"
        "(H·ṽ)_b = 4  ✓\n"
        "(H·ṽ)_y = -4  ✓\n"
        "method: forward mode over the gradient graph (one pass per input)\n"
        "check: sympy's hessian at the exact inputs, all agree "
        "(tolerance relative 1e-09 + absolute 1e-12)\n"
    )


def test_hessian_formats(cg):
    doc = json.loads(cg("hessian", "x^2*y", "x=3", "y=2", "--format", "json").stdout)
    assert doc["hessian"] == [[4.0, 6.0], [6.0, 0.0]] and doc["check"]["ok"]
    assert cg("hessian", "x^2*y", "x=3", "y=2", "--format", "csv").stdout == (
        ",x,y\nx,4,6\ny,6,0\n"
    )
    latex = cg("hessian", "x^2*y", "x=3", "y=2", "--format", "latex").stdout
    assert latex.splitlines()[:3] == [
        r"% cg hessian: needs \usepackage{amsmath}",
        "% Hessian of f with respect to (x, y)",
        r"\[ \begin{pmatrix} 4 & 6 \\ 6 & 0 \end{pmatrix} \]",
    ]
    markdown = cg("hessian", "x^2*y", "x=3", "y=2", "--format", "markdown").stdout
    assert markdown.splitlines()[:4] == [
        "| ∂²f | ∂x | ∂y |", "| --- | ---: | ---: |", "| ∂x | 4 | 6 |", "| ∂y | 6 | 0 |",
    ]  # fmt: skip


def test_hessian_errors(cg):
    assert (
        cg("hessian", "3").stderr
        == "cg: usage error: the program has no inputs: its Hessian is empty\n"
    )
    math = cg("hessian", "log(x)", "x=0")
    assert math.exit_code == 3
    assert math.stderr == "cg: math error: 1:1: node f = log(x): log of zero in log(0)\n"
    assert cg("hessian", "x*y", "x=1").exit_code == 2


def test_graph_backward_ascii(cg):
    result = cg("graph", COLAH, "a=2", "b=1", "--backward")
    assert result.exit_code == 0
    assert result.stdout == (
        "∂e/∂a = ∂e/∂c   value 2\n"
        "└── ∂e/∂c = d   value 2\n"
        "    └── d = b + 1   value 2\n"
        "        └── b (input)   value 1\n"
        "\n"
        "∂e/∂b#2 = ∂e/∂b#1 + ∂e/∂c   value 5\n"
        "├── ∂e/∂b#1 = ∂e/∂d   value 3\n"
        "│   └── ∂e/∂d = c   value 3\n"
        "│       └── c = a + b   value 3\n"
        "│           ├── a (input)   value 2\n"
        "│           └── b (input)   value 1\n"
        "└── ∂e/∂c = d   value 2\n"
        "    └── d = b + 1   value 2\n"
        "        └── b (shown above)\n"
    )


def test_graph_backward_dot_holds_both_passes(cg):
    dot = cg("graph", COLAH, "--backward", "--format", "dot").stdout
    assert dot.startswith("digraph cg {")
    assert "e = c * d" in dot and "∂e/∂b#2 = ∂e/∂b#1 + ∂e/∂c" in dot
    assert "n10 -> n12;" in dot and "n8 -> n12;" in dot
    refused = cg(
        "graph", COLAH, "a=2", "b=1", "--backward", "--style", "circuit", "--format", "dot"
    )
    assert refused.exit_code == 2


def test_explain_forward_mode(cg):
    result = cg("explain", COLAH, "a=2", "b=1", "--mode", "forward", "--wrt", "b")
    assert result.exit_code == 0
    assert result.stdout == (
        "Forward mode: tangents ∂node/∂b\n"
        "  inputs: a = 2, b = 1\n"
        "  seeds: ∂a/∂b = 0, ∂b/∂b = 1\n"
        "  c = a + b = 3\n"
        "    ∂c/∂b (local) = 1\n"
        "    ∂c/∂b = ∂c/∂b (local) · ∂b/∂b = 1 · 1 = 1\n"
        "  d = b + 1 = 2\n"
        "    ∂d/∂b (local) = 1\n"
        "    ∂d/∂b = ∂d/∂b (local) · ∂b/∂b = 1 · 1 = 1\n"
        "  e = c * d = 6\n"
        "    ∂e/∂c (local) = d = 2, ∂e/∂d (local) = c = 3\n"
        "    ∂e/∂b = ∂e/∂c (local) · ∂c/∂b + ∂e/∂d (local) · ∂d/∂b = 2 · 1 + 3 · 1 = 5\n"
    )
    assert cg("explain", COLAH, "a=2", "b=1", "--wrt", "b").exit_code == 2
    assert (
        cg("explain", COLAH, "a=2", "b=1", "--mode", "forward", "--format", "latex").exit_code == 2
    )


def test_explain_forward_along_a_direction_with_reassignment():
    from cgcli import explain_forward, forward

    program = "x = x*y; x = sigmoid(x) + x^2; exp(x)/y"
    explanation = explain_forward(program, {"x": 1, "y": 2}, tangent={"x": 1, "y": "1/2"})
    assert repr(explanation) == "<ForwardExplanation: tangents ∂node/∂ṽ, 6 steps>"
    lines = explanation.text.splitlines()
    assert lines[2] == "  seeds: ∂x#1/∂ṽ = 1, ∂y/∂ṽ = 0.5"
    assert lines[10] == "    ∂v2/∂x#2 (local) = 2·x#2 = 4"
    derivative = forward(program, {"x": 1, "y": 2}, tangent={"x": 1, "y": "1/2"}).derivative
    assert lines[-1].endswith(f"= {derivative:.6g}")


def test_grad_order_two(cg):
    result = cg("grad", "x^2*y + sin(y)", "x=1", "y=2", "--order", "2")
    assert result.exit_code == 0
    assert result.stdout == (
        "∂²f/∂x² = 2*y = 4\n∂²f/∂x∂y = 2*x = 2\n∂²f/∂y² = -sin(y) = -sin(2) ≈ -0.909297\n"
    )
    doc = json.loads(cg("grad", "x^2*y", "--order", "2", "--format", "json").stdout)
    assert [(d["wrt"], d["formula"]) for d in doc["second_derivatives"]] == [
        (["x", "x"], "2*y"), (["x", "y"], "2*x"), (["y", "y"], "0"),
    ]  # fmt: skip


def test_symbolic_second_derivatives_agree_with_the_hessian():
    from cgcli import hessian, symbolic_hessian

    program = "loss = (sigmoid(2*w + b) - 1)^2"
    values = {"w": "1/2", "b": 0}
    symbolic = symbolic_hessian(program, values)
    numbers = hessian(program, values, check=False)
    index = {name: k for k, name in enumerate(numbers.inputs)}
    for p in symbolic.partials:
        assert abs(p.value - numbers.matrix[index[p.first]][index[p.second]]) < 1e-12
    assert repr(symbolic_hessian("x^2*y")) == (
        "<SymbolicHessian ∂²f/∂x² = 2*y; ∂²f/∂x∂y = 2*x; ∂²f/∂y² = 0>"
    )


def test_a_derivative_that_is_not_finite_is_a_math_error(cg):
    result = cg("hessian", "sqrt(x)", "x=0")
    assert result.exit_code == 3
    assert result.stderr == (
        "cg: math error: in the gradient graph, node ∂f/∂x = 1 / v1: division by zero in "
        "div(1, 0): a derivative is not finite here (cg eval shows it as inf or nan)\n"
    )
    assert cg("eval", "sqrt(x)", "x=0", "--grad-graph").exit_code == 3


def test_a_second_derivative_beyond_float64_on_the_way_is_a_math_error_there(cg):
    """f = 1/x at 1e-100: the gradient graph computes -1/x² as 1/(x·x) with x·x = 1e-200,
    and forward mode over it meets 1/(x·x)'s derivative, -1e400."""
    result = cg("hessian", "1/x", "x=1e-100")
    assert result.exit_code == 3
    assert result.stderr == (
        "cg: math error: in the gradient graph, node v2 = 1 / v1: local derivative overflows "
        "a float64 in div(1, 1e-200)\n"
    )


def test_a_direction_is_never_named_like_an_input(cg):
    """An input v and a direction of (u, v): ∂f/∂v is the partial (1), the directional
    derivative ∂f/∂ṽ (5) has a name no program can have."""
    from cgcli import parse
    from cgcli.api.forward_mode import DIRECTION

    with pytest.raises(CgError):
        parse(f"{DIRECTION} + 1")
    point = ("u*v", "u=1", "v=2")
    forward = cg("eval", *point, "--mode", "forward", "--tangent", "u=1,v=3").stdout
    assert "direction ṽ: u = 1, v = 3\n∂f/∂ṽ = 5  ✓\n" in forward
    assert "∂f/∂v =" not in forward
    explained = cg("explain", *point, "--mode", "forward", "--tangent", "u=1,v=3").stdout
    assert "seeds: ∂u/∂ṽ = 1, ∂v/∂ṽ = 3" in explained
    assert "∂f/∂ṽ = ∂f/∂u (local) · ∂u/∂ṽ + ∂f/∂v (local) · ∂v/∂ṽ = 2 · 1 + 1 · 3 = 5" in explained
    hvp = cg("hessian", *point, "--hvp", "u=1,v=3").stdout
    assert "direction ṽ: u = 1, v = 3\n(H·ṽ)_u = 3  ✓\n(H·ṽ)_v = 1  ✓\n" in hvp
    partial = cg("eval", *point, "--mode", "forward", "--tangent", "v=1").stdout
    assert "∂f/∂v = 1  ✓" in partial


def test_the_hessians_high_precision_guarantee_is_a_guarantee_not_the_fallbacks_reason():
    """Its JSON guarantee held the note (why SymPy failed) instead of what a ✓ means."""
    from cgcli.api.hessian import PRECISE_SECOND_GUARANTEE, hessian

    result = hessian("relu(x)", {"x": 0})
    assert result.method == "high-precision"
    assert result.as_dict()["check"]["guarantee"] == PRECISE_SECOND_GUARANTEE
    assert "SymPy failed" in result.note
