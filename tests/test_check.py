"""The independent check: SymPy verdicts, conventions, reasons, and the high-precision fallback."""

from __future__ import annotations

import json
import math
import random
from fractions import Fraction

import mpmath
import pytest
from op_cases import BINARY_POINTS, UNARY_POINTS, program_for
from test_properties import big_program, variables_through_a_kink

from cgcli import evaluate, parse
from cgcli.check import run as check_module
from cgcli.check.intervals import Irregular, reference_at
from cgcli.check.run import Point, agrees, check_points
from cgcli.check.symbolic import reference as whole_program_reference
from cgcli.core import ops
from cgcli.render.table import render_plain


def statuses(result) -> dict[str, str]:
    return {r.label: v.status for r, v in zip(result.nodes, result.check.grads, strict=True) if v}


def footer(result) -> list[str]:
    """The lines under the table: the summary, the check line and the reasons."""
    return render_plain(result, 6, list(result.gradient)).split("\n\n")[1].splitlines()


@pytest.fixture
def high_precision(monkeypatch):
    """Give SymPy no time: the high-precision check runs, whatever the machine's load."""
    monkeypatch.setattr(check_module, "SYMPY_SHARE", 0)


# --- SymPy ------------------------------------------------------------------------


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


def test_mismatch_is_reported_with_the_numbers(monkeypatch):
    wrong = ops.Op("cos", 1, math.cos, lambda a, o: (math.sin(a),), lambda s, a: s.cos(a))
    monkeypatch.setitem(ops.FUNCTIONS, "cos", wrong)
    result = evaluate("cos(x) + x", {"x": 0.5})
    assert statuses(result)["x"] == "mismatch"
    assert not result.check.ok
    ours, expected = math.sin(0.5) + 1, 1 - math.sin(0.5)
    reason = result.check.grads[0].reason
    assert reason.startswith(f"ours {ours!r}, expected {expected!r}, difference ")
    assert f"✗ ∂f/∂x: {reason}" in footer(result)


@pytest.mark.parametrize(
    ("program", "values"),
    [
        ("x - x", {"x": 2}),  # the output is the ε symbol alone: a Python int after xreplace
        ("max(h/(sqrt(asin(1/7)) + tan(2.75)), -6)", {"h": "-0.75"}),  # an undecided Heaviside
        ("0*sqrt(x)", {"x": 0}),
        ("max(x, 1 + (sin(1)^2 + cos(1)^2 - 1))", {"x": 1}),  # a tie SymPy cannot see
    ],
)
def test_sympy_finishes_where_it_used_to_crash(program, values):
    result = evaluate(program, values)
    assert (result.check.method, result.check.note) == ("sympy", None)
    assert result.check.ok


def test_a_gradient_with_no_real_value_is_a_documented_convention(cg):
    result = evaluate("x^y", {"x": -2, "y": 2})
    assert math.isnan(result.gradient["y"])
    verdict = result.check.grads[1]
    assert (verdict.status, verdict.expected) == ("convention", "complex")
    assert verdict.reason == check_module.NO_REAL_DERIVATIVE
    shown = cg("eval", "x^y", "x=-2", "y=2")
    assert shown.exit_code == 0
    assert "∂f/∂y = nan  convention" in shown.stdout
    assert f"convention ∂f/∂y: {check_module.NO_REAL_DERIVATIVE}" in shown.stdout


def test_a_nan_gradient_where_the_derivative_exists_is_a_mismatch():
    result = evaluate("sqrt(x) - sqrt(x)", {"x": 0})  # inf - inf in the reverse pass
    assert statuses(result)["x"] == "mismatch"
    assert result.check.grads[0].reason == "ours nan, expected 0"


def test_a_mismatch_at_a_pole_explains_the_rounded_input(cg):
    result = cg("eval", "tan(x)", "x=pi/2")
    assert result.exit_code == 1
    assert (
        "✗ f: ours 1.633123935319537e+16, expected an infinity of either sign "
        "(SymPy's zoo: a pole); x = pi/2 is stored as the float64 "
        "1.570796326794896557998982, relative error 3.9e-17; at the stored inputs a "
        "high-precision evaluation gives 1.633123935319537e+16, as cg does: the difference "
        "comes from storing the inputs as float64, and the exact inputs sit on a singular "
        "point (a pole)"
    ) in result.stdout.splitlines()


