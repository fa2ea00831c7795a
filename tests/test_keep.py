"""--keep: columns the program does not use carried through to the result, as they are,
first in each row, in every output format, in chunks, and on the Dask engine."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

POINTS = 'id,x,label,y\n007,1,"hi, there",2\nb2,3,"say ""no""",-1\n,0.5,,4\n'
"""An id with a leading zero, a label with a comma and quotes, empty fields."""


@pytest.fixture
def points(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(POINTS, encoding="utf-8")
    return path


def run(cg, *args, input=None):
    result = cg("eval", "x*y", *args, "--no-check", input=input)
    assert result.exit_code == 0, result.stderr
    return result


def test_csv_keeps_each_field_as_written(cg, points):
    result = run(cg, "--points", str(points), "--keep", "id,label", "--format", "csv")
    assert result.stdout == (
        "id,label,x,y,f,df/dx,df/dy\n"
        '007,"hi, there",1,2,2,2,1\n'
        'b2,"say ""no""",3,-1,-3,-1,3\n'
        ",,0.5,4,2,4,0.5\n"
    )
    assert result.stderr == ""


def test_the_order_is_the_one_given_and_all_is_the_file_s(cg, points):
    given = run(cg, "--points", str(points), "--keep", "label,id", "--format", "csv")
    assert given.stdout.splitlines()[0] == "label,id,x,y,f,df/dx,df/dy"
    every = run(cg, "--points", str(points), "--keep", "all", "--format", "csv")
    assert every.stdout.splitlines()[0] == "id,label,x,y,f,df/dx,df/dy"
    used = run(cg, "--points", str(points), "--keep", "x,id", "--format", "csv")
    assert used.stdout.splitlines()[0] == "id,x,y,f,df/dx,df/dy"  # x is there already
    assert used.stderr == (
        "cg: warning: column label is not used by the program (--keep label carries it through)\n"
    )


def test_every_text_format_carries_them(cg, points):
    args = ["--points", str(points), "--keep", "id,label"]
    tsv = run(cg, *args, "--format", "tsv").stdout.splitlines()
    assert tsv[1] == "007\thi, there\t1\t2\t2\t2\t1"
    rows = [json.loads(line) for line in run(cg, *args, "--format", "jsonl").stdout.splitlines()]
    assert [row["kept"] for row in rows] == [
        {"id": "007", "label": "hi, there"},
        {"id": "b2", "label": 'say "no"'},
        {"id": "", "label": ""},
    ]
    assert rows[0] == {"kept": {"id": "007", "label": "hi, there"}, "inputs": {"x": 1, "y": 2},
                       "value": 2, "gradient": {"x": 2, "y": 1}}  # fmt: skip
    array = json.loads(run(cg, *args, "--format", "json").stdout)
    assert array == rows
    table = run(cg, *args, "--format", "table").stdout.splitlines()
    assert table[0].split() == ["id", "label", "x", "y", "f", "df/dx", "df/dy"]
    assert table[1].split() == ["007", "hi,", "there", "1", "2", "2", "2", "1"]
    grad = run(cg, *args, "--grad", "--format", "csv").stdout.splitlines()
    assert grad[:2] == ["id,label,df/dx,df/dy", '007,"hi, there",2,1']


@pytest.mark.parametrize("suffix", ["parquet", "arrow"])
def test_binary_formats_keep_the_text_of_csv_and_the_types_of_parquet(cg, points, tmp_path, suffix):
    out = tmp_path / f"out.{suffix}"
    run(cg, "--points", str(points), "--keep", "id,label", "-o", str(out))
    table = pq.read_table(out) if suffix == "parquet" else ipc.open_file(out).read_all()
    assert table.column_names == ["id", "label", "x", "y", "f", "df/dx", "df/dy"]
    assert table.schema.field("id").type == pa.string()
    assert table.column("id").to_pylist() == ["007", "b2", ""]
    assert table.column("label").to_pylist() == ["hi, there", 'say "no"', ""]
    typed = tmp_path / "typed.parquet"
    pq.write_table(pa.table({"id": pa.array([10, 11], pa.int64()), "x": [1.0, 2.0],
                             "y": [3.0, 4.0], "ok": [True, None]}), typed)  # fmt: skip
    again = tmp_path / f"again.{suffix}"
    run(cg, "--points", str(typed), "--keep", "all", "-o", str(again))
    table = pq.read_table(again) if suffix == "parquet" else ipc.open_file(again).read_all()
    assert table.schema.field("id").type == pa.int64()
    assert table.schema.field("ok").type == pa.bool_()
    assert table.column("ok").to_pylist() == [True, None]
    csv = run(cg, "--points", str(typed), "--keep", "all", "--format", "csv").stdout
    assert csv.splitlines()[:3] == ["id,ok,x,y,f,df/dx,df/dy", "10,true,1,3,3,3,1", "11,,2,4,8,4,2"]


def test_the_table_shows_control_characters_the_data_formats_keep_them(cg, tmp_path):
    """A kept ESC, or a BEL in a column's name, would act on the terminal that shows the
    table: they are shown as ␛ and ␇ there; CSV keeps them, as data."""
    path = tmp_path / "points.csv"
    path.write_text('"i\x07d",x\n"\x1b[31mRED",1\n', encoding="utf-8")
    table = cg("eval", "x^2", "--points", str(path), "--keep", "all", "--no-check").stdout
    assert table.splitlines() == ["     i␇d  x  f  df/dx", "␛[31mRED  1  1      2"]
    csv = cg("eval", "x^2", "--points", str(path), "--keep", "all", "--no-check", "--format",
             "csv").stdout  # fmt: skip
    assert csv.splitlines() == ["i\x07d,x,f,df/dx", "\x1b[31mRED,1,1,2"]


def test_json_lines_keep_their_json_values(cg, tmp_path):
    path = tmp_path / "points.jsonl"
    path.write_text('{"id": 7, "x": 1, "y": 2, "meta": {"k": [1, 2]}}\n'
                    '{"id": 8, "x": 3, "y": -1}\n', encoding="utf-8")  # fmt: skip
    rows = run(cg, "--points", str(path), "--keep", "all", "--format", "jsonl").stdout
    assert [json.loads(line)["kept"] for line in rows.splitlines()] == [
        {"id": 7, "meta": {"k": [1, 2]}},
        {"id": 8, "meta": None},
    ]
    csv = run(cg, "--points", str(path), "--keep", "id,meta", "--format", "csv").stdout
    assert csv.splitlines()[1:] == ['7,"{""k"": [1, 2]}",1,2,2,2,1', "8,,3,-1,-3,-1,3"]


def test_kept_rows_stay_with_their_numbers_across_chunks_and_up_to_a_bad_row(cg, tmp_path):
    lines = ["id,x"] + [f"r{i},{i}" for i in range(1, 8)] + ["bad,oops"] + ["r9,9"]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cg("eval", "2*x", "--points", str(path), "--keep", "id", "--format", "csv",
                "--chunk-rows", "3", "--no-check")  # fmt: skip
    assert result.exit_code == 2
    assert result.stdout.splitlines() == ["id,x,f,df/dx"] + [
        f"r{i},{i},{2 * i},2" for i in range(1, 8)
    ]
    assert "row 8, column x" in result.stderr


def test_many_chunks_of_a_large_file_stay_aligned(cg, tmp_path):
    rows = 2500
    path = tmp_path / "large.parquet"
    pq.write_table(pa.table({"id": [f"p{i}" for i in range(rows)],
                             "x": [float(i) for i in range(rows)]}), path)  # fmt: skip
    out = tmp_path / "large.csv"
    result = cg("eval", "x*x", "--points", str(path), "--keep", "id", "--chunk-rows", "700",
                "-o", str(out), "--no-check")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    written = out.read_text().splitlines()[1:]
    assert written == [f"p{i},{i},{i * i},{2 * i}" for i in range(rows)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--keep", "nope,id"], "--keep nope: no such column in the points (columns: id, x, "
                                "label, y)"),
        (["--keep", ","], "--keep: name at least one column, such as --keep id (or all)"),
    ],
)  # fmt: skip
def test_keep_mistakes(cg, points, args, message):
    result = cg("eval", "x*y", "--points", str(points), *args, "--no-check")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(f"cg: usage error: {message}\n")


