"""Blank answer sheets to hand out (``cg sheet``): the nodes to fill in, with the inputs,
the constants and ∂f/∂f given, in Markdown, CSV, TSV, JSON or LaTeX.

Every sheet reads back with :func:`cgcli.grading.sheets.read_sheet` once filled in:
the table has the columns of ``cg eval``'s, without the check column, and a
``Student:`` line and an ``asks:`` note (what the sheet asks for) outside it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from typing import NamedTuple

from ..api.array_evaluation import evaluate_either
from ..api.evaluation import parse_values
from ..core import arguments
from ..core.array_ops import shown_shape
from ..core.ir import INPUT, Graph, Node
from ..core.notation import LATEX_PREAMBLE
from ..core.numbers import format_array, format_number
from ..core.parser import parse_program
from ..core.untrusted import json_text, markdown_code, spreadsheet_cell, visible
from ..passes.values import InputValue, expand_sequences
from .keys import GRAD, VALUE, Question
from .sheets import ASKS, GIVEN_MARK

SHEET_FORMATS = ("markdown", "csv", "tsv", "json", "latex")
SHEET_EXTENSIONS = {
    ".md": "markdown",
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".tex": "latex",
}
"""The sheet format a file's extension names, for the advice on writing one sheet."""


def redirect_advice(path: str) -> str:
    """How to write one sheet into ``path`` from the shell, in the format its extension
    names (cg check reads a sheet by its content, so a .csv file must hold CSV)."""
    from pathlib import PurePath

    named = SHEET_EXTENSIONS.get(PurePath(path).suffix.lower())
    return f"--format {named} > {path}" if named and named != "markdown" else f"> {path}"


def blank_sheet(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    /,
    *,
    sheet_format: str = "markdown",
    ask: str = "all",
    output: str | None = None,
    digits: int | None = 6,
    student: str = "",
) -> str:
    """The blank sheet for ``program`` at ``values``: ask ``all``, ``values`` or ``gradients``
    (then the values are given, computed ones to ``digits`` significant digits);
    ``student`` fills in the ``Student:`` line (a sheet made for one student)."""
    arguments.choice(sheet_format, "sheet_format", SHEET_FORMATS)
    arguments.choice(ask, "ask", ASKS)
    graph = parse_program(program)
    given = parse_values(values)
    inputs, _ = expand_sequences(graph, given)  # x=[...] on x[1], x[2], ...
    result = evaluate_either(graph, inputs, output=output, check=False)
    rows = _rows(result, ask, digits)
    head = _head(result.graph, inputs, ask, result.shapes is not None)
    head["student"] = student
    writer = {"markdown": _markdown, "json": _json, "latex": _latex}.get(sheet_format)
    if writer is not None:
        return writer(result.graph, head, rows, ask, result.output)
    return _delimited(result.graph, head, rows, ask, "," if sheet_format == "csv" else "\t")


class _Row(NamedTuple):
    """One row of a sheet: a node, and its value and gradient cells ("" to fill in,
    GIVEN_MARK where there is nothing to fill in); the node's shape in a program over
    arrays (None otherwise)."""

    node: Node
    value: str
    grad: str
    shape: str | None = None

    def cells(self, graph: Graph) -> list[str]:
        """node, op, inputs, text, (shape,) value, gradient: the columns of ``cg eval``'s
        tables."""
        inputs = ", ".join(graph.label(graph.nodes[i]) for i in self.node.inputs)
        label, text = graph.label(self.node), graph.text(self.node)
        shape = [] if self.shape is None else [self.shape]
        return [label, self.node.op, inputs, text, *shape, self.value, self.grad]


def _rows(result, ask: str, digits: int | None) -> list[_Row]:
    """The rows ``cg eval`` shows (no constant written inline): given numbers filled in,
    asked ones blank."""
    from .grader import Grader

    graph = result.graph
    if result.shapes is not None:
        from .array_grader import ArrayGrader

        grader: Grader = ArrayGrader(result, {})
    else:
        grader = Grader(result, {})
    rows = []
    for r in result.nodes:
        node = r.node
        if not grader.used[node.index] or graph.inline(node):
            continue
        if grader.is_given(Question(VALUE, node)):
            value = _number(r.value)
        else:
            value = _number(r.value, digits) if ask == "gradients" else ""
        if r.grad is None:
            grad = GIVEN_MARK
        elif grader.is_given(Question(GRAD, node)):
            grad = _number(r.grad)
        else:
            grad = ""
        shape = None if result.shapes is None else shown_shape(result.shapes[node.index])
        rows.append(_Row(node, value, grad, shape))
    return rows


