"""A partitioned Parquet data set: its files (one file is one partition) read in batches.

Rows are numbered from 1 within each file. A null, a value that is not a finite
number, or a column that does not hold numbers stops reading with a message that
names the file, the row and the column. pyarrow only: this runs on Dask's workers.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence

import numpy as np

from ..core.errors import UsageError
from .points_io import BadRow, Chunk


def parquet_files(source: str) -> list[str]:
    """The files of a data set, sorted: a file, a folder's ``*.parquet`` files, or a glob."""
    if os.path.isdir(source):
        files = sorted(glob.glob(os.path.join(glob.escape(source), "*.parquet")))
    elif glob.has_magic(source):
        files = sorted(path for path in glob.glob(source) if os.path.isfile(path))
    elif os.path.isfile(source):
        files = [source]
    else:
        raise UsageError(f"{source}: no such file or folder")
    if not files:
        raise UsageError(f"no Parquet file matches {source}")
    return files


def file_columns(path: str) -> list[str]:
    """The column names of one Parquet file, read from its footer."""
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(path).names)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise UsageError(f"{path}: cannot be read as Parquet ({_first_line(exc)})") from None


def read_batches(
    path: str, names: Sequence[str], batch_rows: int
) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
    """Batches of the columns ``names`` as float64 arrays, each with the number of its first row."""
    for chunk in read_chunks(path, names, batch_rows):
        yield chunk.first_row, chunk.columns


def read_chunks(
    path: str, names: Sequence[str], batch_rows: int, keep: Sequence[str] = ()
) -> Iterator[Chunk]:
    """Chunks of the columns ``names`` (float64 arrays) and of the columns ``keep`` (as they
    are in the file), rows numbered from 1.

    The file is read by the reader of ``--points`` (cgcli.data.points_io), so a partition's
    rows are read exactly as one process reads them; its errors are prefixed with the path.
    """
    from ..core.files import open_binary
    from .points_io import read_points

    with open_binary(path, path) as stream:
        reader = read_points(stream, "parquet", batch_rows, what=path)
        missing = [name for name in [*names, *keep] if name not in reader.header]
        if missing:
            raise UsageError(
                f"{path} has no column {', '.join(missing)} (columns: {', '.join(reader.header)})"
            )
        reader.keep = list(keep)
        for chunk in reader.chunks(list(names)):
            if chunk.rows:
                yield chunk
            if chunk.error is not None:
                raise BadRow(f"{path}, {chunk.error.message}")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
