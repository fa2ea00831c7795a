"""The independent check: SymPy within a time budget, else high-precision difference quotients.

Tolerances and guarantees (documented in docs/check.md):

* SymPy: a value or gradient agrees when |ours - exact| <= 1e-9·max(|ours|, |exact|) + 1e-12.
  The exact numbers come from SymPy's derivative of each op in interval arithmetic
  (:mod:`cgcli.check.intervals`), or, at a point that cannot decide, from SymPy's
  derivative of the whole program (:func:`cgcli.check.symbolic.reference`).
* High precision (:mod:`cgcli.check.precise`): the same tolerance, plus the reference's own
  error bound, which must be at most a tenth of the tolerance for a ✓; the value and
  the gradient of every input are checked, the intermediate nodes are not.

At a non-differentiable point (relu(0), abs(0), a max or min tie) cg follows
PyTorch's convention; a gradient that flows through such a point is marked
"convention", not "mismatch". A gradient that has no real value (∂(a^b)/∂b for
a < 0) is nan by the same convention, marked "convention" with its reason.
A mismatch always carries its reason: ours, the expected number and the
difference, and the rounding of inputs that are not float64 numbers.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

from ..core import clock
from ..core.ir import INPUT, Graph, Node
from ..core.limits import CHECK_TIMEOUT
from ..core.numbers import format_number
from ..core.verdicts import (
    ABSOLUTE,
    AT_KINK,
    CONVENTION,
    HIGH_PRECISION,
    MISMATCH,
    NO_REAL_DERIVATIVE,
    NO_REFERENCE,
    OK,
    RELATIVE,
    SYMPY,
    UNCHECKED,
    CheckReport,
    Verdict,
    agrees,
)
from ..core.verdicts import GUARANTEES as GUARANTEES  # the vocabulary, also from here
from ..core.verdicts import check_as_dict as check_as_dict
from ..core.verdicts import not_checked as not_checked
from ..passes.engine import through_kink

if TYPE_CHECKING:
    from .precise import Gap, HighPrecision, Number

REFERENCE_SHARE = 0.1
"""A high-precision reference gives a ✓ only when its error bound is at most this share
of the tolerance."""
FD_RELATIVE = 1e-6
FD_STEP = 6e-6
DEFAULT_TIMEOUT = CHECK_TIMEOUT
SYMPY_SHARE = 0.8
"""The share of the budget SymPy may use; the high-precision check has the rest."""
INTERVAL_NODE_LIMIT = 25_000
"""Larger graphs go straight to the high-precision check: SymPy's per-op derivatives in
interval arithmetic would not finish in time."""
SYMPY_NODE_LIMIT = 2000
"""SymPy's whole-program method (here for the points the interval method cannot decide,
and in forward mode's check) takes graphs up to this size."""
EXPLAIN_GRACE = 0.5
"""Seconds the explanation of a mismatch may take beyond the budget."""


def run_check(
    graph: Graph,
    exact_inputs: Mapping[str, Fraction | Graph],
    values: list[float],
    grads: list[float | None],
    timeout: float = DEFAULT_TIMEOUT,
) -> CheckReport:
    """Check the output value and gradients; SymPy first, high precision on time-out."""
    return check_points(graph, [Point(exact_inputs, values, grads)], timeout)[0]


class Point(NamedTuple):
    """One evaluated point to check: exact inputs, and cg's value and gradient per node."""

    exact_inputs: Mapping[str, Fraction | Graph]
    values: list[float]
    grads: list[float | None]


def check_points(
    graph: Graph, points: list[Point], timeout: float, sympy_share: float | None = None
) -> list[CheckReport]:
    """Check several points of one graph; SymPy differentiates once for all of them.

    SymPy may use ``sympy_share`` of the budget (SYMPY_SHARE by default; 0 goes
    straight to the high-precision check); the high-precision check has the rest.
    """
    share = SYMPY_SHARE if sympy_share is None else sympy_share
    deadline = clock.now() + timeout
    if len(graph.nodes) > INTERVAL_NODE_LIMIT:
        reason = (
            f"the graph has {len(graph.nodes)} nodes, over the {INTERVAL_NODE_LIMIT} SymPy handles"
        )
    elif share <= 0:
        reason = "SymPy was given no time"
    else:
        reports = _by_sympy(graph, points, timeout * share)
        if not isinstance(reports, str):
            return [_explained(graph, p, r, deadline) for p, r in zip(points, reports, strict=True)]
        reason = reports
    return [
        _explained(graph, p, _by_high_precision(graph, p, deadline, reason), deadline)
        for p in points
    ]


