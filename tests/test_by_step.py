"""Backpropagation through time by step, and truncated: against references written here.

The truncated reference is the textbook's: the loss at step t differentiated with the
state older than t - K held constant (detached), summed over t; the per-step shares are
SymPy's derivatives with respect to a separate copy of the weight for each step.
"""

from __future__ import annotations

import math

import pytest
import sympy

from cgcli import UsageError, evaluate, explain
from cgcli.api import by_step as by_step_module
from cgcli.core.verdicts import MISMATCH

XS = [0.5, -1, 2, 0.25, -0.75, 1.5]
YS = [0, 1, 0, -0.5, 0.5, 1]

IN_LOOP = """\
h[0] = 0
L = 0
for t in 1..T:
    h[t] = tanh(w*h[t-1] + u*x[t] + b)
    L += (h[t] - y[t])^2
L
"""
AFTER_LOOP = """\
h[0] = 0
for t in 1..T:
    h[t] = tanh(w*h[t-1] + u*x[t] + b)
L = sum((h[t] - y[t])^2 for t in 1..T)
"""
W, U, B = sympy.Rational(3, 4), sympy.Rational(-1, 2), sympy.Rational(1, 10)


def values(steps: int) -> dict:
    return {"w": "3/4", "u": "-1/2", "b": "1/10", "x": XS[:steps], "y": YS[:steps]}


def states(steps: int) -> list[sympy.Expr]:
    """h[0..steps] at the point, exactly."""
    h = [sympy.Integer(0)]
    for t in range(steps):
        h.append(sympy.tanh(W * h[-1] + U * sympy.Rational(XS[t]) + B))
    return h


def truncated_reference(steps: int, k: int | None) -> dict[str, float]:
    """Σ_t ∂ℓ_t/∂θ with the state before step t - k detached (k None: nothing detached)."""
    w, u, b, held = sympy.symbols("w u b held", real=True)
    h_at = states(steps)
    totals = {"w": 0, "u": 0, "b": 0}
    for t in range(1, steps + 1):
        begin = 1 if k is None else max(1, t - k)
        h = held  # h[begin - 1], a constant for this loss term
        for j in range(begin, t + 1):
            h = sympy.tanh(w * h + u * sympy.Rational(XS[j - 1]) + b)
        loss = (h - sympy.Rational(YS[t - 1])) ** 2
        point = {w: W, u: U, b: B, held: h_at[begin - 1]}
        for name, symbol in (("w", w), ("u", u), ("b", b)):
            totals[name] += sympy.diff(loss, symbol).subs(point)
    return {name: float(sympy.N(value, 30)) for name, value in totals.items()}


def shares_reference(steps: int) -> dict[str, list[float]]:
    """∂L/∂w_t: the gradient of each step's own copy of each weight."""
    ws = sympy.symbols(f"w1:{steps + 1}", real=True)
    us = sympy.symbols(f"u1:{steps + 1}", real=True)
    bs = sympy.symbols(f"b1:{steps + 1}", real=True)
    h, loss = sympy.Integer(0), sympy.Integer(0)
    for t in range(steps):
        h = sympy.tanh(ws[t] * h + us[t] * sympy.Rational(XS[t]) + bs[t])
        loss += (h - sympy.Rational(YS[t])) ** 2
    point = {**dict.fromkeys(ws, W), **dict.fromkeys(us, U), **dict.fromkeys(bs, B)}
    return {
        name: [float(sympy.diff(loss, s).subs(point)) for s in symbols]
        for name, symbols in (("w", ws), ("u", us), ("b", bs))
    }


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-14)


@pytest.mark.parametrize("program", [IN_LOOP, AFTER_LOOP], ids=["L += in the loop", "sum after"])
@pytest.mark.parametrize(("steps", "k"), [(3, 0), (3, 1), (5, 1), (5, 2), (6, 3), (4, 9)])
def test_truncated_gradients_against_the_textbook_reference(program, steps, k):
    result = evaluate(f"T = {steps}\n{program}", values(steps), truncate=k)
    expected = truncated_reference(steps, k)
    for name in ("w", "u", "b"):
        assert close(result.gradient[name], expected[name]), name
    assert result.truncate == k
    assert result.check.ok and result.check.method == "sympy"
    assert "truncated at" in result.check.note