def test_keep_is_for_many_points(cg):
    result = cg("eval", "x*y", "x=1", "y=2", "--keep", "id")
    assert (result.exit_code, result.stderr) == (
        2,
        "cg: usage error: --keep is for --points: it carries columns of the points through\n",
    )


def test_the_library_keeps_them_too(points, tmp_path):
    from cgcli import evaluate

    out = tmp_path / "out.csv"
    evaluate("x*y", points=str(points), out=str(out), keep=["label"], check=False)
    assert out.read_text().splitlines()[1] == '"hi, there",1,2,2,2,1'


def test_a_dask_partition_keeps_them_in_its_types(tmp_path):
    """The worker's own function, as a Dask worker runs it on one partition."""
    from cgcli.data.dask_engine import evaluate_partition
    from cgcli.data.points_io import RowLayout
    from cgcli.passes.compiled import compile

    source = tmp_path / "part.parquet"
    pq.write_table(pa.table({"id": pa.array([3, 4], pa.int32()), "x": [1.5, 2.0],
                             "tag": ["a", None]}), source)  # fmt: skip
    program = compile("2*x", variables=["x"])
    layout = RowLayout(["x"], program.output, program.wrt, kept=("tag", "id"))
    target = tmp_path / "part.0.parquet"
    report = evaluate_partition(
        str(source), str(target), program=program, constants={}, layout=layout, batch_rows=1
    )
    assert (report.rows, report.error) == (2, None)
    table = pq.read_table(target)
    assert table.column_names == ["tag", "id", "x", "f", "df/dx"]
    assert table.schema.field("id").type == pa.int32()
    assert table.to_pylist() == [
        {"tag": "a", "id": 3, "x": 1.5, "f": 3.0, "df/dx": 2.0},
        {"tag": None, "id": 4, "x": 2.0, "f": 4.0, "df/dx": 2.0},
    ]


def test_the_dask_engine_checks_the_names_before_starting_a_cluster(tmp_path):
    pytest.importorskip("distributed")
    from cgcli import evaluate
    from cgcli.core.errors import UsageError

    source = tmp_path / "part.parquet"
    pq.write_table(pa.table({"x": [1.0]}), source)
    with pytest.raises(
        UsageError, match=r"^--keep id: no such column in the points \(columns: x\)$"
    ):
        evaluate("2*x", points=str(source), out=str(tmp_path / "out"), engine="dask", keep="id")
