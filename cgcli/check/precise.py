"""High precision: the program in mpmath, and difference quotients of its output.

The check's second method, for when SymPy cannot finish within its budget. Each op
is computed by its SymPy builder from the op table, called with mpmath's functions
in place of SymPy's, so the op table stays the single source of every op's math.
The forward pass is a loop over the node list, independent of cg's float forward
pass, its local derivatives and its reverse pass.

∂output/∂x comes from central difference quotients with the steps h and 2h,
h = 1e-20·|x| (1e-20 at x = 0), at 50 significant digits (more when |x| < 1, so
that x ± h keeps every digit), combined by Richardson's extrapolation. Its error
bound is twice the gap between the two quotients (the truncation error, which
the extrapolation removes at least three quarters of) plus the rounding error of
the quotient, measured by evaluating the output again with 20 more digits. When
the bound is too wide, one retry uses a step 10^10 times smaller with 40 more
digits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any, NamedTuple

import mpmath

from ..core import clock
from ..core.ir import COPY, INPUT, NUMBER, Graph, Node
from ..core.ops import CONSTANTS, op_for

DIGITS = 50
"""Significant digits of the evaluation."""
GUARD_DIGITS = 20
"""The output is evaluated again with this many more digits to measure rounding."""
STEP = 1e-20
"""The difference quotient's step, relative to |x| (absolute at x = 0)."""
RETRY_STEP = 1e-10
"""A retry multiplies the step by this and adds RETRY_DIGITS digits."""
RETRY_DIGITS = 40
MAX_EXTRA_DIGITS = 400
"""Digits added for an input smaller than 1 in magnitude, at most (subnormals need 324)."""
TIME_CHECK_EVERY = 256
"""Nodes evaluated between two looks at the clock."""

DOMAIN, NOT_REAL, KINK, NEAR_KINK, TIME = "domain", "not-real", "kink", "near-kink", "time"
"""Why a number has no reference (:attr:`Gap.kind`)."""


class Number(NamedTuple):
    """A reference number and a bound on its own error."""

    value: float
    error: float


class Gap(NamedTuple):
    """Why there is no reference number: a kind (DOMAIN, KINK, ...) and a sentence."""

    kind: str
    reason: str


class _Outside(ArithmeticError):
    """A node that is not a finite real number at the point: a domain edge or a pole."""


class _OutOfTime(Exception):
    """The deadline passed during an evaluation."""


