"""cg grad in the program's own terms: named intermediates and σ·(1 - σ); --expand."""

from __future__ import annotations

import pytest
import sympy

from cgcli import parse
from cgcli.named_grad import derivatives, for_evaluation
from cgcli.symbolic import build


def test_sigmoid_is_written_with_sigma(cg):
    result = cg("grad", "sigmoid(w*x + b)", "w=2", "x=1/2", "b=-1")
    assert result.stdout == (
        "∂f/∂w = x*(1 - σ(b + w*x))*σ(b + w*x) = 1/8 ≈ 0.125\n"
        "∂f/∂x = w*(1 - σ(b + w*x))*σ(b + w*x) = 1/2 ≈ 0.5\n"
        "∂f/∂b = (1 - σ(b + w*x))*σ(b + w*x) = 1/4 ≈ 0.25\n"
    )


def test_named_intermediates_are_used(cg):
    result = cg("grad", "h = tanh(w*x + b); loss = (h - t)^2", "w=0.5", "x=2", "b=-1", "t=1")
    assert result.stdout == (
        "∂loss/∂w = 2*x*(1 - h^2)*(h - t) = -4\n"
        "∂loss/∂x = 2*w*(1 - h^2)*(h - t) = -1\n"
        "∂loss/∂b = 2*(1 - h^2)*(h - t) = -2\n"
        "∂loss/∂t = 2*(-h + t) = 2\n"
    )
    result = cg("grad", "p = sigmoid(z); loss = -log(p)")
    assert result.stdout == "∂loss/∂z = p - 1\n"


def test_expand_writes_the_inputs_alone(cg):
    result = cg("grad", "sigmoid(w*x + b)", "--expand", "--wrt", "b")
    assert result.stdout == "∂f/∂b = 1/(4*cosh(b/2 + w*x/2)^2)\n"


def test_reassigned_names_use_their_labels(cg):
    assert cg("grad", "x = x * x; x += 3*x; x", "x=3").stdout == "∂x#3/∂x#1 = 8*x#1 = 24\n"


def test_latex_names_are_the_same_as_everywhere(cg):
    result = cg("grad", "h1 = tanh(w0*x); h1^2", "--format", "latex", "--wrt", "w0")
    assert r"\frac{\partial f}{\partial \mathit{w0}}" in result.stdout
    assert r"\mathit{h1}" in result.stdout
    assert "w_{0}" not in result.stdout and "h_{1}" not in result.stdout


def test_relu_at_its_kink_follows_cg(cg):
    assert cg("grad", "relu(x)", "x=0").stdout == "∂f/∂x = Heaviside(x) = 0\n"


PROGRAMS = [
    "sigmoid(w*x + b)",
    "h = tanh(w*x + b); loss = (h - t)^2",
    "a = x*y; b = a + x; f = sin(b) * a",
    "x = x * x; x += 3*x; x",
    "h = relu(w*x + b); o = sigmoid(w*h + t); loss = (o - t)^2 / 2",
    "q = x / y; q = q ^ 2 + exp(q); r = sqrt(q) * max(q, x); r + q",
    "c = 2; p = c * x; p = p * p; -p",
]


@pytest.mark.parametrize("program", PROGRAMS)
def test_named_derivatives_equal_sympy(program):
    """Substituting every name's definition gives SymPy's derivative of the whole program."""
    graph = parse(program).bind_constants(())
    names = list(graph.input_names)
    found, symbols = derivatives(graph, names)
    inputs = {n.name: symbols[n.index] for n in graph.inputs}
    exprs = build(graph, inputs)
    whole = exprs[graph.output]
    definitions = {s: exprs[i] for i, s in symbols.items()}
    points = [
        {"x": "3/10", "y": "-6/5", "w": "7/10", "b": "2", "t": "1/3"},
        {"x": "19/10", "y": "2/5", "w": "-2", "b": "1/2", "t": "-1"},
    ]
    for name in names:
        reference = sympy.diff(whole, inputs[name])
        ours = for_evaluation(found[name]).xreplace(definitions)
        for point in points:
            at = {inputs[n]: sympy.Rational(point[n]) for n in inputs}
            difference = sympy.N((ours - reference).xreplace(at), 30)
            assert abs(difference) < 1e-25, (program, name)
