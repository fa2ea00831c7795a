"""cg explain: the worked solution as a lesson and in brief, in text, Markdown and LaTeX.

The local derivatives are the textbook's forms; every form of the op table is
checked here against SymPy and against cg's own local derivatives, with the
numbers filled in as explain shows them.
"""

from __future__ import annotations

import math
import re

import pytest
import sympy

from cgcli import evaluate
from cgcli.teach.explanation import LocalStep, float_numbers, render_text, solve

SEED = ["p = x + y; g = p * z", "x=1", "y=3", "z=-3"]


def test_seed_lesson(cg):
    result = cg("explain", *SEED)
    assert result.exit_code == 0
    assert result.stdout == (
        "Forward pass\n"
        "  inputs: x = 1, y = 3, z = -3\n"
        "  p = x + y = 1 + 3 = 4\n"
        "  g = p * z = 4 * (-3) = -12\n"
        "\n"
        "Backward pass\n"
        "  ∂g/∂g = 1\n"
        "  g = p * z: a mul gate swaps its inputs' values: "
        "each input's local derivative is the other one\n"
        "    ∂g/∂p (local) = z = -3\n"
        "    ∂g/∂z (local) = p = 4\n"
        "  ∂g/∂p = ∂g/∂g · ∂g/∂p (local) = 1 · (-3) = -3\n"
        "  p = x + y: an add gate passes the gradient unchanged to both inputs\n"
        "    ∂p/∂x (local) = 1\n"
        "    ∂p/∂y (local) = 1\n"
        "  ∂g/∂x = ∂g/∂p · ∂p/∂x (local) = (-3) · 1 = -3\n"
        "  ∂g/∂y = ∂g/∂p · ∂p/∂y (local) = (-3) · 1 = -3\n"
        "  ∂g/∂z = ∂g/∂g · ∂g/∂z (local) = 1 · 4 = 4\n"
    )


def test_seed_brief(cg):
    result = cg("explain", *SEED, "--brief")
    assert result.stdout == (
        "Forward pass\n"
        "  inputs: x = 1, y = 3, z = -3\n"
        "  p = x + y = 1 + 3 = 4\n"
        "  g = p * z = 4 * (-3) = -12\n"
        "\n"
        "Backward pass\n"
        "  ∂g/∂g = 1\n"
        "  g = p * z, so ∂g/∂p (local) = z = -3 and ∂g/∂z (local) = p = 4\n"
        "  p = x + y, so ∂p/∂x (local) = 1 and ∂p/∂y (local) = 1\n"
        "  ∂g/∂x = ∂g/∂p · ∂p/∂x (local) = (-3) · 1 = -3\n"
        "  ∂g/∂y = ∂g/∂p · ∂p/∂y (local) = (-3) · 1 = -3\n"
        "  ∂g/∂z = 4\n"
    )


def test_cs231n_sigmoid_neuron(cg):
    args = ["sigmoid(w0*x0 + w1*x1 + w2)", "w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3"]
    lines = cg("explain", *args).stdout.splitlines()
    assert lines[2:7] == [
        "  v1 = w0 * x0 = 2 * (-1) = -2",
        "  v2 = w1 * x1 = (-3) * (-2) = 6",
        "  v3 = v1 + v2 = (-2) + 6 = 4",
        "  v4 = v3 + w2 = 4 + (-3) = 1",
        "  f = sigmoid(v4) = sigmoid(1) = 0.731059",
    ]
    assert "    ∂f/∂v4 (local) = σ(v4)·(1 - σ(v4)) = 0.731059·(1 - 0.731059) = 0.196612" in lines
    assert "  ∂f/∂w0 = ∂f/∂v1 · ∂v1/∂w0 (local) = 0.196612 · (-1) = -0.196612" in lines


