"""Output files are written in the format their extension names, or refused: cg graph -o,
cg check --class-drawing and --summary, cg example-data -o, cg page -o, cg train --history
(as cg eval -o)."""

from __future__ import annotations

from pathlib import Path

import pytest

CLASS = Path(__file__).parent.parent / "examples" / "class"
OLAH = ["c = a + b; d = b + 1; e = c * d", "a=2", "b=1"]


@pytest.mark.parametrize(
    ("args", "name", "starts"),
    [
        ([], "g.svg", b"<?xml"),
        ([], "g.dot", b"digraph"),
        ([], "g.gv", b"digraph"),
        ([], "g.mmd", b"flowchart"),
        ([], "g.txt", b"f"),
        (["--format", "dot"], "g", b"digraph"),
    ],
)
def test_graph_infers_the_format_from_the_extension(cg, tmp_path, args, name, starts, graphviz):
    result = cg("graph", "f = x*y", "x=1", "y=2", *args, "-o", str(tmp_path / name))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / name).read_bytes().startswith(starts)


def test_graph_png_by_extension_is_a_png(cg, tmp_path, graphviz):
    result = cg("graph", "f = x*y", "-o", str(tmp_path / "g.png"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["graph", "x*y", "--format", "svg", "-o", "{d}/g.png"],
            "-o {d}/g.png names a png file, but --format svg would write svg; make them agree",
        ),
        (
            ["graph", "x*y", "-o", "{d}/g.xlsx"],
            "-o {d}/g.xlsx: cg does not write .xlsx files; it writes .svg, .png, .dot (.gv), "
            ".mmd, .txt (or no extension)",
        ),
        (
            ["check", *OLAH, "--answers", str(CLASS), "--class-drawing", "{d}/c.png"],
            "--class-drawing {d}/c.png: cg does not write .png files; it writes .svg, .html (.htm)",
        ),
        (
            ["check", *OLAH, "--answers", str(CLASS), "--summary", "{d}/s.xlsx"],
            "--summary {d}/s.xlsx: cg does not write .xlsx files; it writes .csv",
        ),
        (
            ["example-data", "xor", "-o", "{d}/x.xlsx"],
            "-o {d}/x.xlsx: cg does not write .xlsx files; it writes .csv (or no extension)",
        ),
        (
            ["page", "x*y", "x=1", "y=2", "-o", "{d}/p.png"],
            "-o {d}/p.png: cg does not write .png files; it writes .html (.htm)",
        ),
    ],
)
def test_an_extension_cg_does_not_write_is_refused_before_any_work(cg, tmp_path, args, message):
    result = cg(*(a.replace("{d}", str(tmp_path)) for a in args))
    assert (result.exit_code, result.stderr) == (
        2,
        f"cg: usage error: {message.replace('{d}', str(tmp_path))}\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_a_training_history_is_a_csv_file(cg, tmp_path, tmp_path_factory):
    data = tmp_path_factory.mktemp("data") / "line.csv"
    data.write_text("x,y\n0,1\n1,3\n2,5\n", "utf-8")
    args = ["train", "w*x + b", "--data", str(data), "--target", "y", "--params", "w=0,b=0"]
    result = cg(*args, "--epochs", "2", "--history", str(tmp_path / "h.png"))
    assert (result.exit_code, result.stderr) == (
        2,
        f"cg: usage error: --history {tmp_path / 'h.png'}: cg does not write .png files; it "
        "writes .csv (or no extension)\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_a_file_where_the_output_s_folder_should_be_is_named_a_file(cg, tmp_path):
    """--summary notes.txt/g.csv said 'the folder notes.txt does not exist'."""
    (tmp_path / "notes.txt").write_text("mine\n")
    target = tmp_path / "notes.txt" / "g.csv"
    result = cg("check", "c = a + b", "a=2", "b=1", "--expect", "c=3", "--summary", str(target))
    assert (result.exit_code, result.stderr) == (
        2,
        f"cg: usage error: --summary {target}: {tmp_path / 'notes.txt'} is a file, not a folder\n",
    )
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
