"""The interactive page and the notebook display, without a browser: the data the page
steps through, the self-contained HTML, the CLI's errors, and the reprs.

tests/test_page_browser.py drives the page in a real browser; tests/test_notebook.py runs
a real notebook.
"""

from __future__ import annotations

import html
import json
import re

import pytest

import cgcli
from cgcli.page import Page, build_page, page_data

SEED = "q = x + y; f = q * z"
SEED_VALUES = {"x": 1, "y": 3, "z": -3}
needs_graphviz = pytest.mark.usefixtures("graphviz")


def seed():
    return cgcli.evaluate(SEED, SEED_VALUES)


def test_steps_of_the_seed_example():
    """The worked example by hand: values in forward order, then gradients by the chain rule."""
    steps = [(s["pass"], s["node"], s["lines"]) for s in page_data(seed())["steps"]]
    assert steps == [
        ("forward", "n1", ["x = 1 (given)"]),
        ("forward", "n2", ["y = 3 (given)"]),
        ("forward", "n3", ["q = x + y = 1 + 3 = 4"]),
        ("forward", "n4", ["z = -3 (given)"]),
        ("forward", "n5", ["f = q * z = 4 * (-3) = -12"]),
        ("backward", "n5", [
            "∂f/∂f = 1",
            "f = q * z: a mul gate swaps its inputs' values: each input's local derivative is "
            "the other one",
            "∂f/∂q (local) = z = -3",
            "∂f/∂z (local) = q = 4",
        ]),
        ("backward", "n3", [
            "∂f/∂q = ∂f/∂f · ∂f/∂q (local) = 1 · (-3) = -3",
            "q = x + y: an add gate passes the gradient unchanged to both inputs",
            "∂q/∂x (local) = 1",
            "∂q/∂y (local) = 1",
        ]),
        ("backward", "n1", ["∂f/∂x = ∂f/∂q · ∂q/∂x (local) = (-3) · 1 = -3"]),
        ("backward", "n2", ["∂f/∂y = ∂f/∂q · ∂q/∂y (local) = (-3) · 1 = -3"]),
        ("backward", "n4", ["∂f/∂z = ∂f/∂f · ∂f/∂z (local) = 1 · 4 = 4"]),
    ]  # fmt: skip


def test_nodes_of_the_seed_example():
    nodes = page_data(seed())["nodes"]
    assert [(n["label"], n["caption"], n["value"], n["grad"], n["check"]) for n in nodes] == [
        ("x", "x (input)", "1", "-3", "✓"),
        ("y", "y (input)", "3", "-3", "✓"),
        ("q", "q = x + y", "4", "-3", "✓"),
        ("z", "z (input)", "-3", "4", "✓"),
        ("f", "f = q * z", "-12", "1", "✓"),
    ]
    assert [(n["fullValue"], n["fullGrad"]) for n in nodes] == [
        (1.0, -3.0), (3.0, -3.0), (4.0, -3.0), (-3.0, 4.0), (-12.0, 1.0)
    ]  # fmt: skip


def test_every_node_gets_its_value_and_gradient_once():
    """Constants are known from the start and have no gradient; an unused node still gets
    its value, and its gradient 0 at the end; a reused node gets one gradient step."""
    result = cgcli.evaluate("c = 2; a = c*x; a = a + pi; u = x*3; a*a", {"x": 1})
    data = page_data(result)
    forward = [s["node"] for s in data["steps"] if s["pass"] == "forward"]
    backward = [s["node"] for s in data["steps"] if s["pass"] == "backward"]
    constants = [r.node.id for r in result.nodes if r.node.op != "input" and not r.node.inputs]
    assert constants == ["n1", "n4", "n6"]  # c, pi, 3
    assert forward == [r.node.id for r in result.nodes if r.node.id not in constants]
    with_grad = [r.node.id for r in result.nodes if r.grad is not None]
    assert sorted(backward) == sorted(with_grad)
    assert len(backward) == len(set(backward))
    assert backward[0] == result.graph.nodes[result.graph.output].id
    unused = next(s for s in data["steps"] if s["node"] == "n7" and s["pass"] == "backward")
    assert backward[-1] == "n7"
    assert unused["lines"] == ["∂f/∂u = 0 (f does not use u)"]


