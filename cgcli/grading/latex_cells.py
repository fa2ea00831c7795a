"""The cells of a LaTeX table read back in cg's own terms: node labels as
:func:`cgcli.core.notation.latex_name` writes them (``\\mathit{out\\_o1}``, ``\\theta``,
``x_{1}``) and numbers as cg and SymPy write them (``\\frac{1}{e \\left(e^{-1} +
1\\right)^{2}}``, ``1.5 \\times 10^{-5}``), turned into text cg's parser reads.

Braces are resolved innermost first, in a loop: no recursion however deep a cell nests.
"""

from __future__ import annotations

import re

from ..core.notation import latex_name

MARKS = {r"\checkmark": "✓", r"\times": "✗"}
"""Whole cells that are a check column's marks."""
GIVEN = ("--", "–", "—")
"""What a LaTeX table writes where there is nothing to fill in."""

_TEXT_ESCAPES = {
    r"\textbackslash{}": "\\",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    r"\&": "&",
    r"\%": "%",
    r"\$": "＄",
    r"\#": "#",
    r"\_": "＿",
    r"\{": "｛",
    r"\}": "｝",
}
"""Text-mode escapes, held as look-alikes until the markup is gone."""
_HELD = {"＄": "$", "＿": "_", "｛": "{", "｝": "}"}
_SYMBOLS = {
    r"\partial": "∂",
    r"\approx": "≈",
    r"\cdot": "*",
    r"\,": " ",
    r"\;": " ",
    r"\!": "",
    r"\ ": " ",
    r"\left|": "abs(",
    r"\right|": ")",
    r"\left(": "(",
    r"\right)": ")",
    r"\left[": "(",
    r"\right]": ")",
    "~": " ",
}
_GREEK = {
    macro: char
    for char in map(chr, range(0x391, 0x3CA))
    if (macro := latex_name(char)).startswith("\\")
}
"""``\\theta`` → θ: the Greek letters as :func:`latex_name` writes them."""
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_WRAPPERS = (
    "mathit|mathrm|mathbf|mathsf|mathtt|text|textit|textrm|texttt|textbf|operatorname|ensuremath"
)
_GROUPS = re.compile(
    r"\\frac\{(?P<num>[^{}]*)\}\{(?P<den>[^{}]*)\}"
    r"|\\sqrt\[(?P<root>[^\]{}]*)\]\{(?P<radicand>[^{}]*)\}"
    r"|\\sqrt\{(?P<sqrt>[^{}]*)\}"
    r"|\^\{(?P<power>[^{}]*)\}"
    r"|_\{(?P<sub>[^{}]*)\}"
    rf"|\\(?:{_WRAPPERS})\{{(?P<wrapped>[^{{}}]*)\}}"
    r"|(?<!\\frac)(?<!\\sqrt)(?<![}\]^_])\{(?P<bare>[^{}]*)\}"
)
_FUNCTION_POWER = re.compile(r"\\([A-Za-z]+)\^\{([^{}]*)\}\{")
_FLOAT = re.compile(r"(\d(?:\.\d*)?)\s*\\times\s*10\^\{([+-]?\d+)\}")
_EULER = re.compile(r"(?<![A-Za-z0-9_.\\])e(?![A-Za-z0-9_])")
_JUXTAPOSED = re.compile(r"(?<=[A-Za-z0-9_.)])\s+(?=[A-Za-z0-9_.(])")


def label_from_latex(cell: str) -> str:
    """A node label, key or column title as written in a LaTeX table."""
    return _plain(cell, number=False)


_DIGIT_GROUPS = re.compile(r"(?<=\d)(?:\\[,;:! ]|~|\\thinspace\s*)(?=\d{3}(?!\d))")
"""A thin space (``\\,``), a tie or a space command between a digit and a group of
three digits."""


def number_from_latex(cell: str) -> str:
    """A number (or formula) as written in a LaTeX table, in cg's syntax: ``e`` is
    Euler's number there, as SymPy writes it."""
    return _plain(cell, number=True)


def _plain(cell: str, number: bool) -> str:
    text = cell.strip()
    if text.strip("$ ") in MARKS:
        return MARKS[text.strip("$ ")]
    if text in GIVEN:
        return "-"
    for escaped, held in _TEXT_ESCAPES.items():
        text = text.replace(escaped, held)
    if number:  # 1\,000 (siunitx's and the typographers' grouping of digits): 1000
        text = _DIGIT_GROUPS.sub("", text)
    text = _FLOAT.sub(r"\1e\2", text)
    text = _function_powers(text)
    if number:
        text = re.sub(r"\\pi(?![A-Za-z])", "pi", text)  # π is a constant in a number
    for macro in sorted(_GREEK, key=len, reverse=True):
        text = re.sub(re.escape(macro) + r"(?![A-Za-z])\s?", _GREEK[macro], text)
    for command, plain in _SYMBOLS.items():
        text = text.replace(command, plain)
    text = _resolve_groups(text, number)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)  # \log, \sin, ...: the function's name
    text = text.replace("$", "")
    for held, plain in _HELD.items():
        text = text.replace(held, plain)
    text = " ".join(text.split())
    if number:
        text = _EULER.sub("exp(1)", text)
        text = _JUXTAPOSED.sub("*", text)
    return text


def _resolve_groups(text: str, number: bool) -> str:
    """Every braced group in cg's syntax, innermost first."""

    def group(match: re.Match) -> str:
        part = {k: v for k, v in match.groupdict().items() if v is not None}
        if "num" in part:
            return f"({part['num']})/({part['den']})"
        if "radicand" in part:
            return f"({part['radicand']})^(1/({part['root']}))"
        if "sqrt" in part:
            return f"sqrt({part['sqrt']})"
        if "power" in part:
            return f"^({part['power']})"
        if "sub" in part:
            digits = part["sub"].strip()
            return digits.translate(_SUBSCRIPTS) if digits.isdigit() and not number else digits
        return part.get("wrapped", part.get("bare", ""))

    while True:
        text, count = _GROUPS.subn(group, text)
        if not count:
            return text.replace("{", "").replace("}", "")


def _function_powers(text: str) -> str:
    """SymPy's ``\\cos^{2}{\\left(1 \\right)}`` as ``\\cos{\\left(1 \\right)}^{2}``."""
    while match := _FUNCTION_POWER.search(text):
        close = _closing_brace(text, match.end() - 1)
        if close is None:
            return text
        argument = text[match.end() : close]
        text = (
            f"{text[: match.start()]}\\{match[1]}{{{argument}}}^{{{match[2]}}}{text[close + 1 :]}"
        )
    return text


def _closing_brace(text: str, opening: int) -> int | None:
    depth = 0
    for i in range(opening, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return None
