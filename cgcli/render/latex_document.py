"""A LaTeX fragment as a whole document (``--standalone``) that pdfLaTeX compiles as it is."""

from __future__ import annotations

from ..core.notation import LATEX_PREAMBLE


def standalone(fragment: str, command: str) -> str:
    """``fragment`` (any of cg's LaTeX outputs) in an article with every package cg's
    fragments use; the first line says what it is."""
    return (
        f"% {command} --standalone: a whole document; pdflatex compiles it as it is\n"
        "\\documentclass{article}\n"
        f"{LATEX_PREAMBLE}\n"
        "\\begin{document}\n"
        f"{fragment}"
        "\\end{document}\n"
    )
