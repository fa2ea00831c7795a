"""Formulas as text and as LaTeX, with parentheses exactly where they are needed.

A formula is built from :class:`Piece` objects (a text and how tightly it
binds), so one description of a formula, such as the op table's textbook
derivative ``y·(1 - y)``, prints as text or LaTeX, with labels or with numbers.
Three notations share the interface: :data:`LANGUAGE` writes cg's own syntax
(``x * y``, ``sigmoid(v1)``), :data:`TEXT` the textbook's (``x·y``,
``σ(v1)``) and :data:`LATEX` amsmath.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar, NamedTuple

from .array_ops import array_op, split_op
from .ir import COPY, Graph, Node
from .ops import CONSTANTS
from .untrusted import visible

LATEX_PREAMBLE = r"\usepackage{amsmath,amssymb,longtable}"
"""The packages every LaTeX table cg writes needs (named in its first comment line)."""

CASES, SUM, PRODUCT, PREFIX, POWER, ATOM = range(6)
"""How tightly a piece binds, loosest first: ``x > 0``, ``a + b``, ``a·b``, ``-a``,
``a^b``, and names, numbers, calls and ``[1 if x > 0, else 0]``."""


class Piece(NamedTuple):
    """A formula (or part of one) and how tightly it binds."""

    text: str
    rank: int = ATOM
    constant: float | None = None
    """The value when the piece is a constant of the program (an exponent of 2, ...)."""


def text_rank(text: str) -> int:
    """How tightly a formula written in cg's syntax binds: ``-3``, ``1/3``, ``x + 1``."""
    depth = 0
    rank = ATOM
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth or i == 0:
            continue
        elif char in "+-" and not _exponent_sign(text, i):
            if text[i - 1] not in "*/^(, ":
                return SUM
            if text[i - 1] == " " and i + 1 < len(text) and text[i + 1] == " ":
                return SUM
        elif char in "*/":
            rank = min(rank, PRODUCT)
        elif char == "^":
            rank = min(rank, POWER)
    if text.startswith("-"):
        return min(rank, PREFIX)
    return rank


def _exponent_sign(text: str, i: int) -> bool:
    """Whether the sign at ``i`` belongs to a number such as ``1e-3``."""
    return i >= 2 and text[i - 1] in "eE" and (text[i - 2].isdigit() or text[i - 2] == ".")


