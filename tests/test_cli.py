"""The command line: exact output, JSON schema, errors and exit codes."""

from __future__ import annotations

import json
import re
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


@pytest.mark.parametrize(
    "options",
    [
        ["--format", "json"],
        ["--format", "table"],
        ["--format", "csv"],
        ["--mode", "forward", "--wrt", "x"],
        ["--tangent", "x=1"],
        ["--grad-graph"],
    ],
)
def test_no_check_imports_no_check_module_no_numpy_and_no_sympy(options):
    """Start-up pays only for what runs: --no-check leaves the check, SymPy, mpmath,
    NumPy and the many-points engines unimported, whatever the output format or mode."""
    code = (
        "import sys; from cgcli.cli import main\n"
        "try:\n"
        f"    main(['eval', 'x*y', 'x=2', 'y=3', '--no-check', *{options!r}])\n"
        "except SystemExit:\n    pass\n"
        "heavy = ('sympy', 'numpy', 'mpmath', 'pyarrow', 'rich', 'dask')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or "
        "m.startswith(('cgcli.check', 'cgcli.data'))))"
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


def test_of_option(cg):
    result = cg("eval", "p = x + y; g = p * z", "x=1", "y=3", "z=-3", "--of", "p")
    assert "∂p/∂z = 0" in result.stdout
    assert result.stderr == ""
    result = cg("eval", "p = x + y", "x=1", "y=3", "--of", "q")
    assert result.exit_code == 2
    assert result.stderr == (
        "cg: usage error: --of q: no such name in the program (names: p, x, y)\n"
    )


def test_output_is_the_old_name_of_of_and_warns(cg):
    old = cg("eval", "p = x + y; g = p * z", "x=1", "y=3", "z=-3", "--output", "p", "--no-check")
    new = cg("eval", "p = x + y; g = p * z", "x=1", "y=3", "z=-3", "--of", "p", "--no-check")
    assert (old.stdout, old.exit_code) == (new.stdout, 0)
    assert old.stderr == (
        "cg: warning: --output is deprecated and will be removed in the next release: it is "
        "now --of p (the node to differentiate); -o/--out writes a file\n"
    )
    assert "--output" not in cg("eval", "--help").stdout
    result = cg("eval", "p = x", "x=1", "--output", "q")
    assert result.stderr.endswith(
        "cg: usage error: --output q: no such name in the program (names: p, x)\n"
    )
    result = cg("eval", "p = x", "x=1", "--output", "p", "--of", "p")
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        2,
        "cg: usage error: --output is the old name of --of: give --of alone",
    )


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["page", "q = x + y; f = q * z", "x=1", "y=3", "z=-3", "--output", "seed.html"],
         "--output seed.html: no such name in the program; to write a file, did you mean "
         "-o seed.html?"),
        (["graph", "(a+b)*(b+1)", "a=2", "b=1", "--output", "g.svg"],
         "--output g.svg: no such name in the program; to write a file, did you mean -o g.svg?"),
        (["graph", "(a+b)*(b+1)", "--of=out/g.png"],
         "--of out/g.png: no such name in the program; to write a file, did you mean "
         "-o out/g.png?"),
        (["eval", "x*y", "x=1", "y=2", "--of", "out.csv"],
         "--of out.csv: no such name in the program; to write a file, did you mean -o out.csv "
         "(with --points), or > out.csv?"),
        (["explain", "x*y", "x=1", "y=2", "--of", "steps.tex"],
         "--of steps.tex: no such name in the program; to write a file, redirect the output: "
         "> steps.tex"),
        (["sheet", "q = x + y; f = q * z", "x=-2", "y=5", "z=-4", "--output", "s.csv"],
         "--output s.csv: no such name in the program; to write a file, redirect the output: "
         "--format csv > s.csv (-o is a folder, with --roster)"),
        (["sheet", "q = x + y; f = q * z", "x=-2", "y=5", "z=-4", "-o", "s.csv"],
         "-o is for a sheet per student: give --roster FILE.csv; for one sheet, redirect the "
         "output: --format csv > s.csv"),
        (["sheet", "q = x + y; f = q * z", "x=-2", "y=5", "z=-4", "-o", "s.md"],
         "-o is for a sheet per student: give --roster FILE.csv; for one sheet, redirect the "
         "output: > s.md"),
    ],
)  # fmt: skip
def test_a_file_name_for_the_output_node_suggests_the_file_option(cg, args, hint):
    result = cg(*args)
    assert (result.stdout, result.stderr, result.exit_code) == ("", f"cg: usage error: {hint}\n", 2)


