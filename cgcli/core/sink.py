"""What the parser's callbacks build through, and what it hands back.

The callbacks build nodes through a *sink*: the graph builder itself
(:class:`~cgcli.core.builder.GraphBuilder`), or, inside ``for t in a..b:`` or
``sum(EXPR for t in a..b)``, the :class:`~cgcli.core.loops.Template` that records the
body. Either hands back a :class:`Ref`. It lives here with the kinds of template, apart
from the loops, so that a program without a loop imports none of their machinery.
"""

from __future__ import annotations

from collections import namedtuple


class Ref(namedtuple("Ref", "index start end")):
    """A reduced expression: ``index``, the node (or, while recording, the slot) holding
    its value, and its source span ``start`` to ``end`` (ints)."""

    __slots__ = ()


FOR, SUM, MEAN = "for", "sum", "mean"
"""The kinds of template: a loop, and the two calls that repeat an expression."""
AGGREGATES = (SUM, MEAN)
ONCE = "once"
"""A template run once, with no variable: ``sum(W)`` (an array's sum), whose call opened a
template before it was known that no ``for`` follows."""
