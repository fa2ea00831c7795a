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
GRAPHVIZ_MISSING = (
    "Graphviz's dot program is not installed, and --format {fmt} needs it. Install Graphviz "
    "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; conda: conda "
    "install graphviz), or use --format dot, mermaid or ascii."
)


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
        data = drawing.to_dot(graph, notes, style).encode()
        if output_format in ("svg", "png"):
            data = _run_dot(data, output_format, dpi)
    if out_file is not None:
        write_whole(out_file, data, "-o")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _run_dot(dot_source: bytes, output_format: str, dpi: int) -> bytes:
    import shutil
    import subprocess

    dot = shutil.which("dot")
    if dot is None:
        raise UsageError(GRAPHVIZ_MISSING.format(fmt=output_format))
    command = [dot, f"-T{output_format}"]
    if output_format == "png":
        command.append(f"-Gdpi={dpi}")
    done = subprocess.run(command, input=dot_source, capture_output=True)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()[:1]
        raise UsageError(f"Graphviz's dot failed: {' '.join(message)}")
    return done.stdout


command = graph_command
"""The click command that cgcli.cli.LazyGroup loads."""