def test_the_library_names_its_keyword():
    from cgcli import evaluate
    from cgcli.core.errors import UsageError

    message = r"^output='q': no such name in the program \(names: p, x\)$"
    with pytest.raises(UsageError, match=message):
        evaluate("p = x", {"x": 1}, output="q")


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
        (  # f = 1e200 is a float64, but f'(x) = -1/x² = -1e400 is not
            ["1/x", "x=1e-200"],
            "cg: math error: 1:1: node f = 1/x: local derivative overflows a float64 "
            "in div(1, 1e-200)\n",
            3,
        ),
        (  # 1/x = 1e320 overflows on the way to (y/y)' = 1/y - y/y² = 0
            ["y/y", "y=1e-320"],
            "cg: math error: 1:1: node f = y/y: local derivative overflows a float64 "
            "in div(1e-320, 1e-320)\n",
            3,
        ),
        (  # each local derivative is 1e200; their product, ∂f/∂x, is 1e400
            ["sin(1e200 * sin(1e200 * x))", "x=1e-300"],
            "cg: math error: 1:17: node v1 = 1e200 * x: the gradient ∂f/∂x overflows a "
            "float64 in mul(1e+200, 1e-300)\n",
            3,
        ),
        (  # the same in forward mode: the tangent of 1e200·sin(...) is 1e200 · 1e200
            ["sin(1e200 * sin(1e200 * x))", "x=1e-300", "--mode", "forward", "--wrt", "x"],
            "cg: math error: 1:5: node v3 = 1e200 * sin(1e200 * x): its tangent overflows a "
            "float64 in mul(1e+200, 1e-100)\n",
            3,
        ),
        (  # over arrays as over scalars, naming the entry: -1/x² = -1e400 at x[1]
            ["f = sum(1/x)", "x=[1e-200, 2]"],
            "cg: math error: 1:9: node v1 = 1/x: local derivative overflows a float64 "
            "in div(1, 1e-200) at entry [1]\n",
            3,
        ),
        (  # the upstream 1e300 times the local 1e300, at the second entry of a matrix
            ["f = 1e300 * sum(1e-300 * x * 1e300)", "x=[[1, 0], [0, 1]]"],
            "cg: math error: 1:17: node v2 = 1e-300 * x * 1e300: the gradient ∂f/∂v1 "
            "overflows a float64 in mul(1e-300, 1e+300) at entry [1, 1]\n",
            3,
        ),
        (  # two shares of 1e308 each: their sum is 2e308
            ["f = sum(x*1e308) + sum(x*1e308)", "x=[1e-10, 0]"],
            "cg: math error: 1:9: node v1 = x*1e308: the gradient ∂f/∂x overflows a float64 "
            "at entry [1]\n",
            3,
        ),
        (  # an op on whole arrays: ∂f/∂A = 1e300 · Bᵀ = 1e310
            ["f = 1e300 * sum(A @ B)", "A=[[1e-300, 1]]", "B=[[1e10], [1]]"],
            "cg: math error: 1:17: node v1 = A @ B: the gradient ∂f/∂A overflows a float64 "
            "at entry [1, 1]\n",
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
    """The whole process, the check's SymPy worker included; a subprocess keeps the real
    clock, so its budget is an hour, which a cold start of SymPy on a busy machine cannot
    miss (at the default 5 s it could, and the ✓ would become the high-precision check's)."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "cgcli",
            "eval",
            "(x+y)*z",
            "x=1",
            "y=3",
            "z=-3",
            "--check-timeout",
            "3600",
        ],
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


@pytest.mark.parametrize("name", ["eval", "graph", "explain", "check", "grad", "train"])
def test_help_lists_own_options_then_limits_then_examples(cg, name):
    from cgcli.cli.options import EXAMPLES

    text = cg(name, "--help").stdout
    assert text.index("Options:") < text.index("Input limits:") < text.index("Examples:")
    assert text.index("--max-size") > text.index("Input limits:")
    for example in EXAMPLES[name]:
        assert example in text


def help_texts(cg) -> dict[str, str]:
    """The help of cg and of each of its commands."""
    from cgcli.cli.group import COMMANDS

    return {name: cg(*([name] if name else []), "--help").stdout for name in ["", *COMMANDS]}


def test_cg_help_shows_each_command_whole(cg):
    """Each command's line in `cg --help` is its whole short help, never cut short."""
    import click

    from cgcli.cli.group import COMMANDS
    from cgcli.cli.group import cg as main

    text = cg("--help").stdout
    ctx = click.Context(main)
    for name in COMMANDS:
        short = main.get_command(ctx, name).short_help
        assert short and not short.endswith("..."), name
        assert re.search(rf"^  {re.escape(name)} +{re.escape(short)}$", text, re.M), name


def test_help_points_to_pages_of_the_docs_not_to_files(cg):
    """A pip user has no docs/ folder: the help says how to read a page (cg docs)."""
    for name, text in help_texts(cg).items():
        assert "docs/" not in text, name
    assert "(cg docs output describes each)" in " ".join(help_texts(cg)["eval"].split())


def test_the_program_is_in_the_usage_line_only(cg):
    """PROGRAM [NAME=VALUE]... is an argument: the usage line shows it, no option list."""
    for name, text in help_texts(cg).items():
        first, *rest = text.splitlines()
        assert all("PROGRAM" not in line or "=" not in line for line in rest
                   if line.startswith("  -")), name  # fmt: skip
        assert "PROGRAM [NAME=VALUE]..." not in "\n".join(rest), name
        if name not in ("", "example-data", "docs"):
            assert first == f"Usage: cg {name} [OPTIONS] PROGRAM [NAME=VALUE]...", name


@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False)])
def test_check_has_the_look_of_eval_on_a_terminal(monkeypatch, no_color, coloured):
    """cg check's grades through rich, as cg eval's table: the program as the title, each
    verdict in colour (✓ green, ✗ bold red), the score red when an answer is wrong."""
    import io

    from rich.console import Console

    from cgcli import grade_class
    from cgcli.grading.sheets import sheet_from_pairs
    from cgcli.render.grades import print_rich

    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    program = "q = x + y; f = q * z"
    sheet = sheet_from_pairs([("q", "3"), ("dq", "4")])
    grades = grade_class(program, {"x": -2, "y": 5, "z": -4}, [sheet])
    buffer = io.StringIO()
    print_rich(grades, True, program, Console(file=buffer, force_terminal=True, width=120))
    text = buffer.getvalue()
    assert f"cg check: {program}" in text
    assert "┃ answer ┃" in re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert ("\x1b[32m✓ right" in text) is coloured
    assert ("\x1b[1;31m✗ sign error at f = q * z" in text) is coloured
    assert ("\x1b[1;31m1 of 2 asked right" in text) is coloured
    assert "1 of 2 asked right" in text


