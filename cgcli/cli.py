"""The command line: parse arguments, call the core, render, map errors to exit codes."""

from __future__ import annotations

import functools
import json
import sys

import click

from . import __version__
from .check import DEFAULT_TIMEOUT
from .errors import EXIT_CHECK_FAILED, EXIT_OK, CgError

EXIT_CODES = """\b
Exit codes:
  0  success (and every checked number agrees)
  1  the check found a number that disagrees with SymPy or finite differences
  2  usage or syntax error (bad program, bad or missing values, bad options)
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
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for opt in [*param.opts, *param.secondary_opts]:
                    takes_value[opt] = not (param.is_flag or param.count)
        options: list[str] = []
        positional: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                positional.extend(rest)
                break
            name = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if name in takes_value or _looks_like_long_option(arg):
                options.append(arg)
                if takes_value.get(name) and "=" not in arg:
                    options.append(next(rest, ""))
            else:
                positional.append(arg)
        return super().parse_args(ctx, [*options, "--", *positional])


def _looks_like_long_option(arg: str) -> bool:
    name = arg.split("=", 1)[0]
    return name.startswith("--") and len(name) > 2 and name[2:].replace("-", "").isalnum()


def reports_errors(command):
    """Turn cg's errors into one message on stderr and the documented exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CgError as exc:
            click.echo(exc.render(), err=True)
            sys.exit(exc.exit_code)
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


@click.group(epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
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


@main.command("eval", cls=ProgramCommand, epilog=EXIT_CODES)
@click.argument("arguments", nargs=-1, metavar="PROGRAM [NAME=VALUE]...")
@click.option(
    "-f",
    "--file",
    "program_file",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Read the program from FILE ('-' for stdin); all arguments are then values.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: rich on a terminal, plain text when piped; json: the documented schema.",
)
@click.option(
    "--output",
    "output_name",
    metavar="NAME",
    help="Differentiate NAME instead of the last statement.",
)
@click.option(
    "--digits",
    type=click.IntRange(1, 17),
    default=6,
    show_default=True,
    help="Significant digits in the table (JSON always has full precision).",
)
@click.option(
    "--check/--no-check",
    default=True,
    show_default=True,
    help="Check values and gradients against SymPy.",
)
@click.option(
    "--check-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Time budget for SymPy; past it the check uses finite differences.",
)
@reports_errors
def eval_command(arguments, program_file, output_format, output_name, digits, check, check_timeout):
    """Evaluate PROGRAM at the given values: a table of every node's value and gradient.

    VALUE is a constant expression (-3, 1/3, pi/4, 2^-1) kept exact for the check.
    """
    from .evaluation import evaluate_graph
    from .parser import parse
    from .values import parse_assignments

    program, value_args = read_program(arguments, program_file)
    graph = parse(program)
    values = parse_assignments(value_args)
    result = evaluate_graph(
        graph, values, output=output_name, check=check, check_timeout=check_timeout
    )
    for warning in result.warnings:
        click.echo(f"cg: warning: {warning}", err=True)
    if output_format == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, allow_nan=False, indent=2))
    elif sys.stdout.isatty():
        from rich.console import Console

        from .render.table import print_rich

        print_rich(result, digits, Console())
    else:
        from .render.table import render_plain

        click.echo(render_plain(result, digits), nl=False)
    sys.exit(EXIT_OK if result.check.ok else EXIT_CHECK_FAILED)
