"""cg graph: DOT, Mermaid, ASCII, and real SVG/PNG through Graphviz."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

SEED = ["(x+y)*z", "x=1", "y=3", "z=-3"]


def test_ascii_tree_with_values(cg):
    result = cg("graph", "p = x + y; g = p * z", "x=1", "y=3", "z=-3")
    assert result.exit_code == 0
    assert result.stdout == (
        "g = p * z   value -12   ∂g/∂g = 1\n"
        "├── p = x + y   value 4   ∂g/∂p = -3\n"
        "│   ├── x (input)   value 1   ∂g/∂x = -3\n"
        "│   └── y (input)   value 3   ∂g/∂y = -3\n"
        "└── z (input)   value -3   ∂g/∂z = 4\n"
    )


def test_ascii_tree_without_values_and_shared_nodes(cg):
    result = cg("graph", "a = x*x; b = a + x; c = sin(b) * a; d = 2*x")
    assert result.stdout == (
        "d = n6 * x\n├── n6 = 2\n└── x (input)\nnot used by the output: a, b, n4, c\n"
    )
    result = cg("graph", "a = x*x; b = a + x; sin(b) * a")
    assert result.stdout == (
        "f = n4 * a\n"
        "├── n4 = sin(b)\n"
        "│   └── b = a + x\n"
        "│       ├── a = x * x\n"
        "│       │   ├── x (input)\n"
        "│       │   └── x (input)\n"
        "│       └── x (input)\n"
        "└── a (shown above)\n"
    )


def test_dot_edges_in_argument_order(cg):
    result = cg("graph", "y - x", "--format", "dot")
    lines = result.stdout.splitlines()
    assert lines[0] == "digraph cg {"
    assert lines[-3:] == ["  n1 -> n3;", "  n2 -> n3;", "}"]
    assert 'n3 [shape=box, penwidth="2", id="cg-node-n3", label=<f = y - x>];' in result.stdout


def test_mermaid(cg):
    result = cg("graph", *SEED, "--format", "mermaid")
    assert result.stdout.startswith("flowchart LR\n")
    assert '  n3["n3 = x + y<br/>value 4<br/>∂f/∂n3 = -3"]' in result.stdout
    assert "  n3 --> n5" in result.stdout


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_svg_shows_every_value_and_gradient(cg, tmp_path):
    out = tmp_path / "seed.svg"
    result = cg("graph", *SEED, "--format", "svg", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    texts = [el.text for el in ET.parse(out).iter() if el.tag.endswith("text") and el.text]
    for expected in [
        "x (input)", "value 1", "∂f/∂x = -3",
        "y (input)", "value 3", "∂f/∂y = -3",
        "n3 = x + y", "value 4", "∂f/∂n3 = -3",
        "z (input)", "value -3", "∂f/∂z = 4",
        "f = n3 * z", "value -12", "∂f/∂f = 1",
    ]:  # fmt: skip
        assert expected in texts


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_png(cg, tmp_path):
    out = tmp_path / "seed.png"
    assert cg("graph", *SEED, "--format", "png", "-o", str(out)).exit_code == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_svg_without_graphviz_says_how_to_install(cg, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = cg("graph", "x", "--format", "svg")
    assert result.exit_code == 2
    assert "apt-get install graphviz" in result.stderr
    assert result.stderr.count("\n") == 1
