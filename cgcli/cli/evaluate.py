"""cg eval: one point, or many points with --points."""

from __future__ import annotations

import sys

import click

from ..core.limits import CHECK_TIMEOUT as DEFAULT_TIMEOUT
from .evaluate_run import run_eval
from .options import (
    EXIT_CODES,
    FILE_OR_FOLDER,
    SECONDS,
    ProgramCommand,
    engine_options,
    exact_timeout_option,
    given_options,
    option_group,
    output_options,
    program_arguments,
    suggest,
)

FORMATS = ["table", "json", "csv", "tsv", "jsonl", "markdown", "latex", "parquet", "arrow"]
"""cg eval's output formats: markdown and latex are for one point; jsonl, parquet and
arrow for many (--points)."""


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
def eval_command(**params):
    """Evaluate PROGRAM at the given values: a table of every node's value and gradient.

    VALUE is a constant expression (-3, 1/3, pi/4, 2^-1) kept exact for the check.
    With --points, evaluate at every row of a file instead, vectorised and streamed.
    """
    sys.exit(run_eval(given=given_options(), **params))


command = eval_command
"""The click command that cgcli.cli.group.LazyGroup loads."""