def test_over_arrays_a_mismatch_names_each_rounded_entry_and_the_pole(cg):
    """As over scalars: tan at the float64 nearest pi/2 is what cg gives; at the exact
    pi/2 it has a pole, which 50 digits see as a huge number of either sign."""
    result = cg("eval", "L = sum(tan(W))", "W=[[pi/2, 1], [3*pi/2, 0.1]]")
    assert result.exit_code == 1
    reason = next(line for line in result.stdout.splitlines() if line.startswith("✗ ∂L/∂W:"))
    assert reason.startswith("✗ ∂L/∂W: ours 2.66709378811e+32, expected ")
    assert reason.endswith(
        " at entry [1, 1]; W[1, 1] = pi/2 is stored as the float64 1.570796326794896557998982, "
        "relative error 3.9e-17; W[2, 1] = 3*pi/2 is stored as the float64 "
        "4.712388980384689673996945, relative error 3.9e-17; W[2, 2] = 0.1 is stored as the "
        "float64 0.1000000000000000055511151, relative error 5.6e-17; the exact inputs sit on "
        "a singular point, where the reference has no finite value (at 50 and 80 digits it "
        "gives -2.22e+51 and -1.3e+80): its expected numbers there are no numbers to compare "
        "with; at the stored inputs a high-precision evaluation gives cg's numbers: the "
        "difference comes from storing the inputs as float64, and the result is "
        "ill-conditioned here (a relative change of 5.6e-17 in the inputs changes it by "
        "1.5e+70: near a singular point)"
    )
    near = cg("eval", "L = sum(tan(W))", "W=[[1.5707963, 1], [3, 0.1]]")  # no pole: a number
    assert "the reference has no finite value" not in near.stdout


def test_over_arrays_zero_times_an_infinite_local_derivative_is_a_convention_not_right():
    """√x·√x at x = 0 is x on its domain (one-sided derivative 1); cg sends 0 back where a 0
    upstream meets √'s infinite local derivative. The reference's chain rule skipped a 0
    upstream too, so the 0 passed as ✓; it is now a convention, as over scalars."""
    result = evaluate("L = sum(sqrt(x)*sqrt(x))", {"x": [0, 1]})
    (x,) = result.graph.inputs
    assert result.gradient["x"].tolist() == [0.0, 1.0]
    assert result.check.grads[x.index].status == "convention"
    assert result.check.value.status == "ok"
    away = evaluate("L = sum(sqrt(x)*sqrt(x))", {"x": [4, 1]})  # no 0·∞: checked
    assert away.check.grads[x.index].status == "ok"


def test_over_arrays_a_mismatch_from_a_subnormal_entry_says_so(cg):
    # as over scalars below: sqrt'(x) at the stored 4.9407e-324 is 2.24946e161, at the
    # exact 5e-324 2.23607e161; the other entry, 1, is stored exactly and not named
    result = cg("eval", "L = sum(sqrt(x))", "x=[5e-324, 1]")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        "✗ ∂L/∂x: ours 2.24945689727e+161, expected 2.2360679775e+161 at entry [1]; x[1] = "
        "5e-324 is stored as the float64 4.940656458412465441765688e-324 (below the normal "
        "float64 range, so it keeps fewer digits), relative error 0.012; at the stored "
        "inputs a high-precision evaluation gives cg's numbers: the difference comes from "
        "storing the inputs as float64"
    )


def test_over_arrays_many_rounded_entries_are_counted_after_the_first_three(cg):
    result = cg("eval", "L = sum(sqrt(x))", "x=[5e-324, 0.1, 0.2, 0.3, 0.7]")
    line = result.stdout.splitlines()[-1]
    assert "x[3] = 0.2 is stored" in line and "x[4]" not in line
    assert "; and 2 more entries are rounded;" in line


def test_a_mismatch_from_a_subnormal_input_says_so(cg):
    # sqrt'(x) = 0.5/sqrt(x): at the stored 4.9407e-324 it is 2.24946e161, at the exact
    # 5e-324 it is 0.5/2.23607e-162 = 2.23607e161 (relative 0.006; the input's own error
    # is (5 - 4.9407)/5 = 0.012)
    result = cg("eval", "sqrt(x)", "x=5e-324")
    assert result.exit_code == 1
    reason = next(line for line in result.stdout.splitlines() if line.startswith("✗ ∂f/∂x:"))
    assert reason == (
        "✗ ∂f/∂x: ours 2.2494568972715982e+161, expected 2.2360679774997897e+161, "
        "difference 1.34e+159 (relative 0.006); x = 5e-324 is stored as the float64 "
        "4.940656458412465441765688e-324 (below the normal float64 range, so it keeps fewer "
        "digits), relative error 0.012; at the stored inputs a high-precision evaluation "
        "gives 2.2494568972715982e+161, as cg does: the difference comes from storing the "
        "inputs as float64"
    )


