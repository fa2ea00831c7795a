"""One library, the CLI on top: every command has its library twin, every public name
is documented, and each twin returns data with a short repr."""

from __future__ import annotations

import inspect
import shutil

import pytest

import cgcli
from cgcli.cli.group import COMMANDS

SEED = "p = x + y; g = p * z"
SEED_VALUES = {"x": 1, "y": 3, "z": -3}


def test_every_command_has_its_library_twin():
    missing = [name for name in COMMANDS if name not in cgcli.LIBRARY_TWINS]
    assert not missing, f"commands without a library function: {missing}"
    for name, function in cgcli.LIBRARY_TWINS.items():
        assert callable(getattr(cgcli, function)), (name, function)


def test_every_public_name_has_a_docstring():
    for name in cgcli.__all__:
        value = getattr(cgcli, name)
        assert inspect.getdoc(value), f"cgcli.{name} has no docstring"


def test_options_are_keyword_only_and_apart_from_the_values():
    """No program variable can collide with an option: values are one mapping."""
    for name in cgcli.LIBRARY_TWINS.values():
        signature = inspect.signature(getattr(cgcli, name))
        kinds = [p.kind for p in signature.parameters.values()]
        assert inspect.Parameter.VAR_KEYWORD not in kinds, name
        positional = [
            p.name for p in signature.parameters.values()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]  # fmt: skip
        assert len(positional) <= 2, (name, positional)


def test_explain_returns_the_worked_solution():
    explanation = cgcli.explain(SEED, SEED_VALUES)
    assert repr(explanation) == "<Explanation of g: 2 forward steps, 6 backward steps>"
    assert explanation.text.startswith("Forward pass\n  inputs: x = 1, y = 3, z = -3\n")
    assert "∂g/∂x = ∂g/∂p · ∂p/∂x (local) = (-3) · 1 = -3" in explanation.text
    assert explanation.markdown.startswith("## Forward pass")
    assert r"\begin{align*}" in explanation.latex


def test_draw_returns_the_drawing():
    drawing = cgcli.draw(SEED, SEED_VALUES, format="dot")
    assert drawing.text.startswith("digraph cg {")
    assert repr(drawing).startswith("<Drawing dot, circuit, ")
    assert cgcli.draw(SEED, format="ascii").style == "tree"
    with pytest.raises(cgcli.ArgumentValueError, match="format: 'pdf' is not one of"):
        cgcli.draw(SEED, format="pdf")
    if shutil.which("dot"):
        svg = cgcli.draw(SEED, SEED_VALUES)
        assert svg._repr_svg_().lstrip().startswith("<?xml")


def test_symbolic_gradient_returns_formulas():
    result = cgcli.symbolic_gradient(SEED)
    assert [(p.label, p.formula) for p in result.partials] == [("x", "z"), ("y", "z"), ("z", "p")]
    assert repr(result) == "<SymbolicGradient ∂g/∂x = z; ∂g/∂y = z; ∂g/∂z = p>"


def test_train_on_a_mapping_of_columns():
    data = {"x": [1.0, 2.0, 3.0, 4.0], "y": [3.0, 5.0, 7.0, 9.0]}
    outcome = cgcli.train("w*x + b", data, target="y", params={"w": 0, "b": 0},
                          lr=0.05, epochs=5000, tol=1e-15)  # fmt: skip
    assert outcome.params["w"] == pytest.approx(2.0, abs=1e-6)
    assert outcome.params["b"] == pytest.approx(1.0, abs=1e-6)
    assert outcome.check_ok
    assert repr(outcome).startswith("<Outcome w=2, b=1; loss ")
    with pytest.raises(cgcli.UsageError, match="target q: no such column"):
        cgcli.train("w*x", data, target="q", params=["w"])


def test_example_data_is_csv_text():
    assert cgcli.example_data("xor").splitlines()[0] == "x1,x2,y"


