"""All of cg's benchmarks, side by side with their baselines, as one Markdown report.

Whole processes, medians of several runs, on this machine, in one run:

1. start-up: ``cg eval "(x+y)*z" x=1 y=3 z=-3 --no-check --format json`` against a
   micrograd-style script that does the same job (benchmarks/peers/micrograd_style.py),
   ``python -c pass``, and cg before the house (HOUSE, from git);
2. the default check and table against a SymPy-only script that parses
   ``(x+y)*z``, differentiates and evaluates;
3. size: a random program and a deeply nested one, parse + forward + backward +
   JSON with ``--no-check``, against Lark alone parsing the same text into a tree
   with cg's grammar and against cg before the column-wise graph (BASELINE, run
   from git); time and peak memory from 10^3 to 10^6 nodes, and the JSON output
   step alone beside the baseline's;
4. the default check (``cg eval``) on random and deep programs of 100, 1,000 and 10,000
   nodes: time and the method that ran, beside the check before the interval method
   (the whole-program SymPy method, run from this same code); and SymPy against
   SymEngine for the derivatives (benchmarks/check_options.py compares the options
   for the check's method one by one);
5. with ``--points``: benchmarks/points.py (many points at once, I/O included);
6. with ``--points``: benchmarks/dask_scaling.py (the Dask engine, 1 and 2 workers);
7. loops: benchmarks/sequences.py (a recurrence of 10^3 to 10^5 steps as a loop and
   written out by hand: time and memory).

    python benchmarks/run.py                 # the tables of docs/speed.md (several minutes)
    python benchmarks/run.py --quick         # small sizes, a smoke run
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CG = [PYTHON, "-m", "cgcli"]
SEED = ["eval", "(x+y)*z", "x=1", "y=3", "z=-3"]
SYMPY_ONLY = """\
import sympy
x, y, z = sympy.symbols("x y z")
f = sympy.parse_expr("(x+y)*z", local_dict={"x": x, "y": y, "z": z})
at = {x: 1, y: 3, z: -3}
print(f.subs(at), [sympy.diff(f, v).subs(at) for v in (x, y, z)])
"""
LARK_TREE = """\
import sys
from lark import Lark
grammar = open(sys.argv[1], encoding="utf-8").read()
Lark(grammar, parser="lalr").parse(open(sys.argv[2], encoding="utf-8").read())
"""


PEAK_MEMORY = """\
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def run(command: list[str]) -> float:
    """Seconds of one whole process."""
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} failed")
    return time.perf_counter() - start


def median(command: list[str], repeat: int) -> float:
    return statistics.median(run(command) for _ in range(repeat))


def peak_memory(command: list[str]) -> float:
    """Peak resident memory (MB) of one process, started from a small parent (a child's
    peak would otherwise include this benchmark's own memory, copied at fork)."""
    done = subprocess.run([PYTHON, "-c", PEAK_MEMORY, *command], capture_output=True, text=True)
    return int(done.stdout) / 1024


def random_program(nodes: int, seed: int = 0) -> str:
    """About ``nodes`` nodes of straight-line code over four inputs, domain-safe."""
    rng = random.Random(seed)
    names = ["a", "b", "c", "d"]
    lines = []
    count = len(names)
    while count < nodes:
        left, right = rng.choice(names[-50:]), rng.choice(names)
        fn = rng.choice(["sin", "cos", "tanh", "sigmoid"])
        lines.append(f"t{len(lines)} = {fn}({left} {rng.choice('+-*')} {right}) * 0.5")
        names.append(f"t{len(lines) - 1}")
        count += 4
    return "\n".join(lines) + "\n"


def nested_program(nodes: int) -> str:
    """``((x+1)+1)...``: nested nodes/2 deep, each level an add and a constant (so the
    200,000-node program is nested 100,000 deep)."""
    depth = nodes // 2
    return "(" * depth + "x" + "+1)" * depth


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join("---:" if i else "---" for i in range(len(header))) + " |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def startup(repeat: int, folder: Path) -> None:
    """cg eval's whole process beside a micrograd-style script doing the same job, and
    beside cg before the house (HOUSE, run from git with the same launcher as now)."""
    peer = [PYTHON, str(ROOT / "benchmarks" / "peers" / "micrograd_style.py"), *SEED[1:]]
    args = [*SEED, "--no-check", "--format", "json"]
    console = Path(PYTHON).parent / "cg"
    commands = [
        ("python -c pass", [PYTHON, "-c", "pass"]),
        ("micrograd-style script (baseline)", peer),
        ("cg eval ... --no-check --format json", [str(console), *args] if console.exists()
         else [*CG, *args]),
    ]  # fmt: skip
    import cgcli

    installed = Path(cgcli.__file__).parent.parent
    commands.append(("the same, launched from the package", [PYTHON, "-c", LAUNCH_MAIN,
                                                             str(installed), *args]))  # fmt: skip
    before = baseline_code(folder, HOUSE)
    if before is not None:
        commands.append((f"the same at {HOUSE} (before the house)",
                         [PYTHON, "-c", LAUNCH_MAIN, str(before), *args]))  # fmt: skip
    times = interleaved_medians([command for _, command in commands], repeat)
    base = times[1]
    rows = [
        [label, f"{seconds * 1000:.1f}", f"{seconds / base:.2f}"]
        for (label, _), seconds in zip(commands, times, strict=True)
    ]
    table("1. Start-up", ["command", "ms (median)", "ratio to the micrograd-style script"], rows)


