"""Many points: CSV/TSV/JSON Lines in, vectorised evaluation, streaming, bad rows."""

from __future__ import annotations

import csv
import io
import json
import os
import select
import subprocess
import sys

import numpy as np
import pytest

from cgcli import evaluate

NEURON = "sigmoid(w0*x0 + w1*x1 + w2)"


def neuron_by_hand(w0, x0, w1, x1, w2):
    """The neuron's value and gradient, written out independently in numpy."""
    s = 1 / (1 + np.exp(-(w0 * x0 + w1 * x1 + w2)))
    ds = s * (1 - s)
    return s, {"w0": ds * x0, "x0": ds * w0, "w1": ds * x1, "x1": ds * w1, "w2": ds}


def random_points(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {name: rng.uniform(-3, 3, n) for name in ["w0", "x0", "w1", "x1", "w2"]}


def as_csv(points: dict[str, np.ndarray], delimiter: str = ",") -> str:
    names = list(points)
    rows = [delimiter.join(names)]
    rows += [
        delimiter.join(repr(float(points[n][i])) for n in names)
        for i in range(len(points[names[0]]))
    ]
    return "\n".join(rows) + "\n"


def read_csv(text: str, delimiter: str = ",") -> tuple[list[str], np.ndarray]:
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return rows[0], np.array(rows[1:], dtype=float)


@pytest.mark.parametrize("chunk_rows", ["7", "10000"])
def test_csv_points_match_numpy(cg, chunk_rows):
    points = random_points(50)
    result = cg(
        "eval",
        NEURON,
        "--points",
        "-",
        "--format",
        "csv",
        "--chunk-rows",
        chunk_rows,
        input=as_csv(points),
    )
    assert result.exit_code == 0, result.stderr
    header, table = read_csv(result.stdout)
    assert header == [
        "w0",
        "x0",
        "w1",
        "x1",
        "w2",
        "f",
        "df/dw0",
        "df/dx0",
        "df/dw1",
        "df/dx1",
        "df/dw2",
    ]
    value, grads = neuron_by_hand(**points)
    np.testing.assert_allclose(table[:, 5], value, rtol=1e-14)
    for j, name in enumerate(["w0", "x0", "w1", "x1", "w2"]):
        np.testing.assert_array_equal(table[:, j], points[name])
        np.testing.assert_allclose(table[:, 6 + j], grads[name], rtol=1e-12, atol=1e-15)
    assert "cg: check: sympy on sampled rows 1, " in result.stderr
    assert "all agree" in result.stderr


def test_tsv_and_constants(cg):
    points = {"x0": np.array([1.0, -2.0]), "x1": np.array([0.5, 3.0])}
    result = cg(
        "eval",
        NEURON,
        "w0=2",
        "w1=-3",
        "w2=-3",
        "--points",
        "-",
        "--points-format",
        "tsv",
        "--format",
        "tsv",
        input=as_csv(points, "\t"),
    )
    assert result.exit_code == 0, result.stderr
    header, table = read_csv(result.stdout, "\t")
    assert header == ["x0", "x1", "f", "df/dw0", "df/dx0", "df/dw1", "df/dx1", "df/dw2"]
    value, grads = neuron_by_hand(2.0, points["x0"], -3.0, points["x1"], -3.0)
    np.testing.assert_allclose(table[:, 2], value, rtol=1e-14)
    np.testing.assert_allclose(table[:, 3], grads["w0"], rtol=1e-12)


def test_json_lines_in_and_out(cg):
    lines = '{"x": 1, "y": 2}\n{"y": 0.5, "x": -1, "note": "extra"}\n'
    result = cg(
        "eval",
        "x*y + x",
        "--points",
        "-",
        "--points-format",
        "jsonl",
        "--format",
        "jsonl",
        input=lines,
    )
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [
        {"inputs": {"x": 1.0, "y": 2.0}, "value": 3.0, "gradient": {"x": 3.0, "y": 1.0}},
        {"inputs": {"x": -1.0, "y": 0.5}, "value": -1.5, "gradient": {"x": 1.5, "y": -1.0}},
    ]


def test_json_array_output_and_wrt(cg, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"x": 2, "y": 3}\n', encoding="utf-8")
    result = cg("eval", "x*y", "--points", str(path), "--format", "json", "--wrt", "y")
    assert json.loads(result.stdout) == [
        {"inputs": {"x": 2.0, "y": 3.0}, "value": 6.0, "gradient": {"y": 2.0}}
    ]


def test_grad_only(cg):
    result = cg("eval", "x*y", "--points", "-", "--format", "csv", "--grad", input="x,y\n2,3\n")
    assert result.stdout == "df/dx,df/dy\n3,2\n"


def test_header_only_gives_only_a_header(cg):
    result = cg("eval", "x*y", "--points", "-", "--format", "csv", input="x,y\n")
    assert (result.stdout, result.exit_code) == ("x,y,f,df/dx,df/dy\n", 0)


def test_unused_and_missing_columns(cg):
    result = cg("eval", "x*y", "--points", "-", "--format", "csv", input="x,y,id\n1,2,7\n")
    assert result.stdout == "x,y,f,df/dx,df/dy\n1,2,2,2,1\n"
    assert "cg: warning: column id is not used by the program" in result.stderr
    result = cg("eval", "x*y*z", "--points", "-", "--format", "csv", input="x,y\n1,2\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("cg: usage error: the points have no column z (columns: x, y)")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("x,y\n1,2\n3,abc\n5,6\n", "row 2, column y: 'abc' is not a number"),
        ("x,y\n1,2\n3\n5,6\n", "row 2: too few fields (1, but the header has 2: x, y)"),
        ("x,y\n1,2\n3,\n", "row 2, column y: the field is empty"),
        ("x,y\n1,2\n3,nan\n", "row 2, column y: 'nan' is not a finite number"),
    ],
)
@pytest.mark.parametrize("chunk_rows", ["1", "100"])
def test_bad_rows_stop_after_writing_the_rows_before(cg, data, message, chunk_rows):
    result = cg(
        "eval", "x+y", "--points", "-", "--format", "csv", "--chunk-rows", chunk_rows, input=data
    )
    assert result.exit_code == 2
    assert result.stdout == "x,y,f,df/dx,df/dy\n1,2,3,1,1\n"
    assert result.stderr.endswith(f"cg: error in the data: {message}\n")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"x": "1"}', 'row 2, column x: "1" is not a number'),
        ('{"y": 1}', "row 2, column x: missing"),
        ("[1]", "row 2: expected a JSON object"),
        ("{x: 1}", "row 2: not valid JSON"),
    ],
)
def test_bad_json_lines(cg, line, message):
    data = '{"x": 1}\n' + line + "\n"
    result = cg(
        "eval", "2*x", "--points", "-", "--points-format", "jsonl", "--format", "csv", input=data
    )
    assert result.exit_code == 2
    assert result.stdout == "x,f,df/dx\n1,2,2\n"
    assert f"cg: error in the data: {message}" in result.stderr


