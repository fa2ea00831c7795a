"""cg page: the interactive page, one self-contained HTML file."""

from __future__ import annotations

import sys

import click

from ..core.errors import EXIT_CHECK_FAILED, EXIT_OK
from . import (
    EXIT_CODES,
    FILE,
    ProgramCommand,
    check_output,
    load_program,
    program_arguments,
    warn,
)


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
def page_command(program, out_file, digits, no_check):
    """Write an interactive page that steps through the forward pass node by node, then
    backpropagation, with the drawing, the node table and the worked chain-rule steps.

    The page is one HTML file that works opened from disk, with no network. Its layout
    comes from Graphviz's dot program, which must be installed.
    """
    from ..api.evaluation import evaluate_graph
    from ..core.files import write_whole
    from ..page import build_page

    check_output(out_file, "-o", program)
    graph, values = load_program(program)
    result = evaluate_graph(graph, values, check=not no_check)
    for warning in result.warnings:
        warn(warning)
    write_whole(out_file, build_page(result, digits=digits), "-o")
    if not result.check.ok:
        from ..render.table import check_line

        warn(check_line(result))
    sys.exit(EXIT_OK if result.check.ok else EXIT_CHECK_FAILED)


command = page_command
"""The click command that cgcli.cli.LazyGroup loads."""