def test_truncating_further_back_than_the_loop_is_the_true_gradient():
    full = evaluate("T = 4\n" + IN_LOOP, values(4), check=False)
    truncated = evaluate("T = 4\n" + IN_LOOP, values(4), truncate=3, check=False)
    assert truncated.gradient == pytest.approx(full.gradient, rel=1e-15, abs=1e-17)
    assert truncate_differs(values(4))


def truncate_differs(given) -> bool:
    full = evaluate("T = 4\n" + IN_LOOP, given, check=False).gradient["w"]
    return evaluate("T = 4\n" + IN_LOOP, given, truncate=1, check=False).gradient["w"] != full


@pytest.mark.parametrize("steps", [2, 4, 6])
def test_each_steps_share_against_the_untied_weights_and_their_sum(steps):
    result = evaluate(f"T = {steps}\n" + IN_LOOP, values(steps), by_step=True)
    (table,) = result.steps
    expected = shares_reference(steps)
    for name in ("w", "u", "b"):
        shares = [row.shares[name] for row in table.rows]
        assert all(close(s.value, e) for s, e in zip(shares, expected[name], strict=True))
        assert all(s.verdict.status == "ok" for s in shares)
        assert close(table.total[name].value, result.gradient[name])
        assert table.total[name].verdict.status == "ok"
    assert [row.t for row in table.rows] == list(range(1, steps + 1))


def test_the_state_gradient_is_its_own_term_plus_what_arrives_from_the_next_step():
    result = evaluate("T = 3\n" + IN_LOOP, values(3), by_step=True)
    (table,) = result.steps
    h = [float(v) for v in states(3)]
    for row in table.rows:
        cell = row.states["h"]
        t = row.t
        assert cell.label == f"h[{t}]" and close(cell.value, h[t])
        assert close(cell.own, 2 * (h[t] - YS[t - 1]))  # the loss's own term at step t
        assert close(cell.own + cell.carried, cell.grad)
        if t < 3:  # ∂L/∂h[t+1] · ∂h[t+1]/∂h[t] = ∂L/∂h[t+1] · (1 - h[t+1]^2) · w
            following = table.rows[t].states["h"].grad
            assert close(cell.carried, following * (1 - h[t + 1] ** 2) * 0.75)
        else:
            assert cell.carried == 0


def test_truncated_shares_and_the_textbook_reference_per_step():
    """With K = 0 each step's share of w is ∂ℓ_t/∂w through step t's own use alone."""
    result = evaluate("T = 3\n" + IN_LOOP, values(3), by_step=True, truncate=0)
    (table,) = result.steps
    h = [float(v) for v in states(3)]
    for row in table.rows:
        t = row.t
        expected = 2 * (h[t] - YS[t - 1]) * (1 - h[t] ** 2) * h[t - 1]
        assert close(row.shares["w"].value, expected)
        assert row.shares["w"].verdict.status == "ok"
        assert row.states["h"].carried == 0


def test_nested_loops_count_as_steps_of_the_outer_loop():
    program = """\
s[0] = 0
for t in 1..3:
    a = 0
    for j in 1..2: a += w*x[t]*j
    s[t] = tanh(s[t-1]*v + a)
L = s[3]
"""
    result = evaluate(program, {"w": 0.5, "v": 0.9, "x": [1, -1, 2]}, by_step=True)
    (table,) = result.steps
    assert table.states == ["s"] and table.weights == ["w", "v"]
    for name in ("w", "v"):
        assert close(math.fsum(r.shares[name].value for r in table.rows), result.gradient[name])
        assert all(r.shares[name].verdict.status == "ok" for r in table.rows)


def test_two_loops_get_a_table_each_and_a_share_from_outside():
    program = """\
h[0] = 0
for t in 1..2: h[t] = w*h[t-1] + x[t]
g[0] = h[2]
for k in 1..3: g[k] = w*g[k-1]
L = g[3] * w
"""
    result = evaluate(program, {"w": 0.5, "x": [1, 2]}, by_step=True)
    first, second = result.steps
    assert (first.variable, second.variable) == ("t", "k")
    assert [r.t for r in second.rows] == [1, 2, 3]
    for table in result.steps:
        assert close(table.total["w"].value, result.gradient["w"])
        assert table.outside["w"].value != 0


def test_the_check_catches_a_wrong_truncated_gradient(monkeypatch):
    real = by_step_module.backward_by_step

    def off_by_a_little(*args, **kwargs):
        gradients = real(*args, **kwargs)
        gradients.buckets[1] = [g * 1.001 for g in gradients.buckets[1]]
        gradients.totals = [
            None if t is None else sum(bucket[i] for bucket in gradients.buckets)
            for i, t in enumerate(gradients.totals)
        ]
        return gradients

    monkeypatch.setattr(by_step_module, "backward_by_step", off_by_a_little)
    result = evaluate("T = 3\n" + IN_LOOP, values(3), truncate=1)
    assert not result.check.ok
    w = result.graph.bindings["w"]
    assert result.check.grads[w].status == MISMATCH


