"""Big graphs: the JSON writer's exact output, the node table, and memory per node."""

from __future__ import annotations

import io
import json
import tracemalloc

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cgcli import evaluate
from cgcli.api.evaluation import NodeResult, evaluate_graph
from cgcli.core.errors import CgError
from cgcli.core.ir import Graph, Node
from cgcli.core.node_table import NodeTable
from cgcli.core.parser import parse
from cgcli.passes.values import parse_assignments
from cgcli.render.json_doc import json_text, write_json

_dump = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def old_write_json(result, out, wrt=None) -> None:
    """The writer before the column-wise one (cg 4d82aa7), kept as the reference: one
    ``json`` encoding of each node record."""
    out.write("{\n")
    for key, value in result.json_head(wrt).items():
        out.write(f"  {_dump(key)}: {_dump(value)},\n")
    out.write('  "nodes": [')
    lines: list[str] = []
    separator = "\n    "
    for record in result.node_records():
        lines.append(separator + _dump(record))
        separator = ",\n    "
    out.write("".join(lines) + "\n  ]")
    for key, value in result.json_tail(wrt).items():
        out.write(f",\n  {_dump(key)}: {_dump(value)}")
    out.write("\n}\n")


def written(result, wrt=None, writer=write_json) -> str:
    out = io.StringIO()
    writer(result, out, wrt)
    return out.getvalue()


# Worked by hand at x=0, θ=2: a#1 = x + 1 = 1; s = sqrt(x) = 0; a#2 = a#1 * s = 0;
# m = max(a#2, θ) = 2; v1 = -m; v2 = v1 + s = -2; v3 = x*0 = 0; v4 = sqrt(v3) = 0;
# f = v2 + v4 = -2. Backward: f, v4, v2, v1 get 1; v3 gets sqrt'(0) = inf; m gets -1,
# which max passes to θ (the larger) and not to a#2 (0), so a#1 gets no upstream (0);
# s gets 1 (through v2); x gets inf * 0 (through v3) + 1 * inf (through s) = nan.
# The constants 1 and 0 have no gradient (null).
HAND_PROGRAM = "a = x + 1; s = sqrt(x); a *= s\nm = max(a, θ)\n-m + s + sqrt(x*0)"
HAND_DOCUMENT = """\
{
  "output": "f",
  "value": -2.0,
  "gradient": {"x": "nan", "θ": -1.0},
  "nodes": [
    {"id": "n1", "name": "x", "version": 1, "label": "x", "op": "input", "inputs": [], "text": "x", "span": [4, 5], "value": 0.0, "grad": "nan"},
    {"id": "n2", "name": null, "version": null, "label": "1", "op": "const", "inputs": [], "text": "1", "span": [8, 9], "value": 1.0, "grad": null},
    {"id": "n3", "name": "a", "version": 1, "label": "a#1", "op": "add", "inputs": ["n1", "n2"], "text": "x + 1", "span": [4, 9], "value": 1.0, "grad": 0.0},
    {"id": "n4", "name": "s", "version": 1, "label": "s", "op": "sqrt", "inputs": ["n1"], "text": "sqrt(x)", "span": [15, 22], "value": 0.0, "grad": 1.0},
    {"id": "n5", "name": "a", "version": 2, "label": "a#2", "op": "mul", "inputs": ["n3", "n4"], "text": "a *= s", "span": [24, 30], "value": 0.0, "grad": 0.0},
    {"id": "n6", "name": "θ", "version": 1, "label": "θ", "op": "input", "inputs": [], "text": "θ", "span": [42, 43], "value": 2.0, "grad": -1.0},
    {"id": "n7", "name": "m", "version": 1, "label": "m", "op": "max", "inputs": ["n5", "n6"], "text": "max(a, θ)", "span": [35, 44], "value": 2.0, "grad": -1.0},
    {"id": "n8", "name": null, "version": null, "label": "v1", "op": "neg", "inputs": ["n7"], "text": "-m", "span": [45, 47], "value": -2.0, "grad": 1.0},
    {"id": "n9", "name": null, "version": null, "label": "v2", "op": "add", "inputs": ["n8", "n4"], "text": "-m + s", "span": [45, 51], "value": -2.0, "grad": 1.0},
    {"id": "n10", "name": null, "version": null, "label": "0", "op": "const", "inputs": [], "text": "0", "span": [61, 62], "value": 0.0, "grad": null},
    {"id": "n11", "name": null, "version": null, "label": "v3", "op": "mul", "inputs": ["n1", "n10"], "text": "x*0", "span": [59, 62], "value": 0.0, "grad": "inf"},
    {"id": "n12", "name": null, "version": null, "label": "v4", "op": "sqrt", "inputs": ["n11"], "text": "sqrt(x*0)", "span": [54, 63], "value": 0.0, "grad": 1.0},
    {"id": "n13", "name": null, "version": null, "label": "f", "op": "add", "inputs": ["n9", "n12"], "text": "-m + s + sqrt(x*0)", "span": [45, 63], "value": -2.0, "grad": 1.0}
  ],
"""  # noqa: E501
"""The document up to its ``check`` (the check's own tests pin that object)."""
HAND_END = '  "warnings": []\n}\n'


