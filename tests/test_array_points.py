"""A points file for a program over arrays: entries as columns W[1,1], ..., each row
evaluated by the array engine, against NumPy written by hand."""

from __future__ import annotations

import csv
import json

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

from cgcli import evaluate
from cgcli.core.errors import ShapeError, UsageError

LAYER = "L = -sum(y * log(softmax(W @ x + b)))"
"""A linear layer with a bias, softmax and cross-entropy against a one-hot y."""
Y = np.array([0.0, 1.0, 0.0])


def layer_by_hand(W, x, b, y=Y):
    """The loss and its gradients (in the program's order of inputs), written out in
    NumPy: dL/ds = p - y (y sums to 1), dL/dy = -log(p)."""
    s = W @ x + b
    p = np.exp(s - s.max()) / np.exp(s - s.max()).sum()
    ds = p - y
    grads = {"y": -np.log(p), "W": np.outer(ds, x), "x": W.T @ ds, "b": ds}
    return -np.sum(y * np.log(p)), grads


def entries(name, array):
    """``{"W[1,1]": ..., ...}``: an array's entries under the names of their columns."""
    return {
        f"{name}[{','.join(str(i + 1) for i in index)}]": float(v)
        for index, v in np.ndenumerate(array)
    }


def layer_rows(n=4, seed=1):
    rng = np.random.default_rng(seed)
    return [
        (rng.uniform(-2, 2, (3, 2)), rng.uniform(-2, 2, 2), rng.uniform(-1, 1, 3)) for _ in range(n)
    ]


def write_csv(path, rows, delimiter=","):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows({k: repr(v) for k, v in row.items()} for row in rows)


def read_csv(path, delimiter=","):
    with open(path, newline="") as f:
        return [
            {k: float(v) for k, v in row.items()} for row in csv.DictReader(f, delimiter=delimiter)
        ]


def write_points(path, fmt, rows):
    if fmt in ("csv", "tsv"):
        write_csv(path, rows, "," if fmt == "csv" else "\t")
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    else:
        table = pa.Table.from_pylist(rows)
        if fmt == "parquet":
            pq.write_table(table, path)
        else:
            with ipc.new_file(str(path), table.schema) as writer:
                writer.write_table(table)


def read_result(path, fmt):
    if fmt in ("csv", "tsv"):
        return read_csv(path, "," if fmt == "csv" else "\t")
    if fmt == "jsonl":  # {"inputs": {...}, "value": L, "gradient": {...}}, flattened
        return [
            row["inputs"]
            | {"L": row["value"]}
            | {f"dL/d{k}": v for k, v in row["gradient"].items()}
            for row in map(json.loads, path.read_text().splitlines())
        ]
    table = pq.read_table(path) if fmt == "parquet" else ipc.open_file(str(path)).read_all()
    return table.to_pylist()


def expected_row(W, x, b):
    loss, grads = layer_by_hand(W, x, b)
    row = {"L": loss}
    for name, grad in grads.items():
        row |= {f"dL/d{k}": v for k, v in entries(name, grad).items()}
    return row


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "parquet", "arrow"])
def test_a_layer_with_softmax_cross_entropy_in_every_format(tmp_path, fmt):
    rows = layer_rows()
    points = tmp_path / f"points.{fmt}"
    write_points(
        points, fmt, [entries("W", W) | entries("x", x) | entries("b", b) for W, x, b in rows]
    )
    out = tmp_path / f"out.{fmt}"
    result = evaluate(LAYER, {"y": list(Y)}, points=str(points), out=str(out), digits=None)
    assert result.ok and result.rows == len(rows)
    got = read_result(out, fmt)
    assert len(got) == len(rows)
    for (W, x, b), row in zip(rows, got, strict=True):  # rows in order
        want = expected_row(W, x, b)
        assert list(row) == [*entries("W", W), *entries("x", x), *entries("b", b), *want]
        for key, value in want.items():
            assert row[key] == pytest.approx(value, rel=1e-12, abs=1e-14), key


