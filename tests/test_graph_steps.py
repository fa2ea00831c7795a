"""The circuit of a loop: its unrolled steps left to right, one column per step, titled
``t = 1``, ``t = 2``, ...; positions read back from the SVG Graphviz lays out."""

from __future__ import annotations

import itertools
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}"
needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")

RNN = (
    "T = 3\nh[0] = 0\nfor t in 1..T:\n    h[t] = wx*x[t] + wh*h[t-1]\n    o[t] = wq*h[t]\n"
    "L = mean((o[t] - y[t])^2 for t in 1..T)\n"
)
VALUES = ["wx=0.5", "wh=0.8", "wq=2", "x=[1,-1,2]", "y=[1,0,1]"]


def columns_and_nodes(svg: str) -> tuple[list[tuple[str, float, float]], dict[str, float]]:
    """The step clusters (title, left, right) in order of their ids, and the x of each
    drawn node's centre by its label."""
    root = ET.fromstring(svg)
    columns, nodes = [], {}
    for group in root.iter(f"{SVG}g"):
        kind, ident = group.get("class"), group.get("id") or ""
        if kind == "cluster" and ident.startswith("cg-step-"):
            numbers = [
                float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", group.find(f"{SVG}path").get("d"))
            ]
            xs = numbers[0::2]
            columns.append((int(ident[8:]), group.find(f"{SVG}text").text, min(xs), max(xs)))
        elif kind == "node" and ident.startswith("cg-node-"):
            shape = group.find(f"{SVG}ellipse")
            text = group.find(f"{SVG}text")
            x = float(shape.get("cx")) if shape is not None else float(text.get("x"))
            nodes[ident[8:]] = x
    columns.sort()
    return [(title, left, right) for _, title, left, right in columns], nodes


def node_ids(program: str) -> dict[str, str]:
    from cgcli.core.parser import parse_program

    graph = parse_program(program)
    return {graph.label(n): n.id for n in graph.nodes}


def check_columns(svg: str) -> None:
    columns, xs = columns_and_nodes(svg)
    assert [title for title, _, _ in columns] == ["t = 1", "t = 2", "t = 3"]
    for (_, _, right), (_, left, _) in itertools.pairwise(columns):
        assert right < left  # left to right, apart
    ids = node_ids(RNN)
    for k, (_, left, right) in enumerate(columns, start=1):
        for label in (f"h[{k}]", f"o[{k}]", f"x[{k}]"):
            assert left < xs[ids[label]] < right, (label, k)
    first_left = columns[0][1]
    for weight in ("wx", "wh", "wq"):  # used by every step: in no column, to their left
        assert xs[ids[weight]] < first_left


