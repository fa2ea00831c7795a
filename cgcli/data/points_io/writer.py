"""Result rows out: CSV, TSV, JSON Lines, JSON and Parquet/Arrow by pyarrow; the table by hand.

Floats are written in their shortest round-trip form (pyarrow's, as Python's repr:
reading the text back gives the same float64), nan and ±inf as nan, inf, -inf
(strings in JSON). Each chunk reaches the sink before the next is read.
"""

from __future__ import annotations

import contextlib
import functools
import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from ...core.errors import UsageError
from ...core.numbers import format_number
from .formats import BINARY_FORMATS, DELIMITERS, Chunk


@dataclass(frozen=True)
class RowLayout:
    """The columns of a result row: the columns kept (``--keep``), the point's inputs, the
    output, the gradients."""

    inputs: list[str]
    output: str
    wrt: list[str]
    grad_only: bool = False
    kept: tuple[str, ...] = ()

    def header(self) -> list[str]:
        grads = [f"d{self.output}/d{name}" for name in self.wrt]
        numbers = grads if self.grad_only else [*self.inputs, self.output, *grads]
        return [*self.kept, *numbers]


def _refuse_repeated_columns(layout: RowLayout, fmt: str) -> None:
    """Refused before any row: a kept column named like one cg writes (a CSV result could
    not be read back, Parquet and Arrow need distinct names); in Parquet and Arrow an input
    named like the output too (``cg eval x``)."""
    header = layout.header()
    repeated = sorted({n for n in header if header.count(n) > 1})
    kept = [name for name in repeated if name in layout.kept]
    if kept:
        name = kept[0]
        raise UsageError(
            f"the result would have two columns named {name}: a column kept with --keep and a "
            f"column cg writes; leave {name} out of --keep (or name the output otherwise: "
            "f = ...)"
        )
    if repeated and fmt in BINARY_FORMATS:
        raise UsageError(
            f"--format {fmt} needs distinct column names, but {repeated[0]} is both an input "
            "and the output; give the output a name of its own (f = ...)"
        )