def interleaved_medians(commands: list[list[str]], repeat: int) -> list[float]:
    """The median seconds of each command, run in turns (one of each, ``repeat`` times), so
    that a change in the machine's load touches them all alike; one warm-up round first."""
    for command in commands:
        run(command)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeat):
        for found, command in zip(times, commands, strict=True):
            found.append(run(command))
    return [statistics.median(found) for found in times]


def check_and_table(repeat: int, folder: Path) -> None:
    script = folder / "sympy_only.py"
    script.write_text(SYMPY_ONLY, encoding="utf-8")
    base = median([PYTHON, str(script)], repeat)
    seconds = median([*CG, *SEED], repeat)
    rows = [
        ["SymPy-only script (baseline)", f"{base * 1000:.0f}", "1.00"],
        ["cg eval (check and table)", f"{seconds * 1000:.0f}", f"{seconds / base:.2f}"],
    ]
    table("2. The check and the table", ["command", "ms (median)", "ratio"], rows)


BASELINE = "4d82aa7"
"""Section 3's baseline: cg before the column-wise graph and the column-wise JSON writer
(its code is taken from git and run side by side with the current one)."""
JSON_STEP = """\
import os, statistics, sys, time
if sys.argv[1] != "-":
    sys.path.insert(0, sys.argv[1])
try:  # the package's floors (cgcli/core, cgcli/api, ...)
    from cgcli.api.evaluation import evaluate_graph
    from cgcli.core.limits import DEFAULT_LIMITS
    from cgcli.core.parser import parse
    from cgcli.passes.values import parse_assignments
except ImportError:  # the baseline, before the floors
    from cgcli.evaluation import evaluate_graph
    from cgcli.limits import DEFAULT_LIMITS
    from cgcli.parser import parse
    from cgcli.values import parse_assignments
from cgcli.render.json_doc import write_json
text = open(sys.argv[2], encoding="utf-8").read()
graph = parse(text, DEFAULT_LIMITS._replace(max_size=10**9))
result = evaluate_graph(graph, parse_assignments(sys.argv[4:]), check=False)
times = []
with open(os.devnull, "w", encoding="utf-8") as out:
    for _ in range(int(sys.argv[3])):
        start = time.perf_counter()
        write_json(result, out, list(result.graph.input_names))
        times.append(time.perf_counter() - start)
print(statistics.median(times))
"""
LAUNCH_MAIN = """\
import sys
sys.path.insert(0, sys.argv.pop(1))
import cgcli.cli
getattr(cgcli.cli, "console", cgcli.cli.main)()
"""
"""What the console script runs (``console``; before it, ``main``), from a given folder."""
HOUSE = "cc942b7"
"""Section 1's baseline: cg before the modules moved into floors (issue 21)."""
LAUNCH = """\
import runpy, sys
sys.path.insert(0, sys.argv.pop(1))
runpy.run_module("cgcli", run_name="__main__", alter_sys=True)
"""


def baseline_code(folder: Path, commit: str = BASELINE) -> Path | None:
    """The cgcli package at ``commit``, unpacked from git; None without git or the commit."""
    import io
    import tarfile

    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "cgcli"],
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    target = folder / f"baseline-{commit}"
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(target, filter="data")
        else:  # Python before 3.11.4; the archive is our own repository's
            archive.extractall(target)
    # compiled once now, so that the first timed run does not compile it
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(target)], check=True)
    return target


def json_step(code: Path | None, path: Path, values: list[str], folder: Path, repeat: int) -> float:
    """Seconds of write_json alone (median of ``repeat``), with the package at ``code``
    (None: the current one)."""
    script = folder / "json_step.py"
    script.write_text(JSON_STEP, encoding="utf-8")
    where = "-" if code is None else str(code)
    done = subprocess.run(
        [PYTHON, str(script), where, str(path), str(repeat), *values],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout)