def test_json_document_worked_by_hand(cg):
    result = cg("eval", HAND_PROGRAM, "x=0", "θ=2", "--no-check", "--format", "json")
    assert result.exit_code == 0
    assert result.stdout.startswith(HAND_DOCUMENT)
    check_line = result.stdout[len(HAND_DOCUMENT) : -len(HAND_END)]
    assert check_line.startswith('  "check": {"ok": true, "method": "none", ')
    assert check_line.endswith("},\n") and check_line.count("\n") == 1
    assert result.stdout.endswith(HAND_END)


def test_json_document_with_wrt_lists_only_those_inputs(cg):
    result = cg("eval", HAND_PROGRAM, "x=0", "θ=2", "--no-check", "--format", "json", "--wrt", "θ")
    expected = HAND_DOCUMENT.replace('{"x": "nan", "θ": -1.0}', '{"θ": -1.0}')
    assert result.stdout.startswith(expected)


def test_grad_only_json(cg):
    result = cg("eval", HAND_PROGRAM, "x=0", "θ=2", "--no-check", "--format", "json", "--grad")
    assert json.loads(result.stdout) == {"x": "nan", "θ": -1.0}


def test_long_node_text_is_shortened_in_the_json_as_in_the_table():
    program = "y = " + " + ".join(f"x*{k}" for k in range(1, 30))
    result = evaluate(program, {"x": 2}, check=False)
    doc = json.loads(written(result))
    text = doc["nodes"][-1]["text"]
    assert len(text) == 59 and "…" in text
    assert text == result.graph.text(result.graph.nodes[-1])
    assert written(result) == written(result, writer=old_write_json)


def test_non_finite_gradients_are_strings_as_before():
    result = evaluate("sqrt(x) * 1e300 * 1e300 / 1e300", {"x": 0}, check=False)
    text = written(result)
    assert '"gradient": {"x": "inf"}' in text
    assert text == written(result, writer=old_write_json)


def test_checked_document_matches_the_old_writer():
    result = evaluate("p = x + y; g = p * z", {"x": 1, "y": 3, "z": -3})
    assert result.check.method == "sympy"
    for wrt in (None, ["z"], ["z", "x"]):
        assert written(result, wrt) == written(result, wrt, old_write_json)


def test_exact_document_matches_the_old_writer():
    result = evaluate("x/3 + sqrt(2)*x", {"x": "1/3"}, check=False, exact=True)
    assert written(result) == written(result, writer=old_write_json)


def test_written_document_is_as_dict():
    result = evaluate("a = sin(x); a = a*a + pi; a", {"x": 0.5}, check=False)
    assert json.loads(written(result, ["x"])) == result.as_dict(["x"])


_NAMES = ["x", "y", "z", "t1", "v1", "w"]
_UNARY = ["sin", "cos", "tanh", "sigmoid", "exp", "abs", "relu", "softplus", "-"]
_BINARY = ["+", "-", "*", "max", "min"]


@st.composite
def programs(draw) -> str:
    """Straight-line programs over x, y, z: reassignments, unary and binary ops, constants
    (some written as pi or e), names that clash with the ids."""
    lines = []
    known = ["x", "y", "z"]
    for _ in range(draw(st.integers(1, 12))):
        left = draw(st.sampled_from(known))
        right = draw(st.one_of(st.sampled_from(known), st.sampled_from(["2", "0.5", "pi", "1e-3"])))
        op = draw(st.sampled_from(_BINARY))
        expr = f"{op}({left}, {right})" if op in ("max", "min") else f"{left} {op} {right}"
        fn = draw(st.sampled_from(_UNARY))
        expr = f"-({expr})" if fn == "-" else f"{fn}({expr})"
        if draw(st.booleans()):
            target = draw(st.sampled_from(_NAMES))
            lines.append(f"{target} = {expr}")
            known.append(target)
        else:
            lines.append(expr)
    return draw(st.sampled_from(["\n", "; "])).join(lines)


