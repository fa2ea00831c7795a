"""Many points: stream rows through the vectorised engine, chunk by chunk.

Memory stays flat in the number of rows: one chunk is read, evaluated forward
and backward with one numpy array per node, written, and dropped before the
next. Exit status: 2 at a bad row (every row before it has been written), 3 if
any row had a math error (its values are nan), 1 if the check found a mismatch.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from fractions import Fraction
from typing import BinaryIO

import numpy as np

from ..check.run import (
    MISMATCH,
    OK,
    Point,
    check_input_gradient,
    check_points,
    fd_compare,
    fd_step,
)
from ..core import arguments, clock
from ..core.errors import EXIT_CHECK_FAILED, EXIT_MATH, EXIT_OK, UsageError
from ..core.ir import Graph
from ..core.numbers import format_number
from ..core.untrusted import visible
from ..core.verdicts import sampled_rows_line
from ..passes.compiled import math_error_reason
from ..passes.values import (
    InputValue,
    SequenceValue,
    expand_sequences,
    unused_column,
    unused_value,
)
from ..passes.vector import evaluate_arrays, forward_arrays, pieces_arrays
from .points_io import Chunk, PointReader, RowLayout, RowWriter

SAMPLE_SIZE = 5
"""Rows --check samples: the first row and four chosen at random (seed 0) from the rest."""
MAX_ROW_WARNINGS = 20


@dataclass
class PointsRun:
    """What happened while streaming: counts, and the rows kept for the check."""

    rows: int = 0
    math_error_rows: int = 0
    warnings_shown: int = 0
    sample: list[tuple[int, dict[str, float], list[float], list[float | None]]] = field(
        default_factory=list
    )
    fd_checked: int = 0
    fd_unchecked: int = 0
    fd_mismatches: int = 0
    fd_flagged: int = 0
    """Gradients finite differences disagreed with, re-checked in high precision."""
    precise_seconds: float = 0.0
    status: int = EXIT_OK
    """The exit status, once every row is done."""


@dataclass
class PointsEvaluation:
    """What ``evaluate(..., points=...)`` did: the rows written and the check's outcome."""

    rows: int
    math_error_rows: int
    status: int
    """The command line's exit status: 0, 1 (the check disagreed) or 3 (math errors)."""
    warnings: list[str]

    @property
    def ok(self) -> bool:
        """Whether every row evaluated and every checked number agrees."""
        return self.status == EXIT_OK

    def __repr__(self) -> str:
        errors = f", {self.math_error_rows} with math errors" if self.math_error_rows else ""
        return f"<PointsEvaluation {self.rows} rows{errors}; {'ok' if self.ok else 'not ok'}>"


