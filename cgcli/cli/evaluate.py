"""cg eval: one point, or many points with --points."""

from __future__ import annotations

import contextlib
import sys

import click

from ..check.run import DEFAULT_TIMEOUT, EXACT_TIMEOUT
from ..core.errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError
from . import (
    EXIT_CODES,
    SECONDS,
    ProgramCommand,
    engine_options,
    load_program,
    output_options,
    parse_wrt,
    program_arguments,
    refuse_cluster_options,
    refuse_two_stdins,
    warn,
)

FORMATS = ["table", "json", "csv", "tsv", "jsonl", "markdown", "latex", "parquet", "arrow"]
POINTS_FORMATS = ["table", "json", "csv", "tsv", "jsonl", "parquet", "arrow"]
"""The formats with --points; markdown and latex are for one point; jsonl, parquet and
arrow for many."""
MANY_POINTS_ONLY = ("jsonl", "parquet", "arrow")


@click.command("eval", cls=ProgramCommand, epilog=EXIT_CODES)
@program_arguments
@click.option(
    "--points",
    "points_file",
    metavar="FILE",
    help="Evaluate at every row of FILE (CSV, TSV, JSON Lines, Parquet or Arrow IPC; "
    "'-' for stdin).",
)
@click.option(
    "--chunk-rows",
    type=click.IntRange(1, 10_000_000),
    default=100_000,
    show_default=True,
    help="With --points: at most this many rows evaluated and written at a time.",
)
@click.option(
    "--points-format",
    type=click.Choice(["csv", "tsv", "jsonl", "parquet", "arrow"]),
    help="Format of --points (default: from the extension, else csv).",
)
@engine_options(
    "With --points: local evaluates in this process; dask evaluates the partitions "
    "(Parquet files) of a data set in parallel on a Dask cluster (the dask extra)."
)
@click.option(
    "-o",
    "--out",
    "out_file",
    metavar="FILE",
    help="With --points: write the rows to FILE instead of standard output (whole, or not "
    "at all), in the format its extension names (.csv, .tsv, .jsonl, .json, .parquet, "
    ".arrow) unless --format says; with --engine dask, the folder that receives one "
    "Parquet file per partition.",
)
@output_options(FORMATS)
@click.option("--grad", "grad_only", is_flag=True, help="Print only the gradient.")
@click.option(
    "--check",
    "check_mode",
    type=click.Choice(["sample", "all"]),
    is_flag=False,
    flag_value="sample",
    default="sample",
    help="Check against SymPy (the default). With --points: 'sample' checks a sample of rows "
    "with SymPy, 'all' screens every row with float64 differences and confirms any "
    "disagreement at high precision.",
)
@click.option("--no-check", is_flag=True, help="Skip the check (SymPy is not even imported).")
@click.option(
    "--exact",
    is_flag=True,
    help="Exact arithmetic: 1/3 stays 1/3 and sqrt(2) stays sqrt(2), with a float alongside.",
)
@click.option(
    "--exact-timeout",
    type=SECONDS,
    default=EXACT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Time budget of --exact: its passes and the writing of its numbers.",
)
@click.option(
    "--check-timeout",
    type=SECONDS,
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Time budget of the check: SymPy may use 80% of it, the high-precision difference "
    "quotients (mpmath, 50 digits) the rest.",
)
@click.option(
    "--mode",
    type=click.Choice(["reverse", "forward"]),
    default="reverse",
    show_default=True,
    help="reverse: every node's gradient ∂output/∂node (backpropagation); forward: every "
    "node's tangent ∂node/∂b for the input named by --wrt b, or along --tangent.",
)
@click.option(
    "--tangent",
    metavar="NAME=VALUE,...",
    help="Forward mode along a direction: the tangent of each input (a=1,b=0.5; others 0).",
)
@click.option(
    "--grad-graph",
    is_flag=True,
    help="Evaluate the gradient graph (the backward pass built as a graph) instead: "
    "its nodes ∂f/∂node are the reverse pass's gradients.",
)
def eval_command(
    program,
    mode,
    tangent,
    grad_graph,
    points_file,
    chunk_rows,
    points_format,
    engine,
    scheduler,
    workers,
    out_file,
    output_format,
    digits,
    wrt,
    grad_only,
    check_mode,
    no_check,
    exact,
    exact_timeout,
    check_timeout,
):
    """Evaluate PROGRAM at the given values: a table of every node's value and gradient.

    VALUE is a constant expression (-3, 1/3, pi/4, 2^-1) kept exact for the check.
    With --points, evaluate at every row of a file instead, vectorised and streamed.
    """
    from ..core.files import refuse_overwriting

    refuse_two_stdins(program, points_file, "--points")
    refuse_overwriting(out_file, "-o", [("-f", program.program_file), ("--points", points_file)])
    if points_file is None and engine == "local":
        _refuse_many_points_options(output_format, out_file)
    output_format = _result_format(output_format, out_file, engine)
    graph, values = load_program(program)
    if mode == "forward" or tangent is not None or grad_graph:
        _refuse_with_points(
            points_file, exact, grad_only, "--grad-graph" if grad_graph else "--mode forward"
        )
        if grad_graph and (mode == "forward" or tangent is not None):
            raise UsageError("--grad-graph evaluates the reverse pass's graph: drop --mode forward")
        if grad_graph:
            _eval_gradient_graph(graph, values, output_format, digits, no_check, check_timeout)
        _eval_forward(graph, values, wrt, tangent, output_format, digits, no_check, check_timeout)
    if engine == "dask":
        sys.exit(
            _eval_on_dask(
                graph, values, points_file, points_format, out_file, output_format, wrt,
                grad_only, exact,
                "none" if no_check else check_mode, check_timeout, scheduler, workers, chunk_rows,
            )
        )  # fmt: skip
    refuse_cluster_options(scheduler, workers)
    if points_file is not None:
        if exact:
            raise UsageError("--exact is for one point; --points evaluates in float64")
        status = _eval_points(
            graph,
            values,
            points_file,
            chunk_rows,
            points_format,
            out_file,
            output_format,
            digits,
            wrt,
            grad_only,
            "none" if no_check else check_mode,
            check_timeout,
        )
        sys.exit(status)
    from ..api.evaluation import evaluate_graph

    result = evaluate_graph(
        graph, values, check=not no_check, check_timeout=check_timeout, exact=exact,
        exact_timeout=exact_timeout,
    )  # fmt: skip
    _print_point(result, output_format, digits, wrt, grad_only)


