"""Domain exceptions: each carries the exit code the CLI maps it to."""

from __future__ import annotations

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_MATH = 3
EXIT_INTERNAL = 4
EXIT_DIVERGED = 5


class CgError(Exception):
    """Base class of every error cg reports to a user."""

    exit_code = EXIT_USAGE
    kind = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def render(self) -> str:
        """The text shown on stderr, without the trailing newline."""
        from .untrusted import visible  # imported when an error is shown: a run without one

        return f"cg: {self.kind}: {visible(self.message)}"


class UsageError(CgError):
    """Bad arguments: missing, duplicate or malformed values, unknown names."""

    kind = "usage error"


class ArgumentValueError(UsageError, ValueError):
    """A library argument (or an option) of the right type with a wrong value."""

    def __init__(self, name: str, detail: str, message: str | None = None) -> None:
        super().__init__(message or f"{name}: {detail}")
        self.name = name
        self.detail = detail
        """The message without the argument's name (what click shows after the option)."""


class ArgumentTypeError(UsageError, TypeError):
    """A library argument of the wrong type (None for a program, a string for a number)."""

    def __init__(self, name: str, detail: str, message: str | None = None) -> None:
        super().__init__(message or f"{name}: {detail}")
        self.name = name
        self.detail = detail


class CgSyntaxError(CgError):
    """A program or value that does not parse; it points at a place in the source."""

    kind = "syntax error"

    def __init__(self, message: str, source: str, pos: int, *, origin: str = "") -> None:
        super().__init__(message)
        self.source = source
        self.pos = max(0, min(pos, len(source)))
        self.line, self.column = line_and_column(source, self.pos)
        self.origin = origin

    def render(self) -> str:
        from .untrusted import visible

        where = f" {self.origin}" if self.origin else ""
        text, column = _window(self.source.split("\n")[self.line - 1], self.column)
        caret = " " * (column - 1) + "^"
        return (
            f"cg: {self.kind}{visible(where)}: {self.line}:{self.column}: {visible(self.message)}\n"
            f"  {text}\n  {caret}"
        )


class ShapeError(CgSyntaxError):
    """Arrays whose shapes do not fit an operation (``W @ x`` with 3×2 and 3): found before
    anything runs, with a caret under the operation. Exit code 2, as a syntax error's."""

    kind = "shape error"


class CgMathError(CgError):
    """A value outside an operation's domain, or a result that overflows."""

    exit_code = EXIT_MATH
    kind = "math error"

    def __init__(self, message: str, node: int | None = None) -> None:
        super().__init__(message)
        self.node = node
        """The index of the node where it happened, where the passes know it."""


def _window(line: str, column: int, width: int = 72) -> tuple[str, int]:
    """At most ``width`` characters of a long line around ``column``, and the caret's column
    (control characters made visible, the caret still under its character)."""
    from .untrusted import visible

    line = line.replace("\t", " ")
    column = len(visible(line[: column - 1])) + 1
    line = visible(line)
    if len(line) <= width:
        return line, column
    start = max(0, min(column - width // 2, len(line) - width))
    shown = line[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(line) else ""
    return prefix + shown + suffix, column - start + len(prefix)


def line_and_column(source: str, pos: int) -> tuple[int, int]:
    """1-based line and column of offset ``pos`` in ``source``."""
    line = source.count("\n", 0, pos) + 1
    column = pos - (source.rfind("\n", 0, pos) + 1) + 1
    return line, column


class TrainingDiverged(CgMathError):
    """Training whose loss blew up (nan, inf, or a millionfold its start); ``lr`` is the
    learning rate to try instead."""

    exit_code = EXIT_DIVERGED
    kind = "training diverged"

    def __init__(self, message: str, lr: float) -> None:
        super().__init__(message)
        self.lr = lr
