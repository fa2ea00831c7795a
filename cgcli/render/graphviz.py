"""Graphviz's dot, run as a program: the layout of the drawings on the page and in notebooks."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import TYPE_CHECKING

from ..core.errors import UsageError

if TYPE_CHECKING:
    from ..api.evaluation import Evaluation
    from ..core.ir import Graph

INSTALL_GRAPHVIZ = (
    "Install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; "
    "conda: conda install graphviz)"
)


def graphviz_installed() -> bool:
    """Whether Graphviz's ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


MAX_LAID_OUT = 3_000
"""Graphviz takes minutes (or crashes) on larger drawings: cg refuses them."""
MAX_STEP_COLUMNS = 200
"""A loop is drawn one column per step, and dot's layout of the columns grows much faster
than their nodes (a one-line recurrence: 150 steps take 2 s, 200 take 10 s, 300 more
than :data:`DOT_TIMEOUT`): cg refuses more steps at once instead of waiting."""
DOT_TIMEOUT = 120.0
"""Seconds Graphviz may take; past them it is stopped."""


def run_dot(
    dot_source: str,
    output_format: str,
    needed_by: str,
    dpi: int | None = None,
    alternative: str = "",
) -> bytes:
    """``dot_source`` laid out by Graphviz's ``dot`` in ``output_format`` (svg, png, ...).

    ``needed_by`` names what needs the layout in the errors ("the page",
    "--format svg"); ``alternative`` says what the user can do instead.
    """
    dot = shutil.which("dot")
    if dot is None:
        raise UsageError(
            f"Graphviz's dot program is not installed, and {needed_by} needs it to lay out "
            f"the graph. {INSTALL_GRAPHVIZ}{alternative}."
        )
    command = [dot, f"-T{output_format}"]
    if dpi is not None:
        command.append(f"-Gdpi={dpi}")
    try:
        done = subprocess.run(
            command, input=dot_source.encode(), capture_output=True, timeout=DOT_TIMEOUT
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed dot
        raise UsageError(
            f"Graphviz's dot did not finish within {DOT_TIMEOUT:g} s{alternative}"
        ) from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()[:1]
        reason = " ".join(message) or f"it stopped with status {done.returncode}"
        raise UsageError(f"Graphviz's dot failed: {reason}")
    return done.stdout


def refuse_large(graph: Graph, needed_by: str, alternative: str = "") -> None:
    """Refuse to lay out a drawing of more than :data:`MAX_LAID_OUT` nodes, or of loops
    of more than :data:`MAX_STEP_COLUMNS` steps in all."""
    nodes = len(graph.nodes)
    if nodes > MAX_LAID_OUT:
        raise UsageError(
            f"the graph has {nodes:,} nodes to draw, too many for {needed_by} to lay out "
            f"(at most {MAX_LAID_OUT:,}){alternative}"
        )
    steps = sum(loop.count for loop in graph.loops)
    if steps > MAX_STEP_COLUMNS:
        raise UsageError(
            f"the loop has {steps:,} steps to draw, a column each, too many for {needed_by} "
            f"to lay out (at most {MAX_STEP_COLUMNS}){alternative}"
        )


_SIZE = re.compile(
    r'<svg width="([\d.]+)pt" height="[\d.]+pt"(\s+viewBox="[\d.]+ [\d.]+ ([\d.]+) )'
)
SMALLEST_SCALE = 0.8
"""Shrunk to fit its box, the drawing keeps at least this many pixels per point, so that
its 14-point text stays 11 pixels high or more (a wider drawing scrolls)."""


def inline_svg(dot_source: str, needed_by: str) -> str:
    """The drawing as an ``<svg>`` element to put inside HTML: no XML prolog; it shrinks
    to the width of its box, never past its natural size nor below a readable one."""
    svg = run_dot(dot_source, "svg", needed_by).decode()
    svg = svg[svg.index("<svg") :]

    def size(match: re.Match) -> str:
        natural, view_box, points = match.groups()
        smallest = round(float(points) * SMALLEST_SCALE)
        style = f"max-width:{natural}pt;min-width:{smallest}px;height:auto"
        return f'<svg width="100%" style="{style}"{view_box}'

    return _SIZE.sub(size, svg, count=1)


def annotated_svg(
    result: Evaluation, digits: int | None, needed_by: str, marks: dict[int, str] | None = None
) -> str:
    """The drawing of an evaluation, every node with its value and gradient, as inline SVG
    (``marks``: DOT attributes by node index, such as a class's shading)."""
    from .graph import Annotations, to_dot

    refuse_large(result.graph, needed_by)
    notes = Annotations(
        [r.value for r in result.nodes], [r.grad for r in result.nodes], result.output, digits
    )
    return inline_svg(to_dot(result.graph, notes, "circuit", marks), needed_by)