def size(sizes: list[int], lark_max: int, repeat: int, folder: Path) -> None:
    grammar = ROOT / "grammar" / "cg.lark"
    lark_script = folder / "lark_tree.py"
    lark_script.write_text(LARK_TREE, encoding="utf-8")
    launcher = folder / "launch.py"
    launcher.write_text(LAUNCH, encoding="utf-8")
    base = baseline_code(folder)
    rows = []
    json_rows = []
    for shape, make in [("random", random_program), ("nested", nested_program)]:
        for nodes in sizes:
            path = folder / f"{shape}-{nodes}.cg"
            path.write_text(make(nodes), encoding="utf-8")
            values = ["a=1", "b=2", "c=3", "d=0.5"] if shape == "random" else ["x=1"]
            arguments = ["eval", "-f", str(path), *values, "--no-check", "--format", "json",
                         "--max-size", "100000000"]  # fmt: skip
            times = repeat if nodes <= 10_000 else 1
            seconds = median([*CG, *arguments], times)
            memory = peak_memory([*CG, *arguments])
            old_seconds = old_memory = None
            if base is not None:
                old_command = [PYTHON, str(launcher), str(base), *arguments]
                old_seconds = median(old_command, times)
                old_memory = peak_memory(old_command)
            per_thousand = seconds / nodes * 1000 * 1000
            lark = "-"
            ratio = "-"
            if nodes <= lark_max:
                lark_seconds = median([PYTHON, str(lark_script), str(grammar), str(path)], 1)
                lark = f"{lark_seconds:.2f}"
                ratio = f"{seconds / lark_seconds:.2f}"
            rows.append(
                [
                    shape,
                    f"{nodes:,}",
                    f"{seconds:.2f}",
                    f"{per_thousand:.1f}",
                    f"{memory:.0f}",
                    "-" if old_seconds is None else f"{old_seconds:.2f}",
                    "-" if old_memory is None else f"{old_memory:.0f}",
                    lark,
                    ratio,
                ]
            )
            step_repeat = 5 if nodes <= 100_000 else 1
            step = json_step(None, path, values, folder, step_repeat)
            old_step = None if base is None else json_step(base, path, values, folder, step_repeat)
            json_rows.append(
                [
                    shape,
                    f"{nodes:,}",
                    f"{step:.3f}",
                    f"{step / seconds:.0%}",
                    "-" if old_step is None else f"{old_step:.3f}",
                    "-" if old_step is None else f"{old_step / step:.2f}",
                ]
            )
    header = ["program", "nodes", "cg s", "cg ms per 1,000 nodes", "cg peak MB",
              f"{BASELINE} s", f"{BASELINE} peak MB", "Lark tree s", "cg / Lark"]  # fmt: skip
    table("3. Size: parse, forward, backward, JSON (--no-check)", header, rows)
    if base is None:
        print(f"\n(baseline {BASELINE} not found in git: its columns are empty)")
    header = ["program", "nodes", "cg JSON s", "share of the cg run", f"{BASELINE} JSON s",
              f"{BASELINE} / cg"]  # fmt: skip
    table("3b. The JSON output step alone (write_json, same evaluation)", header, json_rows)


CHECK_STATEMENTS = [
    "sin({a} + {b})", "cos({a} - {b})", "tanh({a} * {b})", "sigmoid({a} - {b})",
    "exp(tanh({a}))", "log(1 + {a}^2)", "sqrt(1 + {a}^2)", "{a} / (1 + {b}^2)",
    "(1 + {a}^2) ^ tanh({b})", "abs({a}) * {b}", "relu({a}) + {b}", "max({a}, {b})",
    "{a} * 0.5 + {b}",
]  # fmt: skip
"""Statement forms of the check's random programs: + - * / and sin cos tanh sigmoid exp
log sqrt pow abs relu max, each domain-safe."""
OLD_CHECK = """\
import sys
from cgcli.check import run as check
from cgcli.cli import main


def whole_program(graph, points, needs):  # the check before the interval method
    from cgcli.check.symbolic import reference

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    return reference(graph, points, needs)


check._sympy_reference = whole_program
check.INTERVAL_NODE_LIMIT = check.SYMPY_NODE_LIMIT
main(sys.argv[1:])
"""


def check_program(nodes: int, shape: str, seed: int = 0) -> str:
    """About ``nodes`` nodes over four inputs: "random" draws each operand from the whole
    program so far (shared subexpressions everywhere), "chain" feeds each statement the
    one before (a program as deep as it is long)."""
    rng = random.Random(seed)
    names = ["a", "b", "c", "d"]
    lines = []
    count = len(names)
    while count < nodes:
        form = rng.choice(CHECK_STATEMENTS)
        a = names[-1] if shape == "chain" else rng.choice(names)
        target = f"t{len(lines)}"
        lines.append(f"{target} = {form.format(a=a, b=rng.choice(names))}")
        names.append(target)
        count += 4
    return "\n".join(lines) + "\n"