def test_a_plain_name_carried_from_step_to_step_cannot_be_truncated():
    program = "h = 0\nL = 0\nfor t in 1..3:\n    h = tanh(w*h + x[t])\n    L += h\nL"
    with pytest.raises(UsageError, match="h carries a value from step to step as a plain name"):
        evaluate(program, {"w": 1, "x": [1, 2, 3]}, truncate=1)
    untruncated = evaluate(program, {"w": 1, "x": [1, 2, 3]}, by_step=True)
    assert untruncated.steps[0].states == []  # no indexed state to split


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"by_step": True}, "--by-step is for a program with a loop"),
        ({"truncate": 1}, "--truncate is for a program with a loop"),
        ({"truncate": -1}, "truncate"),
        ({"by_step": True, "mode": "forward"}, "reverse mode only"),
        ({"by_step": True, "exact": True}, "--exact is for the whole program's gradients"),
    ],
)
def test_bad_uses(options, message):
    with pytest.raises(Exception, match=message):
        evaluate("x*2", {"x": 1}, **options)


def test_explain_by_step_works_each_share_out():
    text = explain("T = 2\n" + IN_LOOP, values(2), by_step=True).text
    assert "Backward pass through time, from the last step to the first" in text
    assert "∂L/∂h[2] = " in text and "(no later step)" in text
    assert "w's share: ∂L/∂v" in text
    assert text.rstrip().endswith("(tolerance relative 1e-09 + absolute 1e-12)")
    truncated = explain("T = 2\n" + IN_LOOP, values(2), truncate=0).text
    assert truncated.startswith("Truncated backpropagation through time: gradients stop 0")


def test_the_json_document_has_the_step_table_and_the_truncation():
    result = evaluate("T = 2\n" + IN_LOOP, values(2), by_step=True, truncate=1)
    document = result.as_dict()
    assert document["truncate"] == 1
    (table,) = document["steps"]
    assert table["variable"] == "t" and table["truncate"] == 1
    assert [row["t"] for row in table["rows"]] == [1, 2]
    assert set(table["rows"][0]["state"]["h[1]"]) == {"value", "grad", "own", "carried", "check"}
    assert table["total"]["w"]["value"] == result.gradient["w"]


def test_a_truncated_result_says_so_in_its_repr_and_table():
    result = evaluate("T = 2\n" + IN_LOOP, values(2), truncate=1)
    assert "truncated BPTT (K = 1), not the true gradient" in repr(result)
    from cgcli.render.table import render_plain

    assert "these are truncated gradients, not the true gradient of L" in render_plain(
        result, 6, ["w"]
    )


class Dual:
    """A number and its derivative with respect to one input (forward mode, by hand)."""

    def __init__(self, value: float, slope: float = 0.0) -> None:
        self.value, self.slope = value, slope

    def __add__(self, other):
        other = lift(other)
        return Dual(self.value + other.value, self.slope + other.slope)

    __radd__ = __add__

    def __sub__(self, other):
        other = lift(other)
        return Dual(self.value - other.value, self.slope - other.slope)

    def __mul__(self, other):
        other = lift(other)
        return Dual(self.value * other.value, self.slope * other.value + self.value * other.slope)

    __rmul__ = __mul__


def lift(x) -> Dual:
    return x if isinstance(x, Dual) else Dual(float(x))


def dual_tanh(x: Dual) -> Dual:
    value = math.tanh(x.value)
    return Dual(value, (1 - value * value) * x.slope)