def _number(x, digits: int | None = None) -> str:
    """A number, or an array as a nested list."""
    return format_array(x, digits) if getattr(x, "ndim", 0) else format_number(x, digits)


def one_line(source: str) -> str:
    """The program on one line, as a sheet shows it: its statements joined by ``;`` and
    its comments after them all, behind one ``#`` (a comment runs to the end of its
    line, so a statement joined after one would be lost in it)."""
    code: list[str] = []
    comments: list[str] = []
    for line in source.splitlines():
        statement, _, comment = line.partition("#")
        if statement.strip():
            code.append(statement.strip())
        if comment.strip():
            comments.append(comment.strip())
    text = "; ".join(code)
    return f"{text}  # {'; '.join(comments)}" if comments else text


def program_lines(source: str) -> list[str]:
    """The program as a sheet shows it: on one line (:func:`one_line`), or, when a loop
    has an indented body (which no line can hold with statements after it), its own
    lines, comments and indentation kept."""
    blocks = any(line.partition("#")[0].rstrip().endswith(":") for line in source.splitlines())
    if not blocks:
        return [one_line(source)]
    return [line.rstrip() for line in source.splitlines() if line.strip()]


def _head(
    graph: Graph, inputs: Mapping[str, InputValue], ask: str, arrays: bool = False
) -> dict[str, str]:
    program = "\n".join(program_lines(graph.source))
    point = " ".join(f"{n}={_number(inputs[n].number).replace(' ', '')}" for n in graph.input_names)
    out = graph.output_label()
    task = {
        "all": f"the value of every node (forward pass) and ∂{out}/∂node (backward pass)",
        "values": "the value of every node (forward pass)",
        "gradients": f"∂{out}/∂node for every node (backward pass)",
    }[ask]
    if arrays:
        task += (
            ". Write an array as a nested list of rows, of its node's shape (the shape "
            "column): [[a, b, c], [d, e, f]] for 2 rows of 3"
        )
    return {"program": program, "at": point, "task": f"Fill in {task}."}


def _columns(out: str, ask: str, arrays: bool = False) -> list[str]:
    titles = ["node", "op", "inputs", "text", "value", f"∂{out}/∂node"]
    if arrays:
        titles.insert(4, "shape")
    return titles[: len(titles) - 1] if ask == "values" else titles


def _markdown(graph: Graph, head: dict[str, str], rows: list[_Row], ask: str, out: str) -> str:
    titles = _columns(out, ask, _arrays(rows))
    student = markdown_code(head["student"]) if head["student"] else ""
    lines = [f"<!-- cg sheet; asks: {ask} -->", f"Student: {student}", ""]
    lines += [head["task"], ""]
    if "\n" in head["program"]:  # a loop's indented body: a fenced block keeps the lines
        code = [visible(line) for line in head["program"].splitlines()]
        longest = max((len(run) for run in re.findall(r"`+", "\n".join(code))), default=0)
        fence = "`" * max(3, longest + 1)
        lines += ["Program:", "", fence, *code, fence]
    else:
        lines.append(f"Program: {markdown_code(head['program'])}")
    lines += ["", f"At: {head['at']}", ""]
    lines.append("| " + " | ".join(titles) + " |")
    lines.append("| " + " | ".join("---:" if i >= 4 else "---" for i in range(len(titles))) + " |")
    for row in rows:
        cells = row.cells(graph)[: len(titles)]
        cells[3] = markdown_code(cells[3])
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _delimited(graph: Graph, head: dict[str, str], rows: list[_Row], ask: str, delimiter: str):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    first, *more = head["program"].splitlines()
    for line in (
        f"# cg sheet; asks: {ask}",
        f"# {head['task']}",
        f"# program: {visible(first)}",
        *(f"#          {visible(line)}" for line in more),
        f"# at: {head['at']}",
        f"# student: {visible(head['student'])}",
    ):
        writer.writerow([line])
    titles = ["node", "op", "inputs", "text", "value", "grad"]
    if _arrays(rows):
        titles.insert(4, "shape")
    width = len(titles) - 1 if ask == "values" else len(titles)
    writer.writerow(titles[:width])
    # A spreadsheet opens this sheet: a text cell such as -x is neutralised ('-x).
    writer.writerows([spreadsheet_cell(c) for c in row.cells(graph)[:width]] for row in rows)
    return buffer.getvalue()


