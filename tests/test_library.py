"""One library, the CLI on top: every command has its library twin, every public name
is documented, and each twin returns data with a short repr."""

from __future__ import annotations

import inspect
import shutil

import pytest

import cgcli
from cgcli.cli import COMMANDS

SEED = "p = x + y; g = p * z"
SEED_VALUES = {"x": 1, "y": 3, "z": -3}


def test_every_command_has_its_library_twin():
    missing = [name for name in COMMANDS if name not in cgcli.LIBRARY_TWINS]
    assert not missing, f"commands without a library function: {missing}"
    for name, function in cgcli.LIBRARY_TWINS.items():
        assert callable(getattr(cgcli, function)), (name, function)


def test_every_public_name_has_a_docstring():
    for name in cgcli.__all__:
        value = getattr(cgcli, name)
        assert inspect.getdoc(value), f"cgcli.{name} has no docstring"


def test_options_are_keyword_only_and_apart_from_the_values():
    """No program variable can collide with an option: values are one mapping."""
    for name in cgcli.LIBRARY_TWINS.values():
        signature = inspect.signature(getattr(cgcli, name))
        kinds = [p.kind for p in signature.parameters.values()]
        assert inspect.Parameter.VAR_KEYWORD not in kinds, name
        positional = [
            p.name for p in signature.parameters.values()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]  # fmt: skip
        assert len(positional) <= 2, (name, positional)


def test_explain_returns_the_worked_solution():
    explanation = cgcli.explain(SEED, SEED_VALUES)
    assert repr(explanation) == "<Explanation of g: 2 forward steps, 6 backward steps>"
    assert explanation.text.startswith("Forward pass\n  inputs: x = 1, y = 3, z = -3\n")
    assert "∂g/∂x = ∂g/∂p · ∂p/∂x (local) = (-3) · 1 = -3" in explanation.text
    assert explanation.markdown.startswith("## Forward pass")
    assert r"\begin{align*}" in explanation.latex


def test_draw_returns_the_drawing():
    drawing = cgcli.draw(SEED, SEED_VALUES, format="dot")
    assert drawing.text.startswith("digraph cg {")
    assert repr(drawing).startswith("<Drawing dot, circuit, ")
    assert cgcli.draw(SEED, format="ascii").style == "tree"
    with pytest.raises(cgcli.UsageError, match="format 'pdf'"):
        cgcli.draw(SEED, format="pdf")
    if shutil.which("dot"):
        svg = cgcli.draw(SEED, SEED_VALUES)
        assert svg._repr_svg_().lstrip().startswith("<?xml")


def test_symbolic_gradient_returns_formulas():
    result = cgcli.symbolic_gradient(SEED)
    assert [(p.label, p.formula) for p in result.partials] == [("x", "z"), ("y", "z"), ("z", "p")]
    assert repr(result) == "<SymbolicGradient ∂g/∂x = z; ∂g/∂y = z; ∂g/∂z = p>"


def test_train_on_a_mapping_of_columns():
    data = {"x": [1.0, 2.0, 3.0, 4.0], "y": [3.0, 5.0, 7.0, 9.0]}
    outcome = cgcli.train("w*x + b", data, target="y", params={"w": 0, "b": 0},
                          lr=0.05, epochs=5000, tol=1e-15)  # fmt: skip
    assert outcome.params["w"] == pytest.approx(2.0, abs=1e-6)
    assert outcome.params["b"] == pytest.approx(1.0, abs=1e-6)
    assert outcome.check_ok
    assert repr(outcome).startswith("<Outcome w=2, b=1; loss ")
    with pytest.raises(cgcli.UsageError, match="target q: no such column"):
        cgcli.train("w*x", data, target="q", params=["w"])


def test_example_data_is_csv_text():
    assert cgcli.example_data("xor").splitlines()[0] == "x1,x2,y"


def test_all_lists_every_export():
    assert sorted(cgcli.__all__) == sorted(cgcli._EXPORTS)
