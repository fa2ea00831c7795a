"""A loop against the same program written out by hand: time and memory, side by side.

The recurrence is an RNN cell with a loss at every step, its inputs made from the loop
variable (so no values are needed beyond the two weights):

    h[0] = 0
    L = 0
    for t in 1..T:
        h[t] = tanh(w*h[t-1] + u*sin(t))
        L += (h[t] - cos(t))^2

and the same statements written out for t = 1, 2, ..., T (the graph is the same, node
for node). For each T (``--steps``) it runs both as whole processes,
``cg eval -f FILE w=0.5 u=0.8 --grad --no-check``, in turns, and reports the median time,
the peak memory (the child's ``ru_maxrss``), the ratio loop / written out, and the
memory per step above what ``cg eval`` of a one-node program takes. Prints a Markdown table.

    python benchmarks/sequences.py                  # the table of docs/speed.md
    python benchmarks/sequences.py --steps 1000 --repeat 1   # a quick smoke run
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
PEAK_MEMORY = """\
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def loop_program(steps: int) -> str:
    return (
        f"T = {steps}\nh[0] = 0\nL = 0\nfor t in 1..T:\n"
        "    h[t] = tanh(w*h[t-1] + u*sin(t))\n"
        "    L += (h[t] - cos(t))^2\n"
    )


def written_out(steps: int) -> str:
    lines = [f"T = {steps}", "h[0] = 0", "L = 0"]
    for t in range(1, steps + 1):
        lines.append(f"h[{t}] = tanh(w*h[{t - 1}] + u*sin({t}))")
        lines.append(f"L += (h[{t}] - cos({t}))^2")
    return "\n".join(lines) + "\n"


def command(path: Path) -> list[str]:
    limits = ["--max-size", "1000000000", "--max-unrolled", "100000000"]
    return [PYTHON, "-m", "cgcli", "eval", "-f", str(path), "w=0.5", "u=0.8", "--grad",
            "--no-check", *limits]  # fmt: skip


def seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def peak_mb(argv: list[str]) -> float:
    done = subprocess.run(
        [PYTHON, "-c", PEAK_MEMORY, *argv], capture_output=True, text=True, check=True
    )
    return int(done.stdout) / 1024


def same_gradient(loop: Path, hand: Path) -> bool:
    outputs = [
        subprocess.run(command(path), capture_output=True, text=True, check=True).stdout
        for path in (loop, hand)
    ]
    return outputs[0] == outputs[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.chdir(tempfile.gettempdir())  # outside the checkout: -m cgcli runs the installed cg
    rows = []
    base_mb = peak_mb([PYTHON, "-m", "cgcli", "eval", "x", "x=1", "--grad", "--no-check"])
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for steps in args.steps:
            loop, hand = folder / f"loop{steps}.cg", folder / f"hand{steps}.cg"
            loop.write_text(loop_program(steps), encoding="utf-8")
            hand.write_text(written_out(steps), encoding="utf-8")
            if not same_gradient(loop, hand):
                raise SystemExit(f"T = {steps}: the loop and the written-out program disagree")
            commands = [command(loop), command(hand)]
            for argv in commands:  # a warm-up round
                seconds(argv)
            times: list[list[float]] = [[], []]
            for _ in range(args.repeat):  # in turns, so that the load touches both alike
                for found, argv in zip(times, commands, strict=True):
                    found.append(seconds(argv))
            loop_s, hand_s = (statistics.median(found) for found in times)
            loop_mb, hand_mb = (peak_mb(argv) for argv in commands)
            for form, s, mb, size in (
                ("for t in 1..T: (the loop)", loop_s, loop_mb, loop.stat().st_size),
                ("written out by hand", hand_s, hand_mb, hand.stat().st_size),
            ):
                rows.append([
                    f"{steps:,}",
                    form,
                    f"{size:,}",
                    f"{s * 1000:,.0f}",
                    f"{mb:,.0f}",
                    f"{(mb - base_mb) * 1024 / steps:,.2f}",
                ])  # fmt: skip
            rows.append([f"{steps:,}", "ratio loop / written out", "", f"{loop_s / hand_s:.2f}",
                         f"{loop_mb / hand_mb:.2f}", ""])  # fmt: skip
    print(f"(cg eval of a one-node program: {base_mb:.0f} MB at its peak)\n")
    header = ["steps", "program", "bytes", "ms (median)", "peak MB", "KB per step above that"]
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join("---:" if i != 1 else "---" for i in range(len(header))) + " |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