def _json(graph: Graph, head: dict[str, str], rows: list[_Row], ask: str, out: str) -> str:
    def number(text: str):
        if text == "":
            return None
        if text.startswith("["):
            return json.loads(text)
        value = float(text)
        return int(value) if value.is_integer() and abs(value) < 1e15 else value

    nodes = []
    for row in rows:
        node = row.node
        entry = {"label": graph.label(node), "op": node.op}
        entry["inputs"] = [graph.label(graph.nodes[i]) for i in node.inputs]
        entry["text"] = graph.text(node)
        if row.shape is not None:
            entry["shape"] = row.shape
        entry["value"] = number(row.value)
        if ask != "values" and row.grad != GIVEN_MARK:
            entry["grad"] = number(row.grad)
        nodes.append(entry)
    doc = {
        "sheet": "cg",
        "asks": ask,
        "task": head["task"],
        "program": "\n".join(visible(line) for line in head["program"].splitlines()),
        "at": head["at"],
        "output": out,
        "student": head["student"],
        "nodes": nodes,
    }
    return json_text(doc) + "\n"


def _latex_program(program: str) -> str:
    """``Program: ...`` on one line, or its lines one paragraph each, indented as written."""
    from ..core.notation import breakable_text

    if "\n" not in program:
        return rf"Program: {breakable_text(program)}"
    lines = [r"Program:\par"]
    for line in program.splitlines():
        indent = len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())
        lines.append(rf"\noindent\hspace*{{{indent}ex}}{breakable_text(line.strip())}")
    return "\n".join(lines)


def _latex(graph: Graph, head: dict[str, str], rows: list[_Row], ask: str, out: str) -> str:
    """The table of ``cg eval --format latex`` (node, computes, value, gradient), without
    its check column, under the task."""
    from ..core.notation import (
        LATEX,
        formula,
        label_pieces,
        latex_name,
        latex_number,
        latex_text,
    )

    pieces = label_pieces(graph, LATEX)
    grads = ask != "values"
    titles = ["node", "computes", "value"]
    if _arrays(rows):
        titles.insert(2, "shape")
    if grads:
        titles.append(rf"$\partial {latex_name(out)}/\partial\,\mathrm{{node}}$")
    spec = "ll" + "r" * (len(titles) - 2)
    lines = [
        f"% cg sheet: needs {LATEX_PREAMBLE}",
        f"% cg sheet; asks: {ask}",
        _latex_student(head["student"]),
        latex_text(head["task"]) + r"\\",
        _latex_program(head["program"]),
        rf"At: {latex_text(head['at'])}\\[1ex]",
        r"{\small\setlength{\tabcolsep}{4pt}",
        rf"\begin{{longtable}}{{{spec}}}",
        r"\hline",
        " & ".join(titles) + r" \\",
        r"\hline",
        r"\endhead",
    ]

    def number(text: str) -> str:
        if text == GIVEN_MARK:
            return "--"
        if text.startswith("["):
            return f"${text}$"
        return f"${latex_number(text)}$" if text else ""

    for row in rows:
        node = row.node
        if node.op == INPUT:
            computes = "input"
        elif not node.inputs:
            computes = "constant"
        else:
            computes = f"${formula(graph, node, pieces, LATEX).text}$"
        cells = [f"${pieces[node.index].text}$", computes, number(row.value)]
        if row.shape is not None:
            cells.insert(2, row.shape.replace("×", r"$\times$"))
        if grads:
            cells.append(number(row.grad))
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\hline", r"\end{longtable}}"]
    return "\n".join(lines) + "\n"


def _arrays(rows: list[_Row]) -> bool:
    """Whether the sheet is of a program over arrays (its rows show shapes)."""
    return bool(rows) and rows[0].shape is not None


def _latex_student(student: str) -> str:
    """The ``Student:`` line: a rule to write on, or the student's id (as text)."""
    from ..core.notation import latex_text

    shown = latex_text(student) if student else r"\rule{6cm}{0.4pt}"
    return rf"\noindent Student: {shown}\\[1ex]"
