"""cg grad: symbolic partial derivatives from SymPy."""

from __future__ import annotations

import click

from .options import EXIT_CODES, SECONDS, ProgramCommand, output_options, program_arguments
from .program import as_document, load_program, refuse_standalone, warn


@click.command(
    "grad",
    cls=ProgramCommand,
    epilog=EXIT_CODES,
    short_help="The partial derivatives as formulas, and their values.",
)
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
def grad_command(program, output_format, digits, wrt, standalone, timeout, expand, order):
    """The symbolic partial derivatives of the output with respect to each input (SymPy),
    in the program's own terms: its named intermediates, and σ·(1 - σ) for the sigmoid;
    with values given, also evaluated there."""
    from ..api.symbolic import not_real_error, symbolic_gradient
    from ..render.symbolic import render_symbolic

    refuse_standalone(standalone, output_format)
    graph, values = load_program(program)
    result = symbolic_gradient(graph, values, wrt=wrt, expand=expand, timeout=timeout, order=order)
    for warning in result.warnings:
        warn(warning)
    text = render_symbolic(result, output_format, digits)
    click.echo(as_document(text, standalone, "grad"), nl=False)
    error = not_real_error(result)
    if error is not None:
        raise error


command = grad_command
"""The click command that cgcli.cli.group.LazyGroup loads."""
