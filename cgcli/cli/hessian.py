"""cg hessian: the matrix of second derivatives, by forward mode over the gradient graph."""

from __future__ import annotations

import sys

import click

from ..core.errors import EXIT_CHECK_FAILED, EXIT_OK
from ..core.limits import CHECK_TIMEOUT as DEFAULT_TIMEOUT
from .options import EXIT_CODES, SECONDS, ProgramCommand, output_options, program_arguments
from .program import as_document, load_program, refuse_standalone, warn


@click.command(
    "hessian",
    cls=ProgramCommand,
    epilog=EXIT_CODES,
    short_help="The Hessian and Hessian-vector products.",
)
@program_arguments
@output_options(["table", "json", "csv", "markdown", "latex"], wrt=False)
@click.option(
    "--hvp",
    metavar="NAME=VALUE,...",
    help="Also the Hessian-vector product H·ṽ along this direction (x=1,y=0.5; others 0).",
)
@click.option("--no-check", is_flag=True, help="Skip the check (SymPy is not even imported).")
@click.option(
    "--check-timeout",
    type=SECONDS,
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Time budget of the check: SymPy's hessian may use 80% of it, high-precision "
    "difference quotients the rest.",
)
def hessian_command(program, output_format, digits, standalone, hvp, no_check, check_timeout):
    """The Hessian of the output with respect to the inputs at the given values: forward
    mode over the gradient graph (forward-over-reverse), checked against SymPy's hessian
    at the exact inputs."""
    from ..api.hessian import hessian
    from ..render.second_order import render_hessian

    refuse_standalone(standalone, output_format)
    graph, values = load_program(program)
    result = hessian(graph, values, hvp=hvp, check=not no_check, check_timeout=check_timeout)
    for warning in result.warnings:
        warn(warning)
    text = render_hessian(result, output_format, digits)
    click.echo(as_document(text, standalone, "hessian"), nl=False)
    sys.exit(EXIT_OK if result.ok else EXIT_CHECK_FAILED)


command = hessian_command
"""The click command that cgcli.cli.group.LazyGroup loads."""
