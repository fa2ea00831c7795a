"""The interactive page: step through the forward pass, then backpropagation, node by node.

One self-contained HTML file (no network, no server): the annotated drawing laid
out by Graphviz, the node table and the worked steps of ``cg explain``. The
numbers are computed here and put in the page as JSON; the page's script
(``page.js`` beside this file) only reveals them, one step at a time.

Imports from :mod:`cgcli.render` and every floor below it; only the CLI stands above.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from ..core.ir import INPUT
from ..core.numbers import json_number
from ..core.version import __version__

if TYPE_CHECKING:
    from ..api.evaluation import Evaluation
    from ..grading.report import ClassGrade

COMPACT_ENTRIES = 12
"""An array of more entries is shown with … (its first and last two rows and columns);
the page's data keeps every entry (``fullValue``, ``fullGrad``)."""
NEEDED_BY = "the page"
"""How the page is named in the error raised when Graphviz is missing."""


def page_data(result: Evaluation, digits: int | None = 6) -> dict:
    """The numbers and steps the page shows, as JSON-ready data.

    ``nodes``: one per node in forward order, with its value and gradient as shown
    and at full precision. ``steps``: the forward pass (each node's value, in
    order), then the backward pass (each node's gradient, in the order
    ``cg explain`` computes them), each with the lines of ``cg explain`` for it and
    its step in time ``t``. ``time``: a loop's steps in time (see :func:`_time`).
    A node without a forward step (a constant) is known from the start; a node
    without a backward step has no gradient.
    """
    from ..render.graph import GRAD_COLOUR, VALUE_COLOUR, node_caption
    from ..render.table import check_line, mark

    graph, out = result.graph, result.output
    compact = None if result.shapes is None else COMPACT_ENTRIES
    nodes = []
    for r, verdict in zip(result.nodes, result.check.grads, strict=True):
        if graph.inline(r.node):
            continue  # a constant written inline where it is used: no row, no step
        nodes.append(
            {
                "id": r.node.id,
                "label": r.label,
                "caption": node_caption(graph, r.node),
                "value": result.shown_value(r.node.index, digits, compact),
                "grad": result.shown_grad(r.node.index, digits, compact),
                "check": mark(verdict),
                "fullValue": json_number(r.value),
                "fullGrad": json_number(r.grad),
            }
        )
    steps = _steps(result, digits)
    time = _time(result, steps)
    return {
        "output": out,
        "colours": {"value": VALUE_COLOUR.lower(), "grad": GRAD_COLOUR.lower()},
        "nodes": nodes,
        "steps": steps,
        "time": time,
        "check": check_line(result),
    }


def _time(result: Evaluation, steps: list[dict]) -> list[dict]:
    """The loop's steps in time (empty without a loop): per step its title (``t = 2``) and
    the named nodes it computes or reads (``x[2]``, ``h[2]``). Each step of the passes gets
    ``t``: the index of its node's step in time, -1 outside the loops, or None for an input
    no single step owns (a shared weight) and for every input's gradient (the backward
    pass reaches the inputs last): such a step belongs to the steps around it."""
    from ..render.graph import step_columns, step_titles

    graph = result.graph
    if not graph.loops:
        for step in steps:
            step["t"] = None
        return []
    column = step_columns(graph)
    where = {node.id: node for node in graph.nodes}
    for step in steps:
        node = where[step["node"]]
        loose = node.op == INPUT and (column[node.index] < 0 or step["pass"] == "backward")
        step["t"] = None if loose else column[node.index]
    time = [{"title": title, "nodes": []} for title in step_titles(graph)]
    for node in graph.nodes:
        if column[node.index] >= 0 and node.name is not None and not graph.inline(node):
            time[column[node.index]]["nodes"].append(node.id)
    return time


