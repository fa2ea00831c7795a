"""Graded sheets as text: one sheet in detail, or a class, one line per student."""

from __future__ import annotations

from ..core.numbers import format_number
from ..core.untrusted import visible
from ..grading.report import GIVEN, MISSING, ClassGrade, GradedAnswer, SheetGrade
from .table import Column, plain


def _grade_cell(answer: GradedAnswer) -> str:
    if answer.verdict == GIVEN:
        text = "given" + (f": {answer.note}" if answer.note else "")
    elif answer.right:
        text = f"✓ {answer.verdict}" + (f": {answer.note}" if answer.note else "")
    elif answer.verdict == MISSING:
        text = "✗ missing"
    else:
        text = f"✗ {answer.diagnosis.text}" if answer.diagnosis else "✗ wrong"
    if not answer.asked and answer.verdict != GIVEN:
        text += " (not asked)"
    return text


def sheet_table(sheet: SheetGrade) -> tuple[list[Column], list[list[str]]]:
    """One student's answers: each with the right number and the verdict."""
    columns = [Column("answer"), Column("given", True), Column("correct", True), Column("grade")]
    rows = [
        [a.shown, a.given.text if a.given else "", a.correct_text, _grade_cell(a)]
        for a in sheet.answers
    ]
    return columns, rows


def render_sheet(sheet: SheetGrade) -> str:
    """One student's sheet: each answer with the right number and the verdict, then the score."""
    columns, rows = sheet_table(sheet)
    lines = [plain(columns, rows)] if rows else []
    lines.append(score_line(sheet))
    return "\n".join(lines) + "\n"


def score_line(sheet: SheetGrade) -> str:
    """``7 of 9 asked right (2 rounded); missing: dg/dx``."""
    parts = [f"{sheet.right} of {sheet.asked} asked right"]
    if sheet.rounded:
        own = f", {sheet.own_rounded} from your own rounded answers" if sheet.own_rounded else ""
        parts[0] += f" ({sheet.rounded} rounded{own})"
    if sheet.max_points != sheet.asked or sheet.points != sheet.right:
        parts.append(
            f"{format_number(sheet.points, 6)} of {format_number(sheet.max_points, 6)} points"
        )
    if sheet.missing:
        parts.append("missing: " + ", ".join(_shown(sheet, key) for key in sheet.missing))
    return "; ".join(parts)


def _shown(sheet: SheetGrade, key: str) -> str:
    return next(a.shown for a in sheet.answers if a.key == key)


def class_tables(grades: ClassGrade) -> tuple[list[tuple[list[Column], list[list[str]]]], str]:
    """A class: one row per student, then per question the share right and the most
    common mistake; and the closing line."""
    student_rows = []
    for sheet in grades.sheets:
        wrong = [
            f"{a.shown} ({a.diagnosis.mistake if a.diagnosis else a.verdict})"
            for a in sheet.scored
            if not a.right and not (a.diagnosis and a.diagnosis.mistake == "carried")
        ]
        carried = sum(1 for a in sheet.scored if a.diagnosis and a.diagnosis.mistake == "carried")
        if carried:
            wrong.append(f"{carried} carried")
        score = f"{sheet.right} of {sheet.asked} asked"
        if sheet.max_points != sheet.asked or sheet.points != sheet.right:
            score += f", {format_number(sheet.points)} of {format_number(sheet.max_points)} points"
        student_rows.append([sheet.student, score, ", ".join(wrong)])
    for source, error in grades.errors:
        student_rows.append([source, "not graded", error.removeprefix(f"{source}: ")])
    for source, why in grades.skipped:
        student_rows.append([source, "skipped", why])
    columns = [Column("student"), Column("score"), Column("wrong")]
    question_rows = []
    for question in grades.questions:
        common = question.most_common
        question_rows.append(
            [
                question.shown,
                f"{question.right} of {question.asked}",
                f"{round(100 * question.share)}%",
                f"{common[0]} ({common[1]})" if common else "",
            ]
        )
    summary = [Column("question"), Column("right", True), Column("share", True)]
    summary.append(Column("most common mistake"))
    graded = len(grades.sheets)
    all_right = sum(s.ok for s in grades.sheets)
    tail = f"{graded} sheet{'' if graded == 1 else 's'} graded, {all_right} all right"
    if grades.errors:
        tail += f", {len(grades.errors)} not graded"
    if grades.skipped:
        tail += f", {len(grades.skipped)} skipped"
    if grades.mixed_denominators:
        tail += f"; {grades.mixed_denominators}"
    tables = [(columns, student_rows)]
    if question_rows:
        tables.append((summary, question_rows))
    return tables, tail


def render_class(grades: ClassGrade) -> str:
    """One line per student, then per question the share right and the most common mistake."""
    tables, tail = class_tables(grades)
    return "\n\n".join([*(plain(c, r) for c, r in tables), tail]) + "\n"


def print_rich(grades: ClassGrade, single: bool, program: str, console) -> None:
    """The same tables and lines through rich, for a terminal, as ``cg eval`` prints its
    table: verdicts in colour, the score green when all is right."""
    from rich.text import Text

    from .table import program_title, rich_table

    title = program_title("cg check", program)
    if single:
        sheet = grades.sheets[0]
        columns, rows = sheet_table(sheet)
        if rows:
            console.print(rich_table(columns, rows, title))
        style = "green" if sheet.ok else "bold red"
        console.print(Text(visible(score_line(sheet)), style=style))
        return
    tables, tail = class_tables(grades)
    for i, (columns, rows) in enumerate(tables):
        console.print(rich_table(columns, rows, title if i == 0 else None))
    style = "green" if grades.ok and not grades.errors else "bold red"
    console.print(Text(visible(tail), style=style))
