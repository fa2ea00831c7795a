"""cg sheet: the blank answer sheet to hand out."""

from __future__ import annotations

import click

from . import EXIT_CODES, ProgramCommand, load_program, program_arguments


@click.command(
    "sheet",
    cls=ProgramCommand,
    epilog=EXIT_CODES,
    short_help="Write the blank answer sheet that cg check grades.",
)
@program_arguments
@click.option(
    "--format",
    "sheet_format",
    type=click.Choice(["markdown", "csv", "tsv", "json", "latex"]),
    default="markdown",
    show_default=True,
    help="Format of the sheet; every one reads back with cg check --answers.",
)
@click.option(
    "--ask",
    type=click.Choice(["all", "values", "gradients"]),
    default="all",
    show_default=True,
    help="What the students fill in (the rest is given).",
)
@click.option(
    "--digits",
    type=click.IntRange(1, 17),
    default=6,
    show_default=True,
    help="Significant digits of the values given on a sheet that asks for gradients.",
)
def sheet_command(program, sheet_format, ask, digits):
    """Write the blank answer sheet for PROGRAM at the given values: the nodes to fill in,
    with the inputs, the constants and the output's own gradient given."""
    from ..grading.blank import blank_sheet

    graph, values = load_program(program)
    text = blank_sheet(graph, values, sheet_format=sheet_format, ask=ask, digits=digits)
    click.echo(text, nl=False)


command = sheet_command
"""The click command that cgcli.cli.LazyGroup loads."""