def test_colah_reused_input_sums_its_paths(cg):
    lines = cg("explain", "(a+b)*(b+1)", "a=2", "b=1").stdout.splitlines()
    assert "  v2 = b + 1 = 1 + 1 = 2" in lines
    assert lines[-2:] == [
        "  b is used twice: its gradient is the sum of both paths",
        "  ∂f/∂b = ∂f/∂v1 · ∂v1/∂b (local) + ∂f/∂v2 · ∂v2/∂b (local) = 2 · 1 + 3 · 1 = 5",
    ]


def test_a_reused_node_never_has_a_local_and_a_total_that_look_alike(cg):
    """The issue's example: the local ∂x#3/∂x#2 is 1, the total is 4."""
    lines = cg("explain", "x = x * x; x += 3*x; x", "x=3").stdout.splitlines()
    assert "    ∂x#3/∂x#2 (local) = 1" in lines
    assert (
        "  ∂x#3/∂x#2 = ∂x#3/∂v1 · ∂v1/∂x#2 (local) + ∂x#3/∂x#3 · ∂x#3/∂x#2 (local)"
        " = 1 · 3 + 1 · 1 = 4"
    ) in lines
    totals = [line for line in lines if re.match(r"\s*∂x#3/∂x#2 =", line)]
    assert len(totals) == 1


def test_a_node_with_several_uses_shows_the_sum(cg):
    result = cg("explain", "a = x*y; b = a + x; f = sin(b) * a", "x=2", "y=0.5", "--digits", "4")
    lines = result.stdout.splitlines()
    assert (
        "  ∂f/∂a = ∂f/∂b · ∂b/∂a (local) + ∂f/∂f · ∂f/∂a (local) = (-0.99) · 1 + 1 · 0.1411"
        " = -0.8489" in lines
    )
    assert "    ∂v1/∂b (local) = cos(b) = cos(3) = -0.99" in lines
    assert "  v1 = sin(b): a sin gate multiplies the gradient by the cosine of its input" in lines


def test_repeated_argument_sums_the_local_derivative(cg):
    result = cg("explain", "x*x", "x=3")
    assert (
        "    ∂f/∂x (local) = x + x = 3 + 3 = 6 "
        "(x is both inputs of this gate: their local derivatives add up)\n"
    ) in result.stdout
    assert result.stdout.endswith("  ∂f/∂x = ∂f/∂f · ∂f/∂x (local) = 1 · 6 = 6\n")


def test_convention_at_a_kink_is_said(cg):
    lines = cg("explain", "max(x, y)", "x=2", "y=2").stdout.splitlines()
    assert (
        "    ∂f/∂x (local) = [1 if x > y, ½ if x = y, else 0]"
        " = [1 if 2 > 2, ½ if 2 = 2, else 0] = 0.5" in lines
    )
    assert "    at this point cg follows PyTorch's convention" in lines


def test_exact_numbers_fill_the_textbook_forms(cg):
    lines = cg("explain", "sqrt(x) * y", "x=1/4", "y=3", "--exact", "--brief").stdout.splitlines()
    assert "  v1 = sqrt(x), so ∂v1/∂x (local) = 1/(2·sqrt(x)) = 1/(2·(1/2)) = 1" in lines
    assert "  ∂f/∂x = ∂f/∂v1 · ∂v1/∂x (local) = 3 · 1 = 3" in lines


def test_markdown(cg):
    result = cg("explain", *SEED, "--format", "markdown")
    assert result.stdout.startswith("## Forward pass\n\nInputs: `x = 1, y = 3, z = -3`\n")
    assert "- `∂g/∂x = ∂g/∂p · ∂p/∂x (local) = (-3) · 1 = -3`\n" in result.stdout
    assert (
        "- `p = x + y`: an add gate passes the gradient unchanged to both inputs\n" in result.stdout
    )
    assert "  - `∂p/∂x (local) = 1`\n" in result.stdout