def evaluate_points(
    graph: Graph,
    constants: Mapping[str, InputValue],
    points: str,
    out: str | BinaryIO,
    *,
    points_format: str | None,
    result_format: str | None,
    digits: int | None,
    output: str | None,
    wrt: list[str] | None,
    grad_only: bool,
    check: str,
    check_timeout: float,
    chunk_rows: int,
    on_warning: Callable[[str], None] | None,
    keep: str | list[str] | None = None,
    run_rows: Callable[..., PointsRun] | None = None,
) -> PointsEvaluation:
    """Every row of the file ``points`` ('-': standard input) evaluated into ``out``: a path
    written whole (in the format its extension names unless ``result_format`` says) or a
    binary stream. Each warning goes to ``on_warning`` as it happens, and into the result.
    ``keep`` names columns carried through to the result as they are (``"all"``: every
    column the program does not use). ``run_rows`` evaluates the rows (default
    :func:`run_points`)."""
    from ..core.files import check_writable, refuse_overwriting, shown_path, written_whole
    from .points_io import RowWriter, open_points, point_format_for, read_points
    from .points_io.formats import POINT_FORMATS, result_format_for

    if points_format is not None and points_format not in POINT_FORMATS:
        raise UsageError(
            f"points_format: {points_format!r} is not one of " + ", ".join(POINT_FORMATS)
        )
    to_file = isinstance(out, str)
    result_format = result_format_for(out, result_format) if to_file else result_format or "csv"
    if result_format in ("markdown", "latex"):
        raise UsageError(
            f"--format {result_format} is for one point; with --points use "
            + ", ".join(RESULT_FORMATS)
        )
    if to_file:
        check_writable(out, "-o")
        refuse_overwriting(out, "-o", [("--points", points)])
    if output is not None:
        graph = graph.with_output_name(output)
    warnings: list[str] = []

    def warn(message: str) -> None:
        warnings.append(message)
        if on_warning is not None:
            on_warning(message)

    with open_points(points) as stream:
        reader = read_points(stream, point_format_for(points, points_format), chunk_rows)
        if reader.empty:
            raise UsageError(f"{shown_path(points)} is empty (expected the points)")
        bound = graph.bind_constants([*reader.names, *constants])
        wrt = None if wrt is None else arguments.inputs_named(wrt, bound.input_names)
        with written_whole(out, "-o") if to_file else nullcontext(out) as sink:
            run = (run_rows or run_points)(
                graph,
                constants,
                reader,
                lambda layout: RowWriter(sink, result_format, layout, digits),
                wrt=wrt,
                grad_only=grad_only,
                check=check,
                check_timeout=check_timeout,
                warn=warn,
                keep=keep,
            )
    return PointsEvaluation(run.rows, run.math_error_rows, run.status, warnings)


RESULT_FORMATS = ("table", "json", "csv", "tsv", "jsonl", "parquet", "arrow")
"""The formats of many points' results."""


def run_points(
    graph: Graph,
    constants: Mapping[str, InputValue | SequenceValue],
    reader: PointReader,
    writer: Callable[[RowLayout], RowWriter],
    *,
    wrt: list[str] | None,
    grad_only: bool,
    check: str,
    check_timeout: float,
    warn: Callable[[str], None],
    keep: str | list[str] | None = None,
) -> PointsRun:
    """Evaluate ``graph`` at every row; the run says how it went (its ``status`` is the exit
    status). ``check``: none, sample, all; ``keep``: the columns carried through."""
    constants, placed = expand_sequences(graph, constants)  # x=[...] on x[1], x[2], ...
    for warning in placed:
        warn(warning)
    graph = graph.bind_constants([*reader.names, *constants])
    inputs = list(graph.input_names)
    row_names = [n for n in inputs if n not in constants]
    reader.require(row_names)
    for name in constants:
        if name in reader.header:
            raise UsageError(f"{name} is both a column of the points and a NAME=VALUE argument")
        if name not in inputs:
            warn(unused_value(graph, name))
    kept = reader.keep_columns(keep, inputs)
    for name in reader.header:
        if name not in inputs and name not in kept:
            warn(unused_column(graph, name))
    wrt = inputs if wrt is None else wrt
    output = graph.label(graph.nodes[graph.output])
    layout = RowLayout(row_names, output, wrt, grad_only, tuple(kept))
    out = writer(layout)
    try:
        index_of = {n.name: n.index for n in graph.inputs}
        fixed = {name: constants[name].number for name in inputs if name in constants}
        run = PointsRun()
        rng = random.Random(0)
        for chunk in reader.chunks(row_names):
            _report_unused_keys(reader, constants, warn)
            point_columns = {**fixed, **chunk.columns}
            batch = evaluate_arrays(graph, point_columns, chunk.rows)
            grads = [batch.grads[index_of[name]] for name in wrt]
            value = np.broadcast_to(batch.values[graph.output], (chunk.rows,))  # a constant output
            out.write(chunk, value, grads)
            _report_math_errors(graph, chunk, point_columns, batch.error_node, run, warn)
            if check == "sample":
                _sample(chunk, point_columns, batch, run, rng)
            elif check == "all":
                _check_by_finite_differences(
                    graph, chunk, point_columns, batch, run, warn, constants, check_timeout
                )
            run.rows += chunk.rows
            if chunk.error:
                if run.rows:  # the rows before the bad one are written, and nothing else
                    out.finish()
                raise chunk.error
        out.finish()
    except BaseException:  # a bad row, an error, a signal: nothing half-written is kept
        out.abandon()
        raise
    status = EXIT_OK
    if check == "sample" and run.sample:
        status = _check_sample(graph, constants, run, check_timeout, warn)
    elif check == "all":
        warn(
            f"check: finite differences on every row: {run.fd_checked} gradients agree, "
            f"{run.fd_mismatches} disagree, {run.fd_unchecked} unchecked "
            "(near a kink or a domain edge, or past the time budget); "
            f"the {run.fd_flagged} that float64 finite differences flagged were re-checked "
            "by high-precision difference quotients, and only those they confirm disagree"
        )
        status = EXIT_CHECK_FAILED if run.fd_mismatches else EXIT_OK
    if run.math_error_rows:
        warn(f"{run.math_error_rows} of {run.rows} rows had a math error; their values are nan")
        status = EXIT_MATH
    run.status = status
    return run


