"""docs/derivatives.md: every console example and the Python session run as tests."""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest
from test_readme import CONSOLE_BLOCK, expected_exit_code

PAGE = Path(__file__).resolve().parent.parent / "docs" / "derivatives.md"


def examples() -> list[tuple[str, str]]:
    return CONSOLE_BLOCK.findall(PAGE.read_text(encoding="utf-8"))


def test_the_page_has_its_examples():
    commands = [command for command, _ in examples()]
    assert len(commands) == 9
    assert all(command.startswith("cg ") for command in commands)


@pytest.mark.parametrize(("command", "expected"), examples())
def test_console_example(cg, command, expected):
    result = cg(*shlex.split(command)[1:])
    assert result.stdout + result.stderr == expected
    assert result.exit_code == expected_exit_code(expected)


def test_python_session():
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner()
    for i, block in enumerate(blocks):
        runner.run(parser.get_doctest(block, {}, f"derivatives-{i}", str(PAGE), 0))
    summary = runner.summarize(verbose=False)
    assert summary.attempted > 0 and summary.failed == 0
