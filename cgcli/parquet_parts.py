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

from .errors import UsageError
from .points_io import BadRow


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
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot be read as Parquet ({_first_line(exc)})") from None
    schema = parquet.schema_arrow
    missing = [name for name in names if name not in schema.names]
    if missing:
        raise UsageError(
            f"{path} has no column {', '.join(missing)} (columns: {', '.join(schema.names)})"
        )
    for name in names:
        _require_numbers(path, name, schema.field(name).type)
    first_row = 1
    for batch in parquet.iter_batches(batch_size=batch_rows, columns=list(names)):
        columns = {
            name: _finite_column(path, name, batch.column(name), first_row) for name in names
        }
        yield first_row, columns
        first_row += batch.num_rows


def _require_numbers(path: str, name: str, arrow_type) -> None:
    import pyarrow as pa

    types = pa.types
    if not (types.is_integer(arrow_type) or types.is_floating(arrow_type)) and not (
        types.is_decimal(arrow_type) or types.is_null(arrow_type)
    ):
        raise BadRow(f"{path}, column {name}: holds {arrow_type} values, not numbers")


def _finite_column(path: str, name: str, column, first_row: int) -> np.ndarray:
    """A column as float64; a null or a value that is not finite is a bad row."""
    import pyarrow as pa

    if column.null_count:
        row = first_row + int(np.argmax(column.is_null().to_numpy(zero_copy_only=False)))
        raise BadRow(f"{path}, row {row}, column {name}: the field is empty (null)")
    values = column.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False)
    finite = np.isfinite(values)
    if not finite.all():
        offset = int(np.argmin(finite))
        raise BadRow(
            f"{path}, row {first_row + offset}, column {name}: "
            f"{values[offset]} is not a finite number"
        )
    return values


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
