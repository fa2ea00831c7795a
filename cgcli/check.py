"""The independent check: SymPy within a time budget, else central finite differences.

Tolerances (documented in the README):

* SymPy: a value or gradient agrees when |ours - exact| <= 1e-9·max(|ours|, |exact|) + 1e-12.
* Finite differences: |ours - fd| <= 1e-6·max(1, |ours|) + the rounding error of the
  difference quotient (4·2⁻⁵²·max|f(x±h)|/h), with h = 6e-6·max(1, |x|).

At a non-differentiable point (relu(0), abs(0), a max or min tie) cg follows
PyTorch's convention; a gradient that flows through such a point and differs
from the reference is marked "convention", not "mismatch".
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from .engine import forward, pieces
from .errors import CgMathError
from .ir import Graph

if TYPE_CHECKING:
    from fractions import Fraction

RELATIVE = 1e-9
ABSOLUTE = 1e-12
FD_RELATIVE = 1e-6
FD_STEP = 6e-6
DEFAULT_TIMEOUT = 5.0
SYMPY_SHARE = 0.8
"""The share of the budget SymPy may use; finite differences have the rest."""
SYMPY_NODE_LIMIT = 2000
"""Larger graphs go straight to finite differences: SymPy would not finish in time."""

OK, MISMATCH, CONVENTION, UNCHECKED = "ok", "mismatch", "convention", "unchecked"


class Verdict(NamedTuple):
    """How one number compares with the reference."""

    status: str
    expected: float | str | None = None
    """The reference value: a float, or "complex" / "zoo" where SymPy says so."""


class CheckReport(NamedTuple):
    """The check of one evaluation: the output value and every node's gradient."""

    method: str
    """"sympy", "finite-difference" or "none"."""
    value: Verdict
    grads: tuple[Verdict | None, ...]
    """Per node; None where the node has no gradient (it depends on no input)."""
    note: str | None = None

    @property
    def ok(self) -> bool:
        """True unless some number disagrees with the reference."""
        verdicts = [self.value, *self.grads]
        return all(v is None or v.status != MISMATCH for v in verdicts)


def not_checked(graph: Graph) -> CheckReport:
    return CheckReport("none", Verdict(UNCHECKED), (None,) * len(graph.nodes), "not checked")


def agrees(ours: float, expected: float | str) -> bool:
    """Whether a float agrees with a reference value within the SymPy tolerance."""
    if expected == "complex":
        return math.isnan(ours)
    if expected == "zoo":
        return math.isinf(ours)
    assert isinstance(expected, float)
    if math.isnan(expected) or math.isnan(ours):
        return math.isnan(expected) and math.isnan(ours)
    if math.isinf(expected) or math.isinf(ours):
        return ours == expected
    return abs(ours - expected) <= RELATIVE * max(abs(ours), abs(expected)) + ABSOLUTE


def run_check(
    graph: Graph,
    exact_inputs: Mapping[str, Fraction | Graph],
    values: list[float],
    grads: list[float | None],
    timeout: float = DEFAULT_TIMEOUT,
) -> CheckReport:
    """Check the output value and gradients; SymPy first, finite differences on time-out."""
    return check_points(graph, [Point(exact_inputs, values, grads)], timeout)[0]


class Point(NamedTuple):
    """One evaluated point to check: exact inputs, and cg's value and gradient per node."""

    exact_inputs: Mapping[str, Fraction | Graph]
    values: list[float]
    grads: list[float | None]


