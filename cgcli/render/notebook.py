"""How an evaluation shows in a notebook: a short repr, and an HTML table with the drawing."""

from __future__ import annotations

import html

from ..core.numbers import format_number
from ..core.verdicts import agreement
from .table import node_table, summary_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..api.evaluation import Evaluation

REPR_PARTIALS = 6
"""The repr names at most this many partial derivatives, then says how many more."""


def short_repr(result: Evaluation) -> str:
    """``<Evaluation f = -12; ∂f/∂x = -3, ...; check: sympy, all agree>``: one line."""
    out = result.output
    partials = [f"∂{out}/∂{name} = {format_number(g)}" for name, g in result.gradient.items()]
    if len(partials) > REPR_PARTIALS:
        more = len(partials) - REPR_PARTIALS
        partials = [*partials[:REPR_PARTIALS], f"… {more} more"]
    check = result.check
    verdict = "not checked" if check.method == "none" else f"{check.method}, {agreement(check)}"
    parts = [f"{out} = {format_number(result.value)}", ", ".join(partials), f"check: {verdict}"]
    if result.truncate is not None:  # said plainly: these are not the true gradients
        parts.insert(1, f"truncated BPTT (K = {result.truncate}), not the true gradient")
    return "<Evaluation " + "; ".join(p for p in parts if p) + ">"


def evaluation_html(result: Evaluation, digits: int | None = 6) -> str:
    """The node table, the output's value and gradient, and the drawing (with Graphviz)."""
    from .graphviz import INSTALL_GRAPHVIZ, annotated_svg, graphviz_installed

    columns, rows = node_table(result, digits)

    def cell(tag: str, text: str, numeric: bool) -> str:
        align = ' style="text-align:right"' if numeric else ""
        return f"<{tag}{align}>{html.escape(text)}</{tag}>"

    def row(cells: list[str], tag: str) -> str:
        shown = "".join(cell(tag, text, c.numeric) for text, c in zip(cells, columns, strict=True))
        return f"<tr>{shown}</tr>"

    head = row([c.title for c in columns], "th")
    body = "".join(row(cells, "td") for cells in rows)
    inputs = list(result.graph.input_names)
    summary = "<br>".join(html.escape(line) for line in summary_lines(result, digits, inputs))
    if graphviz_installed():
        drawing = annotated_svg(result, digits, "the drawing")
    else:
        drawing = f"<p><em>The drawing needs Graphviz's dot program. {INSTALL_GRAPHVIZ}.</em></p>"
    return (
        '<div class="cg-evaluation">'
        f"<table><thead>{head}</thead><tbody>{body}</tbody></table>"
        f"<p>{summary}</p>"
        f"<div>{drawing}</div></div>"
    )
