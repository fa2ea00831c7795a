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
from ..core.errors import ArgumentTypeError, ArgumentValueError, CgError, UsageError
from ..core.files import real_path
from ..core.ir import Graph
from ..core.limits import EXACT_TIMEOUT
from ..core.parser import parse_program
from ..core.untrusted import quoted, visible
from ..passes.engine import uses_arrays
from ..passes.values import expand_sequences
from .classbook import summarise
from .grader import Grader
from .report import ClassGrade, Diagnosis, GradedAnswer, QuestionSummary, SheetGrade
from .sheets import (
    EXPECT,
    Sheet,
    folder_sheets,
    read_sheet,
    sheet_from_mapping,
    why_not_a_class_sheet,
)
from .tolerance import OWN_ROUNDING, Tolerance
from .variants import VARIANTS_HEAD, Variant, check_sheet_values, read_variants, variant_of

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
    exact_timeout: float = EXACT_TIMEOUT,
) -> Grader:
    """Evaluate the program once, for grading any number of sheets."""
    graph = parse_program(program)
    inputs, _ = expand_sequences(graph, parse_values(values))  # x=[...] on x[1], x[2], ...
    tolerance = tolerance or Tolerance()
    if uses_arrays(graph, inputs):
        from ..api.array_evaluation import evaluate_arrays
        from .array_grader import ArrayGrader

        if tolerance.exact:
            raise UsageError("--exact grades scalar programs; this program uses arrays")
        found = evaluate_arrays(graph, inputs, output=output, check=False, check_timeout=0)
        return ArrayGrader(found, inputs, tolerance, digits)
    result: Evaluation = evaluate_graph(
        graph, inputs, output=output, check=False, exact=tolerance.exact,
        exact_timeout=exact_timeout,
    )  # fmt: skip
    return Grader(result, inputs, tolerance, digits)


def _as_sheet(answers: Answers) -> Sheet:
    if isinstance(answers, Sheet):
        return answers
    if isinstance(answers, Mapping):
        key = next((k for k in answers if not isinstance(k, str)), "")
        if not isinstance(key, str):
            raise ArgumentTypeError(
                "answers", f"a key is a node or a gradient as text (a str), not {key!r:.60}"
            )
        return sheet_from_mapping(answers)
    if not isinstance(answers, (str, PathLike)):
        raise ArgumentTypeError(
            "answers",
            "expected a sheet: a mapping such as {'p': 4, 'dg/dx': -3}, a file's path, or a "
            f"sheet read already; not {answers!r:.60}",
        )
    return read_sheet(answers)


