"""Shell completion: every option's values complete in bash, zsh and fish.

The cases come from the commands themselves: each option with choices completes its
choices, each option that takes a file or folder asks the shell for file names, and
each free-text option with usual values (--loss mse|bce|EXPR) completes those. A new
option is covered without touching this file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from cgcli.cli.group import COMMANDS
from cgcli.cli.group import cg as main
from cgcli.cli.options import PathValue, ProgramCommand, suggest

SHELLS = ["bash", "zsh", "fish"]


def commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(main)
    return [(name, main.get_command(ctx, name)) for name in COMMANDS]


def expected_completions(param: click.Parameter) -> list[tuple[str, str]] | None:
    """(type, value) of what completing this parameter's value offers; None for free text."""
    if isinstance(param.type, click.Choice):
        return [("plain", str(choice)) for choice in param.type.choices]
    if isinstance(param.type, click.Path):
        kind = "dir" if param.type.dir_okay and not param.type.file_okay else "file"
        return [(kind, "")]
    if isinstance(param._custom_shell_complete, suggest):
        return [("plain", value) for value in param._custom_shell_complete.values]
    return None


def completing_options() -> list[tuple[str, str, list[str], list[tuple[str, str]]]]:
    """(command, option, the words before it, what completes) for every option's every
    name, and for the positional choices (cg example-data NAME)."""
    cases = []
    for name, command in commands():
        before = [name, "x"] if isinstance(command, ProgramCommand) else [name]
        for param in command.params:
            expected = expected_completions(param)
            if expected is None or getattr(param, "hidden", False):
                continue
            if isinstance(param, click.Argument):
                cases.append((name, param.human_readable_name, [name], expected))
                continue
            for opt in param.opts:
                cases.append((name, opt, [*before, opt], expected))
    return cases


CASES = completing_options()


def complete(shell: str, words: list[str], incomplete: str) -> list[tuple[str, str]]:
    """What cg answers the shell's completion script (click's protocol), in process."""
    cword = incomplete if shell == "fish" else str(len(words) + 1)
    env = {
        "COMP_WORDS": " ".join(["cg", *words, incomplete]),
        "COMP_CWORD": cword,
        "_CG_COMPLETE": f"{shell}_complete",
    }
    result = CliRunner().invoke(main, [], env=env, prog_name="cg", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    if shell == "zsh":
        lines = result.stdout.splitlines()
        return [(lines[i], lines[i + 1]) for i in range(0, len(lines), 3)]
    items = [line.split("\t")[0].split(",", 1) for line in result.stdout.splitlines()]
    return [(kind, value) for kind, value in items]


def test_every_option_with_choices_or_paths_is_a_case():
    """The cases cover the options a user completes, on every command."""
    covered = {(name, option) for name, option, _, _ in CASES}
    for option in ["--format", "--points", "-o", "--out", "--points-format", "--mode", "--check",
                   "--engine", "-f", "--file"]:  # fmt: skip
        assert ("eval", option) in covered
    for name, option in [("graph", "--style"), ("train", "--loss"), ("train", "--data"),
                         ("train", "--history"), ("check", "--answers"), ("check", "--weights"),
                         ("check", "--summary"), ("check", "--require"), ("sheet", "--ask"),
                         ("example-data", "NAME"), ("page", "-o")]:  # fmt: skip
        assert (name, option) in covered
    assert len(CASES) >= 50


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(
    ("name", "option", "words", "expected"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES]
)
def test_option_values_complete(shell, name, option, words, expected):
    assert complete(shell, words, "") == expected
    first = expected[0][1]
    if first:  # a choice: what starts with its first letter
        narrowed = [(kind, value) for kind, value in expected if value.startswith(first[0])]
        assert complete(shell, words, first[0]) == narrowed


def test_a_program_starting_with_minus_still_completes():
    assert complete("bash", ["eval", "-x^2", "--format"], "cs") == [("plain", "csv")]
    assert complete("bash", ["eval", "-x^2", "y=1", "--mode"], "") == [
        ("plain", "reverse"),
        ("plain", "forward"),
    ]


def test_a_path_option_given_by_equals_completes_files():
    assert complete("bash", ["eval", "x"], "--points=") == [("file", "")]
    assert complete("bash", ["eval", "x"], "--format=cs") == [("plain", "csv")]


def test_every_file_option_takes_a_path_and_every_listed_value_completes():
    """An option whose metavar names a FILE or FOLDER completes file names; one whose
    metavar lists words (N|all, all|values|gradients|KEYS) completes those words."""
    wrong = []
    for name, command in commands():
        for param in command.params:
            metavar = param.metavar or ""
            if re.search(r"FILE|FOLDER|DIR", metavar) and not isinstance(param.type, PathValue):
                wrong.append(f"cg {name} {param.opts[0]}: a path without PathValue")
            words = re.findall(r"(?:^|\|)([a-z]+)(?=\||$)", metavar)
            offered = [value for _, value in expected_completions(param) or []]
            if any(word not in offered for word in words):
                wrong.append(f"cg {name} {param.opts[0]}: {metavar} but completes {offered}")
    assert wrong == []


def test_paths_pass_through_unchanged(cg, tmp_path):
    """The path type only completes: cg's own checks and messages stay."""
    folder = tmp_path / "a folder"
    folder.mkdir()
    result = cg("graph", "x", "x=1", "-o", str(folder))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"cg: usage error: -o {folder}")


@pytest.fixture
def cg_on_path(tmp_path):
    """A ``cg`` executable that runs this checkout's cgcli, first on PATH."""
    script = tmp_path / "cg"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m cgcli "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}


def test_bash_completes_choices_and_files_through_its_script(cg_on_path):
    """The real bash runs the script docs/commands.md installs: COMPREPLY holds the
    choices, and a file option hands completion back to bash's file names."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    script = subprocess.run(
        ["cg"], env={**cg_on_path, "_CG_COMPLETE": "bash_source"},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    run = (
        f"{script}\n"
        'compopt() { echo "compopt $1 $2"; }\n'
        "COMP_WORDS=(cg eval x --format t); COMP_CWORD=4; _cg_completion cg\n"
        'echo "${COMPREPLY[*]}"\n'
        "COMP_WORDS=(cg train x --data ''); COMP_CWORD=4; COMPREPLY=(); _cg_completion cg\n"
        'echo "[${COMPREPLY[*]}]"\n'
    )
    done = subprocess.run(["bash", "-c", run], env=cg_on_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["table tsv", "compopt -o default", "[]"]


@pytest.mark.parametrize("shell", ["bash"])
def test_completion_script_loads(shell):
    """The completion line of docs/commands.md defines cg's completion in a real shell."""
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
    env["COMP_WORDS"] = "cg eval x --format t"
    env["COMP_CWORD"] = "4"
    done = subprocess.run([sys.executable, "-m", "cgcli"], env=env, capture_output=True, text=True)
    assert (done.stdout.split(), done.stderr, done.returncode) == (
        ["plain,table", "plain,tsv"],
        "",
        0,
    )
