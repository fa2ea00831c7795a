"""The Dask engine on a real local cluster (two worker processes): cg eval and cg train
give the same numbers as the single process; bad data, math errors and a missing extra
are reported as on one machine.

One cluster serves the whole module (started once; its address goes to --scheduler).
Without Dask installed these tests skip, saying so; with CI set they fail instead.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from real_parts import python_part

SIGMOID = "h = sigmoid(w1*x1 + w2*x2 + b)"
COLUMNS = ["w1", "x1", "w2", "x2", "b"]
SIZES = [300, 1, 0, 257]
"""Rows per partition: a one-row and an empty partition among them."""

pytestmark = pytest.mark.xdist_group("dask")  # one local cluster, on one worker


@pytest.fixture(scope="module")
def scheduler():
    """The address of a local cluster of two worker processes, shared by the module."""
    try:
        import distributed
    except ImportError:
        python_part("Dask", "dask[dataframe], distributed")
    from cgcli.data.dask_engine import local_cluster_options

    with distributed.LocalCluster(**local_cluster_options(2)) as cluster:
        yield cluster.scheduler_address


def write_parquet(path: Path, columns: dict[str, list | np.ndarray]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), path)


def read_parquet(path: Path) -> dict[str, np.ndarray]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    return {name: table.column(name).to_numpy() for name in table.column_names}


@pytest.fixture(scope="module")
def neurons(tmp_path_factory) -> Path:
    """Four Parquet partitions of sigmoid-neuron inputs, and each as CSV beside it."""
    folder = tmp_path_factory.mktemp("neurons")
    rng = np.random.default_rng(7)
    for i, rows in enumerate(SIZES):
        columns = {name: rng.normal(0, 2, rows) for name in COLUMNS}
        write_parquet(folder / f"p{i}.parquet", columns)
        with open(folder / f"p{i}.csv", "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(COLUMNS)
            writer.writerows(zip(*(map(repr, columns[n].tolist()) for n in COLUMNS), strict=True))
    return folder


def single_process(cg, program: str, path: Path, *args: str) -> dict[str, np.ndarray]:
    """cg eval --points on one CSV file, read back as columns."""
    result = cg("eval", program, "--points", str(path), "--format", "csv", "--no-check", *args)
    assert result.exit_code in (0, 3), result.stderr
    rows = list(csv.reader(result.stdout.splitlines()))
    if not rows:
        return {}
    header, body = rows[0], np.array(rows[1:], dtype=np.float64).reshape(-1, len(rows[0]))
    return {name: body[:, j] for j, name in enumerate(header)}


def test_eval_equals_the_single_process_partition_by_partition(cg, scheduler, neurons, tmp_path):
    out = tmp_path / "out"
    result = cg(
        "eval", SIGMOID, "--points", str(neurons / "*.parquet"), "--engine", "dask",
        "--scheduler", scheduler, "--format", "parquet", "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    files = ", ".join(f"{neurons}/p{i}.parquet row 1" for i in (0, 1, 3))
    assert result.stderr == f"cg: check: sympy on sampled rows {files}: all agree\n"
    assert result.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == [f"part.{i}.parquet" for i in range(4)]
    header = [*COLUMNS, "h", *(f"dh/d{n}" for n in ["w1", "x1", "w2", "x2", "b"])]
    for i, rows in enumerate(SIZES):
        ours = read_parquet(out / f"part.{i}.parquet")
        assert list(ours) == header
        assert len(ours["h"]) == rows
        if rows:
            expected = single_process(cg, SIGMOID, neurons / f"p{i}.csv")
            assert list(expected) == header
            for name in header:  # the same float64 operations: equal to the last bit
                assert ours[name].tolist() == expected[name].tolist(), name


def test_eval_equals_numpy_by_hand(cg, scheduler, neurons, tmp_path):
    """An independent computation: the sigmoid's derivative σ(1 − σ) in numpy."""
    out = tmp_path / "out"
    result = cg(
        "eval", SIGMOID, "--points", str(neurons), "--engine", "dask", "--scheduler", scheduler,
        "--format", "parquet", "-o", str(out), "--grad", "--wrt", "w1,b", "--no-check",
    )  # fmt: skip
    assert (result.exit_code, result.stderr) == (0, "")
    for i in range(len(SIZES)):
        x = read_parquet(neurons / f"p{i}.parquet")
        ours = read_parquet(out / f"part.{i}.parquet")
        assert list(ours) == ["dh/dw1", "dh/db"]
        z = x["w1"] * x["x1"] + x["w2"] * x["x2"] + x["b"]
        slope = 1 / (1 + np.exp(-z)) / (1 + np.exp(z))  # σ(z)·σ(−z): no 1 − σ to cancel
        np.testing.assert_allclose(ours["dh/dw1"], slope * x["x1"], rtol=1e-13, atol=0)
        np.testing.assert_allclose(ours["dh/db"], slope, rtol=1e-13, atol=0)


