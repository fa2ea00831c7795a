"""cg page: the interactive page, one self-contained HTML file."""

from __future__ import annotations

import sys

import click

from ..core.errors import EXIT_CHECK_FAILED, EXIT_OK
from .options import EXIT_CODES, FILE, FILE_OR_FOLDER, ProgramCommand, program_arguments
from .program import check_output, load_program, warn


@click.command(
    "page",
    cls=ProgramCommand,
    epilog=EXIT_CODES,
    short_help="Write an HTML page that steps through both passes.",
)
@program_arguments
@click.option(
    "-o",
    "--out",
    "out_file",
    type=FILE,
    metavar="FILE",
    required=True,
    help="Write the page to FILE (an .html file; whole, or not at all).",
)
@click.option(
    "--digits",
    type=click.IntRange(1, 17),
    default=6,
    show_default=True,
    help="Significant digits shown.",
)
@click.option("--no-check", is_flag=True, help="Skip the check against SymPy.")
@click.option(
    "--answers",
    "answer_files",
    multiple=True,
    type=FILE_OR_FOLDER,
    metavar="FILE|FOLDER",
    help="A class's sheets: the drawing shades each gate by the share of students whose "
    "first mistake was there (graded as cg check grades by default).",
)
def page_command(program, out_file, digits, no_check, answer_files):
    """Write an interactive page that steps through the forward pass node by node, then
    backpropagation, with the drawing, the node table and the worked chain-rule steps.

    The page is one HTML file that works opened from disk, with no network. Its layout
    comes from Graphviz's dot program, which must be installed.
    """
    from ..api.array_evaluation import evaluate_either
    from ..core.files import write_whole
    from ..page import build_page

    check_output(out_file, "-o", program, *(("--answers", f) for f in answer_files))
    from ..core.files import format_for_file

    format_for_file(out_file, "-o", {".html": "html", ".htm": "html"})
    graph, values = load_program(program)
    result = evaluate_either(graph, values, check=not no_check)
    for warning in result.warnings:
        warn(warning)
    class_grades = None
    if answer_files:
        from ..grading import grade_class

        class_grades = grade_class(graph, values, list(answer_files), digits=digits)
        for source, error in class_grades.errors:
            warn(error if source in error else f"{source}: {error}")
    write_whole(out_file, build_page(result, digits=digits, class_grades=class_grades), "-o")
    if not result.check.ok:
        from ..render.table import check_line

        warn(check_line(result))
    sys.exit(EXIT_OK if result.check.ok else EXIT_CHECK_FAILED)


command = page_command
"""The click command that cgcli.cli.group.LazyGroup loads."""
