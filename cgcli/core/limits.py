"""Input limits that protect the machine from programs too large to handle."""

from __future__ import annotations

from collections import namedtuple


class Limits(
    namedtuple(
        "Limits",
        "max_size max_depth max_literal max_unrolled",
        defaults=(8 * 1024 * 1024, 1_000_000, 1000, 2_000_000),
    )
):
    """Input limits that protect the machine; each has a command-line option to raise it.

    * ``max_size``: characters in a program (--max-size; 8 MiB);
    * ``max_depth``: parser stack entries: about one per open parenthesis, two per unary
      operator or function call still open (--max-depth; 1,000,000);
    * ``max_literal``: characters in one number literal (--max-literal; 1000);
    * ``max_unrolled``: nodes that unrolling the program's loops and sums may make, each
      step counted as one more (--max-unrolled; 2,000,000).
    """

    __slots__ = ()


DEFAULT_LIMITS = Limits()

MAX_LITERAL_CEILING = 4000
"""The longest number literal any limit lets through: Python reads and writes no integer
of more than 4,300 digits as text (``sys.get_int_max_str_digits``)."""


CHECK_TIMEOUT = 5.0
"""Seconds the check may take by default (--check-timeout)."""
EXACT_TIMEOUT = 10.0
"""Seconds exact arithmetic (``--exact``) may take, and the writing of its numbers:
``(1+1/10^9)^(10^9)`` exactly has nine billion digits (--exact-timeout)."""
