"""cg sheet: the blank answer sheet to hand out."""

from __future__ import annotations

import click

from ..core.errors import UsageError
from .options import EXIT_CODES, FILE, STANDALONE, PathValue, ProgramCommand, program_arguments
from .program import as_document, load_program, refuse_standalone


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
@click.option(
    "--roster",
    type=FILE,
    metavar="FILE.csv",
    help="One sheet per student of this CSV roster (its id column names each sheet), "
    "each at the student's own values; needs --seed and -o FOLDER.",
)
@click.option(
    "--vary",
    "vary",
    multiple=True,
    metavar="NAME=LO..HI[:STEP]",
    help="With --roster: draw this input for each student from LO, LO+STEP, ... HI "
    "(step 1 by default), redrawing draws that make a bad exercise (repeatable).",
)
@click.option(
    "--seed", type=int, help="With --roster: the seed of the draws (same seed, same sheets)."
)
@click.option(
    "-o",
    "--output-dir",
    "folder",
    type=PathValue(file_okay=False, dir_okay=True),
    metavar="FOLDER",
    help="With --roster: the folder of the sheets and of variants.csv (made if missing).",
)
@STANDALONE
def sheet_command(program, sheet_format, ask, digits, roster, vary, seed, folder, standalone):
    """Write the blank answer sheet for PROGRAM at the given values: the nodes to fill in,
    with the inputs, the constants and the output's own gradient given. With --roster, one
    sheet per student, each at their own values, and the variants file cg check grades by."""
    from ..grading.blank import blank_sheet

    refuse_standalone(standalone, sheet_format)
    if roster is None:
        for given, option in ((vary, "--vary"), (seed is not None, "--seed"), (folder, "-o")):
            if given:
                hint = ""
                if option == "-o":
                    from ..grading.blank import redirect_advice

                    hint = f"; for one sheet, redirect the output: {redirect_advice(folder)}"
                raise UsageError(
                    f"{option} is for a sheet per student: give --roster FILE.csv{hint}"
                )
        graph, values = load_program(program)
        text = blank_sheet(graph, values, sheet_format=sheet_format, ask=ask, digits=digits)
        click.echo(as_document(text, standalone, "sheet"), nl=False)
        return
    if standalone:
        raise UsageError("--standalone is for one sheet, not a sheet per student")
    if seed is None:
        raise UsageError("--roster needs --seed N, so that the same sheets can be drawn again")
    if not folder:
        raise UsageError("--roster needs -o FOLDER, the folder the sheets are written to")
    _sheets_per_student(program, sheet_format, ask, digits, roster, vary, seed, folder)


def _sheets_per_student(program, sheet_format, ask, digits, roster, vary, seed, folder):
    from ..core.untrusted import visible
    from ..grading.variants import VARIANTS_FILE, variant_sheets

    graph, values = load_program(program)
    variants = variant_sheets(
        graph, values, vary, roster, seed=seed, sheet_format=sheet_format, ask=ask, digits=digits
    )
    written = variants.write(folder)
    redrawn = sum(len(v.redrawn) for v in variants.variants)
    where = visible(folder)
    click.echo(
        f"{len(variants.sheets)} sheets and {VARIANTS_FILE} in {where} "
        f"({len(written)} written, {len(variants.files) - len(written)} already there); "
        f"{redrawn} bad draws redrawn"
    )


command = sheet_command
"""The click command that cgcli.cli.group.LazyGroup loads."""
