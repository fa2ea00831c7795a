"""A variant per student (``cg sheet --vary --roster --seed``): the inputs each
student's sheet is made at, drawn from the teacher's ranges, and the variants file that
``cg check --variants`` grades each sheet by.

The draw is reproducible on every machine: a student's seed is the first four bytes of
SHA-256 of ``cg-variant``, the ``--seed`` and the student's id; the value of NAME at
attempt k is the grid point numbered SHA-256(``SEED:k:NAME``) modulo the grid's size.
A draw that makes a bad exercise (:func:`why_bad`) is drawn again, at most
:data:`MAX_DRAWS` times.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from os import PathLike
from pathlib import Path

from ..api.evaluation import evaluate_graph, parse_values
from ..core import arguments
from ..core.errors import ArgumentTypeError, CgError, UsageError
from ..core.ir import Graph
from ..core.parser import parse_program
from ..core.untrusted import quoted, shortened, spreadsheet_cell, visible
from ..passes.engine import pieces
from ..passes.values import expand_sequences, given_value
from .sheets import csv_rows

MAX_DRAWS = 100
"""Draws per student before cg gives up (the ranges make too few good exercises)."""
MAX_GRID = 1_000_000
"""Points of one range's grid, at most."""
MAX_ID = 100
"""Characters of a student id, at most (as many as a sheet's Student: line shows)."""
MAX_ROSTER = 100_000
"""Students of one roster, at most."""
NEAR_ZERO = 0.01
"""A divisor, a logarithm's argument or the base of a negative power closer to zero
than this makes a bad exercise (its numbers explode or depend on rounding)."""
VARIANTS_FILE = "variants.csv"
VARIANTS_HEAD = ["student", "seed", "sheet"]
"""The variants file's first columns; one column per input of the program follows."""
ID_COLUMNS = ("id", "student id", "student_id", "sis user id", "sis login id", "login", "email")
"""The roster's id column: the first of these titles it has (any case), else its first."""
SUFFIXES = {"markdown": ".md", "csv": ".csv", "tsv": ".tsv", "json": ".json", "latex": ".tex"}

_RANGE = re.compile(r"^\s*(?P<name>[^=\s]+)\s*=\s*(?P<lo>.+?)\.\.(?P<rest>.*)$")


@dataclass(frozen=True)
class Vary:
    """One input that varies: its name and the grid LO, LO+STEP, ... ≤ HI."""

    name: str
    low: Decimal
    high: Decimal
    step: Decimal

    @property
    def size(self) -> int:
        return int((self.high - self.low) / self.step) + 1

    def point(self, k: int) -> str:
        """The k-th point of the grid, as exact decimal text (``-1.5``, ``2``)."""
        value = self.low + self.step * k
        return format(value.normalize(), "f") if value else "0"


def parse_vary(spec: str) -> Vary:
    """``NAME=LO..HI`` (steps of 1) or ``NAME=LO..HI:STEP``: a range of decimal numbers."""
    match = _RANGE.match(spec)
    if not match:
        raise UsageError(
            f"--vary {quoted(spec)}: write NAME=LO..HI or NAME=LO..HI:STEP, such as x=-3..3 "
            "or w=0.5..2:0.5"
        )
    name = match["name"]
    high_text, _, step_text = match["rest"].partition(":")
    low = _decimal(spec, match["lo"], "LO")
    high = _decimal(spec, high_text, "HI")
    step = _decimal(spec, step_text, "STEP") if step_text.strip() else Decimal(1)
    if step <= 0:
        raise UsageError(f"--vary {quoted(spec)}: the step must be positive")
    if step < Decimal("1e-12"):
        raise UsageError(f"--vary {quoted(spec)}: a step under 1e-12; take a larger step")
    if high < low:
        raise UsageError(f"--vary {quoted(spec)}: HI ({high}) is less than LO ({low})")
    vary = Vary(name, low, high, step)
    if vary.size > MAX_GRID:
        raise UsageError(
            f"--vary {quoted(spec)}: {vary.size:,} values, more than {MAX_GRID:,}; "
            "take a larger step"
        )
    return vary


def _decimal(spec: str, text: str, what: str) -> Decimal:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) > Decimal("1e15"):
        raise UsageError(
            f"--vary {quoted(spec)}: {what} {quoted(text.strip())} is not a decimal number "
            "(such as -3, 0.5 or 1e-2)"
        )
    return number


