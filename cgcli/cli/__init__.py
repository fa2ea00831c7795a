"""The command line: parse arguments, call the core, render, map errors to exit codes.

Each command lives in a module of its own; this one holds the group and what
the commands share."""

from __future__ import annotations

import functools
import importlib
import sys
from typing import NamedTuple

import click

from .. import __version__
from ..errors import CgError, UsageError
from ..limits import DEFAULT_LIMITS, Limits

EXIT_CODES = """\b
Exit codes:
  0  success (and every checked number agrees)
  1  the check found a number that disagrees with SymPy or finite differences
     (cg check: an answer is wrong)
  2  usage or syntax error (bad program, bad or missing values, bad options,
     a bad row of data, an input over a limit)
  3  math error (log(-1), 1/0, sqrt(-1), overflow, ...)
  4  internal error (a bug in cg: please report it)
"""
EXIT_INTERNAL = 4


class ProgramCommand(click.Command):
    """A command whose positional arguments may start with '-' (a program such as -x^2).

    Arguments that are not one of the command's options are passed through as
    positional arguments, so ``cg eval "-x^2" x=3`` works without ``--``.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        values: dict[str, object] = {}
        """Per option: True (takes a value), False (a flag), or the choices of an optional value."""
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                takes: object = not (param.is_flag or param.count)
                if getattr(param, "_flag_needs_value", False):
                    takes = set(getattr(param.type, "choices", ()))
                for opt in [*param.opts, *param.secondary_opts]:
                    values[opt] = takes
        options: list[str] = []
        positional: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            if arg == "--":
                positional.extend(args[i:])
                break
            name = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if name not in values and not _looks_like_long_option(arg):
                positional.append(arg)
                continue
            options.append(arg)
            takes = values.get(name)
            optional = isinstance(takes, set) and i < len(args) and args[i] in takes
            if "=" not in arg and (takes is True or optional) and i < len(args):
                options.append(args[i])
                i += 1
        return super().parse_args(ctx, [*options, "--", *positional])


def _looks_like_long_option(arg: str) -> bool:
    """``--name`` or ``--name=value``: an option cg does not know, for click to report."""
    import re

    return re.fullmatch(r"--[A-Za-z][A-Za-z0-9-]*(=.*)?", arg, re.S) is not None


def reports_errors(command):
    """Turn cg's errors into one message on stderr and the documented exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CgError as exc:
            click.echo(exc.render(), err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:  # the reader stopped early (| head): not an error of cg's
            _silence_stdout()
            sys.exit(0)
        except RecursionError:
            click.echo(
                "cg: internal error: recursion too deep (a bug in cg: please report it)", err=True
            )
            sys.exit(EXIT_INTERNAL)
        except Exception as exc:
            click.echo(
                f"cg: internal error: {type(exc).__name__}: {exc} (please report it)", err=True
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush does not fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


COMMANDS = {
    "eval": "evaluate",
    "graph": "draw",
    "explain": "explain",
    "check": "check",
    "grad": "grad",
    "train": "train",
    "sheet": "sheet",
}
"""Each command and the module of this package that defines it as ``command``."""


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs, so start-up stays short."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"{__name__}.{COMMANDS[name]}")
        return module.command


@click.group(
    cls=LazyGroup,
    epilog=EXIT_CODES,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="cg")
def main() -> None:
    """cg: scalar math as a computational graph, with forward pass, backpropagation
    and a check against SymPy.

    \b
    Example (the worked example of backpropagation):
      cg eval "(x+y)*z" x=1 y=3 z=-3
    """


def read_program(arguments: tuple[str, ...], program_file: str | None) -> tuple[str, list[str]]:
    """The program text and the remaining NAME=VALUE arguments."""
    if program_file is not None:
        with click.open_file(program_file, encoding="utf-8") as handle:
            return handle.read(), list(arguments)
    if not arguments:
        raise click.UsageError("missing PROGRAM (or -f FILE)")
    program, *values = arguments
    if program == "-":
        return sys.stdin.read(), values
    return program, values


def output_options(formats: list[str], default: str = "table", wrt: bool = True):
    """--format, --digits and --wrt: the output options of every command that prints results."""

    def decorator(command):
        options = [
            click.option(
                "--format",
                "output_format",
                type=click.Choice(formats),
                default=default,
                show_default=True,
                help="Output format (the README describes each).",
            ),
            click.option(
                "--digits",
                type=click.IntRange(1, 17),
                default=6,
                show_default=True,
                help="Significant digits shown (machine formats keep full precision).",
            ),
        ]
        if wrt:
            options.append(
                click.option(
                    "--wrt",
                    metavar="NAMES",
                    help="Report the gradient only with respect to these inputs (a,b,...).",
                )
            )
        for option in reversed(options):
            command = option(command)
        return command

    return decorator


def parse_wrt(wrt: str | None, inputs: tuple[str, ...]) -> list[str]:
    """The inputs named by --wrt (all inputs when it is not given)."""
    if wrt is None:
        return list(inputs)
    names = [name.strip() for name in wrt.split(",") if name.strip()]
    unknown = [name for name in names if name not in inputs]
    if unknown:
        known = ", ".join(inputs) or "none"
        raise UsageError(
            f"--wrt {', '.join(unknown)}: not an input of the program (inputs: {known})"
        )
    return names


class ProgramArgs(NamedTuple):
    """What a command was told about its program: the text or file, values, output, limits."""

    arguments: tuple[str, ...]
    program_file: str | None
    output_name: str | None
    limits: Limits


def program_arguments(command):
    """PROGRAM [NAME=VALUE]..., -f FILE, --output NAME and the input limits: how every
    command takes a program. The command receives them as one ``program`` argument."""

    @functools.wraps(command)
    def wrapper(
        *args, arguments, program_file, output_name, max_size, max_depth, max_literal, **kw
    ):
        limits = Limits(max_size, max_depth, max_literal)
        program = ProgramArgs(arguments, program_file, output_name, limits)
        return command(*args, program=program, **kw)

    for option in reversed(
        [
            click.argument("arguments", nargs=-1, metavar="PROGRAM [NAME=VALUE]..."),
            click.option(
                "-f",
                "--file",
                "program_file",
                type=click.Path(dir_okay=False, allow_dash=True),
                help="Read the program from FILE ('-' for stdin); all arguments are then values.",
            ),
            click.option(
                "--output",
                "output_name",
                metavar="NAME",
                help="Differentiate NAME instead of the last statement.",
            ),
            click.option(
                "--max-size",
                type=click.IntRange(min=1),
                default=DEFAULT_LIMITS.max_size,
                show_default=True,
                metavar="CHARS",
                help="Refuse programs longer than this.",
            ),
            click.option(
                "--max-depth",
                type=click.IntRange(min=1),
                default=DEFAULT_LIMITS.max_depth,
                show_default=True,
                metavar="N",
                help="Refuse programs nested deeper than this (parser stack entries).",
            ),
            click.option(
                "--max-literal",
                type=click.IntRange(min=1),
                default=DEFAULT_LIMITS.max_literal,
                show_default=True,
                metavar="CHARS",
                help="Refuse number literals longer than this.",
            ),
        ]
    ):
        wrapper = option(wrapper)
    return wrapper


def load_program(program: ProgramArgs):
    """The graph and the NAME=VALUE values of a command's arguments."""
    from ..parser import parse
    from ..values import parse_assignments

    text, value_args = read_program(program.arguments, program.program_file)
    graph = parse(text, program.limits)
    values = parse_assignments(value_args)
    if program.output_name is not None:
        graph = graph.with_output_name(program.output_name)
    return graph, values


def warn(message: str) -> None:
    """A warning line on stderr."""
    click.echo(
        f"cg: warning: {message}" if not message.startswith("check:") else f"cg: {message}",
        err=True,
    )
