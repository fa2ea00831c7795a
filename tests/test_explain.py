"""cg explain: the seed's worked solution, step by step, in text, Markdown and LaTeX."""

from __future__ import annotations

import re

import pytest

SEED = ["p = x + y; g = p * z", "x=1", "y=3", "z=-3"]


def test_seed_solution_text(cg):
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
        "  g = p * z, so ∂g/∂p = z = -3 and ∂g/∂z = p = 4\n"
        "  p = x + y, so ∂p/∂x = 1 and ∂p/∂y = 1\n"
        "  ∂g/∂x = ∂g/∂p · ∂p/∂x = (-3) · 1 = -3\n"
        "  ∂g/∂y = ∂g/∂p · ∂p/∂y = (-3) · 1 = -3\n"
        "  ∂g/∂z = 4\n"
    )


def test_a_node_with_several_uses_shows_the_sum(cg):
    result = cg("explain", "a = x*y; b = a + x; f = sin(b) * a", "x=2", "y=0.5", "--digits", "4")
    lines = result.stdout.splitlines()
    assert (
        "  ∂f/∂a = ∂f/∂b · ∂b/∂a + ∂f/∂f · ∂(n5 * a)/∂a = (-0.99) · 1 + 1 · 0.1411 = -0.8489"
        in lines
    )
    assert (
        "  ∂f/∂x = ∂f/∂a · ∂a/∂x + ∂f/∂b · ∂b/∂x = (-0.8489) · 0.5 + (-0.99) · 1 = -1.414" in lines
    )
    assert "  n5 = sin(b), so ∂n5/∂b = cos(b) = -0.99" in lines


def test_repeated_argument_sums_the_local_derivative(cg):
    result = cg("explain", "x*x", "x=3")
    assert "  f = x * x, so ∂f/∂x = 2*x = 6\n" in result.stdout
    assert result.stdout.endswith("  ∂f/∂x = 6\n")


def test_markdown(cg):
    result = cg("explain", *SEED, "--format", "markdown")
    assert result.stdout.startswith("## Forward pass\n\nInputs: `x = 1, y = 3, z = -3`\n")
    assert "- `∂g/∂x = ∂g/∂p · ∂p/∂x = (-3) · 1 = -3`\n" in result.stdout


KNOWN_MACROS = {
    "textbf", "begin", "end", "frac", "partial", "cdot", "mathit", "left", "right",
    "sin", "cos", "tan", "exp", "log", "tanh", "sinh", "cosh", "sqrt", "operatorname",
    "arcsin", "arccos", "arctan", "max", "min", "approx", "theta", "_", "#",
}  # fmt: skip


def assert_balanced_latex(text: str) -> None:
    depth = 0
    for char in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert text.count(r"\begin{align*}") == text.count(r"\end{align*}") == 2
    assert text.count(r"\left") == text.count(r"\right")
    assert set(re.findall(r"\\([A-Za-z]+|.)", text)) - {"\\"} <= KNOWN_MACROS


@pytest.mark.parametrize(
    "args",
    [
        SEED,
        ["a = x*y; b = a + x; f = sin(b) * a", "x=2", "y=0.5"],
        ["h = tanh(w*x + b); loss = (h - t)^2 / 2", "w=0.5", "x=2", "b=-1", "t=1"],
        [
            "sigmoid(w0*x0 + w1*x1 + w2) + sqrt(abs(x0)) + exp(-x1)",
            "w0=2",
            "x0=-1",
            "w1=-3",
            "x1=-2",
            "w2=-3",
        ],
    ],
)
def test_latex_is_well_formed(cg, args):
    result = cg("explain", *args, "--format", "latex")
    assert result.exit_code == 0
    assert_balanced_latex(result.stdout)
    assert r"\frac{\partial" in result.stdout


def test_seed_latex(cg):
    result = cg("explain", *SEED, "--format", "latex")
    assert (
        r"\frac{\partial g}{\partial x} &= \frac{\partial g}{\partial p} \cdot "
        r"\frac{\partial p}{\partial x} = (-3) \cdot 1 = -3 \\" in result.stdout
    )
    assert r"g &= p \cdot z = 4 \cdot (-3) = -12 \\" in result.stdout