def test_an_ill_conditioned_point_says_how_sensitive_it_is():
    result = evaluate("tan(x)", {"x": "1.5707963267948966"})
    reason = result.check.value.reason
    assert reason.endswith(
        "and the result is ill-conditioned here (a relative change of 2.7e-17 in the inputs "
        "changes it by 2.2: near a singular point)"
    )


# --- the high-precision check -----------------------------------------------------------


def test_timeout_falls_back_to_high_precision(monkeypatch):
    def out_of_time(function, args, timeout):
        assert (function, timeout) == (check_module._sympy_reference, 0.2 * 0.8)
        raise TimeoutError  # what call_with_timeout raises when SymPy is still at work

    monkeypatch.setattr(check_module, "call_with_timeout", out_of_time)
    result = evaluate("x*y + sin(x)", {"x": 1, "y": 2}, check_timeout=0.2)
    assert result.check.method == "high-precision"
    assert result.check.note == "SymPy did not finish within 0.16 s"
    assert statuses(result) == {
        "x": "ok",
        "y": "ok",
        "v1": "unchecked",
        "v2": "unchecked",
        "f": "unchecked",
    }
    assert result.check.value.status == "ok"
    assert result.check.grads[0].expected == pytest.approx(2 + math.cos(1), rel=1e-15)
    assert result.check.ok


def test_sympy_failure_falls_back(monkeypatch):
    def broken(*args):
        raise RecursionError("too deep")

    monkeypatch.setattr(check_module, "_sympy_reference", broken)
    result = evaluate("x^2", {"x": 3})
    assert result.check.method == "high-precision"
    assert result.check.note == "SymPy failed (RecursionError: too deep)"
    assert statuses(result)["x"] == "ok"


def test_high_precision_catches_a_wrong_gradient(monkeypatch, high_precision):
    wrong = ops.Op("exp", 1, math.exp, lambda a, o: (2 * o,), lambda s, a: s.exp(a))
    monkeypatch.setitem(ops.FUNCTIONS, "exp", wrong)
    result = evaluate("exp(x)", {"x": 0.5})
    assert result.check.method == "high-precision"
    assert statuses(result)["x"] == "mismatch"
    assert result.check.grads[0].reason.startswith(
        f"ours {2 * math.exp(0.5)!r}, expected {math.exp(0.5)!r}, difference 1.65 (relative 1), "
        "the reference's own error bound "
    )


def test_high_precision_checks_the_value(monkeypatch, high_precision):
    wrong = ops.Op("exp", 1, lambda a: 2 * math.exp(a), lambda a, o: (o,), lambda s, a: s.exp(a))
    monkeypatch.setitem(ops.FUNCTIONS, "exp", wrong)
    result = evaluate("exp(x)", {"x": 0.5})
    assert result.check.value.status == "mismatch"
    assert result.check.value.expected == pytest.approx(math.exp(0.5), rel=1e-15)


def test_high_precision_at_kinks_and_domain_edges(high_precision):
    result = evaluate(
        "relu(x) + sqrt(y) + max(z, w) + relu(u)", {"x": 0, "y": 0, "z": 1, "w": 1, "u": 1e-9}
    )
    grads = {r.label: v for r, v in zip(result.nodes, result.check.grads, strict=True) if v}
    assert grads["x"].status == grads["z"].status == grads["w"].status == "convention"
    assert grads["x"].reason == (
        "not differentiable here: the derivative is 0.0 from the left and 1.0 from the right; "
        "cg follows PyTorch's convention"
    )
    assert grads["y"].status == "unchecked"
    assert grads["y"].reason.startswith("a domain edge, where the one-sided quotient does not ")
    assert grads["u"].status == "ok"  # 1e-9 from the kink: the step is 1e-29
    assert result.check.ok


def test_high_precision_at_a_domain_edge_uses_the_side_inside(high_precision):
    result = evaluate("0*sqrt(x) + x", {"x": 0})
    assert statuses(result)["x"] == "ok"
    assert result.check.grads[1].expected == 1.0


