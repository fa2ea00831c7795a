"""cg eval: one point, or many points with --points."""

from __future__ import annotations

import contextlib
import sys

import click

from ..core.errors import EXIT_CHECK_FAILED, EXIT_MATH, EXIT_OK, UsageError
from ..core.limits import CHECK_TIMEOUT as DEFAULT_TIMEOUT
from . import (
    EXIT_CODES,
    FILE_OR_FOLDER,
    SECONDS,
    ProgramCommand,
    as_document,
    engine_options,
    exact_timeout_option,
    load_program,
    option_group,
    output_options,
    program_arguments,
    refuse_standalone,
    refuse_two_stdins,
    suggest,
    warn,
)

FORMATS = ["table", "json", "csv", "tsv", "jsonl", "markdown", "latex", "parquet", "arrow"]
POINTS_FORMATS = ["table", "json", "csv", "tsv", "jsonl", "parquet", "arrow"]
"""The formats with --points; markdown and latex are for one point; jsonl, parquet and
arrow for many."""
MANY_POINTS_ONLY = ("jsonl", "parquet", "arrow")


@click.command(
    "eval",
    cls=ProgramCommand,
    epilog=EXIT_CODES,
    short_help="Each node's value and gradient, at one point or many.",
)
@program_arguments
@option_group(
    "Output",
    output_options(FORMATS),
    click.option("--grad", "grad_only", is_flag=True, help="Print only the gradient."),
)
@option_group(
    "One point",
    click.option(
        "--exact",
        is_flag=True,
        help="Exact arithmetic: 1/3 stays 1/3 and sqrt(2) stays sqrt(2), with a float alongside.",
    ),
    exact_timeout_option(),
    click.option(
        "--by-step",
        is_flag=True,
        help="A program with a loop: a table with a row per step instead of the node table "
        "(the state's gradient from its own step and from later ones, each shared weight's "
        "share from the step, and Σ, the weight's whole gradient).",
    ),
    click.option(
        "--truncate",
        type=click.IntRange(min=0),
        metavar="K",
        help="Truncated backpropagation through time: gradients stop K steps back through "
        "the loop's state (checked against a reference truncated the same way).",
    ),
)
@option_group(
    "Many points",
    click.option(
        "--points",
        "points_file",
        type=FILE_OR_FOLDER,
        metavar="FILE",
        help="Evaluate at every row of FILE (CSV, TSV, JSON Lines, Parquet or Arrow IPC; "
        "'-' for stdin).",
    ),
    click.option(
        "--points-format",
        type=click.Choice(["csv", "tsv", "jsonl", "parquet", "arrow"]),
        help="Format of --points (default: from the extension, else csv).",
    ),
    click.option(
        "-o",
        "--out",
        "out_file",
        type=FILE_OR_FOLDER,
        metavar="FILE",
        help="With --points: write the rows to FILE instead of standard output (whole, or "
        "not at all), in the format its extension names (.csv, .tsv, .jsonl, .json, "
        ".parquet, .arrow) unless --format says; with --engine dask, the folder that "
        "receives one Parquet file per partition.",
    ),
    click.option(
        "--keep",
        metavar="COLUMNS|all",
        shell_complete=suggest("all"),
        help="With --points: carry these columns of the points (id,label; all: every "
        "column the program does not use) through to the result as they are, first in "
        "each row, so that rows can be joined back.",
    ),
    click.option(
        "--chunk-rows",
        type=click.IntRange(1, 10_000_000),
        default=100_000,
        show_default=True,
        help="With --points: at most this many rows evaluated and written at a time.",
    ),
    engine_options(
        "With --points: local evaluates in this process; dask evaluates the partitions "
        "(Parquet files) of a data set in parallel on a Dask cluster (the dask extra)."
    ),
)
@option_group(
    "Modes",
    click.option(
        "--mode",
        type=click.Choice(["reverse", "forward"]),
        default="reverse",
        show_default=True,
        help="reverse: every node's gradient ∂output/∂node (backpropagation); forward: "
        "every node's tangent ∂node/∂b for the input named by --wrt b, or along --tangent.",
    ),
    click.option(
        "--tangent",
        metavar="NAME=VALUE,...",
        help="Forward mode along a direction: the tangent of each input (a=1,b=0.5; others 0).",
    ),
    click.option(
        "--grad-graph",
        is_flag=True,
        help="Evaluate the gradient graph (the backward pass built as a graph) instead: "
        "its nodes ∂f/∂node are the reverse pass's gradients.",
    ),
)
@option_group(
    "Check",
    click.option(
        "--check",
        "check_mode",
        type=click.Choice(["sample", "all"]),
        is_flag=False,
        flag_value="sample",
        default="sample",
        help="Check against SymPy (the default). With --points: 'sample' checks a sample "
        "of rows with SymPy, 'all' screens every row with float64 differences and confirms "
        "any disagreement at high precision.",
    ),
    click.option("--no-check", is_flag=True, help="Skip the check (SymPy is not even imported)."),
    click.option(
        "--check-timeout",
        type=SECONDS,
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Time budget of the check: SymPy may use 80% of it, the high-precision "
        "difference quotients (mpmath, 50 digits) the rest.",
    ),
)
def eval_command(
    program,
    mode,
    tangent,
    grad_graph,
    points_file,
    keep,
    chunk_rows,
    points_format,
    engine,
    scheduler,
    workers,
    out_file,
    output_format,
    digits,
    wrt,
    standalone,
    grad_only,
    check_mode,
    no_check,
    exact,
    exact_timeout,
    by_step,
    truncate,
    check_timeout,
):
    """Evaluate PROGRAM at the given values: a table of every node's value and gradient.

    VALUE is a constant expression (-3, 1/3, pi/4, 2^-1) kept exact for the check.
    With --points, evaluate at every row of a file instead, vectorised and streamed.
    """
    from ..api.evaluate import evaluate
    from ..core.files import refuse_overwriting

    refuse_two_stdins(program, points_file, "--points")
    refuse_standalone(standalone, output_format, grad_only)
    refuse_overwriting(out_file, "-o", [("-f", program.program_file), ("--points", points_file)])
    if grad_graph and (mode == "forward" or tangent is not None):
        raise UsageError("--grad-graph evaluates the reverse pass's graph: drop --mode forward")
    if points_file is None and engine == "local":
        _refuse_many_points_options(output_format, out_file, grad_only, program)
    graph, values = load_program(program)
    with _rows_sink(points_file, out_file, output_format, engine) as (out, result_format):
        result = evaluate(
            graph,
            values,
            mode="gradient-graph" if grad_graph else mode,
            tangent=tangent,
            wrt=wrt,
            check="none" if no_check else check_mode,
            check_timeout=check_timeout,
            exact=exact,
            exact_timeout=exact_timeout,
            by_step=by_step,
            truncate=truncate,
            points=points_file,
            points_format=points_format,
            out=out,
            format=result_format,
            digits=digits,
            grad_only=grad_only,
            chunk_rows=chunk_rows,
            keep=keep,
            engine=engine,
            scheduler=scheduler,
            workers=workers,
            on_warning=warn,
        )
    _show(result, output_format, digits, grad_only, standalone)
    sys.exit(_exit_code(result))


