"""cg train: gradient descent on a data set."""

from __future__ import annotations

import json
import sys

import click

from ..core.errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError
from . import (
    EXIT_CODES,
    NON_NEGATIVE,
    POSITIVE,
    FiniteFloat,
    ProgramCommand,
    check_output,
    engine_options,
    load_program,
    output_options,
    program_arguments,
    refuse_cluster_options,
    refuse_two_stdins,
    warn,
)


def parse_params(text: str) -> dict[str, float | None]:
    """``--params w1=0,w2=0.5,b``: starting values; a bare name starts at a random value."""
    from ..passes.values import NAME_PATTERN, value_from_text

    params: dict[str, float | None] = {}
    for item in (part.strip() for part in _top_level_parts(text)):
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


def _top_level_parts(text: str) -> list[str]:
    """``text`` split at the commas outside parentheses: w=max(1,2),b=0 is two parts."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def parse_batch(text: str) -> int | None:
    if text == "all":
        return None
    if text.isascii() and text.isdigit() and int(text) > 0:
        return int(text)
    raise UsageError(f"--batch {text}: expected a positive whole number or 'all'")


@click.command("train", cls=ProgramCommand, epilog=EXIT_CODES)
@program_arguments
@click.option(
    "--data",
    "data_file",
    required=True,
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
    from ..core.numbers import format_number, json_number
    from ..training.gradient_descent import train

    check_output(history_file, "--history", program, ("--data", data_file))
    refuse_two_stdins(program, data_file, "--data")
    graph, values = load_program(program)
    if values:
        raise UsageError("cg train takes no NAME=VALUE values: data come from --data")
    params_given = parse_params(params_text)
    batch = parse_batch(batch_text)
    if engine == "dask":
        from ..training.on_dask import train_on_dask

        if batch is not None or data_format is not None:
            option = "--batch" if batch is not None else "--data-format"
            raise UsageError(f"{option}: --engine dask trains on the full batch of Parquet data")
        with _progress(epochs) as progress:
            outcome = train_on_dask(
                graph, data_file, target=target, params=params_given, loss=loss, lr=lr,
                epochs=epochs, tol=tol, target_loss=target_loss, seed=seed,
                scheduler=scheduler, workers=workers, progress=progress,
            )  # fmt: skip
    else:
        refuse_cluster_options(scheduler, workers)
        data = _read_training_data(data_file, data_format, graph, params_given, target)
        with _progress(epochs) as progress:
            outcome = train(
                graph, data, target=target, params=params_given, loss=loss, lr=lr,
                epochs=epochs, batch=batch, tol=tol, target_loss=target_loss, seed=seed,
                shuffle=shuffle, progress=progress,
            )  # fmt: skip
    for warning in outcome.warnings:
        warn(warning)
    if history_file is not None:
        lines = [f"{i},{v!r}\n" for i, v in enumerate(outcome.history, 1)]
        write_whole(history_file, "epoch,loss\n" + "".join(lines), "--history")
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
        from ..render.table import Column, plain

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

    from ..core.files import shown_path
    from ..data.points_io import open_points, point_format_for, read_points

    what = "the training data"
    with open_points(data_file, what) as stream:
        reader = read_points(stream, point_format_for(data_file, data_format), 1_000_000, what)
        if reader.empty:
            raise UsageError(f"{shown_path(data_file)} is empty (expected {what})")
        columns = reader.names or [
            n for n in graph.bind_constants(params).input_names if n not in params
        ] + [target]
        if target not in columns:
            raise UsageError(f"--target {target}: no such column (columns: {', '.join(columns)})")
        if target in params:
            raise UsageError(f"--target {target} is also a parameter")
        used = [n for n in graph.bind_constants([*params, *columns]).input_names if n not in params]
        names = [n for n in dict.fromkeys([*used, target, *params]) if n in columns]
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
        raise UsageError(f"{shown_path(data_file)} has no rows of {what}")
    return data


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
"""The click command that cgcli.cli.LazyGroup loads."""
