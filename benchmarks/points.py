"""Points per second for many points at once, side by side with the baselines.

For the sigmoid neuron and a random 20-node program, at 10,000 and 1,000,000
points (``--sizes``), it times the value and full gradient by:

* numpy by hand: straight-line numpy code for the forward and backward pass,
  the practical limit (for the random program the code is written out from the
  graph, as a person would write it);
* SymPy lambdify: the symbolic gradient compiled to numpy (compile time excluded);
* cg engine: ``cgcli.passes.vector.evaluate_arrays`` on the whole arrays;
* cg CLI: the whole ``cg eval --points FILE --format csv --no-check`` process,
  CSV reading and writing included.

Then the points table, I/O included, for the sigmoid neuron at 10^4, 10^6 and
10^7 rows (``--io-sizes``): the whole ``cg eval --points`` process CSV→CSV and
Parquet→Parquet, beside

* pyarrow's own read of the same input and write of the same result, timed inside
  a process of its own (start-up and imports excluded; Parquet written with cg's
  options: no dictionary encoding);
* the same read and write of 11 float columns as a whole process (Python start-up
  and the pyarrow import included, as they are in cg's time);
* a whole-process script a user might write (pyarrow reads the whole file, numpy
  computes the neuron by hand, pyarrow writes: memory not flat);
* the old numpy-by-hand CSV path (a process reading with ``np.loadtxt`` and writing
  with ``%r``, 100,000 rows at a time, as cg did before pyarrow).

Each run's peak memory is the child's ``ru_maxrss``.

Each time is the median of ``--repeat`` runs. Prints Markdown tables.

    python benchmarks/points.py            # the tables of docs/speed.md (10^7 rows: minutes)
    python benchmarks/points.py --sizes 1000 --io-sizes 10000 --repeat 1   # a quick smoke run
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import sympy

from cgcli import parse
from cgcli.check.symbolic import build, input_symbols
from cgcli.core.ir import Graph
from cgcli.passes.vector import evaluate_arrays

NEURON = "sigmoid(w0*x0 + w1*x1 + w2)"


def neuron_by_hand(w0, x0, w1, x1, w2):
    z = w0 * x0 + w1 * x1 + w2
    s = 1.0 / (1.0 + np.exp(-z))
    ds = s * (1.0 - s)
    return s, [ds * x0, ds * w0, ds * x1, ds * w1, ds]


def random_program(nodes: int, seed: int = 1) -> str:
    """A random straight-line program of about ``nodes`` ops over four inputs, domain-safe."""
    rng = random.Random(seed)
    names = ["a", "b", "c", "d"]
    lines = []
    for i in range(nodes // 2):
        left, right = rng.choice(names), rng.choice(names)
        op = rng.choice(["+", "-", "*"])
        fn = rng.choice(["sin", "cos", "tanh", "sigmoid"])
        lines.append(f"t{i} = {fn}({left} {op} {right})")
        names.append(f"t{i}")
    return "\n".join(lines)


# Straight-line numpy for each op: (forward, local derivatives) as code templates.
_HAND = {
    "add": ("{0} + {1}", ["1.0", "1.0"]),
    "sub": ("{0} - {1}", ["1.0", "-1.0"]),
    "mul": ("{0} * {1}", ["{1}", "{0}"]),
    "sin": ("np.sin({0})", ["np.cos({0})"]),
    "cos": ("np.cos({0})", ["-np.sin({0})"]),
    "tanh": ("np.tanh({0})", ["1.0 - {out} * {out}"]),
    "sigmoid": ("1.0 / (1.0 + np.exp(-{0}))", ["{out} * (1.0 - {out})"]),
}


def hand_written(graph: Graph) -> Callable[..., tuple]:
    """Straight-line numpy forward and backward code for ``graph``, compiled once."""
    names = graph.input_names
    body = []
    for node in graph.nodes:
        if node.op == "input":
            body.append(f"    v{node.index} = {node.name}")
        else:
            args = [f"v{i}" for i in node.inputs]
            body.append(f"    v{node.index} = " + _HAND[node.op][0].format(*args))
    body.append(f"    g{graph.output} = np.ones_like(v{graph.output})")
    seen = {graph.output}
    for node in reversed(graph.nodes):
        if node.op == "input" or node.index not in seen:
            continue
        args = [f"v{i}" for i in node.inputs]
        for i, local in zip(node.inputs, _HAND[node.op][1], strict=True):
            term = f"g{node.index} * (" + local.format(*args, out=f"v{node.index}") + ")"
            body.append(f"    g{i} = g{i} + {term}" if i in seen else f"    g{i} = {term}")
            seen.add(i)
    grads = ", ".join(f"g{n.index}" for n in graph.inputs)
    body.append(f"    return v{graph.output}, [{grads}]")
    source = f"def gradient({', '.join(names)}):\n" + "\n".join(body) + "\n"
    namespace: dict = {"np": np}
    exec(compile(source, "<hand-written>", "exec"), namespace)  # our generated code, not user text
    return namespace["gradient"]


def lambdified(graph: Graph) -> Callable[..., list]:
    symbols = input_symbols(graph)
    output = build(graph, symbols)[graph.output]
    exprs = [output, *(sympy.diff(output, s) for s in symbols.values())]
    return sympy.lambdify(list(symbols.values()), exprs, "numpy")


def median_time(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cli_time(program: str, points: dict[str, np.ndarray], repeat: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "points.csv"
        names = list(points)
        table = np.column_stack([points[n] for n in names])
        np.savetxt(path, table, delimiter=",", header=",".join(names), comments="", fmt="%.17g")
        command = [
            sys.executable, "-m", "cgcli", "eval", program,
            "--points", str(path), "--format", "csv", "--no-check",
        ]  # fmt: skip

        def run() -> None:
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

        return median_time(run, repeat)


# --- the points table: I/O included ----------------------------------------------------

ARROW_READ_WRITE = """\
import sys, time
import pyarrow.csv as pa_csv, pyarrow.parquet as pq
source, result, target, kind = sys.argv[1:]
table = pq.read_table(result)  # the rows cg wrote, to write again (not timed)
start = time.perf_counter()
if kind == "csv":
    pa_csv.read_csv(source)
    pa_csv.write_csv(table, target, pa_csv.WriteOptions(quoting_style="none"))
