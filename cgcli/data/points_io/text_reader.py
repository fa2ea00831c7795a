"""CSV, TSV and JSON Lines: byte blocks parsed by pyarrow, bad rows diagnosed in Python.

Each block of whole lines goes to pyarrow as it is. When pyarrow refuses a block,
or it holds an empty, missing or non-finite value, or its rows do not match its
lines one for one, the block's own bytes are read again line by line to find the
first bad row and say what is wrong; the rows before it are parsed by pyarrow.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Iterator, Sequence
from typing import BinaryIO

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json

from ...core.errors import UsageError
from ...core.files import not_utf8
from .blocks import MAX_LINE, ByteBlocks, LineTooLong
from .columns import arrow_owned, first_unusable, kept_table, table_chunks
from .diagnosis import csv_row_problem, json_row_problem
from .formats import DELIMITERS, BadRow, Chunk
from .reader import PointReader

LINE = re.compile(rb"([^\r\n]*)(\r\n|\r|\n|$)")
PARSE_BLOCK = 1 << 20
"""pyarrow's own parallel block size within one of our blocks."""


class TextPoints(PointReader):
    """Points in CSV, TSV (a header row of names) or JSON Lines (one object per line)."""

    def __init__(self, stream: BinaryIO, point_format: str, chunk_rows: int, what: str) -> None:
        super().__init__(point_format, chunk_rows, what)
        self.blocks = ByteBlocks(stream, what)
        self.next_row = 1
        self.line = 0
        """Lines before ``pending``, blank ones and the header included."""
        self.pending = self._first_line()
        """Bytes read but not yet parsed: whole lines."""
        self.offset = self.blocks.handed - len(self.pending)
        """The byte offset in the stream of the next bytes parsed."""
        self.used: list[str] = []

    # --- the header ------------------------------------------------------------------

    def _first_line(self) -> bytes:
        """Read up to the first line that is not blank: CSV's header (consumed, checked)
        or JSON Lines' first row (kept, its keys are the names)."""
        data = b""
        while True:
            data += self._next_block(header=self.format in DELIMITERS)
            position = 0
            while position < len(data):  # a block ends at a line end, or at the end
                match = LINE.match(data, position)
                if match.group(1).strip():
                    return self._take_first(data, match)
                position = match.end()
                self.line += 1
            data = data[position:]
            if self.blocks.eof and not data.strip():
                return b""

    def _take_first(self, data: bytes, match: re.Match) -> bytes:
        try:
            text = match.group(1).decode("utf-8")
        except UnicodeDecodeError as exc:
            where = "row 1" if self.format == "jsonl" else "the points' header"
            offset = self.blocks.handed - len(data) + match.start()
            raise BadRow(not_utf8(where, match.group(1), exc, offset)) from None
        if self.format == "jsonl":
            self.names = _first_keys(text)
            return data[match.start() :]
        self.header = _header(text, DELIMITERS[self.format])
        self.names = self.header
        self.line += 1
        return data[match.end() :]

    @property
    def empty(self) -> bool:
        if self.format in DELIMITERS:
            return not self.header
        return not self.pending.strip() and self.blocks.eof

    # --- the rows --------------------------------------------------------------------

    def chunks(self, names: Sequence[str]) -> Iterator[Chunk]:
        self.require(names)
        self.used = list(names)
        while True:
            data, self.pending = self.pending or self._next_block(), b""
            if not data:
                return
            table, error = self._parse(data)
            kept = self._kept(table, data)
            yield from table_chunks(table, names, self.next_row, self.chunk_rows, error, kept)
            self.next_row += table.num_rows
            self.line += data.count(b"\n")
            self.offset += len(data)
            if error is not None:
                return

    def _kept(self, table: pa.Table, data: bytes) -> pa.Table | None:
        """The --keep columns of the rows of ``table``: CSV's as the text of each field,
        JSON Lines' as pyarrow reads the values (read again from the lines where a bad row
        made the block's keys unreadable together)."""
        if not self.keep:
            return None
        if self.format == "jsonl" and any(n not in table.column_names for n in self.keep):
            return _json_kept(_row_lines(data, self.format)[: table.num_rows], self.keep)
        return kept_table(table, self.keep, table.num_rows)

    def _next_block(self, header: bool = False) -> bytes:
        try:
            return self.blocks.next()
        except LineTooLong:
            where = "the header line" if header else f"row {self.next_row}"
            raise BadRow(f"{where} is longer than {MAX_LINE:,} bytes") from None

    def _parse(self, data: bytes) -> tuple[pa.Table, BadRow | None]:
        """The rows of one block, and the error at its first bad row if it has one."""
        if not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                start = _line_start(data, exc.start)
                table, error = self._parse(data[:start])  # an earlier row may be bad too
                return table, error or self._not_utf8(data, exc)
        try:
            table = self._arrow(data)
        except (pa.ArrowInvalid, UnicodeDecodeError):
            return self._diagnose(data)
        if first_unusable(table, self.used) is not None or not self._rows_are_lines(table, data):
            return self._diagnose(data)
        self._note_unused_keys(table)
        return table, None

    def _arrow(self, data: bytes, *, lenient: bool = False) -> pa.Table:
        """pyarrow's table of ``data``: the used columns as float64. ``lenient``: JSON
        keys beyond the used ones are dropped, not read (their types may clash)."""
        if not data.strip():
            names = [*self.used, *self.keep]
            return pa.Table.from_arrays([pa.nulls(0, pa.float64()) for _ in names], names)
        try:
            return self._arrow_blocks(data, PARSE_BLOCK, lenient)
        except pa.ArrowInvalid as exc:
            if "straddl" not in str(exc):
                raise
            return self._arrow_blocks(data, len(data) + 1, lenient)  # a line over PARSE_BLOCK

    def _arrow_blocks(self, data: bytes, block_size: int, lenient: bool) -> pa.Table:
        source = arrow_owned(data)
        if self.format == "jsonl":
            schema = pa.schema([(name, pa.float64()) for name in self.used])
            return pa_json.read_json(
                source,
                read_options=pa_json.ReadOptions(block_size=block_size),
                parse_options=pa_json.ParseOptions(
                    explicit_schema=schema,
                    unexpected_field_behavior="ignore" if lenient else "infer",
                ),
            )
        # no column used or kept: the first is read, so that the rows are still counted
        columns = [*self.used, *self.keep] or self.header[:1]
        types = {name: pa.float64() for name in self.used}
        types |= {name: pa.string() for name in self.keep}  # kept as written, text
        types = types or {columns[0]: pa.binary()}
        return pa_csv.read_csv(
            source,
            read_options=pa_csv.ReadOptions(column_names=self.header, block_size=block_size),
            parse_options=pa_csv.ParseOptions(delimiter=DELIMITERS[self.format]),
            convert_options=pa_csv.ConvertOptions(
                column_types=types,
                include_columns=columns,
                null_values=[""],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    def _rows_are_lines(self, table: pa.Table, data: bytes) -> bool:
        """Whether pyarrow found one row per line that is not blank (a quoted line end,
        two JSON objects on a line, or an object over two lines break this)."""
        quick = data.count(b"\n") + (not data.endswith((b"\n", b"\r")))
        return table.num_rows == quick or table.num_rows == len(_row_lines(data, self.format))

    def _note_unused_keys(self, table: pa.Table) -> None:
        """JSON Lines keys beyond the used ones, with the first row each appears in."""
        extra = [n for n in table.column_names if n not in self.used and n not in self.unused_keys]
        if self.format != "jsonl" or not extra:
            return
        import pyarrow.compute as pc

        for name in extra:
            present = table.column(name).is_valid()
            if pc.any(present).as_py():
                first = pc.index(present, True).as_py()
                self.unused_keys[name] = self.next_row + first

    # --- bad rows --------------------------------------------------------------------

    def _diagnose(self, data: bytes) -> tuple[pa.Table, BadRow | None]:
        """Find the first bad row of ``data`` line by line; pyarrow parses the rows before it."""
        lines = _row_lines(data, self.format)
        unused: dict[str, int] = {}
        index, start, problem = len(lines), len(data), None
        for i, (offset, line) in enumerate(lines):
            problem = self._row_problem(line, self.next_row + i, unused)
            if problem is not None:
                index, start = i, offset
                break
        try:
            table = self._arrow(data[:start], lenient=True)
            if first_unusable(table, self.used) is not None or table.num_rows != index:
                raise pa.ArrowInvalid("pyarrow and the diagnosis disagree")
        except pa.ArrowInvalid:
            return self._diagnose_by_arrow(data, lines)
        for key, row in unused.items():
            self.unused_keys.setdefault(key, row)
        if problem is None:
            return table, None
        return table, BadRow(f"row {self.next_row + index}{problem}")

    def _row_problem(self, line: bytes, row: int, unused: dict[str, int]) -> str | None:
        text = line.decode("utf-8")
        if self.format == "jsonl":
            return json_row_problem(text, self.used, unused, row)
        return csv_row_problem(text, self.header, self.used, DELIMITERS[self.format])

    def _diagnose_by_arrow(self, data: bytes, lines) -> tuple[pa.Table, BadRow]:
        """Where Python sees no fault pyarrow does: pyarrow's message at the first line it
        refuses, read one by one."""
        index, start = 0, 0
        problem = ": the rows cannot be read together (a key's type changes between rows?)"
        for i, (offset, line) in enumerate(lines):
            refused = self._arrow_refuses(line)
            if refused is not None:
                index, start, problem = i, offset, refused
                break
        error = BadRow(f"row {self.next_row + index}{problem}")
        return self._arrow(data[:start], lenient=True), error

    def _arrow_refuses(self, line: bytes) -> str | None:
        """pyarrow's reason to refuse one line as a row, or None."""
        try:
            unusable = first_unusable(self._arrow(line, lenient=True), self.used)
        except pa.ArrowInvalid as exc:
            return f": {_arrow_message(exc)}"
        return None if unusable is None else f", column {unusable[1]}: not a finite number"

    def _not_utf8(self, data: bytes, exc: UnicodeDecodeError) -> BadRow:
        """The error at the row holding a byte that is not UTF-8."""
        rows_before = len(_row_lines(data[: _line_start(data, exc.start)], self.format))
        message = not_utf8(f"row {self.next_row + rows_before}", data, exc, self.offset)
        line = self.line + data.count(b"\n", 0, exc.start) + 1
        return BadRow(re.sub(r"\(line \d+\)", f"(line {line})", message))


def _line_start(data: bytes, position: int) -> int:
    """Where the line holding ``position`` starts."""
    return max(data.rfind(b"\n", 0, position), data.rfind(b"\r", 0, position)) + 1


def _row_lines(data: bytes, point_format: str) -> list[tuple[int, bytes]]:
    """The lines of ``data`` that are rows (not blank), with the offset each starts at."""
    blank = (lambda line: not line.strip()) if point_format == "jsonl" else (lambda line: not line)
    rows = []
    position = 0
    for piece in data.splitlines(keepends=True):
        line = piece.rstrip(b"\r\n")
        if not blank(line):
            rows.append((position, line))
        position += len(piece)
    return rows


def _arrow_message(exc: pa.ArrowInvalid) -> str:
    return (
        str(exc)
        .splitlines()[0]
        .removeprefix("CSV parse error: ")
        .removeprefix("JSON parse error: ")
    )


def _header(line: str, delimiter: str) -> list[str]:
    try:
        fields = next(csv.reader([line], delimiter=delimiter))
    except csv.Error as exc:
        raise UsageError(f"the points' header cannot be read: {exc}") from None
    header = [name.strip() for name in fields]
    if "" in header:
        where = header.index("") + 1
        raise UsageError(f"the points' header has an empty column name (column {where})")
    split = [  # W[1,1] unquoted: "W[1" and "1]" side by side
        a
        for a, b in itertools.pairwise(header)
        if a.count("[") > a.count("]") and b.count("]") > b.count("[")
    ]
    if split and delimiter == ",":
        raise UsageError(
            f"the points' header splits a column name at its comma ({split[0]} ...): quote a "
            'name that holds a comma, as "W[1,1]"'
        )
    duplicates = sorted({n for n in header if header.count(n) > 1})
    if duplicates:
        raise UsageError(f"the points' header repeats {', '.join(duplicates)}")
    return header


def _first_keys(line: str) -> list[str]:
    """The keys of the first JSON Lines row (none if it is not an object: reported later)."""
    try:
        first = json.loads(line)
    except ValueError:
        return []
    return [key for key in first if isinstance(key, str)] if isinstance(first, dict) else []


def _json_kept(lines: list[tuple[int, bytes]], keep: Sequence[str]) -> pa.Table:
    """The kept keys of JSON Lines rows, each value as pyarrow reads it (null if absent)."""
    rows = [json.loads(line) for _, line in lines]
    columns = []
    for name in keep:
        values = [row.get(name) if isinstance(row, dict) else None for row in rows]
        try:
            columns.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # values of several types: their JSON
            texts = [v if v is None or isinstance(v, str) else json.dumps(v) for v in values]
            columns.append(pa.array(texts, pa.string()))
    return pa.Table.from_arrays(columns, list(keep))