class RowWriter:
    """Writes result rows to a byte sink in one of the output formats, chunk by chunk."""

    def __init__(self, sink: BinaryIO, fmt: str, layout: RowLayout, digits: int | None) -> None:
        self.sink = sink
        self.format = fmt
        self.layout = layout
        self.digits = digits
        self.rows_written = 0
        self.started = False
        self.widths: list[int] | None = None
        self.binary_writer = None
        self.pending_write: Future | None = None
        if fmt not in ("jsonl", "json"):  # these nest the kept columns and the numbers apart
            _refuse_repeated_columns(layout, fmt)

    def start(self, kept: pa.Table | None = None) -> None:
        """The header (or the opening of a JSON array), once, before the first row; the
        first chunk's kept columns give a Parquet or Arrow file their types."""
        if self.started:
            return
        self.started = True
        header = self.layout.header()
        if self.format in DELIMITERS:
            names = [_csv_field(name, DELIMITERS[self.format]) for name in header]
            self._put((DELIMITERS[self.format].join(names) + "\n").encode())
        elif self.format == "json":
            self._put(b"[")
        elif self.format in ("parquet", "arrow"):
            kept_fields = [] if kept is None else list(kept.schema)
            kept_fields += [pa.field(n, pa.string()) for n in self.layout.kept[len(kept_fields) :]]
            self.binary_writer = _binary_writer(self.sink, self.format, header, kept_fields)

    def write(self, chunk: Chunk, value: np.ndarray, grads: list[np.ndarray]) -> None:
        """Write ``chunk.rows`` rows: inputs from the chunk, the output value and gradients."""
        if chunk.rows == 0:
            return
        layout = self.layout
        kept = chunk.kept if layout.kept else None
        self.start(kept)
        inputs = [] if layout.grad_only else [chunk.columns[n] for n in layout.inputs]
        numbers = [*inputs, *([] if layout.grad_only else [value]), *grads]
        numbers = [np.ascontiguousarray(column, dtype=np.float64) for column in numbers]
        if self.format in DELIMITERS and kept is not None:
            self._put(_delimited_kept(kept, numbers, DELIMITERS[self.format]))
        elif self.format in DELIMITERS:
            self._put(_delimited(numbers, DELIMITERS[self.format], chunk.rows))
        elif self.format in ("jsonl", "json"):
            self._put(self._json(numbers, kept))
        elif self.binary_writer is not None:
            # Encoding Parquet or Arrow runs in a thread (pyarrow releases the GIL) while
            # this one reads and evaluates the next chunk; one write at a time keeps order.
            table = _table(numbers)
            if kept is not None:
                table = _with_kept(kept, table, self.binary_writer.schema, chunk.first_row)
            self._wait_for_write()
            self.pending_write = _formatting_pool().submit(self.binary_writer.write_table, table)
        else:
            self._put(self._table_text(numbers, kept).encode())
        self.rows_written += chunk.rows

    def finish(self) -> None:
        self.start()
        if self.format == "json":
            self._put(b"\n]\n" if self.rows_written else b"]\n")
        if self.binary_writer is not None:
            self._wait_for_write()
            self.binary_writer.close()
        self.sink.flush()

    def abandon(self) -> None:
        """Stop without finishing (an error or a signal): the Parquet or Arrow writer is
        let go without writing its footer to a sink that is closed or being removed."""
        pending, self.pending_write = self.pending_write, None
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                pending.result()
        if self.binary_writer is not None:
            self.binary_writer.abandon()
            self.binary_writer = None

    def _wait_for_write(self) -> None:
        """Wait for the chunk being written (and raise its error, if it had one)."""
        if self.pending_write is not None:
            self.pending_write, pending = None, self.pending_write
            pending.result()

    def _put(self, data: bytes) -> None:
        self.sink.write(data)
        self.sink.flush()  # stream: each chunk reaches the reader before the next is read

    def _json(self, numbers: list[np.ndarray], kept: pa.Table | None = None) -> bytes:
        """One object per row, assembled column-wise from each column's shortest text; the
        kept columns first, under "kept"."""
        import pyarrow.compute as pc

        layout = self.layout
        texts = [_json_texts(column) for column in numbers]
        pieces: list = []

        def members(names: list[str], columns: list) -> None:
            for i, (name, text) in enumerate(zip(names, columns, strict=True)):
                key = json.dumps(name, ensure_ascii=False)
                pieces.append(f"{key}: " if i == 0 else f", {key}: ")
                pieces.append(text)

        grads = texts[-len(layout.wrt) :] if layout.wrt else []
        if kept is not None:
            pieces.append('{"kept": {')
            members(list(layout.kept), [_kept_json(column) for column in kept.columns])
            pieces.append("}, ")
        else:
            pieces.append("{")
        if layout.grad_only:
            pieces.append('"gradient": {')
        else:
            pieces.append('"inputs": {')
            members(layout.inputs, texts[: len(layout.inputs)])
            pieces.append('}, "value": ')
            pieces.append(texts[len(layout.inputs)])
            pieces.append(', "gradient": {')
        members(layout.wrt, grads)
        pieces.append("}}\n" if self.format == "jsonl" else "}},\n")
        pieces = [_text(piece) if isinstance(piece, str) else piece for piece in pieces]
        rows = _joined(pc.binary_join_element_wise(*pieces, _text("")))
        if self.format == "jsonl":
            return rows
        lead = b"\n" if self.rows_written == 0 else b",\n"
        return lead + rows[: -len(b",\n")]

    def _table_text(self, numbers: list[np.ndarray], kept: pa.Table | None = None) -> str:
        """The aligned table, for a reader: names and kept text with their control
        characters made visible (a kept ESC cannot recolour the terminal)."""
        from ...core.untrusted import visible

        header = [visible(name) for name in self.layout.header()]
        count = len(numbers[0]) if numbers else kept.num_rows if kept is not None else 0
        texts = [] if kept is None else [list(map(visible, _kept_text(c))) for c in kept.columns]
        rows = [
            [
                *(text[r] for text in texts),
                *(format_number(float(c[r]), self.digits) for c in numbers),
            ]
            for r in range(count)
        ]
        lines = []
        if self.widths is None:
            self.widths = [
                max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)
            ]
            lines.append("  ".join(h.rjust(w) for h, w in zip(header, self.widths, strict=True)))
        for row in rows:
            lines.append("  ".join(c.rjust(w) for c, w in zip(row, self.widths, strict=True)))
        return "\n".join(lines) + "\n"