def _refuse_many_points_options(output_format, out_file, grad_only, program):
    if grad_only and output_format not in ("table", "json"):
        raise UsageError(
            f"--grad prints NAME VALUE lines, or an object with --format json, not "
            f"{output_format}: drop --grad for the {output_format} table of every node, "
            "gradients included"
        )
    if output_format == "jsonl":
        raise UsageError("--format jsonl needs --points (one line per point)")
    if output_format in MANY_POINTS_ONLY:
        raise UsageError(f"--format {output_format} needs --points (a table of many points)")
    if out_file is not None:
        hint = ""
        if out_file.isidentifier() and out_file in _names_in(program):
            hint = f", or did you mean --of {out_file} (the node to differentiate)?"
        raise UsageError(f"-o is for --points; redirect the output of one point with >{hint}")


def _names_in(program) -> set[str]:
    """The names the program gives its inputs and nodes (none when it does not parse)."""
    from ..core.errors import CgError

    try:
        graph, _ = load_program(program)
    except CgError:
        return set()
    return {n.name for n in graph.nodes if n.name is not None}


@contextlib.contextmanager
def _rows_sink(points_file, out_file, output_format, engine):
    """Where many points' rows go, and in which format: -o FILE (its extension decides unless
    --format says; a folder with --engine dask), or standard output as bytes."""
    from click.core import ParameterSource

    given = click.get_current_context().get_parameter_source("output_format")
    explicit = None if given is ParameterSource.DEFAULT else output_format
    if points_file is None or engine == "dask" or out_file is not None:
        yield out_file, explicit
        return
    from ..data.points_io import BINARY_FORMATS

    if output_format in BINARY_FORMATS and sys.stdout.isatty():
        raise UsageError(
            f"--format {output_format} is binary and standard output is a terminal: "
            "give -o FILE or redirect the output"
        )
    sys.stdout.flush()
    yield sys.stdout.buffer, output_format