else:
    pq.read_table(source)
    pq.write_table(table, target, use_dictionary=False)  # as cg writes it
print(time.perf_counter() - start)
"""

ARROW_PROCESS = """\
import sys
import pyarrow as pa, pyarrow.csv as pa_csv, pyarrow.parquet as pq
source, target, kind = sys.argv[1:]
# ParquetFile.read, as cg reads: pq.read_table would also import pandas where installed
table = pa_csv.read_csv(source) if kind == "csv" else pq.ParquetFile(source).read()
columns = [*table.columns, *table.columns, table.column(0)]  # 11 float columns, as cg writes
out = pa.Table.from_arrays(columns, [f"c{i}" for i in range(len(columns))])
if kind == "csv":
    pa_csv.write_csv(out, target, pa_csv.WriteOptions(quoting_style="none"))
else:
    pq.write_table(out, target, use_dictionary=False)
"""

ARROW_SCRIPT = """\
import sys
import numpy as np
import pyarrow as pa, pyarrow.csv as pa_csv, pyarrow.parquet as pq
source, target, kind = sys.argv[1:]
table = pa_csv.read_csv(source) if kind == "csv" else pq.read_table(source)
w0, x0, w1, x1, w2 = (table.column(n).to_numpy() for n in ["w0", "x0", "w1", "x1", "w2"])
s = 1.0 / (1.0 + np.exp(-(w0 * x0 + w1 * x1 + w2)))
ds = s * (1.0 - s)
columns = [w0, x0, w1, x1, w2, s, ds * x0, ds * w0, ds * x1, ds * w1, ds]
names = ["w0", "x0", "w1", "x1", "w2", "f", *(f"df/d{n}" for n in ["w0", "x0", "w1", "x1", "w2"])]
out = pa.table(dict(zip(names, columns)))
if kind == "csv":
    pa_csv.write_csv(out, target, pa_csv.WriteOptions(quoting_style="none"))