def _steps(result: Evaluation, digits: int | None) -> list[dict]:
    """Forward steps in node order, then backward steps in the order of ``cg explain``."""
    from ..render.graph import node_caption
    from ..teach.explanation import ChainStep, float_numbers, solve, step_lines

    if result.shapes is not None:  # a program over arrays: the matrix rules, with shapes
        from ..teach.array_explanation import array_steps

        return [
            {"pass": phase, "node": result.graph.nodes[index].id, "lines": lines}
            for phase, index, lines in array_steps(result, digits)
        ]

    graph, out = result.graph, result.output
    values = [r.value for r in result.nodes]
    grads = [r.grad for r in result.nodes]
    lines: dict[tuple[str, int], list[str]] = {}
    backward_order: list[int] = []
    solution = solve(graph, float_numbers(graph, values, grads, digits))
    for phase, node, text in step_lines(solution):
        lines.setdefault((phase, node.index), []).append(text)
        has_grad = grads[node.index] is not None  # a program without inputs has none
        if phase == "backward" and has_grad and node.index not in backward_order:
            backward_order.append(node.index)
    steps = []
    for r in result.nodes:
        node = r.node
        if graph.inline(node) or (node.op != INPUT and not node.inputs):
            continue  # a constant: its value is known before the pass starts
        text = lines.get(("forward", node.index))
        if text is None:
            value = result.shown_value(node.index, digits)
            if node.op == INPUT:
                text = [f"{r.label} = {value} (given)"]
            else:
                text = [f"{node_caption(graph, node)} = {value} ({out} does not use it)"]
        steps.append({"pass": "forward", "node": node.id, "lines": text})
    chained = {step.node.index for step in solution.backward if isinstance(step, ChainStep)}
    for index in backward_order:
        node = graph.nodes[index]
        text = lines[("backward", index)]
        if index != graph.output and index not in chained:  # its gradient is a local one
            text = [f"∂{out}/∂{graph.label(node)} = {result.shown_grad(index, digits)}", *text]
        steps.append({"pass": "backward", "node": node.id, "lines": text})
    for r in reversed(result.nodes):  # gradients the backward pass never reaches: 0
        if r.grad is not None and r.node.index not in backward_order:
            grad = result.shown_grad(r.node.index, digits)
            text = f"∂{out}/∂{r.label} = {grad} ({out} does not use {r.label})"
            steps.append({"pass": "backward", "node": r.node.id, "lines": [text]})
    return steps


def build_page(
    result: Evaluation, *, digits: int | None = 6, class_grades: ClassGrade | None = None
) -> str:
    """The interactive page of an evaluation, as one self-contained HTML document; with
    ``class_grades``, its drawing shades each gate by the share of the class whose first
    mistake was made there.

    Raises :class:`cgcli.core.errors.UsageError` when Graphviz is not installed: the
    drawing's layout comes from its ``dot`` program.
    """
    from ..render.graphviz import annotated_svg

    marks, shaded = None, ""
    if class_grades is not None:
        from ..grading.gates import first_mistakes
        from ..render.course import class_marks

        marks = class_marks(result, first_mistakes(class_grades.sheets))
        shaded = (
            f"; shaded: where the {len(class_grades.sheets)} students graded made their "
            "first mistake"
        )
    svg = annotated_svg(result, digits, NEEDED_BY, marks)
    data = page_data(result, digits)
    source = result.graph.source.strip()
    compact = None if result.shapes is None else COMPACT_ENTRIES
    given = ", ".join(
        f"{n.name} = {result.shown_value(n.index, digits, compact)}" for n in result.graph.inputs
    )
    fills = {
        "title": html.escape(f"cg page: {_one_line(source)}"),
        "program": html.escape(source),
        "inputs": html.escape((f"at {given}" if given else "no inputs") + shaded),
        "style": _asset("page.css"),
        "svg": svg,
        "data": _json_for_script(data),
        "script": _asset("page.js"),
        "version": __version__,
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: fills[m.group(1)], _asset("page.html"))


def _asset(name: str) -> str:
    """A file of the page's template, shipped beside this module."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _json_for_script(data: dict) -> str:
    """JSON safe inside ``<script>``: no ``</script>`` or ``<!--`` can end or bend the element."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")


def _one_line(source: str, limit: int = 60) -> str:
    text = " ".join(source.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Page:
    """The interactive page, shown inline when it is the result of a notebook cell."""

    html: str
    """The whole page: save it to a .html file to open it in a browser."""
    height: int = 720
    """The height of the frame in the notebook, in pixels."""

    def _repr_html_(self) -> str:
        """An iframe with the page as its ``srcdoc``, so its script runs apart from the notebook."""
        page = html.escape(self.html, quote=True)
        return (
            f'<iframe srcdoc="{page}" sandbox="allow-scripts" title="cg page" '
            f'style="width:100%;height:{self.height}px;border:0"></iframe>'
        )

    def __repr__(self) -> str:
        return f"<cg page: {len(self.html):,} characters of HTML>"