@dataclass(frozen=True)
class Student:
    """One row of the roster: the student's id and the row's cells by column title."""

    id: str
    row: Mapping[str, str] = field(default_factory=dict)


def read_roster(path: str | PathLike) -> list[Student]:
    """The students of a roster CSV (a header row, then one row per student), in its
    order; the id column is the first of :data:`ID_COLUMNS` it has, else its first."""
    from ..core.files import read_text

    text = read_text(str(path), "the roster", 16 * 1024 * 1024, "a roster is a short text")
    where = "standard input" if str(path) == "-" else str(path)
    rows = csv_rows(text, where)
    titles = [t.strip() for t in rows[0]] if rows else []
    if not any(titles):
        raise UsageError(f"{where}: the roster has no header row (such as id,name)")
    lowered = [t.lower() for t in titles]
    column = next((lowered.index(c) for c in ID_COLUMNS if c in lowered), 0)
    students: list[Student] = []
    seen: dict[str, tuple[str, int]] = {}  # by the id in any case: its id, its line
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row) or row[0].strip() == "Points Possible":
            continue  # a blank line; the second row of Canvas's gradebook export
        student = row[column].strip() if column < len(row) else ""
        if len(student) > MAX_ID:
            raise UsageError(
                f"{where}: line {line}: a student id of {len(student):,} characters (at most "
                f"{MAX_ID})"
            )
        if not student:
            raise UsageError(
                f"{where}: line {line}: no student id in column {quoted(titles[column])}"
            )
        if student.casefold() in seen:
            other, at = seen[student.casefold()]
            also = (
                ""
                if other == student
                else f" as {quoted(other)} (a sheet names its student in any case)"
            )
            raise UsageError(
                f"{where}: line {line}: the student id {quoted(student)} is also on line "
                f"{at}{also}; each student once"
            )
        seen[student.casefold()] = (student, line)
        cells = {title: (row[i].strip() if i < len(row) else "") for i, title in enumerate(titles)}
        students.append(Student(student, cells))
        if len(students) > MAX_ROSTER:
            raise UsageError(f"{where}: more than {MAX_ROSTER:,} students")
    if not students:
        raise UsageError(f"{where}: the roster lists no student")
    return students


def as_students(roster: str | PathLike | Iterable[str | Student]) -> list[Student]:
    """A roster file, or the students (ids or :class:`Student`) themselves."""
    if isinstance(roster, (str, PathLike)):
        return read_roster(roster)
    students = [s if isinstance(s, Student) else Student(str(s)) for s in roster]
    ids = [s.id.casefold() for s in students]
    for student in students:
        if not student.id.strip():
            raise UsageError("roster: a student id is empty")
        if ids.count(student.id.casefold()) > 1:
            raise UsageError(
                f"roster: the student id {quoted(student.id)} is given twice (in any case: a "
                "sheet names its student in any case)"
            )
    if not students:
        raise UsageError("roster: no student")
    return students


