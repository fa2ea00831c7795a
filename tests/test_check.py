"""The independent check: SymPy verdicts, conventions, and the finite-difference fallback."""

from __future__ import annotations

import math

import pytest

from cgcli import check as check_module
from cgcli import evaluate, ops
from cgcli.check import agrees


def statuses(result) -> dict[str, str]:
    return {r.label: v.status for r, v in zip(result.nodes, result.check.grads, strict=True) if v}


def test_every_intermediate_gradient_is_checked_by_sympy():
    result = evaluate("p = x + y; q = p * z; g = sin(q) + q", {"x": 1, "y": 3, "z": -3})
    assert result.check.method == "sympy"
    assert set(statuses(result).values()) == {"ok"}
    assert result.check.value.status == "ok"
    assert result.check.value.expected == pytest.approx(math.sin(-12) - 12, rel=1e-15)


def test_exact_values_reach_sympy():
    result = evaluate("3*x", {"x": "1/3"})
    assert result.check.value.expected == 1.0


def test_convention_at_relu_zero():
    result = evaluate("relu(x) * 2", {"x": 0})
    assert result.gradient == {"x": 0.0}
    assert statuses(result)["x"] == "convention"
    assert result.check.ok


def test_mismatch_is_reported(monkeypatch):
    wrong = ops.Op("cos", 1, math.cos, lambda a, o: (math.sin(a),), lambda s, a: s.cos(a))
    monkeypatch.setitem(ops.FUNCTIONS, "cos", wrong)
    result = evaluate("cos(x) + x", {"x": 0.5})
    assert statuses(result)["x"] == "mismatch"
    assert not result.check.ok


def test_timeout_falls_back_to_finite_differences(monkeypatch):
    def slow(*args):
        import time

        time.sleep(10)

    monkeypatch.setattr(check_module, "_sympy_reference", slow)
    result = evaluate("x*y + sin(x)", {"x": 1, "y": 2}, check_timeout=0.2)
    assert result.check.method == "finite-difference"
    assert "SymPy did not finish within 0.16 s" in result.check.note
    assert statuses(result) == {
        "x": "ok",
        "y": "ok",
        "v1": "unchecked",
        "v2": "unchecked",
        "f": "unchecked",
    }
    assert result.check.ok


def test_finite_differences_catch_a_wrong_gradient(monkeypatch):
    monkeypatch.setattr(check_module, "SYMPY_NODE_LIMIT", 0)
    wrong = ops.Op("exp", 1, math.exp, lambda a, o: (2 * o,), lambda s, a: s.exp(a))
    monkeypatch.setitem(ops.FUNCTIONS, "exp", wrong)
    result = evaluate("exp(x)", {"x": 0.5})
    assert result.check.method == "finite-difference"
    assert statuses(result)["x"] == "mismatch"


def test_finite_differences_skip_kinks_and_domain_edges(monkeypatch):
    monkeypatch.setattr(check_module, "SYMPY_NODE_LIMIT", 0)
    result = evaluate("relu(x) + sqrt(y)", {"x": 1e-9, "y": 0})
    assert statuses(result)["x"] == "unchecked"
    assert statuses(result)["y"] == "unchecked"


def test_sympy_failure_falls_back(monkeypatch):
    def broken(*args):
        raise RecursionError("too deep")

    monkeypatch.setattr(check_module, "_sympy_reference", broken)
    result = evaluate("x^2", {"x": 3})
    assert result.check.method == "finite-difference"
    assert "SymPy failed" in result.check.note


def test_large_graphs_skip_sympy():
    program = "y = x\n" + "y = y * 0.5 + x\n" * 700
    result = evaluate(program, {"x": 1})
    assert result.check.method == "finite-difference"
    assert "over the 2000 SymPy handles" in result.check.note
    assert result.check.ok


@pytest.mark.parametrize(
    ("ours", "expected", "result"),
    [
        (1.0, 1.0 + 1e-10, True),
        (1.0, 1.0 + 1e-8, False),
        (0.0, 1e-13, True),
        (0.0, 1e-11, False),
        (math.inf, math.inf, True),
        (math.inf, -math.inf, False),
        (math.inf, "zoo", True),
        (math.nan, "complex", True),
        (1.0, "complex", False),
        (math.nan, math.nan, True),
        (math.nan, 1.0, False),
    ],
)
def test_tolerance(ours, expected, result):
    assert agrees(ours, expected) is result
