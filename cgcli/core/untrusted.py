"""Text that came from a file or an argument, made safe to show or to hand on.

A class hands in file names, student names, JSON keys, CSV headers and answers: any
of them may hold a terminal escape sequence (``ESC ] 52`` writes the clipboard), a
newline that forges a row of a table, or a spreadsheet formula (``=HYPERLINK(...)``).
One helper per kind of output, used by every writer that shows such text:

* :func:`visible` for a terminal or a text file: control characters drawn as visible
  marks (``␛``, ``␊``, ``\\u202e``), one line stays one line; :func:`shortened` and
  :func:`quoted` for a message, which quotes no more than a short piece;
* :func:`spreadsheet_cell` for a cell of a CSV or TSV file: a formula is neutralised
  with a leading ``'``, as OWASP describes, a number is kept as it is;
* :func:`json_text` for JSON, :func:`markdown_code` for Markdown (a code span whose
  backtick fence no text can close).
"""

from __future__ import annotations

import re

_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "\u2421"}
"""C0 controls and DEL as the Unicode control pictures (␀ … ␟, ␡): one character each."""
_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}
"""Categories of characters that act on a terminal or a line instead of showing."""


def visible(text: str, ascii_escapes: bool = False) -> str:
    """``text`` with every control or format character made visible: C0 controls and
    DEL as control pictures (ESC as ``␛``, a newline as ``␊``: one character each), the
    others as an escape (``\\x9b``, ``\\u202e``; a byte that was not UTF-8 as ``\\xff``).
    With ``ascii_escapes``, C0 controls are escapes too (``\\x1b``), for LaTeX."""
    if text.isprintable():  # no control, format or separator character: the fast path
        return text
    return "".join(_visible_char(ch, ascii_escapes) for ch in text)


def _visible_char(ch: str, ascii_escapes: bool = False) -> str:
    import unicodedata

    code = ord(ch)
    if code in _PICTURES and not ascii_escapes:
        return _PICTURES[code]
    if code not in _PICTURES and unicodedata.category(ch) not in _HIDDEN:
        return ch
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (a file name, an argument)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


_HIDDEN_IN_JSON = (
    "[\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
_SURROGATE = "[\ud800-\udfff]"


def json_text(doc: object, indent: int | None = 2) -> str:
    """``doc`` as JSON for a terminal or a file: non-ASCII text as it is, but C1
    controls, bidirectional and invisible format characters escaped (``\\u202e``;
    json escapes C0 controls itself), and a byte of a file name that was not UTF-8
    written as ``\\xff`` text (JSON cannot hold it)."""
    import json

    text = json.dumps(doc, ensure_ascii=False, indent=indent)
    text = re.sub(_HIDDEN_IN_JSON, lambda m: f"\\u{ord(m.group()):04x}", text)
    return re.sub(_SURROGATE, lambda m: "\\" + visible(m.group()), text)


def shortened(text: str, limit: int = 60) -> str:
    """``text`` made visible and, beyond ``limit`` characters, shortened in the middle
    (``abc…xyz (5000 characters)``): a message quotes no more of a file than that."""
    shown = visible(text)
    if len(shown) > limit:
        half = (limit - 1) // 2
        shown = f"{shown[:half]}…{shown[-half:]} ({len(text)} characters)"
    return shown


def quoted(text: str, limit: int = 60) -> str:
    """``text`` in quotes for a message, :func:`shortened` (an answer, a key, a column)."""
    return f"'{shortened(text, limit)}'"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""How a cell starts that a spreadsheet reads as a formula (OWASP's list, and a newline)."""
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def spreadsheet_cell(text: str) -> str:
    """A CSV or TSV cell a spreadsheet shows as text: a leading ``'`` before a cell
    that starts with ``= + - @``, a tab or a line break; numbers (``-3``, ``1e-5``) as
    they are. Control characters are made visible first."""
    text = visible(text)
    if text.startswith(FORMULA_STARTS) and not re.fullmatch(_NUMBER, text):
        return "'" + text
    return text


def from_spreadsheet_cell(text: str) -> str:
    """The cell :func:`spreadsheet_cell` neutralised, as it was: ``'=x`` is ``=x``."""
    if text.startswith("'") and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


def markdown_code(text: str) -> str:
    """``text`` as a Markdown code span: fenced by one backtick more than its longest
    run of backticks, so no backtick in it can end the span (and HTML in it stays text)."""
    text = visible(" ".join(text.splitlines()))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"
