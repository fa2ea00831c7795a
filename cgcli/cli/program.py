"""What cg's commands share that needs no click: the program and its values, the checks
of option combinations, warnings and output.

cg eval's quick path (:mod:`cgcli.cli.quick`) runs on this module alone, so it imports
neither click nor anything a plain evaluation does not use."""

from __future__ import annotations

import sys
from collections import namedtuple

from ..core.errors import CgError, UsageError
from ..core.limits import DEFAULT_LIMITS, Limits


class ProgramArgs(
    namedtuple(
        "ProgramArgs",
        "arguments program_file output_name limits output_option",
        defaults=("--of",),
    )
):
    """What a command was told about its program: ``arguments`` (PROGRAM [NAME=VALUE]...,
    a tuple of str), ``program_file`` (-f FILE or None), ``output_name`` (--of NAME or
    None), the input ``limits`` (:class:`~cgcli.core.limits.Limits`), and
    ``output_option``, the option that named the output (the deprecated --output, or --of).
    """

    __slots__ = ()


PROGRAM_PARAMETERS = (
    "arguments",
    "program_file",
    "output_name",
    "deprecated_output_name",
    "max_size",
    "max_depth",
    "max_literal",
    "max_unrolled",
)
"""The parameters in which every command takes its program (PROGRAM [NAME=VALUE]..., -f,
--of and the input limits): :func:`program_args` makes them one :class:`ProgramArgs`."""


def program_args(params: dict) -> ProgramArgs:
    """Take the program's parameters (:data:`PROGRAM_PARAMETERS`) out of a command's
    ``params`` and return them as one :class:`ProgramArgs`."""
    given = {name: params.pop(name) for name in PROGRAM_PARAMETERS}
    limits = Limits(
        given["max_size"], given["max_depth"], given["max_literal"], given["max_unrolled"]
    )
    output_name, option = given["output_name"], "--of"
    if given["deprecated_output_name"] is not None:
        if output_name is not None:
            raise UsageError("--output is the old name of --of: give --of alone")
        output_name, option = given["deprecated_output_name"], "--output"
    return ProgramArgs(given["arguments"], given["program_file"], output_name, limits, option)


def read_program(
    arguments: tuple[str, ...], program_file: str | None, max_size: int = DEFAULT_LIMITS.max_size
) -> tuple[str, list[str]]:
    """The program text and the remaining NAME=VALUE arguments."""
    limit = 4 * max_size  # UTF-8 bytes; the parser counts the characters
    if program_file is not None:
        from ..core.files import read_text  # only for a file: a program given inline needs none

        return read_text(program_file, "the program", limit), list(arguments)
    piped = not _stdin_is_terminal()
    if not arguments:
        if piped:
            raise UsageError("the program is missing: to read it from stdin, give '-' as PROGRAM")
        raise UsageError("the program is missing: give PROGRAM (or -f FILE)")
    program, *values = arguments
    if program == "-":
        from ..core.files import read_text

        return read_text("-", "the program", limit), values
    if looks_like_a_value(program):
        where = "read it from stdin with '-'" if piped else "give it before the values"
        raise UsageError(
            f"the program is missing: {program!r} looks like a value NAME=VALUE; {where}"
        )
    return program, values


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is None or sys.stdin.isatty()
    except (AttributeError, ValueError):
        return True


def looks_like_a_value(text: str) -> bool:
    """``x=1`` or ``x=-3/4``: one assignment of a constant, which is no program to run."""
    from ..core.ops import FUNCTIONS
    from ..passes.values import given_value, value_name

    name, sep, value = text.partition("=")
    if not sep or "\n" in text or value.startswith("="):
        return False
    try:
        name = value_name(name)
        if name in FUNCTIONS:
            return False
        given_value(name, value)
    except CgError:
        return False
    return True


def refuse_standalone(standalone: bool, output_format: str, grad_only: bool = False) -> None:
    """--standalone makes a LaTeX document: it needs --format latex (and a table)."""
    if standalone and output_format != "latex":
        raise UsageError("--standalone is for --format latex")
    if standalone and grad_only:
        raise UsageError("--standalone writes the table as a document: drop --grad")


def as_document(text: str, standalone: bool, command: str) -> str:
    """A LaTeX fragment, or with --standalone the whole document around it."""
    if not standalone:
        return text
    from ..render.latex_document import standalone as document

    return document(text, f"cg {command}")


def refuse_two_stdins(program: ProgramArgs, path: str | None, option: str) -> None:
    """The program and a data file cannot both be read from standard input."""
    if path == "-" and (program.program_file == "-" or program.arguments[:1] == ("-",)):
        raise UsageError(
            f"the program and {option} cannot both come from stdin: give one of them as a file"
        )


def check_output(
    path: str | None, option: str, program: ProgramArgs, *inputs: tuple[str, str | None]
) -> None:
    """Before any work: ``path`` can be written, and it is none of the command's inputs
    (the program's -f FILE, and ``inputs`` such as ("--data", FILE)): cg never writes
    over what it reads."""
    from ..core.files import check_writable, refuse_overwriting

    if path is None:
        return
    check_writable(path, option)
    refuse_overwriting(path, option, [("-f", program.program_file), *inputs])


def load_program(program: ProgramArgs):
    """The graph and the NAME=VALUE values of a command's arguments."""
    from ..core.parser import parse
    from ..passes.values import parse_assignments

    text, value_args = read_program(
        program.arguments, program.program_file, program.limits.max_size
    )
    graph = parse(text, program.limits)
    values = parse_assignments(value_args)
    if program.output_name is not None:
        graph = graph.with_output_name(
            program.output_name, shown=f"{program.output_option} {program.output_name}"
        )
    return graph, values


def warn(message: str) -> None:
    """A warning line on stderr (control characters made visible: one line stays one)."""
    from ..core.untrusted import visible

    message = visible(message)
    line = f"cg: {message}" if message.startswith("check:") else f"cg: warning: {message}"
    echo(line + "\n", err=True)


def echo(text: str, err: bool = False) -> None:
    """Write ``text`` to stdout (or stderr) and flush, as click.echo writes text: ANSI
    escape sequences are stripped when the stream is no terminal, and a stream whose
    encoding is ASCII is given UTF-8 bytes (unencodable characters replaced)."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # no stream to write to (closed stdout is reported before)
        return
    if "\x1b" in text and not _is_terminal(stream):
        import re

        text = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", text)
    binary = getattr(stream, "buffer", None)
    if binary is not None and _is_ascii(getattr(stream, "encoding", None) or "ascii"):
        stream.flush()
        binary.write(text.encode("utf-8", "replace"))
        binary.flush()
        return
    stream.write(text)
    stream.flush()


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _is_ascii(encoding: str) -> bool:
    import codecs

    try:
        return codecs.lookup(encoding).name == "ascii"
    except LookupError:
        return False
