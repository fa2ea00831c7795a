"""The command line: parse arguments, call the core, render, map errors to exit codes."""

from __future__ import annotations

import functools
import json
import sys

import click

from . import __version__
from .check import DEFAULT_TIMEOUT
from .errors import EXIT_CHECK_FAILED, EXIT_OK, CgError, UsageError

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


SINGLE_POINT_FORMATS = ["table", "json", "csv", "tsv", "markdown", "latex"]
POINTS_FORMATS = ["table", "json", "csv", "tsv", "jsonl"]


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


def program_arguments(command):
    """PROGRAM [NAME=VALUE]..., -f FILE and --output NAME: how every command takes a program."""
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
        ]
    ):
        command = option(command)
    return command


def load_program(arguments, program_file, output_name):
    """The graph and the NAME=VALUE values of a command's arguments."""
    from .parser import parse
    from .values import parse_assignments

    program, value_args = read_program(arguments, program_file)
    graph = parse(program)
    values = parse_assignments(value_args)
    if output_name is not None:
        graph = graph.with_output_name(output_name)
    return graph, values


@main.command("eval", cls=ProgramCommand, epilog=EXIT_CODES)
@program_arguments
@click.option(
    "--points",
    "points_file",
    metavar="FILE",
    help="Evaluate at every row of FILE (CSV, TSV or JSON Lines; '-' for stdin).",
)
@click.option(
    "--chunk-rows",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="With --points: rows read, evaluated and written at a time.",
)
@click.option(
    "--points-format",
    type=click.Choice(["csv", "tsv", "jsonl"]),
    help="Format of --points (default: from the extension, else csv).",
)
@output_options(sorted(set(SINGLE_POINT_FORMATS) | set(POINTS_FORMATS), key=lambda f: f != "table"))
@click.option("--grad", "grad_only", is_flag=True, help="Print only the gradient.")
@click.option(
    "--check",
    "check_mode",
    type=click.Choice(["sample", "all"]),
    is_flag=False,
    flag_value="sample",
    default="sample",
    help="Check against SymPy (the default). With --points: 'sample' checks a sample of rows "
    "with SymPy, 'all' checks every row with finite differences.",
)
@click.option("--no-check", is_flag=True, help="Skip the check (SymPy is not even imported).")
@click.option(
    "--exact",
    is_flag=True,
    help="Exact arithmetic: 1/3 stays 1/3 and sqrt(2) stays sqrt(2), with a float alongside.",
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
def eval_command(
    arguments,
    program_file,
    output_name,
    points_file,
    chunk_rows,
    points_format,
    output_format,
    digits,
    wrt,
    grad_only,
    check_mode,
    no_check,
    exact,
    check_timeout,
):
    """Evaluate PROGRAM at the given values: a table of every node's value and gradient.

    VALUE is a constant expression (-3, 1/3, pi/4, 2^-1) kept exact for the check.
    With --points, evaluate at every row of a file instead, vectorised and streamed.
    """
    from .evaluation import evaluate_graph

    graph, values = load_program(arguments, program_file, output_name)
    if points_file is not None:
        if exact:
            raise UsageError("--exact is for one point; --points evaluates in float64")
        status = _eval_points(
            graph,
            values,
            points_file,
            chunk_rows,
            points_format,
            output_format,
            digits,
            wrt,
            grad_only,
            "none" if no_check else check_mode,
            check_timeout,
        )
        sys.exit(status)
    if output_format == "jsonl":
        raise UsageError("--format jsonl needs --points (one line per point)")
    result = evaluate_graph(
        graph, values, check=not no_check, check_timeout=check_timeout, exact=exact
    )
    _print_point(result, output_format, digits, wrt, grad_only)


def _print_point(result, output_format, digits, wrt, grad_only):
    from .render import formats

    for warning in result.warnings:
        warn(warning)
    wrt_names = parse_wrt(wrt, result.graph.input_names)
    if grad_only:
        click.echo(formats.render_grad(result, wrt_names, output_format), nl=False)
    elif output_format == "json":
        doc = result.as_dict(wrt_names)
        click.echo(json.dumps(doc, ensure_ascii=False, allow_nan=False, indent=2))
    elif output_format in ("csv", "tsv"):
        click.echo(
            formats.render_delimited(result, "," if output_format == "csv" else "\t"), nl=False
        )
    elif output_format == "markdown":
        click.echo(formats.render_markdown(result, digits, wrt_names), nl=False)
    elif output_format == "latex":
        click.echo(formats.render_latex(result, digits, wrt_names), nl=False)
    elif sys.stdout.isatty():
        from rich.console import Console

        from .render.table import print_rich

        print_rich(result, digits, wrt_names, Console())
    else:
        from .render.table import render_plain

        click.echo(render_plain(result, digits, wrt_names), nl=False)
    sys.exit(EXIT_OK if result.check.ok else EXIT_CHECK_FAILED)


def _eval_points(
    graph,
    values,
    points_file,
    chunk_rows,
    points_format,
    output_format,
    digits,
    wrt,
    grad_only,
    check,
    timeout,
) -> int:
    from .points import run_points
    from .points_io import PointReader, RowWriter, open_text, point_format_for

    if output_format in ("markdown", "latex"):
        raise UsageError(
            f"--format {output_format} is for one point; with --points use "
            + ", ".join(POINTS_FORMATS)
        )
    with open_text(points_file) as stream:
        reader = PointReader(stream, point_format_for(points_file, points_format), chunk_rows)
        bound = graph.bind_constants([*reader.header, *values])
        wrt_names = parse_wrt(wrt, bound.input_names) if wrt else None
        return run_points(
            graph,
            values,
            reader,
            lambda layout: RowWriter(sys.stdout, output_format, layout, digits),
            wrt=wrt_names,
            grad_only=grad_only,
            check=check,
            check_timeout=timeout,
            warn=warn,
        )


def warn(message: str) -> None:
    """A warning line on stderr."""
    click.echo(
        f"cg: warning: {message}" if not message.startswith("check:") else f"cg: {message}",
        err=True,
    )


GRAPH_FORMATS = ["ascii", "dot", "mermaid", "svg", "png"]
GRAPHVIZ_MISSING = (
    "Graphviz's dot program is not installed, and --format {fmt} needs it. Install Graphviz "
    "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; conda: conda "
    "install graphviz), or use --format dot, mermaid or ascii."
)


@main.command("graph", cls=ProgramCommand, epilog=EXIT_CODES)
@program_arguments
@output_options(GRAPH_FORMATS, default="ascii", wrt=False)
@click.option(
    "-o",
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to FILE instead of standard output.",
)
@reports_errors
def graph_command(arguments, program_file, output_name, output_format, digits, out_file):
    """Draw PROGRAM's graph; with values, each node shows its value and gradient.

    ascii draws in the terminal; dot and mermaid are text for Graphviz and Mermaid;
    svg and png run Graphviz's dot.
    """
    from .render import graph as drawing

    graph, values = load_program(arguments, program_file, output_name)
    notes = None
    if values:
        from .evaluation import evaluate_graph

        result = evaluate_graph(graph, values, check=False)
        for warning in result.warnings:
            warn(warning)
        graph = result.graph
        notes = drawing.Annotations(
            [r.value for r in result.nodes], [r.grad for r in result.nodes], result.output, digits
        )
    if output_format == "ascii":
        data = drawing.to_ascii(graph, notes).encode()
    elif output_format == "mermaid":
        data = drawing.to_mermaid(graph, notes).encode()
    else:
        data = drawing.to_dot(graph, notes).encode()
        if output_format in ("svg", "png"):
            data = _run_dot(data, output_format)
    if out_file:
        with open(out_file, "wb") as handle:
            handle.write(data)
    elif output_format == "png" and sys.stdout.isatty():
        raise UsageError("a PNG is binary: write it to a file with -o FILE")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _run_dot(dot_source: bytes, output_format: str) -> bytes:
    import shutil
    import subprocess

    dot = shutil.which("dot")
    if dot is None:
        raise UsageError(GRAPHVIZ_MISSING.format(fmt=output_format))
    done = subprocess.run([dot, f"-T{output_format}"], input=dot_source, capture_output=True)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()[:1]
        raise UsageError(f"Graphviz's dot failed: {' '.join(message)}")
    return done.stdout


@main.command("explain", cls=ProgramCommand, epilog=EXIT_CODES)
@program_arguments
@output_options(["text", "markdown", "latex"], default="text", wrt=False)
@click.option("--exact", is_flag=True, help="Exact arithmetic, with a float alongside.")
@reports_errors
def explain_command(arguments, program_file, output_name, output_format, digits, exact):
    """The worked solution: the forward pass node by node, then the backward pass by the
    chain rule, with every number filled in."""
    from .evaluation import evaluate_graph
    from .explain import exact_numbers, float_numbers, render_latex, render_text, solve

    graph, values = load_program(arguments, program_file, output_name)
    result = evaluate_graph(graph, values, check=False, exact=exact)
    for warning in result.warnings:
        warn(warning)
    if exact:
        numbers = exact_numbers(result.exact, digits)
    else:
        values_, grads = [r.value for r in result.nodes], [r.grad for r in result.nodes]
        numbers = float_numbers(result.graph, values_, grads, digits)
    solution = solve(result.graph, numbers)
    if output_format == "latex":
        click.echo(render_latex(solution), nl=False)
    else:
        click.echo(render_text(solution, markdown=output_format == "markdown"), nl=False)


@main.command("grad", cls=ProgramCommand, epilog=EXIT_CODES)
@program_arguments
@output_options(["text", "latex", "json"], default="text")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Time budget for SymPy's simplification; past it the derivatives are unsimplified.",
)
@reports_errors
def grad_command(arguments, program_file, output_name, output_format, digits, wrt, timeout):
    """The symbolic partial derivatives of the output with respect to each input (SymPy,
    simplified); with values given, also evaluated there."""
    from .check import call_with_timeout
    from .numbers import format_number
    from .symbolic import gradient_formulas
    from .values import bind_inputs

    graph, values = load_program(arguments, program_file, output_name)
    graph = graph.bind_constants(values)
    exact = None
    if values:
        graph, _, warnings = bind_inputs(graph, values)
        for warning in warnings:
            warn(warning)
        exact = {name: values[name].exact for name in graph.input_names}
    names = parse_wrt(wrt, graph.input_names)
    try:
        rows = call_with_timeout(gradient_formulas, (graph, names, exact, True), timeout)
    except TimeoutError:
        warn(f"SymPy did not simplify within {timeout:g} s; the derivatives are not simplified")
        rows = gradient_formulas(graph, names, exact, simplify=False)
    out = graph.label(graph.nodes[graph.output])
    if output_format == "json":
        doc = {
            "output": out,
            "gradient": {
                name: {"formula": text, "latex": latex, "value": _json_expected(value), "exact": ex}
                for name, text, latex, value, ex in rows
            },
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    if output_format == "latex":
        from .explain import latex_name

        click.echo(r"\begin{align*}")
        for name, _, latex, value, _ in rows:
            shown = f" = {_latex_value(value, digits)}" if value is not None else ""
            partial = rf"\frac{{\partial {latex_name(out)}}}{{\partial {latex_name(name)}}}"
            click.echo(rf"{partial} &= {latex}{shown} \\")
        click.echo(r"\end{align*}")
        return
    for name, text, _, value, exact_text in rows:
        line = f"∂{out}/∂{name} = {text}"
        if value is not None:
            shown = format_number(value, digits) if isinstance(value, float) else value
            line += f" = {exact_text}" if exact_text not in (None, text) else ""
            if exact_text != shown:
                line += f" ≈ {shown}" if exact_text else f" = {shown}"
        click.echo(line)


def _json_expected(value):
    from .numbers import json_number

    return value if isinstance(value, str) or value is None else json_number(value)


def _latex_value(value, digits) -> str:
    from .numbers import format_number

    return value if isinstance(value, str) else format_number(value, digits)


@main.command("check", cls=ProgramCommand, epilog=EXIT_CODES)
@program_arguments
@output_options(["text", "json"], default="text", wrt=False)
@click.option(
    "--answers",
    "answer_file",
    metavar="FILE",
    help="A student's answers: JSON, CSV (node,value,grad) or the Markdown table of "
    "cg eval --format markdown, filled in.",
)
@click.option(
    "--expect",
    "expectations",
    multiple=True,
    metavar="ANSWERS",
    help="Answers on the command line: p=4, dg/dx=-3 or dx=-3 (repeatable).",
)
@click.option(
    "--tol",
    type=click.FloatRange(min=0),
    default=1e-3,
    show_default=True,
    help="Relative tolerance for a right answer (plus 1e-9 absolute).",
)
@click.option("--exact", is_flag=True, help="Answers must be exactly right (1/3 is not 0.333).")
@reports_errors
def check_command(
    arguments,
    program_file,
    output_name,
    output_format,
    digits,
    answer_file,
    expectations,
    tol,
    exact,
):
    """Grade a student's numbers for node values and gradients, naming the likely mistake
    behind each wrong one. Exit 0 when all are right, 1 when any is wrong."""
    from .answers import GRAD, parse_expectations, read_answer_file
    from .evaluation import evaluate_graph
    from .grading import ABSOLUTE_TOLERANCE, grade

    graph, values = load_program(arguments, program_file, output_name)
    result = evaluate_graph(graph, values, check=False, exact=exact)
    for warning in result.warnings:
        warn(warning)
    answers = list(parse_expectations(list(expectations), result.graph))
    if answer_file:
        answers += read_answer_file(answer_file, result.graph)
    answers = list({(a.kind, a.node.index, a.given.number): a for a in answers}.values())
    if not answers:
        raise UsageError("no answers to grade: give --answers FILE or --expect p=4,dg/dx=-3")
    grades = grade(result, answers, tol)
    right = sum(g.right for g in grades)
    if output_format == "json":
        doc = {
            "ok": right == len(grades),
            "right": right,
            "total": len(grades),
            "tolerance": {"relative": tol, "absolute": ABSOLUTE_TOLERANCE, "exact": exact},
            "answers": [
                {
                    "answer": g.answer.key,
                    "kind": g.answer.kind,
                    "node": g.answer.node.id,
                    "label": result.graph.label(g.answer.node),
                    "given": g.answer.given.number,
                    "correct": _json_expected(g.correct),
                    "right": g.right,
                    "mistake": g.mistake,
                    "diagnosis": g.diagnosis,
                }
                for g in grades
            ],
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        from .numbers import format_number
        from .render.table import Column, plain

        out = result.output
        rows = []
        for g in grades:
            label = result.graph.label(g.answer.node)
            shown = label if g.answer.kind != GRAD else f"∂{out}/∂{label}"
            index = g.answer.node.index
            correct = (
                result.shown_value(index, digits)
                if g.answer.kind != GRAD
                else result.shown_grad(index, digits)
            )
            verdict = "✓ right" if g.right else f"✗ {g.diagnosis}"
            rows.append([shown, format_number(g.answer.given.number, digits), correct, verdict])
        columns = [
            Column("answer"),
            Column("given", True),
            Column("correct", True),
            Column("grade"),
        ]
        click.echo(plain(columns, rows))
        click.echo(f"{right} of {len(grades)} right")
    sys.exit(EXIT_OK if right == len(grades) else EXIT_CHECK_FAILED)


def parse_params(text: str) -> dict[str, float | None]:
    """``--params w1=0,w2=0.5,b``: starting values; a bare name starts at a random value."""
    from .values import NAME_PATTERN, value_from_text

    params: dict[str, float | None] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        name = name.strip()
        if not NAME_PATTERN.fullmatch(name):
            raise UsageError(f"--params {item}: expected NAME or NAME=VALUE")
        if name in params:
            raise UsageError(f"--params: {name} is given twice")
        params[name] = value_from_text(name, value).number if sep else None
    if not params:
        raise UsageError("--params: name at least one parameter, such as w=0,b=0")
    return params


def parse_batch(text: str) -> int | None:
    if text == "all":
        return None
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise UsageError(f"--batch {text}: expected a positive whole number or 'all'")


@main.command("train", cls=ProgramCommand, epilog=EXIT_CODES)
@program_arguments
@click.option(
    "--data",
    "data_file",
    required=True,
    metavar="FILE",
    help="Training data: CSV, TSV or JSON Lines ('-' for stdin).",
)
@click.option(
    "--data-format",
    type=click.Choice(["csv", "tsv", "jsonl"]),
    help="Format of --data (default: from the extension, else csv).",
)
@click.option(
    "--target", required=True, metavar="COLUMN", help="The column the model should predict."
)
@click.option(
    "--params",
    "params_text",
    required=True,
    metavar="NAMES",
    help="Trainable parameters with starting values: w1=0,w2=0,b=0 "
    "(a bare name starts at a small random value).",
)
@click.option(
    "--loss",
    default="mse",
    show_default=True,
    metavar="LOSS",
    help="mse, bce, or a cg expression of out (the model's output) and target.",
)
@click.option(
    "--lr",
    type=click.FloatRange(min=0, min_open=True),
    default=0.1,
    show_default=True,
    help="Learning rate.",
)
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="At most this many passes over the data.",
)
@click.option(
    "--batch",
    "batch_text",
    default="all",
    show_default=True,
    metavar="N|all",
    help="Rows per update: 1 for per-point updates, N for mini-batches, all for the full batch.",
)
@click.option(
    "--tol",
    type=click.FloatRange(min=0),
    help="Stop when the loss changes by less than this in an epoch.",
)
@click.option("--target-loss", type=float, help="Stop when the loss reaches this value.")
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed for shuffling and random starting values.",
)
@click.option(
    "--shuffle/--no-shuffle",
    default=True,
    show_default=True,
    help="Shuffle the rows every epoch (with --batch N).",
)
@click.option(
    "--history",
    "history_file",
    metavar="FILE",
    help="Write the loss after every epoch to FILE (CSV: epoch,loss).",
)
@output_options(["table", "json"], default="table", wrt=False)
@reports_errors
def train_command(
    arguments,
    program_file,
    output_name,
    data_file,
    data_format,
    target,
    params_text,
    loss,
    lr,
    epochs,
    batch_text,
    tol,
    target_loss,
    seed,
    shuffle,
    history_file,
    output_format,
    digits,
):
    """Train PROGRAM's parameters by gradient descent on a data set: forward pass to the
    loss, backward pass to every gradient, W = W - lr * gradient, repeated."""
    from .numbers import format_number, json_number
    from .train import Settings, Trainer, build_objective, initial_params

    graph, values = load_program(arguments, program_file, output_name)
    if values:
        raise UsageError("cg train takes no NAME=VALUE values: data come from --data")
    params_given = parse_params(params_text)
    settings = Settings(lr, epochs, parse_batch(batch_text), tol, target_loss, seed, shuffle)
    data, columns = _read_training_data(data_file, data_format, graph, params_given, target)
    objective = build_objective(graph, loss, list(params_given), columns)
    trainer = Trainer(objective, data, settings)
    params = initial_params(list(params_given), params_given, seed)
    with _progress(epochs) as progress:
        outcome = trainer.run(params, progress)
    for warning in outcome.warnings:
        warn(warning)
    outcome.check_ok, outcome.check = trainer.check_gradient(outcome.params)
    if loss == "bce":
        outcome.accuracy = trainer.accuracy(outcome.params)
    if history_file:
        with open(history_file, "w", encoding="utf-8") as handle:
            handle.write("epoch,loss\n")
            handle.writelines(f"{i},{v!r}\n" for i, v in enumerate(outcome.history, 1))
    if output_format == "json":
        doc = {
            "params": {k: json_number(v) for k, v in outcome.params.items()},
            "loss": json_number(outcome.loss),
            "epochs": outcome.epochs,
            "stopped": outcome.stopped,
            "accuracy": outcome.accuracy,
            "check": {"ok": outcome.check_ok, "method": "finite-difference", "note": outcome.check},
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        from .render.table import Column, plain

        rows = [[name, format_number(v, digits)] for name, v in outcome.params.items()]
        click.echo(plain([Column("parameter"), Column("value", True)], rows))
        click.echo(
            f"\nloss {format_number(outcome.loss, digits)} after {outcome.epochs} epochs "
            f"({outcome.stopped})"
        )
        if outcome.accuracy is not None:
            click.echo(f"accuracy {format_number(outcome.accuracy, digits)}")
        click.echo(outcome.check)
    sys.exit(EXIT_OK if outcome.check_ok else EXIT_CHECK_FAILED)


def _read_training_data(data_file, data_format, graph, params, target):
    """All rows of the data, as one float array per column the training needs."""
    import numpy as np

    from .points_io import PointReader, open_text, point_format_for

    with open_text(data_file) as stream:
        reader = PointReader(stream, point_format_for(data_file, data_format), 1_000_000)
        if reader.format != "jsonl" and not reader.header:
            raise UsageError(f"the data file {data_file} is empty")
        columns = reader.header or [
            n for n in graph.bind_constants(params).input_names if n not in params
        ] + [target]
        if target not in columns:
            raise UsageError(f"--target {target}: no such column (columns: {', '.join(columns)})")
        if target in params:
            raise UsageError(f"--target {target} is also a parameter")
        used = [n for n in graph.bind_constants([*params, *columns]).input_names if n not in params]
        names = [n for n in dict.fromkeys([*used, target]) if n in columns]
        if target in used:
            raise UsageError(f"the model may not use the target column {target} as an input")
        parts: dict[str, list] = {n: [] for n in names}
        for chunk in reader.chunks(names):
            for name in names:
                parts[name].append(chunk.columns[name])
            if chunk.error:
                raise chunk.error
    data = {n: np.concatenate(p) if p else np.empty(0) for n, p in parts.items()}
    if len(data[target]) == 0:
        raise UsageError(f"the data file {data_file} has no rows")
    from .train import TARGET

    data[TARGET] = data.pop(target)
    return data, columns


class _progress:
    """A rich progress bar with the live loss on a terminal; nothing when piped."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs
        self.bar = None

    def __enter__(self):
        if not sys.stderr.isatty():
            return lambda epoch, loss: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.bar = Progress(
            TextColumn("training"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]}"),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("train", total=self.epochs, loss="-")
        return lambda epoch, loss: self.bar.update(task, completed=epoch, loss=f"{loss:.6g}")

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
