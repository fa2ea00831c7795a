"""cg grad and --exact (cg check is tested in test_grading.py)."""

from __future__ import annotations

import json

import pytest
import sympy

SEED = ["p = x + y; g = p * z", "x=1", "y=3", "z=-3"]


# --- cg grad ------------------------------------------------------------------------


def test_grad_symbolic(cg):
    result = cg("grad", "(x+y)*z")
    assert result.stdout == "∂f/∂x = z\n∂f/∂y = z\n∂f/∂z = x + y\n"


def test_grad_evaluated(cg):
    result = cg("grad", "(x+y)*z", "x=1", "y=3", "z=-3")
    assert result.stdout == "∂f/∂x = z = -3\n∂f/∂y = z = -3\n∂f/∂z = x + y = 4\n"
    result = cg("grad", "log(x)*y", "x=1/3", "y=2", "--wrt", "x")
    assert result.stdout == "∂f/∂x = y/x = 6\n"
    result = cg("grad", "sin(x)", "x=1/3")
    assert result.stdout == "∂f/∂x = cos(x) = cos(1/3) ≈ 0.944957\n"


@pytest.mark.parametrize(
    "program",
    ["x^3 + sin(x)*y", "sigmoid(w*x + b)", "log(1 + x^2) / (1 + y^2)", "a = x*y; a += exp(x); a"],
)
def test_grad_agrees_with_sympy(cg, program):
    doc = json.loads(cg("grad", program, "--format", "json", "--expand").stdout)
    from cgcli import parse
    from cgcli.check.symbolic import build, input_symbols

    graph = parse(program).bind_constants(())
    symbols = input_symbols(graph)
    output = build(graph, symbols)[graph.output]
    for name, entry in doc["gradient"].items():
        ours = sympy.parse_expr(entry["formula"].replace("^", "**"), local_dict=symbols)
        reference = sympy.diff(output, symbols[name])
        for point in (
            {"x": 0.3, "y": -1.2, "w": 0.7, "b": 2},
            {"x": 1.9, "y": 0.4, "w": -2, "b": 0},
        ):
            at = {symbols[n]: sympy.Rational(str(v)) for n, v in point.items() if n in symbols}
            assert abs(sympy.N((ours - reference).xreplace(at), 30)) < 1e-25


def test_grad_latex(cg):
    result = cg("grad", "x^3 + sin(x)*y", "--format", "latex")
    assert result.stdout == (
        "% cg grad: needs \\usepackage{amsmath}\n"
        "\\begin{align*}\n"
        "\\frac{\\partial f}{\\partial x} &= 3 x^{2} + y \\cos{\\left(x \\right)} \\\\\n"
        "\\frac{\\partial f}{\\partial y} &= \\sin{\\left(x \\right)} \\\\\n"
        "\\end{align*}\n"
    )


# --- --exact ------------------------------------------------------------------------


def test_eval_exact(cg):
    result = cg("eval", "x * y + sqrt(x)", "x=1/3", "y=2", "--exact")
    assert "f = sqrt(3)/3 + 2/3 ≈ 1.24402  ✓" in result.stdout
    assert "∂f/∂x = sqrt(3)/2 + 2 ≈ 2.86603  ✓" in result.stdout
    assert "∂f/∂y = 1/3 ≈ 0.333333  ✓" in result.stdout
    doc = json.loads(cg("eval", "x*y", "x=1/3", "y=3/7", "--exact", "--format", "json").stdout)
    assert doc["exact"]["value"] == "1/7"
    assert doc["exact"]["gradient"] == {"x": "3/7", "y": "1/3"}


def test_exact_follows_the_kink_convention(cg):
    doc = json.loads(cg("eval", "relu(x)*y", "x=0", "y=1/2", "--exact", "--format", "json").stdout)
    assert doc["exact"]["gradient"] == {"x": "0", "y": "0"}


def test_explain_exact(cg):
    result = cg("explain", "p = x + y; g = p * z", "x=1/3", "y=3", "z=-3", "--exact")
    assert "  p = x + y = 1/3 + 3 = 10/3 ≈ 3.33333\n" in result.stdout
    assert "  g = p * z = 10/3 * (-3) = -10\n" in result.stdout