def test_high_precision_where_the_derivative_exists_at_a_kink(high_precision):
    for program in ["x^2", "abs(x)^2", "max(x, x)", "relu(x)*0 + x"]:
        result = evaluate(program, {"x": 0})
        assert statuses(result)["x"] == "ok", program


def test_high_precision_gives_nan_gradients_their_convention(high_precision):
    result = evaluate("x^y", {"x": -2, "y": 2})
    assert statuses(result)["y"] == "convention"
    assert result.check.grads[1].reason == check_module.NO_REAL_DERIVATIVE


@pytest.mark.parametrize(
    ("x", "digits", "program"),
    [
        ("1e-30", 81, "sin(x + 1) + log(x)"),
        # log'(x) = 1/x at 5e-324 is beyond float64 (a math error): x^2 keeps it finite
        ("5e-324", 374, "sin(x + 1) + x^2"),
        ("1e10", 50, "sin(x + 1) + log(x)"),
    ],
)
def test_high_precision_keeps_every_digit_of_tiny_and_large_inputs(
    high_precision, x, digits, program
):
    from cgcli.check.precise import DIGITS, _extra_digits

    result = evaluate(program, {"x": x})
    assert statuses(result)["x"] == "ok"
    assert DIGITS + _extra_digits(Fraction(x)) == digits


def test_the_table_and_json_say_which_method_ran_and_what_it_guarantees(cg, monkeypatch):
    monkeypatch.setattr(check_module, "SYMPY_SHARE", 0)
    result = cg("eval", "x*y", "x=2", "y=3")
    assert result.stdout.splitlines()[-1] == (
        "check: high-precision difference quotients (mpmath, 50 digits), all agree "
        "(tolerance relative 1e-09 + absolute 1e-12, beyond each quotient's own error bound); "
        "checked: the value and 2 of 2 input gradients, not the intermediate nodes; "
        "SymPy was given no time"
    )
    import json

    check = json.loads(cg("eval", "x*y", "x=2", "y=3", "--format", "json").stdout)["check"]
    assert check["method"] == "high-precision"
    assert check["guarantee"] == check_module.GUARANTEES["high-precision"]
    assert check["unchecked"] == {}
    assert check["nodes"]["n1"]["status"] == "ok"
    assert check["nodes"]["n1"]["expected"] == 3.0
    assert 0 <= check["nodes"]["n1"]["error"] < 1e-20


def test_the_guarantee_of_sympy_in_json(cg):
    import json

    check = json.loads(cg("eval", "x*y", "x=2", "y=3", "--format", "json").stdout)["check"]
    assert check["guarantee"] == (
        "SymPy differentiates the program exactly and evaluates at the exact inputs: "
        "each ✓ is within 1e-09 relative + 1e-12 absolute of the exact number"
    )


def test_large_graphs_skip_sympy_and_are_checked_within_the_budget(monkeypatch):
    monkeypatch.setattr(check_module, "INTERVAL_NODE_LIMIT", 2000)
    program = "y = x\n" + "y = sin(y) * 0.5 + x * z\n" * 700  # 3503 nodes
    result = evaluate(program, {"x": 1, "z": "1/3"}, check_timeout=5)
    assert result.check.method == "high-precision"
    assert result.check.note == "the graph has 3503 nodes, over the 2000 SymPy handles"
    assert result.check.value.status == statuses(result)["x"] == statuses(result)["z"] == "ok"


def test_inputs_past_the_budget_are_unchecked_and_say_so(stepping_clock):
    graph = parse("x*y + z")
    exact = {"x": Fraction(2), "y": Fraction(3), "z": Fraction(1)}
    point = Point(exact, [2.0, 3.0, 6.0, 1.0, 7.0], [3.0, 2.0, 1.0, 1.0, 1.0])
    [report] = check_points(graph, [point], timeout=0, sympy_share=0)
    assert report.method == "high-precision"
    assert [v.status for v in report.grads] == ["unchecked"] * 5
    assert report.grads[0].reason == "the check's time budget ran out"
    assert report.value.status == "unchecked"
    assert report.ok


def test_a_check_that_reached_no_verdict_says_nothing_was_checked(stepping_clock, cg):
    """Not "all agree" when the budget ran out before the first number was checked."""
    result = cg("eval", "sin(x)*y", "x=1", "y=2", "--check-timeout", "0.5")
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("check:"))
    assert "nothing checked" in line and "all agree" not in line
    assert "check: high-precision, nothing checked>" in repr(
        evaluate("sin(x)*y", {"x": 1, "y": 2}, check_timeout=0.5)
    )
    assert "all agree" in repr(evaluate("sin(x)*y", {"x": 1, "y": 2}))


