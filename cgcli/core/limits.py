"""Input limits that protect the machine from programs too large to handle."""

from __future__ import annotations

from typing import NamedTuple


class Limits(NamedTuple):
    """Input limits that protect the machine; each has a command-line option to raise it."""

    max_size: int = 8 * 1024 * 1024
    """Characters in a program (--max-size)."""
    max_depth: int = 1_000_000
    """Parser stack entries: about one per open parenthesis, two per unary operator or
    function call still open (--max-depth)."""
    max_literal: int = 1000
    """Characters in one number literal (--max-literal)."""
    max_unrolled: int = 2_000_000
    """Nodes that unrolling the program's loops and sums may make, each step counted as
    one more (--max-unrolled)."""


DEFAULT_LIMITS = Limits()


CHECK_TIMEOUT = 5.0
"""Seconds the check may take by default (--check-timeout)."""
EXACT_TIMEOUT = 10.0
"""Seconds exact arithmetic (``--exact``) may take, and the writing of its numbers:
``(1+1/10^9)^(10^9)`` exactly has nine billion digits (--exact-timeout)."""