class Notation:
    """How operations are written; the subclasses fill in the symbols."""

    times = " * "
    over = " / "
    raised = " ^ "
    functions: ClassVar[dict[str, str]] = {}

    def name(self, label: str) -> Piece:
        """A node's label as an operand."""
        return Piece(label, text_rank(label))

    def number(self, text: str, constant: float | None = None) -> Piece:
        """A number written as text (``-3``, ``1/3``, ``inf``) as an operand."""
        return Piece(text, text_rank(text), constant)

    def group(self, piece: Piece) -> str:
        return f"({piece.text})"

    def _operand(self, piece: Piece, at_least: int) -> str:
        """The piece, in parentheses when it binds less tightly than ``at_least``
        or is a negative number inside a binary operation."""
        if piece.rank < at_least or piece.rank == PREFIX:
            return self.group(piece)
        return piece.text

    def add(self, a: Piece, b: Piece) -> Piece:
        return Piece(f"{self._operand(a, SUM)} + {self._operand(b, SUM)}", SUM)

    def sub(self, a: Piece, b: Piece) -> Piece:
        return Piece(f"{self._operand(a, SUM)} - {self._operand(b, PRODUCT)}", SUM)

    def mul(self, a: Piece, b: Piece) -> Piece:
        return Piece(f"{self._operand(a, PRODUCT)}{self.times}{self._operand(b, PREFIX)}", PRODUCT)

    def div(self, a: Piece, b: Piece) -> Piece:
        return Piece(f"{self._operand(a, PRODUCT)}{self.over}{self._operand(b, PREFIX)}", PRODUCT)

    def neg(self, a: Piece) -> Piece:
        inner = self.group(a) if a.rank <= SUM or a.rank == PREFIX else a.text
        return Piece(f"-{inner}", PREFIX)

    def power(self, a: Piece, b: Piece) -> Piece:
        return Piece(f"{self._operand(a, ATOM)}{self.raised}{self._operand(b, POWER)}", POWER)

    def square(self, a: Piece) -> Piece:
        return self.power(a, Piece("2"))

    def call(self, function: str, *args: Piece) -> Piece:
        name = self.functions.get(function, function)
        return Piece(f"{name}({', '.join(a.text for a in args)})")

    def cases(self, *branches: tuple[Piece, Piece | None]) -> Piece:
        """``[1 if a > 0, else 0]``: each value with its condition, the last without."""
        parts = [f"{v.text} if {c.text}" if c else f"else {v.text}" for v, c in branches]
        return Piece(f"[{', '.join(parts)}]")

    def half(self) -> Piece:
        return Piece("½")

    def compare(self, a: Piece, relation: str, b: Piece) -> Piece:
        return Piece(f"{a.text} {relation} {b.text}", CASES)

    def apply(self, op: str, args: list[Piece]) -> Piece:
        """An op of the op table applied to its operands."""
        binary = {"add": self.add, "sub": self.sub, "mul": self.mul, "div": self.div}
        if op in binary:
            return binary[op](*args)
        if op == "pow":
            return self.power(*args)
        if op == "neg":
            return self.neg(*args)
        if array_op(op) is not None:
            return self.array(op, args)
        return self.call(op, *args)

    matrix_times = " @ "
    transposed = ".T"

    def array(self, op: str, args: list[Piece]) -> Piece:
        """An op on whole arrays: ``W @ x``, ``W.T``, ``sum(W, axis=0)``, ``v[2]``."""
        name, parameter = split_op(op)
        if name == "matmul":
            a, b = args
            text = f"{self._operand(a, PRODUCT)}{self.matrix_times}{self._operand(b, PREFIX)}"
            return Piece(text, PRODUCT)
        if name == "transpose":
            return Piece(f"{self._operand(args[0], ATOM)}{self.transposed}", POWER)
        if name == "index":
            return Piece(f"{self._operand(args[0], ATOM)}[{', '.join(map(str, parameter))}]")
        if name == "stack":
            return Piece(f"[{', '.join(a.text for a in args)}]")
        if parameter is not None:
            args = [*args, Piece(f"axis={parameter}")]
        return self.call(name, *args)


class LanguageNotation(Notation):
    """cg's own syntax: what the student typed (``x * y``, ``sigmoid(v1)``, ``x ^ 2``)."""

    def neg(self, a: Piece) -> Piece:
        return Piece(f"-{self.group(a) if a.rank < POWER else a.text}", PREFIX)


class TextNotation(Notation):
    """The textbook's plain-text notation: ``x·y``, ``1/x²``, ``σ(v1)``."""

    times = "·"
    matrix_times = " · "
    transposed = "ᵀ"
    over = "/"
    raised = "^"
    functions: ClassVar[dict[str, str]] = {"sigmoid": "σ"}

    def square(self, a: Piece) -> Piece:
        return Piece(f"{self._operand(a, ATOM)}²", POWER)


_LATEX_FUNCTIONS = {
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "asin": r"\arcsin",
    "acos": r"\arccos",
    "atan": r"\arctan",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "tanh": r"\tanh",
    "exp": r"\exp",
    "log": r"\log",
    "max": r"\max",
    "min": r"\min",
    "sigmoid": r"\sigma",
    "σ": r"\sigma",
}


