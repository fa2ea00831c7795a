"""Reading many points in chunks (CSV, TSV, JSON Lines) and writing result rows.

Rows are numbered from 1 in the order they are read; a header and blank lines
are not counted. A bad row stops reading with a message naming its row and
column; the rows before it are still handed on.
"""

from __future__ import annotations

import csv
import json
import math
import multiprocessing
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import BinaryIO, TextIO

import numpy as np

from .errors import UsageError
from .files import BOM, not_utf8, open_binary
from .numbers import format_number

DELIMITERS = {"csv": ",", "tsv": "\t"}


class BadRow(UsageError):
    """A row that cannot be read: a missing field or a value that is not a finite number."""

    kind = "error in the data"


@dataclass(frozen=True)
class Chunk:
    """Consecutive rows: a float array per used column, and the raw lines when echoable."""

    first_row: int
    rows: int
    columns: dict[str, np.ndarray]
    raw: list[str] | None = None
    """The rows' text without line ends, when they hold exactly the used columns."""
    delimiter: str | None = None
    """The delimiter of ``raw``."""
    error: BadRow | None = None
    """Set on the last chunk when reading stopped at a bad row after these rows."""


def point_format_for(path: str, explicit: str | None) -> str:
    """The points format: given explicitly, or from the file's extension (csv by default)."""
    if explicit:
        return explicit
    lowered = path.lower()
    for suffix, name in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".tsv", "tsv")):
        if lowered.endswith(suffix):
            return name
    return "csv"