def _report_unused_keys(reader: PointReader, constants, warn) -> None:
    """JSON Lines keys the program does not use: a warning each, once, like CSV columns."""
    for key, row in list(reader.unused_keys.items()):
        if row < 0 or key in reader.keep:
            continue
        if key in constants:
            raise UsageError(
                f"{key} is both a key of the points (row {row}) and a NAME=VALUE argument"
            )
        shown = visible(key)
        warn(
            f"key {shown} (first in row {row}) is not used by the program "
            f"(--keep {shown} carries it through)"
        )
        reader.unused_keys[key] = -1


def _at(x: np.ndarray | float, r: int) -> float:
    """Row ``r`` of a column, or the value itself for a constant."""
    return float(x) if np.ndim(x) == 0 else float(x[r])


def _point_at(columns: Mapping[str, np.ndarray | float], r: int) -> dict[str, float]:
    return {name: _at(col, r) for name, col in columns.items()}


def _report_math_errors(graph, chunk: Chunk, columns, error_node, run: PointsRun, warn) -> None:
    bad_rows = np.flatnonzero(error_node >= 0)
    run.math_error_rows += len(bad_rows)
    for r in bad_rows:
        if run.warnings_shown == MAX_ROW_WARNINGS:
            warn("more rows with math errors follow; only the count is reported from here")
        run.warnings_shown += 1
        if run.warnings_shown > MAX_ROW_WARNINGS:
            continue
        reason = math_error_reason(graph, _point_at(columns, int(r)), int(error_node[r]))
        warn(f"row {chunk.first_row + int(r)}: {reason}")


def _sample(chunk: Chunk, columns, batch, run: PointsRun, rng: random.Random) -> None:
    """Reservoir sampling: the first row, then SAMPLE_SIZE - 1 rows uniformly from the rest."""
    for r in range(chunk.rows):
        row = chunk.first_row + r
        if batch.error_node[r] >= 0:
            continue
        if not run.sample:
            slot = 0
        elif len(run.sample) < SAMPLE_SIZE:
            slot = len(run.sample)
        else:
            slot = 1 + rng.randrange(row - 1)  # row - 1 candidates after the first
            if slot >= SAMPLE_SIZE:
                continue
        kept = (
            row,
            _point_at(columns, r),
            [_at(v, r) for v in batch.values],
            [None if g is None else _at(g, r) for g in batch.grads],
        )
        if slot == len(run.sample):
            run.sample.append(kept)
        else:
            run.sample[slot] = kept


def sampled_point(
    point: Mapping[str, float],
    values: list[float],
    grads: list[float | None],
    constants: Mapping[str, InputValue],
) -> Point:
    """A sampled row as the check takes it: the row's floats as exact fractions, and
    NAME=VALUE constants with their exact values (1/3 stays 1/3)."""
    exact = {
        name: constants[name].exact if name in constants else Fraction(repr(value))
        for name, value in point.items()
    }
    return Point(exact, values, grads)