# --- SymPy ------------------------------------------------------------------------


def _by_sympy(graph: Graph, points: list[Point], budget: float) -> list[CheckReport] | str:
    """The SymPy reports, or why there are none."""
    needs = [g is not None for g in points[0].grads]
    exact = [dict(p.exact_inputs) for p in points]
    try:
        references = call_with_timeout(_sympy_reference, (graph, exact, needs), budget)
    except TimeoutError:
        return f"SymPy did not finish within {budget:.3g} s"
    except Exception as exc:  # any SymPy failure means: fall back
        return f"SymPy failed ({exc})"
    if isinstance(references, str):
        return references
    return [
        _sympy_report(graph, point, *reference)
        for point, reference in zip(points, references, strict=True)
    ]


def _sympy_reference(graph: Graph, points: list[dict], needs: list[bool]) -> list | str:
    """Per point: the value, the gradients and the kinks; or why there are none.

    SymPy's per-op derivatives in interval arithmetic (:mod:`cgcli.check.intervals`)
    first; the points that method cannot decide go to SymPy's whole-program method
    (:func:`cgcli.check.symbolic.reference`), on graphs it can finish.
    """
    from .intervals import Irregular, reference_at  # imports SymPy: in the worker

    references: list = [None] * len(points)
    undecided: list[int] = []
    for i, point in enumerate(points):
        try:
            references[i] = reference_at(graph, point, needs)
        except Irregular as exc:
            undecided.append(i)
            why = str(exc)
    if not undecided:
        return references
    if len(graph.nodes) > SYMPY_NODE_LIMIT:
        return (
            f"SymPy's per-op derivatives cannot decide here ({why}), and the graph has "
            f"{len(graph.nodes)} nodes, over the {SYMPY_NODE_LIMIT} its "
            "whole-program method handles"
        )
    from .symbolic import reference

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    found = reference(graph, [points[i] for i in undecided], needs)
    for i, result in zip(undecided, found, strict=True):
        references[i] = result
    return references


def _sympy_report(
    graph: Graph,
    point: Point,
    expected_value,
    expected_grads,
    kinks: list[bool],
    expected_values: list | None = None,
) -> CheckReport:
    """The verdicts on the output's value, every gradient and, where the reference has
    them (``expected_values``: the interval method's), every computed node's value."""
    through_kink = _through_kink(graph, point)
    verdicts = tuple(
        None
        if expected is None or point.grads[i] is None
        else judge(
            point.grads[i],
            expected,
            at_kink=AT_KINK if kinks[i] else None,
            through_kink=through_kink[i],
        )
        for i, expected in enumerate(expected_grads)
    )
    value = judge(point.values[graph.output], expected_value)
    values = None if expected_values is None else _value_verdicts(graph, point, expected_values)
    return CheckReport(SYMPY, value, verdicts, None, values)


def _value_verdicts(graph: Graph, point: Point, expected: list) -> tuple[Verdict | None, ...]:
    """A verdict on the value of each node computed on the way (not the inputs, the
    constants or the output, whose value has its own); :func:`_explained` says why a
    mismatch is one."""
    found: list[Verdict | None] = [None] * len(graph.nodes)
    for node in graph.nodes:
        reference = expected[node.index]
        if reference is not None and node.inputs and node.index != graph.output:
            found[node.index] = judge(point.values[node.index], reference)
    return tuple(found)


