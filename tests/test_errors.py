"""Every command through a table of bad invocations: one error path for the whole CLI.

Each case asserts the documented exit code, one message on stderr in cg's style
that names the problem (a syntax error adds the source line and a caret), no
traceback, nothing on stdout, and no output file left behind. The table of
mistakes in docs/errors.md shows the same cases.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROGRAM_COMMANDS = ["eval", "graph", "explain", "check", "grad", "train"]
"""Every command that takes a program, and so every way of giving one wrongly."""

TRAIN = ["--data", "{data}", "--target", "y", "--params", "w=0"]
EXTRA = {"train": TRAIN, "check": ["--expect", "f=1"]}
"""What each command needs besides the program, so that the program's error is the one seen."""


def program_cases():
    cases = []
    for command in PROGRAM_COMMANDS:
        more = EXTRA.get(command, [])
        values = [] if command == "train" else ["x=1"]
        cases += [
            (command, "no program", [*more], None, 2, "the program is missing"),
            (command, "no program, stdin piped", [*more], "x*2\n", 2, "give '-' as PROGRAM"),
            (command, "value instead of program", ["x=1", *more], "x*2", 2, "looks like a value"),
            (
                command,
                "-f missing file",
                ["-f", "{missing}", *values, *more],
                None,
                2,
                "no such file",
            ),
            (command, "-f a folder", ["-f", "{folder}", *values, *more], None, 2, "folder"),
            (
                command,
                "-f not UTF-8",
                ["-f", "{latin1}", *values, *more],
                None,
                2,
                "byte 0xE9 at byte offset 2",
            ),
            (command, "-f empty", ["-f", "{empty}", *values, *more], None, 2, "is empty"),
            (
                command,
                "unknown option",
                ["x", *values, "--frobnicate", *more],
                None,
                2,
                "no such option '--frobnicate'",
            ),
            (
                command,
                "argument not UTF-8",
                ["x\udcff", *values, *more],
                None,
                2,
                "is not valid UTF-8 text (byte 0xFF at character 2)",
            ),
            (
                command,
                "unknown function ln",
                ["ln(x)", *values, *more],
                None,
                2,
                "did you mean log?",
            ),
            (command, "sigma", ["σ(x)", *values, *more], None, 2, "did you mean sigmoid?"),
            (command, "superscript square", ["x²", *values, *more], None, 2, "write x^2"),
            (
                command,
                "minus sign look-alike",
                ["x − 1", *values, *more],
                None,
                2,
                "did you mean '-'?",
            ),
            (command, "comparison", ["x == 1", *values, *more], None, 2, "cg has no comparisons"),
            (
                command,
                "too few arguments",
                ["sin()", *values, *more],
                None,
                2,
                "sin takes 1 argument, got 0",
            ),
            (command, "--digits 0", ["x", *values, "--digits", "0", *more], None, 2, "--digits"),
            (
                command,
                "--format unknown",
                ["x", *values, "--format", "pdf", *more],
                None,
                2,
                "'pdf' is not one of",
            ),
            (
                command,
                "option without value",
                ["x", *values, *more, "--format"],
                None,
                2,
                "requires a value",
            ),
        ]
    return cases