def _tolerance(
    tol: object, abs_tol: object, decimals: object, exact: object, own_rounding: object
) -> Tolerance:
    """The comparison of a student's number with the truth, its settings checked."""
    return Tolerance(
        arguments.optional(arguments.number, tol, "--tol", minimum=0),
        arguments.optional(arguments.number, abs_tol, "--abs-tol", minimum=0),
        arguments.optional(arguments.whole_number, decimals, "--decimals", minimum=0, maximum=17),
        arguments.flag(exact, "exact"),
        arguments.share(own_rounding, "--own-rounding"),
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
    own_rounding: float | str = OWN_ROUNDING,
    digits: int | None = 6,
    exact_timeout: float = EXACT_TIMEOUT,
) -> SheetGrade:
    """Grade one student's answers to ``program`` at ``values``.

    ``require`` (all, values, gradients, or keys) makes missing answers count as
    wrong; by default a sheet asks what it shows. ``tol``/``abs_tol``/``decimals``
    replace the rounding-aware comparison; ``exact`` asks for exact values (the
    program's exact numbers within ``exact_timeout`` seconds). ``own_rounding`` (a
    share, ``0.01`` or ``"1%"``) is how far from the true value a step computed from
    the student's own rounded answers may be and count as right.
    """
    tolerance = _tolerance(tol, abs_tol, decimals, exact, own_rounding)
    digits = arguments.digits(digits)
    exact_timeout = arguments.seconds(exact_timeout, "exact_timeout")
    grader = grader_for(
        program, values, output=output, tolerance=tolerance, digits=digits,
        exact_timeout=exact_timeout,
    )  # fmt: skip
    sheet = _as_sheet(answers)
    graded = grader.grade(sheet, require, weights)
    if not graded.asked:  # never "0 of 0": the command line's error, exit 2
        why = nothing_to_grade(sheet)
        raise ArgumentValueError("answers", why, why)
    return graded


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
    own_rounding: float | str = OWN_ROUNDING,
    digits: int | None = 6,
    skip_files: Iterable[str | PathLike] = (),
    exact_timeout: float = EXACT_TIMEOUT,
    variants: str | PathLike | Mapping[str, Variant] | None = None,
) -> ClassGrade:
    """Grade many sheets (files, folders of sheets, or sheets read already).

    A sheet that cannot be read is listed in ``errors``; the others are graded.
    ``skip_files`` are left out of folders (the gradebook being written there).
    ``variants`` (the variants file of ``cg sheet --roster``, or what
    :func:`~cgcli.grading.variants.read_variants` returns) grades each sheet at its
    student's own values; a sheet of a student not in it, or whose inputs disagree
    with it, is an error for that sheet.
    """
    tolerance = _tolerance(tol, abs_tol, decimals, exact, own_rounding)
    digits = arguments.digits(digits)
    exact_timeout = arguments.seconds(exact_timeout, "exact_timeout")
    graders: dict[tuple, Grader] = {}

    def grader_at(point: Mapping[str, object] | None) -> Grader:
        key = tuple(sorted((str(k), str(v)) for k, v in (point or {}).items()))
        if key not in graders:
            graders[key] = grader_for(
                program, point, output=output, tolerance=tolerance, digits=digits,
                exact_timeout=exact_timeout,
            )  # fmt: skip
        return graders[key]

    where, by_student = _variants(variants)
    base = dict(values or {})
    if by_student is None:
        grader = grader_at(values)
    else:
        first = next(iter(by_student.values()), None)
        grader = grader_at({**base, **(first.values if first else {})})
    grader.required(require or [])  # a bad --require is the teacher's error: raise it now
    grader.weights(weights)
    graded: list[SheetGrade] = []
    errors: list[tuple[str, str]] = []
    notes: list[tuple[str, str]] = []
    skip = {real_path(p) for p in skip_files} - {None}
    entries, skipped = _expand(sheets, skip)
    for entry in entries:
        if isinstance(entry, (str, PathLike)) and real_path(entry) in skip:
            continue
        source = entry.source if isinstance(entry, Sheet) else str(entry)
        try:
            sheet = _as_sheet(entry)
            if by_student is not None:
                variant = variant_of(sheet, by_student, where)
                check_sheet_values(sheet, variant, grader.graph, where)
                grader = grader_at({**base, **variant.values})
            grade = grader.grade(sheet, require, weights)
        except CgError as exc:
            errors.append((source, exc.message))
            continue
        if not grade.asked:
            errors.append((source, nothing_to_grade(sheet)))
            notes.extend((source, problem) for problem in grade.problems)
        else:
            graded.append(grade)
    graded, clashes = _one_sheet_per_student(graded)
    errors.extend(clashes)
    return ClassGrade(graded, summarise(graded), errors, skipped, notes)


def _one_sheet_per_student(graded: list[SheetGrade]) -> tuple[list[SheetGrade], list]:
    """The graded sheets, but none of a student that two or more files name (by their
    student line, or by the file's name): one may carry another student's name, to set
    their grade. Each of those is an error (file, why) naming the others, for the
    teacher to decide. Answers typed or read from stdin have no name to clash."""
    files = [g for g in graded if g.source not in ("", "-", EXPECT)]
    by_student: dict[str, list[SheetGrade]] = {}
    for grade in files:
        by_student.setdefault(grade.student.strip().casefold(), []).append(grade)
    clashing = {
        id(g)
        for same in by_student.values()
        if len({real_path(g.source) or g.source for g in same}) > 1  # one file named twice: no
        for g in same
    }
    errors = []
    for grade in graded:
        if id(grade) in clashing:
            same = by_student[grade.student.strip().casefold()]
            others = ", ".join(dict.fromkeys(visible(g.source) for g in same if g is not grade))
            errors.append((
                grade.source,
                f"{len(same)} sheets say they are by {quoted(grade.student)} (also {others}): "
                "none of them is graded; keep the one that is theirs",
            ))  # fmt: skip
    return [g for g in graded if id(g) not in clashing], errors


def _written_by_cg(path: str) -> str | None:
    """Why a file of a class folder is one cg wrote, and no sheet (None: it may be one):
    an earlier gradebook, Canvas import or variants file, left beside the sheets."""
    from ..core.files import starts_with
    from .canvas import is_canvas_import
    from .classbook import is_gradebook

    if is_gradebook(path):
        return "cg's gradebook (an earlier --summary), not a sheet"
    if is_canvas_import(path):
        return "cg's Canvas import (an earlier --summary), not a sheet"
    if starts_with(path, ",".join(VARIANTS_HEAD).encode()):
        return "cg sheet's variants file, not a sheet"
    return None


