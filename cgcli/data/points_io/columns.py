"""pyarrow tables of points as chunks of float64 columns, the first unusable value, and
bytes handed to pyarrow in memory of its own."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pyarrow as pa

from .formats import BadRow, Chunk


def arrow_owned(data: bytes) -> pa.Buffer:
    """A copy of ``data`` in pyarrow's own memory, for pyarrow to read with its threads.

    pyarrow reading a Python ``bytes`` may drop its last reference on one of its own
    threads after the read returned; freeing a Python object there takes the GIL, and at
    interpreter exit that thread is stopped mid-destructor and the process aborts
    ("terminate called without an active exception", apache/arrow#34314). Memory of
    pyarrow's own is freed without Python.
    """
    sink = pa.BufferOutputStream()
    sink.write(data)
    return sink.getvalue()


def first_unusable(table: pa.Table, names: Sequence[str]) -> tuple[int, str] | None:
    """The first row (from 0) holding a null or a non-finite value in ``names``, and
    its first such column; None when every value is a finite number."""
    found: tuple[int, str] | None = None
    for name in names:
        finite = np.isfinite(_floats(table.column(name)))  # a null is nan here
        if finite.all():
            continue
        row = int(np.argmin(finite))
        if found is None or row < found[0]:
            found = (row, name)
    return found


def value_problem(table: pa.Table, row: int, name: str) -> str:
    """Why the value at ``row`` of column ``name`` is unusable: missing or not finite."""
    value = table.column(name)[row].as_py()
    if value is None:
        return "the field is empty (null)"
    return f"{value!r} is not a finite number"


def table_chunks(
    table: pa.Table,
    names: Sequence[str],
    first_row: int,
    chunk_rows: int,
    error: BadRow | None = None,
    kept: pa.Table | None = None,
) -> Iterator[Chunk]:
    """``table``'s rows in chunks of at most ``chunk_rows``; ``error`` rides on the last;
    ``kept`` (the same rows' --keep columns) is sliced beside them."""
    arrays = {name: _floats(table.column(name)) for name in names}
    rows = table.num_rows
    starts = range(0, rows, chunk_rows) if rows else [0]
    for start in starts:
        size = min(chunk_rows, rows - start)
        last = start + chunk_rows >= rows
        if size == 0 and error is None:
            return
        yield Chunk(
            first_row + start,
            size,
            {name: array[start : start + size] for name, array in arrays.items()},
            error if last else None,
            None if kept is None else kept.slice(start, size),
        )


def kept_table(table: pa.Table, kept: Sequence[str], rows: int) -> pa.Table | None:
    """The columns ``kept`` of ``table``'s first ``rows`` rows, as they were read; a column
    the table lacks (a JSON Lines key absent from these rows) is all null."""
    if not kept:
        return None
    columns = [
        table.column(name).slice(0, rows) if name in table.column_names else pa.nulls(rows)
        for name in kept
    ]
    return pa.Table.from_arrays(columns, list(kept))


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    """A float64 column as a numpy array, nan where null: read from Arrow's buffers, since
    pyarrow's to_numpy imports pandas where it is installed (0.15 s and 40 MB)."""
    pieces = [_chunk_floats(chunk) for chunk in column.chunks]
    if len(pieces) == 1:
        return pieces[0]
    return np.concatenate(pieces) if pieces else np.empty(0)


def _chunk_floats(chunk: pa.Array) -> np.ndarray:
    validity, data = chunk.buffers()[:2]
    if data is None or len(chunk) == chunk.null_count:
        return np.full(len(chunk), np.nan)
    values = np.frombuffer(data, np.float64, count=len(chunk), offset=chunk.offset * 8)
    if chunk.null_count:
        bits = np.unpackbits(np.frombuffer(validity, np.uint8), bitorder="little")
        valid = bits[chunk.offset : chunk.offset + len(chunk)].astype(bool)
        values = np.where(valid, values, np.nan)
    return values