# Cells whose starting state depends on an input or a weight: (cg program, values, the
# same cell in Python: initial states by index, one step, the loss's term at index t,
# which indexes have a term).
STARTING_STATE_CELLS = {
    "h[0] = w, loss at the end": (
        "h[0] = w\nfor t in 1..3: h[t] = w*h[t-1]\nL = h[3]\n",
        {"w": 3},
        lambda p: {0: p["w"]},
        lambda p, h, t: p["w"] * h[t - 1],
        lambda h, t: h[t],
        [3],
    ),
    "h[0] = v, L += h[t]": (
        "h[0] = v\nL = 0\nfor t in 1..3: h[t] = w*h[t-1]; L += h[t]\n",
        {"w": 3, "v": 2},
        lambda p: {0: p["v"]},
        lambda p, h, t: p["w"] * h[t - 1],
        lambda h, t: h[t],
        [1, 2, 3],
    ),
    "tanh cell, h[0] = tanh(u*v)": (
        "h[0] = tanh(u*v)\nL = 0\nfor t in 1..4:\n"
        "    h[t] = tanh(w*h[t-1] + u*x[t])\n    L += (h[t] - y[t])^2\n",
        {"w": 0.75, "u": -0.5, "v": 1.5, "x": XS[:4], "y": YS[:4]},
        lambda p: {0: dual_tanh(p["u"] * p["v"])},
        lambda p, h, t: dual_tanh(p["w"] * h[t - 1] + p["u"] * XS[t - 1]),
        lambda h, t: (h[t] - YS[t - 1]) * (h[t] - YS[t - 1]),
        [1, 2, 3, 4],
    ),
    "two states back, h[0] and h[1] before the loop": (
        "h[0] = v\nh[1] = w*v\nL = 0\nfor t in 2..5:\n"
        "    h[t] = w*h[t-1] + c*h[t-2]\n    L += h[t]*h[t]\n",
        {"w": 0.5, "c": -0.25, "v": 1.25},
        lambda p: {0: p["v"], 1: p["w"] * p["v"]},
        lambda p, h, t: p["w"] * h[t - 1] + p["c"] * h[t - 2],
        lambda h, t: h[t] * h[t],
        [2, 3, 4, 5],
    ),
}


def truncated_by_hand(cell, given: dict, k: int) -> dict[str, float]:
    """Σ_t ∂ℓ_t/∂θ with every state before index t - k held at its value (the docs'
    definition), each term differentiated in forward mode, one input at a time."""
    _, _, initial, step, term, terms = cell
    last = max(terms)

    def states(p, t: int | None, held: dict) -> dict:
        first = initial(p)
        h: dict = {}
        for j in range(last + 1):
            if t is not None and j < t - k:
                h[j] = lift(held[j].value)  # a constant: no path back
            else:
                h[j] = first[j] if j in first else step(p, h, j)
        return h

    names = [name for name, value in given.items() if not isinstance(value, list)]
    point = {name: Dual(float(given[name])) for name in names}
    held = states(point, None, {})
    result = {}
    for name in names:
        seeded = {n: Dual(float(given[n]), 1.0 if n == name else 0.0) for n in names}
        result[name] = sum(term(states(seeded, t, held), t).slope for t in terms)
    return result


@pytest.mark.parametrize("cell", STARTING_STATE_CELLS.values(), ids=STARTING_STATE_CELLS)
@pytest.mark.parametrize("k", [0, 1, 2, 3, 4])
def test_truncation_holds_a_starting_state_further_back_constant(cell, k):
    program, given = cell[0], cell[1]
    result = evaluate(program, given, truncate=k)
    expected = truncated_by_hand(cell, given, k)
    for name, value in expected.items():
        assert close(result.gradient[name], value), (name, result.gradient[name], value)
    assert result.check.ok and "truncated at" in result.check.note


def test_the_examples_of_truncation_past_the_starting_state():
    two_steps = "h[0] = w\nfor t in 1..2: h[t] = w*h[t-1]\nL = h[2]\n"
    assert evaluate(two_steps, {"w": 3}, truncate=1).gradient["w"] == 18  # not 27
    cells = list(STARTING_STATE_CELLS.values())
    dv = [evaluate(cells[1][0], {"w": 3, "v": 2}, truncate=k).gradient["v"] for k in (0, 1, 2)]
    assert dv == [0, 3, 12]  # not 3, 12, 39


def test_a_state_carried_from_one_loop_into_the_next_is_truncated_as_one_loop():
    """h[2], written by the first loop, is the state before the second loop's first step:
    the program split in two loops has the one loop's truncated gradients."""
    one = STARTING_STATE_CELLS["h[0] = v, L += h[t]"]
    split = "h[0] = v\nL = 0\nfor t in 1..2: h[t] = w*h[t-1]; L += h[t]\n"
    split += "for t in 3..3: h[t] = w*h[t-1]; L += h[t]\n"
    for k in range(4):
        result = evaluate(split, one[1], truncate=k)
        assert result.gradient == pytest.approx(truncated_by_hand(one, one[1], k), rel=1e-15)
        assert result.check.ok