def timed_check(command: list[str]) -> tuple[float, str]:
    """Seconds of one ``cg eval --format json`` process, and the check method it names."""
    import json

    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1) or not done.stdout.startswith("{"):
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return seconds, json.loads(done.stdout)["check"]["method"]


def check_budget(sizes: list[int], repeat: int, folder: Path) -> None:
    old_script = folder / "old_check.py"
    old_script.write_text(OLD_CHECK, encoding="utf-8")
    rows = []
    for shape in ("random", "chain"):
        for nodes in sizes:
            path = folder / f"check-{shape}-{nodes}.cg"
            path.write_text(check_program(nodes, shape, seed=5), encoding="utf-8")
            args = ["eval", "-f", str(path), "a=1/3", "b=2", "c=-3/2", "d=0.5", "--format",
                    "json", "--max-size", "100000000"]  # fmt: skip
            runs = repeat if nodes <= 1000 else 1
            new = [timed_check([*CG, *args]) for _ in range(runs)]
            old = [timed_check([PYTHON, str(old_script), *args]) for _ in range(runs)]
            new_seconds = statistics.median(s for s, _ in new)
            old_seconds = statistics.median(s for s, _ in old)
            rows.append(
                [
                    shape,
                    f"{nodes:,}",
                    f"{new_seconds:.2f}",
                    "/".join(sorted({m for _, m in new})),
                    f"{old_seconds:.2f}",
                    "/".join(sorted({m for _, m in old})),
                    f"{old_seconds / new_seconds:.1f}",
                ]
            )
    header = ["program", "nodes", "cg eval s", "check method", "before: s", "before: method",
              "speed-up"]  # fmt: skip
    table("4. The default check (cg eval, whole process), beside the check before", header, rows)


def symbolic_engines(sizes: list[int]) -> None:
    import sympy

    try:
        import symengine
    except ImportError:
        symengine = None
    rows = []
    for terms in sizes:
        xs = sympy.symbols(f"x0:{terms}")
        total = sympy.Add(*(sympy.sin(x) * x for x in xs))
        start = time.perf_counter()
        sympy.diff(total, xs[0])
        sympy_seconds = time.perf_counter() - start
        engine = "not installed"
        if symengine is not None:
            converted = symengine.Add(
                *(symengine.sin(x) * x for x in symengine.symbols(f"x0:{terms}"))
            )
            start = time.perf_counter()
            converted.diff(symengine.Symbol("x0"))
            engine = f"{(time.perf_counter() - start) * 1000:.1f}"
        rows.append([f"d/dx0 of a {terms:,}-term sum", f"{sympy_seconds * 1000:.1f}", engine])
    table("SymPy and SymEngine", ["derivative", "SymPy ms", "SymEngine ms"], rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each")
    parser.add_argument(
        "--points",
        action="store_true",
        help="also run benchmarks/points.py and benchmarks/dask_scaling.py",
    )
    parser.add_argument(
        "--startup-only",
        type=int,
        metavar="ROUNDS",
        help="only section 1 (start-up), in this many interleaved rounds",
    )
    args = parser.parse_args(argv)
    os.chdir(tempfile.gettempdir())  # outside the checkout: -m cgcli runs the installed cg
    repeat = 1 if args.quick else 9
    sizes = [1_000, 3_000] if args.quick else [1_000, 10_000, 100_000, 200_000, 1_000_000]
    lark_max = 3_000 if args.quick else 200_000
    import cgcli

    where = Path(cgcli.__file__).parent
    version = sys.version.split()[0]
    print(f"python {version}, {os.cpu_count()} cores, cg {cgcli.__version__} at {where}")
    if args.startup_only:
        with tempfile.TemporaryDirectory() as name:
            startup(args.startup_only, Path(name))
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        startup(repeat if args.quick else max(repeat, 11), folder)
        check_and_table(max(1, repeat // 3), folder)
        size(sizes, lark_max, max(1, repeat // 3), folder)
        check_budget([100] if args.quick else [100, 1_000, 10_000], 1 if args.quick else 3,
                     folder)  # fmt: skip
        symbolic_engines([1_000] if args.quick else [1_000, 10_000])
    if args.points:
        from points import main as points_main

        print("\n### 5. Many points\n")
        quick = ["--sizes", "1000", "--io-sizes", "10000", "--repeat", "1"]
        points_main(quick if args.quick else [])
        from dask_scaling import main as dask_main

        print("\n### 6. The Dask engine: one and two workers\n")
        dask_main(["--rows", "1000", "--parts", "2", "--repeat", "1"] if args.quick else [])
    from sequences import main as sequences_main

    print("\n### 7. Loops: a recurrence as a loop and written out by hand\n")
    sequences_main(["--steps", "1000", "--repeat", "1"] if args.quick else [])
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
