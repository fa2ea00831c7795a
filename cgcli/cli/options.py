"""How cg's commands declare themselves to click: the command classes, the shared
options and their types, and the option groups of the help.

Each command's module builds its click command from these; what the commands share
that needs no click is in :mod:`cgcli.cli.program`."""

from __future__ import annotations

import functools

import click

from ..core.errors import UsageError
from ..core.limits import DEFAULT_LIMITS, EXACT_TIMEOUT, MAX_LITERAL_CEILING
from .program import program_args, warn

EXIT_CODES = """\b
Exit codes:
  0  success (and every checked number agrees)
  1  the check found a number that disagrees with SymPy or a high-precision
     reference (cg check: an answer is wrong)
  2  usage or syntax error (bad program, bad or missing values, bad options,
     a bad row of data, an input over a limit)
  3  math error (log(-1), 1/0, sqrt(-1), overflow, ...)
  4  internal error (a bug in cg: please report it)
  5  training diverged (cg train: the loss became nan, inf or a millionfold
     its start; the message says which --lr to try)
"""


EXAMPLES = {
    "eval": ['cg eval "(x+y)*z" x=1 y=3 z=-3', 'cg eval "x*y" --points data.csv --format csv'],
    "graph": ['cg graph "(x+y)*z" x=1 y=3 z=-3 --format svg -o graph.svg'],
    "explain": ['cg explain "(x+y)*z" x=1 y=3 z=-3'],
    "check": ['cg check "p = x + y; g = p * z" x=1 y=3 z=-3 --expect p=4 --expect dg/dx=-3'],
    "grad": ['cg grad "sigmoid(w*x + b)"'],
    "hessian": ['cg hessian "loss = (w*x + b - y)^2" w=0.5 b=0 x=2 y=3 --hvp w=1'],
    "page": ['cg page "(x+y)*z" x=1 y=3 z=-3 -o seed.html'],
    "sheet": ['cg sheet "q = x + y; f = q * z" x=-2 y=5 z=-4 --format csv'],
    "train": [
        "cg example-data line -o line.csv",
        'cg train "w*x + b" --data line.csv --target y --params w=0,b=0 --lr 0.05',
    ],
    "docs": ["cg docs", "cg docs output"],
    "example-data": [
        "cg example-data line -o line.csv",
        'cg train "w*x + b" --data line.csv --target y --params w=0,b=0 --lr 0.05',
    ],
}
"""One or two typical command lines per command, shown at the end of its help (and in
docs/commands.md)."""


class CgCommand(click.Command):
    """A cg command: its help ends with its examples (:data:`EXAMPLES`)."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        examples = EXAMPLES.get(self.name or "", [])
        if examples:
            with formatter.section("Examples"):
                for line in examples:
                    formatter.write_text(line)
        super().format_epilog(ctx, formatter)


class ProgramCommand(CgCommand):
    """A command whose positional arguments may start with '-' (a program such as -x^2).

    Arguments that are not one of the command's options are passed through as
    positional arguments, so ``cg eval "-x^2" x=3`` works without ``--``. Its help
    lists the command's own options first, the shared limits last, then examples.
    """

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The options under their headings (:func:`option_group`), in click's own layout;
        the program's positional arguments are in the usage line, not among them."""
        groups: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record and isinstance(param, click.Option):
                groups.setdefault(getattr(param, "help_group", "Options"), []).append(record)
        for title in sorted(groups, key=lambda t: (t == "Input limits", t == "Options")):
            with formatter.section(title):
                formatter.write_dl(groups[title])

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
            if takes is True and "=" not in arg and i == len(args):
                if ctx.resilient_parsing:  # shell completion: this option's value is next
                    options.pop()
                    break
                raise click.BadOptionUsage(name, f"option '{name}' requires a value", ctx=ctx)
            optional = isinstance(takes, set) and i < len(args) and args[i] in takes
            if "=" not in arg and (takes is True or optional) and i < len(args):
                options.append(args[i])
                i += 1
        return super().parse_args(ctx, [*options, "--", *positional])