def test_math_error_in_one_row(cg):
    result = cg(
        "eval", "log(x) * y", "--points", "-", "--format", "csv", input="x,y\n1,3\n-2,1\n3,4\n"
    )
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[2] == "-2,1,nan,nan,nan"
    assert lines[3] == "3,4,4.394449154672439,1.3333333333333333,1.0986122886681098"
    assert (
        "cg: warning: row 2: math error: 1:1: node v1 = log(x): log of a negative number in log(-2)"
    ) in result.stderr
    assert "cg: warning: 1 of 3 rows had a math error; their values are nan" in result.stderr


def test_a_row_whose_gradient_overflows_is_a_math_error_row(cg):
    """1/x at 1e-200 is 1e200, but its derivative -1e400 is beyond float64: that row is a
    math error, as one point is; √ at 0 keeps its infinite derivative (by mathematics)."""
    result = cg(
        "eval", "1/x + sqrt(y)", "--points", "-", "--format", "csv",
        input="x,y\n1e-200,1\n2,0\n",
    )  # fmt: skip
    assert result.exit_code == 3
    # row 2 by hand: 1/2 + 0 = 0.5; ∂/∂x = -1/4; ∂/∂y = 1/(2·√0) = inf
    assert result.stdout.splitlines()[1:] == ["1e-200,1,nan,nan,nan", "2,0,0.5,-0.25,inf"]
    assert (
        "cg: warning: row 1: math error: 1:1: node v1 = 1/x: local derivative overflows a "
        "float64 in div(1, 1e-200)"
    ) in result.stderr
    assert "cg: warning: 1 of 2 rows had a math error; their values are nan" in result.stderr


def test_an_upstream_zero_times_a_derivative_beyond_float64_is_zero_as_for_one_point(cg):
    """(1/x)·0: its upstream gradient 0 meets 1/x's derivative -1e400 at x = 1e-200. One
    point never computes that derivative (∂f/∂x = 1/(2√x) = 5e99); whole columns give
    0 · inf = nan, and such a row takes the scalar passes' gradient instead."""
    result = cg("eval", "sqrt(x) + 1/x*0", "--points", "-", "--format", "csv",
                input="x\n4\n1e-200\n")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["4,2,0.25", "1e-200,1e-100,5e+99"]
    arrays = evaluate("L = sum(sqrt(x) + 1/x*0)", {"x": [1e-200, 4]})
    assert arrays.gradient["x"].tolist() == [5e99, 0.25] and arrays.ok