def test_eval_on_a_local_cluster_of_its_own(cg, neurons, tmp_path):
    """Without --scheduler, --workers 2 starts a local cluster for the command."""
    out = tmp_path / "out"
    program = "y = w1*x1 + 2"
    result = cg(
        "eval", program, "--points", str(neurons / "p1.parquet"), "--engine", "dask",
        "--workers", "2", "--format", "parquet", "-o", str(out), "--no-check",
    )  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        0,
        "cg: warning: column w2 is not used by the program (--keep w2 carries it through)\n"
        "cg: warning: column x2 is not used by the program (--keep x2 carries it through)\n"
        "cg: warning: column b is not used by the program (--keep b carries it through)\n",
    )
    x = read_parquet(neurons / "p1.parquet")
    ours = read_parquet(out / "part.0.parquet")
    assert ours == {
        "w1": x["w1"], "x1": x["x1"], "y": x["w1"] * x["x1"] + 2,
        "dy/dw1": x["x1"], "dy/dx1": x["w1"],
    }  # fmt: skip


def test_math_errors_are_nan_with_a_warning_naming_file_and_row(cg, scheduler, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    write_parquet(data / "a.parquet", {"x": [1.0, -1.0, 4.0]})
    write_parquet(data / "b.parquet", {"x": [0.0, 2.0]})
    out = tmp_path / "out"
    result = cg(
        "eval", "y = log(x)", "--points", str(data), "--engine", "dask", "--scheduler",
        scheduler, "--format", "parquet", "-o", str(out), "--no-check",
    )  # fmt: skip
    assert result.exit_code == 3
    assert result.stderr == (
        f"cg: warning: {data}/a.parquet: row 2: math error: 1:5: node y = log(x): "
        "log of a negative number in log(-1)\n"
        f"cg: warning: {data}/b.parquet: row 1: math error: 1:5: node y = log(x): "
        "log of zero in log(0)\n"
        "cg: warning: 2 of 5 rows had a math error; their values are nan\n"
    )
    a = read_parquet(out / "part.0.parquet")
    assert a["y"][[0, 2]].tolist() == [0.0, float(np.log(4.0))]
    assert a["dy/dx"][[0, 2]].tolist() == [1.0, 0.25]
    assert np.isnan(a["y"][1]) and np.isnan(a["dy/dx"][1])
    assert np.isnan(read_parquet(out / "part.1.parquet")["y"][0])


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ([1.0, 2.0, None], "row 3, column x: the field is empty (null)"),
        ([1.0, float("inf"), 3.0], "row 2, column x: inf is not a finite number"),
        (["1", "2", "3"], "row 1, column x: '1' is not a number (the column holds string)"),
    ],
)
def test_bad_data_names_file_row_and_column(cg, scheduler, tmp_path, column, message):
    data = tmp_path / "data"
    data.mkdir()
    write_parquet(data / "a.parquet", {"x": [1.0, 2.0]})
    write_parquet(data / "b.parquet", {"x": column})
    out = tmp_path / "out"
    result = cg(
        "eval", "x^2", "--points", str(data / "*.parquet"), "--engine", "dask", "--scheduler",
        scheduler, "--format", "parquet", "-o", str(out),
    )  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        2,
        f"cg: error in the data: {data}/b.parquet, {message}\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # -o is written whole, or not


