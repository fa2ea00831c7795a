"""cg grad: symbolic partial derivatives from SymPy."""

from __future__ import annotations

import json

import click

from ..core.numbers import json_number
from . import (
    EXIT_CODES,
    SECONDS,
    ProgramCommand,
    load_program,
    output_options,
    parse_wrt,
    program_arguments,
    warn,
)


@click.command("grad", cls=ProgramCommand, epilog=EXIT_CODES)
@program_arguments
@output_options(["text", "latex", "json"], default="text")
@click.option(
    "--timeout",
    type=SECONDS,
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Time budget for SymPy's simplification; past it the derivatives are unsimplified.",
)
@click.option(
    "--expand",
    is_flag=True,
    help="Write the derivatives in the inputs alone (SymPy's simplified form), without "
    "the program's named intermediates and σ.",
)
@click.option(
    "--order",
    type=click.IntRange(1, 2),
    default=1,
    show_default=True,
    help="2: the second partial derivatives ∂²f/∂x∂y instead (SymPy's, in the inputs; "
    "cg hessian gives the numbers by forward-over-reverse).",
)
def grad_command(program, output_format, digits, wrt, timeout, expand, order):
    """The symbolic partial derivatives of the output with respect to each input (SymPy),
    in the program's own terms: its named intermediates, and σ·(1 - σ) for the sigmoid;
    with values given, also evaluated there."""
    from ..api.symbolic_grad import not_real_error, symbolic_gradient

    graph, values = load_program(program)
    wrt_names = parse_wrt(wrt, graph.bind_constants(values).input_names) if wrt else None
    if order == 2:
        _second_order(graph, values, wrt_names, output_format, digits, timeout)
        return
    result = symbolic_gradient(graph, values, wrt=wrt_names, expand=expand, timeout=timeout)
    for warning in result.warnings:
        warn(warning)
    out = result.output
    if output_format == "json":
        doc = {
            "output": out,
            "simplified": result.simplified,
            "gradient": {
                p.input: {
                    "formula": p.formula,
                    "latex": p.latex,
                    "value": json_number(p.value),
                    "exact": p.exact,
                    "convention": p.convention,
                }
                for p in result.partials
            },
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    elif output_format == "latex":
        from ..core.notation import latex_name

        rows = [
            (rf"\frac{{\partial {latex_name(out)}}}{{\partial {latex_name(p.label)}}}", p)
            for p in result.partials
        ]
        _echo_align("cg grad", rows, digits)
    else:
        for p in result.partials:
            line = _formula_line(f"∂{out}/∂{p.label}", p.formula, p.value, p.exact, digits)
            if p.convention:
                line += f"  ({p.convention})"
            click.echo(line)
    error = not_real_error(result)
    if error is not None:
        raise error


def _second_order(graph, values, wrt_names, output_format, digits, timeout) -> None:
    """cg grad --order 2: each second partial derivative once (∂²f/∂x∂y = ∂²f/∂y∂x)."""
    from ..api.symbolic_second import symbolic_hessian
    from ..core.errors import CgMathError

    result = symbolic_hessian(graph, values, wrt=wrt_names, timeout=timeout)
    for warning in result.warnings:
        warn(warning)
    out = result.output
    if output_format == "json":
        doc = {
            "output": out,
            "order": 2,
            "simplified": result.simplified,
            "second_derivatives": [
                {
                    "wrt": [p.first, p.second],
                    "formula": p.formula,
                    "latex": p.latex,
                    "value": json_number(p.value),
                    "exact": p.exact,
                }
                for p in result.partials
            ],
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    elif output_format == "latex":
        from ..core.notation import latex_name

        rows = []
        for p in result.partials:
            if p.first == p.second:
                below = rf"\partial {latex_name(p.first)}^2"
            else:
                below = rf"\partial {latex_name(p.first)}\,\partial {latex_name(p.second)}"
            rows.append((rf"\frac{{\partial^2 {latex_name(out)}}}{{{below}}}", p))
        _echo_align("cg grad --order 2", rows, digits)
    else:
        for p in result.partials:
            click.echo(_formula_line(p.name(out), p.formula, p.value, p.exact, digits))
    bad = [
        p.name(out)
        for p in result.partials
        if p.value is not None and not isinstance(p.value, float)
    ]
    if bad:
        raise CgMathError(f"{', '.join(bad)} is not a real number at this point")


def _formula_line(
    name: str, formula: str, value: float | str | None, exact: str | None, digits: int
) -> str:
    """``name = formula``, then at a point its exact value and ``≈ float`` when they differ."""
    from ..core.numbers import format_number

    line = f"{name} = {formula}"
    if value is None:
        return line
    real = isinstance(value, float)
    shown = format_number(value, digits) if real else "not a real number"
    if exact not in (None, formula):
        line += f" = {exact}"
    if exact != shown:
        line += f" ≈ {shown}" if exact and real else f" = {shown}"
    return line


def _echo_align(command: str, rows: list, digits: int) -> None:
    """An amsmath align* of ``partial &= formula = value`` lines; ``rows`` are pairs
    (the LaTeX of the partial derivative, an object with .latex, .formula and .value).
    A formula too long for a line (LATEX_FORMULA_LIMIT) follows the align* as text
    that breaks across lines: TeX cannot break a formula, and stops on a very wide one."""
    from ..core.notation import LATEX_FORMULA_LIMIT, breakable_text

    click.echo(rf"% {command}: needs \usepackage{{amsmath}}")
    click.echo(r"\begin{align*}")
    long = []
    for partial, p in rows:
        shown = f" = {_latex_value(p.value, digits)}" if p.value is not None else ""
        formula = p.latex
        if len(formula) > LATEX_FORMULA_LIMIT:
            long.append((partial, p.formula))
            formula = rf"\text{{(formula {len(long)} below)}}"
        click.echo(rf"{partial} &= {formula}{shown} \\")
    click.echo(r"\end{align*}")
    for number, (partial, text) in enumerate(long, 1):
        click.echo(rf"\noindent Formula {number}, ${partial}$: {breakable_text(text)}")


def _latex_value(value, digits) -> str:
    from ..core.notation import latex_number, latex_text
    from ..core.numbers import format_number

    if isinstance(value, str):  # "complex" or "zoo"
        return rf"\text{{{latex_text(value)}}}"
    return latex_number(format_number(value, digits))


command = grad_command
"""The click command that cgcli.cli.LazyGroup loads."""
