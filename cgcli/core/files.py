"""The user's files: read with a clear error for every way a path can be wrong, and
written whole or not at all (a temporary file beside the target, then a rename)."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from .errors import UsageError

BOM = b"\xef\xbb\xbf"


def _problem(exc: OSError) -> str:
    """An OSError in a few words: "no such file", "is a directory", "permission denied"."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder, not a file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or str(exc)).lower()


def shown_path(path: str) -> str:
    """How a path is named in messages ('-' is standard input)."""
    return "standard input" if path == "-" else path


def _is_folder(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False  # missing, a name too long, ...: open() says what is wrong


def standard_input() -> BinaryIO:
    """Standard input as bytes; an error when it is closed."""
    if sys.stdin is None:
        raise UsageError("standard input is closed, and '-' asks to read from it")
    return sys.stdin.buffer


def open_binary(path: str, what: str) -> BinaryIO:
    """``path`` opened for reading bytes ('-' is standard input); ``what`` names it in errors."""
    if path == "-":
        return standard_input()
    if not path:
        raise UsageError(f"cannot read {what}: the file name is empty")
    if _is_folder(path):
        raise UsageError(f"cannot read {what} from {path}: it is a folder, not a file")
    try:
        return open(path, "rb")
    except (OSError, ValueError) as exc:
        problem = _problem(exc) if isinstance(exc, OSError) else str(exc)
        raise UsageError(f"cannot read {what} from {path}: {problem}") from None


def read_text(path: str, what: str, limit: int | None = None) -> str:
    """The whole text of a UTF-8 file ('-' is standard input), without a byte-order mark.

    With ``limit``, a file of more than ``limit`` bytes is refused after reading only
    that much (so /dev/zero or a huge stream cannot fill the memory).
    """
    stream = open_binary(path, what)
    try:
        data = stream.read() if limit is None else stream.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {what} from {path}: {_problem(exc)}") from None
    finally:
        if path != "-":
            stream.close()
    shown = shown_path(path)
    if limit is not None and len(data) > limit:
        raise UsageError(
            f"{what} in {shown} is longer than the limit of {limit:,} bytes "
            "(raise it with --max-size)"
        )
    if not data.strip():
        raise UsageError(f"{shown} is empty (expected {what})")
    return decode_utf8(data, shown)


def decode_utf8(data: bytes, where: str, offset: int = 0) -> str:
    """``data`` as text; a byte that is not UTF-8 is named with its offset (plus ``offset``)."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise UsageError(not_utf8(where, data, exc, offset)) from None


def not_utf8(where: str, data: bytes, exc: UnicodeDecodeError, offset: int = 0) -> str:
    """The message for text that is not UTF-8: the first bad byte, its offset and line."""
    line = data.count(b"\n", 0, exc.start) + 1
    return (
        f"{where} is not valid UTF-8 text: byte 0x{data[exc.start]:02X} at byte offset "
        f"{offset + exc.start} (line {line}); save it as UTF-8"
    )


def check_writable(path: str, option: str) -> None:
    """Fail early, before any work, when ``path`` cannot be written."""
    if not path:
        raise UsageError(f"{option}: the file name is empty")
    from pathlib import Path

    target = Path(os.path.realpath(path))
    if _is_folder(str(target)):
        raise UsageError(f"{option} {path}: it is a folder; give a file name")
    folder = target.parent
    if not _is_folder(str(folder)):
        raise UsageError(f"{option} {path}: the folder {Path(path).parent} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: cannot write in the folder {folder}: permission denied")
    if os.path.lexists(target) and not os.access(target, os.W_OK):
        raise UsageError(f"{option} {path}: permission denied")


def write_whole(path: str, data: bytes | str, option: str) -> None:
    """Write ``data`` to ``path`` whole or not at all: a temporary file, then a rename.

    A symbolic link is written through (its target is replaced); a device or a
    named pipe (/dev/stdout) is written directly.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        with written_whole(path, option) as out:
            out.write(data)
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write: {_problem(exc)}") from None


@contextmanager
def written_whole(path: str, option: str) -> Iterator[BinaryIO]:
    """A binary file to fill; it replaces ``path`` only when the block ends without error.

    A temporary file beside the target (a short name, so a long target name still
    fits) is renamed over it at the end, or removed if anything fails. A symbolic
    link is written through; a device or a named pipe (/dev/stdout) is written directly.
    """
    import tempfile
    from pathlib import Path

    check_writable(path, option)
    target = Path(os.path.realpath(path))
    try:
        existing = os.stat(target)
    except OSError:
        existing = None
    try:
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            with open(target, "wb") as out:
                yield out
            return
        mode = existing.st_mode & 0o7777 if existing else _new_file_mode()
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".cg-")
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write: {_problem(exc)}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        try:
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except OSError as exc:
            raise UsageError(f"{option} {path}: cannot write: {_problem(exc)}") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
