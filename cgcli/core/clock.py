"""The clock every time budget of cg reads (the check, --exact, the grader's answers).

One seam: a deadline is ``now() + seconds``, and every wait for a worker measures its
budget here, so a test can stop or advance time (tests/conftest.py) instead of racing the
machine's real clock.
"""

from __future__ import annotations

import time

WAIT_SLICE = 0.05
"""Seconds a wait for a worker blocks before it reads the clock again."""


def now() -> float:
    """Seconds on a monotonic clock (time.monotonic()), the time base of every deadline."""
    return time.monotonic()


def left(deadline: float) -> float:
    """Seconds left until ``deadline`` (negative once it has passed)."""
    return deadline - now()