class PointReader:
    """Reads points in chunks of ``chunk_rows`` rows from a byte stream of UTF-8 text.

    A byte-order mark at the start is skipped; a byte that is not UTF-8 is a bad
    row, named with its byte offset. ``unused_keys`` collects JSON Lines keys that
    are not among the columns asked for, with the row each first appeared in.
    ``names`` are the variables the points give values for: the CSV or TSV header,
    or the keys of the first JSON Lines row.
    """

    def __init__(
        self, stream: BinaryIO, point_format: str, chunk_rows: int, what: str = "the points"
    ) -> None:
        self.stream = stream
        self.format = point_format
        self.chunk_rows = chunk_rows
        self.what = what
        self.next_row = 1
        self.offset = 0
        """Bytes read so far."""
        self.line = 0
        """Lines read so far, blank ones and the header included."""
        self.header: list[str] = []
        self.unused_keys: dict[str, int] = {}
        self._pending: tuple[list[str], BadRow | None] = ([], None)
        """Lines read ahead (the first JSON Lines row), handed out first."""
        if point_format in DELIMITERS:
            self.header = self._read_header()
            self.names = self.header
        else:
            self.names = self._first_keys()

    @property
    def empty(self) -> bool:
        """Whether the stream held nothing but blank lines (no header, no row)."""
        if self.format in DELIMITERS:
            return not self.header
        lines, error = self._pending
        return error is None and not any(line.strip() for line in lines)

    def _first_nonblank(self) -> tuple[list[str], BadRow | None]:
        """Lines up to the first one that is not blank (or the end, or a bad line)."""
        read: list[str] = []
        while True:
            lines, error = self._read_lines(1)
            read += lines
            if error or not lines or lines[0].strip():
                return read, error

    def _first_keys(self) -> list[str]:
        lines, error = self._first_nonblank()
        self._pending = (lines, error)
        try:
            first = json.loads(lines[-1]) if lines else None
        except ValueError:
            return []  # reported as a bad row when the rows are read
        return [key for key in first if isinstance(key, str)] if isinstance(first, dict) else []

    def _read_header(self) -> list[str]:
        lines, error = self._first_nonblank()
        if error:
            raise error
        if not lines or not lines[-1].strip():
            return []
        try:
            fields = next(csv.reader(lines[-1:], delimiter=DELIMITERS[self.format]))
        except csv.Error as exc:
            raise UsageError(f"the points' header cannot be read: {exc}") from None
        header = [name.strip() for name in fields]
        if "" in header:
            where = header.index("") + 1
            raise UsageError(f"the points' header has an empty column name (column {where})")
        duplicates = sorted({n for n in header if header.count(n) > 1})
        if duplicates:
            raise UsageError(f"the points' header repeats {', '.join(duplicates)}")
        return header

    def _raw_lines(self, count: int) -> list[bytes]:
        """Up to ``count`` lines as bytes; a line over MAX_LINE bytes is refused."""
        raw = []
        try:
            for _ in range(count):
                line = self.stream.readline(MAX_LINE + 1)
                if not line:
                    break
                if len(line) > MAX_LINE:
                    row = self.next_row + sum(1 for r in raw if r.strip())
                    raise BadRow(f"row {row} is longer than {MAX_LINE:,} bytes")
                raw.append(line)
        except OSError as exc:
            problem = (exc.strerror or str(exc)).lower()
            raise UsageError(f"cannot read {self.what}: {problem}") from None
        return raw

    def _read_lines(self, count: int) -> tuple[list[str], BadRow | None]:
        """Up to ``count`` lines as text, and the error at a line that is not UTF-8
        or that holds a carriage return before its end (old Mac line ends)."""
        if self._pending != ([], None):
            pending, self._pending = self._pending, ([], None)
            return pending
        raw = self._raw_lines(count)
        if self.offset == 0 and raw and raw[0].startswith(BOM):
            raw[0] = raw[0][len(BOM) :]
            self.offset = len(BOM)
        data = b"".join(raw)
        error = None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            good = data.count(b"\n", 0, exc.start)
            text = b"".join(raw[:good]).decode("utf-8")
            rows_before = sum(1 for line in raw[:good] if line.strip())
            where = f"row {self.next_row + rows_before}"
            message = not_utf8(where, data, exc, self.offset)
            message = message.replace(f"(line {good + 1})", f"(line {self.line + good + 1})")
            error = BadRow(message)
            raw = raw[:good]
        self.offset += sum(len(line) for line in raw)
        self.line += len(raw)
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if "\r" in text:
            for i, line in enumerate(lines):
                if "\r" in line[:-1]:
                    row = self.next_row + sum(1 for ln in lines[:i] if ln.strip())
                    error = BadRow(
                        f"row {row}: a carriage return inside the line (a file with old "
                        "Mac line ends?); save it with \\n or \\r\\n line ends"
                    )
                    lines = lines[:i]
                    break
        return lines, error

    def require(self, names: Sequence[str]) -> None:
        """Refuse, before any row is read, columns that the header does not have."""
        if self.format in DELIMITERS:
            missing = [n for n in names if n not in self.header]
            if missing and self.header:
                raise UsageError(
                    f"the points have no column {', '.join(missing)} "
                    f"(columns: {', '.join(self.header)}); give it as NAME=VALUE or add it"
                )

    def chunks(self, names: Sequence[str]) -> Iterator[Chunk]:
        """Chunks of the columns ``names``; the last may carry a bad row's error."""
        self.require(names)
        while True:
            lines, error = self._read_lines(self.chunk_rows)
            lines = [ln for ln in lines if ln.strip()]
            if not lines:
                if error is not None:
                    yield Chunk(self.next_row, 0, {n: np.empty(0) for n in names}, error=error)
                return
            chunk = (
                self._delimited(lines, names)
                if self.format in DELIMITERS
                else self._json_lines(lines, names)
            )
            if error is not None and chunk.error is None:
                chunk = replace(chunk, error=error)
            self.next_row += chunk.rows
            yield chunk
            if chunk.error:
                return

    def _delimited(self, lines: list[str], names: Sequence[str]) -> Chunk:
        delimiter = DELIMITERS[self.format]
        used = [self.header.index(n) for n in names]
        separators = len(self.header) - 1
        if any(line.count(delimiter) != separators for line in lines):
            return self._delimited_slowly(lines, names)  # a row of another width, or quotes
        if not names:  # the program uses no column: only the number of rows matters
            raw = self._echo(lines, names)
            return Chunk(self.next_row, len(lines), {}, raw, delimiter)
        try:
            table = np.loadtxt(
                lines, delimiter=delimiter, usecols=used, ndmin=2, dtype=np.float64, quotechar='"'
            )
            if table.shape[0] != len(lines) or not np.isfinite(table).all():
                raise ValueError
        except ValueError:
            return self._delimited_slowly(lines, names)
        columns = {n: table[:, j] for j, n in enumerate(names)}
        raw = self._echo(lines, names)
        return Chunk(self.next_row, len(lines), columns, raw, delimiter)

    def _echo(self, lines: list[str], names: Sequence[str]) -> list[str] | None:
        """The rows' text, to write back as is, when they hold exactly the used columns."""
        return [ln.rstrip("\r\n") for ln in lines] if list(names) == self.header else None

    def _delimited_slowly(self, lines: list[str], names: Sequence[str]) -> Chunk:
        """Row by row, to find the first bad row and say what is wrong with it."""
        delimiter = DELIMITERS[self.format]
        used = [self.header.index(n) for n in names]
        values: list[list[float]] = []
        error = None
        for offset, line in enumerate(lines):
            row = self.next_row + offset
            if line.count('"') % 2:
                error = BadRow(
                    f"row {row}: a quoted field is not closed on its line "
                    "(a field may not span lines)"
                )
                break
            try:
                fields = next(csv.reader([line], delimiter=delimiter))
            except csv.Error as exc:
                error = BadRow(f"row {row}: {exc}")
                break
            if len(fields) != len(self.header):
                many = "too many" if len(fields) > len(self.header) else "too few"
                error = BadRow(
                    f"row {row}: {many} fields ({len(fields)}, but the header has "
                    f"{len(self.header)}: {', '.join(self.header)})"
                )
                break
            try:
                values.append([_number(fields[j], row, self.header[j]) for j in used])
            except BadRow as exc:
                error = exc
                break
        table = np.array(values, dtype=np.float64).reshape(len(values), len(names))
        columns = {n: table[:, j] for j, n in enumerate(names)}
        raw = self._echo(lines[: len(values)], names)
        return Chunk(self.next_row, len(values), columns, raw, delimiter, error)

    def _json_lines(self, lines: list[str], names: Sequence[str]) -> Chunk:
        values: list[list[float]] = []
        error = None
        for offset, line in enumerate(lines):
            row = self.next_row + offset
            try:
                values.append(_json_row(line, names, row, self.unused_keys))
            except BadRow as exc:
                error = exc
                break
        table = np.array(values, dtype=np.float64).reshape(len(values), len(names))
        columns = {n: table[:, j] for j, n in enumerate(names)}
        return Chunk(self.next_row, len(values), columns, error=error)


