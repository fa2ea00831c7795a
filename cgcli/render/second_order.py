"""Forward mode's node table and the Hessian matrix, in every output format."""

from __future__ import annotations

import csv
import io
import json

from ..api.forward_mode import DIRECTION, ForwardEvaluation
from ..api.hessian import Hessian
from ..core.numbers import format_number, machine_number
from ..core.verdicts import ABSOLUTE, RELATIVE, agreed, conventions_followed
from .formats import delimited_nodes
from .table import NODE_COLUMNS, Column, mark, node_cells, plain

TOLERANCE = f"tolerance relative {RELATIVE:g} + absolute {ABSOLUTE:g}"
PRECISE_TOLERANCE = f"{TOLERANCE}, beyond each quotient's own error bound"


# --- forward mode -----------------------------------------------------------------------


def forward_table(result: ForwardEvaluation, digits: int | None):
    """Columns and rows: each node's value and tangent ∂node/∂ṽ (constants inline)."""
    columns = [
        *NODE_COLUMNS,
        Column("value", numeric=True),
        Column(f"∂node/∂{result.along}", numeric=True),
        Column("check"),
    ]
    labels = [r.label for r in result.nodes]
    rows = [
        [
            *node_cells(result.graph, labels, r.node),
            format_number(r.value, digits),
            format_number(r.tangent, digits),
            mark(r.check),
        ]
        for r in result.nodes
        if not result.graph.inline(r.node)
    ]
    return columns, rows


def forward_summary(result: ForwardEvaluation, digits: int | None) -> list[str]:
    """The value, the direction, the output's tangent, the check and the cost."""
    out = result.output
    lines = [f"{out} = {format_number(result.value, digits)}  {mark(result.value_check)}".rstrip()]
    if result.along == DIRECTION:
        moves = ", ".join(f"{k} = {format_number(v, digits)}" for k, v in result.direction.items())
        lines.append(f"direction {DIRECTION}: {moves}")
    tangent_check = result.nodes[result.graph.output].check
    derivative = format_number(result.derivative, digits)
    lines.append(f"∂{out}/∂{result.along} = {derivative}  {mark(tangent_check)}".rstrip())
    verdict = agreed(result.ok, result.verdicts)
    if result.method == "sympy":
        extra = conventions_followed(result.verdicts, "tangent", "tangents")
        lines.append(f"check: sympy, every tangent: {verdict} ({TOLERANCE}){extra}")
    elif result.method == "high-precision":
        checked = [v for v in (result.value_check, tangent_check) if v and v.status != "unchecked"]
        lines.append(
            f"check: {result.note}: {len(checked)} of 2 checked (the value and ∂{out}/∂"
            f"{result.along}; not the other nodes), {verdict} ({PRECISE_TOLERANCE})"
        )
    else:
        lines.append(f"check: {result.note}")
    lines.append(result.cost)
    return lines


def render_forward(result: ForwardEvaluation, output_format: str, digits: int | None) -> str:
    """``cg eval --mode forward`` in ``output_format``."""
    if output_format == "json":
        return json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n"
    if output_format in ("csv", "tsv"):
        tangents = [r.tangent for r in result.nodes]
        statuses = [r.check.status if r.check else "" for r in result.nodes]
        delimiter = "," if output_format == "csv" else "\t"
        return delimited_nodes(result.graph, result.nodes, "tangent", tangents, statuses, delimiter)
    columns, rows = forward_table(result, digits)
    summary = forward_summary(result, digits)
    if output_format == "markdown":
        return _markdown(columns, rows) + "\n\n" + "\n\n".join(summary) + "\n"
    if output_format == "latex":
        table = _latex("cg eval --mode forward", columns, rows)
        return table + "\n" + "\n".join(rf"% {s}" for s in summary) + "\n"
    return plain(columns, rows) + "\n\n" + "\n".join(summary) + "\n"


# --- the Hessian ---------------------------------------------------------------------------


