"""One point's results as CSV, TSV, Markdown, LaTeX, JSON, or the gradient alone."""

from __future__ import annotations

import csv
import io
import json

from ..evaluation import Evaluation
from ..numbers import format_number, json_number
from .table import MARKS, NONE, mark, node_table

MACHINE_COLUMNS = ["node", "op", "inputs", "text", "value", "grad", "check"]


def render_delimited(result: Evaluation, delimiter: str) -> str:
    """One row per node at full precision, with a header row; check is ok/mismatch/..."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(MACHINE_COLUMNS)
    labels = [r.label for r in result.nodes]
    for r, verdict in zip(result.nodes, result.check.grads, strict=True):
        writer.writerow(
            [
                r.label,
                r.node.op,
                " ".join(labels[i] for i in r.node.inputs),
                result.graph.text(r.node),
                repr(r.value),
                "" if r.grad is None else repr(r.grad),
                verdict.status if verdict else "",
            ]
        )
    return buffer.getvalue()


def render_markdown(result: Evaluation, digits: int | None, wrt: list[str]) -> str:
    """A Markdown node table and a gradient table, ready to paste (or to blank out)."""
    columns, rows = node_table(result, digits)

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    out = [line([c.title for c in columns])]
    out.append(line(["---:" if c.numeric else "---" for c in columns]))
    for row in rows:
        row = [*row]
        row[3] = f"`{row[3]}`" if row[3] else ""
        out.append(line([cell(c) for c in row]))
    out += ["", line(["gradient", "value", "check"]), line(["---", "---:", "---"])]
    value = result.shown_value(result.graph.output, digits)
    out.append(line([result.output, value, mark(result.check.value)]))
    for node in _wrt_nodes(result, wrt):
        grad = result.shown_grad(node.index, digits)
        verdict = mark(result.check.grads[node.index])
        out.append(line([f"∂{result.output}/∂{result.graph.label(node)}", grad, verdict]))
    return "\n".join(out) + "\n"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_MARKS = {MARKS["ok"]: r"\checkmark", MARKS["mismatch"]: r"$\times$"}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def render_latex(result: Evaluation, digits: int | None, wrt: list[str]) -> str:
    """A LaTeX tabular of the nodes and one of the gradients (needs amssymb for \\checkmark)."""
    columns, rows = node_table(result, digits)
    out_name = latex_escape(result.output)
    titles = [latex_escape(c.title) for c in columns]
    titles[5] = rf"$\partial\,\mathrm{{{out_name}}}/\partial\,\mathrm{{node}}$"
    spec = "".join("r" if c.numeric else "l" for c in columns)
    lines = [rf"\begin{{tabular}}{{{spec}}}", r"\hline", " & ".join(titles) + r" \\", r"\hline"]
    for row in rows:
        cells = [latex_escape(c) for c in row]
        cells[3] = rf"\texttt{{{cells[3]}}}" if cells[3] else ""
        cells[-1] = _LATEX_MARKS.get(row[-1], latex_escape(row[-1]))
        cells[4:6] = [_latex_number(c) for c in row[4:6]]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\hline", r"\end{tabular}", "", r"\begin{tabular}{lrl}", r"\hline"]
    value = _latex_number(result.shown_value(result.graph.output, digits))
    lines.append(rf"$\mathrm{{{out_name}}}$ & {value} & {_latex_mark(result.check.value)} \\")
    for node in _wrt_nodes(result, wrt):
        name = latex_escape(result.graph.label(node))
        grad = _latex_number(result.shown_grad(node.index, digits))
        verdict = _latex_mark(result.check.grads[node.index])
        partial = rf"$\partial\,\mathrm{{{out_name}}}/\partial\,\mathrm{{{name}}}$"
        lines.append(rf"{partial} & {grad} & {verdict} \\")
    lines += [r"\hline", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def _latex_mark(verdict) -> str:
    shown = mark(verdict)
    return _LATEX_MARKS.get(shown, latex_escape(shown))


def _latex_number(text: str) -> str:
    return "" if text in ("", NONE) else "$" + text.replace("≈", r"\approx") + "$"


def render_grad(result: Evaluation, wrt: list[str], output_format: str) -> str:
    """Only the gradient: ``name value`` lines, or the gradient object in JSON."""
    if output_format == "json":
        doc = {name: json_number(result.gradient[name]) for name in wrt}
        return json.dumps(doc, ensure_ascii=False, allow_nan=False) + "\n"
    return "".join(f"{name} {format_number(result.gradient[name])}\n" for name in wrt)


def _wrt_nodes(result: Evaluation, wrt: list[str]):
    chosen = set(wrt)
    return [n for n in result.graph.inputs if n.name in chosen]