def student_seed(seed: int, student: str) -> int:
    """A student's own seed: the first 4 bytes of SHA-256 of the class's seed and the id."""
    digest = hashlib.sha256(f"cg-variant\0{seed}\0{student}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def _index(seed: int, attempt: int, name: str, size: int) -> int:
    digest = hashlib.sha256(f"{seed}:{attempt}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % size


def why_bad(graph: Graph, values: Mapping[str, str], digits: int | None = 6) -> str | None:
    """Why the program at ``values`` makes a bad exercise, or None when it is good:

    * a math error (1/0, log(-1)) or overflow: a value or gradient that is not finite;
    * a kink exactly at the point (relu(0), abs(0), max(a, a)): the gradient is a convention;
    * a divisor, a logarithm's argument or the base of a negative power within
      :data:`NEAR_ZERO` of zero;
    * every input's gradient zero (nothing to backpropagate);
    * a nonzero value or gradient that needs more digits than the sheet asks: smaller
      than 10^-(digits // 2) or as large as 10^digits in magnitude (at ``--digits 6``:
      below 0.001, or a million or more).
    """
    inputs, _ = expand_sequences(graph, parse_values(values))
    try:
        result = evaluate_graph(graph, inputs, check=False)
    except CgError as exc:
        return f"math error ({exc.message})"
    graph = result.graph
    used = graph.used_by_output()
    numbers = [r.value for r in result.nodes]
    for node, row in zip(graph.nodes, result.nodes, strict=True):
        if not used[node.index]:
            continue
        label = graph.label(node)
        if not all(math.isfinite(x) for x in (row.value, row.grad) if x is not None):
            return f"overflow at {label}"
        near = _near_zero(node.op, [numbers[i] for i in node.inputs])
        if near:
            return f"{near} near zero at {label}"
    for node, side in zip(graph.nodes, pieces(graph, numbers), strict=True):
        if side == 0 and used[node.index]:
            return f"a kink at {graph.label(node)}"
    grads = [result.nodes[n.index].grad for n in graph.inputs]
    if all(not g for g in grads):
        return "every gradient is zero"
    if digits is not None:
        small, large = 10.0 ** -(digits // 2), 10.0**digits
        for node, row in zip(graph.nodes, result.nodes, strict=True):
            if not used[node.index] or graph.inline(node):
                continue
            for x in (row.value, row.grad):
                if x is not None and x != 0 and not small <= abs(x) < large:
                    return f"{graph.label(node)} needs more than {digits} digits"
    return None


def _near_zero(op: str, args: Sequence[float]) -> str | None:
    """What comes near zero at a gate: a divisor, a logarithm's argument, a negative
    power's base."""
    if op == "div" and abs(args[1]) < NEAR_ZERO:
        return "a divisor"
    if op == "log" and abs(args[0]) < NEAR_ZERO:
        return "a logarithm's argument"
    if op == "pow" and args[1] < 0 and abs(args[0]) < NEAR_ZERO:
        return "the base of a negative power"
    return None


@dataclass(frozen=True)
class Variant:
    """One student's variant: their id, seed, sheet's file name and every input's value."""

    student: str
    seed: int
    sheet: str
    values: dict[str, str]
    """Each input of the program and its value as written (``-1.5``), in program order."""
    redrawn: tuple[str, ...] = ()
    """Why each draw before this one was refused (:func:`why_bad`)."""


@dataclass
class Variants:
    """The variants of a class and their sheets: what ``cg sheet --roster`` writes."""

    variants: list[Variant]
    sheets: dict[str, str]
    """File name -> the blank sheet's text, in roster order."""
    names: list[str]
    """The program's inputs, the variants file's value columns."""
    roster: list[Student] = field(default_factory=list)

    @property
    def table(self) -> str:
        """The variants file (CSV): student, seed, sheet, then each input's value."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([spreadsheet_cell(t) for t in [*VARIANTS_HEAD, *self.names]])
        for v in self.variants:
            cells = [v.student, str(v.seed), v.sheet, *(v.values[n] for n in self.names)]
            writer.writerow([spreadsheet_cell(c) for c in cells])
        return buffer.getvalue()

    @property
    def files(self) -> dict[str, str]:
        """Every file of the folder: the sheets and :data:`VARIANTS_FILE`."""
        return {**self.sheets, VARIANTS_FILE: self.table}

    def write(self, folder: str | PathLike) -> list[str]:
        """Write the files into ``folder`` (made if missing); returns the names written.
        Nothing is written when a file there would be replaced by a different one (or
        is a link): cg never overwrites silently. A file that is already there, byte for
        byte the same, is left as it is."""
        return write_folder(folder, self.files, "-o")

    def __repr__(self) -> str:
        return f"<Variants {len(self.variants)} students>"


def safe_file_name(student: str, suffix: str, taken: set[str]) -> str:
    """A file name for a student's sheet: letters, digits, ``.``, ``-`` and ``_`` only
    (any other character becomes ``_``), no leading dot, at most 80 characters, never a
    device name, and never one already ``taken`` (compared without case; then ``-2``,
    ``-3``, ... is added)."""
    text = unicodedata.normalize("NFKD", student).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")[:80] or "student"
    if stem.split(".")[0].upper() in _DEVICES:
        stem = f"_{stem}"
    name, n = f"{stem}{suffix}", 1
    while name.lower() in taken or name.lower() == VARIANTS_FILE:
        n += 1
        name = f"{stem}-{n}{suffix}"
    taken.add(name.lower())
    return name


_DEVICES = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(10)),
    *(f"LPT{i}" for i in range(10)),
}


def draw_variants(
    program: str | Graph,
    values: Mapping[str, object] | None,
    vary: Iterable[str | Vary],
    roster: str | PathLike | Iterable[str | Student],
    /,
    *,
    seed: int,
    digits: int | None = 6,
    suffix: str = ".md",
) -> tuple[list[Variant], list[str]]:
    """Each student's variant, in roster order, and the program's inputs in order."""
    graph = parse_program(program)
    ranges = [v if isinstance(v, Vary) else parse_vary(v) for v in vary]
    names = [n.name for n in graph.inputs]
    given, _ = expand_sequences(graph, parse_values(values))  # x=[...] on x[1], x[2], ...
    fixed = {str(k): _text(v) for k, v in given.items()}
    for r in ranges:
        if r.name not in names:
            known = ", ".join(names) or "none"
            raise UsageError(
                f"--vary {r.name}: the program has no input {r.name} (its inputs: {known})"
            )
        if [x.name for x in ranges].count(r.name) > 1:
            raise UsageError(f"--vary {r.name} is given twice")
        fixed.pop(r.name, None)
    missing = [n for n in names if n not in fixed and n not in {r.name for r in ranges}]
    if missing:
        raise UsageError(
            f"no value for {', '.join(missing)}: give NAME=VALUE or --vary NAME=LO..HI"
        )
    taken: set[str] = set()
    found = []
    for student in as_students(roster):
        own = student_seed(seed, student.id)
        refused: list[str] = []
        for attempt in range(MAX_DRAWS):
            point = dict(fixed)
            point.update({r.name: r.point(_index(own, attempt, r.name, r.size)) for r in ranges})
            point = {n: point[n] for n in names if n in point}
            why = why_bad(graph, point, digits)
            if why is None:
                sheet = safe_file_name(student.id, suffix, taken)
                found.append(Variant(student.id, own, sheet, point, tuple(refused)))
                break
            refused.append(why)
            if not ranges:
                raise UsageError(f"the program at the given values makes a bad exercise: {why}")
        else:
            raise UsageError(
                f"no good variant for student {quoted(student.id)} in {MAX_DRAWS} draws (the "
                f"last: {refused[-1]}); widen the --vary ranges or change the program"
            )
    return found, names


def _text(value: object) -> str:
    """A fixed value as the variants file writes it: as given, or its shortest form."""
    from ..core.numbers import format_number

    if isinstance(value, str):
        return value
    number = getattr(value, "number", value)
    return format_number(float(number))  # type: ignore[arg-type]


def variant_sheets(
    program: str | Graph,
    values: Mapping[str, object] | None,
    vary: Iterable[str | Vary],
    roster: str | PathLike | Iterable[str | Student],
    /,
    *,
    seed: int,
    sheet_format: str = "markdown",
    ask: str = "all",
    digits: int | None = 6,
    output: str | None = None,
) -> Variants:
    """One blank sheet per student of ``roster`` (a CSV file, or ids), each at the
    student's own values: the inputs of ``vary`` (``"x=-3..3"``, ``"w=0.5..2:0.5"``)
    drawn with ``seed``, the others as ``values`` gives them. The same seed and roster
    give the same variants and sheets, byte for byte; :meth:`Variants.write` writes them."""
    from .blank import SHEET_FORMATS, blank_sheet
    from .sheets import ASKS

    arguments.choice(sheet_format, "sheet_format", SHEET_FORMATS)
    arguments.choice(ask, "ask", ASKS)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ArgumentTypeError("seed", f"a whole number, not {seed!r:.40}")
    graph = parse_program(program)
    students = as_students(roster)
    drawn, names = draw_variants(
        graph, values, vary, students, seed=seed, digits=digits, suffix=SUFFIXES[sheet_format]
    )
    sheets = {
        v.sheet: blank_sheet(
            graph,
            v.values,
            sheet_format=sheet_format,
            ask=ask,
            digits=digits,
            output=output,
            student=v.student,
        )
        for v in drawn
    }
    return Variants(drawn, sheets, names, students)


def make_folder(folder: str | PathLike, option: str) -> Path:
    """``folder``, made if missing (its parent must exist); a clear error otherwise."""
    root = Path(folder)
    if root.is_dir():
        return root
    if root.exists() or root.is_symlink():
        raise UsageError(f"{option} {visible(str(folder))}: it is not a folder")
    if not root.parent.is_dir():
        raise UsageError(
            f"{option} {visible(str(folder))}: the folder {visible(str(root.parent))} does "
            "not exist"
        )
    try:
        root.mkdir()
    except OSError as exc:
        raise UsageError(
            f"{option} {visible(str(folder))}: cannot make it: {exc.strerror}"
        ) from None
    return root


def write_folder(folder: str | PathLike, files: Mapping[str, str], option: str) -> list[str]:
    """Write ``files`` (name -> text) into ``folder``, each whole; nothing at all when
    one would replace a different file or a link. Returns the names written."""
    from ..core.files import write_whole

    root = make_folder(folder, option)
    changed = []
    for name, text in files.items():
        target = root / name
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise UsageError(
                f"{option} {visible(str(target))}: it is a link or not a regular file; cg does "
                "not write through it (remove it, or choose another folder)"
            )
        if target.exists():
            if target.read_bytes() == text.encode():
                continue
            raise UsageError(
                f"{option} {visible(str(target))} exists and differs from the file cg would "
                "write; cg does not overwrite it (remove the old files, or choose another folder)"
            )
        changed.append(name)
    for name in changed:
        write_whole(str(root / name), files[name], option)
    return changed


def read_variants(path: str | PathLike) -> dict[str, Variant]:
    """The variants file ``cg sheet --roster`` wrote: student -> :class:`Variant`."""
    from ..core.files import read_text
    from ..core.untrusted import from_spreadsheet_cell

    where = str(path)
    text = read_text(where, "the variants file", 64 * 1024 * 1024, "it is cg sheet's variants.csv")
    rows = [[from_spreadsheet_cell(c) for c in row] for row in csv_rows(text, where)]
    head = rows[0] if rows else []
    if head[:3] != VARIANTS_HEAD or len(head) < 4:
        raise UsageError(
            f"{where}: not a variants file (its header is {shortened(','.join(head), 60)}; "
            f"expected {','.join(VARIANTS_HEAD)},NAME...)"
        )
    names = head[3:]
    found: dict[str, Variant] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        if len(row) != len(head):
            raise UsageError(f"{where}: line {line}: {len(row)} cells, the header has {len(head)}")
        student, seed, sheet = row[:3]
        for name, value in zip(names, row[3:], strict=True):
            try:
                given_value(name, value)
            except CgError as exc:
                raise UsageError(f"{where}: line {line}: {exc.message}") from None
        if student in found:
            raise UsageError(f"{where}: line {line}: the student {quoted(student)} is listed twice")
        if not seed.isdigit():
            raise UsageError(f"{where}: line {line}: the seed {quoted(seed)} is not a whole number")
        found[student] = Variant(student, int(seed), sheet, dict(zip(names, row[3:], strict=True)))
    if not found:
        raise UsageError(f"{where}: the variants file lists no student")
    return found


def variant_of(sheet, variants: Mapping[str, Variant], where: str) -> Variant:
    """The variant a sheet was made for: by the id on its ``Student:`` line, else by its
    file name (the name ``cg sheet`` gave it, or the student's id). ``where`` names the
    variants file in the error."""
    if sheet.student and sheet.student in variants:
        return variants[sheet.student]
    name = Path(sheet.source).name if sheet.source not in ("", "-") else ""
    stem = Path(name).stem
    for variant in variants.values():
        if name and (variant.sheet == name or Path(variant.sheet).stem == stem):
            return variant
    if stem in variants:
        return variants[stem]
    who = quoted(getattr(sheet, "name", None) or sheet.student)  # a sheet or its grade
    raise UsageError(f"{sheet.source}: the student {who} is not in the variants file {where}")


def check_sheet_values(sheet, variant: Variant, graph: Graph, where: str) -> None:
    """Refuse a sheet whose given inputs are not its student's values (another
    student's sheet, or numbers changed)."""
    from .keys import VALUE, resolve

    for cell in sheet.cells:
        if cell.problem is not None or not cell.text.strip():
            continue
        try:
            question = resolve(graph, cell.key, cell.kind)
        except UsageError:
            continue  # the grader says what is wrong with the key
        name = graph.label(question.node)
        if question.kind != VALUE or question.node.op != "input" or name not in variant.values:
            continue
        try:
            written = float(cell.text.strip())
        except ValueError:
            continue
        expected = given_value(name, variant.values[name]).number
        if not math.isclose(written, expected, rel_tol=1e-9, abs_tol=1e-12):
            raise UsageError(
                f"{sheet.source}: the sheet gives {name} = {shortened(cell.text.strip(), 20)}, "
                f"but the variant of {quoted(variant.student)} in {where} has {name} = "
                f"{variant.values[name]}: is this another student's sheet?"
            )


def values_of(values: Mapping[str, object], variant: Variant | None) -> dict[str, object]:
    """The values one student's sheet is graded at: the teacher's, with the variant's own
    values over them (``variant`` None: the teacher's alone)."""
    if variant is None:
        return dict(values)
    from ..passes.values import given_value

    return {**values, **{name: given_value(name, text) for name, text in variant.values.items()}}