else:
    pq.write_table(out, target, use_dictionary=False)
"""

NUMPY_BY_HAND_CSV = """\
import itertools, sys
import numpy as np
source, target = sys.argv[1:]
with open(source) as inp, open(target, "w") as out:
    names = inp.readline().strip().replace('"', "").split(",")
    grads = ",".join(f"df/d{n}" for n in names)
    out.write(",".join(names) + ",f," + grads + "\\n")
    while lines := list(itertools.islice(inp, 100_000)):
        block = np.loadtxt(lines, delimiter=",", ndmin=2)
        w0, x0, w1, x1, w2 = block.T
        s = 1.0 / (1.0 + np.exp(-(w0 * x0 + w1 * x1 + w2)))
        ds = s * (1.0 - s)
        table = np.column_stack([block, s, ds * x0, ds * w0, ds * x1, ds * w1, ds])
        template = ",".join(["%r"] * table.shape[1]) + "\\n"
        out.write((template * len(table)) % tuple(table.ravel().tolist()))
"""


LAUNCHER = """\
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(done.returncode, seconds, peak, done.stdout.decode().strip() or "-")
"""


def child_run(command: list[str]) -> tuple[float, float, str]:
    """Seconds, peak memory in MB and stdout of one process. A small launcher process
    runs it, so its ru_maxrss is the command's own (a child forked from this large
    process would count this process's pages). Every run starts after a sync, so that
    none pays for the writing back of another's files."""
    os.sync()  # the files written before (inputs, earlier results) reach the disk first
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command], capture_output=True, text=True, check=True
    )
    code, seconds, peak, out = done.stdout.split(maxsplit=3)
    if code != "0":
        raise RuntimeError(f"{command[:4]} failed with exit code {code}")
    return float(seconds), int(peak) / 1024, out


def median_run(
    command: list[str], repeat: int, source: Path, timed_inside: bool = False
) -> tuple[float, float]:
    """Median seconds and largest peak memory of ``repeat`` runs; ``timed_inside``: the
    seconds the child prints, not the whole process. Before each run the input file
    ``source`` is read once, so that every method finds it in the page cache (this
    machine's kernel reclaims idle pages, so a file written minutes ago may be cold)."""
    runs = []
    for _ in range(repeat):
        with source.open("rb") as warm:
            while warm.read(1 << 24):
                pass
        runs.append(child_run(command))
    seconds = [float(out) if timed_inside else wall for wall, _, out in runs]
    return statistics.median(seconds), max(memory for _, memory, _ in runs)


