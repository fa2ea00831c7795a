"""cg eval's quick path (cgcli/cli/quick.py) reads a command line as click reads it, or
leaves it to click; either way the same code runs and prints the same thing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Console
from hypothesis import given, settings
from hypothesis import strategies as st
from test_startup_imports import ABSENT, ABSENT_PACKAGES

from cgcli.cli import YOUNG_COLLECTION_THRESHOLD
from cgcli.cli._eval_options import OPTIONS
from cgcli.cli.evaluate import command
from cgcli.cli.group import cg
from cgcli.cli.options import given_options
from cgcli.cli.quick import read_eval

ROOT = Path(__file__).resolve().parent.parent


def test_the_table_of_options_is_what_the_generator_makes_of_the_command():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import generate_quick_options
    finally:
        sys.path.pop(0)
    expected = generate_quick_options.table()
    assert (ROOT / "cgcli" / "cli" / "_eval_options.py").read_text(encoding="utf-8") == expected


def read_by_click(arguments: list[str]) -> tuple[dict, frozenset[str]]:
    """cg eval's parameters as click reads ``arguments``, and the names of those given."""
    with command.make_context("eval", list(arguments)) as context:
        return context.params, given_options()


VALUES = [
    *["(x+y)*z", "x*y", "sin(x)", "x", "x=1", "y=3", "z=-3", "f", "all", "sample"],
    *["json", "table", "csv", "latex", "markdown", "forward", "reverse", "dask", "local"],
    *["0", "1", "3", "17", "18", "99", "007", "+5", " 5", "1e3", "1.5", "-1", "x,y", ""],
    *["out.csv", "data.csv", "a/b", "٣"],
]
TOKENS = [*OPTIONS, *["--help", "-h", "--format=json", "--", "-", "--nope", "-x^2"], *VALUES]
PIECES = st.one_of(
    st.sampled_from(TOKENS).map(lambda token: [token]),
    st.tuples(st.sampled_from(list(OPTIONS)), st.sampled_from(VALUES)).map(list),
)
"""A token, or an option and a value for it (so that many command lines are ones the quick
path reads)."""


@settings(max_examples=800, deadline=None)
@given(st.lists(PIECES, max_size=8).map(lambda pieces: [t for piece in pieces for t in piece]))
def test_what_the_quick_path_reads_it_reads_as_click_does(tokens):
    read = read_eval(["eval", *tokens])
    if read is not None:
        assert read == read_by_click(tokens)


@pytest.mark.parametrize(
    "tokens",
    [
        ["(x+y)*z", "x=1", "y=3", "z=-3"],
        ["(x+y)*z", "x=1", "y=3", "z=-3", "--no-check", "--format", "json"],
        ["--format", "csv", "x*y", "x=2", "y=5", "--digits", "3"],
        ["x*y", "--check", "x=2", "y=5"],
        ["x*y", "--check", "all", "x=2", "y=5", "--wrt", "x"],
        ["x*y", "--points", "p.csv", "-o", "out.csv", "--chunk-rows", "10"],
        ["sin(x)", "x=1", "--mode", "forward", "--wrt", "x", "--grad"],
    ],
    ids=str,
)
def test_the_common_command_lines_take_the_quick_path(tokens):
    assert read_eval(["eval", *tokens]) == read_by_click(tokens)


@pytest.mark.parametrize(
    "tokens",
    [
        [],
        ["--help"],
        ["x", "-h"],
        ["-x^2", "x=3"],
        ["-", "x=1"],
        ["x", "--format=json"],
        ["x", "--format", "JSON"],
        ["x", "--digits", "99"],
        ["x", "--digits", "+5"],
        ["x", "--digits", "٣"],
        ["x", "--no-check", "--no-check"],
        ["x", "--of", "x"],
        ["x", "--check-timeout", "2"],
        ["x", "--wrt", "-y"],
        ["x", "--nope"],
        ["x", "--", "y=1"],
        ["x", "--wrt"],
    ],
    ids=str,
)
def test_what_it_is_not_sure_of_goes_to_click(tokens):
    assert read_eval(["eval", *tokens]) is None