def check_points(graph: Graph, points: list[Point], timeout: float) -> list[CheckReport]:
    """Check several points of one graph; SymPy differentiates once for all of them."""
    needs = [g is not None for g in points[0].grads]
    deadline = time.monotonic() + timeout
    if len(graph.nodes) > SYMPY_NODE_LIMIT:
        reason = (
            f"the graph has {len(graph.nodes)} nodes, over the {SYMPY_NODE_LIMIT} SymPy handles"
        )
    else:
        exact = [dict(p.exact_inputs) for p in points]
        try:
            sympy_budget = timeout * SYMPY_SHARE
            references = call_with_timeout(_sympy_reference, (graph, exact, needs), sympy_budget)
        except TimeoutError:
            reason = f"SymPy did not finish within {sympy_budget:.3g} s"
        except Exception as exc:  # any SymPy failure means: fall back
            reason = f"SymPy failed ({exc})"
        else:
            return [
                _sympy_report(graph, point, value, expected)
                for point, (value, expected) in zip(points, references, strict=True)
            ]
    note = f"{reason}; the input gradients were checked by central finite differences"
    return [
        CheckReport(
            "finite-difference",
            Verdict(UNCHECKED),
            _finite_differences(graph, p.values, p.grads, _through_kink(graph, p), deadline),
            note,
        )
        for p in points
    ]


def _sympy_report(graph: Graph, point: Point, expected_value, expected_grads) -> CheckReport:
    through_kink = _through_kink(graph, point)
    verdicts = tuple(
        None
        if expected is None or point.grads[i] is None
        else _verdict(point.grads[i], expected, through_kink[i])
        for i, expected in enumerate(expected_grads)
    )
    value = _verdict(point.values[graph.output], expected_value, False)
    return CheckReport("sympy", value, verdicts, None)


def _verdict(ours: float, expected: float | str, convention: bool) -> Verdict:
    if agrees(ours, expected):
        return Verdict(OK, expected)
    return Verdict(CONVENTION if convention else MISMATCH, expected)


def _through_kink(graph: Graph, point: Point) -> list[bool]:
    """Nodes whose gradient flows through a kink (a piecewise op at its break point)."""
    sides = pieces(graph, point.values)
    needs = [g is not None for g in point.grads]
    marked = [False] * len(graph.nodes)
    for node in reversed(graph.nodes):
        if sides[node.index] == 0 or marked[node.index]:
            for i in node.inputs:
                marked[i] = needs[i]
    return marked


def _sympy_reference(graph: Graph, points: list[dict], needs: list[bool]):
    from .symbolic import reference  # imports SymPy: only here, in the worker

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    return reference(graph, points, needs)


def _finite_differences(
    graph: Graph,
    values: list[float],
    grads: list[float | None],
    through_kink: list[bool],
    deadline: float,
) -> tuple[Verdict | None, ...]:
    """Central differences of the output with respect to each input, until the deadline."""
    verdicts: list[Verdict | None] = [None if g is None else Verdict(UNCHECKED) for g in grads]
    point = {n.name: values[n.index] for n in graph.inputs}
    sides = pieces(graph, values)
    for node in graph.inputs:
        if time.monotonic() > deadline:
            break
        x = point[node.name]
        h = fd_step(x)
        try:
            above = forward(graph, {**point, node.name: x + h})
            below = forward(graph, {**point, node.name: x - h})
        except CgMathError:
            continue  # a domain edge within h: left unchecked
        if pieces(graph, above) != sides or pieces(graph, below) != sides:
            continue  # a kink within h: the difference quotient would straddle it
        estimate, agree = fd_compare(grads[node.index], above[graph.output], below[graph.output], h)
        if agree:
            verdicts[node.index] = Verdict(OK, estimate)
        else:
            status = CONVENTION if through_kink[node.index] else MISMATCH
            verdicts[node.index] = Verdict(status, estimate)
    return tuple(verdicts)


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


def call_with_timeout(function: Callable[..., Any], args: tuple, timeout: float) -> Any:
    """Run ``function(*args)`` in a forked worker and kill it when ``timeout`` passes.

    Where fork is not available, a daemon thread runs it and is abandoned on time-out.
    """
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return _call_in_thread(function, args, timeout)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(function, args, sender), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
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


def _worker(function: Callable[..., Any], args: tuple, sender) -> None:
    try:
        sender.send((True, function(*args)))
    except BaseException as exc:
        sender.send((False, RuntimeError(f"{type(exc).__name__}: {exc}"[:200])))
    finally:
        sender.close()


def _call_in_thread(function: Callable[..., Any], args: tuple, timeout: float) -> Any:
    import threading

    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = function(*args)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError
    if "error" in box:
        raise RuntimeError(str(box["error"]))
    return box["result"]
