"""One point's results as CSV, TSV, Markdown, LaTeX, JSON, or the gradient alone."""

from __future__ import annotations

import io

from ..core.ir import INPUT
from ..core.numbers import format_number, json_number, machine_number
from ..core.verdicts import MARKS
from ..core.verdicts import NOT_SHOWN as NONE
from .table import mark, node_table, truncation_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..api.evaluation import Evaluation

MACHINE_COLUMNS = ["node", "op", "inputs", "text", "value", "grad", "check"]


def render_delimited(result: Evaluation, delimiter: str) -> str:
    """One row per node at full precision, with a header row; check is ok/mismatch/..."""
    statuses = [
        verdict.status if verdict else "" for verdict in result.check.of_nodes(result.graph.output)
    ]
    grads = [r.grad for r in result.nodes]
    return delimited_nodes(result.graph, result.nodes, "grad", grads, statuses, delimiter)


def delimited_nodes(
    graph, records, column: str, numbers: list, statuses: list[str], delimiter: str
) -> str:
    """CSV or TSV of every node: node, op, inputs, text, value, then ``column`` (the
    ``numbers``, blank for None) and check (the ``statuses``), floats at full precision as
    ``--points`` writes them (:func:`~cgcli.core.numbers.machine_number`), the inputs as
    the tables list them (``x, y``)."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow([*MACHINE_COLUMNS[:5], column, "check"])
    labels = [r.label for r in records]
    for r, number, status in zip(records, numbers, statuses, strict=True):
        writer.writerow(
            [
                r.label,
                r.node.op,
                ", ".join(labels[i] for i in r.node.inputs),
                graph.text(r.node),
                machine_number(r.value),
                "" if number is None else machine_number(number),
                status,
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
    truncated = truncation_line(result)
    if truncated:
        out += ["", truncated]
    return "\n".join(out) + "\n"


LATEX_MARKS = {MARKS["ok"]: r"\checkmark", MARKS["mismatch"]: r"$\times$"}


def render_latex(result: Evaluation, digits: int | None, wrt: list[str]) -> str:
    """The node table and the gradient table as LaTeX longtables (they break across pages).

    One row per node: its label, what it computes, its value, its gradient and the check;
    a small font keeps the table within an article page.
    """
    from ..core.notation import LATEX, LATEX_PREAMBLE, formula, label_pieces, latex_name

    graph = result.graph
    pieces = label_pieces(graph, LATEX)
    out = latex_name(result.output)
    lines = [
        f"% cg eval: needs {LATEX_PREAMBLE}",
        r"{\small\setlength{\tabcolsep}{4pt}",
        r"\begin{longtable}{llrrl}",
        r"\hline",
        rf"node & computes & value & $\partial {out}/\partial\,\mathrm{{node}}$ & check \\",
        r"\hline",
        r"\endhead",
    ]
    for r, verdict in zip(result.nodes, result.check.of_nodes(result.graph.output), strict=True):
        node = r.node
        if graph.inline(node):
            continue
        if node.op == INPUT:
            computes = "input"
        elif not node.inputs:
            computes = "constant"
        else:
            computes = f"${formula(graph, node, pieces, LATEX).text}$"
        cells = [
            f"${pieces[node.index].text}$",
            computes,
            _latex_value(result, node.index, digits, grad=False),
            _latex_value(result, node.index, digits, grad=True),
            _latex_mark(verdict),
        ]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\hline", r"\end{longtable}", ""]
    lines += [r"\begin{longtable}{lrl}", r"\hline", r"& value & check \\", r"\hline", r"\endhead"]
    value = _latex_value(result, graph.output, digits, grad=False)
    lines.append(rf"${out}$ & {value} & {_latex_mark(result.check.value)} \\")
    for node in _wrt_nodes(result, wrt):
        grad = _latex_value(result, node.index, digits, grad=True)
        verdict = _latex_mark(result.check.grads[node.index])
        partial = rf"$\partial {out}/\partial {latex_name(graph.label(node))}$"
        lines.append(rf"{partial} & {grad} & {verdict} \\")
    lines += [r"\hline", r"\end{longtable}}"]
    return "\n".join(lines) + "\n"


def _latex_mark(verdict) -> str:
    from ..core.notation import latex_text

    shown = mark(verdict)
    return LATEX_MARKS.get(shown, latex_text(shown))


LATEX_ENTRIES = 12
"""A matrix of more entries shows its first and last two rows and columns, with dots."""


def latex_matrix(array, digits: int | None) -> str:
    """An array as a small bracketed matrix (amsmath's smallmatrix, so that a table of
    them fits a page); a vector is a column, as in the formulas."""
    from ..core.notation import latex_number

    rows = array.reshape(-1, 1) if array.ndim == 1 else array.reshape(array.shape[0], -1)
    big = array.size > LATEX_ENTRIES

    def cut(items: list, dots: str) -> list:
        return [*items[:2], dots, *items[-2:]] if big and len(items) > 4 else items

    def cell(x) -> str:
        return latex_number(format_number(float(x), digits))

    lines = []
    for row in cut(list(rows), None):
        if row is None:
            dots = [r"\vdots"] * len(cut(list(rows[0]), r"\cdots"))
            if len(rows[0]) > 4:  # the columns were cut too: the diagonal dots between
                dots[2] = r"\ddots"
            lines.append(" & ".join(dots))
        else:
            lines.append(" & ".join(cut([cell(x) for x in row], r"\cdots")))
    body = r" \\ ".join(lines)
    return r"\left[\begin{smallmatrix}" + body + r"\end{smallmatrix}\right]"


def _latex_value(result: Evaluation, index: int, digits: int | None, grad: bool) -> str:
    """A value or gradient in math mode; exact ones through SymPy's LaTeX."""
    from ..core.notation import latex_number

    if result.shapes is not None and result.shapes[index]:
        array = result.nodes.grads[index] if grad else result.nodes.values[index]
        return "--" if array is None else f"${latex_matrix(array, digits)}$"
    shown = result.shown_grad(index, digits) if grad else result.shown_value(index, digits)
    if shown == NONE:
        return "--"
    if result.exact is None:
        return f"${latex_number(shown)}$"
    from ..core.notation import exact_latex

    expr = (result.exact.grads if grad else result.exact.values)[index]
    approx = shown.split(" ≈ ")[1] if " ≈ " in shown else None
    return f"${exact_latex(result.exact.form(expr).latex, approx)}$"