OTHER_CASES = [
    ("cg", "no such command", ["frobnicate"], None, 2, "no such command 'frobnicate'"),
    (
        "eval",
        "--check-timeout nan",
        ["x", "x=1", "--check-timeout", "nan"],
        None,
        2,
        "not a finite number",
    ),
    (
        "eval",
        "--check-timeout inf",
        ["x", "x=1", "--check-timeout", "inf"],
        None,
        2,
        "not a finite number",
    ),
    ("eval", "--check-timeout 0", ["x", "x=1", "--check-timeout", "0"], None, 2, "must be > 0"),
    ("grad", "--timeout nan", ["x", "--timeout", "nan"], None, 2, "not a finite number"),
    (
        "check",
        "--tol nan",
        ["x", "x=1", "--expect", "f=1", "--tol", "nan"],
        None,
        2,
        "not a finite number",
    ),
    ("check", "--answers missing", ["x", "x=1", "--answers", "{missing}"], None, 2, "no such file"),
    ("check", "--answers a folder", ["x", "x=1", "--answers", "{folder}"], None, 2, "folder"),
    (
        "check",
        "--answers not UTF-8",
        ["x", "x=1", "--answers", "{latin1}"],
        None,
        2,
        "not valid UTF-8",
    ),
    ("train", "--lr nan", ["w*x", *TRAIN, "--lr", "nan"], None, 2, "not a finite number"),
    ("train", "--tol inf", ["w*x", *TRAIN, "--tol", "inf"], None, 2, "not a finite number"),
    (
        "train",
        "--target-loss nan",
        ["w*x", *TRAIN, "--target-loss", "nan"],
        None,
        2,
        "not a finite number",
    ),
    (
        "train",
        "--data missing",
        ["w*x", "--data", "{missing}", "--target", "y", "--params", "w=0"],
        None,
        2,
        "no such file",
    ),
    (
        "train",
        "--data a folder",
        ["w*x", "--data", "{folder}", "--target", "y", "--params", "w=0"],
        None,
        2,
        "folder",
    ),
    (
        "train",
        "--data not UTF-8",
        ["w*x", "--data", "{latin1_csv}", "--target", "y", "--params", "w=0"],
        None,
        2,
        "not valid UTF-8",
    ),
    (
        "train",
        "program and data on stdin",
        ["-", "--data", "-", "--target", "y", "--params", "w=0"],
        "w*x",
        2,
        "cannot both come from stdin",
    ),
    (
        "train",
        "--history in a missing folder",
        ["w*x", *TRAIN, "--history", "{missing}/h.csv"],
        None,
        2,
        "does not exist",
    ),
    (
        "train",
        "--history a folder",
        ["w*x", *TRAIN, "--history", "{folder}"],
        None,
        2,
        "it is a folder",
    ),
    (
        "train",
        "--history where nothing can be written",
        ["w*x", *TRAIN, "--history", "/proc/cg-h.csv"],
        None,
        2,
        "--history /proc/cg-h.csv",
    ),
    ("train", "diverging loss", ["w*x", *TRAIN, "--lr", "50"], None, 5, "training diverged"),
    (
        "graph",
        "-o in a missing folder",
        ["x*y", "x=1", "y=2", "-o", "{missing}/a.svg", "--format", "svg"],
        None,
        2,
        "does not exist",
    ),
    ("graph", "-o a folder", ["x*y", "-o", "{folder}"], None, 2, "it is a folder"),
    (
        "graph",
        "-o where nothing can be written",
        ["x*y", "-o", "/proc/cg-a.dot", "--format", "dot"],
        None,
        2,
        "-o /proc/cg-a.dot",
    ),
    (
        "eval",
        "program and points on stdin",
        ["-", "--points", "-"],
        "x\n1\n",
        2,
        "cannot both come from stdin",
    ),
    (
        "eval",
        "-f - and points on stdin",
        ["-f", "-", "--points", "-"],
        "x\n1\n",
        2,
        "cannot both come from stdin",
    ),
    ("eval", "--points missing", ["x", "--points", "{missing}"], None, 2, "no such file"),
    (
        "eval",
        "-o with an extension cg does not write",
        ["w*x", "--points", "{data}", "w=2", "-o", "{folder}/out.xlsx"],
        None,
        2,
        "cg does not write .xlsx files; it writes .csv, .json, .jsonl (.ndjson), .tsv (.tab), "
        ".parquet (.pq), .arrow (.feather, .ipc), or the aligned table (.txt, or no extension)",
    ),
    ("eval", "--points a folder", ["x", "--points", "{folder}"], None, 2, "folder"),
    (
        "eval",
        "--points not UTF-8 in row 1",
        ["x+y", "--points", "{latin1_csv}"],
        None,
        2,
        "row 1 is not valid UTF-8",
    ),
    (
        "eval",
        "too many fields in row 1",
        ["x", "--points", "-"],
        "x\n1,2\n",
        2,
        "row 1: too many fields",
    ),
    (
        "eval",
        "too few fields in row 1",
        ["x+y", "--points", "-"],
        "x,y\n1\n",
        2,
        "row 1: too few fields",
    ),
    ("eval", "empty column name", ["x", "--points", "-"], "x,\n1,2\n", 2, "empty column name"),
    (
        "eval",
        "JSON Lines key also given",
        ["x+y", "y=1", "--points", "-", "--points-format", "jsonl"],
        '{"x": 1, "y": 2}\n',
        2,
        "y is both a key",
    ),
    ("eval", "inf in a row", ["x", "--points", "-"], "x\ninf\n", 2, "not a finite number"),
    (
        "eval",
        "value not UTF-8 safe name",
        ["x", "x=1", "y\udcff=2"],
        None,
        2,
        "the argument 'y\\xff=2' is not valid UTF-8",
    ),
    (
        "eval",
        "NAME=VALUE not a number",
        ["x", "x=abc"],
        None,
        2,
        "the value of x must be a constant expression",
    ),
    ("eval", "math error", ["log(x)", "x=-1"], None, 3, "log of a negative number"),
    ("eval", "subnormal-free overflow", ["exp(x)", "x=1000"], None, 3, "overflow"),
    (
        "eval",
        "--exact with --points",
        ["x", "--exact", "--points", "-"],
        "x\n1\n",
        2,
        "--exact is for one point",
    ),
    ("eval", "-f an empty name", ["-f", "", "x=1"], None, 2, "the file name is empty"),
    (
        "eval",
        "-f a name too long",
        ["-f", "{folder}/" + "a" * 300, "x=1"],
        None,
        2,
        "file name too long",
    ),
    (
        "eval",
        "-f endless",
        ["-f", "/dev/zero", "--max-size", "100", "x=1"],
        None,
        2,
        "longer than the limit of 400 bytes",
    ),
    (
        "eval",
        "--points endless",
        ["x", "--points", "/dev/zero"],
        None,
        2,
        "the header line is longer",
    ),
    (
        "eval",
        "quoted field over two lines",
        ["x*y", "--points", "-"],
        'x,y\n"3\n",4\n',
        2,
        "row 1: a quoted field is not closed on its line",
    ),
    (
        "eval",
        "JSON integer too big for a float",
        ["x", "--points", "-", "--points-format", "jsonl"],
        '{"x": ' + "9" * 400 + "}\n",
        2,
        "is not a finite number",
    ),
    (
        "eval",
        "JSON integer of 5000 digits",
        ["x", "--points", "-", "--points-format", "jsonl"],
        '{"x": ' + "9" * 5000 + "}\n",
        2,
        "a number with too many digits",
    ),
    (
        "eval",
        "empty field",
        ["x*y", "--points", "-"],
        "x,y\n1,\n",
        2,
        "row 1, column y: the field is empty",
    ),
    (
        "eval",
        "missing column, no warning first",
        ["x*y", "--points", "-"],
        "X,Y\n1,2\n",
        2,
        "the points have no column x, y",
    ),
    (
        "eval",
        "--chunk-rows huge",
        ["x", "--points", "-", "--chunk-rows", "9" * 20],
        "x\n1\n",
        2,
        "--chunk-rows",
    ),
    (
        "eval",
        "--check-timeout 1e10",
        ["x", "x=1", "--check-timeout", "1e10"],
        None,
        2,
        "must be <= 86400",
    ),
    (
        "eval",
        "--check-timeout full-width digits",
        ["x", "x=1", "--check-timeout", "３"],
        None,
        2,
        "is not a number",
    ),
    ("grad", "--timeout 1e10", ["x", "--timeout", "1e10"], None, 2, "must be <= 86400"),
    ("graph", "-o an empty name", ["x*y", "-o", ""], None, 2, "-o: the file name is empty"),
    (
        "train",
        "--history an empty name",
        ["w*x", *TRAIN, "--history", ""],
        None,
        2,
        "--history: the file name is empty",
    ),
    ("train", "--seed -1", ["w*x", *TRAIN, "--seed", "-1"], None, 2, "--seed"),
    (
        "train",
        "--batch superscript",
        ["w*x", *TRAIN, "--batch", "²"],
        None,
        2,
        "expected a positive whole number",
    ),
    (
        "train",
        "bce with targets 2 to 6",
        ["w*x", *TRAIN, "--loss", "bce"],
        None,
        2,
        "--loss bce needs targets between 0 and 1, but row 1 has 2",
    ),
    (
        "train",
        "a loss without out",
        ["w*x", *TRAIN, "--loss", "target^2"],
        None,
        2,
        "the loss must use out",
    ),
    (
        "train",
        "a loss that assigns out",
        ["w*x", *TRAIN, "--loss", "out = 1; out"],
        None,
        2,
        "may not assign out",
    ),
    (
        "train",
        "a domain error at the start",
        ["w*log(x - 2)", *TRAIN],
        None,
        3,
        "row 1 of the data gives a math error at v2 = log(x - 2)",
    ),
    (
        "graph",
        "an ASCII tree too deep",
        ["-f", "{chain}"],
        None,
        2,
        "too deep to draw as an ASCII tree",
    ),
    (
        "graph",
        "too many nodes for Graphviz",
        ["-f", "{wide}", "--format", "svg"],
        None,
        2,
        "too many for --format svg to lay out",
    ),
    (
        "eval",
        "a right-to-left override",
        ["x +\u202e1", "x=1"],
        None,
        2,
        "unexpected character '\\u202e'",
    ),
    ("eval", "π for pi", ["2*π"], None, 2, "to mean the constant, write pi"),
    (
        "eval",
        "empty points file",
        ["x*y", "--points", "{empty_csv}"],
        None,
        2,
        "is empty (expected the points)",
    ),
    (
        "eval",
        "empty points on stdin",
        ["x*y", "--points", "-"],
        "",
        2,
        "standard input is empty (expected the points)",
    ),
    ("eval", "empty --wrt", ["x", "x=1", "--wrt", ""], None, 2, "--wrt: name at least one input"),
    (
        "eval",
        "Arabic-Indic digit in the data",
        ["x", "--points", "-"],
        "x\n\u0661\n",
        2,
        "is not a number",
    ),
    (
        "eval",
        "digit separator in the data",
        ["x", "--points", "-"],
        "x\n1_000\n",
        2,
        "'1_000' is not a number",
    ),
    (
        "eval",
        "a JSON key twice",
        ["x", "--points", "-", "--points-format", "jsonl"],
        '{"x": 1, "x": 2}\n',
        2,
        "the key x is given twice",
    ),
    ("eval", "sign", ["sign(x)", "x=1"], None, 2, "cg has no sign function"),
    ("eval", "arctanh", ["arctanh(x)", "x=0.5"], None, 2, "did you mean log((1 + x)/(1 - x))/2?"),
    ("eval", "a hyphen for minus", ["x \u2010 1", "x=1"], None, 2, "did you mean '-'?"),
    ("eval", "a full-width letter", ["\uff58 + 1"], None, 2, "did you mean x?"),
    ("example-data", "no name", [], None, 2, "Choose from: line, clusters, xor"),
]


