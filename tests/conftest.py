"""Shared helpers: run the CLI in-process, the real parts some tests need, and the clock of
cg's time budgets, stopped for every test (or stepped, to test a time-out)."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from cgcli.cli import main


class Console:
    """``cg`` as its console script runs it (:func:`cgcli.cli.main`: a plain cg eval by the
    quick path, every other command line by click), in the shape CliRunner invokes."""

    name = "cg"

    @staticmethod
    def main(args, prog_name=None, **extra) -> None:
        main(list(args))


@pytest.fixture
def cg():
    """Run ``cg ARGS...`` in-process; returns the click Result (stdout, stderr, exit_code)."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(Console(), list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture
def graphviz():
    """Graphviz's ``dot``: without it the test skips (locally) or fails (in CI)."""
    from real_parts import require_program

    require_program("dot")


GRACE = 600.0
"""Seconds of real time a test's clock stands still: a test that waits on a time-out it did
not ask for (``real_clock``, ``stepping_clock``) ends after them instead of hanging."""


class FrozenClock:
    """A clock that stands still for :data:`GRACE` seconds of real time, then runs."""

    def __init__(self) -> None:
        self.start = time.monotonic() + GRACE

    def __call__(self) -> float:
        return max(0.0, time.monotonic() - self.start)


@pytest.fixture(autouse=True)
def frozen_clock(request, monkeypatch):
    """Time stands still for cg's budgets (the check, --exact, the grader, their workers):
    a budget never runs out however busy the machine is, and every test sees the whole
    work done. A test of a time-out is marked ``real_clock`` or asks for ``stepping_clock``.
    (A cg run in a subprocess keeps the real clock: give it a budget its work cannot miss.)"""
    if request.node.get_closest_marker("real_clock"):
        return
    from cgcli.core import clock

    monkeypatch.setattr(clock, "now", FrozenClock())


class SteppingClock:
    """A clock that moves ``step`` seconds each time cg reads it: a budget of n·step runs
    out after n reads, whatever the machine's speed."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.time = 0.0

    def __call__(self) -> float:
        self.time += self.step
        return self.time


@pytest.fixture
def stepping_clock(monkeypatch):
    """cg's budgets on a :class:`SteppingClock` of 1 s per read (``.step`` to change it)."""
    from cgcli.core import clock

    fake = SteppingClock(1.0)
    monkeypatch.setattr(clock, "now", fake)
    return fake


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
