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
    from ..check import call_with_timeout
    from ..numbers import format_number
    from ..symbolic import gradient_formulas
    from ..values import bind_inputs

    graph, values = load_program(program)
    graph = graph.bind_constants(values)
    exact = None
    if values:
        graph, _, warnings = bind_inputs(graph, values)
        for warning in warnings:
            warn(warning)
        exact = {name: values[name].exact for name in graph.input_names}
    names = parse_wrt(wrt, graph.input_names)
    try:
        rows = call_with_timeout(gradient_formulas, (graph, names, exact, True, expand), timeout)
    except TimeoutError:
        warn(f"SymPy did not simplify within {timeout:g} s; the derivatives are not simplified")
        rows = gradient_formulas(graph, names, exact, simplify=False, expand=expand)
    out = graph.label(graph.nodes[graph.output])
    labels = {n.name: graph.label(n) for n in graph.inputs}
    if output_format == "json":
        doc = {
            "output": out,
            "gradient": {
                name: {"formula": text, "latex": latex, "value": json_number(value), "exact": ex}
                for name, text, latex, value, ex in rows
            },
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    if output_format == "latex":
        from ..notation import latex_name

        click.echo(r"% cg grad: needs \usepackage{amsmath}")
        click.echo(r"\begin{align*}")
        for name, _, latex, value, _ in rows:
            shown = f" = {_latex_value(value, digits)}" if value is not None else ""
            of = latex_name(labels[name])
            partial = rf"\frac{{\partial {latex_name(out)}}}{{\partial {of}}}"
            click.echo(rf"{partial} &= {latex}{shown} \\")
        click.echo(r"\end{align*}")
        return
    for name, text, _, value, exact_text in rows:
        line = f"∂{out}/∂{labels[name]} = {text}"
        if value is not None:
            shown = format_number(value, digits) if isinstance(value, float) else value
            line += f" = {exact_text}" if exact_text not in (None, text) else ""
            if exact_text != shown:
                line += f" ≈ {shown}" if exact_text else f" = {shown}"
        click.echo(line)


def _latex_value(value, digits) -> str:
    from ..notation import latex_number, latex_text
    from ..numbers import format_number

    if isinstance(value, str):  # "complex" or "zoo"
        return rf"\text{{{latex_text(value)}}}"
    return latex_number(format_number(value, digits))


command = grad_command
"""The click command that cgcli.cli.LazyGroup loads."""
