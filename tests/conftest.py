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


def pytest_addoption(parser):
    parser.addoption(
        "--slow",
        action="store_true",
        help="run the property-based tests with 10,000 examples each (CI runs 200)",
    )


def pytest_configure(config):
    from hypothesis import HealthCheck, settings

    common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
    settings.register_profile("ci", max_examples=200, derandomize=True, **common)
    settings.register_profile("slow", max_examples=10_000, **common)
    settings.load_profile("slow" if config.getoption("--slow") else "ci")
