"""cg grad: symbolic partial derivatives from SymPy."""

from __future__ import annotations

import json

import click

from ..numbers import json_number
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
def grad_command(program, output_format, digits, wrt, timeout, expand):
    """The symbolic partial derivatives of the output with respect to each input (SymPy),
    in the program's own terms: its named intermediates, and σ·(1 - σ) for the sigmoid;
    with values given, also evaluated there."""
    from ..numbers import format_number
    from ..symbolic_grad import not_real_error, symbolic_gradient

    graph, values = load_program(program)
    wrt_names = parse_wrt(wrt, graph.bind_constants(values).input_names) if wrt else None
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
        from ..notation import latex_name

        click.echo(r"% cg grad: needs \usepackage{amsmath}")
        click.echo(r"\begin{align*}")
        for p in result.partials:
            shown = f" = {_latex_value(p.value, digits)}" if p.value is not None else ""
            partial = rf"\frac{{\partial {latex_name(out)}}}{{\partial {latex_name(p.label)}}}"
            click.echo(rf"{partial} &= {p.latex}{shown} \\")
        click.echo(r"\end{align*}")
    else:
        for p in result.partials:
            line = f"∂{out}/∂{p.label} = {p.formula}"
            if p.value is not None:
                shown = format_number(p.value, digits) if p.real else "not a real number"
                line += f" = {p.exact}" if p.exact not in (None, p.formula) else ""
                if p.exact != shown:
                    line += f" ≈ {shown}" if p.exact and p.real else f" = {shown}"
            if p.convention:
                line += f"  ({p.convention})"
            click.echo(line)
    error = not_real_error(result)
    if error is not None:
        raise error


def _latex_value(value, digits) -> str:
    from ..notation import latex_number, latex_text
    from ..numbers import format_number

    if isinstance(value, str):  # "complex" or "zoo"
        return rf"\text{{{latex_text(value)}}}"
    return latex_number(format_number(value, digits))


command = grad_command
"""The click command that cgcli.cli.LazyGroup loads."""
