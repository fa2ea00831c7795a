"""cg graph: draw the graph as ASCII, DOT, Mermaid, SVG or PNG."""

from __future__ import annotations

import sys

import click

from ..errors import UsageError
from . import (
    EXIT_CODES,
    ProgramCommand,
    load_program,
    output_options,
    program_arguments,
    warn,
)

GRAPH_FORMATS = ["ascii", "dot", "mermaid", "svg", "png"]
DEFAULT_DPI = 150
"""Sharp on slides; Graphviz's own default (96) is soft there."""


@click.command("graph", cls=ProgramCommand, epilog=EXIT_CODES)
@program_arguments
@output_options(GRAPH_FORMATS, default="ascii", wrt=False)
@click.option(
    "--style",
    type=click.Choice(["circuit", "boxes"]),
    help="circuit: gates with each wire's value above it and gradient below (CS231n; the "
    "default with values); boxes: one box per node (the default without values). "
    "For dot, mermaid, svg and png.",
)
@click.option(
    "--dpi",
    type=click.IntRange(min=10, max=2400),
    default=DEFAULT_DPI,
    show_default=True,
    help="Resolution of --format png.",
)
@click.option(
    "-o",
    "--out",
    "out_file",
    metavar="FILE",
    help="Write to FILE instead of standard output (whole, or not at all).",
)
def graph_command(program, output_format, digits, style, dpi, out_file):
    """Draw PROGRAM's graph; with values, every wire (or node) shows its value and gradient.

    ascii draws in the terminal; dot and mermaid are text for Graphviz and Mermaid;
    svg and png run Graphviz's dot.
    """
    from ..files import check_writable, write_whole
    from ..render import graph as drawing

    if out_file is not None:
        check_writable(out_file, "-o")
    elif output_format == "png" and sys.stdout.isatty():
        raise UsageError("a PNG is binary: write it to a file with -o FILE")
    graph, values = load_program(program)
    notes = None
    if values:
        from ..evaluation import evaluate_graph

        result = evaluate_graph(graph, values, check=False)
        for warning in result.warnings:
            warn(warning)
        graph = result.graph
        notes = drawing.Annotations(
            [r.value for r in result.nodes], [r.grad for r in result.nodes], result.output, digits
        )
    style = style or ("circuit" if notes else "boxes")
    if output_format == "ascii":
        data = drawing.to_ascii(graph, notes).encode()
    elif output_format == "mermaid":
        data = drawing.to_mermaid(graph, notes, style).encode()
    else:
        source = drawing.to_dot(graph, notes, style)
        data = source.encode()
        if output_format in ("svg", "png"):
            from ..render.graphviz import refuse_large, run_dot

            needed_by, instead = f"--format {output_format}", "; use --format dot or mermaid"
            refuse_large(len(graph.nodes), needed_by, instead)
            dpi_ = dpi if output_format == "png" else None
            data = run_dot(source, output_format, needed_by, dpi_, instead)
    if out_file is not None:
        write_whole(out_file, data, "-o")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


command = graph_command
"""The click command that cgcli.cli.LazyGroup loads."""