def _result_format(output_format: str, out_file: str | None, engine: str) -> str:
    """--format as given; when it is not given, -o FILE's extension decides (.csv,
    .parquet, ...), and --engine dask writes Parquet."""
    from click.core import ParameterSource

    given = click.get_current_context().get_parameter_source("output_format")
    explicit = None if given is ParameterSource.DEFAULT else output_format
    if engine == "dask":
        return explicit or "parquet"
    if out_file is None:
        return output_format
    from ..data.points_io.formats import result_format_for

    return result_format_for(out_file, explicit)


def _refuse_many_points_options(output_format, out_file):
    if output_format == "jsonl":
        raise UsageError("--format jsonl needs --points (one line per point)")
    if output_format in MANY_POINTS_ONLY:
        raise UsageError(f"--format {output_format} needs --points (a table of many points)")
    if out_file is not None:
        raise UsageError("-o is for --points; redirect the output of one point with >")


def _refuse_with_points(points_file, exact, grad_only, what):
    for given, option in ((points_file, "--points"), (exact, "--exact"), (grad_only, "--grad")):
        if given:
            raise UsageError(
                f"{what} is for one point in float64; it does not combine with {option}"
            )


def _eval_forward(graph, values, wrt, tangent, output_format, digits, no_check, check_timeout):
    """Forward mode: the table of tangents, then exit (1 when the check disagrees)."""
    from ..api.forward_mode import forward_graph
    from ..render.second_order import render_forward

    wrt_name = None
    if wrt is not None:
        bound = graph.bind_constants(values).input_names
        names = parse_wrt(wrt, bound)
        if len(names) != 1:
            raise UsageError(
                "--mode forward --wrt takes one input (one pass per input); "
                "for a mix of inputs give --tangent a=1,b=0.5"
            )
        wrt_name = names[0]
    result = forward_graph(
        graph,
        values,
        wrt=wrt_name,
        tangent=parse_tangent(tangent) if tangent is not None else None,
        check=not no_check,
        check_timeout=check_timeout,
    )
    for warning in result.warnings:
        warn(warning)
    click.echo(render_forward(result, output_format, digits), nl=False)
    sys.exit(EXIT_OK if result.ok else EXIT_CHECK_FAILED)


def _eval_gradient_graph(graph, values, output_format, digits, no_check, check_timeout):
    """The gradient graph's table, then exit (1 when it differs or the check disagrees)."""
    from ..api.gradient_evaluation import evaluate_gradient_graph
    from ..render.second_order import render_gradient_graph

    result = evaluate_gradient_graph(graph, values, check=not no_check, check_timeout=check_timeout)
    for warning in result.warnings:
        warn(warning)
    click.echo(render_gradient_graph(result, output_format, digits), nl=False)
    sys.exit(EXIT_OK if result.ok else EXIT_CHECK_FAILED)


