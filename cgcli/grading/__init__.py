"""Grading students' answers: the library behind ``cg check`` and ``cg sheet``.

>>> from cgcli import grade
>>> report = grade("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4},
...                {"q": 3, "df/dz": 3, "df/dq": 4, "df/dx": 4})
>>> report.score
'2 of 4 asked'
>>> for answer in report.answers:
...     print(answer.key, answer.verdict, answer.diagnosis and answer.diagnosis.mistake)
q right None
df/dz right None
df/dq wrong sign error
df/dx wrong carried

Modules: :mod:`.sheets` reads sheets in every format cg writes, :mod:`.blank`
writes blank ones, :mod:`.keys` is the answer notation, :mod:`.given` and
:mod:`.tolerance` decide when a number is right, :mod:`.mistakes` is the
catalogue of mistakes, :mod:`.grader` walks a sheet, :mod:`.classbook` sums up
a class.

A feature on the features floor: imports from :mod:`cgcli.api` and the floors below it,
never from teach or training beside it, nor from render, page or cli above.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path

from ..api.evaluation import Evaluation, evaluate_graph, parse_values
from ..core import arguments
from ..core.errors import ArgumentTypeError, CgError, UsageError
from ..core.ir import Graph
from ..core.parser import parse_program
from ..passes.values import expand_sequences
from .classbook import summarise
from .grader import Grader
from .report import ClassGrade, Diagnosis, GradedAnswer, QuestionSummary, SheetGrade
from .sheets import Sheet, read_sheet, sheet_files, sheet_from_mapping
from .tolerance import Tolerance

__all__ = [
    "ClassGrade",
    "Diagnosis",
    "GradedAnswer",
    "QuestionSummary",
    "Sheet",
    "SheetGrade",
    "Tolerance",
    "grade",
    "grade_class",
    "read_sheet",
]

Answers = Sheet | Mapping[str, object] | str | PathLike
"""A sheet: read already, a mapping such as ``{"p": 4, "dg/dx": "-3"}``, or a file."""


def grader_for(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    output: str | None = None,
    tolerance: Tolerance | None = None,
    digits: int | None = 6,
) -> Grader:
    """Evaluate the program once, for grading any number of sheets."""
    graph = parse_program(program)
    inputs, _ = expand_sequences(graph, parse_values(values))  # x=[...] on x[1], x[2], ...
    tolerance = tolerance or Tolerance()
    result: Evaluation = evaluate_graph(
        graph, inputs, output=output, check=False, exact=tolerance.exact
    )
    return Grader(result, inputs, tolerance, digits)


def _as_sheet(answers: Answers) -> Sheet:
    if isinstance(answers, Sheet):
        return answers
    if isinstance(answers, Mapping):
        return sheet_from_mapping(answers)
    if not isinstance(answers, (str, PathLike)):
        raise ArgumentTypeError(
            "answers",
            "expected a sheet: a mapping such as {'p': 4, 'dg/dx': -3}, a file's path, or a "
            f"sheet read already; not {answers!r:.60}",
        )
    return read_sheet(answers)


def _tolerance(tol: object, abs_tol: object, decimals: object, exact: object) -> Tolerance:
    """The comparison of a student's number with the truth, its settings checked."""
    return Tolerance(
        arguments.optional(arguments.number, tol, "--tol", minimum=0),
        arguments.optional(arguments.number, abs_tol, "--abs-tol", minimum=0),
        arguments.optional(arguments.whole_number, decimals, "--decimals", minimum=0, maximum=17),
        arguments.flag(exact, "exact"),
    )


def grade(
    program: str | Graph,
    values: Mapping[str, object] | None,
    answers: Answers,
    /,
    *,
    output: str | None = None,
    require: str | Iterable[str] | None = None,
    weights: Mapping[str, float] | None = None,
    tol: float | None = None,
    abs_tol: float | None = None,
    decimals: int | None = None,
    exact: bool = False,
    digits: int | None = 6,
) -> SheetGrade:
    """Grade one student's answers to ``program`` at ``values``.

    ``require`` (all, values, gradients, or keys) makes missing answers count as
    wrong; by default a sheet asks what it shows. ``tol``/``abs_tol``/``decimals``
    replace the rounding-aware comparison; ``exact`` asks for exact values.
    """
    tolerance = _tolerance(tol, abs_tol, decimals, exact)
    digits = arguments.digits(digits)
    grader = grader_for(program, values, output=output, tolerance=tolerance, digits=digits)
    return grader.grade(_as_sheet(answers), require, weights)


def grade_class(
    program: str | Graph,
    values: Mapping[str, object] | None,
    sheets: Iterable[Answers],
    /,
    *,
    output: str | None = None,
    require: str | Iterable[str] | None = None,
    weights: Mapping[str, float] | None = None,
    tol: float | None = None,
    abs_tol: float | None = None,
    decimals: int | None = None,
    exact: bool = False,
    digits: int | None = 6,
    skip_files: Iterable[str | PathLike] = (),
) -> ClassGrade:
    """Grade many sheets (files, folders of sheets, or sheets read already).

    A sheet that cannot be read is listed in ``errors``; the others are graded.
    ``skip_files`` are left out of folders (the gradebook being written there).
    """
    tolerance = _tolerance(tol, abs_tol, decimals, exact)
    digits = arguments.digits(digits)
    grader = grader_for(program, values, output=output, tolerance=tolerance, digits=digits)
    grader.required(require or [])  # a bad --require is the teacher's error: raise it now
    grader.weights(weights)
    graded: list[SheetGrade] = []
    errors: list[tuple[str, str]] = []
    skip = {Path(p).resolve() for p in skip_files}
    for entry in _expand(sheets):
        if isinstance(entry, (str, PathLike)) and Path(entry).resolve() in skip:
            continue
        source = entry.source if isinstance(entry, Sheet) else str(entry)
        try:
            graded.append(grader.grade(_as_sheet(entry), require, weights))
        except CgError as exc:
            errors.append((source, exc.message))
    return ClassGrade(graded, summarise(graded), errors)


def _expand(sheets: Iterable[Answers]) -> list[Answers]:
    if isinstance(sheets, (str, PathLike, Mapping, Sheet)):  # one sheet, not its letters
        sheets = [sheets]
    if not isinstance(sheets, Iterable):
        raise ArgumentTypeError(
            "sheets",
            f"expected the sheets: a list of files, folders or mappings; not {sheets!r:.60}",
        )
    entries: list[Answers] = []
    for entry in sheets:
        if isinstance(entry, (str, PathLike)) and not str(entry).strip():
            raise UsageError(f"the answer sheet {str(entry)!r}: the file name is empty")
        if isinstance(entry, (str, PathLike)) and Path(entry).is_dir():
            entries.extend(sheet_files([entry]))
        else:
            entries.append(entry)
    return entries
