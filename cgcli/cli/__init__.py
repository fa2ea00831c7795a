"""The command line: parse arguments, call one library function, render, map errors to
exit codes.

Each command lives in a module of its own and declares itself to click
(:mod:`~cgcli.cli.options`); the ``cg`` group (:mod:`~cgcli.cli.group`) loads a command's
module only when it runs. What the commands share that needs no click is in
:mod:`~cgcli.cli.program`. A plain ``cg eval`` is read by :mod:`~cgcli.cli.quick`
without importing click at all, and runs the same code. The top floor: it may import from
every package below it; the commands do not import each other."""

from __future__ import annotations

import gc
import sys

COLLECT_EVERY = 10_000
"""Allocations between two collections of the garbage collector's youngest generation
while cg runs (Python's default is 700). A run makes its objects (the modules it imports,
the graph) to keep them to its end: at 700, start-up alone pays for dozens of passes over
objects that never die."""


def main(args: list[str] | None = None) -> None:
    """Run cg on ``args`` (default: the process's arguments); it exits with cg's exit code.

    A ``cg eval`` whose every option :mod:`~cgcli.cli.quick` reads on its own runs without
    click; every other command line goes to the click group."""
    arguments = sys.argv[1:] if args is None else list(args)
    thresholds = gc.get_threshold()
    gc.set_threshold(COLLECT_EVERY, *thresholds[1:])
    try:
        from .quick import run_quick

        run_quick(arguments)  # returns only when the command line is not one it reads
        from .group import cg

        cg.main(arguments)
    finally:  # cg may run inside another program (a test, a notebook)
        gc.set_threshold(*thresholds)
