"""Many points of a program over arrays: a points file gives each array entry by entry.

A name the program reads whole (``W`` of ``W @ x``) takes the columns ``W[1,1]``,
``W[1,2]``, ... (entries counted from 1), every entry of the shape they imply. Each row
is one point of :func:`~cgcli.api.array_evaluation.evaluate_arrays`, row by row; the
result has the output and the gradient of every entry (``dL/dW[1,1]``).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..core.errors import EXIT_CHECK_FAILED, EXIT_MATH, EXIT_OK, CgMathError, UsageError
from ..core.indexing import split_element
from ..core.ir import Graph
from ..core.untrusted import visible
from ..core.verdicts import sampled_rows_line
from ..data.points import MAX_ROW_WARNINGS, SAMPLE_SIZE, PointsRun, run_points
from ..data.points_io import PointReader, RowLayout, RowWriter
from ..passes.arrays import shape_of, shapes
from ..passes.engine import uses_arrays
from ..passes.values import (
    ArrayValue,
    InputValue,
    SequenceValue,
    expand_sequences,
    unused_column,
    unused_value,
)
from .array_evaluation import evaluate_arrays


def run_any_points(
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
    """:func:`~cgcli.data.points.run_points`, or for a program over arrays (or whose
    inputs the points give entry by entry) :func:`run_array_points`."""
    options: dict[str, Any] = dict(
        wrt=wrt, grad_only=grad_only, check=check, check_timeout=check_timeout, warn=warn
    )
    if uses_arrays(graph, constants) or _entries_of_whole_names(
        graph, reader.header or reader.names, constants
    ):
        return run_array_points(graph, constants, reader, writer, keep=keep, **options)
    return run_points(graph, constants, reader, writer, keep=keep, **options)


def _entries_of_whole_names(graph: Graph, header: Sequence[str], constants) -> bool:
    """Whether an input the program reads whole has no column but entry columns."""
    bases = {element[0] for element in map(split_element, header) if element is not None}
    return any(
        name in bases and name not in header and name not in constants for name in graph.input_names
    )


def entry_columns(name: str, header: Sequence[str]) -> tuple[tuple[int, ...], list[str]]:
    """The shape the columns ``name[i,...]`` imply and those columns in row-major order;
    a missing entry, an index below 1 or entries of two ranks is an error naming a column."""
    entries: dict[tuple[int, ...], str] = {}
    for column in header:
        element = split_element(column)
        if element is None or element[0] != name:
            continue
        index = element[1]
        if entries and len(index) != len(next(iter(entries))):
            first = next(iter(entries.values()))
            raise UsageError(
                f"column {visible(column)} has {len(index)} indexes but {visible(first)} has "
                f"{len(next(iter(entries)))}: the entries of {name} need one shape"
            )
        if min(index) < 1:
            raise UsageError(
                f"column {visible(column)} is outside any shape: entries of {name} are "
                "counted from 1"
            )
        if index in entries:
            raise UsageError(f"column {visible(column)} is given twice")
        entries[index] = column
    if not entries:
        return (), []
    shape = tuple(max(index[axis] for index in entries) for axis in range(len(next(iter(entries)))))
    ordered = []
    for index in itertools.product(*(range(1, n + 1) for n in shape)):
        if index not in entries:
            wanted = f"{name}[{','.join(map(str, index))}]"
            size = "×".join(map(str, shape))
            raise UsageError(
                f"the points have no column {wanted}: the columns of {name} imply the shape "
                f"{size}, and each of its entries needs a column"
            )
        ordered.append(entries[index])
    return shape, ordered


def run_array_points(
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
    """Evaluate an array program at every row, one row at a time; ``check`` "sample"
    checks sampled rows against SymPy as for scalar points, "all" is refused (its finite
    differences screen scalar programs)."""
    if check == "all":
        raise UsageError(
            "--check all screens scalar programs by finite differences; a program over "
            "arrays checks the first row and four drawn at random with SymPy (--check sample) "
            "or none (--no-check)"
        )
    constants, placed = expand_sequences(graph, constants)
    for warning in placed:
        warn(warning)
    graph = graph.bind_constants([*reader.names, *constants])
    inputs = list(graph.input_names)
    header = list(reader.header or reader.names)  # JSON Lines: the first row's keys
    for name in constants:
        if name in header or entry_columns(name, header)[1]:
            raise UsageError(f"{name} is both a column of the points and a NAME=VALUE argument")
        if name not in inputs:
            warn(unused_value(graph, name))
    columns_of: dict[str, list[str]] = {}
    shape_of_input: dict[str, tuple[int, ...]] = {}
    for name in inputs:
        if name in constants:
            shape_of_input[name] = shape_of(constants[name].number)
            continue
        shape, entries = entry_columns(name, header)
        if name in header and entries:
            raise UsageError(f"{name} is both a column and the entries {visible(entries[0])}, ...")
        columns_of[name] = entries or [name]
        shape_of_input[name] = shape
    row_names = [column for name in inputs if name in columns_of for column in columns_of[name]]
    reader.require(row_names)
    shapes(graph, shape_of_input)  # a shape error with its caret before any row is read
    kept = reader.keep_columns(keep, row_names)
    for column in header:
        if column not in row_names and column not in kept:
            warn(unused_column(graph, column))
    wrt = inputs if wrt is None else wrt
    grad_columns = [
        (name, column)
        for name in wrt
        for column in (columns_of.get(name) or _entry_names(name, shape_of_input[name]))
    ]
    output = graph.label(graph.nodes[graph.output])
    layout = RowLayout(row_names, output, [column for _, column in grad_columns], grad_only, kept)
    out = writer(layout)
    run = PointsRun()
    sample: list[tuple[int, dict[str, Any]]] = []
    rng = random.Random(0)
    try:
        for chunk in reader.chunks(row_names):
            value = np.full(chunk.rows, np.nan)
            grads = [np.full(chunk.rows, np.nan) for _ in grad_columns]
            for r in range(chunk.rows):
                row = chunk.first_row + r
                point: dict[str, Any] = dict(constants)
                for name, names in columns_of.items():
                    numbers = np.array([chunk.columns[c][r] for c in names], dtype=np.float64)
                    point[name] = ArrayValue(name, numbers.reshape(shape_of_input[name]), None)
                try:
                    result = evaluate_arrays(graph, point, check=False, check_timeout=0)
                except CgMathError as exc:
                    _math_error(row, exc, run, warn)
                    continue
                value[r] = result.value
                _gradient_entries(result.gradient, grad_columns, grads, r)
                if check == "sample":
                    _sample(row, point, sample, rng)
            out.write(chunk, value, grads)
            run.rows += chunk.rows
            if chunk.error:
                if run.rows:
                    out.finish()
                raise chunk.error
        out.finish()
    except BaseException:  # a bad row, an error, a signal: nothing half-written is kept
        out.abandon()
        raise
    if sample:
        run.status = _check_sample(graph, sorted(sample, key=lambda s: s[0]), check_timeout, warn)
    if run.math_error_rows:
        warn(f"{run.math_error_rows} of {run.rows} rows had a math error; their values are nan")
        run.status = EXIT_MATH
    return run


def _math_error(row: int, exc: CgMathError, run: PointsRun, warn) -> None:
    """A row whose evaluation failed: counted, its values nan, a warning for the first
    MAX_ROW_WARNINGS."""
    run.math_error_rows += 1
    run.warnings_shown += 1
    if run.warnings_shown <= MAX_ROW_WARNINGS:
        warn(f"row {row}: {exc}")
    elif run.warnings_shown == MAX_ROW_WARNINGS + 1:
        warn("more rows with math errors follow; only the count is reported from here")


def _sample(row: int, point: dict[str, Any], sample: list, rng: random.Random) -> None:
    """Reservoir sampling as for scalar points: the first row, then SAMPLE_SIZE - 1 rows
    uniformly from the rest."""
    if len(sample) < SAMPLE_SIZE:
        sample.append((row, point))
        return
    slot = 1 + rng.randrange(row - 1)
    if slot < SAMPLE_SIZE:
        sample[slot] = (row, point)


def _check_sample(graph: Graph, sample: list, timeout: float, warn) -> int:
    """Each sampled row evaluated again with its check against SymPy; the exit status."""
    checked = [
        (str(row), evaluate_arrays(graph, point, check=True, check_timeout=timeout).check)
        for row, point in sample
    ]
    warn(sampled_rows_line(checked))
    return EXIT_OK if all(report.ok for _, report in checked) else EXIT_CHECK_FAILED


def _entry_names(name: str, shape: tuple[int, ...]) -> list[str]:
    """``W[1,1]``, ``W[1,2]``, ... for a value given on the command line; ``name`` for a
    scalar."""
    if not shape:
        return [name]
    return [
        f"{name}[{','.join(map(str, index))}]"
        for index in itertools.product(*(range(1, n + 1) for n in shape))
    ]


def _gradient_entries(gradient, grad_columns, grads: list[np.ndarray], r: int) -> None:
    """Row ``r`` of each gradient column: the entries of each input's gradient in order."""
    flat: dict[str, Any] = {}
    for k, (name, _) in enumerate(grad_columns):
        if name not in flat:
            g = gradient.get(name)
            flat[name] = iter(np.ravel(np.nan if g is None else g))
        grads[k][r] = next(flat[name], np.nan)
