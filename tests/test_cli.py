"""The command line: exact output, JSON schema, errors and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SEED_TABLE = """\
node  op     inputs  text     value  ∂f/∂node  check
x     input          x            1        -3  ✓
y     input          y            3        -3  ✓
v1    add    x, y    x+y          4        -3  ✓
z     input          z           -3         4  ✓
f     mul    v1, z   (x+y)*z    -12         1  ✓

f = -12  ✓
∂f/∂x = -3  ✓
∂f/∂y = -3  ✓
∂f/∂z = 4  ✓
check: sympy, all agree (tolerance relative 1e-09 + absolute 1e-12)
"""


def test_seed_example_table(cg):
    result = cg("eval", "(x+y)*z", "x=1", "y=3", "z=-3")
    assert result.exit_code == 0
    assert result.stdout == SEED_TABLE


def test_seed_example_with_named_intermediate(cg):
    result = cg("eval", "p = x + y; g = p * z", "x=1", "y=3", "z=-3", "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["output"] == "g"
    assert doc["value"] == -12
    assert doc["gradient"] == {"x": -3, "y": -3, "z": 4}
    p = next(n for n in doc["nodes"] if n["name"] == "p")
    assert (p["value"], p["grad"]) == (4, -3)
    assert doc["check"]["ok"] is True


def test_json_schema(cg):
    result = cg("eval", "(x+y)*z", "x=1", "y=3", "z=-3", "--format", "json")
    doc = json.loads(result.stdout)
    assert set(doc) >= {"output", "value", "gradient", "nodes", "check"}
    assert doc["output"] == "f"
    assert doc["value"] == -12.0
    assert doc["gradient"] == {"x": -3.0, "y": -3.0, "z": 4.0}
    assert doc["nodes"][2] == {
        "id": "n3",
        "name": None,
        "version": None,
        "label": "v1",
        "op": "add",
        "inputs": ["n1", "n2"],
        "text": "x+y",
        "span": [1, 4],
        "value": 4.0,
        "grad": -3.0,
    }
    for node in doc["nodes"]:
        assert set(node) >= {"id", "name", "op", "inputs", "text", "value", "grad"}
        assert isinstance(node["id"], str)
    check = doc["check"]
    assert check["ok"] is True
    assert check["method"] == "sympy"
    assert check["tolerance"] == {"relative": 1e-9, "absolute": 1e-12}
    assert check["nodes"]["n1"] == {"status": "ok", "expected": -3.0}


def test_json_writes_non_finite_numbers_as_strings(cg):
    result = cg("eval", "sqrt(x)", "x=0", "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["gradient"] == {"x": "inf"}
    assert result.exit_code == 0


def test_no_check(cg):
    result = cg("eval", "x*y", "x=2", "y=3", "--no-check", "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["check"]["method"] == "none"
    assert doc["check"]["ok"] is True


def test_no_check_does_not_import_sympy():
    code = (
        "import sys; from cgcli.cli import main\n"
        "try:\n    main(['eval', 'x*y', 'x=2', 'y=3', '--no-check'])\n"
        "except SystemExit:\n    pass\n"
        "print('sympy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("False")


@pytest.mark.parametrize("output_format", ["json", "table", "csv"])
def test_no_check_imports_no_check_module_no_numpy_and_no_sympy(output_format):
    """Start-up pays only for what runs: --no-check leaves the check, SymPy, mpmath and
    NumPy unimported, whatever the output format."""
    code = (
        "import sys; from cgcli.cli import main\n"
        "try:\n"
        f"    main(['eval', 'x*y', 'x=2', 'y=3', '--no-check', '--format', '{output_format}'])\n"
        "except SystemExit:\n    pass\n"
        "heavy = ('sympy', 'numpy', 'mpmath', 'cgcli.check', 'pyarrow', 'rich')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or "
        "m.startswith('cgcli.check')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_digits(cg):
    result = cg("eval", "sigmoid(x)", "x=1", "--digits", "3", "--no-check")
    assert "f = 0.731" in result.stdout
    result = cg("eval", "sigmoid(x)", "x=1", "--no-check")
    assert "f = 0.731059" in result.stdout
    result = cg("eval", "sigmoid(x)", "x=1", "--no-check", "--format", "json")
    assert json.loads(result.stdout)["value"] == 0.7310585786300049


def test_program_starting_with_minus(cg):
    result = cg("eval", "-x^2", "x=3", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["gradient"] == {"x": -6.0}
    result = cg("eval", "--format", "json", "-x*y", "x=2", "y=5")
    assert json.loads(result.stdout)["value"] == -10.0


def test_program_from_file_and_stdin(cg, tmp_path):
    path = tmp_path / "seed.cg"
    path.write_text("p = x + y\ng = p * z\n", encoding="utf-8")
    result = cg("eval", "-f", str(path), "x=1", "y=3", "z=-3", "--format", "json")
    assert json.loads(result.stdout)["value"] == -12
    result = cg("eval", "-", "x=1", "y=3", "z=-3", "--format", "json", input="(x+y)*z")
    assert json.loads(result.stdout)["value"] == -12
    result = cg("eval", "-f", "-", "x=2", "--format", "json", input="x^3")
    assert json.loads(result.stdout)["gradient"] == {"x": 12.0}


def test_output_option(cg):
    result = cg("eval", "p = x + y; g = p * z", "x=1", "y=3", "z=-3", "--output", "p")
    assert "∂p/∂z = 0" in result.stdout
    result = cg("eval", "p = x + y", "x=1", "y=3", "--output", "q")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "cg: usage error: --output q: no such name in the program (names: p, x, y)\n"
    )


@pytest.mark.parametrize(
    ("args", "stderr", "code"),
    [
        (
            ["(x+y"],
            "cg: syntax error: 1:5: unexpected end of input: expected ')'\n  (x+y\n      ^\n",
            2,
        ),
        (
            ["2x", "x=1"],
            "cg: syntax error: 1:2: unexpected name 'x'; missing operator: did you mean 2*x?\n"
            "  2x\n   ^\n",
            2,
        ),
        (
            ["sine(x)", "x=1"],
            "cg: syntax error: 1:1: unknown function sine; did you mean sin?\n  sine(x)\n  ^\n",
            2,
        ),
        (
            ["a = 1\nb = a +* 2"],
            "cg: syntax error: 2:8: unexpected '*': expected a number, a name or '('\n"
            "  b = a +* 2\n         ^\n",
            2,
        ),
        (
            ["x − 1", "x=1"],
            "cg: syntax error: 1:3: unexpected character '−' (U+2212 MINUS SIGN); "
            "did you mean '-'?\n  x − 1\n    ^\n",
            2,
        ),
        (
            ["x", "x=1+"],
            "cg: syntax error in the value of x: 1:3: unexpected end of input: "
            "expected a number, a name or '('\n  1+\n    ^\n",
            2,
        ),
        (["(x+y)*z", "x=1"], "cg: usage error: missing values for y, z (give y=... z=...)\n", 2),
        (["x", "x=1", "x=2"], "cg: usage error: x is given twice\n", 2),
        (["x", "x"], "cg: usage error: expected NAME=VALUE, got 'x'\n", 2),
        (
            ["log(x)", "x=-1"],
            "cg: math error: 1:1: node f = log(x): log of a negative number in log(-1)\n",
            3,
        ),
        (
            ["y = 1/x", "x=0"],
            "cg: math error: 1:5: node y = 1/x: division by zero in div(1, 0)\n",
            3,
        ),
        (
            ["sqrt(x - 2)", "x=1"],
            "cg: math error: 1:1: node f = sqrt(x - 2): square root of a negative number "
            "in sqrt(-1)\n",
            3,
        ),
        (
            ["exp(x)", "x=1000"],
            "cg: math error: 1:1: node f = exp(x): result overflows a float64 in exp(1000)\n",
            3,
        ),
    ],
)
def test_errors(cg, args, stderr, code):
    result = cg("eval", *args)
    assert (result.stderr, result.exit_code) == (stderr, code)
    assert result.stdout == ""


def test_unused_value_warns_on_stderr(cg):
    result = cg("eval", "x + 1", "x=1", "w=2", "--no-check")
    assert result.exit_code == 0
    assert result.stderr == "cg: warning: w is not used by the program; its value is ignored\n"


def test_check_failure_exits_1(cg, monkeypatch):
    from cgcli.core import ops

    wrong = ops.Op("sin", 1, ops.math.sin, lambda a, o: (2.0,), lambda s, a: s.sin(a))
    monkeypatch.setitem(ops.FUNCTIONS, "sin", wrong)
    result = cg("eval", "sin(x)", "x=0.5")
    assert result.exit_code == 1
    assert "✗" in result.stdout
    assert "MISMATCH" in result.stdout


def test_help_lists_exit_codes(cg):
    for args in (["--help"], ["eval", "--help"]):
        result = cg(*args)
        assert "Exit codes:" in result.stdout
        assert "3  math error" in result.stdout


def test_python_dash_m():
    out = subprocess.run(
        [sys.executable, "-m", "cgcli", "eval", "(x+y)*z", "x=1", "y=3", "z=-3"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0
    assert out.stdout == SEED_TABLE


@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False)])
def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch, no_color, coloured):
    import io

    from rich.console import Console

    from cgcli import evaluate
    from cgcli.render.table import print_rich

    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    buffer = io.StringIO()
    result = evaluate("(x+y)*z", {"x": 1, "y": 3, "z": -3})
    print_rich(result, 6, ["x", "y", "z"], Console(file=buffer, force_terminal=True, width=100))
    text = buffer.getvalue()
    assert "∂f/∂z = 4" in text
    assert ("\x1b[32m" in text) is coloured


@pytest.mark.parametrize("shell", ["bash"])
def test_completion_script_loads(shell):
    """The completion line of docs/commands.md defines cg's completion in a real shell."""
    import shutil

    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    script = subprocess.run(
        [sys.executable, "-m", "cgcli"],
        env={**os.environ, "_CG_COMPLETE": f"{shell}_source"},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "_cg_completion" in script
    done = subprocess.run(
        [shell, "-c", f"{script}\ncomplete -p cg"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "_cg_completion" in done.stdout


def test_completion_offers_commands_and_options():
    env = {**os.environ, "_CG_COMPLETE": "bash_complete", "COMP_WORDS": "cg eval --form",
           "COMP_CWORD": "2"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "cgcli"], env=env, capture_output=True, text=True)
    assert done.stdout.split() == ["plain,--format"]


@pytest.mark.parametrize("name", ["eval", "graph", "explain", "check", "grad", "train"])
def test_help_lists_own_options_then_limits_then_examples(cg, name):
    from cgcli.cli import EXAMPLES

    text = cg(name, "--help").stdout
    assert text.index("Options:") < text.index("Input limits:") < text.index("Examples:")
    assert text.index("--max-size") > text.index("Input limits:")
    for example in EXAMPLES[name]:
        assert example in text