def parse_tangent(text: str) -> dict[str, str]:
    """``a=1,b=0.5`` as {name: value text}; a comma splits only before the next NAME=."""
    import re

    from ..passes.values import NAME_PATTERN

    tangent: dict[str, str] = {}
    for part in re.split(r",\s*(?=[^\W\d]\w*\s*=)", text.strip()):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not NAME_PATTERN.fullmatch(name) or not value.strip():
            raise UsageError(f"--tangent: expected NAME=VALUE,..., got {part!r}")
        if name in tangent:
            raise UsageError(f"--tangent: {name} is given twice")
        tangent[name] = value
    return tangent


def _print_point(result, output_format, digits, wrt, grad_only):
    from ..render import formats

    for warning in result.warnings:
        warn(warning)
    wrt_names = parse_wrt(wrt, result.graph.input_names)
    if grad_only:
        click.echo(formats.render_grad(result, wrt_names, output_format), nl=False)
    elif output_format == "json":
        from ..render.json_doc import write_json

        write_json(result, sys.stdout, wrt_names)
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

        from ..render.table import print_rich

        print_rich(result, digits, wrt_names, Console())
    else:
        from ..render.table import render_plain

        click.echo(render_plain(result, digits, wrt_names), nl=False)
    sys.exit(EXIT_OK if result.check.ok else EXIT_CHECK_FAILED)


def _eval_points(
    graph,
    values,
    points_file,
    chunk_rows,
    points_format,
    out_file,
    output_format,
    digits,
    wrt,
    grad_only,
    check,
    timeout,
) -> int:
    from ..core.files import check_writable, shown_path
    from ..data.points import run_points
    from ..data.points_io import (
        BINARY_FORMATS,
        RowWriter,
        open_points,
        point_format_for,
        read_points,
    )

    if output_format in ("markdown", "latex"):
        raise UsageError(
            f"--format {output_format} is for one point; with --points use "
            + ", ".join(POINTS_FORMATS)
        )
    if out_file is None and output_format in BINARY_FORMATS and sys.stdout.isatty():
        raise UsageError(
            f"--format {output_format} is binary and standard output is a terminal: "
            "give -o FILE or redirect the output"
        )
    if out_file is not None:
        check_writable(out_file, "-o")
    with open_points(points_file) as stream:
        reader = read_points(stream, point_format_for(points_file, points_format), chunk_rows)
        if reader.empty:
            raise UsageError(f"{shown_path(points_file)} is empty (expected the points)")
        bound = graph.bind_constants([*reader.names, *values])
        wrt_names = parse_wrt(wrt, bound.input_names) if wrt is not None else None
        with _sink(out_file) as sink:
            return run_points(
                graph,
                values,
                reader,
                lambda layout: RowWriter(sink, output_format, layout, digits),
                wrt=wrt_names,
                grad_only=grad_only,
                check=check,
                check_timeout=timeout,
                warn=warn,
            )


@contextlib.contextmanager
def _sink(out_file):
    """Where the rows go: standard output as bytes, or -o FILE written whole."""
    if out_file is None:
        sys.stdout.flush()
        yield sys.stdout.buffer
        return
    from ..core.files import written_whole

    with written_whole(out_file, "-o") as sink:
        yield sink


def _eval_on_dask(
    graph, values, points, points_format, out, output_format, wrt, grad_only, exact, check,
    timeout, scheduler, workers, chunk_rows,
) -> int:  # fmt: skip
    """--engine dask: a partitioned Parquet data set in, a folder of Parquet files out."""
    from ..core.errors import EXIT_MATH
    from ..data.dask_engine import evaluate_on_dask

    if points is None or out is None or output_format != "parquet":
        raise UsageError(
            "--engine dask evaluates a Parquet data set into a folder of Parquet files: "
            "give --points FILES and -o DIR (--format parquet is the default)"
        )
    if exact:
        raise UsageError("--exact is for one point; --points evaluates in float64")
    if points_format is not None:
        raise UsageError("--points-format is for --engine local; --engine dask reads Parquet")
    if check == "all":
        raise UsageError("--check all is for --engine local; --engine dask checks a sample")
    result = evaluate_on_dask(
        graph, points, out=out, values=values, grad_only=grad_only, check=check != "none",
        check_timeout=timeout, scheduler=scheduler, workers=workers, batch_rows=chunk_rows,
        wrt=None if wrt is None else [name.strip() for name in wrt.split(",") if name.strip()],
    )  # fmt: skip
    for warning in result.warnings:
        warn(warning)
    summary = result.check_summary()
    if summary is not None:
        warn(summary)
    if result.math_error_rows:
        warn(
            f"{result.math_error_rows} of {result.rows} rows had a math error; their values are nan"
        )
        return EXIT_MATH
    return EXIT_OK if result.ok else EXIT_CHECK_FAILED


command = eval_command
"""The click command that cgcli.cli.LazyGroup loads."""
