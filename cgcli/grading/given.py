"""What a student wrote for one answer: a number, with the precision it was written
to, or a formula in the program's names.

Both are read with cg's own parser (never ``eval`` or ``sympify``): ``-0.20``,
``1/3``, ``sqrt(2)/2``, ``1.5e-3`` are numbers; ``x + y`` or ``z`` are formulas.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..core.errors import CgError, UsageError
from ..core.ir import Graph
from ..core.parser import parse
from ..core.untrusted import quoted as quoted_text
from ..core.untrusted import shortened
from ..passes.engine import forward

DECIMAL = re.compile(r"[+-]?(?P<int>\d*)(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[+-]?\d+))?")
DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
THOUSANDS_OR_DECIMAL = re.compile(r"(?P<int>[+-]?[1-9]\d{0,2}),(?P<frac>\d{3})")
"""``1,000``: a thousand with a thousands separator, or 1.000 with a decimal comma."""
_SPELLINGS = {"−": "-", "–": "-", "×": "*", "·": "*", "⋅": "*", "÷": "/", "²": "^2"}
MAX_ANSWER_CHARS = 2000
"""Longest answer read; a cell is a number or a short formula."""


@dataclass(frozen=True)
class Given:
    """One answer as written: its text, its value at the point, and how precise it is."""

    text: str
    number: float
    """The value at the point (a formula is evaluated at the program's values)."""
    graph: Graph
    """The answer parsed by cg's parser: a constant expression, or a formula."""
    decimals: int | None = None
    """Places after the decimal point as written (``-0.20``: 2, ``6``: 0, ``4.4e-4``: 5);
    None when the answer is not a decimal literal (``1/3``, ``sqrt(2)``, a formula)."""

    @property
    def is_formula(self) -> bool:
        """True when the answer names nodes of the program (``x + y``)."""
        return bool(self.graph.inputs)

    @property
    def unit(self) -> float | None:
        """One unit in the last place written (``-0.20``: 0.01); None when exact."""
        return None if self.decimals is None else 10.0 ** (-self.decimals)


def normalise(text: str) -> str:
    """The answer text with typographic signs replaced and an ``≈`` approximation resolved.

    ``1/3 ≈ 0.333333`` (cg's exact tables) keeps ``1/3``; ``≈ 0.20`` keeps ``0.20``.
    """
    text = text.strip()
    for sign, plain in _SPELLINGS.items():
        text = text.replace(sign, plain)
    if "≈" in text:
        left, _, right = text.partition("≈")
        text = left.strip() or right.strip()
    if DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")  # 0,20 where the decimal mark is a comma
    return text.strip()


def read_given(key: str, text: str, names: Mapping[str, float]) -> Given:
    """Parse what was written for ``key``; ``names`` holds the value of every node
    label a formula may use. Raises :class:`UsageError` (one line) when it does not parse."""
    key = shortened(key, 40)
    both = THOUSANDS_OR_DECIMAL.fullmatch(text.strip())
    if both:
        whole, part = both["int"], both["frac"]
        raise UsageError(
            f"answer {key}: {quoted_text(text.strip(), 40)} could be {whole}{part} (a thousands "
            f"separator) or {whole}.{part} (a decimal comma): write {whole}{part} or "
            f"{whole}.{part}"
        )
    shown = normalise(text)
    if len(shown) > MAX_ANSWER_CHARS:
        raise UsageError(f"answer {key}: longer than {MAX_ANSWER_CHARS} characters")
    quoted = quoted_text(shown, 40)
    try:
        graph = parse(shown).bind_constants(names)
    except CgError as exc:
        reason = exc.message.replace(shown, "…") if len(shown) > 40 else exc.message
        raise UsageError(f"answer {key}: {quoted} is not a number or formula ({reason})") from None
    if graph.statements != 1 or graph.assigned:
        raise UsageError(f"answer {key}: write one number or expression, not {quoted}")
    unknown = [name for name in graph.input_names if name not in names]
    if unknown:
        raise UsageError(
            f"answer {key}: {quoted} uses {unknown[0]}, which is not a node of the program"
        )
    try:
        number = forward(graph, {name: names[name] for name in graph.input_names})[graph.output]
    except CgError as exc:
        raise UsageError(f"answer {key}: {quoted} has no value here ({exc.message})") from None
    decimals = None if graph.inputs else places(shown)
    return Given(text.strip(), number, graph, decimals)


def places(text: str) -> int | None:
    """Places after the decimal point of a decimal literal as written (``-0.20``: 2,
    ``6``: 0, ``4.4e-4``: 5); None when ``text`` is not one (``1/3``, ``pi``)."""
    match = DECIMAL.fullmatch(text.replace(" ", ""))
    if not match or not (match["int"] or match["frac"]):
        return None
    return len(match["frac"] or "") - int(match["exp"] or 0)
