"""The user's files: read with a clear error for every way a path can be wrong, and
written whole or not at all (a temporary file beside the target, then a rename)."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from . import cleanup
from .errors import CgError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import BinaryIO

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


def _is_named_pipe(path: str) -> bool:
    """A FIFO in the file system (``mkfifo``), or a link to one; not ``-``, nor a shell's
    ``<(...)`` (an unnamed pipe: /dev/fd/63 leads to no file)."""
    try:
        return path != "-" and stat.S_ISFIFO(os.lstat(os.path.realpath(path)).st_mode)
    except (OSError, ValueError):
        return False


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


def read_text(
    path: str, what: str, limit: int | None = None, raise_limit: str = "raise it with --max-size"
) -> str:
    """The whole text of a UTF-8 file ('-' is standard input), without a byte-order mark.

    With ``limit``, a file of more than ``limit`` bytes is refused after reading only
    that much (so /dev/zero or a huge stream cannot fill the memory); ``raise_limit``
    says how to raise it.
    A named pipe (``mkfifo``) is refused: reading it would wait for a writer.
    """
    if _is_named_pipe(path):
        raise UsageError(
            f"cannot read {what} from {path}: it is a named pipe, which would wait for a "
            "writer; give a file, or '-' to read standard input"
        )
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
            f"{what} in {shown} is longer than the limit of {limit:,} bytes ({raise_limit})"
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


def extensions_listed(extensions: Mapping[str, str]) -> str:
    """The extensions of a dict of extension -> format, by format: ``.svg, .dot (.gv),
    .txt (or no extension)``."""
    by_format: dict[str, list[str]] = {}
    for suffix, name in extensions.items():
        by_format.setdefault(name, []).append(suffix)
    shown = []
    for suffixes in by_format.values():
        named = [s for s in suffixes if s]
        extra = [*named[1:], *(["or no extension"] if "" in suffixes else [])]
        first = named[0] if named else "no extension"
        shown.append(first + (f" ({', '.join(extra)})" if extra and named else ""))
    return ", ".join(shown)


def format_for_file(
    path: str,
    option: str,
    extensions: Mapping[str, str],
    explicit: str | None = None,
    listing: str | None = None,
) -> str:
    """The format ``option path`` is written in, from its extension (``extensions`` maps
    each extension cg writes there to its format; ``""``, a file without an extension,
    to the format it holds unless ``explicit`` names another). An extension cg does
    not write is refused naming those it does, and so is an explicit ``--format`` that
    the extension contradicts: the file would lie about what it holds."""
    from pathlib import PurePath

    suffix = PurePath(path).suffix.lower()
    named = extensions.get(suffix)
    if not suffix and named is not None:  # a file without an extension holds what is asked
        return explicit or named
    if named is None:
        listing = listing or extensions_listed(extensions)
        raise UsageError(
            f"{option} {path}: cg does not write "
            f"{f'{suffix} files' if suffix else 'files without an extension'}; it writes {listing}"
        )
    if explicit and explicit != named:
        raise UsageError(
            f"{option} {path} names a {named} file, but --format {explicit} would write "
            f"{explicit}; make them agree"
        )
    return named


def check_writable(path: str, option: str) -> None:
    """Fail early, before any work, when ``path`` cannot be written; remember what is
    there now, so that a file another program writes meanwhile is not silently replaced."""
    target = _writable_target(path, option)
    _found_at_start[str(target)] = _identity(target)


def _writable_target(path: str, option: str) -> Path:
    """The real path ``path`` writes to, or the error that says why it cannot be written."""
    if not path:
        raise UsageError(f"{option}: the file name is empty")
    from pathlib import Path

    resolved = _resolved(path)
    if resolved is None:  # as the system sees it: "nox/../a" needs nox
        named_folder = os.path.dirname(path) or "."
        raise UsageError(f"{option} {path}: {_no_folder(named_folder)}")
    target = Path(resolved)
    if _is_folder(str(target)):
        raise UsageError(f"{option} {path}: it is a folder; give a file name")
    folder = target.parent
    if not _is_folder(str(folder)):  # a link to a file in a missing folder
        raise UsageError(f"{option} {path}: {_no_folder(str(folder))}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: cannot write in the folder {folder}: permission denied")
    if os.path.lexists(target) and not os.access(target, os.W_OK):
        raise UsageError(f"{option} {path}: permission denied")
    return target


def _no_folder(folder: str) -> str:
    """Why there is no folder ``folder`` to write in: it is missing, or a file."""
    if os.path.lexists(folder) and not _is_folder(folder):
        return f"{shown_path(folder)} is a file, not a folder"
    return f"the folder {folder} does not exist"


def refuse_missing_before_parent(path: str, option: str) -> None:
    """Exit 2 when a ``..`` in ``path`` follows a folder that does not exist: the system
    would not find the path, and a path made tidy by text alone (``nox/../res`` as
    ``res``) would name another place."""
    parts = path.split(os.sep)
    for i, part in enumerate(parts):
        if part == ".." and i > 0:
            folder = os.sep.join(parts[:i]) or os.sep
            if not _is_folder(folder):
                raise UsageError(f"{option} {path}: the folder {folder} does not exist")


_found_at_start: dict[str, tuple[int, ...] | None] = {}
"""Per output (its real path): what :func:`check_writable` found there, None for nothing."""


def forget_outputs() -> None:
    """Forget what :func:`check_writable` found (at the end of a command-line run)."""
    _found_at_start.clear()


def _identity(path: Path | str) -> tuple[int, ...] | None:
    """Which file is at ``path`` and its state (None when there is none)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def same_file(a: str, b: str) -> bool:
    """Whether two paths name one file (the same path, a link to it, a hard link)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return os.path.realpath(a) == os.path.realpath(b)


def _resolved(path: str) -> str | None:
    """The real path the system would write ``path`` to, its folder found as the system
    finds it ("nox/../a" only when nox exists); None when that folder does not exist."""
    named_folder = os.path.dirname(path) or "."
    if not _is_folder(named_folder):
        return None
    try:
        real_folder = os.path.realpath(named_folder, strict=True)
    except (OSError, ValueError):
        return None
    return os.path.realpath(os.path.join(real_folder, os.path.basename(path)))


def real_path(path: str | os.PathLike) -> str | None:
    """The real path of an existing ``path`` (None when the system cannot find it)."""
    try:
        return os.path.realpath(path, strict=True)
    except (OSError, ValueError):
        return None


def refuse_overwriting(output: str | None, option: str, inputs: Iterable[tuple[str, str | None]]):
    """Exit 2 when ``output`` names a file the command reads: cg never writes over its
    input (``--summary`` over a sheet being graded, ``-o`` over ``--points``)."""
    if not output or output == "-":
        return
    target = _resolved(output)  # the file the system would write
    if target is None:
        return  # nothing can be written there: the output's own check says so
    for input_option, path in inputs:
        if path and path != "-" and (same_file(target, path) or target == real_path(path)):
            raise UsageError(
                f"{option} {output} is also the input {input_option} {path}: cg does not write "
                "over what it reads; give the output another name"
            )


def starts_with(path: str, head: bytes) -> bool:
    """Whether ``path`` is a regular file whose bytes start with ``head`` (after a
    UTF-8 byte-order mark)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as handle:
            return handle.read(len(head) + len(BOM)).removeprefix(BOM).startswith(head)
    except (OSError, ValueError):
        return False


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
    fits) is renamed over it at the end, or removed if anything fails (an error, a
    signal). A symbolic link is written through; a device or a named pipe
    (/dev/stdout) is written directly. When another program wrote the target while
    this one worked (two runs with the same -o), the first to finish wins and the
    other says so: its result is not written.
    """
    target = _writable_target(path, option)
    expected = _found_at_start.pop(str(target), _identity(target))
    try:
        existing = os.stat(target)
    except OSError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        try:
            with open(target, "wb") as out:
                yield out
        except OSError as exc:
            raise UsageError(f"{option} {path}: cannot write: {_problem(exc)}") from None
        return
    mode = existing.st_mode & 0o7777 if existing else _new_file_mode()
    temporary = None
    try:
        with cleanup.critical():  # a signal finds the file made and known, or not made
            temporary = os.path.join(target.parent, f".cg-{os.urandom(8).hex()}")
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            cleanup.remove_if_stopped(temporary)
        with os.fdopen(handle, "wb") as out:
            yield out
        os.chmod(temporary, mode)
        with cleanup.critical():
            _put_in_place(temporary, target, expected, f"{option} {path}")
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write: {_problem(exc)}") from None
    finally:
        with cleanup.critical():
            if temporary is not None and os.path.lexists(temporary):
                os.unlink(temporary)
            if temporary is not None:
                cleanup.keep(temporary)


def _put_in_place(temporary: str, target: Path, expected: tuple[int, ...] | None, what: str):
    """Rename the finished file over ``target``, unless another program wrote it since
    cg looked (``expected``): then this result is the one not written."""
    lost = CgError(
        f"{what}: another program wrote this file while cg was working; it was left as that "
        "program wrote it, and this result was not written"
    )
    if expected is None:
        try:
            os.link(temporary, target)  # a new file: fails if one has appeared meanwhile
        except FileExistsError:
            raise lost from None
        except OSError:  # a file system without hard links
            if os.path.lexists(target):
                raise lost from None
            os.replace(temporary, target)
        return
    if _identity(target) != expected:
        raise lost
    os.replace(temporary, target)


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
