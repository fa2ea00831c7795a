"""A byte stream cut into blocks that end at a line end, read as they arrive."""

from __future__ import annotations

import os
import select
import stat
from typing import BinaryIO

from ...core.errors import UsageError
from ...core.files import BOM

BLOCK_BYTES = 1 << 22
"""Bytes parsed at a time (4 MiB); a block ends at the last line end within it."""
MAX_LINE = 1 << 24
"""The longest line of points read (16 MiB): a stream without line ends is refused."""


class LineTooLong(Exception):
    """A line over MAX_LINE bytes; the reader names its row."""


class ByteBlocks:
    """Blocks of whole lines from ``stream``; a byte-order mark at the start is dropped.

    From a pipe or a terminal a block holds what has arrived (at least one whole
    line), so the first rows are handled before the input ends; from a file it
    holds about BLOCK_BYTES.
    """

    def __init__(self, stream: BinaryIO, what: str) -> None:
        self.stream = stream
        self.what = what
        self.size = BLOCK_BYTES
        self.rest = b""
        self.eof = False
        self.started = False
        self.handed = 0
        """Bytes handed out so far (a byte-order mark included)."""
        self.waits = _waits(stream)

    def next(self) -> bytes:
        """The next block (b"" at the end of the stream)."""
        buffer = bytearray(self.rest)
        searched = 0
        end = -1
        while not self.eof:
            if end < 0:
                end = _last_line_end(buffer, searched)
                searched = len(buffer)
            if end >= 0 and (len(buffer) >= self.size or self._nothing_waiting()):
                break
            if end < 0 and len(buffer) > MAX_LINE:
                raise LineTooLong
            piece = self._read(max(self.size - len(buffer), 1 << 16))
            if not piece:
                self.eof = True
            buffer += piece
            if end >= 0:
                end = max(end, _last_line_end(buffer, searched))
                searched = len(buffer)
        if not self.started:
            self.started = True
            if buffer.startswith(BOM):
                del buffer[: len(BOM)]
                self.handed += len(BOM)
                end -= len(BOM)
        if self.eof:
            block, self.rest = bytes(buffer), b""
        else:
            block, self.rest = bytes(buffer[: end + 1]), bytes(buffer[end + 1 :])
        self.handed += len(block)
        return block

    def _read(self, size: int) -> bytes:
        try:
            read1 = getattr(self.stream, "read1", None)
            return read1(size) if read1 is not None else self.stream.read(size)
        except OSError as exc:
            problem = (exc.strerror or str(exc)).lower()
            raise UsageError(f"cannot read {self.what}: {problem}") from None

    def _nothing_waiting(self) -> bool:
        """From a pipe: whether reading more now would wait for the writer."""
        if not self.waits:
            return False
        try:
            ready, _, _ = select.select([self.stream], [], [], 0)
        except (OSError, ValueError, TypeError):
            return True
        return not ready


def _last_line_end(buffer: bytearray, start: int) -> int:
    """The index of the last \\n or \\r at or after ``start``, or -1."""
    return max(buffer.rfind(b"\n", start), buffer.rfind(b"\r", start))


def _waits(stream: BinaryIO) -> bool:
    """Whether ``stream`` is a pipe, socket or terminal (reads may wait), not a file."""
    try:
        return not stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False