def judge(
    ours: float,
    expected: float | str,
    error: float = 0.0,
    *,
    at_kink: str | None = None,
    through_kink: bool = False,
) -> Verdict:
    """The verdict on one number against its reference.

    ``at_kink`` is the reason when the reference itself sits on a kink (its value
    is a convention too); ``through_kink`` says that cg's gradient flows through a
    kink at cg's float values.
    """
    no_value = isinstance(expected, float) and math.isnan(expected)
    if math.isnan(ours):
        if expected == "complex":
            return Verdict(CONVENTION, expected, None, NO_REAL_DERIVATIVE)
        if no_value:
            return Verdict(UNCHECKED, expected, None, NO_REFERENCE)
        if through_kink:  # ∞ · 0 where the 0 is the kink's convention (PyTorch's nan too)
            return Verdict(CONVENTION, expected, error or None, AT_KINK)
        return Verdict(MISMATCH, expected, error or None)
    if at_kink:
        return Verdict(CONVENTION, expected, error or None, at_kink)
    if isinstance(expected, float) and error > REFERENCE_SHARE * _tolerance(expected):
        reason = (
            f"the reference is only accurate to ±{error:.2g} here "
            "(near a singular point, or after too much cancellation)"
        )
        return Verdict(UNCHECKED, expected, error, reason)
    if agrees(ours, expected, error):
        return Verdict(OK, expected, error or None)
    if through_kink:
        return Verdict(CONVENTION, expected, error or None, AT_KINK)
    if no_value:
        return Verdict(UNCHECKED, expected, None, NO_REFERENCE)
    return Verdict(MISMATCH, expected, error or None)


def _tolerance(expected: float) -> float:
    return RELATIVE * abs(expected) + ABSOLUTE


def _through_kink(graph: Graph, point: Point) -> list[bool]:
    """Nodes whose gradient flows through a kink (a piecewise op at its break point)."""
    return through_kink(graph, point.values, [g is not None for g in point.grads])


# --- high precision -----------------------------------------------------------------


def _by_high_precision(graph: Graph, point: Point, deadline: float, note: str) -> CheckReport:
    """The value and every input's gradient against high-precision difference quotients."""
    from .precise import HighPrecision

    reference = HighPrecision(graph, point.exact_inputs, deadline, REFERENCE_SHARE * RELATIVE)
    through_kink = _through_kink(graph, point)
    value = _judge_precise(point.values[graph.output], reference.value(), False)
    verdicts = [None if g is None else Verdict(UNCHECKED) for g in point.grads]
    for node in graph.inputs:
        ours = point.grads[node.index]
        if ours is not None:
            found = reference.gradient(node)
            verdicts[node.index] = _judge_precise(ours, found, through_kink[node.index])
    return CheckReport(HIGH_PRECISION, value, tuple(verdicts), note)


def check_input_gradient(
    graph: Graph,
    exact_inputs: Mapping[str, Fraction | Graph],
    node: Node,
    ours: float,
    deadline: float,
) -> Verdict:
    """cg's gradient ``ours`` of input ``node`` at one point, against high-precision
    difference quotients (the confirmation ``--check all`` asks for)."""
    from .precise import HighPrecision

    reference = HighPrecision(graph, exact_inputs, deadline, REFERENCE_SHARE * RELATIVE)
    return _judge_precise(ours, reference.gradient(node), False)


def _judge_precise(ours: float, found: Number | Gap, through_kink: bool) -> Verdict:
    from .precise import KINK, NOT_REAL, Gap

    if isinstance(found, Gap):
        if found.kind == KINK:
            reason = f"{found.reason}; cg follows PyTorch's convention"
            return Verdict(CONVENTION, None, None, reason)
        if found.kind == NOT_REAL and math.isnan(ours):
            return Verdict(CONVENTION, None, None, NO_REAL_DERIVATIVE)
        return Verdict(UNCHECKED, None, None, found.reason)
    return judge(ours, found.value, found.error, through_kink=through_kink)


# --- explaining mismatches ------------------------------------------------------------


