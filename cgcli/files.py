"""The user's files: read with a clear error for every way a path can be wrong, and
written whole or not at all (a temporary file beside the target, then a rename)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
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


def open_binary(path: str, what: str) -> BinaryIO:
    """``path`` opened for reading bytes ('-' is standard input); ``what`` names it in errors."""
    if path == "-":
        return sys.stdin.buffer
    if Path(path).is_dir():
        raise UsageError(f"cannot read {what} from {path}: it is a folder, not a file")
    try:
        return open(path, "rb")
    except OSError as exc:
        raise UsageError(f"cannot read {what} from {path}: {_problem(exc)}") from None


def read_text(path: str, what: str) -> str:
    """The whole text of a UTF-8 file ('-' is standard input), without a byte-order mark."""
    stream = open_binary(path, what)
    try:
        data = stream.read()
    except OSError as exc:
        raise UsageError(f"cannot read {what} from {path}: {_problem(exc)}") from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    shown = "standard input" if path == "-" else path
    if not data.strip():
        raise UsageError(f"{what} in {shown} is empty")
    return decode_utf8(data, f"{what} in {shown}")


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
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{option} {path}: it is a folder; give a file name")
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: cannot write in the folder {folder}: permission denied")
    if target.exists() and not os.access(target, os.W_OK):
        raise UsageError(f"{option} {path}: permission denied")


def write_whole(path: str, data: bytes | str, option: str) -> None:
    """Write ``data`` to ``path`` whole or not at all: a temporary file, then a rename."""
    check_writable(path, option)
    if isinstance(data, str):
        data = data.encode("utf-8")
    target = Path(path)
    if target.exists() and not target.is_file():  # /dev/stdout, a named pipe: no rename
        try:
            with open(target, "wb") as out:
                out.write(data)
        except OSError as exc:
            raise UsageError(f"{option} {path}: cannot write: {_problem(exc)}") from None
        return
    try:
        mode = target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
        raise UsageError(f"{option} {path}: cannot write: {_problem(exc)}") from None
