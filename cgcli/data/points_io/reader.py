"""What every reader of points offers, and the one function that opens the right one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import BinaryIO

from ...core.errors import UsageError
from ...core.files import open_binary
from .formats import DELIMITERS, Chunk, missing_columns


class PointReader:
    """Points in chunks of at most ``chunk_rows`` rows, one float64 array per used column.

    ``names`` are the variables the points give values for: the header's columns,
    or the keys of the first JSON Lines row. ``unused_keys`` collects JSON Lines
    keys that are not among the columns asked for, with the row each first
    appeared in.
    """

    def __init__(self, point_format: str, chunk_rows: int, what: str) -> None:
        self.format = point_format
        self.chunk_rows = chunk_rows
        self.what = what
        self.header: list[str] = []
        """The columns every row has (empty for JSON Lines, whose keys may vary)."""
        self.names: list[str] = []
        self.unused_keys: dict[str, int] = {}

    @property
    def empty(self) -> bool:
        """Whether there was nothing to read: no header, no row."""
        raise NotImplementedError

    def require(self, names: Sequence[str]) -> None:
        """Refuse, before any row is read, columns that the header does not have."""
        missing = [n for n in names if n not in self.header]
        if missing and self.header:
            raise missing_columns(missing, self.header)

    def chunks(self, names: Sequence[str]) -> Iterator[Chunk]:
        """Chunks of the columns ``names``; the last may carry a bad row's error."""
        raise NotImplementedError


def read_points(
    stream: BinaryIO, point_format: str, chunk_rows: int, what: str = "the points"
) -> PointReader:
    """A reader of ``stream`` in ``point_format`` (csv, tsv, jsonl, parquet, arrow)."""
    if point_format in (*DELIMITERS, "jsonl"):
        from .text_reader import TextPoints

        return TextPoints(stream, point_format, chunk_rows, what)
    from .columnar_reader import ColumnarPoints

    return ColumnarPoints(stream, point_format, chunk_rows, what)


def open_points(path: str, what: str = "points") -> BinaryIO:
    """A file of points to read ('-' is standard input)."""
    import os

    if any(c in path for c in "*?[") and not os.path.exists(path):
        raise UsageError(
            f"{path} is a pattern: one process reads one file; a Parquet data set of many "
            "files is read with --engine dask"
        )
    return open_binary(path, what)
