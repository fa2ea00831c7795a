"""What every reader of points offers (the text and the columnar readers derive from it)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ...core.errors import UsageError
from .formats import Chunk, missing_columns


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
        self.keep: list[str] = []
        """The columns carried through to the result as they are (``--keep``)."""

    @property
    def empty(self) -> bool:
        """Whether there was nothing to read: no header, no row."""
        raise NotImplementedError

    def require(self, names: Sequence[str]) -> None:
        """Refuse, before any row is read, columns that the header does not have."""
        missing = [n for n in names if n not in self.header]
        if missing and self.header:
            raise missing_columns(missing, self.header)

    def keep_columns(self, keep: Sequence[str] | str | None, used: Sequence[str]) -> list[str]:
        """Carry the columns ``keep`` names through to the result (:func:`kept_columns`)."""
        self.keep = kept_columns(keep, self.names, used)
        return self.keep

    def chunks(self, names: Sequence[str]) -> Iterator[Chunk]:
        """Chunks of the columns ``names``; the last may carry a bad row's error."""
        raise NotImplementedError


def kept_columns(
    keep: Sequence[str] | str | None, columns: Sequence[str], used: Sequence[str]
) -> list[str]:
    """The columns ``keep`` names (``"all"``: every column the program does not use, in the
    file's order), in the order given, without those the program uses (the result has them
    already). A name that is not among ``columns`` is a usage error (when they are known)."""
    if keep is None:
        return []
    if keep == "all":
        chosen = list(columns)
    else:
        chosen = [keep] if isinstance(keep, str) else list(keep)
        unknown = [name for name in chosen if columns and name not in columns]
        if unknown:
            them = "column" if len(unknown) == 1 else "columns"
            raise UsageError(
                f"--keep {', '.join(unknown)}: no such {them} in the points "
                f"(columns: {', '.join(columns)})"
            )
    return [name for name in dict.fromkeys(chosen) if name not in used]
