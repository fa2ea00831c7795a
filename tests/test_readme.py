"""The examples of the README and of every page in docs/ run as tests: every
``$ cg ...`` block and every Python session, with the exit code its output implies."""

from __future__ import annotations

import doctest
import re
import shlex
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
CONSOLE_BLOCK = re.compile(r"```console\n\$ (.*?)\n(.*?)```", re.S)
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
PIPED = re.compile(r"printf (\'[^\']*\') \| (cg .*)")


def documents() -> list[Path]:
    """The README and every Markdown page of the docs."""
    return [README, *sorted(DOCS.glob("*.md"))]


def documented_text() -> str:
    """All of the documentation, as one text."""
    return "\n".join(path.read_text(encoding="utf-8") for path in documents())


def console_examples() -> list[tuple[str, str]]:
    """Each ``$ command`` with the output shown under it, once (a page may repeat one)."""
    examples = []
    for path in documents():
        for example in CONSOLE_BLOCK.findall(path.read_text(encoding="utf-8")):
            if example not in examples:
                examples.append(example)
    return examples


def where(command: str) -> str:
    """A test id: the documents that show the command, then the command itself."""
    names = [p.name for p in documents() if f"$ {command}\n" in p.read_text(encoding="utf-8")]
    return f"{'+'.join(names)}: {command}"


def test_readme_and_docs_have_examples():
    assert len(CONSOLE_BLOCK.findall(README.read_text(encoding="utf-8"))) >= 8
    assert len(console_examples()) >= 30


def test_every_console_block_is_run():
    """Each block is `$ cg ...` or `$ printf '...' | cg ...`: none is skipped."""
    for path in documents():
        text = path.read_text(encoding="utf-8")
        assert text.count("```console\n") == len(CONSOLE_BLOCK.findall(text)), path.name
        for command, _ in CONSOLE_BLOCK.findall(text):
            assert command.startswith("cg ") or PIPED.fullmatch(command), (path.name, command)


def expected_exit_code(shown: str) -> int:
    """The exit code the documented output implies, by the documented table."""
    if shown.startswith("cg: training diverged"):
        return 5
    if "cg: math error" in shown or re.search(r"rows? had a math error", shown):
        return 3
    if re.search(r"^cg: (syntax error|shape error|usage error|error in the data)", shown, re.M):
        return 2
    if "✗" in shown or re.search(r"^cg: check: .*disagree", shown, re.M):
        return 1
    graded = re.search(r"^(\d+) sheets? graded, (\d+) all right", shown, re.M)
    if graded and graded[1] != graded[2]:  # cg check grading a class
        return 1
    return 0


@pytest.fixture
def example_data(tmp_path, monkeypatch):
    """The commands run where `cg example-data` has written its data sets."""
    from cgcli.training.datasets import DATASETS, example_data

    for name in DATASETS:
        (tmp_path / f"{name}.csv").write_text(example_data(name), encoding="utf-8")
    shutil.copytree(ROOT / "examples" / "class", tmp_path / "class")  # For teachers
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("command", "expected"), console_examples(), ids=[where(c) for c, _ in console_examples()]
)
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


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.name)
def test_python_examples(path):
    """Every ```python block is a doctest (each block on its own)."""
    blocks = PYTHON_BLOCK.findall(path.read_text(encoding="utf-8"))
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner()
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, f"{path.name}-python-{i}", str(path), 0)
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_python_examples_exist():
    sessions = [b for p in documents() for b in PYTHON_BLOCK.findall(p.read_text("utf-8"))]
    assert sum(">>> " in block for block in sessions) >= 5


def test_every_command_and_option_is_documented():
    """Every command and every long option of each (the lazy group loads each command)."""
    import click

    from cgcli.cli.group import COMMANDS
    from cgcli.cli.group import cg as main

    text = documented_text()

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


def test_the_readme_shows_every_command():
    """The front door has one example of each command."""
    from cgcli.cli.group import COMMANDS

    shown = README.read_text(encoding="utf-8")
    run = [name for name in COMMANDS if re.search(rf"^(\$ |.*\| )?cg {name} ", shown, re.M)]
    assert run == list(COMMANDS)
