"""The node table: rich on a terminal, plain aligned text when piped."""

from __future__ import annotations

import unicodedata
from collections import namedtuple

from ..core.untrusted import visible
from ..core.verdicts import (
    AT_KINK,
    CONVENTION,
    MISMATCH,
    UNCHECKED,
    mark,
)
from ..core.verdicts import check_line as verdict_check_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..api.evaluation import Evaluation


class Column(namedtuple("Column", "title numeric", defaults=(False,))):
    """A column of a table: its ``title``, and whether it holds numbers (``numeric``:
    they are aligned to the right)."""

    __slots__ = ()


NODE_COLUMNS = (Column("node"), Column("op"), Column("inputs"), Column("text"))
"""The first columns of every node table: what a node is, before its numbers."""


def node_cells(graph, labels: list[str], node) -> list[str]:
    """A node's first cells: its label, its op, its inputs' labels and its source text."""
    inputs = ", ".join(labels[i] for i in node.inputs)
    return [labels[node.index], node.op, inputs, graph.text(node)]


def node_table(
    result: Evaluation, digits: int | None, compact: bool = False
) -> tuple[list[Column], list[list[str]]]:
    """Columns and rows of the node table, one row per node in forward order.

    Unnamed constants get no row: they are written where they are used (``b + 1``).
    A program over arrays gets a shape column; ``compact`` shortens big arrays with …
    (a terminal's table), otherwise they are shown whole.
    """
    out = result.output
    shapes = result.shapes
    columns = [
        *NODE_COLUMNS,
        *([Column("shape")] if shapes is not None else []),
        Column("value", numeric=True),
        Column(f"∂{out}/∂node", numeric=True),
        Column("check"),
    ]
    limit = COMPACT_ENTRIES if compact else None
    labels = [r.label for r in result.nodes]
    shown_shapes = _shown_shapes(shapes)
    rows = [
        [
            *node_cells(result.graph, labels, r.node),
            *([shown_shapes[r.node.index]] if shown_shapes is not None else []),
            result.shown_value(r.node.index, digits, limit),
            result.shown_grad(r.node.index, digits, limit),
            mark(verdict),
        ]
        for r, verdict in zip(result.nodes, result.check.of_nodes(result.graph.output), strict=True)
        if not result.graph.inline(r.node)
    ]
    return columns, rows


def _shown_shapes(shapes: tuple[tuple[int, ...], ...] | None) -> list[str] | None:
    """Each node's shape as the tables write it (``3×2``); None in a scalar program."""
    if shapes is None:
        return None
    from ..core.array_ops import shown_shape

    return [shown_shape(shape) for shape in shapes]


COMPACT_ENTRIES = 12
"""On a terminal, an array of more entries shows its first and last rows and columns."""

DETAIL_LIMIT = 10
"""Reason lines shown under the check line; a count follows for the rest."""


def summary_lines(
    result: Evaluation, digits: int | None, wrt: list[str], compact: bool = False
) -> list[str]:
    """The output value, the gradient per input (those in ``wrt``), the check's method and
    guarantee, and the reason for every mismatch."""
    out = result.output
    check = result.check
    chosen = set(wrt)
    limit = COMPACT_ENTRIES if compact else None
    value = result.shown_value(result.graph.output, digits, limit)
    lines = [f"{out} = {value}  {mark(check.value)}".rstrip()]
    truncated = truncation_line(result)
    if truncated:
        lines.append(truncated)
    for node in result.graph.inputs:
        if node.name not in chosen:
            continue
        verdict = check.grads[node.index]
        grad = result.shown_grad(node.index, digits, limit)
        lines.append(f"∂{out}/∂{result.graph.label(node)} = {grad}  {mark(verdict)}")
    lines.append(check_line(result))
    lines.extend(detail_lines(result))
    return lines


def truncation_line(result: Evaluation) -> str | None:
    """What ``--truncate K`` did, said plainly; None without truncation."""
    k = result.truncate
    if k is None:
        return None
    steps = "step" if k == 1 else "steps"
    return (
        f"truncated BPTT: gradients stop {k} {steps} back through the loop's state; these "
        f"are truncated gradients, not the true gradient of {result.output}"
    )