def test_example_data_writes_numbers_as_every_csv_of_cg_does():
    """docs/output.md: every command writes 0 and 1 in CSV, not 0.0 and 1.0; each value
    reads back as the same float."""
    import numpy as np

    from cgcli.training.datasets import DATASETS

    assert cgcli.example_data("xor").splitlines()[1:] == ["0,0,0", "0,1,1", "1,0,1", "1,1,0"]
    for name, make in DATASETS.items():
        columns = make()
        rows = [line.split(",") for line in cgcli.example_data(name).splitlines()[1:]]
        read = np.array([[float(v) for v in row] for row in rows])
        assert np.array_equal(read, np.column_stack(list(columns.values()))), name
        assert not any(v.endswith(".0") for row in rows for v in row), name


def test_all_lists_every_export():
    assert sorted(cgcli.__all__) == sorted(cgcli._EXPORTS)


# --- one name per concept, and the old names for one release -----------------------------

COLAH = "c = a + b; d = b + 1; e = c * d"
AT = {"a": 2, "b": 1}


@pytest.mark.parametrize(
    ("old", "call", "new"),
    [
        ("forward", lambda f: f(COLAH, AT, wrt="b"),
         lambda: cgcli.evaluate(COLAH, AT, mode="forward", wrt="b")),
        ("evaluate_gradient_graph", lambda f: f(COLAH, AT),
         lambda: cgcli.evaluate(COLAH, AT, mode="gradient-graph")),
        ("explain_forward", lambda f: f(COLAH, AT, wrt="b"),
         lambda: cgcli.explain(COLAH, AT, mode="forward", wrt="b")),
        ("symbolic_hessian", lambda f: f("x^2 * y"),
         lambda: cgcli.symbolic_gradient("x^2 * y", order=2)),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)  # fmt: skip
def test_an_old_name_warns_and_gives_what_its_replacement_gives(old, call, new):
    with pytest.warns(DeprecationWarning, match=rf"cgcli\.{old} is deprecated"):
        found = call(getattr(cgcli, old))
    assert repr(found) == repr(new())


def test_the_old_names_are_not_in_all_but_still_import():
    assert set(cgcli.DEPRECATED).isdisjoint(cgcli.__all__)
    for name in cgcli.DEPRECATED:
        assert callable(getattr(cgcli, name)), name


def test_a_mode_keeps_its_result_type():
    assert type(cgcli.evaluate(COLAH, AT)).__name__ == "Evaluation"
    assert type(cgcli.evaluate(COLAH, AT, mode="forward")).__name__ == "ForwardEvaluation"
    assert type(cgcli.evaluate(COLAH, AT, mode="gradient-graph")).__name__ == (
        "GradientGraphEvaluation"
    )
    assert type(cgcli.explain(COLAH, AT, mode="forward")).__name__ == "ForwardExplanation"
    assert type(cgcli.symbolic_gradient(COLAH)).__name__ == "SymbolicGradient"


def test_many_points_from_the_library_write_the_file_the_command_writes(tmp_path, cg):
    points = tmp_path / "in.csv"
    points.write_text("x,y\n1,2\n3,-1\n", encoding="utf-8")
    run = cgcli.evaluate("x*y + sin(x)", points=str(points), out=str(tmp_path / "lib.csv"),
                         check=False)  # fmt: skip
    assert (run.rows, run.math_error_rows, run.ok) == (2, 0, True)
    result = cg("eval", "x*y + sin(x)", "--points", str(points), "--no-check", "--format", "csv")
    assert (tmp_path / "lib.csv").read_text(encoding="utf-8") == result.stdout


def test_wrt_limits_what_an_evaluation_reports():
    result = cgcli.evaluate("(x+y)*z", {"x": 1, "y": 3, "z": -3}, wrt="z,x")
    assert result.reported == ["z", "x"]
    assert result.as_dict(result.reported)["gradient"] == {"z": 4, "x": -3}


# --- the library refuses what the command line refuses, with its messages ------------------

MISUSE = [
    ("a program that is None", lambda: cgcli.evaluate(None), TypeError,
     "program: expected the text of a program (a str) or a parsed Graph, not None"),
    ("a program that is a number", lambda: cgcli.evaluate(123), TypeError,
     "program: expected the text of a program (a str) or a parsed Graph, not 123"),
    ("a program in bytes", lambda: cgcli.evaluate(b"x+1"), TypeError,
     "program: expected the text of a program (a str) or a parsed Graph, not b'x+1'"),
    ("compile(None)", lambda: cgcli.compile(None), TypeError,
     "program: expected the text of a program (a str) or a parsed Graph, not None"),
    ("a value too large for float64", lambda: cgcli.evaluate("x", {"x": 10**400}), ValueError,
     "the value of x is too large for a float64 number (at most about 1.8e308)"),
    ("a value that is True", lambda: cgcli.evaluate("x", {"x": True}), TypeError,
     "the value of x must be a number, not True"),
    ("a time budget given as text", lambda: cgcli.evaluate("x", {"x": 1}, check_timeout="5"),
     TypeError, "check_timeout: expected a number, not the text '5'"),
    ("a time budget that is nan",
     lambda: cgcli.evaluate("x", {"x": 1}, check_timeout=float("nan")), ValueError,
     "check_timeout: nan is not a finite number"),
    ("a time budget below zero", lambda: cgcli.evaluate("x", {"x": 1}, check_timeout=-1),
     ValueError, "check_timeout: -1 is out of range: it must be > 0"),
    ("negative digits", lambda: cgcli.draw("x", digits=-1), ValueError,
     "digits: -1 is out of range: it must be >= 1"),
    ("explain with 40 digits", lambda: cgcli.explain("x", {"x": 1}, digits=40), ValueError,
     "digits: 40 is out of range: it must be <= 17"),
    ("grade_class(None)", lambda: cgcli.grade_class(None, None, []), TypeError,
     "program: expected the text of a program (a str) or a parsed Graph, not None"),
    ("grade_class without sheets", lambda: cgcli.grade_class("x", {"x": 1}, None), TypeError,
     "sheets: expected the sheets: a list of files, folders or mappings; not None"),
    ("grade with a number for answers", lambda: cgcli.grade("x", {"x": 1}, 42), TypeError,
     "answers: expected a sheet"),
    ("train(None)", lambda: cgcli.train(None, {"x": [1]}, target="y", params="w"), TypeError,
     "program: expected the text of a program (a str) or a parsed Graph, not None"),
    ("train on no data", lambda: cgcli.train("w*x", None, target="y", params="w"), TypeError,
     "data: expected the data"),
    ("a batch of 0", lambda: cgcli.train("w*x", {"x": [1], "y": [2]}, target="y",
                                         params="w", batch=0), ValueError,
     "--batch: 0 is out of range: it must be >= 1"),
    ("epochs below 1", lambda: cgcli.train("w*x", {"x": [1], "y": [2]}, target="y",
                                           params="w", epochs=-1), ValueError,
     "--epochs: -1 is out of range: it must be >= 1"),
    ("a learning rate of 0", lambda: cgcli.train("w*x", {"x": [1], "y": [2]}, target="y",
                                                 params="w", lr=0), ValueError,
     "--lr: 0 is out of range: it must be > 0"),
    ("params as a number", lambda: cgcli.train("w*x", {"x": [1], "y": [2]}, target="y",
                                               params=3), TypeError,
     "params: expected the parameters"),
    ("params text naming nothing", lambda: cgcli.train("w*x", {"x": [1], "y": [2]}, target="y",
                                                       params="=0"), ValueError,
     "--params =0: expected NAME or NAME=VALUE"),
    ("a symbolic budget below zero", lambda: cgcli.symbolic_gradient("x^2", timeout=-1),
     ValueError, "--timeout: -1 is out of range: it must be > 0"),
    ("a third order", lambda: cgcli.symbolic_gradient("x^2", order=3), ValueError,
     "order: 3 is out of range: it must be <= 2"),
    ("an unknown mode", lambda: cgcli.evaluate("x", {"x": 1}, mode="sideways"), ValueError,
     "mode: 'sideways' is not one of 'reverse', 'forward', 'gradient-graph'"),
    ("an unknown engine", lambda: cgcli.evaluate("x", {"x": 1}, engine="spark"), ValueError,
     "engine: 'spark' is not one of 'local', 'dask'"),
    ("workers below one", lambda: cgcli.evaluate("x", engine="dask", points="d/*.parquet",
                                                 out="o", workers=-1), ValueError,
     "workers: -1 is out of range: it must be >= 1"),
    ("workers of 0", lambda: cgcli.evaluate("x", engine="dask", points="d/*.parquet", out="o",
                                            workers=0), ValueError,
     "workers: 0 is out of range: it must be >= 1"),
    ("a million workers", lambda: cgcli.evaluate("x", engine="dask", points="d/*.parquet",
                                                 out="o", workers=10**6), ValueError,
     "workers: 1000000 is out of range: it must be <= "),
    ("workers without the Dask engine", lambda: cgcli.evaluate("x", {"x": 1}, workers=2),
     cgcli.UsageError, "--workers is for --engine dask"),
    ("exact with many points", lambda: cgcli.evaluate("x", points="p.csv", out="o.csv",
                                                      exact=True), cgcli.UsageError,
     "--exact is for one point; --points evaluates in float64"),
    ("a value in bytes", lambda: cgcli.evaluate("x*2", {"x": b"1"}), TypeError,
     "the value of x must be a number, not b'1'"),
    ("a name in bytes", lambda: cgcli.evaluate("x*2", {b"x": 1}), TypeError,
     "values: a name is text (a str), not b'x'"),
    ("a name that is none", lambda: cgcli.evaluate("x*2", {"x y": 1}), ValueError,
     "values: 'x y' is not a name"),
    ("a name given twice", lambda: cgcli.evaluate("x*2", {"x": 1, " x": 2}), ValueError,
     "values: x is given twice"),
    ("a blank sheet's name in bytes", lambda: cgcli.blank_sheet("x*2", {b"x": 1}), TypeError,
     "values: a name is text (a str), not b'x'"),
    ("a blank sheet as a PDF", lambda: cgcli.blank_sheet("x*2", {"x": 1}, sheet_format="pdf"),
     ValueError, "sheet_format: 'pdf' is not one of 'markdown', 'csv', 'tsv', 'json', 'latex'"),
    ("a blank sheet asking everything",
     lambda: cgcli.blank_sheet("x*2", {"x": 1}, ask="everything"),
     ValueError, "ask: 'everything' is not one of 'all', 'values', 'gradients'"),
    ("variants as a PDF", lambda: cgcli.variant_sheets("x*2", {"x": 1}, ["x=1..3"], ["ann"], seed=1,
                                                       sheet_format="pdf"),
     ValueError, "sheet_format: 'pdf' is not one of"),
    ("a drawing in an unknown style", lambda: cgcli.draw("x*2", style="weird"), ValueError,
     "style: 'weird' is not one of 'circuit', 'boxes'"),
    ("a sheet keyed by None", lambda: cgcli.grade("x*2", {"x": 1}, {None: 3}), TypeError,
     "answers: a key is a node or a gradient as text (a str), not None"),
    ("a sheet with nothing to grade", lambda: cgcli.grade("x*2", {"x": 1}, {}), ValueError,
     "nothing to grade in answers"),
    ("a weight keyed by None", lambda: cgcli.grade("x*2", {"x": 1}, {"f": 2}, weights={None: 1}),
     TypeError, "weights: expected text (a str), not None"),
    ("a weight in bytes", lambda: cgcli.grade("x*2", {"x": 1}, {"f": 2}, weights={"f": b"1"}),
     TypeError, "weights['f']: b'1' is not a number"),
    ("a negative weight", lambda: cgcli.grade("x*2", {"x": 1}, {"f": 2}, weights={"f": -1}),
     ValueError, "weights['f']: -1 is out of range: it must be >= 0"),
    ("data in bytes", lambda: cgcli.train("w*x", {"x": [b"1"], "y": [2]}, target="y", params="w"),
     TypeError, "column x: the data must be numbers"),
    ("a forward mode with many points", lambda: cgcli.evaluate("x", mode="forward",
                                                               points="p.csv"),
     cgcli.UsageError, "--mode forward is for one point in float64; it does not combine with"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "call", "kind", "message"), MISUSE, ids=[m[0] for m in MISUSE])
def test_the_library_refuses_misuse_with_cgs_own_errors(what, call, kind, message):
    """Each a cg error (exit code and all) that is also the TypeError or ValueError a Python
    user expects, never Python's own error from deep inside."""
    with pytest.raises(cgcli.CgError) as raised:
        call()
    assert isinstance(raised.value, kind), type(raised.value).__mro__
    assert str(raised.value).startswith(message)


def test_a_sheet_file_with_nothing_to_grade_is_an_error_as_on_the_command_line(tmp_path):
    """Never "0 of 0 asked": the library raises what ``cg check`` says (exit 2)."""
    sheet = tmp_path / "z.json"
    sheet.write_text('{"zz": 3}')
    with pytest.raises(cgcli.ArgumentValueError) as raised:
        cgcli.grade("c = a + b; e = c * b", {"a": 2, "b": 1}, str(sheet))
    assert str(raised.value) == f"nothing to grade in {sheet}"
    assert raised.value.exit_code == 2


def test_a_graph_is_plain_immutable_data():
    """Graph keeps what it had as a frozen dataclass: fields and defaults, equality by
    fields, the same repr, no assignment, and a changed copy by ``replace``."""
    graph = cgcli.parse("x*y")
    assert repr(graph) == (
        "Graph(nodes=<NodeTable of 3 nodes>, source='x*y', output=2, "
        "bindings=mappingproxy({'x': 0, 'y': 1}), assigned=frozenset(), statements=1, "
        "loops=(), step_texts=mappingproxy({}))"
    )
    assert graph == cgcli.parse("x*y")
    assert graph != cgcli.parse("x*z")
    with pytest.raises(AttributeError, match="cannot assign to field 'output'"):
        graph.output = 0
    with pytest.raises(AttributeError, match="cannot delete field 'source'"):
        del graph.source
    with pytest.raises(TypeError, match="unhashable"):
        hash(graph)
    first = graph.replace(output=0)
    assert (first.output, first.source, first.bindings) == (0, "x*y", graph.bindings)
    assert graph.output == 2
    with pytest.raises(TypeError, match="no field 'outputs'"):
        graph.replace(outputs=0)
    plain = cgcli.Graph(graph.nodes, "x*y", 2, {"x": 0, "y": 1}, frozenset())
    assert (plain.statements, plain.loops, dict(plain.step_texts)) == (1, (), {})


def test_an_evaluation_is_plain_immutable_data():
    """Evaluation keeps what it had as a frozen dataclass: fields and defaults, equality
    by fields, no assignment; ``reporting`` makes the changed copy."""
    result = cgcli.evaluate("x*y", {"x": 2, "y": 3}, check=False)
    assert repr(result) == "<Evaluation f = 6; ∂f/∂x = 3, ∂f/∂y = 2; check: not checked>"
    assert result == cgcli.evaluate("x*y", {"x": 2, "y": 3}, check=False)
    assert result != cgcli.evaluate("x*y", {"x": 2, "y": 4}, check=False)
    assert (result.warnings, result.exact, result.wrt, result.truncate) == ([], None, None, None)
    assert (result.steps, result.shapes) == (None, None)
    with pytest.raises(AttributeError, match="cannot assign to field 'value'"):
        result.value = 0.0
    reporting = result.reporting(["x"])
    assert (reporting.wrt, reporting.value, result.wrt) == (("x",), 6.0, None)
    assert reporting.replace(wrt=None) == result