def render_grad(result: Evaluation, wrt: list[str], output_format: str) -> str:
    """Only the gradient: ``name value`` lines, or the gradient object in JSON."""
    if output_format == "json":
        import json

        doc = {name: json_number(result.gradient[name]) for name in wrt}
        return json.dumps(doc, ensure_ascii=False, allow_nan=False) + "\n"
    return "".join(f"{name} {format_number(result.gradient[name])}\n" for name in wrt)


def _wrt_nodes(result: Evaluation, wrt: list[str]):
    chosen = set(wrt)
    return [n for n in result.graph.inputs if n.name in chosen]


def render_point(
    result: Evaluation, output_format: str, digits: int | None, wrt: list[str], grad_only: bool
) -> str:
    """One point in a text format: the gradient alone (``--grad``), CSV or TSV, Markdown,
    LaTeX, or the plain table (the rich table and the streamed JSON are written apart)."""
    if grad_only:
        return render_grad(result, wrt, output_format)
    if output_format in ("csv", "tsv"):
        return render_delimited(result, "," if output_format == "csv" else "\t")
    if output_format == "markdown":
        return render_markdown(result, digits, wrt)
    if output_format == "latex":
        return render_latex(result, digits, wrt)
    from .table import render_plain

    return render_plain(result, digits, wrt)
