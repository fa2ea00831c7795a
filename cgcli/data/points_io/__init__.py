"""Many points in and out: CSV, TSV, JSON Lines, Parquet and Arrow IPC, through pyarrow.

One code path for every size: byte blocks (or Parquet/Arrow record batches) are
parsed by pyarrow into float64 columns, handed on in chunks of rows, and the
results written back by pyarrow. pyarrow is imported here, so this package is
imported only by the --points and --data paths, never by a single-point eval.

Rows are numbered from 1 in the order they are read; a header and blank lines
are not counted. A bad row stops reading with a message naming its row and
column; the rows before it are still handed on.

Part of the data floor: imports from :mod:`cgcli.core` only (the rest of
:mod:`cgcli.data` calls it).
"""

from ...core.cleanup import quiet_pyarrow
from .formats import (
    BINARY_FORMATS,
    POINT_FORMATS,
    BadRow,
    Chunk,
    point_format_for,
)
from .opening import open_points, read_points
from .reader import PointReader
from .writer import RowLayout, RowWriter

quiet_pyarrow()  # pyarrow is imported now

__all__ = [
    "BINARY_FORMATS",
    "POINT_FORMATS",
    "BadRow",
    "Chunk",
    "PointReader",
    "RowLayout",
    "RowWriter",
    "open_points",
    "point_format_for",
    "read_points",
]