@pytest.mark.parametrize(
    "args",
    [["eval", "sin(x)*y", "x=1", "y=2", "--mode", "forward"],
     ["eval", "sin(x)*y", "x=1", "y=2", "--grad-graph"],
     ["hessian", "x^2*y + y^3", "x=1", "y=2"],
     ["hessian", "x^2*y + y^3", "x=1", "y=2", "--hvp", "x=1,y=0"]],
)  # fmt: skip
def test_every_mode_out_of_time_says_nothing_was_checked(stepping_clock, cg, args):
    result = cg(*args, "--check-timeout", "0.5")
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("check:"))
    assert "nothing checked" in line and "all agree" not in line


# --- running SymPy within a budget --------------------------------------------------------


def _never_returns(release):
    release.wait()  # a forked worker is killed; a thread is released by the test


def _slow_square(x):
    import time

    time.sleep(0.3)
    return x * x


@pytest.mark.parametrize("in_thread", [False, True])
def test_a_worker_over_its_budget_times_out(stepping_clock, monkeypatch, in_thread):
    """On a clock of 1 s per read, a budget of 2.5 s set at 1 s runs out at the fourth read."""
    import threading

    monkeypatch.setattr(check_module, "_in_worker", in_thread)
    release = threading.Event()
    with pytest.raises(TimeoutError):
        check_module.call_with_timeout(_never_returns, (release,), 2.5)
    release.set()
    assert stepping_clock.time == 4.0


@pytest.mark.parametrize("in_thread", [False, True])
def test_a_worker_within_its_budget_gives_its_result(monkeypatch, in_thread):
    """The clock stands still: 0.01 s of budget is never spent, however long the work."""
    monkeypatch.setattr(check_module, "_in_worker", in_thread)
    assert check_module.call_with_timeout(_slow_square, (7,), 0.01) == 49


def test_no_budget_is_a_time_out_at_once(monkeypatch):
    def fail(*args):
        raise AssertionError("no worker may start")

    monkeypatch.setattr("multiprocessing.get_context", fail)
    with pytest.raises(TimeoutError):
        check_module.call_with_timeout(_slow_square, (7,), 0)


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


@pytest.mark.parametrize(
    ("ours", "expected", "error", "status"),
    [
        (1.0, 1.0, 0.0, "ok"),
        (1.0, 1.0 + 2e-9, 0.0, "mismatch"),
        (1.0, 1.0 + 2e-9, 1.5e-9, "unchecked"),  # a reference this coarse decides nothing
        (1.0, 1.0, 2e-10, "unchecked"),
        (1.0, 1.0, 1e-10, "ok"),
        (math.inf, 1e300, 1e299, "unchecked"),
        (math.nan, "complex", 0.0, "convention"),
        (math.nan, math.nan, 0.0, "unchecked"),
        (0.0, math.nan, 0.0, "unchecked"),
        (math.nan, 0.0, 0.0, "mismatch"),
    ],
)
def test_judge(ours, expected, error, status):
    assert check_module.judge(ours, expected, error).status == status


# --- many points ------------------------------------------------------------------------


def test_check_all_never_flags_a_right_gradient(cg):
    # float64 central differences are off by 6e-6 relative here (sin(1000x) curves fast)
    rows = "x\n0.1\n0.2\n0.3\n"
    args = ["eval", "sin(1000*x)", "--points", "-", "--format", "csv", "--check", "all"]
    result = cg(*args, input=rows)
    assert result.exit_code == 0
    assert result.stderr == (
        "cg: check: finite differences on every row: 3 gradients agree, 0 disagree, "
        "0 unchecked (near a kink or a domain edge, or past the time budget); the 3 that "
        "float64 finite differences flagged were re-checked by high-precision difference "
        "quotients, and only those they confirm disagree\n"
    )


