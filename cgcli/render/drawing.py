"""draw(): a program's graph as ASCII, DOT, Mermaid, SVG or PNG, annotated when values
are given (the library function behind ``cg graph``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core import arguments
from ..core.errors import UsageError
from ..core.ir import Graph

FORMATS = ("ascii", "dot", "mermaid", "svg", "png")
STYLES = ("circuit", "boxes")
EXTENSIONS = {
    ".svg": "svg",
    ".png": "png",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".txt": "ascii",
    "": "ascii",
}
"""The format of each extension of a drawing's file (no extension: ascii, or --format)."""
DEFAULT_DPI = 150
MIN_DPI, MAX_DPI = 10, 2400
"""Sharp on slides; Graphviz's own default (96) is soft there."""


@dataclass(frozen=True, repr=False)
class Drawing:
    """A drawing: ``data`` in ``format``; text formats also as ``text``."""

    format: str
    style: str
    data: bytes
    warnings: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        """The drawing as text (ascii, dot, mermaid, svg)."""
        if self.format == "png":
            raise UsageError("a PNG drawing is binary: use its data")
        return self.data.decode("utf-8")

    def __str__(self) -> str:
        return self.text if self.format != "png" else repr(self)

    def __repr__(self) -> str:
        return f"<Drawing {self.format}, {self.style}, {len(self.data):,} bytes>"

    def _repr_svg_(self) -> str | None:
        return self.text if self.format == "svg" else None

    def _repr_png_(self) -> bytes | None:
        return self.data if self.format == "png" else None

    def save(self, path: str) -> None:
        """Write the drawing to ``path``, whole or not at all."""
        from ..core.files import write_whole

        write_whole(path, self.data, "save")


def draw(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    format: str = "svg",
    style: str | None = None,
    digits: int | None = 6,
    dpi: int = DEFAULT_DPI,
    output: str | None = None,
    backward: bool = False,
) -> Drawing:
    """Draw ``program``'s graph; with ``values``, every wire (or node) shows its value and
    gradient. ``style``: circuit (the default with values) or boxes (without).
    ``backward``: draw the program and the graph of its gradient together
    (:mod:`cgcli.passes.gradient_graph`), as boxes, each with its value when values are given."""
    from ..api.evaluate import evaluate
    from ..core.parser import parse_program
    from . import graph as render

    arguments.choice(format, "format", FORMATS)
    arguments.optional(arguments.choice, style, "style", STYLES)
    digits = arguments.digits(digits)
    dpi = arguments.whole_number(dpi, "--dpi", minimum=MIN_DPI, maximum=MAX_DPI)
    backward = arguments.flag(backward, "backward")
    graph = parse_program(program)
    notes, warnings = None, ()
    if output is not None:
        graph = graph.with_output_name(output)
    if backward:
        return _draw_backward(graph, values, format, style, digits, dpi)
    if values:
        result = evaluate(graph, values, check=False)
        graph, warnings = result.graph, tuple(result.warnings)
        notes = render.Annotations(
            [r.value for r in result.nodes], [r.grad for r in result.nodes], result.output, digits
        )
    style = style or ("circuit" if notes else "boxes")
    if format == "ascii":
        return Drawing(format, "tree", render.to_ascii(graph, notes).encode(), warnings)
    if format == "mermaid":
        return Drawing(format, style, render.to_mermaid(graph, notes, style).encode(), warnings)
    return _drawn_with(graph, notes, format, style, dpi, warnings)


def _drawn_with(graph: Graph, notes, format: str, style: str, dpi: int, warnings) -> Drawing:
    """DOT, or SVG and PNG through Graphviz."""
    from . import graph as render

    source = render.to_dot(graph, notes, style)
    if format == "dot":
        return Drawing(format, style, source.encode(), warnings)
    from .graphviz import refuse_large, run_dot

    needed_by, instead = f"--format {format}", "; use --format dot or mermaid"
    refuse_large(graph, needed_by, instead)
    data = run_dot(source, format, needed_by, dpi if format == "png" else None, instead)
    return Drawing(format, style, data, warnings)


def _draw_backward(graph: Graph, values, format: str, style, digits, dpi: int) -> Drawing:
    """The program and its gradient graph in one drawing; ASCII: one tree per input's
    gradient."""
    from ..api.evaluate import evaluate
    from ..passes.gradient_graph import evaluate as evaluate_gradient
    from ..passes.gradient_graph import gradient_graph
    from . import graph as render

    if style == "circuit":
        raise UsageError("--backward draws boxes: the gradient graph's wires carry no gradient")
    warnings: tuple[str, ...] = ()
    point = None
    if values:
        result = evaluate(graph, values, check=False)
        graph, warnings = result.graph, tuple(result.warnings)
        point = {n.name: result.nodes[n.index].value for n in graph.inputs}
    else:
        graph = graph.bind_constants(())
    grads = gradient_graph(graph)
    whole = grads.graph
    notes = None
    if point is not None:
        found = evaluate_gradient(grads, point)
        notes = render.Annotations(found, [None] * len(found), "", digits)
    if format == "ascii":
        roots = [i for i in grads.gradient.values() if i is not None]
        trees = [render.to_ascii(whole, notes, root) for root in roots]
        return Drawing(format, "tree", "\n".join(trees).encode(), warnings)
    if format == "mermaid":
        return Drawing(format, "boxes", render.to_mermaid(whole, notes, "boxes").encode(), warnings)
    return _drawn_with(whole, notes, format, "boxes", dpi, warnings)