def check_line(result: Evaluation) -> str:
    """Which method checked, whether all agree, and with which tolerance."""
    return verdict_check_line(result.check, result.graph)


def detail_lines(result: Evaluation) -> list[str]:
    """One line per mismatch (what disagreed and by how much), per gradient with an
    unusual convention, and per input gradient left unchecked, with the reason."""
    out = result.output
    check = result.check
    graph = result.graph
    details = []
    if check.value.status == MISMATCH:
        details.append(f"✗ {out}: {check.value.reason}")
    for node, verdict in zip(graph.nodes, check.values or [None] * len(graph.nodes), strict=True):
        if verdict is not None and verdict.status == MISMATCH:
            details.append(f"✗ {graph.label(node)}: {verdict.reason}")
    for node, verdict in zip(graph.nodes, check.grads, strict=True):
        if verdict is None or verdict.reason is None:
            continue
        name = f"∂{out}/∂{graph.label(node)}"
        if verdict.status == MISMATCH:
            details.append(f"✗ {name}: {verdict.reason}")
        elif verdict.status == CONVENTION and verdict.reason != AT_KINK:
            details.append(f"convention {name}: {verdict.reason}")
        elif verdict.status == UNCHECKED:
            details.append(f"unchecked {name}: {verdict.reason}")
    if len(details) > DETAIL_LIMIT:
        more = len(details) - DETAIL_LIMIT
        details = [*details[:DETAIL_LIMIT], f"... and {more} more (all in --format json)"]
    return details


def plain(columns: list[Column], rows: list[list[str]]) -> str:
    """An aligned text table: text columns to the left, numbers to the right; every cell
    shown with its control characters made visible (a name from a file stays on its row)."""
    rows = [[visible(cell) for cell in row] for row in rows]
    titles = [visible(c.title) for c in columns]
    widths = [max(_width(t), *(_width(row[i]) for row in rows)) for i, t in enumerate(titles)]

    def line(cells: list[str]) -> str:
        padded = []
        for cell, w, col in zip(cells, widths, columns, strict=True):
            space = " " * (w - _width(cell))
            padded.append(space + cell if col.numeric else cell + space)
        return "  ".join(padded).rstrip()

    return "\n".join([line(titles), *(line(r) for r in rows)])


def _width(text: str) -> int:
    """The columns ``text`` takes on a terminal: a combining mark (the tilde of forward
    mode's ṽ) none, a wide character (East Asian width W or F: 損, ｘ) two, others one."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )


def render_plain(result: Evaluation, digits: int | None, wrt: list[str]) -> str:
    columns, rows = node_table(result, digits, compact=True)
    summary = summary_lines(result, digits, wrt, compact=True)
    return plain(columns, rows) + "\n\n" + "\n".join(summary) + "\n"


def print_rich(result: Evaluation, digits: int | None, wrt: list[str], console) -> None:
    """The same table and summary through rich, for a terminal."""
    from rich.text import Text

    columns, rows = node_table(result, digits, compact=True)
    console.print(rich_table(columns, rows, program_title("cg", result.graph.source)))
    for line in summary_lines(result, digits, wrt, compact=True):
        style = "bold red" if "✗" in line or "MISMATCH" in line else None
        console.print(Text(visible(line), style=style))


def program_title(command: str, source: str) -> str | None:
    """``cg: (x+y)*z`` above a rich table: the program, when it is one short line (control
    characters made visible)."""
    source = source.strip()
    return f"{command}: {visible(source)}" if "\n" not in source and len(source) <= 60 else None


MARK_STYLES = {"✓": "green", "✗": "bold red", "convention": "yellow"}
"""The colour of a verdict, by the mark it starts with (the rest is dim)."""


def rich_table(columns: list[Column], rows: list[list[str]], title: str | None = None):
    """A rich table of ``rows`` (its text never read as rich markup, control characters
    made visible); the last column holds verdicts, coloured by their mark."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, title_justify="left")
    for column in columns:
        table.add_column(column.title, justify="right" if column.numeric else "left")
    for row in rows:
        cells = [Text(visible(cell)) for cell in row]
        mark = next((m for m in MARK_STYLES if row[-1].startswith(m)), None)
        cells[-1].stylize(MARK_STYLES[mark] if mark else "dim")
        table.add_row(*cells)
    return table