def _kept_strings(column: pa.ChunkedArray) -> pa.Array:
    """A kept column as text: strings as they are, numbers and dates as pyarrow writes
    them, other values (lists, objects) as JSON; null as the empty string."""
    import pyarrow.compute as pc

    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    try:
        text = column if pa.types.is_string(column.type) else column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = [None if v is None else json.dumps(v, default=str) for v in column.to_pylist()]
        text = pa.array(values, pa.string())
    return pc.fill_null(text, "")


def _kept_text(column: pa.ChunkedArray) -> list[str]:
    return _kept_strings(column).to_pylist()


def _csv_field(text: str, delimiter: str) -> str:
    """One field of CSV or TSV: quoted (quotes doubled) when it holds the delimiter, a
    quote or a line end, as written otherwise."""
    if any(c in text for c in (delimiter, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def _delimited_kept(kept: pa.Table, numbers: list[np.ndarray], delimiter: str) -> bytes:
    """CSV or TSV rows that start with the kept columns: each field as it was read (quoted
    where it must be), then the numbers as :func:`_delimited` writes them."""
    import pyarrow.compute as pc

    needs_quotes = "[" + ("\t" if delimiter == "\t" else delimiter) + '"\r\n]'
    fields = []
    for column in kept.columns:
        text = _kept_strings(column)
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
        fields.append(pc.if_else(pc.match_substring_regex(text, needs_quotes), quoted, text))
    fields += [_float_array(column).cast(pa.string()) for column in numbers]
    rows = pc.binary_join_element_wise(*fields, _text(delimiter))
    return _joined(pc.binary_join_element_wise(rows, _text("\n"), _text("")))


def _kept_json(column: pa.ChunkedArray) -> pa.Array:
    """Each value of a kept column as JSON: strings, numbers (floats in their shortest form,
    non-finite ones as strings, as the other numbers), true/false, null, lists, objects."""
    values = column.to_pylist()
    if pa.types.is_floating(column.type):
        floats = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        texts = _json_texts(floats).to_pylist()
        return pa.array(
            ["null" if v is None else t for v, t in zip(values, texts, strict=True)], pa.string()
        )
    return pa.array([json.dumps(v, ensure_ascii=False, default=str) for v in values], pa.string())


def _with_kept(kept: pa.Table, numbers: pa.Table, schema: pa.Schema, first_row: int) -> pa.Table:
    """The kept columns (in the file's types, set by the first rows) beside the numbers."""
    columns = []
    for field, column in zip(schema, kept.columns, strict=False):
        if column.type != field.type:
            try:
                column = column.cast(field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise UsageError(
                    f"--keep {field.name}: from row {first_row} its values are {column.type}, "
                    f"before they were {field.type}; a Parquet or Arrow column has one type "
                    "(write CSV or JSON Lines instead)"
                ) from None
        columns.append(column)
    return pa.Table.from_arrays(
        [*columns, *numbers.columns], [f"k{i}" for i in range(len(columns))] + numbers.column_names
    )


def _table(numbers: list[np.ndarray]) -> pa.Table:
    """The columns under placeholder names (a header may repeat a name: program "x")."""
    return pa.Table.from_arrays(
        [_float_array(column) for column in numbers], [f"c{i}" for i in range(len(numbers))]
    )


def _float_array(column: np.ndarray) -> pa.Array:
    """A contiguous float64 array as an Arrow array, without a copy (and without the
    import of numpy.ma that pa.array makes to look for a mask)."""
    return pa.Array.from_buffers(pa.float64(), len(column), [None, pa.py_buffer(column)])


def _delimited(numbers: list[np.ndarray], delimiter: str, rows: int) -> bytes:
    """The rows as CSV or TSV text; formatting floats is the slow step, so the rows are
    split in FORMATTING_THREADS slices formatted at once (pyarrow releases the GIL)."""
    if not numbers:
        return b"\n" * rows
    table = _table(numbers)
    options = pa_csv.WriteOptions(include_header=False, delimiter=delimiter, quoting_style="none")

    def text(piece: pa.Table) -> bytes:
        sink = pa.BufferOutputStream()
        pa_csv.write_csv(piece, sink, options)
        return sink.getvalue().to_pybytes()

    step = -(-rows // FORMATTING_THREADS)
    if step < MIN_SLICE_ROWS:
        return text(table)
    slices = [table.slice(start, step) for start in range(0, rows, step)]
    return b"".join(_formatting_pool().map(text, slices))


FORMATTING_THREADS = 2
MIN_SLICE_ROWS = 5_000
"""Chunks of fewer than FORMATTING_THREADS × this many rows are formatted in one piece."""


@functools.cache
def _formatting_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(FORMATTING_THREADS, thread_name_prefix="cg-format")


def _json_texts(column: np.ndarray) -> pa.Array:
    """Each float as JSON: its shortest text, non-finite ones as the strings "nan", "inf".

    Negative zero is written -0.0: JSON readers take -0 for the integer 0.
    """
    import pyarrow.compute as pc

    text = _float_array(column).cast(pa.string())
    text = pc.replace_substring_regex(text, pattern="^-0$", replacement="-0.0")
    return pc.replace_substring_regex(text, pattern="^(nan|inf|-inf)$", replacement='"\\1"')


def _text(value: str) -> pa.Scalar:
    """A string scalar (pa.scalar would import pandas where it is installed)."""
    data = value.encode()
    offsets = np.array([0, len(data)], dtype=np.int32)
    array = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return array[0]


def _joined(strings: pa.Array) -> bytes:
    """The bytes of every string of ``strings`` one after another (its data buffer)."""
    offsets = np.frombuffer(strings.buffers()[1], np.int32, len(strings) + 1, strings.offset * 4)
    return memoryview(strings.buffers()[2])[offsets[0] : offsets[-1]].tobytes()


def _binary_writer(sink: BinaryIO, fmt: str, header: list[str], kept: list[pa.Field]):
    floats = header[len(kept) :]
    schema = pa.schema([*kept, *((name, pa.float64()) for name in floats)])
    if fmt == "parquet":
        import pyarrow.parquet as pq

        # No dictionary encoding: computed floats rarely repeat, and trying it for every
        # column of every chunk costs several times the writing itself.
        writer = pq.ParquetWriter(sink, schema, use_dictionary=False)
    else:
        import pyarrow.ipc as ipc

        # A file gets the IPC file format (Feather); a pipe the stream format, whose
        # reader need not wait for the end.
        writer = ipc.new_file(sink, schema) if _seekable(sink) else ipc.new_stream(sink, schema)
    return _Renamed(writer, schema)


class _Renamed:
    """A Parquet or Arrow writer fed tables under placeholder names."""

    def __init__(self, writer, schema: pa.Schema) -> None:
        self.writer = writer
        self.schema = schema

    def write_table(self, table: pa.Table) -> None:
        self.writer.write_table(table.rename_columns(self.schema.names))

    def close(self) -> None:
        self.writer.close()

    def abandon(self) -> None:
        """Forget the writer: it will not write its footer when it is collected."""
        with contextlib.suppress(AttributeError):  # pyarrow's ParquetWriter closes on __del__
            self.writer.is_open = False


def _seekable(sink: BinaryIO) -> bool:
    try:
        return sink.seekable()
    except (AttributeError, OSError, ValueError):
        return False
