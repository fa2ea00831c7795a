"""The Dask engine's scaling: one and two workers beside one process, on the same data.

It writes a partitioned Parquet data set of the sigmoid neuron (``--parts`` files of
``--rows`` rows, five float64 columns) and times, each the median of ``--repeat`` runs:

* one process, cg's engine by hand: pyarrow reads each file, ``cgcli.compile``
  evaluates it, pyarrow writes the result (no CLI, no cluster): the floor;
* ``cg eval --points ALL.parquet --format parquet -o FILE``: the single-process CLI
  on the same rows, as one file;
* ``cg eval --points DIR --engine dask --workers N --format parquet -o DIR`` for
  N = 1 and 2: the whole command, the start and stop of its local cluster included.

Every run is ``--no-check``: the check samples five rows and costs the same either way.
Prints a Markdown table.

    python benchmarks/dask_scaling.py                          # 8 × 10^6 rows
    python benchmarks/dask_scaling.py --rows 1000 --parts 2 --repeat 1   # a smoke run
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

NEURON = "h = sigmoid(w0*x0 + w1*x1 + w2)"
COLUMNS = ["w0", "x0", "w1", "x1", "w2"]


def write_data(folder: Path, parts: int, rows: int) -> Path:
    """``parts`` Parquet files in ``folder``/data, and all of their rows in one file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = folder / "data"
    data.mkdir()
    rng = np.random.default_rng(0)
    tables = []
    for i in range(parts):
        table = pa.table({name: rng.normal(0, 1, rows) for name in COLUMNS})
        pq.write_table(table, data / f"part{i:03d}.parquet")
        tables.append(table)
    pq.write_table(pa.concat_tables(tables), folder / "all.parquet")
    return data


def by_hand(data: Path, out: Path) -> None:
    """One process: read, evaluate with cgcli.compile, and write each partition."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    import cgcli

    neuron = cgcli.compile(NEURON)
    out.mkdir()
    for i, path in enumerate(sorted(data.glob("*.parquet"))):
        table = pq.read_table(path)
        columns = {name: table.column(name).to_numpy() for name in COLUMNS}
        result = neuron(columns).columns()
        pq.write_table(pa.table({**columns, **result}), out / f"part.{i}.parquet")


def timed(run, repeat: int) -> float | None:
    """The median wall time of ``run()``; None when it fails (the command is not there)."""
    times = []
    for _ in range(repeat):
        os.sync()  # earlier runs' files reach the disk before this one starts
        start = time.perf_counter()
        if run() is False:
            return None
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def command(args: list[str], out: Path):
    """A run of ``cg ...`` writing to ``out`` (emptied first); False when cg refuses it."""

    def run():
        shutil.rmtree(out, ignore_errors=True)
        done = subprocess.run(
            [sys.executable, "-m", "cgcli", *args, "-o", str(out)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            sys.stderr.write(f"not timed: cg {' '.join(args)}: {done.stderr.strip()}\n")
            return False
        return True

    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per partition")
    parser.add_argument("--parts", type=int, default=8, help="partitions (Parquet files)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement")
    args = parser.parse_args(argv)
    os.chdir(tempfile.gettempdir())  # outside the checkout: -m cgcli runs the installed cg
    total = args.rows * args.parts
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = write_data(folder, args.parts, args.rows)

        def hand():
            shutil.rmtree(folder / "hand", ignore_errors=True)
            by_hand(data, folder / "hand")

        common = ["--format", "parquet", "--no-check"]
        runs = [
            ("one process: pyarrow + cgcli.compile", "-", hand),
            (
                "cg eval --points (one process, one file)",
                "-",
                command(["eval", NEURON, "--points", str(folder / "all.parquet"), *common],
                        folder / "single.parquet"),
            ),
        ]  # fmt: skip
        for workers in (1, 2):
            dask = ["eval", NEURON, "--points", str(data), "--engine", "dask", *common]
            runs.append(
                (
                    "cg eval --engine dask (local cluster)",
                    str(workers),
                    command([*dask, "--workers", str(workers)], folder / f"dask{workers}"),
                )
            )
        print(f"Sigmoid neuron, {args.parts} partitions × {args.rows:,} rows = {total:,} rows")
        print(f"(Parquet in and out; median of {args.repeat})\n")
        print("| run | workers | rows | seconds | rows/s |")
        print("| --- | --- | --- | --- | --- |")
        for name, workers, run in runs:
            seconds = timed(run, args.repeat)
            shown = "not run" if seconds is None else f"{seconds:.2f}"
            rate = "-" if seconds is None else f"{total / seconds:,.0f}"
            print(f"| {name} | {workers} | {total:,} | {shown} | {rate} |")


if __name__ == "__main__":
    main()