@needs_graphviz
def test_cg_graph_draws_each_step_in_its_own_column(cg, tmp_path):
    out = tmp_path / "rnn.svg"
    result = cg("graph", RNN, *VALUES, "--format", "svg", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    check_columns(out.read_text("utf-8"))


@needs_graphviz
def test_the_page_draws_each_step_in_its_own_column(cg, tmp_path):
    out = tmp_path / "rnn.html"
    assert cg("page", RNN, *VALUES, "-o", str(out)).exit_code == 0
    page = out.read_text("utf-8")
    svg = page[page.index("<svg") : page.index("</svg>") + 6]
    check_columns(svg)


def test_the_dot_source_has_a_titled_cluster_per_step(cg):
    result = cg("graph", RNN, *VALUES, "--format", "dot")
    assert result.exit_code == 0, result.stderr
    titles = re.findall(r'subgraph (cluster_step\d+) \{\n    label="([^"]*)"', result.stdout)
    assert titles == [
        ("cluster_step1", "t = 1"),
        ("cluster_step2", "t = 2"),
        ("cluster_step3", "t = 3"),
    ]
    bare = cg("graph", RNN, "--format", "dot", "--style", "circuit")
    assert bare.stdout.count("subgraph cluster_step") == 3  # without values, the same columns


def test_two_loops_number_their_columns_on_and_a_program_without_loops_has_none(cg):
    program = "s[1] = 0\nfor k in 2..3: s[k] = s[k-1] + w*k\nfor j in 1..2: s[j+3] = s[j+2]*w\ns[5]"
    result = cg("graph", program, "w=2", "--format", "dot")
    assert result.exit_code == 0, result.stderr
    titles = re.findall(r'label="((?:k|j) = \d)"', result.stdout)
    assert titles == ["k = 2", "k = 3", "j = 1", "j = 2"]
    assert "cluster" not in cg("graph", "(a+b)*b", "a=1", "b=2", "--format", "dot").stdout


@needs_graphviz
def test_the_boxes_draw_each_step_in_its_own_column_too(cg, tmp_path):
    out = tmp_path / "rnn.svg"
    result = cg("graph", RNN, *VALUES, "--format", "svg", "--style", "boxes", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    columns, xs = columns_and_nodes(out.read_text("utf-8"))
    assert [title for title, _, _ in columns] == ["t = 1", "t = 2", "t = 3"]
    ids = node_ids(RNN)
    for k, (_, left, right) in enumerate(columns, start=1):
        assert left < xs[ids[f"h[{k}]"]] < right
    assert all(right < left for (_, _, right), (_, left, _) in itertools.pairwise(columns))


@needs_graphviz
def test_the_drawing_in_the_docs_is_current(cg, tmp_path):
    """docs/sequence-circuit.svg, shown in docs/sequences.md, is what cg draws today: the
    same columns, and each node in the same column."""
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs"
    out = tmp_path / "rnn.svg"
    assert cg("graph", RNN, *VALUES, "--format", "svg", "-o", str(out)).exit_code == 0
    shown = (docs / "sequence-circuit.svg").read_text("utf-8")
    drawn = out.read_text("utf-8")
    check_columns(shown)
    assert [t for t, _, _ in columns_and_nodes(shown)[0]] == [
        t for t, _, _ in columns_and_nodes(drawn)[0]
    ]
    texts = re.compile(r">([^<>]+)</text>")
    assert sorted(texts.findall(shown)) == sorted(texts.findall(drawn))
    assert "](sequence-circuit.svg)" in (docs / "sequences.md").read_text("utf-8")


@pytest.mark.parametrize("style", ["circuit", "boxes"])
def test_mermaid_puts_each_step_in_a_titled_subgraph(cg, style):
    result = cg("graph", RNN, *VALUES, "--format", "mermaid", "--style", style)
    assert result.exit_code == 0, result.stderr
    ids = node_ids(RNN)
    blocks = re.findall(r'  subgraph (step\d) \["([^"]*)"\]\n(.*?)\n  end\n', result.stdout, re.S)
    assert [(name, title) for name, title, _ in blocks] == [
        ("step1", "t = 1"),
        ("step2", "t = 2"),
        ("step3", "t = 3"),
    ]
    for k, (_, _, body) in enumerate(blocks, start=1):
        members = {line.split("[")[0].split("(")[0].strip() for line in body.splitlines()}
        assert {ids[f"h[{k}]"], ids[f"o[{k}]"], ids[f"x[{k}]"]} <= members
        assert ids["wh"] not in members


def recurrence(steps: int) -> str:
    return f"h = 0\nfor t in 1..{steps}:\n    h = tanh(w*h + x*t)\nL = h\n"


@pytest.mark.parametrize(
    ("command", "needed_by", "instead"),
    [
        (
            ["graph", "--format", "svg", "-o", "r.svg"],
            "--format svg",
            "; use --format dot or mermaid",
        ),
        (
            ["graph", "--format", "png", "-o", "r.png"],
            "--format png",
            "; use --format dot or mermaid",
        ),
        (["page", "-o", "r.html"], "the page", ""),
    ],
    ids=["svg", "png", "page"],
)
def test_a_loop_of_too_many_steps_to_lay_out_is_refused_at_once(
    cg, tmp_path, command, needed_by, instead
):
    """Over 200 steps in all, dot would take minutes (300 steps of this loop: more than
    its 120 s): refused before Graphviz is run, and nothing is written."""
    program = tmp_path / "rnn.cg"
    program.write_text(recurrence(201), encoding="utf-8")
    out = tmp_path / command[-1]
    result = cg(*command[:-1], str(out), "-f", str(program), "w=0.5", "x=0.1")
    assert result.exit_code == 2
    assert result.stderr == (
        f"cg: usage error: the loop has 201 steps to draw, a column each, too many for "
        f"{needed_by} to lay out (at most 200){instead}\n"
    )
    assert not out.exists()


def test_two_hundred_steps_and_the_dot_source_of_any_are_not_refused(cg):
    from cgcli import parse
    from cgcli.render.graphviz import refuse_large

    refuse_large(parse(recurrence(200)), "--format svg")  # at the limit: drawn
    result = cg("graph", recurrence(1000), "w=0.5", "x=0.1", "--format", "dot")
    assert result.exit_code == 0
    assert result.stdout.count("subgraph cluster_step") == 1000
