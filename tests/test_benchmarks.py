"""The benchmark scripts run (on tiny sizes: a smoke test, no timing assertions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_points_benchmark_runs():
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "points.py"), "--sizes", "200", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [line for line in out.stdout.splitlines() if line.startswith("| sigmoid neuron | 200 ")]
    assert [row.split(" | ")[2] for row in rows] == [
        "numpy by hand",
        "SymPy lambdify",
        "cg engine",
        "cg CLI (CSV in and out)",
    ]


def test_benchmark_entry_point_runs():
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        check=True,
    )
    for section in ("### 1. Start-up", "### 2. The check", "### 3. Size"):
        assert section in out.stdout
    assert "| random | 1,000 |" in out.stdout
