"""Many points through pyarrow: CSV, JSON Lines, Parquet and Arrow at 10^5 rows against
numpy, bad rows mixed in, floats written back exactly, -o written whole."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

NEURON = "sigmoid(w0*x0 + w1*x1 + w2)"
INPUTS = ["w0", "x0", "w1", "x1", "w2"]
HEADER = [*INPUTS, "f", *(f"df/d{n}" for n in INPUTS)]
ROWS = 100_000


def neuron_by_hand(p: dict[str, np.ndarray]) -> np.ndarray:
    """The neuron's value and gradient (columns of HEADER after the inputs), in numpy."""
    z = p["w0"] * p["x0"] + p["w1"] * p["x1"] + p["w2"]
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    ds = e / (1 + e) ** 2  # σ(1 − σ) without the cancellation of 1 − σ near σ = 1
    return np.column_stack([s, ds * p["x0"], ds * p["w0"], ds * p["x1"], ds * p["w1"], ds])


def random_points(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {name: rng.uniform(-3, 3, n) for name in INPUTS}


def csv_text(points: dict[str, np.ndarray]) -> str:
    names = list(points)
    lines = [",".join(names)]
    lines += [
        ",".join(repr(float(points[n][i])) for n in names) for i in range(len(points[names[0]]))
    ]
    return "\n".join(lines) + "\n"


def jsonl_text(points: dict[str, np.ndarray]) -> str:
    names = list(points)
    rows = zip(*(points[n].tolist() for n in names), strict=True)
    return "".join(json.dumps(dict(zip(names, row, strict=True))) + "\n" for row in rows)


def run(args: list[str], data: bytes | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cgcli", *args], input=data, capture_output=True, **kwargs
    )


def expect_rows(table: np.ndarray, points: dict[str, np.ndarray], rows: slice) -> None:
    """Inputs exactly as given; value and gradients as numpy computes them."""
    chosen = {n: points[n][rows] for n in INPUTS}
    for j, name in enumerate(INPUTS):
        np.testing.assert_array_equal(table[:, j], chosen[name])
    np.testing.assert_allclose(table[:, 5:], neuron_by_hand(chosen), rtol=1e-12, atol=1e-15)


def with_math_errors(program_rows: int) -> tuple[str, dict[str, np.ndarray], list[int]]:
    """sqrt(w2 + 4) * neuron: rows with w2 < -4 are math errors (nan + warning)."""
    points = random_points(program_rows, seed=5)
    bad = [10, 4_321, 77_777]
    points["w2"][bad] = -5.0
    return f"sqrt(w2 + 4) * {NEURON}", points, bad


def by_hand_with_sqrt(points):
    s = neuron_by_hand(points)
    with np.errstate(invalid="ignore"):  # the math-error rows: nan, not compared
        root = np.sqrt(points["w2"] + 4)
    value = root * s[:, 0]
    grads = root[:, None] * s[:, 1:]  # in the order of INPUTS
    grads[:, 4] += s[:, 0] / (2 * root)  # ∂/∂w2 of the square root
    return np.column_stack([value, grads])


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_hundred_thousand_rows_with_math_errors(tmp_path, fmt):
    """Math-error rows give nan, one warning each and exit 3; every other row matches numpy."""
    program, points, bad = with_math_errors(ROWS)
    source = tmp_path / f"points.{fmt}"
    if fmt == "csv":
        source.write_text(csv_text(points))
    elif fmt == "jsonl":
        source.write_text(jsonl_text(points))
    else:
        pq.write_table(pa.table(points), source, row_group_size=30_000)
    out = tmp_path / "out.parquet"
    done = run(["eval", program, "--points", str(source), "--no-check", "--format", "parquet",
                "-o", str(out)], text=True)  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert done.stderr.splitlines() == [
        *(
            f"cg: warning: row {r + 1}: math error: 1:1: node v2 = sqrt(w2 + 4): "
            "square root of a negative number in sqrt(-1)"
            for r in bad
        ),
        f"cg: warning: 3 of {ROWS} rows had a math error; their values are nan",
    ]
    table = pq.read_table(out)
    order = ["w2", "w0", "x0", "w1", "x1"]  # the program's inputs, in the order it uses them
    assert table.column_names == [*order, "f", *(f"df/d{n}" for n in order)]
    result = np.column_stack([table.column(n).to_numpy() for n in table.column_names])
    for j, name in enumerate(order):
        np.testing.assert_array_equal(result[:, j], points[name])
    good = np.ones(ROWS, bool)
    good[bad] = False
    expected = by_hand_with_sqrt(points)[:, [0, *(1 + INPUTS.index(n) for n in order)]]
    np.testing.assert_allclose(result[good, 5:], expected[good], rtol=1e-12, atol=1e-15)
    assert np.isnan(result[bad, 5:]).all()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_malformed_row_stops_after_the_rows_before_it(tmp_path, fmt):
    """Row 70,001 is bad: the 70,000 rows before it are written, in order, then exit 2."""
    points = random_points(ROWS, seed=2)
    cut = 70_000
    source = tmp_path / f"points.{fmt}"
    if fmt == "csv":
        lines = csv_text(points).splitlines(keepends=True)
        lines[cut + 1] = "0.5,oops,1,2,3\n"
        source.write_text("".join(lines))
        message = f"row {cut + 1}, column x0: 'oops' is not a number"
    elif fmt == "jsonl":
        lines = jsonl_text(points).splitlines(keepends=True)
        lines[cut] = '{"w0": 1, "x0": 2, "w1": 3, "x1": true, "w2": 0}\n'
        source.write_text("".join(lines))
        message = f"row {cut + 1}, column x1: true is not a number"
    else:
        columns = {n: pa.array(points[n]) for n in INPUTS}
        mask = np.zeros(ROWS, bool)
        mask[cut] = True
        columns["w1"] = pa.array(points["w1"], mask=mask)
        pq.write_table(pa.table(columns), source, row_group_size=25_000)
        message = f"row {cut + 1}, column w1: the field is empty (null)"
    done = run(["eval", NEURON, "--points", str(source), "--no-check", "--format", "csv"])
    assert done.returncode == 2
    assert done.stderr.decode() == f"cg: error in the data: {message}\n"
    table = pa_csv.read_csv(io.BytesIO(done.stdout))
    assert table.column_names == HEADER
    result = np.column_stack([table.column(n).to_numpy() for n in HEADER])
    assert result.shape == (cut, 11)
    expect_rows(result, points, slice(0, cut))


def test_tsv_and_arrow_round_trip(tmp_path):
    points = random_points(1_000, seed=9)
    source = tmp_path / "points.tsv"
    source.write_text(csv_text(points).replace(",", "\t"))
    arrow_out = tmp_path / "out.arrow"
    done = run(["eval", NEURON, "--points", str(source), "--no-check", "--format", "arrow",
                "-o", str(arrow_out)])  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = ipc.open_file(str(arrow_out)).read_all()
    expect_rows(np.column_stack([c.to_numpy() for c in table.columns]), points, slice(None))
    # and the Arrow file read back as points, from a file and as a stream on stdin
    done = run(["eval", "f + 1", "--points", str(arrow_out), "--no-check", "--format", "csv",
                "--wrt", "f"])  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "column df/dw0 is not used by the program" in done.stderr.decode()
    back = pa_csv.read_csv(io.BytesIO(done.stdout))
    np.testing.assert_array_equal(back.column("f").to_numpy(), table.column("f").to_numpy())
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    done = run(["eval", "2*f", "--points", "-", "--points-format", "arrow", "--no-check",
                "--format", "csv", "--grad"], sink.getvalue().to_pybytes())  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines()[1:3] == ["2", "2"]


def test_arrow_through_a_pipe_is_the_stream_format():
    """To a pipe cg writes the Arrow IPC stream format, which cg reads as it comes."""
    first = subprocess.Popen(
        [sys.executable, "-m", "cgcli", "eval", "f = 2*x", "--points", "-", "--format", "arrow",
         "--no-check"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    second = subprocess.Popen(
        [sys.executable, "-m", "cgcli", "eval", "g = f + 1", "--points", "-", "--points-format",
         "arrow", "--format", "csv", "--no-check", "--wrt", "f"],
        stdin=first.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    first.stdin.write(b"x\n1\n2.5\n")
    first.stdin.close()
    first.stdout.close()
    out, err = second.communicate(timeout=60)
    assert (first.wait(timeout=60), second.returncode) == (0, 0)
    assert out == b"f,g,dg/df\n2,3,1\n5,6,1\n"
    assert err == (
        b"cg: warning: column x is not used by the program (--keep x carries it through)\n"
        b"cg: warning: column df/dx is not used by the program (--keep df/dx carries it through)\n"
    )


def test_arrow_owned_holds_no_python_object():
    """What pyarrow reads with its threads is its own memory: freeing it never needs the
    GIL, which a thread of pyarrow's cannot take while Python exits (apache/arrow#34314)."""
    from cgcli.data.points_io.columns import arrow_owned

    data = b"x,y\n" + b"1.5,-2\n" * 50_000
    references = sys.getrefcount(data)
    allocated = pa.total_allocated_bytes()
    buffer = arrow_owned(data)
    assert sys.getrefcount(data) == references
    assert pa.total_allocated_bytes() - allocated >= len(data)  # in pyarrow's memory pool
    assert buffer.to_pybytes() == data


@pytest.mark.parametrize(
    ("module", "text", "point_format"),
    [("text_reader", b"x\n1\n2.5\n", "csv"), ("text_reader", b'{"x": 1}\n{"x": 2.5}\n', "jsonl"),
     ("columnar_reader", None, "parquet"), ("columnar_reader", None, "arrow")],
)  # fmt: skip
def test_points_from_a_pipe_reach_pyarrow_as_its_own_memory(
    module, text, point_format, cg, monkeypatch
):
    """Every block of points read from standard input goes through arrow_owned."""
    import importlib

    reader = importlib.import_module(f"cgcli.data.points_io.{module}")
    copied = []

    def counted(data: bytes) -> pa.Buffer:
        copied.append(len(data))
        return arrow_owned(data)

    arrow_owned = reader.arrow_owned
    monkeypatch.setattr(reader, "arrow_owned", counted)
    if text is None:
        sink = pa.BufferOutputStream()
        table = pa.table({"x": [1.0, 2.5]})
        if point_format == "parquet":
            pq.write_table(table, sink)
        else:
            with ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        text = sink.getvalue().to_pybytes()
    result = cg("eval", "2*x", "--points", "-", "--points-format", point_format, "--format", "csv",
                "--no-check", input=text)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["1,2,2", "2.5,5,2"]
    assert copied and sum(copied) >= len(text) - len(b"x\n")


def test_parquet_integer_columns_are_read_only_when_exact(tmp_path, cg):
    source = tmp_path / "ints.parquet"
    pq.write_table(pa.table({"x": pa.array([1, -2, 2**53], pa.int64()),
                             "y": pa.array([3, 4, 5], pa.uint8())}), source)  # fmt: skip
    result = cg("eval", "x*y", "--points", str(source), "--format", "csv", "--no-check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "x,y,f,df/dx,df/dy",
        "1,3,3,3,1",
        "-2,4,-8,4,-2",
        "9.007199254740992e+15,5,4.503599627370496e+16,5,9.007199254740992e+15",
    ]
    pq.write_table(pa.table({"x": pa.array([1, 2**53 + 1], pa.int64())}), source)
    result = cg("eval", "x", "--points", str(source), "--format", "csv", "--no-check")
    assert result.exit_code == 2
    assert result.stdout == "x,x,dx/dx\n1,1,1\n"
    assert result.stderr == (
        "cg: error in the data: row 2, column x: 9007199254740993 is not exactly a float64 "
        "(over 2^53)\n"
    )


@pytest.mark.parametrize(
    ("column", "message"),
    [
        (
            pa.array(["1.5", "2"]),
            "row 1, column x: '1.5' is not a number (the column holds string)",
        ),
        (pa.array([True, False]), "row 1, column x: True is not a number (the column holds bool)"),
        (pa.array([1.0, float("nan")]), "row 2, column x: nan is not a finite number"),
        (pa.array([1.0, None]), "row 2, column x: the field is empty (null)"),
        (pa.array([1.0, 2.0], pa.float32()), None),
    ],
)
def test_parquet_columns_that_are_not_numbers(tmp_path, cg, column, message):
    source = tmp_path / "p.parquet"
    pq.write_table(pa.table({"x": column}), source)
    result = cg("eval", "3*x", "--points", str(source), "--format", "csv", "--no-check")
    if message is None:
        assert (result.exit_code, result.stdout) == (0, "x,f,df/dx\n1,3,3\n2,6,3\n")
    else:
        assert result.exit_code == 2
        assert result.stderr == f"cg: error in the data: {message}\n"


def test_a_file_that_is_not_parquet(tmp_path, cg):
    source = tmp_path / "p.parquet"
    source.write_text("x\n1\n")
    result = cg("eval", "x", "--points", str(source), "--no-check")
    assert result.exit_code == 2
    assert result.stderr.startswith("cg: usage error: cannot read the points as Parquet: ")


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=40))
def test_floats_round_trip_exactly(values):
    """Every float64 written is read back bit for bit: CSV, JSON Lines and Parquet."""
    from click.testing import CliRunner

    from cgcli.cli.group import cg as main

    data = "x\n" + "".join(f"{v!r}\n" for v in values)
    runner = CliRunner()
    for fmt in ("csv", "jsonl", "parquet"):
        args = ["eval", "y = x", "--points", "-", "--format", fmt, "--no-check"]
        result = runner.invoke(main, args, input=data, catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        out = result.stdout_bytes
        if fmt == "csv":
            back = [float(line.split(",")[1]) for line in out.decode().splitlines()[1:]]
        elif fmt == "jsonl":
            back = [json.loads(line)["value"] for line in out.decode().splitlines()]
        else:
            back = pq.read_table(io.BytesIO(out)).column("y").to_pylist()
        assert [v.hex() for v in map(float, back)] == [v.hex() for v in values]


def test_parquet_is_not_written_to_a_terminal(tmp_path):
    source = tmp_path / "p.csv"
    source.write_text("x\n1\n")
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cgcli", "eval", "x", "--points", str(source), "--format",
             "parquet"], stdout=follower, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert done.stderr == (
        "cg: usage error: --format parquet is binary and standard output is a terminal: "
        "give -o FILE or redirect the output\n"
    )


def test_output_file_written_whole_or_not_at_all(tmp_path, cg):
    target = tmp_path / "out.csv"
    target.write_text("old")
    result = cg("eval", "x", "--points", "-", "--format", "csv", "-o", str(target), "--no-check",
                input="x\n1\n2\nabc\n")  # fmt: skip
    assert result.exit_code == 2
    assert (result.stdout, target.read_text()) == ("", "old")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    result = cg("eval", "log(x)", "--points", "-", "--format", "csv", "-o", str(target),
                "--no-check", input="x\n1\n-1\n")  # fmt: skip
    assert result.exit_code == 3
    assert target.read_text() == "x,f,df/dx\n1,0,1\n-1,nan,nan\n"
    (tmp_path / "new.parquet").unlink(missing_ok=True)
    result = cg("eval", "x", "--points", "-", "--format", "parquet", "-o",
                str(tmp_path / "new.parquet"), "--no-check", input="x\nabc\n")  # fmt: skip
    assert result.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_binary_formats_need_distinct_column_names(cg, tmp_path):
    target = tmp_path / "out.arrow"
    result = cg("eval", "x", "--points", "-", "--format", "arrow", "-o", str(target),
                "--no-check", input="x\n1\n")  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        2, "cg: usage error: --format arrow needs distinct column names, but x is both an input "
        "and the output; give the output a name of its own (f = ...)\n",
    )  # fmt: skip
    assert not target.exists()


@pytest.mark.parametrize("fmt", ["arrow", "csv", "tsv", "table"])
def test_a_kept_column_named_like_one_cg_writes_is_refused(cg, tmp_path, fmt):
    """CSV with two columns f could not be read back, Arrow needs distinct names; JSON
    Lines (and JSON) nest the kept columns apart."""
    target = tmp_path / ("out.txt" if fmt == "table" else f"out.{fmt}")
    kept = cg("eval", "x*2", "--points", "-", "--keep", "all", "--format", fmt, "-o",
              str(target), "--no-check", input="f,x\nA,1\n")  # fmt: skip
    assert (kept.exit_code, kept.stderr) == (
        2, "cg: usage error: the result would have two columns named f: a column kept with "
        "--keep and a column cg writes; leave f out of --keep (or name the output otherwise: "
        "f = ...)\n",
    )  # fmt: skip
    lines = cg("eval", "x*2", "--points", "-", "--keep", "all", "--format", "jsonl",
               "--no-check", input="f,x\nA,1\n")  # fmt: skip
    assert (
        lines.stdout
        == '{"kept": {"f": "A"}, "inputs": {"x": 1}, "value": 2, "gradient": {"x": 2}}\n'
    )


def test_a_distinct_output_name_writes_arrow(cg, tmp_path):
    target = tmp_path / "out.arrow"
    result = cg("eval", "f = x", "--points", "-", "--format", "arrow", "-o", str(target),
                "--no-check", input="x\n1\n")  # fmt: skip
    assert result.exit_code == 0
    assert ipc.open_file(str(target)).read_all().to_pydict() == {
        "x": [1.0],
        "f": [1.0],
        "df/dx": [1.0],
    }


def test_o_and_binary_formats_need_points(cg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # were -o taken, out.csv would not land in the checkout
    result = cg("eval", "x", "x=1", "-o", "out.csv")
    assert (result.exit_code, result.stderr) == (
        2, "cg: usage error: -o is for --points; redirect the output of one point with >\n"
    )  # fmt: skip
    assert list(tmp_path.iterdir()) == []
    result = cg("eval", "x", "x=1", "--format", "parquet")
    assert (
        result.stderr
        == "cg: usage error: --format parquet needs --points (a table of many points)\n"
    )


def test_old_mac_line_ends_are_read(cg):
    """pyarrow reads CR-only line ends as line ends, so cg does too (it used to refuse them)."""
    result = cg("eval", "x*y", "--points", "-", "--format", "csv", "--no-check",
                input="x,y\r1,2\r3,4\r")  # fmt: skip
    assert (result.exit_code, result.stdout) == (0, "x,y,f,df/dx,df/dy\n1,2,2,2,1\n3,4,12,4,3\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('x,y\n1,"2\n3",4\n', "row 1: a quoted field is not closed on its line"),
        ('x,y,note\n1,2,"a\nb"\n', "row 1: a quoted field is not closed on its line"),
        ("x,y\n1,2\n3,NA\n", "row 2, column y: 'NA' is not a number"),
        ("x,y\n1,2\n\n3,1e999\n", "row 2, column y: '1e999' is not a finite number"),
    ],
)
def test_text_rows_pyarrow_would_misread(cg, data, message):
    """A quoted line end (even in an unused column), NA, an overflow: bad rows, not data."""
    result = cg("eval", "x+y", "--points", "-", "--format", "csv", "--no-check", input=data)
    assert result.exit_code == 2
    assert f"cg: error in the data: {message}" in result.stderr


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"x": 1}{"x": 2}\n', "row 1: not valid JSON (Extra data at column 9)"),
        ('{"x": 1}\n{"x"\n: 2}\n', "row 2: not valid JSON"),
        ('{"x": NaN}\n', "row 1, column x: nan is not a finite number"),
        (
            '{"x": 1, "q": "a"}\n{"x": 2, "q": 3}\n{"x": 3, "x": 4}\n',
            "row 3: the key x is given twice",
        ),
    ],
)
def test_json_lines_pyarrow_would_misread(cg, data, message):
    result = cg("eval", "x", "--points", "-", "--points-format", "jsonl", "--format", "csv",
                "--no-check", input=data)  # fmt: skip
    assert result.exit_code == 2
    assert f"cg: error in the data: {message}" in result.stderr