def sequence_cases():
    """Loops, indexed names and sequence values: the program's mistakes through every
    command that takes a program, the values' and the options' through cg eval."""
    cases = []
    for command in PROGRAM_COMMANDS:
        more = EXTRA.get(command, [])
        cases += [
            (
                command,
                "an element read before it is assigned",
                ["h[1] = 1\nfor t in 2..3:\n    h[t] = w*h[t-2]", *more],
                None,
                2,
                "h[0] (h[t-2] at t = 2) is read before it is assigned",
            ),
            (command, "an index not an integer", ["x[1.5]", *more], None, 2, "is not an integer"),
            (
                command,
                "a range's bound not a constant",
                ["y = n\nfor t in 1..n: y += x[t]", *more],
                None,
                2,
                "n is an input: an index or a range's bound is a number",
            ),
            (
                command,
                "a loop over --max-unrolled",
                ["for t in 1..100: y = x", "--max-unrolled", "50", *more],
                None,
                2,
                "unrolling this loop makes more than 50 nodes and steps",
            ),
        ]
    loop = "h[0] = 0\nfor t in 1..2: h[t] = w*h[t-1] + x[t]"
    cases += [
        (
            "eval",
            "a sequence value with a missing index",
            ["x[1] + x[2] + x[3]", "x[1]=1", "x[3]=3"],
            None,
            2,
            "missing value for x[2] (give x[2]=...)",
        ),
        (
            "eval",
            "a list of the wrong length",
            ["x[1] + x[2] + x[3]", "x=[1,2]"],
            None,
            2,
            "x=[...] has 2 values, but the program uses x[1] to x[3] (3 values)",
        ),
        (
            "eval",
            "an element's name with a variable index",
            ["x[1]", "x[t]=1"],
            None,
            2,
            "an index in a value's name is a whole number",
        ),
        (
            "eval",
            "points with x[1] but not x[2]",
            ["x[1] * x[2]", "--points", "-"],
            "x[1]\n1\n",
            2,
            "the points have no column x[2]",
        ),
        ("eval", "--by-step without a loop", ["x*2", "x=1", "--by-step"], None, 2, "with a loop"),
        (
            "eval",
            "--truncate of a plain state",
            ["h = 0\nfor t in 1..2: h = w*h + x[t]", "w=1", "x=[1,2]", "--truncate", "1"],
            None,
            2,
            "h carries a value from step to step as a plain name",
        ),
        (
            "eval",
            "--truncate with --format csv",
            [loop, "w=1", "x=[1,2]", "--truncate", "1", "--format", "csv"],
            None,
            2,
            "--format csv has no room for it",
        ),
        ("eval", "--truncate -1", [loop, "w=1", "x=[1,2]", "--truncate", "-1"], None, 2, "-1"),
        (
            "explain",
            "--by-step in LaTeX",
            [loop, "w=1", "x=[1,2]", "--by-step", "--format", "latex"],
            None,
            2,
            "--by-step and --truncate explain in text or markdown",
        ),
    ]
    return cases