class LatexNotation(Notation):
    """amsmath: ``x \\cdot y``, ``\\frac{1}{x^{2}}``, ``\\sigma\\left(v_1\\right)``."""

    matrix_times = r" \, "
    transposed = r"^{\top}"

    def name(self, label: str) -> Piece:
        return Piece(latex_name(label))

    def number(self, text: str, constant: float | None = None) -> Piece:
        return Piece(latex_number(text), text_rank(text), constant)

    def group(self, piece: Piece) -> str:
        return rf"\left({piece.text}\right)"

    def mul(self, a: Piece, b: Piece) -> Piece:
        return Piece(rf"{self._operand(a, PRODUCT)} \cdot {self._operand(b, PREFIX)}", PRODUCT)

    def div(self, a: Piece, b: Piece) -> Piece:
        return Piece(rf"\frac{{{a.text}}}{{{b.text}}}", POWER)

    def power(self, a: Piece, b: Piece) -> Piece:
        base = a.text if a.rank == ATOM else self.group(a)
        return Piece(f"{{{base}}}^{{{b.text}}}", POWER)

    def call(self, function: str, *args: Piece) -> Piece:
        if function == "sqrt":
            return Piece(rf"\sqrt{{{args[0].text}}}")
        if function == "abs":
            return Piece(rf"\left|{args[0].text}\right|")
        name = _LATEX_FUNCTIONS.get(function, rf"\operatorname{{{latex_text(function)}}}")
        return Piece(rf"{name}\left({', '.join(a.text for a in args)}\right)")

    def cases(self, *branches: tuple[Piece, Piece | None]) -> Piece:
        otherwise = r"\text{otherwise}"
        rows = [f"{v.text} & {c.text if c else otherwise}" for v, c in branches]
        return Piece(r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}")

    def half(self) -> Piece:
        return Piece(r"\tfrac{1}{2}")


LANGUAGE = LanguageNotation()
TEXT = TextNotation()
LATEX = LatexNotation()


def label_pieces(graph: Graph, notation: Notation) -> list[Piece]:
    """Every node as an operand: its label, or an inline constant as written.

    In LaTeX an inline constant is rebuilt from its ops (``\\frac{1}{2}``, ``2 \\cdot \\pi``).
    """
    pieces: list[Piece] = []
    for node in graph.nodes:
        label = graph.label(node)
        if not graph.inline(node):
            pieces.append(notation.name(label)._replace(rank=ATOM))
        elif notation is not LATEX:
            pieces.append(Piece(label, text_rank(label)))
        elif node.literal is not None:
            pieces.append(LATEX.number(node.literal))
        elif node.op in CONSTANTS:
            pieces.append(Piece(r"\pi" if node.op == "pi" else "e"))
        elif node.op == COPY:
            pieces.append(pieces[node.inputs[0]])
        else:
            pieces.append(LATEX.apply(node.op, [pieces[i] for i in node.inputs]))
    return pieces


def formula(graph: Graph, node: Node, pieces: list[Piece], notation: Notation) -> Piece:
    """What ``node`` computes, from its operands' pieces (a copy is its source)."""
    args = [pieces[i] for i in node.inputs]
    return args[0] if node.op == COPY else notation.apply(node.op, args)


# --- LaTeX for names, numbers and text --------------------------------------------

_GREEK_CAPITALS = {
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
}  # fmt: skip
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_LETTER_AND_DIGITS = re.compile(r"([^\W\d_])([0-9]+)")
"""A name such as w0 or θ12: written w_{0}, \\theta_{12}."""
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


_LATIN_LOOKALIKES = {
    "Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z", "Eta": "H", "Iota": "I",
    "Kappa": "K", "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P", "Tau": "T", "Chi": "X",
}  # fmt: skip


def _greek(char: str) -> str | None:
    """The math form of a Greek letter (θ → \\theta, Ω → \\Omega, Α → A), or None."""
    name = unicodedata.name(char, "")
    if name == "GREEK SMALL LETTER FINAL SIGMA":
        return r"\varsigma"
    match = re.fullmatch(r"GREEK (SMALL|CAPITAL) LETTER ([A-Z]+)", name)
    if not match:
        return None
    letter = match.group(2).capitalize().replace("Lamda", "Lambda")
    if match.group(1) == "SMALL":
        if letter in ("Phi", "Epsilon"):  # ϕ and ϵ (the symbols) are \phi and \epsilon
            return rf"\var{letter.lower()}"
        return "o" if letter == "Omicron" else rf"\{letter.lower()}"
    if letter in _GREEK_CAPITALS:
        return rf"\{letter}"
    return _LATIN_LOOKALIKES.get(letter)