def test_train_reads_parquet_data(tmp_path, cg):
    x = np.arange(10, dtype=float)
    source = tmp_path / "line.parquet"
    pq.write_table(pa.table({"x": x, "y": 3 * x + 1}), source)
    csv_source = tmp_path / "line.csv"
    csv_source.write_text("x,y\n" + "".join(f"{a!r},{3 * a + 1!r}\n" for a in x.tolist()))
    args = ["w*x + b", "--target", "y", "--params", "w=0,b=0", "--lr", "0.01", "--epochs", "50",
            "--format", "json"]  # fmt: skip
    from_parquet = cg("train", *args, "--data", str(source))
    from_csv = cg("train", *args, "--data", str(csv_source))
    assert from_parquet.exit_code == 0, from_parquet.stderr
    assert json.loads(from_parquet.stdout) == json.loads(from_csv.stdout)


@pytest.mark.parametrize(
    ("source", "fmt"), [("in.csv", "csv"), ("in.parquet", "parquet"), ("in.jsonl", "json")]
)
def test_many_points_do_not_import_pandas(tmp_path, source, fmt):
    """pyarrow's to_numpy, pa.array and pa.scalar import pandas where it is installed
    (0.15 s and 40 MB): cg's points path uses Arrow's buffers instead."""
    pytest.importorskip("pandas")  # the test extras bring it (with dask)
    points = {"x": np.array([1.0, -2.0])}
    (tmp_path / "in.csv").write_text(csv_text(points))
    (tmp_path / "in.jsonl").write_text(jsonl_text(points))
    pq.write_table(pa.table(points), tmp_path / "in.parquet")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cgcli", "eval", "f = log(x)",
         "--points", str(tmp_path / source), "--format", fmt, "-o", str(tmp_path / "out")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
    assert "pyarrow" in imported
    assert "pandas" not in imported