def write_inputs(folder: Path, rows: int) -> tuple[Path, Path]:
    """The neuron's inputs, uniform in [-3, 3], as CSV and Parquet, 10^6 rows at a time."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    csv_path, parquet_path = folder / "in.csv", folder / "in.parquet"
    names = ["w0", "x0", "w1", "x1", "w2"]
    schema = pa.schema([(n, pa.float64()) for n in names])
    options = pa_csv.WriteOptions(quoting_style="none")
    with (
        pa_csv.CSVWriter(csv_path, schema, write_options=options) as csv_out,
        pq.ParquetWriter(parquet_path, schema) as parquet_out,
    ):
        for start in range(0, rows, 1_000_000):
            size = min(1_000_000, rows - start)
            batch = pa.table({n: rng.uniform(-3, 3, size) for n in names}, schema=schema)
            csv_out.write_table(batch)
            parquet_out.write_table(batch)
    return csv_path, parquet_path


def points_table(sizes: list[int], repeat: int) -> None:
    """cg CLI CSV→CSV and Parquet→Parquet beside pyarrow alone and the old numpy path."""
    import pyarrow as pa

    print(f"\npyarrow {pa.__version__}; sigmoid neuron, 5 inputs, 11 output columns\n")
    print(
        "| rows | files | method | seconds | rows/s | vs pyarrow read + write "
        "| vs the same, whole process | peak MB |"
    )
    print("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for rows in sizes:
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary)
            csv_in, parquet_in = write_inputs(folder, rows)
            times = max(1, repeat // 2) if rows >= 5_000_000 else repeat
            cg = [sys.executable, "-m", "cgcli", "eval", NEURON, "--no-check"]
            for kind, source in (("CSV", csv_in), ("Parquet", parquet_in)):
                fmt = kind.lower()
                target = folder / f"out.{fmt}"
                result = folder / "result.parquet"
                runs = {
                    "cg CLI": median_run(
                        [*cg, "--points", str(source), "--format", fmt, "-o", str(target)],
                        times,
                        source,
                    ),
                }
                child_run([*cg, "--points", str(source), "--format", "parquet", "-o", str(result)])
                runs["pyarrow read + write"] = median_run(
                    [sys.executable, "-c", ARROW_READ_WRITE, str(source), str(result),
                     str(folder / f"arrow.{fmt}"), fmt], times, source, timed_inside=True,
                )  # fmt: skip
                runs["pyarrow read + write, whole process"] = median_run(
                    [sys.executable, "-c", ARROW_PROCESS, str(source), str(folder / f"copy.{fmt}"),
                     fmt], times, source,
                )  # fmt: skip
                runs["a pyarrow + numpy script (whole process)"] = median_run(
                    [sys.executable, "-c", ARROW_SCRIPT, str(source), str(folder / f"script.{fmt}"),
                     fmt], times, source,
                )  # fmt: skip
                if kind == "CSV":
                    runs["numpy by hand (old CSV path)"] = median_run(
                        [sys.executable, "-c", NUMPY_BY_HAND_CSV, str(csv_in),
                         str(folder / "numpy.csv")], times, csv_in,
                    )  # fmt: skip
                base = runs["pyarrow read + write"][0]
                process = runs["pyarrow read + write, whole process"][0]
                for method, (seconds, memory) in runs.items():
                    print(
                        f"| {rows:,} | {kind} → {kind} | {method} | {seconds:.3f} | "
                        f"{rows / seconds:,.0f} | {seconds / base:.2f}× | "
                        f"{seconds / process:.2f}× | {memory:,.0f} |"
                    )


def workloads() -> list[tuple[str, str, Callable | None]]:
    return [
        ("sigmoid neuron", NEURON, neuron_by_hand),
        ("random 20-node program", random_program(20), None),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument(
        "--io-sizes", type=int, nargs="*", default=[10_000, 1_000_000, 10_000_000],
        help="rows of the points table (I/O included); none to skip it",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.chdir(tempfile.gettempdir())  # outside the checkout: -m cgcli runs the installed cg
    rng = np.random.default_rng(0)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cores\n")
    print("| workload | points | method | seconds | points/s | vs numpy by hand |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")
    for title, program, by_hand in workloads():
        graph = parse(program).bind_constants(())
        by_hand = by_hand or hand_written(graph)
        compiled = lambdified(graph)
        for size in args.sizes:
            points = {name: rng.uniform(-2, 2, size) for name in graph.input_names}
            columns = [points[n] for n in graph.input_names]
            timings = {
                "numpy by hand": median_time(partial(by_hand, *columns), args.repeat),
                "SymPy lambdify": median_time(partial(compiled, *columns), args.repeat),
                "cg engine": median_time(
                    partial(evaluate_arrays, graph, points, size), args.repeat
                ),
                "cg CLI (CSV in and out)": cli_time(program, points, max(1, args.repeat // 2)),
            }
            base = timings["numpy by hand"]
            for method, seconds in timings.items():
                print(
                    f"| {title} | {size:,} | {method} | {seconds:.4f} | "
                    f"{size / seconds:,.0f} | {base / seconds:.2f}× |"
                )
    if args.io_sizes:
        points_table(args.io_sizes, args.repeat)


if __name__ == "__main__":
    main()
