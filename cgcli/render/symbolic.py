"""Symbolic derivatives (``cg grad``) as text, LaTeX or JSON, first and second order alike."""

from __future__ import annotations

import json

from ..api.symbolic import Partial, SecondPartial, SymbolicGradient, SymbolicHessian
from ..core.notation import (
    LATEX_FORMULA_LIMIT,
    breakable_text,
    latex_name,
    latex_number,
    latex_text,
)
from ..core.numbers import format_number, json_number


def render_symbolic(
    result: SymbolicGradient | SymbolicHessian, output_format: str, digits: int
) -> str:
    """``cg grad`` (``--order 2`` for a :class:`SymbolicHessian`) in ``output_format``."""
    second = isinstance(result, SymbolicHessian)
    if output_format == "json":
        return json.dumps(_json(result), ensure_ascii=False, indent=2) + "\n"
    if output_format == "latex":
        command = "cg grad --order 2" if second else "cg grad"
        rows = [(_latex_partial(result.output, p), p) for p in result.partials]
        return _align(command, rows, digits)
    return "".join(_line(result.output, p, digits) + "\n" for p in result.partials)


def _json(result: SymbolicGradient | SymbolicHessian) -> dict:
    doc: dict = {"output": result.output}
    if isinstance(result, SymbolicHessian):
        doc["order"] = 2
    doc["simplified"] = result.simplified
    if isinstance(result, SymbolicGradient):
        doc["gradient"] = {
            p.input: {
                "formula": p.formula,
                "latex": p.latex,
                "value": json_number(p.value),
                "exact": p.exact,
                "convention": p.convention,
            }
            for p in result.partials
        }
    else:
        doc["second_derivatives"] = [
            {
                "wrt": [p.first, p.second],
                "formula": p.formula,
                "latex": p.latex,
                "value": json_number(p.value),
                "exact": p.exact,
            }
            for p in result.partials
        ]
    return doc


def _line(output: str, p: Partial | SecondPartial, digits: int) -> str:
    """``∂f/∂x = formula``, then at a point its exact value and ``≈ float`` when they
    differ, and a kink's convention."""
    line = f"{p.name(output)} = {p.formula}"
    if p.value is not None:
        shown = format_number(p.value, digits) if p.real else "not a real number"
        if p.exact not in (None, p.formula):
            line += f" = {p.exact}"
        if p.exact != shown:
            line += f" ≈ {shown}" if p.exact and p.real else f" = {shown}"
    if isinstance(p, Partial) and p.convention:
        line += f"  ({p.convention})"
    return line


def _latex_partial(output: str, p: Partial | SecondPartial) -> str:
    """∂f/∂x, ∂²f/∂x² or ∂²f/∂x∂y as an amsmath fraction."""
    if isinstance(p, Partial):
        return rf"\frac{{\partial {latex_name(output)}}}{{\partial {latex_name(p.label)}}}"
    if p.first == p.second:
        below = rf"\partial {latex_name(p.first)}^2"
    else:
        below = rf"\partial {latex_name(p.first)}\,\partial {latex_name(p.second)}"
    return rf"\frac{{\partial^2 {latex_name(output)}}}{{{below}}}"


def _align(command: str, rows: list, digits: int) -> str:
    """An amsmath align* of ``partial &= formula = value`` lines. A formula too long for
    a line (:data:`LATEX_FORMULA_LIMIT`) follows the align* as text that breaks across
    lines: TeX cannot break a formula, and stops on a very wide one."""
    lines = [rf"% {command}: needs \usepackage{{amsmath}}", r"\begin{align*}"]
    long = []
    for partial, p in rows:
        shown = f" = {_latex_value(p.value, digits)}" if p.value is not None else ""
        formula = p.latex
        if len(formula) > LATEX_FORMULA_LIMIT:
            long.append((partial, p.formula))
            formula = rf"\text{{(formula {len(long)} below)}}"
        lines.append(rf"{partial} &= {formula}{shown} \\")
    lines.append(r"\end{align*}")
    for number, (partial, text) in enumerate(long, 1):
        lines.append(rf"\noindent Formula {number}, ${partial}$: {breakable_text(text)}")
    return "\n".join(lines) + "\n"


def _latex_value(value: float | str, digits: int) -> str:
    if isinstance(value, str):  # "complex" or "zoo"
        return rf"\text{{{latex_text(value)}}}"
    return latex_number(format_number(value, digits))
