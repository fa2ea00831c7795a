"""A LaTeX fragment as a whole document (``--standalone``) that pdfLaTeX compiles as it is."""

from __future__ import annotations

import re

from ..core.errors import UsageError
from ..core.notation import LATEX_PREAMBLE
from ..core.untrusted import visible


def standalone(fragment: str, command: str) -> str:
    """``fragment`` (any of cg's LaTeX outputs) in an article with every package cg's
    fragments use; the first line says what it is. A name in letters pdfLaTeX has no font
    for (Cyrillic, CJK, ...) is refused, naming it: the document would not compile."""
    _refuse_untypesettable(fragment, command)
    return (
        f"% {command} --standalone: a whole document; pdflatex compiles it as it is\n"
        "\\documentclass{article}\n"
        f"{LATEX_PREAMBLE}\n"
        "\\begin{document}\n"
        f"{fragment}"
        "\\end{document}\n"
    )


_MACRO = re.compile(r"\\[A-Za-z]+|[{}]")


def _refuse_untypesettable(fragment: str, command: str) -> None:
    """cg writes every letter pdfLaTeX has (ASCII, Latin accents, Greek) as ASCII macros;
    a character left as it is, outside a comment, is one it cannot typeset."""
    for line in fragment.splitlines():
        if line.startswith("%"):
            continue
        for match in re.finditer(r"[^\x00-\x7f]", line):
            start, end = match.start(), match.end()
            while start > 0 and re.match(r"[\w\\{}]", line[start - 1]):
                start -= 1
            while end < len(line) and re.match(r"[\w\\{}]", line[end]):
                end += 1
            name = _MACRO.sub("", line[start:end].replace("\\_", "_").replace("\\#", "#"))
            letter, name = visible(match[0]), visible(name)
            raise UsageError(
                f"{command} --standalone: pdfLaTeX cannot typeset {letter} (in {name}): "
                "it has Latin and Greek letters only; rename it, or leave out --standalone "
                "and compile the fragment with LuaLaTeX or XeLaTeX and a font that has it"
            )