def _show(result, output_format: str, digits: int, grad_only: bool, standalone: bool) -> None:
    """The renderer of each kind of result (many points' rows are already written)."""
    from ..api.evaluation import Evaluation

    if isinstance(result, Evaluation):
        _print_point(result, output_format, digits, grad_only, standalone)
        return
    from ..api.forward_mode import ForwardEvaluation
    from ..api.gradient_evaluation import GradientGraphEvaluation
    from ..data.dask_engine import DaskEvaluation
    from ..render import second_order

    if isinstance(result, ForwardEvaluation):
        for warning in result.warnings:
            warn(warning)
        text = second_order.render_forward(result, output_format, digits)
        click.echo(as_document(text, standalone, "eval --mode forward"), nl=False)
    elif isinstance(result, GradientGraphEvaluation):
        for warning in result.warnings:
            warn(warning)
        text = second_order.render_gradient_graph(result, output_format, digits)
        click.echo(as_document(text, standalone, "eval --grad-graph"), nl=False)
    elif isinstance(result, DaskEvaluation):  # it reports once every partition is done
        for line in [*result.warnings, result.check_summary(), result.math_error_summary()]:
            if line is not None:
                warn(line)


def _exit_code(result) -> int:
    """0, 1 when the check disagrees, 3 when rows had math errors."""
    if getattr(result, "math_error_rows", 0):
        return EXIT_MATH
    return EXIT_OK if result.ok else EXIT_CHECK_FAILED


def _print_point(result, output_format, digits, grad_only, standalone):
    """One point: the node table (rich on a terminal), a machine format, or the gradient."""
    for warning in result.warnings:
        warn(warning)
    wrt_names = result.reported
    if result.truncate is not None and (grad_only or output_format in ("csv", "tsv", "latex")):
        shown = "--grad" if grad_only else f"--format {output_format}"
        raise UsageError(
            f"--truncate prints a table, markdown or json, which say the gradients are "
            f"truncated; {shown} has no room for it"
        )
    if result.steps is not None and not grad_only and output_format not in ("json", "markdown"):
        if output_format != "table":
            raise UsageError(
                f"--by-step prints a table: use --format table, markdown or json, "
                f"not {output_format}"
            )
        from ..render.steps import steps_plain

        click.echo(steps_plain(result, digits, wrt_names), nl=False)
    elif result.steps is not None and output_format == "markdown" and not grad_only:
        from ..render.formats import render_point
        from ..render.steps import steps_markdown

        tail = render_point(result, output_format, digits, wrt_names, grad_only)
        click.echo(steps_markdown(result, digits) + "\n" + tail.split("\n\n", 1)[-1], nl=False)
    elif output_format == "json" and not grad_only:
        from ..render.json_doc import write_json

        write_json(result, sys.stdout, wrt_names)
    elif output_format == "table" and not grad_only and sys.stdout.isatty():
        from rich.console import Console

        from ..render.table import print_rich

        print_rich(result, digits, wrt_names, Console())
    else:
        from ..render.formats import render_point

        text = render_point(result, output_format, digits, wrt_names, grad_only)
        click.echo(as_document(text, standalone, "eval"), nl=False)


command = eval_command
"""The click command that cgcli.cli.LazyGroup loads."""