def hessian_table(result: Hessian, digits: int | None):
    """One row per input: ∂²f/∂row∂column, with the check's mark when an entry is not ✓."""
    out = result.output
    columns = [Column(f"∂²{out}"), *(Column(f"∂{n}", numeric=True) for n in result.inputs)]
    rows = []
    for i, name in enumerate(result.inputs):
        cells = [f"∂{name}"]
        for j in range(len(result.inputs)):
            verdict = result.verdicts[i][j] if result.verdicts else None
            flag = "" if verdict is None or verdict.status == "ok" else f" {mark(verdict)}"
            cells.append(format_number(result.matrix[i][j], digits) + flag)
        rows.append(cells)
    return columns, rows


def hessian_summary(result: Hessian, digits: int | None) -> list[str]:
    """The value, the gradient, H·ṽ when asked, the check and the method that ran."""
    out = result.output
    lines = [f"{out} = {format_number(result.value, digits)}"]
    gradient = ", ".join(
        f"∂{out}/∂{n} = {format_number(g, digits)}"
        for n, g in zip(result.inputs, result.gradient, strict=True)
    )
    lines.append(f"gradient: {gradient}")
    if result.hvp is not None and result.direction is not None:
        moves = ", ".join(f"{k} = {format_number(v, digits)}" for k, v in result.direction.items())
        lines.append(f"direction {DIRECTION}: {moves}")
        for k, (name, x) in enumerate(zip(result.inputs, result.hvp, strict=True)):
            checked = result.hvp_verdicts[k] if result.hvp_verdicts else None
            lines.append(
                f"(H·{DIRECTION})_{name} = {format_number(x, digits)}  {mark(checked)}".rstrip()
            )
    lines.append("method: forward mode over the gradient graph (one pass per input)")
    verdict = agreed(result.ok, result.every_verdict)
    if result.method == "sympy":
        entries = (v for row in result.verdicts for v in row)
        extra = conventions_followed(entries, "entry", "entries")
        lines.append(f"check: sympy's hessian at the exact inputs, {verdict} ({TOLERANCE}){extra}")
    elif result.method == "high-precision":
        entries = [v for row in result.verdicts for v in row if v is not None]
        checked = sum(1 for v in entries if v.status != "unchecked")
        lines.append(
            f"check: {result.note}: {checked} of {len(entries)} entries checked "
            f"(--format json says why not), {verdict} ({PRECISE_TOLERANCE})"
            if checked < len(entries)
            else f"check: {result.note}: {verdict} ({PRECISE_TOLERANCE})"
        )
    else:
        lines.append(f"check: {result.note}")
    return lines


def render_hessian(result: Hessian, output_format: str, digits: int | None) -> str:
    """``cg hessian`` in ``output_format``."""
    if output_format == "json":
        return json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n"
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["", *result.inputs])
        for name, row in zip(result.inputs, result.matrix, strict=True):
            writer.writerow([name, *(machine_number(x) for x in row)])
        return buffer.getvalue()
    summary = hessian_summary(result, digits)
    if output_format == "latex":
        from ..core.notation import latex_name, latex_number

        body = r" \\ ".join(
            " & ".join(latex_number(format_number(x, digits)) for x in row) for row in result.matrix
        )
        names = ", ".join(latex_name(n) for n in result.inputs)
        return (
            r"% cg hessian: needs \usepackage{amsmath}" + "\n"
            f"% Hessian of {result.output} with respect to ({names})\n"
            rf"\[ \begin{{pmatrix}} {body} \end{{pmatrix}} \]"
            "\n" + "\n".join(f"% {s}" for s in summary) + "\n"
        )
    columns, rows = hessian_table(result, digits)
    if output_format == "markdown":
        return _markdown(columns, rows) + "\n\n" + "\n\n".join(summary) + "\n"
    return plain(columns, rows) + "\n\n" + "\n".join(summary) + "\n"


# --- shared -----------------------------------------------------------------------------


