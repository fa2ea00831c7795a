"""Start-up pays only for what runs: one scalar point, evaluated without a check and
written as JSON or as the text table, imports no typing, no dataclasses, no exact
numbers, no NumPy or SymPy, none of the machinery of loops and arrays, and no module of
cg that the run does not need. A program with a loop or an array imports what it needs
when it needs it, and evaluates as before.

Each case runs in a fresh interpreter: the test's own process has imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

ONE_POINT = """
import io, json, sys
from cgcli.core.parser import parse
from cgcli.core.limits import DEFAULT_LIMITS
from cgcli.passes.values import parse_assignments
from cgcli.api.evaluate import evaluate
from cgcli.render.json_doc import write_json
from cgcli.render.formats import render_point
from cgcli.core.files import refuse_overwriting
from cgcli.core.errors import CgError, UsageError
from cgcli.core.untrusted import visible
from cgcli.core import cleanup

refuse_overwriting(None, "-o", [("-f", None), ("--points", None)])
graph = parse("(x+y)*z", DEFAULT_LIMITS)
result = evaluate(graph, parse_assignments(["x=1", "y=3", "z=-3"]), check="none")
out = io.StringIO()
if FORMAT == "json":
    write_json(result, out, result.reported)
else:
    out.write(render_point(result, "table", 6, result.reported, False))
loaded = sorted(sys.modules)
"""
"""What ``cg eval "(x+y)*z" x=1 y=3 z=-3 --no-check`` asks of the library."""

ABSENT = (
    "typing",
    "dataclasses",
    "inspect",
    "fractions",
    "decimal",
    "pathlib",
    "tempfile",
    "random",
    "numpy",
    "sympy",
    "mpmath",
    "rich",
    "click",
    "cgcli.core.array_ops",
    "cgcli.passes.arrays",
    "cgcli.core.loops",
    "cgcli.core.indexing",
)
ABSENT_PACKAGES = ("cgcli.check", "cgcli.page", "cgcli.data")

NEEDED = {
    "cgcli",
    "cgcli.api",
    "cgcli.api.evaluate",
    "cgcli.api.evaluation",
    "cgcli.core",
    "cgcli.core._grammar_tables",
    "cgcli.core.arguments",
    "cgcli.core.builder",
    "cgcli.core.cleanup",
    "cgcli.core.errors",
    "cgcli.core.files",
    "cgcli.core.frozen",
    "cgcli.core.ir",
    "cgcli.core.lalr",
    "cgcli.core.limits",
    "cgcli.core.node_table",
    "cgcli.core.numbers",
    "cgcli.core.ops",
    "cgcli.core.parser",
    "cgcli.core.sink",
    "cgcli.core.untrusted",
    "cgcli.core.verdicts",
    "cgcli.passes",
    "cgcli.passes.engine",
    "cgcli.passes.values",
    "cgcli.render",
    "cgcli.render.formats",
    "cgcli.render.json_doc",
    "cgcli.render.table",
}
"""The modules of cg the run needs: the parser and the graph, the op table, the passes,
the values, evaluate() and its result, the renderers, and the modules the CLI imports
beside them (files, cleanup)."""


def run(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; the JSON it printed last."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def one_point(output_format: str) -> dict:
    report = "print(json.dumps({'modules': loaded, 'output': out.getvalue()}))"
    return run(f"FORMAT = {output_format!r}\n{ONE_POINT}\n{report}")


@pytest.mark.parametrize("output_format", ["json", "table"])
def test_one_scalar_point_imports_only_what_it_runs(output_format):
    found = one_point(output_format)
    modules = set(found["modules"])
    heavy = sorted(
        m
        for m in modules
        if m in ABSENT or m.split(".")[0] in ABSENT or m.startswith(ABSENT_PACKAGES)
    )
    assert heavy == []
    assert {m for m in modules if m.split(".")[0] == "cgcli"} == NEEDED
    if output_format == "json":  # the run itself is right: (1 + 3)·(-3), by hand
        doc = json.loads(found["output"])
        assert doc["value"] == -12.0
        assert doc["gradient"] == {"x": -3.0, "y": -3.0, "z": 4.0}
        assert doc["check"]["method"] == "none"
    else:
        summary = found["output"].split("\n\n")[1].splitlines()
        assert summary == [
            "f = -12  -",
            "∂f/∂x = -3  -",
            "∂f/∂y = -3  -",
            "∂f/∂z = 4  -",
            "check: skipped (--no-check)",
        ]


def test_a_loop_and_an_array_still_evaluate_after_the_lean_start():
    """After the scalar run, a loop, exact arithmetic and an array import what they need
    lazily, and their numbers are the hand-worked ones."""
    after = """
loop = evaluate(
    parse("h = 0\\nfor t in 1..3:\\n    h = h + x*t\\nL = h", DEFAULT_LIMITS),
    parse_assignments(["x=2"]),
    check="none",
)
exact = evaluate(parse("x/3", DEFAULT_LIMITS), parse_assignments(["x=1"]), exact=True,
    check="none")
array = evaluate("L = sum(W @ v)", {"W": [[1, 2], [3, 4]], "v": [5, -1]}, check="none")
print(json.dumps({
    "loop": [loop.value, loop.gradient],
    "exact": [exact.exact.form(exact.exact.values[exact.graph.output]).text],
    "array": [float(array.value), array.gradient["v"].tolist(), array.gradient["W"].tolist()],
    "loaded": sorted(set(sys.modules) - set(loaded)),
}))
"""
    found = run(f"FORMAT = 'json'\n{ONE_POINT}\n{after}")
    # h = x·1 + x·2 + x·3 = 6x
    assert found["loop"] == [12.0, {"x": 6.0}]
    assert found["exact"] == ["1/3"]
    # L = (W v)₁ + (W v)₂ = (5 - 2) + (15 - 4) = 14; ∂L/∂v = Wᵀ·1 = (4, 6); ∂L/∂W = 1·vᵀ
    assert found["array"] == [14.0, [4.0, 6.0], [[5.0, -1.0], [5.0, -1.0]]]
    loaded = set(found["loaded"])
    assert {"cgcli.core.loops", "cgcli.core.indexing", "fractions"} <= loaded
    assert {"cgcli.core.array_ops", "cgcli.passes.arrays", "numpy"} <= loaded


def test_the_text_table_imports_no_json():
    """The plain table, cg eval's default, needs no JSON encoder: ``json`` (with its
    decoder and scanner) is imported only where JSON is written."""
    code = """
import sys
from cgcli.core.limits import DEFAULT_LIMITS
from cgcli.core.parser import parse
from cgcli.passes.values import parse_assignments
from cgcli.api.evaluate import evaluate
from cgcli.render.formats import render_point

values = parse_assignments(["x=1", "y=3", "z=-3"])
result = evaluate(parse("(x+y)*z", DEFAULT_LIMITS), values, check="none")
text = render_point(result, "table", 6, result.reported, False)
loaded = [m for m in sys.modules if m.split(".")[0] == "json"]
import json
print(json.dumps({"json": loaded, "summary": text.split("\\n\\n")[1].splitlines()[:2]}))
"""
    found = run(code)
    assert found["json"] == []
    assert found["summary"] == ["f = -12  -", "∂f/∂x = -3  -"]