def test_check_all_and_sample_say_what_disagreed(cg, monkeypatch):
    import numpy as np

    wrong = ops.Op("sin", 1, np.sin, lambda a, o: (2 * np.cos(a),), lambda s, a: s.sin(a))
    monkeypatch.setitem(ops.FUNCTIONS, "sin", wrong)
    rows = "x\n0.5\n"
    every = cg("eval", "sin(x)", "--points", "-", "--check", "all", "--format", "csv", input=rows)
    assert every.exit_code == 1
    assert every.stderr.splitlines()[0] == (
        f"cg: check: row 1: ∂f/∂x = {2 * math.cos(0.5)!r}, high-precision difference "
        f"quotients give {math.cos(0.5)!r} (difference 0.878)"
    )
    sample = cg("eval", "sin(x)", "--points", "-", "--format", "csv", input=rows)
    assert sample.exit_code == 1
    assert sample.stderr.splitlines()[0] == (
        f"cg: check: row 1: ∂f/∂x disagrees with sympy: ours {2 * math.cos(0.5)!r}, "
        f"expected {math.cos(0.5)!r}, difference 0.878 (relative 1)"
    )


# --- SymPy's per-op derivatives in interval arithmetic (cgcli.check.intervals) ---------

OP_POINTS = [(op, (x,)) for op, xs in UNARY_POINTS.items() for x in xs] + [
    (op, p) for op, ps in BINARY_POINTS.items() for p in ps
]


def _same_float(new, old) -> bool:
    """Equal, or one float64 step apart (both are roundings of the same exact number)."""
    if new is None or old is None or isinstance(old, str):
        return new == old
    return new == old or math.nextafter(new, old) == old


@pytest.mark.parametrize(("op", "point"), OP_POINTS, ids=[f"{o}-{p}" for o, p in OP_POINTS])
def test_the_interval_method_agrees_with_the_whole_program_method_on_every_op(op, point):
    graph = parse(program_for(op) + " * 3/7 + 1")
    needs = graph.depends_on_input()
    exact = {name: Fraction(v) for name, v in zip(["x", "y"], point, strict=False)}
    value, grads, kinks, _ = reference_at(graph, exact, needs)
    [(old_value, old_grads, old_kinks)] = whole_program_reference(graph, [exact], needs)
    assert not any(kinks) and not any(old_kinks)
    assert _same_float(value, old_value), (value, old_value)
    for new, old in zip(grads, old_grads, strict=True):
        assert _same_float(new, old), (new, old)


@pytest.mark.parametrize("seed", range(6))
def test_the_interval_method_agrees_on_every_node_of_random_programs(seed):
    text, _ = big_program(seed, 25)
    graph = parse(text)
    needs = graph.depends_on_input()
    rng = random.Random(seed)
    exact = {n: Fraction(rng.randint(-3000, 3000), 1000) for n in graph.input_names}
    try:
        value, grads, _, node_values = reference_at(graph, exact, needs)
    except Irregular:
        pytest.skip("a tie or a kink at its break: the whole-program method's case")
    [(old_value, old_grads, _)] = whole_program_reference(graph, [exact], needs)
    assert _same_float(value, old_value)
    assert all(_same_float(n, o) for n, o in zip(grads, old_grads, strict=True))
    # every node's value (what the check of intermediate values holds cg's against),
    # against SymPy's own expression of that node at the exact inputs
    from cgcli.check.symbolic import build, exact_value, input_symbols, numeric, substitute

    symbols = input_symbols(graph)
    exprs = build(graph, symbols)
    at = {symbols[n]: exact_value(v) for n, v in exact.items()}
    used = graph.used_by_output()
    for node in graph.nodes:
        if used[node.index]:
            assert _same_float(node_values[node.index], numeric(substitute(exprs[node.index], at)))


MP50 = mpmath.MPContext()
MP50.dps = 50

POINTS_1000 = [
    {"x0": "2023/1000", "x1": "29/500", "x2": "-203/250", "x3": "-933/500", "x4": "-369/250"},
    {"x0": "317/200", "x1": "407/500", "x2": "701/1000", "x3": "29/25", "x4": "1811/1000"},
    {"x0": "-1", "x1": "2", "x2": "1/3", "x3": "-7/4", "x4": "0"},
]


@pytest.mark.parametrize("nodes", [1000, 2000])
@pytest.mark.parametrize("seed", range(4))
def test_big_random_programs_are_checked_by_sympy_against_a_60_digit_reference(nodes, seed):
    text, mirror = big_program(seed, nodes)
    point = {n: Fraction(v) for n, v in POINTS_1000[seed % len(POINTS_1000)].items()}
    result = evaluate(text, {n: str(v) for n, v in point.items()})
    assert (result.check.method, result.check.note) == ("sympy", None)
    value, gradient, kinked = mirror(point)
    values = [r.value for r in result.nodes]
    kinked |= variables_through_a_kink(result.graph, values)
    checks = [(result.check.value, result.value, value)] + [
        (result.check.grads[node.index], result.gradient[node.name], gradient[node.name])
        for node in result.graph.inputs
        if node.name not in kinked
    ]
    for verdict, ours, exact in checks:
        assert verdict.expected == pytest.approx(float(exact), rel=1e-15, abs=1e-40)
        tolerance = 1e-9 * max(abs(ours), abs(float(exact))) + 1e-12
        assert (verdict.status == "ok") is (abs(ours - float(exact)) <= tolerance), verdict