def test_seed_latex(cg):
    result = cg("explain", *SEED, "--format", "latex")
    assert result.stdout.startswith("% cg explain: needs \\usepackage{amsmath}\n")
    assert "g &= p \\cdot z = 4 \\cdot \\left(-3\\right) = -12\n" in result.stdout
    assert (
        "\\begin{align*}\n"
        "\\frac{\\partial g}{\\partial x} &= \\frac{\\partial g}{\\partial p} \\cdot "
        "\\left.\\frac{\\partial p}{\\partial x}\\right|_{\\text{local}} \\\\\n"
        "&= \\left(-3\\right) \\cdot 1 = -3\n"
        "\\end{align*}\n"
    ) in result.stdout
    assert "\\noindent $p = x + y$: an add gate passes the gradient" in result.stdout
    assert "\\noindent Inputs: $x = 1$, $y = 3$, $z = -3$." in result.stdout


# --- every textbook form, with its numbers, against SymPy and cg's own derivatives ------

# (program, values): every op of the table, at a point inside its domain
OP_POINTS = [
    ("a + b", {"a": 1.5, "b": -2.25}),
    ("a - b", {"a": 1.5, "b": -2.25}),
    ("a * b", {"a": 1.5, "b": -2.25}),
    ("a / b", {"a": 1.5, "b": -2.25}),
    ("1 / b", {"b": -2.5}),
    ("a ^ b", {"a": 1.5, "b": 2.5}),
    ("a ^ 3", {"a": -1.5}),
    ("a ^ 2", {"a": -1.5}),
    ("2 ^ b", {"b": 0.75}),
    ("-a", {"a": 1.5}),
    ("sin(a)", {"a": 0.7}),
    ("cos(a)", {"a": 0.7}),
    ("tan(a)", {"a": 0.7}),
    ("asin(a)", {"a": 0.3}),
    ("acos(a)", {"a": 0.3}),
    ("atan(a)", {"a": -1.3}),
    ("sinh(a)", {"a": 0.7}),
    ("cosh(a)", {"a": 0.7}),
    ("tanh(a)", {"a": 0.7}),
    ("exp(a)", {"a": 0.7}),
    ("log(a)", {"a": 0.7}),
    ("sqrt(a)", {"a": 0.7}),
    ("abs(a)", {"a": -0.7}),
    ("sigmoid(a)", {"a": 0.7}),
    ("relu(a)", {"a": 0.7}),
    ("relu(a)", {"a": -0.7}),
    ("softplus(a)", {"a": 0.7}),
    ("max(a, b)", {"a": 1.5, "b": -2.25}),
    ("min(a, b)", {"a": 1.5, "b": -2.25}),
    ("max(a, b)", {"a": -3, "b": -2.25}),
]


def _plug(text: str) -> float:
    """Evaluate a textbook formula with its numbers filled in (no Python eval)."""
    cases = re.fullmatch(r"\[(.*)\]", text)
    if cases:
        for branch in cases.group(1).split(", "):
            value, _, condition = branch.partition(" if ")
            if branch.startswith("else "):
                return float(branch.removeprefix("else "))
            left, relation, right = condition.split(" ")
            holds = {">": float(left) > float(right), "<": float(left) < float(right)}.get(
                relation, float(left) == float(right)
            )
            if holds:
                return 0.5 if value == "½" else float(value)
    sign = re.fullmatch(r"sign\((.*)\)", text)
    if sign:
        return float(math.copysign(1, float(sign.group(1))))
    program = text.replace("·", " * ").replace("²", "^2").replace("σ(", "sigmoid(")
    return evaluate(program, check=False).value


