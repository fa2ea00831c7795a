"""cg grad: symbolic partial derivatives from SymPy."""

from __future__ import annotations

import click

from . import (
    EXIT_CODES,
    SECONDS,
    ProgramCommand,
    load_program,
    output_options,
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
    from ..api.symbolic import not_real_error, symbolic_gradient
    from ..render.symbolic import render_symbolic

    graph, values = load_program(program)
    result = symbolic_gradient(graph, values, wrt=wrt, expand=expand, timeout=timeout, order=order)
    for warning in result.warnings:
        warn(warning)
    click.echo(render_symbolic(result, output_format, digits), nl=False)
    error = not_real_error(result)
    if error is not None:
        raise error


command = grad_command
"""The click command that cgcli.cli.LazyGroup loads."""