def test_the_matrix_vector_product_on_the_command_line(cg, tmp_path):
    points = tmp_path / "points.csv"
    rows = [(np.array([[1.0, 2], [3, 4]]), np.array([0.5, -1])), (np.eye(2) * 0.3, np.ones(2))]
    write_csv(points, [entries("W", W) | entries("x", x) for W, x in rows])
    result = cg("eval", "L = sum(W @ x)", "--points", str(points), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "check: sympy on sampled rows 1, 2: all agree" in result.stderr
    got = list(csv.DictReader(result.stdout.splitlines()))
    for (W, x), row in zip(rows, got, strict=True):
        assert float(row["L"]) == pytest.approx(np.sum(W @ x))
        for key, value in entries("W", np.outer(np.ones(2), x)).items():
            assert float(row[f"dL/d{key}"]) == pytest.approx(value)
        for key, value in entries("x", W.T @ np.ones(2)).items():
            assert float(row[f"dL/d{key}"]) == pytest.approx(value)


def test_a_vector_on_the_command_line_beside_a_matrix_from_the_points(cg, tmp_path):
    points = tmp_path / "points.csv"
    W = np.array([[0.5, -1], [2, 0.1], [0, 1]])
    write_csv(points, [{"id": 7.0} | entries("W", W)])
    result = cg(
        "eval", "L = sum(tanh(W @ x))", "x=[1,-2]", "--points", str(points),
        "--format", "csv", "--keep", "id", "--no-check",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(result.stdout.splitlines())
    x = np.array([1.0, -2])
    t = np.tanh(W @ x)
    assert next(iter(row)) == "id" and float(row["id"]) == 7
    assert float(row["L"]) == pytest.approx(t.sum())
    dW = np.outer(1 - t**2, x)
    for key, value in entries("W", dW).items():
        assert float(row[f"dL/d{key}"]) == pytest.approx(value, rel=1e-5)
    for key, value in entries("x", W.T @ (1 - t**2)).items():
        assert float(row[f"dL/d{key}"]) == pytest.approx(value, rel=1e-5)
    assert "x[1]" not in row  # a value from the command line is not a column


def test_a_math_error_makes_its_row_nan_and_the_others_are_written(cg, tmp_path):
    points = tmp_path / "points.csv"
    write_csv(points, [{"x[1]": 1.0, "x[2]": 2.0}, {"x[1]": -1.0, "x[2]": 2.0}])
    result = cg("eval", "L = sum(log(x))", "--points", str(points), "--format", "csv")
    assert result.exit_code == 3
    first, second = csv.DictReader(result.stdout.splitlines())
    assert float(first["L"]) == pytest.approx(np.log(2))
    assert float(first["dL/dx[2]"]) == pytest.approx(0.5)
    assert second["L"] == "nan"
    assert "row 2:" in result.stderr and "1 of 2 rows had a math error" in result.stderr


def test_a_name_only_ever_indexed_stays_a_sequence_beside_arrays(cg, tmp_path):
    """x is read whole (an array, from x[1], x[2]); y only as y[1], y[2] (a sequence: each
    element its own input), as docs/vectors.md states."""
    points = tmp_path / "points.csv"
    row = entries("W", np.array([[1.0, 2], [3, 4]])) | entries("x", np.array([0.5, -1]))
    write_csv(points, [row | {"y[1]": 2.0, "y[2]": 3.0}])
    result = cg("eval", "L = sum(W @ x) + y[1] * y[2]", "--points", str(points), "--format", "csv")
    assert result.exit_code == 0, result.output
    (got,) = csv.DictReader(result.stdout.splitlines())
    assert float(got["L"]) == pytest.approx(-4 + 6)
    assert (float(got["dL/dy[1]"]), float(got["dL/dy[2]"])) == (3, 2)
    assert (float(got["dL/dx[1]"]), float(got["dL/dx[2]"])) == (4, 6)


def test_rows_of_a_name_only_ever_indexed_say_how_to_read_them_from_entries(cg, tmp_path):
    """``r = W[2]`` reads a row of a name only ever indexed: each row would be a column of
    its own (W[2]); the error says to use W whole, and that program reads the entries."""
    points = tmp_path / "points.csv"
    write_csv(points, [entries("W", np.array([[1.0, 2], [3, 4]]))])
    result = cg("eval", "r = W[2]; L = sum(r*r)", "--points", str(points))
    assert result.exit_code == 2
    assert result.stderr == (
        "cg: usage error: the points have no column W[2] (columns: W[1,1], W[1,2], W[2,1], "
        "W[2,2]); give it as NAME=VALUE or add it; the columns W[i,j] are read for a name "
        "the program uses whole: write R = W and read the rows of R, R[2]\n"
    )
    whole = cg("eval", "R = W; r = R[2]; L = sum(r*r)", "--points", str(points), "--format",
               "csv")  # fmt: skip
    (row,) = csv.DictReader(whole.stdout.splitlines())
    # L = 3² + 4² = 25; ∂L/∂W[2,j] = 2·W[2,j], and the first row is not read
    assert (whole.exit_code, float(row["L"])) == (0, 25)
    assert [float(row[f"dL/dW[{i},{j}]"]) for i in (1, 2) for j in (1, 2)] == [0, 0, 6, 8]


def run_on(tmp_path, header, program="L = sum(W @ x)", values=None, **options):
    points = tmp_path / "points.csv"
    write_csv(points, [dict.fromkeys(header, 1.0)])
    return evaluate(
        program, values or {}, points=str(points), out=str(tmp_path / "out.csv"), **options
    )


@pytest.mark.parametrize(
    "header, message",
    [
        (["W[1,1]", "W[1,2]", "W[2,1]", "x[1]", "x[2]"], r"no column W\[2,2\]"),
        (["W[1,1]", "W[1,2]", "W[2,2]", "x[1]", "x[2]"], r"no column W\[2,1\]"),
        (["W[0,1]", "W[1,1]", "x[1]"], r"column W\[0,1\] is outside any shape"),
        (["W[1,1]", "W[1]", "x[1]"], r"column W\[1\] has 1 indexes"),
        (["W[1,1]", "W[1,2]", "W[2,1]", "W[2,2]"], "no column x"),
        (["W", "W[1,1]", "x[1]"], "W is both a column and the entries"),
    ],
)
def test_entries_that_do_not_make_an_array_name_their_column(tmp_path, header, message):
    with pytest.raises(UsageError, match=message):
        run_on(tmp_path, header)
    assert not (tmp_path / "out.csv").exists()


def test_entries_past_the_shape_are_missing_entries_of_a_bigger_one(tmp_path):
    header = ["W[1,1]", "W[1,2]", "W[2,1]", "W[2,2]", "W[3,3]", "x[1]", "x[2]"]
    with pytest.raises(UsageError, match=r"no column W\[1,3\].*imply the shape 3×3"):
        run_on(tmp_path, header)


def test_shapes_that_do_not_fit_are_refused_before_any_row(tmp_path):
    header = ["W[1,1]", "W[1,2]", "W[2,1]", "W[2,2]", "x[1]", "x[2]", "x[3]"]
    with pytest.raises(ShapeError, match=r"2×2.*3"):
        run_on(tmp_path, header)


def test_a_value_given_twice_is_refused(tmp_path):
    header = ["W[1,1]", "W[1,2]", "W[2,1]", "W[2,2]", "x[1]", "x[2]"]
    with pytest.raises(UsageError, match="x is both a column of the points and a NAME=VALUE"):
        run_on(tmp_path, header, values={"x": [1, 2]})


def test_check_all_and_dask_say_what_they_take(tmp_path):
    header = ["W[1,1]", "W[1,2]", "W[2,1]", "W[2,2]", "x[1]", "x[2]"]
    with pytest.raises(UsageError, match="--check all screens scalar programs"):
        run_on(tmp_path, header, check="all")
    with pytest.raises(UsageError, match="--engine dask evaluates scalar programs"):
        run_on(tmp_path, header, engine="dask")


def test_wrt_and_grad_only_pick_gradient_columns(tmp_path):
    header = ["W[1,1]", "W[1,2]", "W[2,1]", "W[2,2]", "x[1]", "x[2]"]
    run_on(tmp_path, header, wrt=["x"], grad_only=True, check=False)
    (row,) = read_csv(tmp_path / "out.csv")
    assert row == {"dL/dx[1]": 2.0, "dL/dx[2]": 2.0}


def test_an_unquoted_entry_column_in_csv_says_to_quote_it(cg, tmp_path):
    """W[1,1] unquoted in a CSV header is split at its comma: the error says so (not that
    the header repeats "1]")."""
    points = tmp_path / "pts.csv"
    points.write_text("W[1,1],W[1,2],W[2,1],W[2,2]\n1,2,3,4\n", "utf-8")
    result = cg("eval", "L = sum(W @ x)", "x=[1,2]", "--points", str(points))
    assert result.exit_code == 2
    assert 'quote a name that holds a comma, as "W[1,1]"' in result.stderr
    assert "repeats" not in result.stderr


def test_a_column_named_like_a_computed_node_is_said_to_be_computed(cg, tmp_path):
    points = tmp_path / "points.csv"
    W, x = np.array([[1.0, 2], [3, 4]]), np.array([0.5, -1])
    write_csv(points, [entries("W", W) | entries("x", x) | {"L": 99.0, "note": 1.0}])
    result = cg("eval", "L = sum(W @ x)", "--points", str(points), "--format", "csv", "--no-check")
    assert result.exit_code == 0, result.output
    assert float(next(csv.DictReader(result.stdout.splitlines()))["L"]) == np.sum(W @ x)
    assert result.stderr.splitlines() == [
        "cg: warning: column L is computed by the program, not an input "
        "(--keep L carries it through)",
        "cg: warning: column note is not used by the program (--keep note carries it through)",
    ]
