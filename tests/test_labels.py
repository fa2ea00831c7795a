"""Labels in the student's own terms: names, constants inline, short contiguous ids,
and the same label in every output."""

from __future__ import annotations

import json

import pytest

from cgcli import evaluate, parse


def labels(program: str) -> list[str]:
    graph = parse(program).bind_constants(())
    return [graph.label(n) for n in graph.nodes]


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        ("(x+y)*z", ["x", "y", "v1", "z", "f"]),
        ("p = x + y; g = p * z", ["x", "y", "p", "z", "g"]),
        (
            "sigmoid(w0*x0 + w1*x1 + w2)",
            ["w0", "x0", "v1", "w1", "x1", "v2", "v3", "w2", "v4", "f"],
        ),
        ("(a+b)*(b+1)", ["a", "b", "v1", "1", "v2", "f"]),
        ("x = x * x; x += 3*x; x", ["x#1", "x#2", "3", "v1", "x#3"]),
        ("x^(1/2) * 2*pi", ["x", "1", "2", "1/2", "v1", "2", "v2", "pi", "f"]),
        ("den = x + 1; 1 / den", ["x", "1", "den", "1", "f"]),
        ("2 + 3", ["2", "3", "f"]),
    ],
)
def test_labels(program, expected):
    assert labels(program) == expected


def test_ids_never_clash_with_the_program_names():
    assert labels("v1 = x*2; v1 + x*x") == ["x", "2", "v1", "t1", "f"]
    assert labels("f = x*2; f + 1") == ["x", "2", "f", "1", "v1"]


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        ("v1 = t*2; v1 + t*t", ["t", "2", "v1", "u1", "f"]),  # not t1 beside the input t
        ("v = x + y; v*(x+1)", ["x", "y", "v", "1", "t1", "f"]),  # not v1 beside v
        ("v = x; t = x; u = x; s = x; v*t*u*s*x", ["x", "v", "t", "u", "s", "v_1", "v_2",
                                                   "v_3", "f"]),
        ("v_ = x; v = x; t2 = x; u = x; s1 = x; (v_*v)*(t2*u)*s1",
         ["x", "v_", "v", "t2", "u", "s1", "v__1", "v__2", "v__3", "f"]),
    ],
)  # fmt: skip
def test_ids_never_look_like_a_name_in_the_program(program, expected):
    """No id is a name of the program, nor one of its names followed by digits."""
    found = labels(program)
    assert found == expected
    names = set(parse(program).bindings)
    for label in found:
        if label not in names and not label[0].isdigit():
            assert not any(label.rstrip("0123456789") == name for name in names), label


def test_constants_are_written_where_they_are_used(cg):
    result = cg("eval", "(a+b)*(b+1)", "a=2", "b=1")
    assert result.stdout.splitlines()[:6] == [
        "node  op     inputs  text         value  ∂f/∂node  check",
        "a     input          a                2         2  ✓",
        "b     input          b                1         5  ✓",
        "v1    add    a, b    a+b              3         2  ✓",
        "v2    add    b, 1    b+1              2         3  ✓",
        "f     mul    v1, v2  (a+b)*(b+1)      6         1  ✓",
    ]


def test_the_same_label_everywhere(cg):
    """eval (table, JSON, Markdown), explain, graph and check all call v2 what it is."""
    args = ["(a+b)*(b+1)", "a=2", "b=1"]
    doc = json.loads(cg("eval", *args, "--format", "json").stdout)
    assert [n["label"] for n in doc["nodes"]] == ["a", "b", "v1", "1", "v2", "f"]
    assert "| v2 | add | b, 1 |" in cg("eval", *args, "--format", "markdown").stdout
    assert "  v2 = b + 1 = 1 + 1 = 2\n" in cg("explain", *args).stdout
    assert "└── v2 = b + 1   value 2   ∂f/∂v2 = 3\n" in cg("graph", *args).stdout
    checked = cg("check", *args, "--expect", "v2=2, df/dv2=3")
    assert checked.exit_code == 0
    assert "∂f/∂v2" in checked.stdout
    assert "n4" not in checked.stdout + doc["nodes"][4]["label"]


def test_no_unnamed_constant_gets_a_row():
    result = evaluate("x = x * x; x += 3*x; x", {"x": 3})
    assert [r.label for r in result.nodes] == ["x#1", "x#2", "3", "v1", "x#3"]
    assert [result.graph.inline(r.node) for r in result.nodes] == [
        False,
        False,
        True,
        False,
        False,
    ]