def test_check_all_by_finite_differences(cg):
    points = random_points(30, seed=3)
    result = cg(
        "eval", NEURON, "--points", "-", "--format", "csv", "--check", "all", input=as_csv(points)
    )
    assert result.exit_code == 0
    assert (
        "cg: check: finite differences on every row: 150 gradients agree, 0 disagree"
        in result.stderr
    )


def test_check_all_flags_a_wrong_gradient(cg, monkeypatch):
    from cgcli.core import ops

    wrong = ops.Op("sin", 1, np.sin, lambda a, o: (2 * np.cos(a),), lambda s, a: s.sin(a))
    monkeypatch.setitem(ops.FUNCTIONS, "sin", wrong)
    result = cg(
        "eval", "sin(x)", "--points", "-", "--format", "csv", "--check", "all", input="x\n0.5\n1\n"
    )
    assert result.exit_code == 1
    assert "cg: check: row 1: ∂f/∂x = " in result.stderr


def test_check_sample_flags_a_wrong_gradient(cg, monkeypatch):
    from cgcli.core import ops

    wrong = ops.Op("sin", 1, np.sin, lambda a, o: (2 * np.cos(a),), lambda s, a: s.sin(a))
    monkeypatch.setitem(ops.FUNCTIONS, "sin", wrong)
    result = cg("eval", "sin(x)", "--points", "-", "--format", "csv", input="x\n0.5\n1\n")
    assert result.exit_code == 1
    assert "rows 1, 2 disagree" in result.stderr


@pytest.mark.parametrize(
    ("program", "points"),
    [("((1+x)-1)*1e20", "x\n1e-17\n"), ("L = sum(((1+x)-1)*1e20)", "x[1],x[2]\n1e-17,0\n")],
)
def test_a_sample_check_out_of_time_says_nothing_was_checked(cg, stepping_clock, program, points):
    """Not "all agree": with its budget run out, the check of the sampled row (which
    disagrees when it has the time: the float64 cancellation is 1e3 off) decided nothing."""
    args = ["eval", program, "--points", "-", "--format", "csv"]
    out_of_time = cg(*args, "--check-timeout", "0.5", input=points)
    assert out_of_time.exit_code == 0, out_of_time.stderr
    assert "on sampled rows 1: nothing checked" in out_of_time.stderr
    stepping_clock.step = 1e-9
    in_time = cg(*args, input=points)
    assert in_time.exit_code == 1 and "rows 1 disagree" in in_time.stderr


def test_the_sampled_rows_line_names_rows_unchecked_and_disagreeing():
    from cgcli.core.verdicts import CheckReport, Verdict, sampled_rows_line

    right, wrong, none = Verdict("ok"), Verdict("mismatch"), Verdict("unchecked")
    checked = [("1", CheckReport("sympy", right, (right,))),
               ("7", CheckReport("sympy", none, (none,))),
               ("9", CheckReport("sympy", none, (none,)))]  # fmt: skip
    assert sampled_rows_line(checked) == (
        "check: sympy on sampled rows 1, 7, 9: all agree; rows 7, 9 not checked"
    )
    assert sampled_rows_line(checked[1:]) == "check: sympy on sampled rows 7, 9: nothing checked"
    checked[0] = ("1", CheckReport("sympy", right, (right,), "the first row's note"))
    checked[2] = ("9", CheckReport("sympy", right, (wrong,)))
    assert sampled_rows_line(checked, numbered=False) == (
        "check: sympy on sampled rows 1, 7, 9: 9 disagree; the first row's note"
    )


def test_no_check_with_points(cg):
    result = cg("eval", "x", "--points", "-", "--format", "csv", "--no-check", input="x\n1\n")
    assert (result.exit_code, result.stderr) == (0, "")


def test_formats_for_one_point_only_are_refused(cg):
    result = cg("eval", "x", "--points", "-", "--format", "markdown", input="x\n1\n")
    assert result.exit_code == 2
    result = cg("eval", "x", "x=1", "--format", "jsonl")
    assert result.exit_code == 2