def _number(text: str, row: int, column: str) -> float:
    try:
        if not text.isascii() or "_" in text:  # float() reads ١ and 1_000; cg does not
            raise ValueError
        value = float(text)
    except ValueError:
        if not text.strip():
            raise BadRow(f"row {row}, column {column}: the field is empty") from None
        raise BadRow(f"row {row}, column {column}: {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise BadRow(f"row {row}, column {column}: {text.strip()!r} is not a finite number")
    return value


def _json_row(line: str, names: Sequence[str], row: int, unused: dict[str, int]) -> list[float]:
    """One JSON Lines row; keys not in ``names`` are noted in ``unused`` with their first row."""
    try:
        point = json.loads(line, object_pairs_hook=_refuse_repeated_keys)
    except RepeatedKey as exc:
        raise BadRow(f"row {row}: the key {exc.key} is given twice") from None
    except json.JSONDecodeError as exc:
        raise BadRow(f"row {row}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    except ValueError:  # an integer of thousands of digits
        raise BadRow(f"row {row}: a number with too many digits") from None
    if not isinstance(point, dict):
        raise BadRow(f'row {row}: expected a JSON object such as {{"x": 1}}')
    if len(point) != len(names):
        for key in point:
            if key not in names and key not in unused:
                unused[key] = row
    out = []
    for name in names:
        if name not in point:
            raise BadRow(f"row {row}, column {name}: missing")
        value = point[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadRow(f"row {row}, column {name}: {json.dumps(value)} is not a number")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise BadRow(f"row {row}, column {name}: {_short(value)} is not a finite number")
        out.append(number)
    return out


# --- writing ------------------------------------------------------------------------


@dataclass(frozen=True)
class RowLayout:
    """The columns of a result row: the point's inputs, the output, the gradients."""

    inputs: list[str]
    output: str
    wrt: list[str]
    grad_only: bool = False

    def header(self) -> list[str]:
        grads = [f"d{self.output}/d{name}" for name in self.wrt]
        return grads if self.grad_only else [*self.inputs, self.output, *grads]


class RowWriter:
    """Writes result rows in one of the output formats, chunk by chunk."""

    def __init__(self, out: TextIO, fmt: str, layout: RowLayout, digits: int | None) -> None:
        self.out = out
        self.format = fmt
        self.layout = layout
        self.digits = digits
        self.rows_written = 0
        self.started = False
        self.widths: list[int] | None = None
        self.pending: deque[Future] = deque()
        self.pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """The header (or the opening of a JSON array), once, before the first row."""
        if self.started:
            return
        self.started = True
        if self.format in DELIMITERS:
            self.out.write(DELIMITERS[self.format].join(self.layout.header()) + "\n")
        elif self.format == "json":
            self.out.write("[")

    def write(self, chunk: Chunk, value: np.ndarray, grads: list[np.ndarray]) -> None:
        """Write ``chunk.rows`` rows: inputs from the chunk, the output value and gradients."""
        if chunk.rows == 0:
            return
        self.start()
        layout = self.layout
        inputs = [] if layout.grad_only else [chunk.columns[n] for n in layout.inputs]
        numbers = [*inputs, *([] if layout.grad_only else [value]), *grads]
        if self.format in DELIMITERS:
            self._write_delimited(chunk, numbers, len(inputs))
        elif self.format in ("jsonl", "json"):
            self._emit(self._json(chunk, inputs, value, grads))
        else:
            self._emit(self._table(numbers))
        self.rows_written += chunk.rows

    def finish(self) -> None:
        self.start()
        while self.pending:  # in order: the oldest chunk first
            self._emit_now(self.pending.popleft().result())
        if self.pool is not None:
            self.pool.shutdown()
        if self.format == "json":
            self.out.write("\n]\n" if self.rows_written else "]\n")
        self.out.flush()

    def _emit(self, text: str) -> None:
        while self.pending:  # earlier chunks first
            self._emit_now(self.pending.popleft().result())
        self._emit_now(text)

    def _emit_now(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()  # stream: each chunk reaches the reader before the next is read

    def _write_delimited(self, chunk: Chunk, numbers: list[np.ndarray], n_inputs: int) -> None:
        delimiter = DELIMITERS[self.format]
        echo = chunk.raw is not None and chunk.delimiter == delimiter and not self.layout.grad_only
        if echo:
            numbers = numbers[n_inputs:]
        block = np.column_stack(numbers) if numbers else np.empty((chunk.rows, 0))
        raw = chunk.raw if echo else None
        if chunk.rows < PARALLEL_ROWS or not _can_fork():
            self._emit(format_delimited(block, delimiter, raw))
            return
        # Formatting floats is the slowest step: worker processes do it on the other
        # cores while this one reads and evaluates the next chunk; output keeps its order.
        if self.pool is None:
            self.pool = _formatting_pool()
        self.pending.append(self.pool.submit(format_delimited, block, delimiter, raw))
        while len(self.pending) > FORMATTING_WORKERS:
            self._emit_now(self.pending.popleft().result())

    def _json(self, chunk: Chunk, inputs, value, grads) -> str:
        names = self.layout.inputs
        records = []
        for r in range(chunk.rows):
            record: dict = {}
            if not self.layout.grad_only:
                record["inputs"] = {
                    n: _json_float(col[r]) for n, col in zip(names, inputs, strict=True)
                }
                record["value"] = _json_float(value[r])
            record["gradient"] = {
                n: _json_float(g[r]) for n, g in zip(self.layout.wrt, grads, strict=True)
            }
            records.append(json.dumps(record, ensure_ascii=False, allow_nan=False))
        if self.format == "jsonl":
            return "\n".join(records) + "\n"
        lead = "\n" if self.rows_written == 0 else ",\n"
        return lead + ",\n".join(records)

    def _table(self, numbers: list[np.ndarray]) -> str:
        header = self.layout.header()
        rows = [
            [format_number(float(col[r]), self.digits) for col in numbers]
            for r in range(len(numbers[0]))
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


def format_delimited(block: np.ndarray, delimiter: str, raw: list[str] | None) -> str:
    """Rows of floats at full precision (shortest round-trip form), after ``raw`` text if given."""
    rows, width = block.shape
    if width == 0:
        lines = [""] * rows
    else:
        template = delimiter.join(["%r"] * width) + "\n"
        lines = ((template * rows) % tuple(block.ravel().tolist())).split("\n")[:-1]
    if raw is not None:
        lines = [f"{text}{delimiter}{line}" for text, line in zip(raw, lines, strict=True)]
    return "\n".join(lines) + "\n"


class RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_repeated_keys(pairs: list[tuple[str, object]]) -> dict:
    point = dict(pairs)
    if len(point) != len(pairs):
        seen: set[str] = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise RepeatedKey(repeated)
    return point


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else f"{text[:20]}…{text[-10:]} ({len(text)} digits)"


MAX_LINE = 1 << 24
"""The longest line of points read (16 MiB): a stream without line ends is refused."""

PARALLEL_ROWS = 5_000
"""Chunks at least this large are formatted in worker processes."""
FORMATTING_WORKERS = 2


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _formatting_pool() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(FORMATTING_WORKERS, mp_context=multiprocessing.get_context("fork"))


def _json_float(x: float) -> float | str:
    x = float(x)
    return x if math.isfinite(x) else format_number(x)


def open_points(path: str, what: str = "points") -> BinaryIO:
    """A file of points to read ('-' is standard input)."""
    return open_binary(path, what)
