"""The benchmark scripts run (on tiny sizes: a smoke test, no timing assertions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from real_parts import python_part

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

pytestmark = pytest.mark.long  # whole benchmark scripts, each in processes of its own


def test_points_benchmark_runs():
    """Both tables, on 200 points (the I/O table's default sizes, up to 10^7 rows, took
    four minutes here)."""
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "points.py"), "--sizes", "200", "--io-sizes", "200",
         "--repeat", "1"],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    rows = [line for line in out.stdout.splitlines() if line.startswith("| sigmoid neuron | 200 ")]
    assert [row.split(" | ")[2] for row in rows] == [
        "numpy by hand",
        "SymPy lambdify",
        "cg engine",
        "cg CLI (CSV in and out)",
    ]
    rows = [line.split(" | ")[1:3] for line in out.stdout.splitlines() if line.startswith("| 200 ")]
    assert rows == [
        [files, method]
        for files in ("CSV → CSV", "Parquet → Parquet")
        for method in (
            "cg CLI",
            "pyarrow read + write",
            "pyarrow read + write, whole process",
            "a pyarrow + numpy script (whole process)",
            *(["numpy by hand (old CSV path)"] if files == "CSV → CSV" else []),
        )
    ]


def test_sequences_benchmark_runs():
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "sequences.py"), "--steps", "200", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [line.split(" | ") for line in out.stdout.splitlines() if line.startswith("| 200 ")]
    assert [row[1] for row in rows] == [
        "for t in 1..T: (the loop)",
        "written out by hand",
        "ratio loop / written out",
    ]


def test_vectors_benchmark_runs():
    argv = ["--width", "16", "--batch", "8", "--classes", "3", "--size", "50", "--repeat", "1"]
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "vectors.py"), *argv],
        capture_output=True,
        text=True,
        check=True,
    )  # it compares cg's gradients with NumPy's before it times them
    rows = [line.split(" | ")[0] for line in out.stdout.splitlines()[2:]]
    assert rows == [
        "| 2-layer network (16×16, batch 8): value and all gradients",
        "| one `A @ B` node, 50×50",
    ]


def test_benchmark_entry_point_runs():
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        check=True,
    )
    for section in ("### 1. Start-up", "### 2. The check", "### 3. Size", "### 7. Loops"):
        assert section in out.stdout
    assert "| random | 1,000 |" in out.stdout


def test_dask_scaling_benchmark_runs():
    try:
        import distributed  # noqa: F401
    except ImportError:
        python_part("Dask", "dask[dataframe], distributed")
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "dask_scaling.py"), "--rows", "200", "--parts", "2",
         "--repeat", "1"],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    rows = [line.split(" | ") for line in out.stdout.splitlines() if line.startswith("| ")][2:]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("| one process: pyarrow + cgcli.compile", "-", "400"),
        ("| cg eval --points (one process, one file)", "-", "400"),
        ("| cg eval --engine dask (local cluster)", "1", "400"),
        ("| cg eval --engine dask (local cluster)", "2", "400"),
    ]
    dask_times = [row[3] for row in rows[2:]]
    assert "not run" not in dask_times