def test_a_partition_without_a_column_or_not_parquet(cg, scheduler, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    write_parquet(data / "a.parquet", {"x": [1.0]})
    write_parquet(data / "b.parquet", {"q": [1.0]})
    (data / "c.parquet").write_text("x\n1\n")
    args = ["--engine", "dask", "--scheduler", scheduler, "--format", "parquet", "--no-check"]
    result = cg("eval", "x^2", "--points", str(data), *args, "-o", str(tmp_path / "o1"))
    assert (result.exit_code, result.stderr) == (
        2,
        f"cg: usage error: {data}/b.parquet has no column x (columns: q)\n",
    )
    (data / "b.parquet").unlink()
    result = cg("eval", "x^2", "--points", str(data), *args, "-o", str(tmp_path / "o2"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"cg: usage error: cannot read {data}/c.parquet as Parquet: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no o1, no o2, nothing hidden


def test_usage_errors(cg, neurons, tmp_path):
    parquet = str(neurons / "*.parquet")
    cases = [
        (["--points", parquet, "--engine", "dask", "--format", "csv"],
         "--engine dask evaluates a Parquet data set into a folder of Parquet files: give "
         "--points FILES and -o DIR (--format parquet is the default)"),
        (["--points", parquet, "--scheduler", "tcp://127.0.0.1:8786"],
         "--scheduler is for --engine dask"),
        (["--points", str(tmp_path / "none*.parquet"), "--engine", "dask", "--format", "parquet",
          "-o", str(tmp_path / "o")], f"no Parquet file matches {tmp_path}/none*.parquet"),
        (["--points", parquet, "--engine", "dask", "--format", "parquet", "-o", str(neurons)],
         f"-o {neurons} already holds Parquet files (p0.parquet, ...): choose an empty folder, "
         "so that old partitions do not mix with new ones"),
        (["--points", parquet, "--engine", "dask", "--format", "parquet", "-o", str(tmp_path),
          "--check", "all"], "--check all is for --engine local; --engine dask checks a sample"),
    ]  # fmt: skip
    for args, message in cases:
        result = cg("eval", "w1*x1", *args)
        assert (result.exit_code, result.stderr) == (2, f"cg: usage error: {message}\n"), args
    result = cg(
        "eval", "w1*x1 + q", "--points", parquet, "--engine", "dask", "--format", "parquet",
        "-o", str(tmp_path / "o"), "--workers", "1",
    )  # fmt: skip
    assert result.stderr == (
        "cg: usage error: the points have no column q (columns: w1, x1, w2, x2, b); "
        "give it as NAME=VALUE or add it\n"
    )


def test_an_unreachable_scheduler_is_a_usage_error(cg, neurons, tmp_path, monkeypatch):
    import socket

    from cgcli.data import dask_engine

    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", "0.5s")
    with socket.socket() as sock:  # a port that nothing listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = cg(
        "eval", SIGMOID, "--points", str(neurons), "--engine", "dask", "--scheduler",
        f"tcp://127.0.0.1:{port}", "--format", "parquet", "-o", str(tmp_path / "out"),
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"cg: usage error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}: "
    )
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_without_the_extra_the_message_says_how_to_install_it(neurons, tmp_path):
    """Dask missing (its import made to fail): one line, exit 2, and the pip command."""
    run = (
        "import sys; sys.modules['dask'] = sys.modules['distributed'] = None; "
        "from cgcli.cli import main; main(sys.argv[1:])"
    )
    for command in (
        ["eval", SIGMOID, "--points", str(neurons), "--engine", "dask", "--format", "parquet",
         "-o", str(tmp_path / "out")],
        ["train", "w*x1", "--data", str(neurons), "--target", "b", "--params", "w=0",
         "--engine", "dask"],
    ):  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-c", run, *command], capture_output=True, text=True, timeout=60
        )
        assert (done.returncode, done.stdout, done.stderr) == (
            2,
            "",
            'cg: usage error: the Dask engine needs the dask extra: pip install "cgcli[dask]"\n',
        )


@pytest.fixture(scope="module")
def line(tmp_path_factory) -> Path:
    """y = 2x + 1 plus noise, in three Parquet partitions and as one CSV file."""
    folder = tmp_path_factory.mktemp("line")
    rng = np.random.default_rng(3)
    xs, ys = [], []
    for i, rows in enumerate([40, 1, 23]):
        x = rng.uniform(-2, 2, rows)
        y = 2 * x + 1 + rng.normal(0, 0.1, rows)
        write_parquet(folder / f"part{i}.parquet", {"x": x, "y": y})
        xs += x.tolist()
        ys += y.tolist()
    lines = ["x,y", *(f"{x!r},{y!r}" for x, y in zip(xs, ys, strict=True))]
    (folder / "all.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_train_equals_the_single_process(cg, scheduler, line):
    common = ["--target", "y", "--params", "w=0,b=0", "--lr", "0.1", "--format", "json"]
    ours = cg(
        "train", "w*x + b", "--data", str(line / "*.parquet"), "--engine", "dask",
        "--scheduler", scheduler, *common,
    )  # fmt: skip
    theirs = cg("train", "w*x + b", "--data", str(line / "all.csv"), *common)
    assert (ours.exit_code, theirs.exit_code) == (0, 0), ours.stderr + theirs.stderr
    ours_doc, theirs_doc = json.loads(ours.stdout), json.loads(theirs.stdout)
    # The same steps; sums of partition sums round differently from one mean: ~1e-16
    for name in ("w", "b"):
        assert ours_doc["params"][name] == pytest.approx(theirs_doc["params"][name], rel=1e-12)
    assert ours_doc["loss"] == pytest.approx(theirs_doc["loss"], rel=1e-12)
    assert ours_doc["epochs"] == theirs_doc["epochs"] == 100
    assert ours_doc["check"] == theirs_doc["check"]
    # and both near the least-squares line of the same data
    data = np.loadtxt(line / "all.csv", delimiter=",", skiprows=1)
    slope, intercept = np.polyfit(data[:, 0], data[:, 1], 1)
    assert ours_doc["params"]["w"] == pytest.approx(slope, abs=1e-3)
    assert ours_doc["params"]["b"] == pytest.approx(intercept, abs=1e-3)


def test_train_bce_library_equals_the_single_process(scheduler, tmp_path):
    import cgcli

    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(-1, 1, 30), rng.normal(1, 1, 30)])
    y = np.concatenate([np.zeros(30), np.ones(30)])
    for i, part in enumerate(np.array_split(np.arange(60), 3)):
        write_parquet(tmp_path / f"p{i}.parquet", {"x": x[part], "y": y[part]})
    settings = {"target": "y", "params": {"w": 0, "b": 0}, "loss": "bce", "lr": 0.5}
    ours = cgcli.train_on_dask(
        "sigmoid(w*x + b)", str(tmp_path), scheduler=scheduler, epochs=50, **settings
    )
    theirs = cgcli.train("sigmoid(w*x + b)", {"x": x, "y": y}, epochs=50, **settings)
    assert ours.params == pytest.approx(theirs.params, rel=1e-12)
    assert ours.history == pytest.approx(theirs.history, rel=1e-12)
    assert ours.accuracy == theirs.accuracy
    assert ours.check_ok and theirs.check_ok


def test_train_bad_data_and_options(cg, scheduler, tmp_path):
    write_parquet(tmp_path / "a.parquet", {"x": [1.0, 2.0], "y": [1.0, float("nan")]})
    args = ["--target", "y", "--params", "w=0", "--engine", "dask", "--scheduler", scheduler]
    result = cg("train", "w*x", "--data", str(tmp_path / "a.parquet"), *args)
    assert (result.exit_code, result.stderr) == (
        2,
        f"cg: error in the data: {tmp_path}/a.parquet, row 2, column y: nan is not a finite "
        "number\n",
    )
    result = cg("train", "w*x", "--data", str(tmp_path), "--batch", "1", *args)
    assert (result.exit_code, result.stderr) == (
        2,
        "cg: usage error: --batch: --engine dask trains on the full batch of Parquet data\n",
    )
