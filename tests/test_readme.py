"""The README's examples run as tests: every ``$ cg ...`` block and the Python session."""

from __future__ import annotations

import doctest
import re
import shlex
import shutil
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
CONSOLE_BLOCK = re.compile(r"```console\n\$ (cg .*?)\n(.*?)```", re.S)


def console_examples() -> list[tuple[str, str]]:
    return CONSOLE_BLOCK.findall(README.read_text(encoding="utf-8"))


def test_readme_has_examples():
    assert len(console_examples()) >= 6


@pytest.fixture
def example_data(tmp_path, monkeypatch):
    """The README's commands run where examples/make_data.py has written its data."""
    import subprocess
    import sys

    script = README.parent / "examples" / "make_data.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, capture_output=True)
    shutil.copytree(README.parent / "examples" / "class", tmp_path / "class")  # For teachers
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(("command", "expected"), console_examples())
def test_console_example(cg, example_data, command, expected):
    args = shlex.split(command)[1:]
    result = cg(*args)
    shown = result.stdout + result.stderr
    assert shown == expected


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
    from cgcli.cli import main

    text = README.read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert f"cg {name}" in text
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in text, f"{opt} of cg {name} is not in the README"