def _looks_like_long_option(arg: str) -> bool:
    """``--name`` or ``--name=value``: an option cg does not know, for click to report."""
    import re

    return re.fullmatch(r"--[A-Za-z][A-Za-z0-9-]*(=.*)?", arg, re.S) is not None


class FiniteFloat(click.ParamType):
    """A finite float written in ASCII, optionally bounded below (``minimum``, exclusive
    when ``above``) and above (``maximum``)."""

    name = "number"

    def __init__(
        self, minimum: float | None = None, above: bool = False, maximum: float | None = None
    ) -> None:
        self.minimum = minimum
        self.above = above
        self.maximum = maximum

    def convert(self, value, param, ctx):
        from ..core import arguments
        from ..core.errors import ArgumentTypeError, ArgumentValueError

        try:
            return arguments.number(
                value,
                param.name if param else "value",
                minimum=self.minimum,
                above=self.above,
                maximum=self.maximum,
                from_text=True,
            )
        except (ArgumentValueError, ArgumentTypeError) as exc:
            self.fail(exc.detail, param, ctx)


class Workers(click.ParamType):
    """The worker processes of a local Dask cluster (:func:`cgcli.core.arguments.workers`)."""

    name = "integer"

    def convert(self, value, param, ctx):
        from ..core import arguments
        from ..core.errors import ArgumentTypeError, ArgumentValueError

        try:
            return arguments.workers(value, "--workers", from_text=True)
        except (ArgumentValueError, ArgumentTypeError) as exc:
            self.fail(exc.detail, param, ctx)


class PathValue(click.Path):
    """A file or folder name: the shell completes it as one (``dir_okay``/``file_okay``
    say which), and it passes through unchanged, for cg to check where it is read or
    written, with cg's own messages."""

    def __init__(self, file_okay: bool = True, dir_okay: bool = False) -> None:
        super().__init__(file_okay=file_okay, dir_okay=dir_okay, allow_dash=True)

    def convert(self, value, param, ctx):
        return value


FILE = PathValue()
"""A file name ('-' where the option reads stdin)."""
FILE_OR_FOLDER = PathValue(dir_okay=True)
"""A file or a folder (a class's sheets, a partitioned data set)."""


class suggest:
    """Shell completion of a free-text option's usual values: ``--loss`` completes
    ``mse`` and ``bce`` and still takes any expression."""

    def __init__(self, *values: str) -> None:
        self.values = values

    def __call__(self, ctx, param, incomplete: str):
        from click.shell_completion import CompletionItem

        return [CompletionItem(value) for value in self.values if value.startswith(incomplete)]


POSITIVE = FiniteFloat(0, above=True)
NON_NEGATIVE = FiniteFloat(0)
SECONDS = FiniteFloat(0, above=True, maximum=86_400)
"""A time budget: more than 0 seconds, at most a day."""


def exact_timeout_option(
    help: str = "Time budget of --exact: its passes and the writing of its numbers.",
):
    """``--exact-timeout SECONDS``, the time budget of exact arithmetic (one default)."""
    return click.option(
        "--exact-timeout",
        type=SECONDS,
        default=EXACT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help=help,
    )


def option_group(title: str, *decorators):
    """Apply click option ``decorators`` whose options show under ``title`` in the help."""

    def decorator(command):
        for option in reversed(decorators):
            before = len(getattr(command, "__click_params__", []))
            command = option(command)
            for param in command.__click_params__[before:]:
                param.help_group = title
        return command

    return decorator


STANDALONE = click.option(
    "--standalone",
    is_flag=True,
    help="With --format latex: a whole document that pdflatex compiles as it is, instead "
    "of a fragment for your own preamble (its first line names the packages it needs).",
)


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
                help="Output format (cg docs output describes each).",
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
        if "latex" in formats:
            options.append(STANDALONE)
        for option in reversed(options):
            command = option(command)
        return command

    return decorator


