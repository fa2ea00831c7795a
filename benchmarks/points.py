"""Points per second for many points at once, side by side with the baselines.

For the sigmoid neuron and a random 20-node program, at 10,000 and 1,000,000
points (``--sizes``), it times the value and full gradient by:

* numpy by hand: straight-line numpy code for the forward and backward pass,
  the practical limit (for the random program the code is written out from the
  graph, as a person would write it);
* SymPy lambdify: the symbolic gradient compiled to numpy (compile time excluded);
* cg engine: ``cgcli.vector.evaluate_arrays`` on the whole arrays;
* cg CLI: the whole ``cg eval --points FILE --format csv --no-check`` process,
  CSV reading and writing included.

Each time is the median of ``--repeat`` runs. Prints a Markdown table.

    python benchmarks/points.py            # the table of docs/speed.md
    python benchmarks/points.py --sizes 1000 --repeat 1   # a quick smoke run
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
from cgcli.ir import Graph
from cgcli.symbolic import build, input_symbols
from cgcli.vector import evaluate_arrays

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


def workloads() -> list[tuple[str, str, Callable | None]]:
    return [
        ("sigmoid neuron", NEURON, neuron_by_hand),
        ("random 20-node program", random_program(20), None),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    main()
