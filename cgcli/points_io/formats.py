"""The formats of many points, the chunk of rows handed on, and the bad-row error."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import UsageError

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


def point_format_for(path: str, explicit: str | None) -> str:
    """The points format: given explicitly, or from the file's extension (csv by default)."""
    if explicit:
        return explicit
    lowered = path.lower()
    for suffix, name in EXTENSIONS.items():
        if lowered.endswith(suffix):
            return name
    return "csv"