_LETTERLIKE = {
    "ℓ": r"\ell", "ϕ": r"\phi", "ϑ": r"\vartheta", "ϖ": r"\varpi", "ϱ": r"\varrho",
    "ϵ": r"\epsilon", "ϰ": r"\varkappa", "ϒ": r"\Upsilon", "ϝ": r"\digamma", "Ϝ": r"\digamma",
    "ℏ": r"\hbar", "ℑ": r"\Im", "ℜ": r"\Re", "ℵ": r"\aleph", "ℶ": r"\beth",
    "ℷ": r"\gimel", "ℸ": r"\daleth", "ð": r"\eth", "ℎ": "h",
}  # fmt: skip
"""Greek symbols and letterlike symbols a name may use, as their math macros (amssymb)."""
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
    "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0323": "d",
    "\u0327": "c", "\u0331": "b",
}  # fmt: skip
"""Combining accents and pdfLaTeX's text accent commands (é is \\'{e})."""
_LATIN_LETTERS = {
    "ß": r"\ss{}", "ø": r"\o{}", "Ø": r"\O{}", "æ": r"\ae{}", "Æ": r"\AE{}", "œ": r"\oe{}",
    "Œ": r"\OE{}", "ł": r"\l{}", "Ł": r"\L{}", "ı": r"\i{}", "ȷ": r"\j{}",
}  # fmt: skip


def _latin_text(char: str) -> str | None:
    """A Latin letter with accents in pdfLaTeX's text mode (é → \\'{e}), or None."""
    if char in _LATIN_LETTERS:
        return _LATIN_LETTERS[char]
    base, *marks = unicodedata.normalize("NFD", char)
    if not (base.isascii() and base.isalpha()) or not marks:
        return None
    if any(mark not in _ACCENTS for mark in marks):
        return None
    shown = base
    for mark in marks:
        shown = f"\\{_ACCENTS[mark]}{{{shown}}}"
    return shown


def _math_char(char: str) -> tuple[str, bool]:
    """One character of a name in math mode, and whether it is a single symbol."""
    if char in _SPECIAL:
        return _SPECIAL[char].replace(r"\textbackslash{}", r"\backslash "), True
    if char.isascii():
        return char, True
    greek = _LETTERLIKE.get(char) or _greek(char)
    if greek is not None:
        return (f"{greek} " if greek.startswith("\\") else greek), True
    latin = _latin_text(char)
    if latin is not None:
        return rf"\text{{{latin}}}", True
    if char in "₀₁₂₃₄₅₆₇₈₉":
        return f"_{{{char.translate(_SUBSCRIPTS)}}}", False
    if char in "⁰¹²³⁴⁵⁶⁷⁸⁹":
        return f"^{{{char.translate(_SUPERSCRIPTS)}}}", False
    return rf"\text{{{char}}}", True


_ELEMENT_LABEL = re.compile(r"([^\W\d]\w*)\[(-?\d+(?:,-?\d+)*)\](?:#(\d+))?")
"""An element's label: ``h[2]``, ``W[1,2]``, ``h[1]#2`` (assigned again)."""


def latex_name(label: str) -> str:
    """A label in math mode: ``x``, ``\\theta``, ``\\mathit{loss}``, ``\\mathit{x\\#2}``,
    ``w_{0}`` for a letter followed by digits (``w0``), ``h_{2}`` for an element (``h[2]``).

    Greek letters become their macros and ``₁`` a subscript, so the output
    compiles with pdfLaTeX; other non-ASCII letters go in ``\\text{}``
    (LuaLaTeX or XeLaTeX with a font that has them).
    """
    if len(label) > LATEX_NAME_LIMIT:  # TeX cannot break a name: keep its two ends
        half = LATEX_NAME_LIMIT // 2
        return rf"{latex_name(label[:half])}\ldots {latex_name(label[-half:])}"
    element = _ELEMENT_LABEL.fullmatch(label)
    if element is not None:  # h[2] as h_{2}, W[1,2]#2 as W_{1,2}\#2
        base, indexes, version = element.groups()
        shown = f"{latex_name(base)}_{{{indexes}}}"
        return f"{shown}\\#{version}" if version else shown
    indexed = _LETTER_AND_DIGITS.fullmatch(label)
    if indexed:
        letter, _ = _math_char(indexed[1])
        return f"{letter.rstrip()}_{{{indexed[2]}}}"
    parts = [_math_char(char) for char in label]
    text = "".join(part for part, _ in parts).rstrip()
    letters = sum(1 for _, symbol in parts if symbol)
    return text if letters <= 1 else rf"\mathit{{{text}}}"