def _explained(graph: Graph, point: Point, report: CheckReport, deadline: float) -> CheckReport:
    """The report with a reason on every mismatch: the numbers, and rounded inputs."""
    bad = [i for i, v in enumerate(report.grads) if v is not None and v.status == MISMATCH]
    bad_values = [
        i for i, v in enumerate(report.values or ()) if v is not None and v.status == MISMATCH
    ]
    if report.value.status != MISMATCH and not bad and not bad_values:
        return report
    rounded = _rounded_inputs(graph, point)
    stored: HighPrecision | None = None
    if rounded:
        from .precise import HighPrecision

        at_floats = {n.name: point.values[n.index] for n in graph.inputs}
        grace = max(deadline, clock.now() + EXPLAIN_GRACE)
        stored = HighPrecision(graph, at_floats, grace, REFERENCE_SHARE * RELATIVE)

    def explain(ours: float, verdict: Verdict, index: int | None) -> Verdict:
        at_stored = None
        if stored is not None and index is None:
            at_stored = stored.value()
        elif stored is not None and graph.nodes[index].op == INPUT:
            at_stored = stored.gradient(graph.nodes[index])
        return verdict._replace(reason=_mismatch_reason(ours, verdict, rounded, at_stored))

    value = report.value
    if value.status == MISMATCH:
        value = explain(point.values[graph.output], value, None)
    grads = list(report.grads)
    for i in bad:
        grads[i] = explain(point.grads[i], grads[i], i)
    values = list(report.values or ())
    for i in bad_values:  # an intermediate value: the rounded inputs, if any, named
        values[i] = values[i]._replace(
            reason=_mismatch_reason(point.values[i], values[i], rounded, None)
        )
    return report._replace(
        value=value, grads=tuple(grads), values=tuple(values) if report.values else None
    )


def _mismatch_reason(
    ours: float, verdict: Verdict, rounded: list[tuple[str, float]], at_stored: Number | Gap | None
) -> str:
    from .precise import Number

    expected = verdict.expected
    parts = [f"ours {format_number(ours)}, expected {_expected_text(expected)}"]
    if isinstance(expected, float) and math.isfinite(expected) and math.isfinite(ours):
        difference = ours - expected
        relative = abs(difference) / abs(expected) if expected else math.inf
        parts.append(f"difference {difference:.3g} (relative {relative:.2g})")
    if verdict.error:
        parts.append(f"the reference's own error bound {verdict.error:.2g}")
    reason = ", ".join(parts)
    if not rounded:
        return reason
    reason += "; " + "; ".join(sentence for sentence, _ in rounded)
    confirmed = isinstance(at_stored, Number) and (
        judge(ours, at_stored.value, at_stored.error).status == OK
    )
    if isinstance(at_stored, Number) and not confirmed:
        reason += (
            f"; at the stored inputs a high-precision evaluation gives "
            f"{format_number(at_stored.value)}, not cg's: the difference arises in cg's float64 "
            "arithmetic (a cancellation loses digits), not from the storing"
        )
    if confirmed:
        reason += (
            f"; at the stored inputs a high-precision evaluation gives "
            f"{format_number(at_stored.value)}, as cg does: the difference comes from "
            "storing the inputs as float64"
        )
        largest = max(relative for _, relative in rounded)
        if not isinstance(expected, float) or not math.isfinite(expected):
            return reason + ", and the exact inputs sit on a singular point (a pole)"
        change = abs(expected - at_stored.value) / abs(at_stored.value or 1.0)
        if change > 1000 * largest:
            reason += (
                f", and the result is ill-conditioned here (a relative change of {largest:.2g} "
                f"in the inputs changes it by {change:.2g}: near a singular point)"
            )
    return reason


def _expected_text(expected: float | str | None) -> str:
    if expected == "zoo":
        return "an infinity of either sign (SymPy's zoo: a pole)"
    if expected == "complex":
        return "a complex number"
    if expected is None:
        return "none"
    return format_number(expected)


def _rounded_inputs(graph: Graph, point: Point) -> list[tuple[str, float]]:
    """For each input whose exact value is not the float64 cg computed with: a sentence,
    and the relative rounding error."""
    found = (
        rounded_input(node.name, point.exact_inputs.get(node.name), point.values[node.index])
        for node in graph.inputs
    )
    return [rounded for rounded in found if rounded is not None]


def rounded_input(name: str, exact: Any, stored: float) -> tuple[str, float] | None:
    """The sentence on an input (or an entry, ``x[2]``) whose exact value ``exact`` is not
    the float64 ``stored`` cg computed with, and the relative rounding error; None when
    it is that float64 (or has no exact value)."""
    from .precise import relative_rounding

    if exact is None:
        return None
    relative = relative_rounding(exact, stored)
    if relative == 0:
        return None
    if isinstance(exact, Fraction):
        text = str(exact) if len(str(exact)) <= 30 else format_number(float(exact))
    else:  # a constant expression: its output's text (an element's, in a list)
        text = exact.text(exact.nodes[exact.output]).strip()
    kind = ""
    if stored == 0:
        kind = " (too small for a float64)"
    elif abs(stored) < sys.float_info.min:
        kind = " (below the normal float64 range, so it keeps fewer digits)"
    sentence = (
        f"{name} = {text} is stored as the float64 {stored:.25g}{kind}, "
        f"relative error {relative:.2g}"
    )
    return sentence, relative