@given(programs(), st.floats(-3, 3), st.floats(-3, 3), st.floats(-3, 3), st.booleans())
def test_writer_matches_the_old_writer_on_random_programs(program, x, y, z, some):
    graph = parse(program)
    values = {"x": x, "y": y, "z": z}
    names = set(graph.bind_constants(values).input_names)
    try:
        result = evaluate(program, {k: v for k, v in values.items() if k in names}, check=False)
    except CgError:
        assume(False)
    wrt = sorted(result.gradient)[:1] if some else None
    assert written(result, wrt) == written(result, wrt, old_write_json)


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_the_documents_encoder_writes_what_json_dumps_writes(value):
    """Text with quotes, backslashes, control characters, lone surrogates and any code
    point; integers of any size; floats of any magnitude; nesting."""
    assert json_text(value) == _dump(value)


@pytest.mark.parametrize(
    "value",
    [
        {"a": [1.5, {"b": [[], {}, ""]}], "c": None},
        ["\u2028", "\x00\x1f\x7f", '"\\', "\ud800", "θ"],
        [True, False, 0, -0.0, 1e-320, 2**70, 5e-324],
        {1: "a number for a key: left to json itself"},
        {"key": {2.5: None, None: True}},
    ],
)
def test_the_documents_encoder_on_values_worked_out(value):
    assert json_text(value) == _dump(value)


@pytest.mark.parametrize("value", [float("nan"), [1.0, float("inf")], {"x": float("-inf")}])
def test_the_documents_encoder_refuses_non_finite_numbers_as_json_does(value):
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        _dump(value)
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        json_text(value)


def test_a_large_value_is_written_by_json_itself_as_a_small_one_would_be(monkeypatch):
    """Past _SMALL pieces of text, json_text hands the value to json.dumps; its output is
    the same either way."""
    import cgcli.render.json_doc as json_doc

    value = {f"n{i}": {"status": "ok", "expected": [i / 7, None, True]} for i in range(3000)}
    handed = []
    monkeypatch.setattr(json_doc, "_json_dumps", lambda v: handed.append(v) or _dump(v))
    assert json_text(value) == _dump(value) and handed == [value]
    monkeypatch.setattr(json_doc, "_SMALL", 10**9)
    assert json_text(value) == _dump(value) and handed == [value]


@pytest.mark.parametrize("depth", [10_000, 30_000])
def test_deep_program_evaluates_and_writes_without_recursion(depth):
    program = "(" * depth + "x" + "+1)" * depth
    result = evaluate(program, {"x": 1}, check=False)
    assert result.value == depth + 1
    assert result.gradient == {"x": 1.0}
    text = written(result)
    assert text == written(result, writer=old_write_json)
    last = json.loads(text)["nodes"][-1]
    inner = program[1:-1]  # the outer add's span leaves out its own parentheses
    assert last["label"] == "f" and last["span"] == [1, len(program) - 1]
    assert last["text"] == inner[:29] + "…" + inner[-29:]


def test_deep_program_through_the_cli(cg):
    depth = 10_000
    program = "(" * depth + "x" + "*1)" * depth
    result = cg("eval", program, "x=3", "--no-check", "--format", "json")
    doc = json.loads(result.stdout)
    assert (doc["value"], doc["gradient"]) == (3.0, {"x": 1.0})
    assert len(doc["nodes"]) == 2 * depth + 1


def _random_program(statements: int) -> str:
    import random

    rng = random.Random(3)
    names = ["a", "b"]
    lines = []
    for k in range(statements):
        left, right = rng.choice(names[-20:]), rng.choice(names)
        lines.append(f"t{k} = tanh({left} {rng.choice('+-*')} {right}) * 0.5")
        names.append(f"t{k}")
    return "\n".join(lines)


