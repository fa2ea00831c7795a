"""cg sheet: the blank answer sheet to hand out."""

from __future__ import annotations

import click

from . import (
    EXIT_CODES,
    STANDALONE,
    ProgramCommand,
    as_document,
    load_program,
    program_arguments,
    refuse_standalone,
)


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
@STANDALONE
def sheet_command(program, sheet_format, ask, digits, standalone):
    """Write the blank answer sheet for PROGRAM at the given values: the nodes to fill in,
    with the inputs, the constants and the output's own gradient given."""
    from ..grading.blank import blank_sheet

    refuse_standalone(standalone, sheet_format)
    graph, values = load_program(program)
    text = blank_sheet(graph, values, sheet_format=sheet_format, ask=ask, digits=digits)
    click.echo(as_document(text, standalone, "sheet"), nl=False)


command = sheet_command
"""The click command that cgcli.cli.LazyGroup loads."""
