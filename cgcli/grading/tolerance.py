"""When a student's number counts as right.

By default an answer is right when it is the true value rounded to the precision
the student wrote: ``-0.20`` for -0.196612 is right (``right (rounded)``),
``-0.19`` is not. However few digits are written, the answer must agree with
the true value to two significant digits: ``-0.2`` for -0.196612 is right,
``0.08`` for 0.0822 is not (``too few digits``), ``6`` for exactly 6 is right.
So trailing zeros may be dropped, as JSON and Python do (``-0.2`` for ``-0.20``).
A teacher may instead give a relative and/or absolute tolerance, or a number of
decimals every answer is rounded to. Float noise (1e-9 relative) never makes an
answer wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .given import Given

RIGHT = "right"
ROUNDED = "right (rounded)"
WRONG = "wrong"

FLOAT_RELATIVE = 1e-9
FLOAT_ABSOLUTE = 1e-12
MIN_SIGNIFICANT = 2
"""Significant digits a rounded answer must agree with the true value to."""
OWN_ROUNDING = 0.01
"""By default, a step computed from the student's own rounded (right) answers is right
when it is within 1% of the true value: rounding to a few digits along the way keeps
that close, rounding early to two significant digits does not."""
MATCH_DRIFT = (0.01, 0.03)
"""A mistake model's number matches an answer when it is within one unit of the last
place written, or 1%, but never more than 3% away: what rounding along the way does
to a student's numbers."""


def noise(x: float) -> float:
    """The float error cg allows in any comparison."""
    return FLOAT_RELATIVE * abs(x) + FLOAT_ABSOLUTE


def significant_half_unit(x: float) -> float:
    """Half a unit in the last of :data:`MIN_SIGNIFICANT` significant digits of ``x``
    (0.005 for 0.196612); 0 for 0, which only an exact answer matches."""
    if x == 0 or not math.isfinite(x):
        return 0.0
    exponent = math.floor(math.log10(abs(x)))
    return 0.5 * 10.0 ** (exponent - MIN_SIGNIFICANT + 1)


@dataclass(frozen=True)
class Tolerance:
    """How answers are compared: rounding-aware (all None), or the teacher's rule."""

    relative: float | None = None
    absolute: float | None = None
    decimals: int | None = None
    """Every answer is compared with the true value rounded to this many places."""
    exact: bool = False
    """Answers must be exactly right: ``1/3``, not ``0.333``."""
    own_rounding: float = OWN_ROUNDING
    """How far from the true value (a share of it) a step computed from the student's
    own rounded answers may be and still count as right (``--own-rounding``)."""

    @property
    def rounding(self) -> bool:
        """True when the precision each student wrote decides."""
        return self.relative is None and self.absolute is None and self.decimals is None

    def allowance(self, given: Given, truth: float) -> float | None:
        """How far ``given`` may be from ``truth`` beyond float noise; None for no more."""
        if self.decimals is not None:
            return 0.5 * 10.0 ** (-self.decimals)
        if not self.rounding:
            return (self.relative or 0.0) * abs(truth) + (self.absolute or 0.0)
        if given.unit is None:
            return None
        return min(0.5 * given.unit, significant_half_unit(truth))

    def judge(self, given: Given, truth: float) -> str:
        """RIGHT, ROUNDED or WRONG for a number against the true float value."""
        if not (math.isfinite(given.number) and math.isfinite(truth)):
            return RIGHT if given.number == truth else WRONG
        error = abs(given.number - truth)
        if error <= noise(truth):
            return RIGHT
        allowed = self.allowance(given, truth)
        if allowed is not None and error <= allowed + noise(truth):
            return ROUNDED
        return WRONG

    def matches(self, given: Given, predicted: float, slack: float = 0.0) -> bool:
        """Whether a predicted (wrong) number is what the student wrote: ``predicted``
        rounded as they wrote, or within a unit of their last place (a little drift
        from rounding along the way, at most 3%); ``slack`` is how far the prediction
        itself may be off, through the rounding of the numbers it was made from."""
        if not (math.isfinite(predicted) and math.isfinite(given.number)):
            return False
        if abs(given.number - predicted) <= slack + noise(predicted):
            return True
        if self.judge(given, predicted) != WRONG:
            return True
        if given.unit is None:
            return False
        least, most = (share * abs(predicted) for share in MATCH_DRIFT)
        drift = min(max(given.unit, least), most) + slack + noise(predicted)
        return abs(given.number - predicted) <= drift

    def as_dict(self) -> dict:
        """The tolerance as the JSON output shows it."""
        rule = "exact" if self.exact else "rounding" if self.rounding else "teacher"
        return {
            "rule": rule,
            "relative": self.relative,
            "absolute": self.absolute,
            "decimals": self.decimals,
            "min_significant": MIN_SIGNIFICANT if rule == "rounding" else None,
            "own_rounding": self.own_rounding,
        }
