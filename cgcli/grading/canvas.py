"""The class's grades as a Canvas gradebook import (Grades > Import): a CSV with the
columns Canvas requires, ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID`` and
``Section``, then one column for the assignment, holding each student's points.

Canvas matches a row to its student by ``ID`` (or the SIS ids), so the rows come from
the course's roster, best Canvas's own gradebook export: its columns of those titles
are copied as they are. Every cell is spreadsheet-safe (:func:`spreadsheet_cell`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..core.numbers import machine_number
from ..core.untrusted import spreadsheet_cell
from .report import ClassGrade, SheetGrade
from .variants import Student

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
"""The columns a Canvas gradebook import requires, before the assignment's."""
_ALSO = {"Student": ("name", "student name"), "Section": ("section",)}


def _cell(student: Student, title: str) -> str:
    lowered = {k.lower(): v for k, v in student.row.items()}
    for name in (title.lower(), *_ALSO.get(title, ())):
        if name in lowered:
            return lowered[name]
    return student.id if title == "Student" else ""


_NAMES = ("id", "student", "name", "sis user id", "sis login id", "login", "email")


def names_of(student: Student) -> set[str]:
    """Every way a sheet may name a roster's student (without case): the roster's id, its
    ID, SIS ids, login, email, and name (``Lovelace, Ada`` also as ``Ada Lovelace``)."""
    found = {student.id}
    for title, cell in student.row.items():
        if title.strip().lower() in _NAMES and cell.strip():
            found.add(cell.strip())
            last, comma, first = cell.partition(",")
            if comma and first.strip():
                found.add(f"{first.strip()} {last.strip()}")
    return {name.casefold() for name in found}


def sheet_of(student: Student, sheets: list[SheetGrade]) -> SheetGrade | None:
    """The graded sheet of a roster's student: the one whose student line names them,
    else the one whose file is named after them."""
    names = names_of(student)
    for sheet in sheets:
        if sheet.student.casefold() in names:
            return sheet
    for sheet in sheets:
        if Path(sheet.source).stem.casefold() in names:
            return sheet
    return None


def canvas_gradebook(
    grades: ClassGrade, roster: list[Student], assignment: str
) -> tuple[str, list[str]]:
    """The Canvas import CSV, one row per student of the roster (their points, or an
    empty cell without a graded sheet); and the graded students not on the roster."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def row(cells: list[str]) -> None:
        writer.writerow([spreadsheet_cell(c) for c in cells])

    row([*CANVAS_COLUMNS, assignment])
    matched: set[int] = set()
    for student in roster:
        sheet = sheet_of(student, grades.sheets)
        if sheet is not None:
            matched.add(id(sheet))
        points = "" if sheet is None else machine_number(sheet.points)
        row([*(_cell(student, title) for title in CANVAS_COLUMNS), points])
    unmatched = [s.student for s in grades.sheets if id(s) not in matched]
    return buffer.getvalue(), unmatched


def is_canvas_import(path: str) -> bool:
    """Whether ``path`` starts as cg's Canvas import does (an earlier ``--summary``,
    which a new one may replace)."""
    from ..core.files import starts_with

    return starts_with(path, ",".join(CANVAS_COLUMNS).encode())