def _variants(variants) -> tuple[str, Mapping[str, Variant] | None]:
    """The variants file's name (for messages) and its variants by student, or None."""
    if variants is None:
        return "", None
    if isinstance(variants, (str, PathLike)):
        return str(variants), read_variants(variants)
    if isinstance(variants, Mapping):
        return "the variants", variants
    raise ArgumentTypeError(
        "variants", f"expected the variants file or a mapping of variants, not {variants!r:.60}"
    )


def nothing_to_grade(sheet: Sheet) -> str:
    """Why a sheet gives no answer to grade, in one line (the same alone and in a class)."""
    where = sheet.source if sheet.source not in ("", "-") else "standard input"
    hint = {
        "markdown": "a Markdown sheet holds its answers in a table: | node | value | grad |",
        "json": 'a JSON sheet is an object such as {"p": 4, "dg/dx": -3}',
        "csv": "a CSV sheet holds its answers under a header such as node,value,grad",
        "tsv": "a TSV sheet holds its answers under a header such as node, value, grad",
        "latex": "a LaTeX sheet holds its answers in a tabular of node & value & grad",
        "text": "a text sheet holds lines KEY = NUMBER, such as dg/dx = -3",
    }.get(sheet.format)
    if sheet.cells or sheet.problems or hint is None:
        return f"nothing to grade in {where}"
    return f"nothing to grade in {where}: no answers found ({hint})"


def _expand(
    sheets: Iterable[Answers], skip: set[str]
) -> tuple[list[Answers], list[tuple[str, str]]]:
    """The sheets of a class, and (file, why) for each file skipped: in a folder, or
    among several files, a symbolic link is not followed, nor a file that is not a
    regular one read; one file named alone is read as named. In a folder, a file cg
    wrote is skipped too, in silence when it is in ``skip`` (the gradebook being
    written there, replaced)."""
    if isinstance(sheets, (str, PathLike, Mapping, Sheet)):  # one sheet, not its letters
        sheets = [sheets]
    if not isinstance(sheets, Iterable):
        raise ArgumentTypeError(
            "sheets",
            f"expected the sheets: a list of files, folders or mappings; not {sheets!r:.60}",
        )
    given = list(sheets)
    entries: list[Answers] = []
    skipped: list[tuple[str, str]] = []
    for entry in given:
        if isinstance(entry, (str, PathLike)) and not str(entry).strip():
            raise UsageError(f"the answer sheet {str(entry)!r}: the file name is empty")
        if isinstance(entry, (str, PathLike)) and Path(entry).is_dir():
            files, passed_over = folder_sheets(entry)
            for path in files:
                why = None if real_path(path) in skip else _written_by_cg(str(path))
                if why is None:
                    entries.append(path)
                else:
                    skipped.append((str(path), why))
            skipped.extend(passed_over)
            continue
        why = None
        if isinstance(entry, (str, PathLike)) and len(given) > 1 and str(entry) != "-":
            why = why_not_a_class_sheet(entry)
        if why is None and isinstance(entry, (str, PathLike)) and str(entry) != "-":
            written = None if real_path(entry) in skip else _written_by_cg(str(entry))
            if written is not None and len(given) == 1:
                raise UsageError(f"{entry} is {written}; give the students' sheets")
            why = written  # among the sheets named (class/*.csv), skipped as in a folder
        if why is None:
            entries.append(entry)
        else:
            skipped.append((str(entry), why))
    return _once_each(entries), skipped


def _file_identity(path: str | PathLike) -> tuple[int, int] | None:
    """The file a path names, by device and inode: a hard link is the same file too."""
    import os

    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return found.st_dev, found.st_ino


def _once_each(entries: list[Answers]) -> list[Answers]:
    """The sheets with a file named twice (by name and in its folder, twice by name, or
    by a hard link) kept once, where it first came: it is one student's one sheet."""
    seen: set[object] = set()
    kept: list[Answers] = []
    for entry in entries:
        where = _file_identity(entry) if isinstance(entry, (str, PathLike)) else None
        if where is not None and str(entry) != "-":
            if where in seen:
                continue
            seen.add(where)
        kept.append(entry)
    return kept