def engine_options(engine_help: str):
    """--engine local|dask, --scheduler and --workers: where a command runs its data."""

    def decorator(command):
        options = [
            click.option(
                "--engine",
                type=click.Choice(["local", "dask"]),
                default="local",
                show_default=True,
                help=engine_help,
            ),
            click.option(
                "--scheduler",
                metavar="ADDRESS",
                help="With --engine dask: the address of a running Dask scheduler "
                "(tcp://host:8786); without it, a local cluster runs for the command.",
            ),
            click.option(
                "--workers",
                type=Workers(),
                help="With --engine dask: worker processes of the local cluster "
                "(default: one per CPU).",
            ),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorator


def program_arguments(command):
    """PROGRAM [NAME=VALUE]..., -f FILE, --of NAME and the input limits: how every
    command takes a program. The command receives them as one ``program`` argument."""

    @functools.wraps(command)
    def wrapper(*args, **params):
        return command(*args, program=program_args(params), **params)

    program = option_group(
        "Program",
        click.argument("arguments", nargs=-1, metavar="PROGRAM [NAME=VALUE]..."),
        click.option(
            "-f",
            "--file",
            "program_file",
            type=FILE,
            metavar="FILE",
            help="Read the program from FILE ('-' for stdin); all arguments are then values.",
        ),
        click.option(
            "--of",
            "output_name",
            metavar="NAME",
            callback=_output_node,
            help="Differentiate NAME, a name in the program, instead of the last statement.",
        ),
        click.option(
            "--output",
            "deprecated_output_name",
            metavar="NAME",
            hidden=True,
            callback=_output_node,
            help="The old name of --of (deprecated; -o/--out writes a file).",
        ),
    )
    limits = option_group(
        "Input limits",
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
            help="Refuse programs nested deeper than this: parser stack entries, about one "
            "per open parenthesis and two per open unary operator or function call.",
        ),
        click.option(
            "--max-literal",
            type=click.IntRange(min=1, max=MAX_LITERAL_CEILING),
            default=DEFAULT_LIMITS.max_literal,
            show_default=True,
            metavar="CHARS",
            help="Refuse number literals longer than this.",
        ),
        click.option(
            "--max-unrolled",
            type=click.IntRange(min=1),
            default=DEFAULT_LIMITS.max_unrolled,
            show_default=True,
            metavar="N",
            help="Refuse loops and sums that unroll into more nodes than this (each step "
            "counts one more).",
        ),
    )
    return program(limits(wrapper))


def _output_node(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--of NAME (or the deprecated --output): a name in the program. A file name there
    is a mistake for -o (or for the shell's >): say so before anything else fails."""
    if value is None or ctx.resilient_parsing:
        return value
    option = "--output" if param.name == "deprecated_output_name" else "--of"
    if any(mark in value for mark in "./\\"):  # a name in the program has none of these
        raise UsageError(f"{option} {value}: no such name in the program; {_file_hint(ctx, value)}")
    if option == "--output":
        warn(
            "--output is deprecated and will be removed in the next release: it is now "
            f"--of {value} (the node to differentiate); -o/--out writes a file"
        )
    return value


def _file_hint(ctx: click.Context, path: str) -> str:
    """How to write to ``path`` with this command: its -o, or the shell's redirection."""
    by_option = {opt: param for param in ctx.command.params for opt in getattr(param, "opts", [])}
    if "--points" in by_option:
        return f"to write a file, did you mean -o {path} (with --points), or > {path}?"
    if "-o" in by_option and by_option["-o"].name != "folder":
        return f"to write a file, did you mean -o {path}?"
    if "-o" in by_option:  # cg sheet: -o is the folder of a sheet per student
        from ..grading.blank import redirect_advice

        return (
            f"to write a file, redirect the output: {redirect_advice(path)} (-o is a folder, "
            "with --roster)"
        )
    return f"to write a file, redirect the output: > {path}"


def given_option(name: str):
    """The value of the option ``name`` when the user gave it, else None (its default)."""
    return click.get_current_context().params[name] if name in given_options() else None


def given_options() -> frozenset[str]:
    """The names of the parameters the user gave on the command line (not left to default)."""
    from click.core import ParameterSource

    context = click.get_current_context()
    return frozenset(
        name
        for name in context.params
        if context.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)
    )