@pytest.mark.parametrize(("program", "values"), OP_POINTS, ids=[p for p, _ in OP_POINTS])
def test_textbook_forms_have_the_right_numbers(program, values):
    result = evaluate(program, values, check=False)
    graph = result.graph
    floats = [r.value for r in result.nodes]
    numbers = float_numbers(graph, floats, [r.grad for r in result.nodes], None)
    step = next(s for s in solve(graph, numbers).backward if isinstance(s, LocalStep))
    symbols = {name: sympy.Symbol(name, real=True) for name in values}
    reference = _sympy_program(program, symbols)
    for local in step.derivatives:
        name = graph.label(local.of)
        expected = float(
            sympy.diff(reference, symbols[name]).subs(
                {s: sympy.Rational(str(values[n])) for n, s in symbols.items()}
            )
        )
        shown = float(local.value.text)
        assert shown == pytest.approx(expected, rel=1e-12, abs=1e-15), (program, name)
        plugged = local.numbers.text if local.numbers else local.value.text
        assert _plug(plugged) == pytest.approx(expected, rel=1e-12, abs=1e-15), plugged


def _sympy_program(program: str, symbols: dict) -> sympy.Expr:
    """The op as SymPy writes it, built here by hand (no parse of program text)."""
    a, b = symbols.get("a"), symbols.get("b")
    table = {
        "a + b": lambda: a + b,
        "a - b": lambda: a - b,
        "a * b": lambda: a * b,
        "a / b": lambda: a / b,
        "1 / b": lambda: 1 / b,
        "a ^ b": lambda: a**b,
        "a ^ 3": lambda: a**3,
        "a ^ 2": lambda: a**2,
        "2 ^ b": lambda: 2**b,
        "-a": lambda: -a,
        "abs(a)": lambda: sympy.Abs(a),
        "sigmoid(a)": lambda: 1 / (1 + sympy.exp(-a)),
        "relu(a)": lambda: sympy.Max(a, 0),
        "softplus(a)": lambda: sympy.log(1 + sympy.exp(a)),
        "max(a, b)": lambda: sympy.Max(a, b),
        "min(a, b)": lambda: sympy.Min(a, b),
    }
    if program in table:
        return table[program]()
    function = program.split("(")[0]
    return getattr(sympy, function)(a)


@pytest.mark.parametrize(
    ("program", "values", "line"),
    [
        ("1/den", ["den=4"], "∂f/∂den (local) = -1/den² = -1/4² = -0.0625"),
        ("a/b", ["a=3", "b=2"], "∂f/∂b (local) = -a/b² = -3/2² = -0.75"),
        ("tanh(a)", ["a=0.5"], "∂f/∂a (local) = 1 - tanh(a)² = 1 - 0.462117² = 0.786448"),
        ("exp(a)", ["a=1"], "∂f/∂a (local) = exp(a) = 2.71828"),
        ("log(a)", ["a=4"], "∂f/∂a (local) = 1/a = 1/4 = 0.25"),
        ("sqrt(a)", ["a=4"], "∂f/∂a (local) = 1/(2·sqrt(a)) = 1/(2·2) = 0.25"),
        ("a^3", ["a=2"], "∂f/∂a (local) = 3·a^2 = 3·2^2 = 12"),
        ("a^b", ["a=2", "b=3"], "∂f/∂b (local) = a^b·log(a) = 8·log(2) = 5.54518"),
        ("relu(a)", ["a=-2"], "∂f/∂a (local) = [1 if a > 0, else 0] = [1 if -2 > 0, else 0] = 0"),
        ("sigmoid(a)", ["a=0"], "∂f/∂a (local) = σ(a)·(1 - σ(a)) = 0.5·(1 - 0.5) = 0.25"),
    ],
)
def test_textbook_lines(cg, program, values, line):
    assert f"    {line}\n" in cg("explain", program, *values).stdout


def test_render_text_is_the_library_function():
    result = evaluate("p = x + y; g = p * z", {"x": 1, "y": 3, "z": -3}, check=False)
    floats = [r.value for r in result.nodes]
    numbers = float_numbers(result.graph, floats, [r.grad for r in result.nodes], 6)
    text = render_text(solve(result.graph, numbers), brief=True)
    assert text.endswith("  ∂g/∂z = 4\n")
