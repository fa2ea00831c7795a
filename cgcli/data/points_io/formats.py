"""The formats of many points, the chunk of rows handed on, and the bad-row error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...core.errors import UsageError
from ...core.files import format_for_file

DELIMITERS = {"csv": ",", "tsv": "\t"}
POINT_FORMATS = ["csv", "tsv", "jsonl", "parquet", "arrow"]
"""Formats --points and --data read."""
BINARY_FORMATS = ("parquet", "arrow")
"""Formats that are bytes, not text: never written to a terminal."""
EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
}


class BadRow(UsageError):
    """A row that cannot be read: a missing field or a value that is not a finite number."""

    kind = "error in the data"


@dataclass(frozen=True)
class Chunk:
    """Consecutive rows: a float64 array per used column."""

    first_row: int
    rows: int
    columns: dict[str, np.ndarray]
    error: BadRow | None = None
    """Set on the last chunk when reading stopped at a bad row after these rows."""
    kept: Any = None
    """The columns ``--keep`` carries through, as they were read (a pyarrow Table of these
    rows), or None."""


RESULT_EXTENSIONS = {".csv": "csv", ".json": "json", **EXTENSIONS}
"""The formats -o FILE takes from its extension."""
TABLE_EXTENSIONS = ("", ".txt")
"""The extensions of -o FILE that get the aligned table (no extension, or .txt)."""


def missing_columns(missing: Sequence[str], columns: Sequence[str]) -> UsageError:
    """The error for inputs of the program that the points have no column for."""
    them = "it" if len(missing) == 1 else "them"
    return UsageError(
        f"the points have no column {', '.join(missing)} "
        f"(columns: {', '.join(columns)}); give {them} as NAME=VALUE or add {them}"
        + _row_hint(missing, columns)
    )


def _row_hint(missing: Sequence[str], columns: Sequence[str]) -> str:
    """How to read the rows of a matrix whose entries the columns hold, when the program
    reads its name only row by row (``W[2]``, a row of each point, is no column)."""
    from ...core.indexing import split_element

    matrices = set()
    for column in columns:
        entry = split_element(column)
        if entry is not None and len(entry[1]) == 2:
            matrices.add(entry[0])
    for name in missing:
        row = split_element(name)
        if row is not None and len(row[1]) == 1 and row[0] in matrices:
            base = row[0]
            return (
                f"; the columns {base}[i,j] are read for a name the program uses whole: "
                f"write R = {base} and read the rows of R, R{name[len(base) :]}"
            )
    return ""


def _by_extension(path: str, extensions: dict[str, str]) -> str | None:
    lowered = path.lower()
    return next((name for suffix, name in extensions.items() if lowered.endswith(suffix)), None)


def point_format_for(path: str, explicit: str | None) -> str:
    """The points format: given explicitly, or from the file's extension (csv by default)."""
    return explicit or _by_extension(path, EXTENSIONS) or "csv"


def written_extensions() -> str:
    """The extensions of -o FILE, by format: ``.csv, .tsv (.tab), ...``."""
    by_format: dict[str, list[str]] = {}
    for suffix, name in RESULT_EXTENSIONS.items():
        by_format.setdefault(name, []).append(suffix)
    shown = [
        suffixes[0] + (f" ({', '.join(suffixes[1:])})" if suffixes[1:] else "")
        for suffixes in by_format.values()
    ]
    return ", ".join(shown) + ", or the aligned table (.txt, or no extension)"


def result_format_for(path: str, explicit: str | None) -> str:
    """The format of the result file ``-o path``: from its extension (``.csv``,
    ``.parquet``, ...), else the explicit ``--format``, else the table. An explicit
    format that another extension contradicts is refused: the file would lie."""
    extensions = {**RESULT_EXTENSIONS, **dict.fromkeys(TABLE_EXTENSIONS, "table")}
    named = format_for_file(path, "-o", extensions, listing=written_extensions())
    if named == "table":  # no extension, or .txt: whatever --format says
        return explicit or named
    return format_for_file(path, "-o", extensions, explicit)