def test_a_single_point_does_not_import_pyarrow():
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cgcli", "eval", "(x+y)*z", "x=1", "y=3",
         "z=-3"], capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()}
    assert "cgcli" in imported
    assert not imported & {"pyarrow", "polars", "pandas", "dask"}


def test_o_takes_its_format_from_the_extension(cg, tmp_path):
    points = "x\n0.1\n2\n"
    for name, read in (
        ("out.csv", lambda p: p.read_text()),
        ("out.tsv", lambda p: p.read_text()),
        ("out.jsonl", lambda p: p.read_text()),
        ("out.parquet", lambda p: pq.read_table(p).to_pydict()),
    ):
        target = tmp_path / name
        result = cg("eval", "y = x^2", "--points", "-", "-o", str(target), "--no-check",
                    input=points)  # fmt: skip
        assert result.exit_code == 0, result.stderr
        expected = {
            "out.csv": "x,y,dy/dx\n0.1,0.010000000000000002,0.2\n2,4,4\n",
            "out.tsv": "x\ty\tdy/dx\n0.1\t0.010000000000000002\t0.2\n2\t4\t4\n",
            "out.jsonl": '{"inputs": {"x": 0.1}, "value": 0.010000000000000002, "gradient": '
            '{"x": 0.2}}\n{"inputs": {"x": 2}, "value": 4, "gradient": {"x": 4}}\n',
            "out.parquet": {"x": [0.1, 2.0], "y": [0.010000000000000002, 4.0], "dy/dx": [0.2, 4.0]},
        }[name]
        assert read(target) == expected
    result = cg("eval", "y = x^2", "--points", "-", "-o", str(tmp_path / "o.parquet"),
                "--format", "csv", "--no-check", input=points)  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        2, f"cg: usage error: -o {tmp_path}/o.parquet names a parquet file, but --format csv "
        "would write csv; make them agree\n",
    )  # fmt: skip
    assert not (tmp_path / "o.parquet").exists()
    result = cg("eval", "y = x^2", "--points", "-", "-o", str(tmp_path / "o.txt"), "--no-check",
                input=points)  # fmt: skip
    assert (tmp_path / "o.txt").read_text().splitlines()[0].split() == ["x", "y", "dy/dx"]


