"""Shared helpers: run the CLI in-process and compare with exact text."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cgcli.cli import main


@pytest.fixture
def cg():
    """Run ``cg ARGS...`` in-process; returns the click Result (stdout, stderr, exit_code)."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run
