"""A class: many sheets graded, a summary per question, and the gradebook CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from ..core.numbers import machine_number
from ..core.untrusted import spreadsheet_cell
from .keys import GRAD
from .report import MISSING, ClassGrade, QuestionSummary, SheetGrade

GRADEBOOK_HEAD = ["student", "file", "score", "asked", "points", "max_points", "note"]
"""The gradebook's first columns; one column per question follows."""


def summarise(sheets: list[SheetGrade]) -> list[QuestionSummary]:
    """Per question asked of anyone: how many were asked it, got it right, and their mistakes."""
    order: dict[str, str] = {}
    place: dict[str, tuple[bool, int]] = {}
    asked: Counter[str] = Counter()
    right: Counter[str] = Counter()
    mistakes: dict[str, Counter[str]] = {}
    for sheet in sheets:
        for answer in sheet.scored:
            order.setdefault(answer.key, answer.shown)
            index = answer.question.node.index
            grad = answer.question.kind == GRAD
            place[answer.key] = (grad, -index if grad else index)  # the order of computing
            asked[answer.key] += 1
            right[answer.key] += answer.right
            if not answer.right:
                kind = answer.diagnosis.cause if answer.diagnosis else MISSING
                mistakes.setdefault(answer.key, Counter())[kind] += 1
    return [
        QuestionSummary(key, order[key], asked[key], right[key], dict(mistakes.get(key, {})))
        for key in sorted(order, key=place.__getitem__)
    ]


def verdict_cell(sheet: SheetGrade, key: str) -> str:
    """One gradebook cell: right, right (rounded), wrong (the mistake), missing, or ""."""
    for answer in sheet.scored:
        if answer.key == key:
            entries = (
                f"{answer.entries[0]} of {answer.entries[1]} entries, "
                if answer.entries and not answer.right
                else ""
            )
            if answer.right or not answer.diagnosis:
                return answer.verdict
            return f"wrong ({entries}{answer.diagnosis.cause})"
    return ""


def gradebook(grades: ClassGrade) -> str:
    """The gradebook as CSV: one row per student, one column per question.

    Every cell is neutralised for a spreadsheet (:func:`spreadsheet_cell`): a student
    named ``=HYPERLINK(...)`` is shown as text, never run as a formula.
    """
    keys = [q.key for q in grades.questions]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def row(cells: list) -> None:
        writer.writerow([spreadsheet_cell(str(cell)) for cell in cells])

    row([*GRADEBOOK_HEAD, *keys])
    usual = grades.usual_denominator
    for sheet in grades.sheets:
        notes = list(sheet.problems)
        if sheet.asked != usual:
            notes.append(f"mixed denominators: {sheet.asked} asked, most sheets ask {usual}")
        row(
            [
                sheet.student,
                sheet.source,
                sheet.right,
                sheet.asked,
                _number(sheet.points),
                _number(sheet.max_points),
                "; ".join(notes),
                *(verdict_cell(sheet, key) for key in keys),
            ]
        )
    for source, error in grades.errors:
        note = f"not graded: {error}"
        row([Path(source).stem, source, "", "", "", "", note, *([""] * len(keys))])
    for source, why in grades.skipped:
        note = f"skipped: {why}"
        row([Path(source).stem, source, "", "", "", "", note, *([""] * len(keys))])
    return buffer.getvalue()


def is_gradebook(path: str) -> bool:
    """Whether ``path`` is a regular file that starts as cg's gradebook does (an earlier
    ``--summary``, which a new one may replace)."""
    from ..core.files import starts_with

    return starts_with(path, ",".join(GRADEBOOK_HEAD).encode())


def _number(x: float) -> str:
    return machine_number(x)
