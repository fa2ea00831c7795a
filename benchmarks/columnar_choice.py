"""pyarrow against Polars for cg's --points I/O: which library reads and writes faster here.

The shapes are those of ``cg eval --points`` on the sigmoid neuron: 10^6 rows of
5 float64 inputs read, 10^6 rows of 11 float64 columns (inputs, value,
gradients) written; as CSV (floats in their shortest round-trip form) and as
Parquet. Each figure is the median of ``--repeat`` runs, in this process, with
the library's default thread pool. Prints a Markdown table.

    python benchmarks/columnar_choice.py                 # 10^6 rows
    python benchmarks/columnar_choice.py --rows 100000   # a quick run
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

INPUTS = ["w0", "x0", "w1", "x1", "w2"]
OUTPUTS = [*INPUTS, "f", *(f"df/d{n}" for n in INPUTS)]


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def float_types(names: list[str]) -> dict:
    return {name: pa.float64() for name in names}


def tasks(folder: Path, rows: int) -> dict[str, dict[str, Callable[[], object]]]:
    """For each operation, the pyarrow and the Polars way of doing it."""
    rng = np.random.default_rng(0)
    wide = {name: rng.uniform(-3, 3, rows) for name in OUTPUTS}
    narrow_table = pa.table({name: wide[name] for name in INPUTS})
    wide_table = pa.table(wide)
    wide_frame = pl.DataFrame(wide)
    csv_in, parquet_in = folder / "in.csv", folder / "in.parquet"
    pa_csv.write_csv(narrow_table, csv_in)
    pq.write_table(narrow_table, parquet_in)
    out = folder / "out"
    csv_types = pa_csv.ConvertOptions(column_types=float_types(INPUTS))
    schema = dict.fromkeys(INPUTS, pl.Float64)
    return {
        f"read CSV {rows:,} × 5": {
            "pyarrow": lambda: pa_csv.read_csv(csv_in, convert_options=csv_types),
            "polars": lambda: pl.read_csv(csv_in, schema=schema),
        },
        f"write CSV {rows:,} × 11": {
            "pyarrow": lambda: pa_csv.write_csv(wide_table, out),
            "polars": lambda: wide_frame.write_csv(out),
        },
        f"read Parquet {rows:,} × 5": {
            "pyarrow": lambda: pq.read_table(parquet_in),
            "polars": lambda: pl.read_parquet(parquet_in),
        },
        f"write Parquet {rows:,} × 11": {
            "pyarrow": lambda: pq.write_table(wide_table, out),
            "polars": lambda: wide_frame.write_parquet(out),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(
        f"python {sys.version.split()[0]}, pyarrow {pa.__version__}, polars {pl.__version__}, "
        f"{os.cpu_count()} cores\n"
    )
    print("| operation | pyarrow s | polars s | polars / pyarrow |")
    print("| --- | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for operation, ways in tasks(Path(folder), args.rows).items():
            arrow = median_seconds(ways["pyarrow"], args.repeat)
            polars = median_seconds(ways["polars"], args.repeat)
            print(f"| {operation} | {arrow:.3f} | {polars:.3f} | {polars / arrow:.2f} |")


if __name__ == "__main__":
    main()
