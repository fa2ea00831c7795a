"""cg graph: draw the graph as ASCII, DOT, Mermaid, SVG or PNG."""

from __future__ import annotations

import sys

import click

from ..core.errors import UsageError
from ..core.files import format_for_file
from ..render.drawing import DEFAULT_DPI, EXTENSIONS, FORMATS, MAX_DPI, MIN_DPI, STYLES
from .options import (
    EXIT_CODES,
    FILE,
    ProgramCommand,
    given_option,
    output_options,
    program_arguments,
)
from .program import check_output, load_program, warn

GRAPH_FORMATS = list(FORMATS)


@click.command(
    "graph",
    cls=ProgramCommand,
    epilog=EXIT_CODES,
    short_help="Draw the graph: terminal tree, SVG, PNG, dot or Mermaid.",
)
@program_arguments
@output_options(GRAPH_FORMATS, default="ascii", wrt=False)
@click.option(
    "--style",
    type=click.Choice(STYLES),
    help="circuit: gates with each wire's value above it and gradient below (CS231n; the "
    "default with values); boxes: one box per node (the default without values). "
    "For dot, mermaid, svg and png.",
)
@click.option(
    "--dpi",
    type=click.IntRange(min=MIN_DPI, max=MAX_DPI),
    default=DEFAULT_DPI,
    show_default=True,
    help="Resolution of --format png.",
)
@click.option(
    "-o",
    "--out",
    "out_file",
    type=FILE,
    metavar="FILE",
    help="Write to FILE instead of standard output (whole, or not at all).",
)
@click.option(
    "--backward",
    is_flag=True,
    help="Draw the backward pass too, as a graph: each adjoint ∂f/∂node a node built from "
    "the op table's local derivatives (ascii: one tree per input's gradient).",
)
def graph_command(program, output_format, digits, style, dpi, out_file, backward):
    """Draw PROGRAM's graph; with values, every wire (or node) shows its value and gradient.

    ascii draws in the terminal; dot and mermaid are text for Graphviz and Mermaid;
    svg and png run Graphviz's dot.
    """
    from ..core.files import write_whole
    from ..render.drawing import draw

    if out_file is not None:
        output_format = format_for_file(out_file, "-o", EXTENSIONS, given_option("output_format"))
        check_output(out_file, "-o", program)
    elif output_format == "png" and sys.stdout.isatty():
        raise UsageError("a PNG is binary: write it to a file with -o FILE")
    graph, values = load_program(program)
    drawing = draw(
        graph,
        values,
        format=output_format,
        style=style,
        digits=digits,
        dpi=dpi,
        backward=backward,
    )
    for warning in drawing.warnings:
        warn(warning)
    if out_file is not None:
        write_whole(out_file, drawing.data, "-o")
    else:
        sys.stdout.buffer.write(drawing.data)
        sys.stdout.flush()


command = graph_command
"""The click command that cgcli.cli.group.LazyGroup loads."""
