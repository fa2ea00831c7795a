"""A graded sheet as the course's grading system reads it: Gradescope's autograder
``results.json`` and PrairieLearn's external-grader ``results.json``.

Both systems grade one submission per run: ``cg check --format gradescope`` (or
``prairielearn``) grades one sheet and prints its document. Every text a student wrote
(their answers, their name) is shown as text, never as Markdown or HTML.

* Gradescope, "Autograder Specifications" (gradescope-autograders.readthedocs.io,
  ``specs``, with test status and output string formatting): top level ``score``,
  ``output``, ``output_format``, ``test_output_format``, ``test_name_format``,
  ``visibility``, ``stdout_visibility``, ``extra_data``, ``tests``; each test ``score``,
  ``max_score``, ``status``, ``name``, ``name_format``, ``number``, ``output``,
  ``output_format``, ``tags``, ``visibility``, ``extra_data``.
* PrairieLearn, "External grading", section "Grading results"
  (prairielearn.readthedocs.io, ``externalGrading``): ``gradable``, ``score`` in
  [0, 1], ``message``, ``output``, ``images``, ``tests`` (each ``name``,
  ``description``, ``points``, ``max_points``, ``message``, ``output``, ``images``);
  a sheet that cannot be read is ``gradable: false`` with ``format_errors``.
"""

from __future__ import annotations

import re

from ..core.numbers import json_number
from ..core.untrusted import visible
from ..grading.report import MISSING, GradedAnswer, SheetGrade
from .grades import render_sheet, score_line

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown: every character Markdown or HTML would act on is
    escaped with a backslash, control characters made visible."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", visible(" ".join(text.splitlines())))


def _points(x: float) -> float | int:
    return int(x) if float(x).is_integer() else json_number(x)


def _what(answer: GradedAnswer) -> str:
    kind = "value" if answer.question.kind == "value" else "gradient"
    return f"the {kind} {answer.shown}"


def _verdict(answer: GradedAnswer) -> str:
    """One line: right, or the mistake in words (its numbers recomputable beside it)."""
    if answer.right:
        return f"right ({answer.verdict})" if answer.verdict != "right" else "right"
    if answer.verdict == MISSING:
        return f"missing: no answer for {answer.shown}"
    if answer.diagnosis:
        return f"wrong: {answer.diagnosis.text}"
    return "wrong"


def _tags(answer: GradedAnswer) -> list[str]:
    if answer.right:
        return []
    if answer.diagnosis is None:
        return [answer.verdict]
    kinds = [answer.diagnosis.mistake]
    if answer.diagnosis.root and answer.diagnosis.root not in kinds:
        kinds.append(answer.diagnosis.root)
    return kinds


def _markdown_output(answer: GradedAnswer) -> str:
    written = f"`{visible(answer.given.text)}`" if answer.given else "nothing"
    if "`" in written[1:-1]:
        written = markdown_text(answer.given.text)  # type: ignore[union-attr]
    lines = [f"You wrote {written} for {markdown_text(_what(answer))}."]
    if answer.right:
        lines.append("✓ " + markdown_text(_verdict(answer)))
    else:
        lines.append(f"✗ {markdown_text(_verdict(answer))}")
        lines.append(f"The right number is {markdown_text(answer.correct_text)}.")
    return "\n\n".join(lines)


def gradescope_results(
    sheet: SheetGrade | None, error: str | None = None, visibility: str = "visible"
) -> dict:
    """Gradescope's ``results.json`` for one sheet (one test per answer asked), or for a
    sheet that could not be read (``error``): score 0 and the reason."""
    common = {
        "output_format": "md",
        "test_output_format": "md",
        "test_name_format": "text",
        "visibility": visibility,
        "stdout_visibility": "hidden",
    }
    if sheet is None:
        text = f"Your sheet could not be graded: {markdown_text(error or 'no sheet')}"
        return {"score": 0, "output": text, **common, "tests": []}
    tests = []
    for number, answer in enumerate(sheet.scored, start=1):
        tests.append(
            {
                "name": visible(answer.shown),
                "name_format": "text",
                "number": str(number),
                "score": _points(answer.weight * answer.credit),
                "max_score": _points(answer.weight),
                "status": "passed" if answer.right else "failed",
                "output": _markdown_output(answer),
                "output_format": "md",
                "tags": _tags(answer),
                "visibility": visibility,
                "extra_data": {"answer": answer.key, "verdict": answer.verdict},
            }
        )
    output = [f"**{markdown_text(score_line(sheet))}**"]
    output += [f"- {markdown_text(problem)}" for problem in sheet.problems]
    return {
        "score": _points(sheet.points),
        "output": "\n\n".join(output),
        **common,
        "extra_data": {"student": visible(sheet.student), "max_points": _points(sheet.max_points)},
        "tests": tests,
    }


def prairielearn_results(
    sheet: SheetGrade | None, error: str | None = None, images: list[dict] | None = None
) -> dict:
    """PrairieLearn's external-grader ``results.json`` for one sheet, or ``gradable:
    false`` with the reason for a sheet that could not be read; ``images`` (label, url)
    are shown under the results (the graded drawing)."""
    if sheet is None:
        message = visible(error or "no sheet")
        return {"gradable": False, "message": message, "format_errors": [message]}
    tests = []
    for answer in sheet.scored:
        tests.append(
            {
                "name": visible(answer.shown),
                "description": visible(f"{_what(answer)} ({answer.key})"),
                "points": _points(answer.weight * answer.credit),
                "max_points": _points(answer.weight),
                "message": visible(_verdict(answer)),
                "output": f"given: {visible(answer.given.text) if answer.given else '(nothing)'}\n"
                f"correct: {answer.correct_text}",
            }
        )
    score = sheet.points / sheet.max_points if sheet.max_points else 0.0
    doc = {
        "gradable": True,
        "score": json_number(min(1.0, max(0.0, score))),
        "message": visible(score_line(sheet)),
        "output": "\n".join(visible(line) for line in render_sheet(sheet).splitlines()),
        "tests": tests,
    }
    if images:
        doc["images"] = images
    return doc