def test_a_program_without_inputs_has_no_backward_pass():
    steps = page_data(cgcli.evaluate("2*3"))["steps"]
    assert [(s["pass"], s["node"]) for s in steps] == [("forward", "n3")]


def test_gradients_come_after_those_of_every_user():
    """The backward order is a reverse topological order: a node's gradient needs its users'."""
    result = cgcli.evaluate("a = x*y; b = a + x; c = sin(b) * a; c / y", {"x": 0.5, "y": 2})
    backward = [s["node"] for s in page_data(result)["steps"] if s["pass"] == "backward"]
    position = {node: i for i, node in enumerate(backward)}
    for r in result.nodes:
        for i in r.node.inputs:
            source = result.graph.nodes[i].id
            if source in position:
                assert position[source] > position[r.node.id], (source, r.node.id)


def test_every_line_of_cg_explain_is_a_step(cg):
    """The page's worked steps are cg explain's lines, each with the node it computes."""
    explained = cg("explain", SEED, "x=1", "y=3", "z=-3").stdout.splitlines()
    items = [line.strip() for line in explained if line.startswith("  ") and ":" not in line]
    shown = [line for s in page_data(seed())["steps"] for line in s["lines"]]
    assert items and all(item in shown for item in items)


@needs_graphviz
def test_page_is_one_self_contained_file():
    page = build_page(seed())
    assert page.startswith("<!doctype html>")
    assert len(page) < 40_000
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(", page)
    # the only addresses are the names of the SVG and XLink XML namespaces
    assert set(re.findall(r"https?://[^\s\"'<>]*", page)) == {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert page.count("<svg") == 1 and 'id="cg&#45;node&#45;n3"' in page


@needs_graphviz
def test_page_data_is_the_json_in_the_page():
    page = build_page(seed())
    found = re.search(r'<script type="application/json" id="cg-data">(.*?)</script>', page, re.S)
    assert json.loads(found.group(1)) == page_data(seed())


@needs_graphviz
def test_program_text_cannot_break_out_of_the_page():
    result = cgcli.evaluate("x*2 # </script><script>alert(1)</script> <!--", {"x": 1})
    page = build_page(result)
    assert "<script>alert(1)" not in page
    assert page.count("</script>") == 2  # the data's and the page script's


@needs_graphviz
def test_cli_writes_the_page(cg, tmp_path):
    target = tmp_path / "page.html"
    result = cg("page", SEED, "x=1", "y=3", "z=-3", "-o", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert target.read_text(encoding="utf-8") == build_page(seed())


@needs_graphviz
def test_cli_digits(cg, tmp_path):
    target = tmp_path / "page.html"
    assert cg("page", "x/3", "x=1", "--digits", "3", "-o", str(target)).exit_code == 0
    assert '"value":"0.333"' in target.read_text(encoding="utf-8")


def test_cli_without_graphviz_exits_2_with_a_clear_message(cg, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    target = tmp_path / "page.html"
    result = cg("page", SEED, "x=1", "y=3", "z=-3", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == (
        "cg: usage error: Graphviz's dot program is not installed, and the page needs it to "
        "lay out the graph. Install Graphviz (Debian/Ubuntu: apt-get install graphviz; "
        "macOS: brew install graphviz; conda: conda install graphviz).\n"
    )
    assert not target.exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["x*2", "x=1"], 2, "cg: usage error: missing option '-o' / '--out'"),
        (["x*2", "x=1", "-o", "{tmp}/no/such/page.html"], 2, "the folder"),
        (["x*2", "x=1", "-o", "{tmp}"], 2, "it is a folder; give a file name"),
        (["x*", "x=1", "-o", "{tmp}/page.html"], 2, "cg: syntax error"),
        (["log(x)", "x=-1", "-o", "{tmp}/page.html"], 3, "cg: math error"),
        (["x*y", "x=1", "-o", "{tmp}/page.html"], 2, "y"),
    ],
)
def test_cli_errors_leave_no_file(cg, tmp_path, args, code, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = cg("page", *args)
    assert result.exit_code == code
    assert message in result.stderr and result.stderr.count("\n") <= 3
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_repr_is_short():
    assert (
        repr(seed())
        == "<Evaluation f = -12; ∂f/∂x = -3, ∂f/∂y = -3, ∂f/∂z = 4; check: sympy, all agree>"
    )
    many = cgcli.evaluate(" + ".join(f"x{i}" for i in range(9)), {f"x{i}": i for i in range(9)},
                          check=False)  # fmt: skip
    assert repr(many) == (
        "<Evaluation f = 36; ∂f/∂x0 = 1, ∂f/∂x1 = 1, ∂f/∂x2 = 1, ∂f/∂x3 = 1, ∂f/∂x4 = 1, "
        "∂f/∂x5 = 1, … 3 more; check: not checked>"
    )


def test_markdown_repr_is_the_markdown_table(cg):
    expected = cg("eval", SEED, "x=1", "y=3", "z=-3", "--format", "markdown").stdout
    assert seed()._repr_markdown_() == expected


def _html_rows(text: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", text)
    return [[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)] for r in rows]


@needs_graphviz
def test_html_repr_has_the_table_and_the_drawing():
    shown = seed()._repr_html_()
    assert _html_rows(shown) == [
        ["node", "op", "inputs", "text", "value", "∂f/∂node", "check"],
        ["x", "input", "", "x", "1", "-3", "✓"],
        ["y", "input", "", "y", "3", "-3", "✓"],
        ["q", "add", "x, y", "x + y", "4", "-3", "✓"],
        ["z", "input", "", "z", "-3", "4", "✓"],
        ["f", "mul", "q, z", "q * z", "-12", "1", "✓"],
    ]
    assert "f = -12  ✓<br>∂f/∂x = -3  ✓<br>∂f/∂y = -3  ✓<br>∂f/∂z = 4  ✓<br>check: sympy" in shown
    assert shown.count("<svg") == 1 and "value -12" in html.unescape(shown)


def test_html_repr_without_graphviz_still_shows_the_table(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    shown = seed()._repr_html_()
    assert "<svg" not in shown and "The drawing needs Graphviz's dot program" in shown
    assert len(_html_rows(shown)) == 6


@needs_graphviz
def test_show_page_is_the_page_in_a_frame():
    page = seed().show_page(height=500)
    assert isinstance(page, Page) and page.html == build_page(seed())
    frame = page._repr_html_()
    found = re.fullmatch(r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts" (.*)></iframe>', frame)
    assert html.unescape(found.group(1)) == page.html
    assert "height:500px" in found.group(2)


def test_a_loop_has_its_steps_in_time():
    """Each step of the passes knows its step in time; each step in time its named nodes."""
    program = "h[0] = 0\nfor t in 1..2:\n    h[t] = w*h[t-1] + x[t]\nL = h[2]^2"
    result = cgcli.evaluate(program, {"w": 0.5, "x": [1, 2]})
    data = page_data(result)
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert [(c["title"], [labels[i] for i in c["nodes"]]) for c in data["time"]] == [
        ("t = 1", ["x[1]", "h[1]"]),
        ("t = 2", ["x[2]", "h[2]"]),
    ]
    found = [(s["pass"], labels[s["node"]], s["t"]) for s in data["steps"]]
    assert ("forward", "w", None) in found  # a shared weight: no step of its own
    assert ("forward", "x[2]", 1) in found and ("backward", "x[2]", None) in found
    assert ("forward", "h[1]", 0) in found and ("backward", "h[2]", 1) in found
    assert ("forward", "L", -1) in found  # after the loop
    assert page_data(seed())["time"] == [] and {s["t"] for s in page_data(seed())["steps"]} == {
        None
    }
