"""Parquet and Arrow IPC: record batches of numeric columns, read as float64.

Floating columns are read as they are; integer columns only where every value
is exactly a float64 (|n| ≤ 2^53). A column of another type (text, dates,
booleans), a null or a non-finite value is a bad row, named by row and column.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import BinaryIO

import pyarrow as pa

from ...core.errors import UsageError
from .columns import arrow_owned, first_unusable, kept_table, table_chunks, value_problem
from .formats import BadRow, Chunk
from .reader import PointReader

ARROW_FILE_MAGIC = b"ARROW1"
EXACT_INTEGERS = 2**53
"""Integers up to this size are float64 values exactly."""


class ColumnarPoints(PointReader):
    """Points in a Parquet file or an Arrow IPC file or stream."""

    def __init__(self, stream: BinaryIO, point_format: str, chunk_rows: int, what: str) -> None:
        super().__init__(point_format, chunk_rows, what)
        try:
            self.batches, schema = _open(stream, point_format, chunk_rows)
        except (pa.ArrowException, OSError) as exc:
            kind = "Parquet" if point_format == "parquet" else "Arrow IPC"
            problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UsageError(f"cannot read {what} as {kind}: {problem}") from None
        self.schema = schema
        self.header = list(schema.names)
        self.names = self.header
        duplicates = sorted({n for n in self.header if self.header.count(n) > 1})
        if duplicates:
            raise UsageError(f"the points' columns repeat {', '.join(duplicates)}")

    @property
    def empty(self) -> bool:
        return not self.header

    def chunks(self, names: Sequence[str]) -> Iterator[Chunk]:
        self.require(names)
        next_row = 1
        try:
            for batch in self.batches([*names, *self.keep]):
                read = pa.Table.from_batches([batch])
                table, error = _as_floats(read, names, next_row)
                kept = kept_table(read, self.keep, table.num_rows)
                yield from table_chunks(table, names, next_row, self.chunk_rows, error, kept)
                next_row += table.num_rows
                if error is not None:
                    return
        finally:
            self.batches = _no_batches  # pyarrow's reader goes now, not at exit


def _no_batches(names: Sequence[str]) -> Iterator[pa.RecordBatch]:
    return iter(())


def _open(stream: BinaryIO, point_format: str, chunk_rows: int):
    """A function from column names to record batches, and the schema."""
    if point_format == "parquet":
        import pyarrow.parquet as pq

        source = _native(stream)
        # pre_buffer would read ahead every row group of the file: memory grows with it.
        parquet = pq.ParquetFile(source, pre_buffer=False)
        return (
            lambda names: parquet.iter_batches(batch_size=chunk_rows, columns=names),
            parquet.schema_arrow,
        )
    import pyarrow.ipc as ipc

    if _starts_with(stream, ARROW_FILE_MAGIC):  # the IPC file format: its index is at the end
        reader = ipc.open_file(_native(stream))
        batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
    else:  # the IPC stream format, read as it comes
        reader = ipc.open_stream(stream)
        batches = iter(reader)
    return lambda names: (batch.select(names) for batch in batches), reader.schema


def _native(stream: BinaryIO) -> pa.NativeFile:
    """A file pyarrow reads by itself, never calling back into Python: the file by its
    path, or else the whole stream copied into pyarrow's memory (see :func:`arrow_owned`;
    pyarrow reading through a Python file object may still be reading ahead when Python
    exits, and then abort the process as well)."""
    name = getattr(stream, "name", None)
    if isinstance(name, str) and _seekable(stream) and os.path.isfile(name):
        return pa.OSFile(name)
    return pa.BufferReader(arrow_owned(stream.read()))


def _starts_with(stream: BinaryIO, magic: bytes) -> bool:
    """Whether ``stream`` starts with ``magic``, leaving its position at the start."""
    if _seekable(stream):
        start = stream.read(len(magic))
        stream.seek(0)
        return start == magic
    peek = getattr(stream, "peek", None)
    return peek is not None and peek(len(magic))[: len(magic)] == magic


def _seekable(stream: BinaryIO) -> bool:
    try:
        return stream.seekable()
    except (AttributeError, OSError, ValueError):
        return False


def _as_floats(table: pa.Table, names: Sequence[str], first_row: int):
    """``table``'s columns as float64 up to the first bad row, and that row's error."""
    stop: tuple[int, str, str] | None = None
    columns = {}
    for name in names:
        column = table.column(name)
        kind = column.type
        if kind == pa.float64():
            columns[name] = column
        elif pa.types.is_floating(kind):
            columns[name] = column.cast(pa.float64())
        elif pa.types.is_integer(kind):
            import pyarrow.compute as pc

            beyond = pc.or_(pc.greater(column, EXACT_INTEGERS), pc.less(column, -EXACT_INTEGERS))
            inexact = pc.fill_null(beyond, False)
            if pc.any(inexact).as_py():
                row = pc.index(inexact, True).as_py()
                problem = f"{column[row].as_py()} is not exactly a float64 (over 2^53)"
                stop = _earlier(stop, (row, name, problem))
                column = pc.if_else(inexact, None, column)
            columns[name] = column.cast(pa.float64())
        elif table.num_rows:
            value = column[0].as_py()
            problem = f"{value!r} is not a number (the column holds {kind})"
            stop = _earlier(stop, (0, name, problem))
            columns[name] = pa.nulls(table.num_rows, pa.float64())
        else:
            columns[name] = pa.nulls(0, pa.float64())
    floats = pa.Table.from_arrays(list(columns.values()), list(columns)) if columns else table
    unusable = first_unusable(floats, names)
    if unusable is not None:
        row, name = unusable
        if stop is None or (row, names.index(name)) < (stop[0], names.index(stop[1])):
            stop = (row, name, value_problem(floats, row, name))
    if stop is None:
        return floats, None
    row, name, problem = stop
    return floats.slice(0, row), BadRow(f"row {first_row + row}, column {name}: {problem}")


def _earlier(found, candidate):
    return candidate if found is None or candidate[0] < found[0] else found