def _markdown(columns: list[Column], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    out = [line([c.title for c in columns])]
    out.append(line(["---:" if c.numeric else "---" for c in columns]))
    out += [line(row) for row in rows]
    return "\n".join(out)


def _latex(command: str, columns: list[Column], rows: list[list[str]]) -> str:
    """A longtable in a small font, as cg eval's (marks as \\checkmark and \\times)."""
    from ..core.notation import LATEX_PREAMBLE, latex_text
    from .formats import LATEX_MARKS

    def cell(text: str) -> str:
        return LATEX_MARKS.get(text) or latex_text(text)

    kept = [i for i, c in enumerate(columns) if c.title not in ("op", "inputs")]  # fits a page
    columns = [columns[i] for i in kept]
    rows = [[row[i] for i in kept] for row in rows]
    spec = "".join("r" if c.numeric else "l" for c in columns)
    lines = [f"% {command}: needs {LATEX_PREAMBLE}", r"{\small", rf"\begin{{longtable}}{{{spec}}}"]
    lines += [r"\hline", " & ".join(latex_text(c.title) for c in columns) + r" \\", r"\hline"]
    lines += [" & ".join(cell(text) for text in row) + r" \\" for row in rows]
    lines += [r"\hline", r"\end{longtable}", "}"]
    return "\n".join(lines)


# --- the gradient graph -----------------------------------------------------------------


def render_gradient_graph(result, output_format: str, digits: int | None) -> str:
    """``cg eval --grad-graph``: every node of the gradient graph with its value, and for
    each gradient node the reverse pass's number and the check against SymPy."""
    if output_format == "json":
        doc = {
            "mode": "gradient-graph",
            "output": result.reverse.output,
            "nodes": [
                {
                    "id": r.node.id,
                    "label": r.label,
                    "op": r.node.op,
                    "inputs": [f"n{i + 1}" for i in r.node.inputs],
                    "text": result.graph.text(r.node),
                    "value": r.value,
                    "gradient_of": r.adjoint_of,
                    "reverse": r.reverse,
                    "check": None if r.check is None else r.check.status,
                }
                for r in result.nodes
            ],
            "equals_reverse": result.equals_reverse,
            "check": {"method": result.reverse.check.method, "ok": result.ok},
            "warnings": result.warnings,
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    columns = [
        *NODE_COLUMNS,
        Column("value", numeric=True),
        Column("reverse pass", numeric=True),
        Column("check"),
    ]
    labels = [r.label for r in result.nodes]
    rows = [
        [
            *node_cells(result.graph, labels, r.node),
            format_number(r.value, digits),
            "" if r.reverse is None else format_number(r.reverse, digits),
            mark(r.check) if r.reverse is not None else "",
        ]
        for r in result.nodes
        if not result.graph.inline(r.node)
    ]
    if output_format in ("csv", "tsv"):
        reverse = [r.reverse for r in result.nodes]
        statuses = [r.check.status if r.check else "" for r in result.nodes]
        delimiter = "," if output_format == "csv" else "\t"
        return delimited_nodes(result.graph, result.nodes, "reverse", reverse, statuses, delimiter)
    same = "yes" if result.equals_reverse else "NO"
    added = len(result.graph.nodes) - len(result.grads.program.nodes)
    summary = [
        f"gradient graph: {len(result.grads.program.nodes)} program nodes + {added} gradient nodes",
        f"equals the reverse pass: {same} ({TOLERANCE})",
    ]
    check = result.reverse.check
    if check.method == "none":
        summary.append("check: skipped (--no-check)")
    else:
        verdict = agreed(result.ok, [check.value, *check.grads])
        summary.append(f"check: {check.method}, every gradient node: {verdict}")
    if output_format == "markdown":
        return _markdown(columns, rows) + "\n\n" + "\n\n".join(summary) + "\n"
    if output_format == "latex":
        table = _latex("cg eval --grad-graph", columns, rows)
        return table + "\n" + "\n".join(f"% {s}" for s in summary) + "\n"
    return plain(columns, rows) + "\n\n" + "\n".join(summary) + "\n"