def all_cases():
    cases = [*program_cases(), *OTHER_CASES, *sequence_cases()]
    return [
        pytest.param(command, args, stdin, code, needle, id=f"{command}: {name}")
        for command, name, args, stdin, code, needle in cases
    ]


@pytest.fixture
def files(tmp_path):
    """Paths the cases refer to by name; data for cg train."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "latin1.txt").write_bytes("x*\xe9".encode("latin-1"))
    (tmp_path / "latin1.csv").write_bytes("x,y\n1,caf\xe9\n".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "data.csv").write_text("x,y\n1,2\n2,4\n3,6\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "chain.txt").write_text("".join(f"x = x + i{k}\n" for k in range(3000)))
    (tmp_path / "wide.txt").write_text("+".join(f"x{k}" for k in range(3001)))
    return {
        "missing": str(tmp_path / "missing"),
        "folder": str(tmp_path / "folder"),
        "latin1": str(tmp_path / "latin1.txt"),
        "latin1_csv": str(tmp_path / "latin1.csv"),
        "empty": str(tmp_path / "empty.txt"),
        "data": str(tmp_path / "data.csv"),
        "empty_csv": str(tmp_path / "empty.csv"),
        "chain": str(tmp_path / "chain.txt"),
        "wide": str(tmp_path / "wide.txt"),
    }


def _listing(folder) -> set[str]:
    return {str(p) for p in folder.rglob("*")}


@pytest.mark.parametrize(("command", "args", "stdin", "code", "needle"), all_cases())
def test_bad_invocation(cg, files, tmp_path, command, args, stdin, code, needle):
    args = [arg.format(**files) for arg in args]
    before = _listing(tmp_path)
    result = cg(*([] if command == "cg" else [command]), *args, input=stdin)
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines, "no message"
    assert lines[0].startswith("cg: ")
    assert needle in lines[0], lines[0]
    if lines[0].startswith("cg: syntax error"):
        assert len(lines) == 3 and lines[2].strip() == "^"  # the source line and a caret
        assert lines[1].isprintable()
    else:
        assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert _listing(tmp_path) == before, "a file was left behind"


def test_a_bug_is_exit_4_with_the_traceback_in_a_file(cg, monkeypatch):
    from cgcli.api import evaluate as evaluation

    def broken(*args, **kwargs):
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(evaluation, "evaluate_graph", broken)
    result = cg("eval", "x", "x=1")
    assert result.exit_code == 4
    (line,) = result.stderr.splitlines()
    assert line.startswith("cg: internal error: ZeroDivisionError: planted (a bug in cg")
    path = line.split("the traceback is in ")[1].rstrip(")")
    with open(path, encoding="utf-8") as handle:
        assert "Traceback" in handle.read()
    os.unlink(path)
    monkeypatch.setenv("CG_DEBUG", "1")
    result = cg("eval", "x", "x=1")
    assert result.exit_code == 4
    assert result.stderr.startswith("Traceback")


def test_no_foreign_warning_when_training_diverges(tmp_path):
    """numpy's overflow warnings are cg's one message, through the installed command."""
    data = tmp_path / "line.csv"
    data.write_text("x,y\n" + "".join(f"{i},{3 * i + 1}\n" for i in range(50)))
    done = subprocess.run(
        [sys.executable, "-W", "always", "-m", "cgcli", "train", "w*x + b", "--data", str(data),
         "--target", "y", "--params", "w=0,b=0", "--lr", "5"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 5
    assert done.stderr == (
        "cg: training diverged: the loss grew from 7424.5 to 4.86077e+11 by epoch 1 with "
        "--lr 5: the learning rate is too large; try --lr 0.0005\n"
    )


def test_program_forgotten_with_stdin_piped_through_the_installed_command():
    """`echo "(x+y)*z" | cg eval x=1 ...` (the '-' forgotten) is not run as the program x=1."""
    done = subprocess.run(
        [sys.executable, "-m", "cgcli", "eval", "x=1", "y=3", "z=-3"],
        input="(x+y)*z\n", capture_output=True, text=True,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "cg: usage error: the program is missing: 'x=1' looks like a value NAME=VALUE; "
        "read it from stdin with '-'\n"
    )


def test_output_file_written_whole_over_an_old_one(cg, tmp_path):
    """-o replaces a file only once the drawing is complete; an error leaves the old one."""
    target = tmp_path / "g.dot"
    target.write_text("old")
    result = cg("graph", "x*", "x=1", "--format", "dot", "-o", str(target))
    assert result.exit_code == 2
    assert target.read_text() == "old"
    result = cg("graph", "x*y", "--format", "dot", "-o", str(target))
    assert result.exit_code == 0
    assert target.read_text().startswith("digraph")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot"]


def test_byte_order_mark_in_a_csv_header_is_skipped(cg):
    result = cg("eval", "2*x", "--points", "-", "--format", "csv", "--no-check",
                input="\ufeffx\n1\n")  # fmt: skip
    assert (result.exit_code, result.stdout) == (0, "x,f,df/dx\n1,2,2\n")


def test_unused_json_lines_keys_warn_like_csv_columns(cg):
    result = cg("eval", "2*x", "--points", "-", "--points-format", "jsonl", "--format", "csv",
                "--no-check", input='{"x": 1, "z": 0}\n{"x": 2, "q": 0, "z": 1}\n')  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout == "x,f,df/dx\n1,2,2\n2,4,2\n"
    assert result.stderr == (
        "cg: warning: key z (first in row 1) is not used by the program "
        "(--keep z carries it through)\n"
        "cg: warning: key q (first in row 2) is not used by the program "
        "(--keep q carries it through)\n"
    )


@pytest.mark.parametrize("rows", [1, 2, 3, 25])
@pytest.mark.parametrize(
    ("program", "header", "outputs"),
    [
        ("y = x*2; 3", "x,f,df/dx", lambda x: f"{x},3,0"),
        ("3", "f", lambda x: "3"),
        ("x", "x,x,dx/dx", lambda x: f"{x},{x},1"),
    ],
)
def test_every_shape_of_output_for_any_number_of_rows(cg, rows, program, header, outputs):
    """A constant output, the input itself: one output row per input row."""
    data = "x\n" + "".join(f"{i}\n" for i in range(rows))
    result = cg("eval", program, "--points", "-", "--format", "csv", "--no-check",
                "--chunk-rows", "2", input=data)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [header, *(outputs(i) for i in range(rows))]


def test_bad_row_after_good_ones_keeps_the_good_ones(cg):
    result = cg("eval", "2*x", "--points", "-", "--format", "csv", "--no-check",
                input="x\n1\n2\n3,4\n")  # fmt: skip
    assert result.exit_code == 2
    assert result.stdout == "x,f,df/dx\n1,2,2\n2,4,2\n"
    assert result.stderr == (
        "cg: error in the data: row 3: too many fields (2, but the header has 1: x)\n"
    )


def _run(args, **kwargs):
    return subprocess.run([sys.executable, "-m", "cgcli", *args], capture_output=True, **kwargs)


def test_full_and_closed_standard_streams():
    """stdout full or closed, stdin closed: one line and exit 2, never a traceback."""
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "cgcli", "eval", "x", "x=1"], stdout=full,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert (done.returncode, done.stderr) == (
        2, "cg: error: cannot go on: no space left on the device (writing the output)\n"
    )  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "cgcli", "eval", "x", "x=1"],
                          stderr=subprocess.PIPE, text=True,
                          preexec_fn=lambda: os.close(1))  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == "cg: error: standard output is closed: cg has nowhere to write\n"
    done = _run(["eval", "-", "x=1"], text=True, preexec_fn=lambda: os.close(0))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "cg: usage error: standard input is closed, and '-' asks to read from it\n"
    )


@pytest.mark.parametrize("rows", [100, 200_000])
def test_a_reader_that_stops_early_is_not_an_error(tmp_path, rows):
    """`cg ... | head -1`: the broken pipe ends cg quietly with exit 0."""
    data = tmp_path / "points.csv"
    data.write_text("x\n" + "".join(f"{i}\n" for i in range(rows)))
    command = [sys.executable, "-m", "cgcli", "eval", "2*x", "--points", str(data), "--format",
               "csv", "--no-check"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""


def test_plain_cg_shows_the_help(cg):
    result = cg()
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: cg [OPTIONS] COMMAND [ARGS]...")


def test_a_constant_of_the_language_given_as_a_json_key_is_an_input(cg):
    """{"pi": 3} gives pi a value, as a CSV column pi does."""
    result = cg("eval", "pi*x", "--points", "-", "--points-format", "jsonl", "--format", "csv",
                "--no-check", input='{"pi": 3, "x": 1}\n')  # fmt: skip
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "pi,x,f,df/dpi,df/dx\n3,1,3,1,3\n"


def test_params_values_may_hold_commas(cg, files):
    result = cg("train", "w*x", "--data", files["data"], "--target", "y", "--params",
                "w=max(1,2)", "--epochs", "1", "--lr", "0.01", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("written", ["1e-400", "-3e-330", "1E-400"])
def test_a_value_below_the_smallest_float64_is_said(cg, written):
    """It became 0 in silence (while 1e999 is an error): now a warning says so."""
    result = cg("eval", "x*2", f"x={written}", "--no-check")
    assert result.exit_code == 0
    assert result.stderr == (
        f"cg: warning: x = {written.lower()} is below the smallest float64 (5e-324): cg "
        "computes with 0\n"
    )
    assert cg("eval", "x*2", "x=1e-300", "--no-check").stderr == ""
    assert cg("eval", "x*2", "x=0e5", "--no-check").stderr == ""


def test_an_element_below_the_smallest_float64_is_said_alone(cg):
    """x = [1, 0, 1e-400]: only the third element, by its own text (the 0 is a 0)."""
    result = cg("eval", "x[1]*x[2] + x[3]", "x=[1, 0, 1e-400]", "--no-check")
    assert result.stderr == (
        "cg: warning: x[3] = 1e-400 is below the smallest float64 (5e-324): cg computes with 0\n"
    )


def test_an_unknown_long_function_name_is_not_read_as_a_product(cg):
    """factorial(x) suggested factorial*(...); a one- or two-letter name still does."""
    long = cg("eval", "factorial(x)", "x=1")
    assert long.stderr.splitlines()[0] == (
        "cg: syntax error: 1:1: unknown function factorial (cg docs language lists the functions)"
    )
    short = cg("eval", "w(x+1)", "x=1", "w=2")
    assert (
        short.stderr.splitlines()[0]
        == "cg: syntax error: 1:1: unknown function w; did you mean w*(...)?"
    )


def test_no_limit_lets_a_literal_past_what_python_reads_exactly(cg):
    """--max-literal 10000 let a 5,000-digit literal through to an internal error (Python
    writes no integer of more than 4,300 digits as text): the option stops at 4,000."""
    refused = cg("eval", "x*2 + 0." + "1" * 5000, "x=1", "--max-literal", "10000")
    assert refused.exit_code == 2 and "1<=x<=4000" in refused.stderr
    longest = cg("eval", "x*2 + 0." + "1" * 3990, "x=1", "--max-literal", "4000")
    assert longest.exit_code == 0, longest.stderr
    from cgcli import parse
    from cgcli.core.errors import CgSyntaxError
    from cgcli.core.limits import Limits

    with pytest.raises(CgSyntaxError, match="longer than 4,000 characters"):
        parse("x + 0." + "1" * 5000, Limits(max_literal=10**6))


def test_a_values_literal_is_read_up_to_what_python_reads_exactly(cg):
    """A value of 1,500 characters said 'raise the limit with --max-literal', an option
    that does not apply to values: values take up to 4,000, as any limit does."""
    long = cg("eval", "x*2", "x=0." + "1" * 1500)
    assert long.exit_code == 0, long.stderr
    assert long.stdout.splitlines()[-1].startswith("check: sympy, all agree")
    longer = cg("eval", "x*2", "x=0." + "1" * 4100, "--no-check")
    assert longer.exit_code == 2
    assert "longer than 4,000 characters (Python reads no longer number exactly)" in longer.stderr