def test_memory_per_node_of_a_big_graph():
    """Parse, evaluate and write 25,000 nodes: about 210 bytes a node at the peak (the
    tuple-per-node graph took about 560)."""
    program = _random_program(6_250)
    values = parse_assignments(["a=1", "b=0.5"])
    tracemalloc.start()
    try:
        result = evaluate_graph(parse(program), values, check=False)
        write_json(result, _Discard())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(result.nodes) == 25_002
    assert peak / len(result.nodes) < 300


class _Discard(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


# --- the node table -----------------------------------------------------------


def test_parsed_graph_holds_a_node_table_that_reads_as_the_nodes():
    graph = parse("a = x * 2; b = a + sin(x); b * pi")
    assert isinstance(graph.nodes, NodeTable)
    expected = (
        Node(0, "input", (), "x", 1, 4, 5),
        Node(1, "const", (), None, 0, 8, 9, "2"),
        Node(2, "mul", (0, 1), "a", 1, 4, 9),
        Node(3, "input", (), "x", 1, 4, 5),
    )[:3]
    assert tuple(graph.nodes[:3]) == expected
    assert graph.nodes[-1] == Node(6, "mul", (4, 5), None, 0, 27, 33)
    assert graph.nodes[5] == Node(5, "input", (), "pi", 1, 31, 33)
    assert len(graph.nodes) == 7
    assert graph.nodes == tuple(graph.nodes)
    assert list(reversed(graph.nodes)) == list(graph.nodes)[::-1]
    assert graph.nodes[::3] == (graph.nodes[0], graph.nodes[3], graph.nodes[6])
    with pytest.raises(IndexError):
        graph.nodes[7]


def test_node_table_from_nodes_round_trips():
    nodes = tuple(parse("p = x + y; p = p * p; -p").nodes)
    table = NodeTable.from_nodes(nodes)
    assert tuple(table) == nodes
    assert [table.node(i) for i in range(len(nodes))] == list(nodes)
    assert list(table.ops()) == [n.op for n in nodes]
    assert [tuple(table.inputs(i)) for i in range(len(nodes))] == [n.inputs for n in nodes]


def test_big_node_table_builds_nodes_when_read(monkeypatch):
    monkeypatch.setattr("cgcli.core.node_table._CACHED", 10)
    graph = parse("y = x; " + "y = y + 1; " * 20 + "y")
    assert graph.nodes._built() is None
    assert graph.nodes[-1] == Node(41, "add", (39, 40), "y", 21, 220, 225)
    assert tuple(graph.nodes) == tuple(graph.nodes[i] for i in range(len(graph.nodes)))
    assert graph.nodes[40:] == (graph.nodes[40], graph.nodes[41])


def test_bind_constants_on_a_node_table_leaves_the_parsed_graph_alone():
    graph = parse("pi * x + e")
    bound = graph.bind_constants(["x"])
    assert [n.op for n in bound.nodes] == ["pi", "input", "mul", "e", "add"]
    assert [n.op for n in graph.nodes] == ["input", "input", "mul", "input", "add"]
    assert bound.input_names == ("x",) and graph.input_names == ("pi", "x", "e")


def test_graph_of_a_tuple_of_nodes_gives_the_same_results():
    parsed = parse("a = x * y; a = a + x; sin(a)")
    as_tuple = Graph(
        tuple(parsed.nodes), parsed.source, parsed.output, parsed.bindings, parsed.assigned
    )
    point = {"x": 0.5, "y": -2}
    inputs = parse_assignments([f"{k}={v}" for k, v in point.items()])
    one, other = evaluate_graph(parsed, inputs, check=False), evaluate(as_tuple, point, check=False)
    assert written(one) == written(other)
    assert list(one.nodes) == list(other.nodes)


def test_node_results_read_as_a_list_of_records():
    result = evaluate("a = x * 2; a + 1", {"x": 3}, check=False)
    nodes = result.graph.nodes
    expected = [
        NodeResult(nodes[0], "x", 3.0, 2.0),
        NodeResult(nodes[1], "2", 2.0, None),
        NodeResult(nodes[2], "a", 6.0, 1.0),
        NodeResult(nodes[3], "1", 1.0, None),
        NodeResult(nodes[4], "f", 7.0, 1.0),
    ]
    assert result.nodes == expected
    assert list(result.nodes) == expected
    assert result.nodes[-1] == expected[-1]
    assert result.nodes[:-1] == expected[:-1]
    assert len(result.nodes) == 5
