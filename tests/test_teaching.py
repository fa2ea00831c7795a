"""cg grad, cg check (grading with diagnoses, answer sheets) and --exact."""

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
    from cgcli.symbolic import build, input_symbols

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


# --- cg check -----------------------------------------------------------------------


def test_check_all_right(cg):
    result = cg("check", *SEED, "--expect", "p=4, g=-12, dg/dx=-3", "--expect", "dy=-3 dz=4")
    assert result.exit_code == 0
    assert result.stdout.endswith("5 of 5 right\n")


@pytest.mark.parametrize(
    ("program", "values", "answer", "mistake"),
    [
        ("p = x + y; g = p * z", ["x=1", "y=3", "z=-3"], "dg/dx=3", "sign error"),
        ("p = x + y; g = p * z", ["x=1", "y=3", "z=-3"], "dg/dz=-3", "wrong local derivative"),
        ("p = x + y; g = p * z", ["x=1", "y=3", "z=-3"], "dg/dy=1", "wrong upstream gradient"),
        ("a = x*y; b = a + x; f = sin(b) * a", ["x=2", "y=0.5"], "df/dx=-0.99",
         "missing sum"),
        ("a = x*y; b = a + x; f = sin(b) * a", ["x=2", "y=0.5"], "df/da=-0.99",
         "missing sum"),
        ("sigmoid(w*x)", ["w=2", "x=1"], "dw=0.8808", "wrong local derivative"),
        ("p = x + y; g = p * z", ["x=1", "y=3", "z=-3"], "p=3", "wrong operation"),
        ("p = x + y; g = p * z", ["x=1", "y=3", "z=-3"], "g=12", "sign error"),
        ("a = x*y; b = a + x; f = sin(b) * a", ["x=2", "y=0.5"], "dx=-0.8489",
         "gradient of another node"),
        ("p = x + y; g = p * z", ["x=1", "y=3", "z=-3"], "dg/dx=7", "no common mistake"),
    ],
)  # fmt: skip
def test_check_names_the_mistake(cg, program, values, answer, mistake):
    result = cg("check", program, *values, "--expect", answer, "--format", "json")
    assert result.exit_code == 1
    (graded,) = json.loads(result.stdout)["answers"]
    assert graded["right"] is False
    assert graded["mistake"] == mistake


def test_check_carried_errors(cg):
    result = cg("check", *SEED, "--expect", "p=3, g=-9, dg/dp=4, dg/dx=4", "--format", "json")
    mistakes = [a["mistake"] for a in json.loads(result.stdout)["answers"]]
    assert mistakes == [
        "wrong operation",
        "carried error",
        "wrong local derivative",
        "wrong upstream gradient",
    ]


def test_check_text_output(cg):
    result = cg("check", *SEED, "--expect", "p=4, dg/dx=3")
    assert result.stdout == (
        "answer  given  correct  grade\n"
        "p           4        4  ✓ right\n"
        "∂g/∂x       3       -3  ✗ sign error: the size is right, the sign is not\n"
        "1 of 2 right\n"
    )


def test_tolerance(cg):
    assert cg("check", "sigmoid(x)", "x=1", "--expect", "f=0.7311").exit_code == 0
    assert cg("check", "sigmoid(x)", "x=1", "--expect", "f=0.73").exit_code == 1
    assert cg("check", "sigmoid(x)", "x=1", "--expect", "f=0.73", "--tol", "0.01").exit_code == 0


def test_answer_sheets(cg, tmp_path):
    sheet = cg("eval", *SEED, "--format", "markdown").stdout
    filled = sheet.replace(
        "| p | add | x, y | `x + y` | 4 | -3 | ✓ |", "| p | add | x, y | `x + y` | 4 | 3 | |"
    )
    (tmp_path / "sheet.md").write_text(filled, encoding="utf-8")
    result = cg("check", *SEED, "--answers", str(tmp_path / "sheet.md"), "--format", "json")
    doc = json.loads(result.stdout)
    wrong = [a for a in doc["answers"] if not a["right"]]
    assert [(a["answer"], a["mistake"]) for a in wrong] == [("dg/dp", "sign error")]
    assert doc["total"] == 10

    blank = "\n".join(
        line if not line.startswith("| x ") else "| x | input |  | `x` |  |  |  |"
        for line in sheet.splitlines()
    )
    (tmp_path / "blank.md").write_text(blank, encoding="utf-8")
    doc = json.loads(
        cg("check", *SEED, "--answers", str(tmp_path / "blank.md"), "--format", "json").stdout
    )
    assert "x" not in [a["label"] for a in doc["answers"] if a["kind"] == "value"]

    (tmp_path / "a.csv").write_text("node,value,grad\np,4,-3\nx,,-3\nz,,-3\n", encoding="utf-8")
    doc = json.loads(
        cg("check", *SEED, "--answers", str(tmp_path / "a.csv"), "--format", "json").stdout
    )
    assert [(a["answer"], a["right"]) for a in doc["answers"]] == [
        ("p", True), ("dg/dp", True), ("dg/dx", True), ("dg/dz", False),
    ]  # fmt: skip

    (tmp_path / "a.json").write_text('{"p": 4, "dg/dx": "-3", "gradients": {"z": 4}}')
    result = cg("check", *SEED, "--answers", str(tmp_path / "a.json"))
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "3 of 3 right")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("q=4", "answer q: no node is called q"),
        ("dh/dx=4", "answer dh/dx: the output is g, so write dg/dx"),
        ("p", "--expect p: write KEY=NUMBER"),
    ],
)
def test_bad_answers(cg, answer, message):
    result = cg("check", *SEED, "--expect", answer)
    assert result.exit_code == 2
    assert message in result.stderr


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


def test_check_exact(cg):
    assert cg("check", "x*3", "x=1/9", "--expect", "f=1/3", "--exact").exit_code == 0
    assert cg("check", "x*3", "x=1/9", "--expect", "f=0.3333333", "--exact").exit_code == 1
    assert cg("check", "x*3", "x=1/9", "--expect", "f=0.3333333").exit_code == 0
