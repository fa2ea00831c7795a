"""The README's examples run as tests: every ``$ cg ...`` block and the Python session."""

from __future__ import annotations

import doctest
import re
import shlex
import shutil
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
CONSOLE_BLOCK = re.compile(r"```console\n\$ (.*?)\n(.*?)```", re.S)
PIPED = re.compile(r"printf (\'[^\']*\') \| (cg .*)")


def console_examples() -> list[tuple[str, str]]:
    return CONSOLE_BLOCK.findall(README.read_text(encoding="utf-8"))


def test_readme_has_examples():
    assert len(console_examples()) >= 6


def test_every_console_block_is_run():
    """Each block is `$ cg ...` or `$ printf '...' | cg ...`: none is skipped."""
    for command, _ in console_examples():
        assert command.startswith("cg ") or PIPED.fullmatch(command), command


def expected_exit_code(shown: str) -> int:
    """The exit code the README's output implies, by the documented table."""
    if "cg: math error" in shown or re.search(r"rows? had a math error", shown):
        return 3
    if re.search(r"^cg: (syntax error|usage error|error in the data)", shown, re.M):
        return 2
    if "✗" in shown or re.search(r"^cg: check: .*disagree", shown, re.M):
        return 1
    graded = re.search(r"^(\d+) sheets? graded, (\d+) all right", shown, re.M)
    if graded and graded[1] != graded[2]:  # cg check grading a class
        return 1
    return 0


@pytest.fixture
def example_data(tmp_path, monkeypatch):
    """The README's commands run where `cg example-data` has written its data sets."""
    from cgcli.datasets import DATASETS, example_data

    for name in DATASETS:
        (tmp_path / f"{name}.csv").write_text(example_data(name), encoding="utf-8")
    shutil.copytree(README.parent / "examples" / "class", tmp_path / "class")  # For teachers
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(("command", "expected"), console_examples())
def test_console_example(cg, example_data, command, expected):
    piped = PIPED.fullmatch(command)
    stdin = None
    if piped:
        stdin = shlex.split(piped.group(1))[0].encode().decode("unicode_escape")
        command = piped.group(2)
    args = shlex.split(command)[1:]
    result = cg(*args, input=stdin)
    shown = result.stdout + result.stderr
    assert shown == expected
    assert result.exit_code == expected_exit_code(expected), shown


def test_python_examples():
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner()
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, f"README-python-{i}", str(README), 0)
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_every_command_and_option_is_documented():
    """Every command and every long option of each (the lazy group loads each command)."""
    import click

    from cgcli.cli import COMMANDS, main

    pages = sorted((README.parent / "docs").glob("*.md"))  # the README and the docs pages
    text = "\n".join(p.read_text(encoding="utf-8") for p in [README, *pages])

    def mentioned(word: str) -> bool:  # as a whole word: --out is not --output
        return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None

    ctx = click.Context(main)
    missing = []
    for name in ["", *COMMANDS]:
        command = main.get_command(ctx, name) if name else main
        assert command is not None, name
        if name and not mentioned(f"cg {name}"):
            missing.append(f"cg {name}")
        for param in command.params:
            for opt in [*param.opts, *param.secondary_opts]:
                if opt.startswith("--") and opt != "--help" and not mentioned(opt):
                    missing.append(f"{opt} of cg {name}".rstrip())
    assert len(COMMANDS) >= 9
    assert missing == []