class _SympyNames:
    """The names the op table's SymPy builders use, bound to an mpmath context."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx
        self.Pow = ctx.power
        self.Abs = ctx.fabs
        self.Max = max
        self.Min = min
        self.E = ctx.e

    def __getattr__(self, name: str) -> Any:  # sin, cos, ..., exp, log, sqrt, pi
        return getattr(self._ctx, name)


class HighPrecision:
    """The program in mpmath at one point: its value and the gradient of each input.

    ``inputs`` maps each input name to an exact rational, a constant expression
    (a graph, such as pi/4) or a float (taken exactly, as stored). Evaluations
    stop with a TIME gap once ``deadline`` (on :func:`cgcli.core.clock.now`) passes.
    """

    def __init__(
        self,
        graph: Graph,
        inputs: Mapping[str, Fraction | Graph | float],
        deadline: float = math.inf,
        accuracy: float = 1e-10,
        floor: float = 1e-13,
    ) -> None:
        self.graph = graph
        self.inputs = inputs
        self.deadline = deadline
        self.accuracy = accuracy
        """The relative error bound wanted, beyond the absolute ``floor``; a wider one gets
        one retry."""
        self.floor = floor
        self.ctx = mpmath.MPContext()
        self.names = _SympyNames(self.ctx)
        self.used = _used_by_output(graph)
        self._base: dict[int, tuple[list, dict[int, int]]] = {}
        self._points: dict[int, dict[str, Any]] = {}
        self._rounding: float | None = None
        self._evaluated = 0

    # --- the value ---------------------------------------------------------------

    def value(self) -> Number | Gap:
        """The output's value, with the change between DIGITS and DIGITS + 20 digits as
        its error bound."""
        if clock.now() > self.deadline:
            return Gap(TIME, "the check's time budget ran out")
        try:
            low = self._base_values(DIGITS)[0]
            high = self._base_values(DIGITS + GUARD_DIGITS)[0]
        except _Outside as exc:
            return Gap(DOMAIN, str(exc))
        except _OutOfTime:
            return Gap(TIME, "the check's time budget ran out")
        out = self.graph.output
        error = float(abs(low[out] - high[out]))
        scale = max((float(abs(v)) for v in low if v is not None), default=0.0)
        self._rounding = error + scale * 10.0 ** (2 - DIGITS)
        return Number(float(high[out]), error)

    # --- the gradient of one input ------------------------------------------------

    def gradient(self, node: Node) -> Number | Gap:
        """∂output/∂(input ``node``) by difference quotients, or why there is none."""
        if not self.used[node.index]:
            return Number(0.0, 0.0)
        if clock.now() > self.deadline:
            return Gap(TIME, "the check's time budget ran out")
        try:
            if self._rounding is None:
                found = self.value()
                if isinstance(found, Gap):
                    return found
            return self._quotients(node)
        except _OutOfTime:
            return Gap(TIME, "the check's time budget ran out")

    def _quotients(self, node: Node) -> Number | Gap:
        mask = _downstream(self.graph, node.index, self.used)
        x_low = self._point(DIGITS)[node.name]
        digits, relative_step = DIGITS + _extra_digits(x_low), STEP
        result = self._at_step(node, mask, digits, relative_step)
        if isinstance(result, Number) and not self._accurate(result):
            retry = self._at_step(node, mask, digits + RETRY_DIGITS, relative_step * RETRY_STEP)
            if isinstance(retry, Number) and retry.error < result.error:
                return retry
        return result

    def _accurate(self, number: Number) -> bool:
        return number.error <= self.accuracy * abs(number.value) + self.floor

    def _at_step(self, node: Node, mask: list[bool], digits: int, relative: float) -> Number | Gap:
        """Difference quotients with the steps h = ``relative``·|x| and 2h, at ``digits``."""
        ctx = self.ctx
        base, base_sides = self._base_values(digits)
        point = self._point(digits)
        with ctx.workdps(digits):
            x = point[node.name]
            h = ctx.mpf(relative) * (abs(x) if x != 0 else 1)
            within = f"within {_text(2 * h)} of {node.name}"
            f: dict[int, Any] = {0: base[self.graph.output]}
            same: dict[int, bool] = {}
            pieces: dict[int, dict[int, int]] = {}
            outside: list[str] = []
            for k in (-2, -1, 1, 2):
                try:
                    values, sides = self._forward({**point, node.name: x + k * h}, base, mask)
                except _Outside as exc:
                    outside.append(str(exc))
                    continue
                f[k], pieces[k] = values[self.graph.output], sides
                same[k] = _same_sides(sides, base_sides, mask)
            rounding = ctx.mpf(4 * (self._rounding or 0.0)) * ctx.mpf(10) ** (DIGITS - digits) / h
            at_kink = any(side == 0 for i, side in base_sides.items() if mask[i])
            if len(outside) == 4:
                return Gap(NOT_REAL, f"not real-valued on either side: {outside[0]} {within}")
            if outside:
                inside = [sign for sign in (-1, 1) if sign in f and 2 * sign in f]
                if len(outside) != 2 or not inside or at_kink:
                    return Gap(DOMAIN, f"{outside[0]} {within}")
                if not (same[inside[0]] and same[2 * inside[0]]):
                    return Gap(NEAR_KINK, f"a kink {within}")
                estimate, error = _one_side(f, h, inside[0], rounding)  # at a domain edge
                number = Number(float(estimate), float(error))
                if self._accurate(number):
                    return number
                return Gap(
                    DOMAIN,
                    f"a domain edge, where the one-sided quotient does not settle: "
                    f"{outside[0]} {within}",
                )
            if at_kink:
                if pieces[-1] != pieces[-2] or pieces[1] != pieces[2]:
                    return Gap(NEAR_KINK, f"a second kink {within}")
                return self._left_and_right(f, h, rounding)
            if not all(same.values()):
                return Gap(NEAR_KINK, f"a kink {within}")
            near = (f[1] - f[-1]) / (2 * h)
            far = (f[2] - f[-2]) / (4 * h)
            estimate = (4 * near - far) / 3
            error = 2 * abs(near - far) + rounding
            return Number(float(estimate), float(error))

    def _left_and_right(self, f: dict[int, Any], h: Any, rounding: Any) -> Number | Gap:
        """At a kink: both one-sided derivatives; where they agree, that is the derivative."""
        (left, left_error), (right, right_error) = (_one_side(f, h, s, rounding) for s in (-1, 1))
        gap = abs(left - right)
        if gap <= left_error + right_error + self.accuracy * max(abs(left), abs(right)):
            return Number(float((left + right) / 2), float(gap + left_error + right_error))
        return Gap(
            KINK,
            f"not differentiable here: the derivative is {_text(left)} from the left "
            f"and {_text(right)} from the right",
        )

    # --- forward passes -----------------------------------------------------------

    def _point(self, digits: int) -> dict[str, Any]:
        """The inputs as mpmath numbers with ``digits`` digits."""
        if digits in self._points:
            return self._points[digits]
        ctx = self.ctx
        point = self._points[digits] = {}
        with ctx.workdps(digits):
            for name, exact in self.inputs.items():
                if isinstance(exact, Graph):  # a constant expression, in this context
                    point[name] = ctx.mpf(HighPrecision(exact, {}).output_at(digits))
                elif isinstance(exact, Fraction):
                    point[name] = ctx.mpf(exact.numerator) / exact.denominator
                else:
                    point[name] = ctx.mpf(exact)
        return point

    def output_at(self, digits: int) -> Any:
        """The output with ``digits`` digits, as an mpmath number (of this object's context)."""
        values, _ = self._base_values(digits)
        return values[self.graph.output]

    def _base_values(self, digits: int) -> tuple[list, dict[int, int]]:
        if digits not in self._base:
            with self.ctx.workdps(digits):
                self._base[digits] = self._forward(self._point(digits), None, self.used)
        return self._base[digits]

    def _forward(
        self, point: Mapping[str, Any], base: list | None, mask: list[bool]
    ) -> tuple[list, dict[int, int]]:
        """Values of the nodes in ``mask`` (the others from ``base``), and the piece each
        piecewise node is on."""
        ctx, names = self.ctx, self.names
        values = list(base) if base is not None else [None] * len(self.graph.nodes)
        sides: dict[int, int] = {}
        for node in self.graph.nodes:
            index = node.index
            if not mask[index]:
                continue
            self._evaluated += 1
            if self._evaluated % TIME_CHECK_EVERY == 0 and clock.now() > self.deadline:
                raise _OutOfTime
            if node.op == INPUT:
                value = point[node.name]
            elif node.op == NUMBER:
                exact = Fraction(node.literal)
                value = ctx.mpf(exact.numerator) / exact.denominator
            elif node.op in CONSTANTS:
                value = +getattr(names, CONSTANTS[node.op][1])
            elif node.op == COPY:
                value = values[node.inputs[0]]
            else:
                op = op_for(node.op)
                args = [values[i] for i in node.inputs]
                try:
                    value = ctx.convert(op.sympy(names, *args))
                except (ZeroDivisionError, ValueError, OverflowError):
                    value = None
                if not isinstance(value, ctx.mpf) or not ctx.isfinite(value):
                    shown = ", ".join(mpmath.nstr(a, 25) for a in args)
                    label = self.graph.label(node)
                    raise _Outside(f"{label} = {node.op}({shown}) is not a finite real number")
                if op.side is not None:
                    sides[index] = op.side(*args)
            values[index] = value
        return values, sides


def relative_rounding(exact: Fraction | Graph, stored: float, digits: int = 60) -> float:
    """How far the float64 ``stored`` is from the exact input, relative to it (0 if equal)."""
    if isinstance(exact, Fraction):
        if Fraction(stored) == exact:
            return 0.0
        return float(abs(Fraction(stored) - exact) / abs(exact)) if exact else math.inf
    value = HighPrecision(exact, {}).output_at(digits)
    if value == stored:
        return 0.0
    return float(abs(value - stored) / abs(value)) if value else math.inf


def _one_side(f: dict[int, Any], h: Any, sign: int, rounding: Any) -> tuple[Any, Any]:
    """The one-sided derivative on the side ``sign`` from f(x), f(x ± h), f(x ± 2h), by
    Richardson's extrapolation, and its error bound."""
    near = sign * (f[sign] - f[0]) / h
    far = sign * (f[2 * sign] - f[0]) / (2 * h)
    return 2 * near - far, 2 * abs(near - far) + 2 * rounding


def _same_sides(sides: dict[int, int], base: dict[int, int], mask: list[bool]) -> bool:
    return all(sides.get(i) == side for i, side in base.items() if mask[i])


def _used_by_output(graph: Graph) -> list[bool]:
    """Nodes the output depends on (the output included)."""
    used = [False] * len(graph.nodes)
    used[graph.output] = True
    for node in reversed(graph.nodes[: graph.output + 1]):
        if used[node.index]:
            for i in node.inputs:
                used[i] = True
    return used


def _downstream(graph: Graph, index: int, used: list[bool]) -> list[bool]:
    """Nodes that depend on node ``index`` and that the output uses."""
    mask = [False] * len(graph.nodes)
    mask[index] = used[index]
    for node in graph.nodes[index + 1 :]:
        mask[node.index] = used[node.index] and any(mask[i] for i in node.inputs)
    return mask


def _extra_digits(x: Any) -> int:
    """Digits to add so that x ± 1e-20·|x| keeps every digit of the other terms: -log10|x|."""
    if x == 0 or abs(x) >= 1:
        return 0
    return min(MAX_EXTRA_DIGITS, int(-mpmath.log10(abs(x))) + 1)


def _text(x: Any) -> str:
    """An mpmath number as a short text."""
    return mpmath.nstr(x, 6)