LATEX_NAME_LIMIT = 40
"""Names longer than this are written in LaTeX as their first and last characters."""


def latex_text(text: str) -> str:
    """Text (a source fragment, a message) for LaTeX's text mode; a control character
    is written as its escape (``\\x1b``), a symbol as its code point (``U+2713``), so
    that pdfLaTeX reads it as text."""
    text = visible(text, ascii_escapes=True)
    out = []
    for char in text:
        if char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif char.isascii():
            out.append(char)
        elif char == _COMBINING_TILDE and out and out[-1].isascii() and out[-1].isalpha():
            out[-1] = rf"\~{{{out[-1]}}}"  # forward mode's direction ṽ (v and a tilde)
        elif char in _TEXT_SYMBOLS:
            out.append(_TEXT_SYMBOLS[char])
        elif unicodedata.category(char)[0] not in "LMN":  # a symbol pdfLaTeX may not have
            out.append(f"U+{ord(char):04X}")
        elif (latin := _latin_text(char)) is not None:
            out.append(latin)
        else:
            symbol, _ = _math_char(char)
            out.append(char if symbol.startswith(r"\text{") else rf"\ensuremath{{{symbol}}}")
    return "".join(out)


LATEX_FORMULA_LIMIT = 1500
"""The longest formula a LaTeX output writes in math mode (some four lines of a page):
TeX cannot break a formula, and one wider than about 16,000 points stops it with
"Dimension too large"; a longer one is written as text that breaks across lines."""


def exact_latex(latex: str, approx: str | None) -> str:
    """An exact number in math mode, ``\\approx`` its float (as cg prints it); one
    longer than :data:`LATEX_FORMULA_LIMIT` is its float alone, with a note."""
    if len(latex) <= LATEX_FORMULA_LIMIT:
        return latex + (rf" \approx {latex_number(approx)}" if approx else "")
    note = rf"\text{{ (the exact form, {len(latex):,} characters long, is not shown)}}"
    return (rf"\approx {latex_number(approx)}" if approx else r"\ldots") + note


def breakable_text(text: str, every: int = 40) -> str:
    """``text`` (a long formula in cg's notation) for a paragraph of LaTeX: escaped, in
    a typewriter font, with a place to break after each operator and comma and at least
    every ``every`` characters, so that it wraps instead of running off the page."""
    pieces = re.findall(rf"[^-+*/,\s]{{1,{every}}}|[-+*/,]|\s+", text)
    lines, line = [], ""
    for piece in pieces:
        line += latex_text(piece) + r"\allowbreak{}"
        if len(line) > 100:  # TeX reads a source line of at most some 200,000 characters
            lines.append(line)
            line = ""
    lines.append(line)
    return r"{\raggedright\small\ttfamily " + "%\n".join(lines) + r"\par}"


_COMBINING_TILDE = "\u0303"
_TEXT_SYMBOLS = {
    "≈": r"\ensuremath{\approx}",
    "·": r"\ensuremath{\cdot}",
    "∂": r"\ensuremath{\partial}",
    "−": "-",
    "½": r"\ensuremath{\tfrac{1}{2}}",
    "²": r"\ensuremath{^{2}}",
    "…": r"\ldots{}",
    "⊙": r"\ensuremath{\odot}",
    "ᵀ": r"\ensuremath{^{\top}}",
    "→": r"\ensuremath{\to}",
    "×": r"\ensuremath{\times}",
    "Σ": r"\ensuremath{\Sigma}",
}
_FLOAT_EXPONENT = re.compile(r"(\d(?:\.\d*)?)e([+-]?)0*(\d+)")


def latex_number(text: str) -> str:
    """A number as cg prints it (``-3``, ``1.5e-05``, ``inf``, ``1/3 ≈ 0.333``) in math mode."""
    text = text.replace("≈", r"\approx").replace("·", r"\cdot ")
    text = re.sub(r"\binf\b", r"\\infty", text)
    text = re.sub(r"\bnan\b", r"\\mathrm{nan}", text)

    def exponent(match: re.Match) -> str:
        mantissa, sign, power = match.groups()
        power = f"-{power}" if sign == "-" else power
        return rf"{mantissa} \times 10^{{{power}}}"

    return _FLOAT_EXPONENT.sub(exponent, text)
