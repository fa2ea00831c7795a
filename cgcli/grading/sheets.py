"""Reading answer sheets: every table cg writes (Markdown, CSV, TSV, JSON, LaTeX and the
plain table), blank sheets from ``cg sheet``, and simple ``KEY = NUMBER`` lists.

A sheet is read into cells, each the text written for one key (blank when not
filled in); what the keys mean is decided later, against the program
(:mod:`cgcli.grading.keys`). A student id may stand in the sheet (a line
``Student: alice``, a ``"student"`` field in JSON); otherwise the file name is used.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..core.errors import UsageError
from ..core.untrusted import from_spreadsheet_cell, quoted, shortened
from .keys import GRAD, VALUE
from .latex_cells import label_from_latex, number_from_latex

SHEET_SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".tex": "latex",
    ".txt": "text",
}
ASKS = ("all", "values", "gradients")
GIVEN_MARK = "-"
"""What a table shows where there is nothing to fill in (a constant's gradient)."""
_MARKS = {"✓", "✗", "convention", "ok", "mismatch"}
_STUDENT = re.compile(
    r"^[\W_]*(?:student(?:[ _]?(?:id|name))?|name)[\W_]*?\s*[:=]\s*(?P<id>.*)$", re.I
)
_ASKS = re.compile(r"\basks\s*:\s*(?P<asks>all|values|gradients)\b", re.I)
_KEY_VALUE = re.compile(r"^\s*(?P<key>[^=:]+?)\s*[=:]\s*(?P<value>.*?)\s*$")


@dataclass(frozen=True)
class Cell:
    """The text written for one key ("" when blank)."""

    key: str
    text: str
    kind: str | None = None
    """VALUE or GRAD for a node table's cell, whose key is the node's label."""
    where: str = ""
    """Where it stands, for messages: ``line 7``, ``row 3``, ``nodes[2]``."""
    problem: str | None = None
    """Why what is written there is no answer (a JSON ``true``): the key is asked, and
    its answer counts as missing."""
    listed: str | None = None
    """A JSON list as text, ``[[1, 2], [3, 4]]``: a matrix answer (with the problem of a
    list for a scalar program, whose grader reads no lists)."""


@dataclass
class Sheet:
    """One student's sheet as read: who, from where, and the cells."""

    source: str
    student: str | None = None
    cells: list[Cell] = field(default_factory=list)
    asks: str | None = None
    """What a blank sheet from ``cg sheet`` says it asks for (all, values, gradients)."""
    problems: list[str] = field(default_factory=list)
    """What could not be read, one line each (a row without a node); the rest is graded."""
    format: str = ""
    """The format it was read as: markdown, csv, tsv, json, latex or text."""

    @property
    def name(self) -> str:
        """The student's id: from the sheet, else the file name without its extension;
        ``student`` for answers typed on the command line or read from stdin."""
        if self.student:
            return self.student
        return Path(self.source).stem if self.source not in ("", "-", EXPECT) else "student"

    def note(self, line: str) -> None:
        """Take a student id or an ``asks:`` note from a line outside the tables."""
        asks = _ASKS.search(line)
        if asks:
            self.asks = asks["asks"].lower()
            return
        match = _STUDENT.match(line)
        if match and not self.student:
            self.student = clean_student(match["id"])


def clean_student(text: str) -> str | None:
    """A student id without Markdown decoration (a blank ``____`` line, ``**`` around it)
    removed; a backslash, ``_`` and ``*`` inside it are kept (``CORP\\jdoe``, ``j_doe_``,
    ``__init__``): Markdown's and LaTeX's escapes are undone where they are read."""
    text = re.sub(r"[{}`|$]|_{3,}|\*{2,}|-{2,}|<!--|-->", " ", text)
    text = " ".join(text.strip(" \t,;:*").split())
    if len(text) > MAX_STUDENT:  # its two ends
        text = f"{text[: MAX_STUDENT // 2 - 1]}…{text[-(MAX_STUDENT // 2) :]}"
    return text or None


MAX_STUDENT = 100
"""Characters of a student id shown; a longer one is shortened in the middle."""


MAX_SHEET_BYTES = 16 * 1024 * 1024
"""The largest sheet read: a sheet of a 100,000-node program fits; /dev/zero does not."""
MAX_SHEET_LINES = 250_000
"""The most lines (or JSON answers) a sheet has: two per node of a 100,000-node program,
and some; a sheet of a million lines is refused before it is parsed."""


def read_sheet(
    path: str | Path, sheet_format: str | None = None, what: str = "the answer sheet"
) -> Sheet:
    """Read one sheet (``-`` for stdin); the format comes from ``sheet_format``, the
    extension, or the content. ``what`` names the file in messages. A sheet is text:
    one over :data:`MAX_SHEET_BYTES`, or with a NUL byte (a spreadsheet's binary file,
    /dev/zero), is refused."""
    from ..core.files import read_text

    if not str(path).strip():
        raise UsageError(f"{what} {str(path)!r}: the file name is empty")
    text = read_text(str(path), what, MAX_SHEET_BYTES, "a sheet is a short text")
    where = "standard input" if str(path) == "-" else str(path)
    if "\0" in text:
        raise UsageError(
            f"{where} is not a text file (a NUL byte at character {text.index(chr(0)) + 1}); "
            "save the sheet as CSV, Markdown, JSON, LaTeX or text"
        )
    if str(path) == "-":
        return parse_sheet(text, "-", sheet_format or sniff(text))
    path = Path(path)
    fmt = sheet_format or SHEET_SUFFIXES.get(path.suffix.lower()) or sniff(text)
    return parse_sheet(text, str(path), fmt)


NOT_FOLLOWED = "a symbolic link: cg does not follow links to answer sheets in a class"
NOT_A_FILE = "not a regular file (a folder, a named pipe or a device): it is not read"


def why_not_a_class_sheet(path: str | Path) -> str | None:
    """Why a file of a class is skipped, None when it is read: a symbolic link is never
    followed (it could point out of the folder, at a secret or /proc/self/environ), and
    only regular files are read (a named pipe would wait forever)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None  # missing: reading it says so
    if stat.S_ISLNK(info.st_mode):
        return NOT_FOLLOWED
    if not stat.S_ISREG(info.st_mode):
        return NOT_A_FILE
    return None


def folder_sheets(folder: str | Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The sheet files of a folder, sorted by name, and (file, why) for each one skipped.

    Links and other non-regular files are skipped with a note, and so is every other
    entry a student may have handed in: a file of another format (``bob``, ``bob.docx``),
    a folder, a hidden file with a sheet's extension (``.bob.md``). Only other hidden
    files (``.DS_Store``, an editor's lock) are passed over in silence.
    """
    folder = Path(folder)
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise UsageError(f"{folder}: cannot list the folder: {exc.strerror or exc}") from None
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    for name in names:
        path = folder / name
        is_sheet = path.suffix.lower() in SHEET_SUFFIXES
        if name.startswith(".") and not is_sheet:
            continue
        why = why_not_a_class_sheet(path)
        if why is None and not is_sheet:
            others.append((str(path), NOT_A_SHEET_FORMAT))
        elif why is None and name.startswith("."):
            others.append((str(path), HIDDEN))
        elif why is None:
            files.append(path)
        elif why == NOT_A_FILE and os.path.isdir(path):
            skipped.append((str(path), A_FOLDER))
        elif is_sheet:
            skipped.append((str(path), why))
        else:
            others.append((str(path), NOT_A_SHEET_FORMAT))
    if not files and not skipped:
        known = ", ".join(sorted(SHEET_SUFFIXES))
        raise UsageError(f"{folder}: no answer sheets in this folder (looked for {known})")
    return files, skipped + others


NOT_A_SHEET_FORMAT = (
    "not a sheet's format: cg reads " + ", ".join(sorted(SHEET_SUFFIXES)) + " files"
)
HIDDEN = "a hidden file (its name starts with a dot): name it without the dot to grade it"
A_FOLDER = "a folder: cg grades the sheets of the folder given, not of the folders in it"


def sheet_files(paths: Iterable[str | Path]) -> list[Path]:
    """The sheets named: files as given, folders expanded to the sheet files they hold
    (links and other files that are not read are left out: :func:`folder_sheets`)."""
    files: list[Path] = []
    for entry in paths:
        path = Path(entry)
        files.extend(folder_sheets(path)[0] if path.is_dir() else [path])
    return files


def sniff(text: str) -> str:
    """The format of a sheet from its content."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return "json"
    if "\\begin{tabular" in text or "\\begin{longtable" in text:
        return "latex"
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if any(line.lstrip().startswith("|") for line in lines):
        return "markdown"
    first = lines[0] if lines else ""
    if "\t" in first:
        return "tsv"
    if "," in first and re.search(r"\b(node|answer|key)\b", first, re.I):
        return "csv"
    return "text"


def parse_sheet(text: str, source: str, fmt: str) -> Sheet:
    """A sheet from its text in one of the formats of :data:`SHEET_SUFFIXES`."""
    readers = {
        "markdown": _markdown,
        "csv": lambda t, s: _delimited(t, s, _csv_delimiter(t)),
        "tsv": lambda t, s: _delimited(t, s, "\t"),
        "json": _json,
        "latex": _latex,
        "text": _text,
    }
    if fmt not in readers:
        raise UsageError(f"unknown sheet format {fmt!r} (formats: {', '.join(readers)})")
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends
    lines = text.count("\n")
    if lines > MAX_SHEET_LINES:
        raise UsageError(
            f"{source}: {lines:,} lines, more than a sheet holds (at most {MAX_SHEET_LINES:,})"
        )
    sheet = readers[fmt](text, source)
    if len(sheet.cells) > MAX_SHEET_LINES:
        raise UsageError(
            f"{source}: {len(sheet.cells):,} answers, more than a sheet holds "
            f"(at most {MAX_SHEET_LINES:,})"
        )
    sheet.format = fmt
    return sheet


def sheet_from_mapping(answers: Mapping[str, object], source: str = "answers") -> Sheet:
    """A sheet from a mapping such as ``{"p": 4, "dg/dx": "-3"}`` (Python or JSON)."""
    return _json_document(dict(answers), source)


EXPECT = "--expect"
"""The source of answers typed with ``cg check --expect``."""


def sheet_from_pairs(pairs: list[tuple[str, str]], source: str = EXPECT) -> Sheet:
    """A sheet from (key, text) pairs, such as those of ``--expect``."""
    return Sheet(source, cells=[Cell(k, t, where=source) for k, t in pairs])


# --- node tables -------------------------------------------------------------------


class _Columns:
    """Where a header row has the node, value and gradient columns (or key and value)."""

    def __init__(self, titles: list[str]) -> None:
        lowered = [t.strip().lower() for t in titles]
        self.node = _first(lowered, ("node", "label"))
        self.key = _first(lowered, ("answer", "key", "gradient", "question"))
        self.value = _first(lowered, ("value", "given", "number", "weight", "points"))
        self.grad = next(
            (i for i, t in enumerate(lowered) if i != self.key and _is_gradient_title(t)), None
        )

    @property
    def is_node_table(self) -> bool:
        return self.node is not None and (self.value is not None or self.grad is not None)

    @property
    def is_key_table(self) -> bool:
        return self.node is None and self.key is not None and self.value is not None

    def cells(self, row: list[str], where: str, reader: CellReader) -> list[Cell]:
        def at(i: int | None, read) -> str:
            return read(row[i].strip()) if i is not None and i < len(row) else ""

        if self.is_key_table:
            key = at(self.key, reader.label)
            return [Cell(key, at(self.value, reader.number), None, where)] if key else []
        label = at(self.node, reader.label)
        if not label:
            return []
        cells = []
        for kind, column in ((VALUE, self.value), (GRAD, self.grad)):
            text = at(column, reader.number)
            if column is not None and text != GIVEN_MARK:
                cells.append(Cell(label, text, kind, where))
        return cells


class CellReader(NamedTuple):
    """How a format's cells read: labels (and titles, keys), and numbers."""

    label: Callable[[str], str] = str.strip
    number: Callable[[str], str] = str.strip


PLAIN = CellReader()


def _is_gradient_title(title: str) -> bool:
    """``grad``, ``∂f/∂node`` (also as LaTeX makes it, ``(∂ f)/(∂ node)``), ``df/dnode``."""
    compact = title.replace(" ", "")
    return (
        compact.startswith("grad")
        or "∂" in compact
        or re.fullmatch(r"d\S*/dnode", compact) is not None
    )


_TITLES = ("node", "label", "answer", "key", "gradient", "question", "value", "given")


def _twice(titles: list[str]) -> str | None:
    """A column title a header gives twice (``node,node``), or None."""
    seen: set[str] = set()
    for title in (t.strip().lower() for t in titles):
        known = title in _TITLES or title.startswith("grad") or _is_gradient_title(title)
        if known and title in seen:
            return title
        seen.add(title)
    return None


def _refuse_repeated_titles(titles: list[str], where: str) -> None:
    """A header that names a column twice is ambiguous: which one holds the answers?"""
    repeated = _twice(titles)
    if repeated is not None:
        raise UsageError(
            f"{where}: the header names the column {shortened(repeated, 40)} twice; "
            "give each column once"
        )


def _first(titles: list[str], names: tuple[str, ...]) -> int | None:
    return next((i for i, t in enumerate(titles) if t in names), None)


def _table_rows(
    sheet: Sheet, rows: list[tuple[list[str], str]], reader: CellReader = PLAIN
) -> None:
    """Cells of one table: the first row is its header (or, with no header, key | value)."""
    if not rows:
        return

    def titles(cells: list[str]) -> list[str]:
        return [reader.label(c).lower() for c in cells]

    header = titles(rows[0][0])
    _refuse_repeated_titles(header, f"{sheet.source}: {rows[0][1]}")
    columns = _Columns(header)
    if not (columns.is_node_table or columns.is_key_table):
        columns, header = _Columns(["answer", "value"]), None
    first = columns.key if columns.is_key_table else columns.node
    for cells, where in rows if header is None else rows[1:]:
        if titles(cells) == header:
            continue  # a header repeated on a new page
        found = columns.cells(cells, where, reader)
        if header is not None and not found and any(c.strip() for c in cells):
            sheet.problems.append(f"{where}: no {header[first]} in this row, so it is not graded")
        sheet.cells.extend(found)


# --- Markdown ----------------------------------------------------------------------


def _markdown(text: str, source: str) -> Sheet:
    sheet = Sheet(source)
    table: list[tuple[list[str], str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("|"):
            cells = [_markdown_cell(c) for c in re.split(r"(?<!\\)\|", stripped.strip("|"))]
            if not all(set(c) <= set(":- ") for c in cells):
                table.append((cells, f"line {number}"))
            continue
        _table_rows(sheet, table)
        table = []
        sheet.note(_MARKDOWN_ESCAPE.sub(r"\1", stripped))
    _table_rows(sheet, table)
    return sheet


_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
"""A backslash before punctuation, which Markdown shows as the punctuation alone (``\\_``);
before anything else a backslash is itself."""


def _markdown_cell(cell: str) -> str:
    cell = cell.strip().replace("\\|", "|")
    for mark in ("`", "**", "__", "*"):
        if len(cell) > 2 * len(mark) and cell.startswith(mark) and cell.endswith(mark):
            cell = cell[len(mark) : -len(mark)].strip()
    return "" if cell in _MARKS else cell


# --- CSV and TSV -------------------------------------------------------------------


def csv_rows(text: str, where: str, delimiter: str = ",") -> list[list[str]]:
    """The rows of a CSV (or TSV) text; a clear error, with its line, where it cannot be
    read (a quote never closed, a field longer than the csv module takes)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:
        kind = "TSV" if delimiter == "\t" else "CSV"
        raise UsageError(
            f"{where}: line {reader.line_num}: not readable as {kind} ({exc})"
        ) from None


def _delimited(text: str, source: str, delimiter: str) -> Sheet:
    sheet = Sheet(source)
    table: list[tuple[list[str], str]] = []
    for number, row in enumerate(csv_rows(text, source, delimiter), 1):
        cells = [from_spreadsheet_cell(c.strip()) for c in row]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if cells[0].startswith("#"):
            sheet.note(_pair(cells))
        elif table:
            table.append((cells, f"row {number}"))
        elif _Columns(cells).is_node_table or _Columns(cells).is_key_table or _twice(cells):
            _refuse_repeated_titles(cells, f"{source}: row {number}")
            table.append((cells, f"row {number}"))  # the header
        else:
            sheet.note(_pair(cells))
    if not table:
        raise UsageError(
            f"{source}: no header row; a sheet needs node,value,grad (or answer,value)"
        )
    _table_rows(sheet, table)
    return sheet


def _csv_delimiter(text: str) -> str:
    """``,`` or, as spreadsheets write CSV where the decimal mark is a comma, ``;``. Comment
    lines do not count, quoted ones (``"# program: a = b; c = d  # e, f"``) included."""
    for line in text.splitlines():
        if line.strip() and not line.lstrip().lstrip('"').startswith("#"):
            return ";" if line.count(";") > line.count(",") else ","
    return ","


def _pair(cells: list[str]) -> str:
    """A line outside the table: ``# student: alice,,`` or ``student,alice``."""
    head = cells[0].lstrip("#").strip()
    rest = " ".join(c for c in cells[1:] if c)
    if not rest:
        return head
    return f"{head} {rest}" if head.endswith(":") else f"{head}: {rest}"


# --- JSON --------------------------------------------------------------------------

MAX_INTEGER_BITS = 1100
"""Larger integers are beyond any float64 (about 2^1024): no answer, and slow to print."""
_RESERVED = {"student", "name", "student_id", "asks", "program", "at", "sheet", "output"}
_GROUPS = {"values": VALUE, "value": VALUE, "gradients": GRAD, "gradient": GRAD, "grads": GRAD}
"""Keys of a JSON sheet that hold answers by node label: {"gradients": {"x": -3}}."""


def _json(text: str, source: str) -> Sheet:
    repeated: list[str] = []

    def first_value(pairs: list[tuple[str, object]]) -> dict:
        """An object whose key given twice keeps its first value (as other formats do)."""
        doc: dict = {}
        for key, value in pairs:
            if key in doc:
                repeated.append(key)
            else:
                doc[key] = value
        return doc

    try:
        # An integer as written: any length, exact.
        doc = json.loads(text, parse_int=str, object_pairs_hook=first_value)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise UsageError(f"{source}: the JSON is nested too deeply to be a sheet") from None
    if not isinstance(doc, dict):
        raise UsageError(f'{source}: expected a JSON object such as {{"p": 4, "dg/dx": -3}}')
    entries = len(doc) + sum(len(v) for v in doc.values() if isinstance(v, (dict, list)))
    if entries > MAX_SHEET_LINES:
        raise UsageError(
            f"{source}: {entries:,} answers, more than a sheet holds (at most {MAX_SHEET_LINES:,})"
        )
    sheet = _json_document(doc, source)
    for key in dict.fromkeys(repeated):
        sheet.problems.append(
            f"the key {shortened(key, 40)} is given twice; the first value is graded"
        )
    return sheet


def _json_cell(key: str, value: object, kind: str | None, where: str) -> Cell | None:
    """A JSON value as an answer: a number or text ("" for null), a problem for anything
    else (``true``, a list, ``1e999``); None where a value means nothing to fill in."""
    if value is None:
        return Cell(key, "", kind, where)
    if isinstance(value, bool):
        return Cell(key, "", kind, where, f"{json.dumps(value)} is not a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            return Cell(key, "", kind, where, "not a finite number")
        if value.is_integer() and abs(value) < 1e16:
            return Cell(key, str(int(value)), kind, where)  # 55.0 says no more than 55
        return Cell(key, float.__repr__(value), kind, where)  # np.float64's repr names it
    if isinstance(value, int):
        if value.bit_length() > MAX_INTEGER_BITS:
            return Cell(key, "", kind, where, "too large a number")
        return Cell(key, str(value), kind, where)
    if isinstance(value, str):
        return Cell(key, value, kind, where) if value != GIVEN_MARK else None
    if isinstance(value, list):
        listed, problem = _listed(value)
        return Cell(key, "", kind, where, problem or "an array, not a number", listed)
    number = _python_number(value)
    if number is not None:
        return _json_cell(key, number, kind, where)
    return Cell(key, "", kind, where, "an object, not a number")


def _python_number(value: object) -> int | float | str | None:
    """A number from Python that JSON has no type for, as an answer: a Fraction as its
    exact text (``1/3``), a Decimal as written (``0.20``, its places kept), a NumPy
    integer as int and a NumPy float as its own shortest digits; None for anything else."""
    import numbers
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else math.nan if value.is_nan() else float(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Rational):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, numbers.Real):  # a NumPy float32 as written, its own digits
        text = str(value)
        try:
            float(text)
        except ValueError:
            return float(value)
        return text
    return None


_CLOSE, _COMMA = object(), object()


def _listed(value: list) -> tuple[str | None, str | None]:
    """A JSON list of numbers (or of numbers written as text, ``"1/3"``) as the text of a
    matrix answer, ``[[1, 2], [3, 4]]``, walked without recursion; or why it is none."""
    parts: list[str] = []
    todo: list[object] = [value]
    while todo:
        item = todo.pop()
        if item is _CLOSE or item is _COMMA:
            parts.append("]" if item is _CLOSE else ", ")
        elif isinstance(item, list):
            parts.append("[")
            todo.append(_CLOSE)
            for k in range(len(item) - 1, -1, -1):
                todo.append(item[k])
                if k:
                    todo.append(_COMMA)
        else:
            text = _entry_text(item)
            if text is None:
                return None, f"an array with an entry that is not a number ({_kind(item)})"
            parts.append(text)
    return "".join(parts), None


def _entry_text(item: object) -> str | None:
    """One entry of a JSON matrix answer as text, None when it is no number."""
    if isinstance(item, bool) or item is None:
        return None
    if isinstance(item, float):
        return repr(item) if math.isfinite(item) else None
    if isinstance(item, int):
        return str(item) if item.bit_length() <= MAX_INTEGER_BITS else None
    if isinstance(item, str) and not set(item) & set("[],"):
        return item  # an integer as written (read as text), or a number such as "1/3"
    return None


def _kind(item: object) -> str:
    """What a JSON matrix answer holds where a number belongs, for its note."""
    if isinstance(item, bool) or item is None:
        return json.dumps(item)
    if isinstance(item, float):
        return "a number that is not finite"
    if isinstance(item, int):
        return "too large a number"
    if isinstance(item, str):
        return f"the text {quoted(item, 20)}"
    return "an object"


def _json_document(doc: dict, source: str) -> Sheet:
    sheet = Sheet(source)
    for key in ("student", "student_id", "name"):
        if isinstance(doc.get(key), (str, int)) and not sheet.student:
            sheet.student = clean_student(str(doc[key]))
    if isinstance(doc.get("asks"), str) and doc["asks"].lower() in ASKS:
        sheet.asks = doc["asks"].lower()
    if isinstance(doc.get("nodes"), list):
        _json_nodes(sheet, doc)
        return sheet
    for key, value in doc.items():
        if key in _GROUPS and isinstance(value, dict):
            for label, number in value.items():
                cell = _json_cell(str(label), number, _GROUPS[key], f"{key}.{label}")
                if cell is not None:
                    sheet.cells.append(cell)
        elif key not in _RESERVED:
            cell = _json_cell(str(key), value, None, key)
            if cell is not None:
                sheet.cells.append(cell)
    return sheet


def _json_nodes(sheet: Sheet, doc: dict) -> None:
    """``cg eval --format json`` (exact strings preferred) or a ``cg sheet`` JSON sheet."""
    exact = doc.get("exact", {}).get("nodes", {}) if isinstance(doc.get("exact"), dict) else {}
    for i, entry in enumerate(doc["nodes"]):
        if not isinstance(entry, dict):
            continue
        label = entry.get("label") or entry.get("node") or entry.get("name") or entry.get("id")
        if not isinstance(label, str):
            continue
        precise = exact.get(entry.get("id"), {}) if isinstance(exact, dict) else {}
        for kind in (VALUE, GRAD):
            if kind not in entry:
                continue
            value = precise.get(kind, entry[kind]) if precise.get(kind) is not None else entry[kind]
            cell = _json_cell(label, value, kind, f"nodes[{i}].{kind}")
            if cell is not None:
                sheet.cells.append(cell)


# --- LaTeX -------------------------------------------------------------------------

LATEX = CellReader(label_from_latex, number_from_latex)
_LATEX_LAYOUT = re.compile(
    r"\\(?:hline|toprule|midrule|bottomrule|endhead|endfirsthead|endfoot|endlastfoot"
    r"|cline\{[^}]*\}|small|footnotesize|scriptsize|normalsize|centering|noindent"
    r"|setlength\{[^}]*\}\{[^}]*\})"
)


def _latex(text: str, source: str) -> Sheet:
    sheet = Sheet(source)
    body = re.sub(r"(?<!\\)%.*", lambda m: _latex_comment(sheet, m.group(0)), text)
    position = 0
    pattern = re.compile(
        r"\\begin\{(tabular\*?|longtable|tabularx)\}(\{[^{}]*\})*(?P<body>.*?)\\end\{\1\}", re.S
    )
    for match in pattern.finditer(body):
        for line in body[position : match.start()].splitlines():
            _latex_note(sheet, line)
        position = match.end()
        rows = []
        line_of = body.count("\n", 0, match.start("body")) + 1
        for raw in re.split(r"\\\\(?:\[[^\]]*\])?", _LATEX_LAYOUT.sub(" ", match["body"])):
            cells = [c.strip() for c in re.split(r"(?<!\\)&", raw)]
            if any(cells):
                rows.append((cells, f"line {line_of + raw.count(chr(10))}"))
            line_of += raw.count("\n")
        _table_rows(sheet, rows, LATEX)
    for line in body[position:].splitlines():
        _latex_note(sheet, line)
    return sheet


def _latex_note(sheet: Sheet, line: str) -> None:
    """A line of text around the tables: commands dropped, their arguments kept."""
    line = re.sub(r"\\\\(\[[^\]]*\])?", " ", line)  # \\ and \\[1ex]
    line = re.sub(r"\\(?:rule|hspace|vspace)\*?(\{[^{}]*\})+", " ", line)
    for command, text in _LATEX_TEXT.items():
        line = line.replace(command, text)
    line = _LATEX_ACCENT.sub(_accented, line)
    line = re.sub(r"\\[A-Za-z]+\*?\{([^{}]*)\}", r"\1", line)
    line = re.sub(r"\\[A-Za-z]+\*?", " ", line)
    line = re.sub(r"\\([_&%$#{}])", r"\1", line).replace("\ue000", "\\")  # \_ is _
    sheet.note(line.strip())


_LATEX_TEXT = {
    "\\textbackslash{}": "\ue000",  # a backslash, put back once commands are dropped
    "\\textasciitilde{}": "~",
    "\\textasciicircum{}": "^",
    "\\textunderscore{}": "_",
}
"""LaTeX's text for characters it has no key for, as cg's sheets write them."""
_LATEX_ACCENT = re.compile(r"\\([\"'`^~=.])\{?([A-Za-z])\}?")
_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303",
            "=": "\u0304", ".": "\u0307"}  # fmt: skip


def _accented(match: re.Match) -> str:
    """``\\"{e}`` as ``ë``: the letter and its combining accent, composed."""
    import unicodedata

    return unicodedata.normalize("NFC", match[2] + _ACCENTS[match[1]])


def _latex_comment(sheet: Sheet, comment: str) -> str:
    sheet.note(comment.lstrip("%").strip())  # not typeset: a backslash is itself
    return ""


# --- plain text --------------------------------------------------------------------


def _text(text: str, source: str) -> Sheet:
    """``KEY = NUMBER`` lines, and the aligned table ``cg eval`` prints when piped."""
    sheet = Sheet(source)
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if _Columns(line.split()).is_node_table and line.lstrip().lower().startswith("node"):
            i = _aligned_table(sheet, lines, i)
            continue
        i += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.lower().startswith("check:"):
            sheet.note(stripped.lstrip("#"))
            continue
        if _STUDENT.match(stripped) or _ASKS.search(stripped):
            sheet.note(stripped)
            continue
        match = _KEY_VALUE.match(stripped)
        if not match:
            raise UsageError(f"{source}: line {i}: write KEY = NUMBER, such as dg/dx = -3")
        value = re.sub(r"\s+(?:✓|✗|convention|-)$", "", match["value"]).strip()
        sheet.cells.append(Cell(match["key"], value, None, f"line {i}"))
    return sheet


def _aligned_table(sheet: Sheet, lines: list[str], start: int) -> int:
    """Rows of the aligned table whose header is ``lines[start]``; returns the next line."""
    header = lines[start]
    titles = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\S+", header)]
    spans = {t.lower(): (s, e) for t, s, e in titles}
    grad_title = next(
        (t.lower() for t, _, _ in titles if t[:1] in ("∂", "d") and t.endswith("node")), None
    )
    node_end = titles[1][1] if len(titles) > 1 else len(header)
    value_end = spans.get("value", (0, 0))[1]
    grad_end = spans.get(grad_title, (0, 0))[1] if grad_title else 0
    i = start + 1
    while i < len(lines) and lines[i].strip():
        row = lines[i]
        label = row[:node_end].strip()
        if value_end and len(row) >= value_end and row[value_end - 1] != " ":
            value = re.split(r"\s{2,}", row[:value_end].rstrip())[-1]
        else:
            value = ""
        grad = row[value_end:grad_end].strip() if grad_end else ""
        where = f"line {i + 1}"
        if label:
            sheet.cells.append(Cell(label, value, VALUE, where))
            if grad != GIVEN_MARK:
                sheet.cells.append(Cell(label, grad, GRAD, where))
        i += 1
    return i


MAX_WEIGHT = 1e12
"""Points one answer may weigh: sums of weights stay exact and finite."""


def read_weights(path: str | Path) -> dict[str, float]:
    """``--weights``: points per answer key, from CSV (``answer,weight``) or a JSON object."""
    fmt = "json" if Path(path).suffix.lower() == ".json" else "csv"
    sheet = read_sheet(path, fmt, "the weights")
    weights: dict[str, float] = {}
    for cell in sheet.cells:
        key = cell.key
        try:
            weight = float(cell.text)
        except ValueError:
            raise UsageError(f"{path}: {cell.where}: the weight of {key} is not a number") from None
        if not weight >= 0 or weight == float("inf"):
            raise UsageError(f"{path}: {cell.where}: the weight of {key} must be 0 or more")
        if weight > MAX_WEIGHT:
            raise UsageError(
                f"{path}: {cell.where}: the weight of {key} is over {MAX_WEIGHT:g} points (a "
                "sum of such weights would not be a number)"
            )
        weights[key] = weight
    return weights
