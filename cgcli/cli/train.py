"""cg train: gradient descent on a data set."""

from __future__ import annotations

import sys

import click

from ..core.errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError
from .options import (
    EXIT_CODES,
    FILE,
    FILE_OR_FOLDER,
    NON_NEGATIVE,
    POSITIVE,
    FiniteFloat,
    ProgramCommand,
    engine_options,
    output_options,
    program_arguments,
    suggest,
)
from .program import check_output, load_program, refuse_two_stdins, warn


@click.command(
    "train",
    cls=ProgramCommand,
    epilog=EXIT_CODES,
    short_help="Train a program's parameters by gradient descent.",
)
@program_arguments
@click.option(
    "--data",
    "data_file",
    required=True,
    type=FILE_OR_FOLDER,
    metavar="FILE",
    help="Training data: CSV, TSV, JSON Lines, Parquet or Arrow IPC ('-' for stdin).",
)
@click.option(
    "--data-format",
    type=click.Choice(["csv", "tsv", "jsonl", "parquet", "arrow"]),
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
    shell_complete=suggest("mse", "bce"),
    help="mse, bce, or a cg expression of out (the model's output) and target.",
)
@click.option(
    "--lr",
    type=POSITIVE,
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
    shell_complete=suggest("all"),
    help="Rows per update: 1 for per-point updates, N for mini-batches, all for the full batch.",
)
@click.option(
    "--tol",
    type=NON_NEGATIVE,
    help="Stop when the loss changes by less than this in an epoch.",
)
@click.option("--target-loss", type=FiniteFloat(), help="Stop when the loss reaches this value.")
@click.option(
    "--seed",
    type=click.IntRange(0, 2**63 - 1),
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
    type=FILE,
    metavar="FILE",
    help="Write the loss after every epoch to FILE (CSV: epoch,loss).",
)
@engine_options(
    "local trains in this process; dask reads --data as a Parquet data set (a file, "
    "folder or glob) and sums each full-batch gradient over its partitions on a Dask cluster."
)
@output_options(["table", "json"], default="table", wrt=False)
def train_command(
    program,
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
    engine,
    scheduler,
    workers,
    output_format,
    digits,
):
    """Train PROGRAM's parameters by gradient descent on a data set: forward pass to the
    loss, backward pass to every gradient, W = W - lr * gradient, repeated."""
    from ..core.files import write_whole
    from ..render.training import render_history, render_outcome
    from ..training.train import train

    check_output(history_file, "--history", program, ("--data", data_file))
    if history_file is not None:
        from ..core.files import format_for_file

        format_for_file(history_file, "--history", {".csv": "csv", "": "csv"})
    refuse_two_stdins(program, data_file, "--data")
    graph, values = load_program(program)
    if values:
        raise UsageError("cg train takes no NAME=VALUE values: data come from --data")
    with _progress(epochs) as progress:
        outcome = train(
            graph, data_file, target=target, params=params_text, loss=loss, lr=lr,
            epochs=epochs, batch=batch_text, tol=tol, target_loss=target_loss, seed=seed,
            shuffle=shuffle, engine=engine, data_format=data_format, scheduler=scheduler,
            workers=workers, progress=progress,
        )  # fmt: skip
    for warning in outcome.warnings:
        warn(warning)
    if history_file is not None:
        write_whole(history_file, render_history(outcome), "--history")
    click.echo(render_outcome(outcome, output_format, digits), nl=False)
    sys.exit(EXIT_OK if outcome.check_ok else EXIT_CHECK_FAILED)


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


command = train_command
"""The click command that cgcli.cli.group.LazyGroup loads."""