def test_a_class_has_the_same_look_on_a_terminal(monkeypatch):
    import io

    from rich.console import Console

    from cgcli import grade_class
    from cgcli.grading.sheets import sheet_from_pairs
    from cgcli.render.grades import print_rich, render_class

    monkeypatch.delenv("NO_COLOR", raising=False)
    program = "q = x + y; f = q * z"
    sheets = [sheet_from_pairs([("q", "3"), ("dq", "-4")]), sheet_from_pairs([("q", "7")])]
    grades = grade_class(program, {"x": -2, "y": 5, "z": -4}, sheets)
    buffer = io.StringIO()
    print_rich(grades, False, program, Console(file=buffer, force_terminal=True, width=120))
    plain_text = re.sub(r"\x1b\[[0-9;]*m", "", buffer.getvalue())
    tail = render_class(grades).splitlines()[-1]
    assert tail == (
        "2 sheets graded, 1 all right; mixed denominators: 1 sheet asks 2, 1 sheet asks 1; "
        "each score is out of its own sheet's questions"
    )
    assert "\x1b[1;31m2 sheets graded, 1 all right; mixed" in buffer.getvalue()
    assert tail in " ".join(plain_text.split())  # rich wraps the long line
    assert "┃ student" in plain_text and "┃ question" in plain_text


def test_one_point_csv_writes_numbers_and_lists_as_many_points_and_the_sheet_do(cg):
    """The node row of x+y reads the same in eval's CSV, TSV and the blank sheet's CSV, and
    a value is written as --points writes it."""
    args = ["p = x + y; g = p * z", "x=1", "y=3", "z=1e-7"]
    csv_rows = cg("eval", *args, "--format", "csv", "--no-check").stdout.splitlines()
    assert csv_rows[3] == 'p,add,"x, y",x + y,4,1e-7,'
    tsv_rows = cg("eval", *args, "--format", "tsv", "--no-check").stdout.splitlines()
    assert tsv_rows[3] == "p\tadd\tx, y\tx + y\t4\t1e-7\t"
    sheet = cg("sheet", *args, "--format", "csv").stdout
    assert 'p,add,"x, y",x + y,,' in sheet
    points = cg("eval", "p = x + y; g = p * z", "--points", "-", "--format", "csv", "--no-check",
                input="x,y,z\n1,3,1e-7\n").stdout  # fmt: skip
    assert points.splitlines()[1] == "1,3,1e-7,4e-7,1e-7,1e-7,4"


