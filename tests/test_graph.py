"""cg graph: the circuit and the boxes in DOT, Mermaid, SVG and PNG; the ASCII tree."""

from __future__ import annotations

import shutil
import struct
import xml.etree.ElementTree as ET

import pytest

from cgcli.render.graph import GRAD_COLOUR, VALUE_COLOUR

SEED = ["(x+y)*z", "x=1", "y=3", "z=-3"]
SVG = "{http://www.w3.org/2000/svg}"
needs_graphviz = pytest.mark.usefixtures("graphviz")


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


def test_ascii_tree_draws_a_shared_node_once_and_writes_constants_inline(cg):
    result = cg("graph", "a = x*x; b = a + x; c = sin(b) * a; d = 2*x")
    assert result.stdout == "d = 2 * x\n└── x (input)\nnot used by the output: a, b, v1, c\n"
    result = cg("graph", "a = x*x; b = a + x; sin(b) * a")
    assert result.stdout == (
        "f = v1 * a\n"
        "├── v1 = sin(b)\n"
        "│   └── b = a + x\n"
        "│       ├── a = x * x\n"
        "│       │   ├── x (input)\n"
        "│       │   └── x (shown above)\n"
        "│       └── x (shown above)\n"
        "└── a (shown above)\n"
    )
    result = cg("graph", "(a+b)*(b+1)", "a=2", "b=1")
    assert result.stdout == (
        "f = v1 * v2   value 6   ∂f/∂f = 1\n"
        "├── v1 = a + b   value 3   ∂f/∂v1 = 2\n"
        "│   ├── a (input)   value 2   ∂f/∂a = 2\n"
        "│   └── b (input)   value 1   ∂f/∂b = 5\n"
        "└── v2 = b + 1   value 2   ∂f/∂v2 = 3\n"
        "    └── b (shown above)\n"
    )


def test_boxes_is_the_default_without_values(cg):
    result = cg("graph", "y - x", "--format", "dot")
    lines = result.stdout.splitlines()
    assert lines[0] == "digraph cg {"
    assert lines[-3:] == ["  n1 -> n3;", "  n2 -> n3;", "}"]
    assert 'n3 [shape=box, penwidth="2", id="cg-node-n3", label=<f = y - x>];' in result.stdout


def test_boxes_write_constants_inline(cg):
    result = cg("graph", "d = b + 1", "b=2", "--format", "dot", "--style", "boxes")
    assert "d = b + 1" in result.stdout
    assert "n2" not in result.stdout  # the constant 1 is no box of its own
    assert f'<font color="{VALUE_COLOUR}">value 3</font>' in result.stdout
    assert f'<font color="{GRAD_COLOUR}">∂d/∂b = 1</font>' in result.stdout


@pytest.mark.parametrize(
    ("program", "caption"),
    [
        ("b + 1", "+1"),
        ("1 + b", "+1"),
        ("2 * b", "*2"),
        ("b - 1", "−1"),
        ("1 - b", "1−"),
        ("1 / b", "1/"),
        ("b ^ 2", "^2"),
        ("-b", "−"),
        ("sigmoid(b)", "σ"),
        ("exp(b)", "exp"),
        ("max(b, 0)", "max(·, 0)"),
    ],
)
def test_circuit_gates_show_the_op_and_their_constants(cg, program, caption):
    result = cg("graph", program, "b=2", "--format", "dot")
    assert f'label="{caption}"];' in result.stdout
    assert "[shape=circle, margin=0.03, width=0.35, id=" in result.stdout


def test_circuit_dot_with_a_fork(cg):
    result = cg("graph", "(a+b)*(b+1)", "a=2", "b=1", "--format", "dot")
    text = result.stdout
    assert (
        '{ rank=source; n1 [shape=plaintext, id="cg-node-n1", label="a"]; '
        'n2 [shape=plaintext, id="cg-node-n2", label="b"]; }' in text
    )
    assert 'fork2 [shape=point, width=0.07, color="#444444"];' in text
    assert "  n2:e -> wire1:w [arrowhead=none];\n  wire1:e -> fork2 [arrowhead=none];\n" in text


def test_mermaid_boxes_in_colour(cg):
    result = cg("graph", *SEED, "--format", "mermaid", "--style", "boxes")
    assert result.stdout.startswith("flowchart LR\n")
    assert (
        f"  n3[\"v1 = x + y<br/><span style='color:{VALUE_COLOUR}'>value 4</span>"
        f"<br/><span style='color:{GRAD_COLOUR}'>∂f/∂v1 = -3</span>\"]"
    ) in result.stdout
    assert "  n3 --> n5" in result.stdout


def test_mermaid_circuit(cg):
    result = cg("graph", *SEED, "--format", "mermaid")
    assert '  n3(("+"))' in result.stdout
    assert (
        f"  n1 -->|\"<span style='color:{VALUE_COLOUR}'>1</span>"
        f"<br/><span style='color:{GRAD_COLOUR}'>-3</span>\"| n3"
    ) in result.stdout
    assert "  class n1,n2,n4,out leaf" in result.stdout


# --- SVG: parse it, and find every wire's value and gradient ------------------------