def _check_sample(graph, constants, run: PointsRun, timeout: float, warn) -> int:
    run.sample.sort(key=lambda item: item[0])
    points = [
        sampled_point(point, values, grads, constants) for _, point, values, grads in run.sample
    ]
    reports = check_points(graph, points, timeout)
    method = reports[0].method
    for row, report in zip((row for row, *_ in run.sample), reports, strict=True):
        for node, verdict in zip(graph.nodes, report.grads, strict=True):
            if verdict and verdict.status not in (OK, "unchecked", "convention"):
                warn(
                    f"check: row {row}: ∂{graph.output_label()}/∂{graph.label(node)} "
                    f"disagrees with {method}: "
                    f"{verdict.reason}"
                )
    rows = [str(row) for row, *_ in run.sample]
    warn(sampled_rows_line(list(zip(rows, reports, strict=True))))
    return EXIT_OK if all(report.ok for report in reports) else EXIT_CHECK_FAILED


def _check_by_finite_differences(
    graph,
    chunk,
    columns,
    batch,
    run: PointsRun,
    warn,
    constants: Mapping[str, InputValue],
    budget: float,
) -> None:
    """Central differences for every input at every row, vectorised like the evaluation.

    They agree to FD_RELATIVE plus their rounding error, or flag the gradient; a
    flagged gradient counts as a mismatch only when high-precision difference
    quotients at that row confirm it (within ``budget`` seconds for the whole run;
    past it, flagged gradients are counted unchecked).
    """
    rows = chunk.rows
    ok_rows = batch.error_node < 0
    sides = pieces_arrays(graph, batch.values, rows)
    for node in graph.inputs:
        x = np.broadcast_to(np.asarray(columns[node.name], dtype=np.float64), (rows,))
        h = fd_step(x, np.maximum)
        above, above_errors = forward_arrays(graph, {**columns, node.name: x + h}, rows)
        below, below_errors = forward_arrays(graph, {**columns, node.name: x - h}, rows)
        usable = ok_rows & (above_errors < 0) & (below_errors < 0)
        for now, up, down in zip(
            sides,
            pieces_arrays(graph, above, rows),
            pieces_arrays(graph, below, rows),
            strict=True,
        ):
            usable &= (now == up) & (now == down)
        f_up = np.broadcast_to(above[graph.output], (rows,))
        f_down = np.broadcast_to(below[graph.output], (rows,))
        ours = batch.grads[node.index]
        with np.errstate(all="ignore"):
            _, agree = fd_compare(ours, f_up, f_down, h, np.maximum)
        run.fd_unchecked += int((~usable).sum())
        run.fd_checked += int((usable & agree).sum())
        for r in np.flatnonzero(usable & ~agree):
            _confirm(
                graph, chunk, columns, node, float(ours[r]), int(r), run, warn, constants, budget
            )


def _confirm(
    graph, chunk, columns, node, ours: float, r: int, run: PointsRun, warn, constants, budget
):
    """Re-check one gradient finite differences flagged, in high precision."""
    run.fd_flagged += 1
    left = budget - run.precise_seconds
    if left <= 0:
        run.fd_unchecked += 1
        return
    exact = {
        name: constants[name].exact if name in constants else Fraction(repr(_at(column, r)))
        for name, column in columns.items()
    }
    start = clock.now()
    verdict = check_input_gradient(graph, exact, node, ours, start + left)
    run.precise_seconds += clock.now() - start
    if verdict.status == OK:
        run.fd_checked += 1
    elif verdict.status != MISMATCH:
        run.fd_unchecked += 1
    else:
        run.fd_mismatches += 1
        if run.fd_mismatches <= MAX_ROW_WARNINGS:
            warn(
                f"check: row {chunk.first_row + r}: ∂{graph.output_label()}/∂{node.name} = "
                f"{format_number(ours)}, "
                f"high-precision difference quotients give {format_number(verdict.expected)} "
                f"(difference {ours - verdict.expected:.3g})"
            )