def test_shell_completion_goes_to_click(monkeypatch):
    monkeypatch.setenv("_CG_COMPLETE", "bash_complete")
    assert read_eval(["eval", "x", "x=1"]) is None


def test_other_commands_go_to_click():
    assert read_eval(["explain", "x", "x=1"]) is None
    assert read_eval(["--version"]) is None
    assert read_eval([]) is None


SAME_OUTPUT = [
    ["(x+y)*z", "x=1", "y=3", "z=-3"],
    ["(x+y)*z", "x=1", "y=3", "z=-3", "--no-check", "--format", "json"],
    ["sigmoid(w*x+b)", "w=2", "x=-1", "b=0.5", "--format", "markdown", "--digits", "4"],
    ["a = x*y; b = a + x; b", "x=2", "y=3", "--format", "csv", "--wrt", "y"],
    ["x^2", "x=3", "--grad", "--format", "json"],
    ["x*y", "x=1", "y=2", "--format", "latex", "--standalone"],
    ["sin(x)", "x=1", "--mode", "forward", "--wrt", "x", "--no-check"],
    ["(x+y", "x=1"],
    ["log(x)", "x=-1"],
    ["x*y", "x=1"],
    ["x*y", "x=1", "y=2", "--wrt", "q"],
    ["x*y", "x=1", "y=2", "--format", "jsonl"],
    ["x*y", "x=1", "y=2", "--standalone"],
    ["x*y", "x=1", "y=2", "-o", "out.csv"],
    ["x=1"],
]


@pytest.mark.parametrize("tokens", SAME_OUTPUT, ids=str)
def test_the_quick_path_prints_what_click_prints(tokens):
    assert read_eval(["eval", *tokens]) is not None
    runner = CliRunner()
    quick = runner.invoke(Console(), ["eval", *tokens], catch_exceptions=False)
    by_click = runner.invoke(cg, ["eval", *tokens], catch_exceptions=False)
    assert (quick.exit_code, quick.stdout, quick.stderr) == (
        by_click.exit_code,
        by_click.stdout,
        by_click.stderr,
    )


@pytest.mark.parametrize("output_format", ["json", "table"])
def test_a_plain_cg_eval_imports_no_click_and_nothing_heavy(output_format):
    """The console script's whole run of one scalar point: no click, none of what
    tests/test_startup_imports.py keeps out of the library's part, no ``signal`` (its
    handlers are set through ``_signal``), no file module (the program is inline, the
    output goes to stdout) and nothing only an error needs. Not :mod:`json` either (the
    JSON document is written by cg's own encoder), nor :mod:`contextlib`. The console
    leaves the cycle collector's start-up settings: a first-generation threshold of
    YOUNG_COLLECTION_THRESHOLD and all objects frozen."""
    code = (
        "import gc, sys; from cgcli.cli import console\n"
        "sys.argv = ['cg', 'eval', '(x+y)*z', 'x=1', 'y=3', 'z=-3', '--no-check', '--format', "
        f"'{output_format}']\n"
        "try:\n    console()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "modules = sorted(sys.modules)\nimport json\n"
        "print(json.dumps([code, modules, gc.get_threshold()[0], "
        "gc.get_freeze_count() > 0]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    code, modules, threshold, frozen = json.loads(out.stdout.strip().splitlines()[-1])
    heavy = [
        m
        for m in modules
        if m.split(".")[0] in (*ABSENT, "click") or m in ABSENT or m.startswith(ABSENT_PACKAGES)
    ]
    assert (code, heavy) == (0, [])
    error_path = ["errno", "cgcli.core.version"]
    if output_format == "json":  # the text table shows names through core.untrusted
        error_path.append("cgcli.core.untrusted")
    unneeded = ("signal", "json", "contextlib", "cgcli.core.files", *error_path)
    assert [m for m in unneeded if m in modules] == []
    assert (threshold, frozen) == (YOUNG_COLLECTION_THRESHOLD, True)