def svg_wires(path) -> list[tuple[str, str, str]]:
    """Per wire of the circuit: (where it runs, its value, its gradient), read from the SVG.

    The value must be the blue text and sit above the red gradient."""
    root = ET.parse(path).getroot()
    wires = []
    for group in root.iter(f"{SVG}g"):
        if "wire" not in (group.get("class") or "").split():
            continue
        link = next(group.iter(f"{SVG}a"))
        where = link.get("{http://www.w3.org/1999/xlink}title").split(":")[0]
        texts = [t for t in group.iter(f"{SVG}text")]
        assert [t.get("fill") for t in texts] == [VALUE_COLOUR, GRAD_COLOUR], where
        value, grad = texts
        assert float(value.get("y")) < float(grad.get("y")), f"{where}: value not above"
        wires.append((where, value.text, grad.text))
    return wires


def svg_edges(path) -> list[str]:
    root = ET.parse(path).getroot()
    return [
        next(g.iter(f"{SVG}title")).text
        for g in root.iter(f"{SVG}g")
        if (g.get("class") or "") == "edge"
    ]


@needs_graphviz
def test_circuit_svg_shows_every_wire_value_and_gradient(cg, tmp_path):
    out = tmp_path / "seed.svg"
    result = cg("graph", *SEED, "--format", "svg", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(svg_wires(out)) == sorted(
        [
            ("x → +", "1", "-3"),
            ("y → +", "3", "-3"),
            ("v1 → *", "4", "-3"),
            ("z → *", "-3", "4"),
            ("output f", "-12", "1"),
        ]
    )
    edges = svg_edges(out)
    assert len(edges) == 2 * 5 and all("wire" in edge for edge in edges)


@needs_graphviz
def test_circuit_svg_forks_sum_their_branches(cg, tmp_path):
    """colah's (a+b)*(b+1): b forks; its branches carry 2 and 3, the trunk their sum 5."""
    out = tmp_path / "colah.svg"
    assert (
        cg("graph", "(a+b)*(b+1)", "a=2", "b=1", "--format", "svg", "-o", str(out)).exit_code == 0
    )
    assert sorted(svg_wires(out)) == sorted(
        [
            ("a → +", "2", "2"),
            ("b → fork", "1", "5"),
            ("b → +", "1", "2"),
            ("b → +1", "1", "3"),
            ("v1 → *", "3", "2"),
            ("v2 → *", "2", "3"),
            ("output f", "6", "1"),
        ]
    )
    edges = svg_edges(out)
    assert len(edges) == 2 * 7 and all("wire" in edge for edge in edges)


@needs_graphviz
def test_circuit_svg_of_the_cs231n_neuron(cg, tmp_path):
    out = tmp_path / "neuron.svg"
    args = ["sigmoid(w0*x0 + w1*x1 + w2)", "w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3"]
    assert cg("graph", *args, "--format", "svg", "-o", str(out)).exit_code == 0
    wires = dict(((w, v), g) for w, v, g in svg_wires(out))
    assert wires[("w0 → *", "2")] == "-0.196612"
    assert wires[("x0 → *", "-1")] == "0.393224"
    assert wires[("v4 → σ", "1")] == "0.196612"
    assert wires[("output f", "0.731059")] == "1"


@needs_graphviz
def test_boxes_svg(cg, tmp_path):
    out = tmp_path / "seed.svg"
    result = cg("graph", *SEED, "--format", "svg", "--style", "boxes", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    texts = [el.text for el in ET.parse(out).iter() if el.tag.endswith("text") and el.text]
    for expected in [
        "x (input)", "value 1", "∂f/∂x = -3",
        "v1 = x + y", "value 4", "∂f/∂v1 = -3",
        "f = v1 * z", "value -12", "∂f/∂f = 1",
    ]:  # fmt: skip
        assert expected in texts


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@needs_graphviz
def test_png_resolution(cg, tmp_path):
    sizes = {}
    for dpi in (96, 192):
        out = tmp_path / f"seed{dpi}.png"
        assert (
            cg("graph", *SEED, "--format", "png", "--dpi", str(dpi), "-o", str(out)).exit_code == 0
        )
        sizes[dpi] = png_size(out)
    assert sizes[192][0] == pytest.approx(2 * sizes[96][0], rel=0.02)
    default = tmp_path / "default.png"
    assert cg("graph", *SEED, "--format", "png", "-o", str(default)).exit_code == 0
    assert png_size(default)[0] == pytest.approx(150 / 96 * sizes[96][0], rel=0.02)


def test_svg_without_graphviz_says_how_to_install(cg, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = cg("graph", "x", "--format", "svg")
    assert result.exit_code == 2
    assert "apt-get install graphviz" in result.stderr
    assert result.stderr.count("\n") == 1


@needs_graphviz
def test_the_readme_circuit_is_current(cg, tmp_path):
    """docs/circuit.svg, shown in the README and docs/teaching.md, is what cg draws today."""
    from pathlib import Path

    shown = Path(__file__).resolve().parent.parent / "docs" / "circuit.svg"
    out = tmp_path / "circuit.svg"
    assert (
        cg("graph", "(a+b)*(b+1)", "a=2", "b=1", "--format", "svg", "-o", str(out)).exit_code == 0
    )
    assert sorted(svg_wires(shown)) == sorted(svg_wires(out))
    assert "](docs/circuit.svg)" in (shown.parent.parent / "README.md").read_text("utf-8")
    assert "](circuit.svg)" in (shown.parent / "teaching.md").read_text("utf-8")