def test_machine_numbers_are_pyarrow_s():
    """The one-point CSV's numbers without pyarrow, exactly as pyarrow writes --points."""
    import numpy as np
    import pyarrow as pa

    from cgcli.core.numbers import machine_number

    rng = np.random.default_rng(7)
    values = (rng.standard_normal(5000) * 10.0 ** rng.integers(-30, 30, 5000)).tolist()
    values += rng.integers(0, 2**63, 5000, dtype=np.int64).view(np.float64).tolist()
    values += [10.0**k for k in range(-320, 308)] + [float(k) for k in range(-50, 50)]
    values += [0.0, -0.0, float("inf"), -float("inf"), float("nan"), 5e-324, 9999999999.5, 1e10]
    written = pa.array(values, pa.float64()).cast(pa.string()).to_pylist()
    assert [machine_number(v) for v in values] == written


def test_docs_lists_the_pages_and_prints_one(cg):
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs"
    listing = cg("docs")
    assert listing.exit_code == 0
    names = [
        line.split()[0] for line in listing.stdout.splitlines()[: len(list(docs.glob("*.md")))]
    ]
    assert names == sorted(p.stem for p in docs.glob("*.md"))
    page = cg("docs", "language")
    assert page.stdout == (docs / "language.md").read_text(encoding="utf-8")
    assert cg("docs", "language.md").stdout == page.stdout
    missing = cg("docs", "outptu")
    assert missing.exit_code == 2
    assert missing.stderr.startswith("cg: usage error: no docs page 'outptu'; the pages are ")


def test_every_help_that_names_a_docs_page_says_how_to_read_it(cg):
    from cgcli.cli.group import COMMANDS

    for name in COMMANDS:
        text = cg(name, "--help").stdout
        assert "page of the docs" not in text and "docs/" not in text, name


@pytest.mark.parametrize("output_format", ["csv", "tsv", "markdown", "latex"])
def test_grad_alone_in_a_format_it_does_not_write_is_refused(cg, output_format):
    """--grad prints NAME VALUE lines: it printed them under --format csv too, silently."""
    result = cg("eval", "x*y", "x=1", "y=2", "--grad", "--format", output_format)
    assert (result.stdout, result.exit_code) == ("", 2)
    assert result.stderr == (
        f"cg: usage error: --grad prints NAME VALUE lines, or an object with --format json, "
        f"not {output_format}: drop --grad for the {output_format} table of every node, "
        "gradients included\n"
    )
    assert cg("eval", "x*y", "x=1", "y=2", "--grad").stdout == "x 2\ny 1\n"


def test_o_with_a_node_s_name_suggests_of(cg):
    result = cg("eval", "a = x*y; a + 1", "x=1", "y=2", "-o", "a")
    assert result.stderr == (
        "cg: usage error: -o is for --points; redirect the output of one point with >, or did "
        "you mean --of a (the node to differentiate)?\n"
    )
    other = cg("eval", "a = x*y; a + 1", "x=1", "y=2", "-o", "b")
    assert other.stderr == (
        "cg: usage error: -o is for --points; redirect the output of one point with >\n"
    )


def test_the_text_table_gives_a_wide_character_two_columns(cg):
    """損 takes two columns of a terminal (East Asian width W): the columns after it stay
    aligned, as they do after a one-column name."""
    out = cg("eval", "損 = x*2; 損 + 1", "x=1", "--no-check").stdout
    assert out.splitlines()[:4] == [
        "node  op     inputs  text    value  ∂f/∂node  check",
        "x     input          x           1         2  -",
        "損    mul    x, 2    x*2         2         1  -",
        "f     add    損, 1   損 + 1      3         1  -",
    ]


def test_numpy_floating_point_warnings_are_left_out_and_others_become_cg_lines(capsys):
    """cg reports overflow and invalid values itself, so numpy's warnings of them are not
    shown (matched in any case, RuntimeWarning only); any other warning is one cg line."""
    import warnings

    import numpy

    from cgcli.cli.reporting import _warnings_as_messages

    with _warnings_as_messages():
        numpy.exp(numpy.array([1000.0]))  # numpy: overflow encountered in exp
        numpy.array([0.0]) / numpy.array([0.0])  # numpy: invalid value encountered in divide
        warnings.warn("Divide by zero encountered in log", RuntimeWarning, stacklevel=1)
        warnings.warn("overflow encountered in a note", UserWarning, stacklevel=1)
        warnings.warn("a   loss of\nprecision", RuntimeWarning, stacklevel=1)
    assert capsys.readouterr().err == (
        "cg: warning: overflow encountered in a note\ncg: warning: a loss of precision\n"
    )


@pytest.mark.parametrize(
    ("program", "x", "gradient"),
    [("sqrt(x)", "0", "inf"), ("2*sqrt(x)", "0", "inf"), ("x^0.5", "0", "inf")],
)
def test_a_derivative_infinite_by_mathematics_stays_inf(cg, program, x, gradient):
    """√'(0) is +∞ (as PyTorch gives): no float64 overflow, so no math error, and the check
    agrees (SymPy's limit is +∞ too)."""
    result = cg("eval", program, f"x={x}", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["gradient"] == {"x": gradient}