def test_a_planted_wrong_gradient_in_a_big_program_is_caught(monkeypatch):
    text, _ = big_program(3, 1000)
    tanh = ops.FUNCTIONS["tanh"]
    slightly_wrong = tanh._replace(partials=lambda a, o: (tanh.partials(a, o)[0] * (1 + 1e-7),))
    monkeypatch.setitem(ops.FUNCTIONS, "tanh", slightly_wrong)
    result = evaluate(text, {n: str(v) for n, v in POINTS_1000[0].items()})
    assert (result.check.method, result.check.ok) == ("sympy", False)
    assert any(v is not None and v.status == "mismatch" for v in result.check.grads)


@pytest.mark.parametrize(
    ("program", "x", "expected"),
    [
        ("sin(x)^2 + cos(x)^2 - 1", "1/3", 0.0),  # an exact zero from cancellation
        ("exp(x) - 1 - x", "1e-10", 5.000000000166666666675e-21),  # cancels 20 digits
        ("exp(-x) * x", "700", 700 * math.exp(-700)),  # tiny
        ("exp(exp(x))", "6", float(MP50.exp(MP50.exp(6)))),  # huge
    ],
)
def test_the_interval_method_near_cancellation_and_at_extreme_magnitudes(program, x, expected):
    result = evaluate(program, {"x": x})
    assert (result.check.method, result.check.note, result.check.ok) == ("sympy", None, True)
    assert result.check.value.expected == pytest.approx(expected, rel=1e-15)
    assert result.check.grads[0].status == "ok"


def test_the_interval_method_takes_more_digits_where_50_cancel():
    # 1/3 + 10^60 - 10^60: 50 digits keep none of the 1/3; float64 keeps none either
    result = evaluate("(x + 10^60) - 10^60", {"x": "1/3"})
    assert result.check.method == "sympy"
    assert result.check.value.expected == 1 / 3
    assert result.check.value.status == "mismatch"  # cg's float64 answer is 0
    assert result.check.grads[0].status == "ok"


def test_deep_programs_are_checked_by_sympy():
    depth = 10_000
    result = evaluate("(" * depth + "x" + "+1)" * depth, {"x": "1/3"})
    assert (result.check.method, result.check.ok) == ("sympy", True)
    result = evaluate("sin(" * 5000 + "x" + ")" * 5000, {"x": "1/2"})
    assert (result.check.method, result.check.ok) == ("sympy", True)
    assert set(statuses(result).values()) == {"ok"}


def test_a_kink_in_a_big_graph_is_a_convention_of_the_sympy_check():
    program = "y = x\n" + "y = sin(y) * 0.5 + x * z\n" * 500 + "relu(x - x) + y"
    result = evaluate(program, {"x": 1, "z": "1/3"})
    assert (result.check.method, result.check.ok) == ("sympy", True)
    assert statuses(result)["x"] == "convention"
    assert statuses(result)["z"] == "ok"


def test_a_pole_in_a_big_graph_goes_to_high_precision():
    program = "y = x\n" + "y = sin(y) * 0.5 + x * z\n" * 500 + "sqrt(x - x) + y"
    result = evaluate(program, {"x": 1, "z": "1/3"})
    assert result.check.method == "high-precision"
    assert result.check.note == (
        "SymPy's per-op derivatives cannot decide here (a square root of a number that is "
        "not positive), and the graph has 2506 nodes, over the 2000 its whole-program "
        "method handles"
    )


