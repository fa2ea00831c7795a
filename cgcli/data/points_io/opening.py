"""Opening a file of points, and the reader its format needs."""

from __future__ import annotations

from typing import BinaryIO

from ...core.errors import UsageError
from ...core.files import open_binary
from .formats import DELIMITERS
from .reader import PointReader


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