# --- the float64 difference quotient of --check all and of training ----------------------


def fd_step(x, maximum=max):
    """The central-difference step at ``x``: 6e-6·max(1, |x|) (elementwise with np.maximum)."""
    return FD_STEP * maximum(1.0, abs(x))


def fd_compare(ours, f_up, f_down, h, maximum=max):
    """The central difference (f(x+h) - f(x-h)) / 2h, and whether ``ours`` agrees with it
    within FD_RELATIVE·max(1, |ours|) plus the quotient's rounding error.

    With ``maximum=np.maximum`` it works elementwise on arrays.
    """
    estimate = (f_up - f_down) / (2 * h)
    rounding = 4 * sys.float_info.epsilon * maximum(abs(f_up), abs(f_down)) / h
    return estimate, abs(ours - estimate) <= FD_RELATIVE * maximum(1.0, abs(ours)) + rounding


# --- running SymPy with a time limit ------------------------------------------------------


def call_with_timeout(function: Callable[..., Any], args: tuple, timeout: float) -> Any:
    """Run ``function(*args)`` in a forked worker and kill it when ``timeout`` passes.

    Where fork is not available, or inside such a worker already (a worker has no
    children), a daemon thread runs it and is abandoned on time-out. The budget is
    measured on :mod:`cgcli.core.clock`; a budget of 0 or less times out at once.
    """
    import multiprocessing

    deadline = clock.now() + timeout
    if timeout <= 0:
        raise TimeoutError
    if _in_worker or "fork" not in multiprocessing.get_all_start_methods():
        return _call_in_thread(function, args, deadline)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    parent = os.getpid()
    worker = context.Process(target=_worker, args=(function, args, sender, parent), daemon=True)
    worker.start()
    sender.close()
    try:
        if not _wait_until(deadline, receiver.poll):
            raise TimeoutError
        ok, result = receiver.recv()
    except EOFError:
        raise RuntimeError("the check worker died") from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receiver.close()
    if not ok:
        raise result
    return result


_in_worker = False
"""True in a worker process of :func:`call_with_timeout`."""


def _worker(function: Callable[..., Any], args: tuple, sender, parent: int) -> None:
    global _in_worker
    _in_worker = True
    _end_with(parent)
    try:
        sender.send((True, function(*args)))
    except BaseException as exc:
        sender.send((False, RuntimeError(f"{type(exc).__name__}: {exc}"[:200])))
    finally:
        sender.close()


def _end_with(parent: int) -> None:
    """Have the system kill this worker when cg ends. A signal may end cg between its
    stopping the workers it knows of and its exit, while a new one starts; that one
    would then work on alone (at 100% of a core, for an answer such as
    (1+1/10^9)^(10^9), whose arithmetic no Python-level handler can interrupt)."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # Linux; elsewhere nothing is set
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # cg ended before the request was made
        os._exit(1)


PR_SET_PDEATHSIG = 1
"""Linux's prctl option: the signal a process gets when its parent ends."""


def _wait_until(deadline: float, wait: Callable[[float], Any]) -> bool:
    """Call ``wait(seconds)`` in slices until it returns true or ``deadline`` passes on
    the clock; whether it returned true."""
    while True:
        seconds = clock.left(deadline)
        if seconds <= 0:
            return False
        if wait(min(seconds, clock.WAIT_SLICE)):
            return True


def _call_in_thread(function: Callable[..., Any], args: tuple, deadline: float) -> Any:
    import threading

    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = function(*args)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def joined(seconds: float) -> bool:
        thread.join(seconds)
        return not thread.is_alive()

    if not _wait_until(deadline, joined):
        raise TimeoutError
    if "error" in box:
        raise RuntimeError(str(box["error"]))
    return box["result"]