def test_the_stored_sympy_derivatives_are_what_sympy_computes_now():
    """cgcli/core/_op_derivatives.py is what tools/generate_op_derivatives.py makes of the op
    table with SymPy."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "tools" / "generate_op_derivatives.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_check_of_a_regular_point_does_not_import_sympy():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from fractions import Fraction\n"
        "from cgcli import parse\n"
        "from cgcli.check.run import _sympy_reference\n"
        "graph = parse('sigmoid(w*x + b) * tanh(x) / (1 + x^2)')\n"
        "point = {n: Fraction(1, 3) for n in graph.input_names}\n"
        "[(value, grads, kinks, _)] = _sympy_reference(graph, [point], graph.depends_on_input())\n"
        "print(value, 'sympy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split()[1] == "False", done.stderr


def test_an_op_the_stored_table_lacks_is_differentiated_by_sympy(monkeypatch):
    from cgcli.core import _op_derivatives

    monkeypatch.delitem(_op_derivatives.OP_DERIVATIVES, "sigmoid")
    result = evaluate("sigmoid(x)", {"x": "1/3"})
    assert (result.check.method, statuses(result)["x"]) == ("sympy", "ok")


def test_the_interval_method_keeps_constant_inputs_exact():
    result = evaluate("sin(x)^2 * y", {"x": "pi/4", "y": "e"})
    assert (result.check.method, result.check.ok) == ("sympy", True)
    assert result.check.value.expected == float(MP50.e / 2)
    assert result.check.grads[0].expected == float(MP50.e)  # 2 sin(x) cos(x) y = y


@pytest.mark.parametrize("program", ["sqrt(abs(u))", "sqrt(relu(u))", "sqrt(abs(u)) + u"])
def test_infinity_times_a_kinks_zero_is_a_convention_not_a_mismatch(program):
    """At u = 0 the kink's derivative is 0 by convention and sqrt's is infinite: cg's nan
    (PyTorch's too) is a convention, not a number that disagrees with SymPy's pole."""
    result = evaluate(program, {"u": 0})
    assert math.isnan(result.gradient["u"])
    assert statuses(result)["u"] == "convention"
    assert result.check.ok


def test_an_intermediate_value_is_checked_too(cg):
    """a = (x + 1e16) - 1e16 is 0 in float64 and 1 exactly; nothing downstream shows it
    (a*0), and the row said ✓ beside 0. Its value is checked now: ✗, and the line why."""
    result = cg("eval", "a = (x+1e16) - 1e16; f = a*0 + y", "x=1", "y=1")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[3].split()[0] == "a" and lines[3].endswith("✗")
    assert lines[-1] == "✗ a: ours 0, expected 1, difference -1 (relative 1)"
    doc = json.loads(cg("eval", "a = (x+1e16) - 1e16; f = a*0 + y", "x=1", "y=1",
                        "--format", "json").stdout)  # fmt: skip
    assert doc["check"]["ok"] is False
    ids = {node["label"]: node["id"] for node in doc["nodes"]}
    assert doc["check"]["values"][ids["a"]] == {
        "status": "mismatch",
        "expected": 1.0,
        "reason": "ours 0, expected 1, difference -1 (relative 1)",
    }
    fine = evaluate("q = x + y; f = q * z", {"x": 1, "y": 3, "z": -3})
    assert fine.check.ok and [v.status for v in fine.check.values if v] == ["ok"]  # q


def test_a_mismatch_from_cgs_own_arithmetic_is_not_blamed_on_a_rounded_input(cg):
    """(1+y)-1 at y = 1e-10 loses digits in float64; y's own rounding (3.6e-17) cannot
    explain 8e-8: the line said only how y was stored, as if that were the cause."""
    result = cg("eval", "w*((1+y)-1)*1e10", "w=2", "y=1e-10")
    line = next(x for x in result.stdout.splitlines() if x.startswith("✗ ∂f/∂w:"))
    assert line.endswith(
        "relative error 3.6e-17; at the stored inputs a high-precision evaluation gives 1, "
        "not cg's: the difference arises in cg's float64 arithmetic (a cancellation loses "
        "digits), not from the storing"
    )


def test_the_output_row_shows_its_values_mismatch_and_an_intermediate_names_its_rounding(cg):
    """r = x - t at x = 4000000.1: the stored x makes r² and L differ beyond the
    tolerance. L's row showed ✓ (its gradient's mark) beside L = ... ✗; and the line for
    v1 = r² did not say that x is stored rounded, as L's did."""
    result = cg("eval", "r = x - t; L = 0.5*r^2", "x=4000000.1", "t=4000000")
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:6]}
    assert rows["L"].endswith("✗") and rows["v1"].endswith("✗")
    v1 = next(x for x in result.stdout.splitlines() if x.startswith("✗ v1:"))
    assert v1.endswith("x = 4000000.1 is stored as the float64 4000000.100000000093132257, "
                       "relative error 2.3e-17")  # fmt: skip
