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
from ..core.untrusted import quoted, spreadsheet_cell, visible
from .report import ClassGrade, SheetGrade
from .variants import Student

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
"""The columns a Canvas gradebook import requires, before the assignment's."""
CANVAS_EXPORT_COLUMNS = (
    "Integration ID", "Root Account", "Current Points", "Final Points", "Current Score",
    "Unposted Current Score", "Final Score", "Unposted Final Score", "Current Grade",
    "Unposted Current Grade", "Final Grade", "Unposted Final Grade",
)  # fmt: skip
"""The columns Canvas's gradebook export computes itself: no assignment's name."""
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


def sheets_of(student: Student, sheets: list[SheetGrade]) -> list[SheetGrade]:
    """The graded sheets of a roster's student: those whose student line names them,
    else those whose file is named after them (one, unless two sheets claim them)."""
    names = names_of(student)
    by_line = [sheet for sheet in sheets if sheet.student.casefold() in names]
    return by_line or [sheet for sheet in sheets if Path(sheet.source).stem.casefold() in names]


def canvas_gradebook(
    grades: ClassGrade, roster: list[Student], assignment: str
) -> tuple[str, list[str]]:
    """The Canvas import CSV, one row per student of the roster (their points, or an
    empty cell without a graded sheet); and the warnings: each roster student two sheets
    claim (their cell left empty: one may carry another student's name), each sheet that
    names two students of the roster (two of one name: their cells left empty), the
    roster's students without a graded sheet, and each graded student the roster does
    not list."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def row(cells: list[str]) -> None:
        writer.writerow([spreadsheet_cell(c) for c in cells])

    row([*CANVAS_COLUMNS, assignment])
    found_for = [sheets_of(student, grades.sheets) for student in roster]
    claimed: dict[int, list[Student]] = {}
    for student, found in zip(roster, found_for, strict=True):
        for sheet in found:
            claimed.setdefault(id(sheet), []).append(student)
    warnings = []
    without_sheet = []
    shared = set()
    for student, found in zip(roster, found_for, strict=True):
        if not found:
            without_sheet.append(quoted(_cell(student, "Student")))
        if len(found) > 1:
            files = ", ".join(visible(sheet.source) for sheet in found)
            name = quoted(_cell(student, "Student"))
            warnings.append(
                f"--roster: {len(found)} sheets are by {name} ({files}); their cell is left "
                "empty: grade the one that is theirs"
            )
        claimants = claimed[id(found[0])] if len(found) == 1 else []
        alone = len(claimants) == 1
        if len(claimants) > 1 and id(found[0]) not in shared:
            shared.add(id(found[0]))
            students = ", ".join(
                f"{quoted(_cell(s, 'Student'))} (ID {visible(s.id)})" for s in claimants
            )
            warnings.append(
                f"--roster: the sheet {visible(found[0].source)} names {len(claimants)} "
                f"students of the roster ({students}); their cells are left empty: put the "
                "student's ID on the sheet"
            )
        points = machine_number(found[0].points) if alone else ""
        row([*(_cell(student, title) for title in CANVAS_COLUMNS), points])
    if without_sheet:
        many = len(without_sheet) > 1
        count = f"{len(without_sheet)} student{'s' if many else ''} on the roster"
        warnings.append(
            f"--roster: {count} {'have' if many else 'has'} no graded sheet (an empty cell): "
            + ", ".join(without_sheet)
        )
    warnings += [
        f"--roster: {quoted(s.student)} is graded but not on the roster, so not in --summary"
        for s in grades.sheets
        if id(s) not in claimed
    ]
    return buffer.getvalue(), warnings


def is_canvas_import(path: str) -> bool:
    """Whether ``path`` starts as cg's Canvas import does (an earlier ``--summary``,
    which a new one may replace)."""
    from ..core.files import starts_with

    return starts_with(path, ",".join(CANVAS_COLUMNS).encode())