def test_a_pattern_and_missing_columns_are_explained(cg, tmp_path):
    result = cg("eval", "x*y", "--points", str(tmp_path / "*.parquet"), "--no-check")
    assert (result.exit_code, result.stderr) == (
        2, f"cg: usage error: {tmp_path}/*.parquet is a pattern: one process reads one file; "
        "a Parquet data set of many files is read with --engine dask\n",
    )  # fmt: skip
    result = cg("eval", "x*y*a", "--points", "-", "--no-check", input="a,b\n1,2\n")
    assert (result.exit_code, result.stderr) == (
        2, "cg: usage error: the points have no column x, y (columns: a, b); give them as "
        "NAME=VALUE or add them\n",
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_binary_output_keeps_the_order_of_many_chunks(cg, tmp_path, fmt):
    """Each chunk is encoded in a thread while the next one is evaluated: order stays."""
    x = np.random.default_rng(7).normal(size=5_000)
    pq.write_table(pa.table({"x": x}), tmp_path / "in.parquet", row_group_size=1_000)
    target = tmp_path / f"out.{fmt}"
    result = cg("eval", "y = x^3 - x", "--points", str(tmp_path / "in.parquet"), "-o",
                str(target), "--chunk-rows", "37", "--no-check")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(target) if fmt == "parquet" else ipc.open_file(str(target)).read_all()
    assert table.column("x").to_pylist() == x.tolist()
    assert table.column("y").to_pylist() == (x**3 - x).tolist()
    assert table.column("dy/dx").to_pylist() == (3 * x**2 - 1).tolist()