def test_output_starts_before_input_ends():
    """With the input still open, the first chunk's rows are already on stdout."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cgcli",
            "eval",
            "2*x",
            "--points",
            "-",
            "--format",
            "csv",
            "--chunk-rows",
            "2",
            "--no-check",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        process.stdin.write(b"x\n1\n2\n")
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], 20)
        assert ready, "no output while the input was still open"
        first = process.stdout.readline()
        assert first == b"x,f,df/dx\n"
    finally:
        process.stdin.close()
        rest = process.stdout.read()
        process.wait(timeout=20)
    assert rest == b"1,2,2\n2,4,2\n"


def test_large_input_formatted_by_two_threads(cg):
    """Chunks of 10,000 rows or more are formatted in two slices at once; the order is kept."""
    points = random_points(25_000, seed=7)
    result = cg(
        "eval",
        NEURON,
        "--points",
        "-",
        "--format",
        "csv",
        "--no-check",
        "--chunk-rows",
        "12000",
        input=as_csv(points),
    )
    assert result.exit_code == 0, result.stderr
    _, table = read_csv(result.stdout)
    assert table.shape == (25_000, 11)
    value, grads = neuron_by_hand(**points)
    np.testing.assert_array_equal(table[:, 0], points["w0"])
    np.testing.assert_allclose(table[:, 5], value, rtol=1e-14)
    np.testing.assert_allclose(table[:, 10], grads["w2"], rtol=1e-12, atol=1e-15)


def _indexed_rows(n: int) -> str:
    """CSV with a row number in column i and a value in x: the output must line up."""
    return "i,x\n" + "".join(f"{r},{(r * 7919) % 1000 / 100}\n" for r in range(n))


def _assert_rows_in_order(stdout: str, n: int) -> None:
    _, table = read_csv(stdout)
    assert table.shape == (n, 5)
    np.testing.assert_array_equal(table[:, 0], np.arange(n))
    x = (np.arange(n) * 7919) % 1000 / 100
    np.testing.assert_array_equal(table[:, 1], x)
    np.testing.assert_array_equal(table[:, 2], x * x + table[:, 0])


@pytest.mark.parametrize(
    ("rows", "chunk_rows", "block_bytes"),
    [(1_000, 3, 64), (1_001, 7, 1 << 22), (60_000, 5_000, 10_000), (61_234, 6_000, 1 << 16)],
)
def test_rows_keep_their_order_whatever_the_chunking(
    cg, monkeypatch, rows, chunk_rows, block_bytes
):
    """Every chunking of rows, and byte blocks from a few lines to all of them."""
    from cgcli.data.points_io import blocks

    monkeypatch.setattr(blocks, "BLOCK_BYTES", block_bytes)
    result = cg(
        "eval", "i + x*x", "--points", "-", "--format", "csv", "--no-check",
        "--chunk-rows", str(chunk_rows), input=_indexed_rows(rows),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    _assert_rows_in_order(result.stdout, rows)


def test_many_rows_to_a_slow_reader_keep_their_order(tmp_path):
    """300,000 rows through the installed command, read slowly: 30 chunks of 10,000, each
    formatted by two threads, megabytes against a pipe of 64 KB (10^6 rows in the default
    chunks of 100,000 took 12 s, with fewer chunks to keep in order)."""
    import time

    n = 300_000
    data = tmp_path / "points.csv"
    data.write_text(_indexed_rows(n))
    process = subprocess.Popen(
        [sys.executable, "-m", "cgcli", "eval", "i + x*x", "--points", str(data),
         "--format", "csv", "--no-check", "--chunk-rows", "10000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    pieces = []
    for _ in range(20):  # a slow consumer at first: the writer must wait, not reorder
        pieces.append(process.stdout.read(4096))
        time.sleep(0.05)
    pieces.append(process.stdout.read())
    assert process.wait(timeout=120) == 0, process.stderr.read()
    _assert_rows_in_order(b"".join(pieces).decode(), n)


def test_a_column_the_program_computes_is_said_to_be_computed(cg, tmp_path):
    """A column named like a node the program computes is no input: the warning says so
    (for many points, and for the Dask engine's check of the same names)."""
    from cgcli.data.dask_engine import _name_warnings
    from cgcli.passes.compiled import compile

    points = tmp_path / "p.csv"
    points.write_text("x,y,f,h,w\n1,2,30,40,50\n", encoding="utf-8")
    program = "h[1] = x; h[2] = h[1]*y; f = h[2]"
    result = cg("eval", program, "--points", str(points), "--format", "csv", "--no-check")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == "1,2,2,2,1"  # f = x*y at (1, 2): 30, 40, 50 unused
    expected = [
        "column f is computed by the program, not an input (--keep f carries it through)",
        "column h is a sequence the program computes (h[...] = ...), not an input "
        "(--keep h carries it through)",
        "column w is not used by the program (--keep w carries it through)",
    ]
    assert result.stderr.splitlines() == [f"cg: warning: {line}" for line in expected]
    compiled = compile(program, wrt=["x", "y"])
    assert _name_warnings(compiled, ["x", "y", "f", "h", "w"], {}, []) == expected
