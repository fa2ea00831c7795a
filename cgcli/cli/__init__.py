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

YOUNG_COLLECTION_THRESHOLD = 10_000
"""The console process's first-generation threshold for the cycle collector (Python's
default is 700). Start-up creates some 20,000 objects, functions and classes that live
until the end; at 700 the collector scanned them about 20 times, a millisecond of a run
of twenty. Garbage in reference cycles is still collected, in larger batches."""


def main(args: list[str] | None = None) -> None:
    """Run cg on ``args`` (default: the process's arguments); it exits with cg's exit code.

    A ``cg eval`` whose every option :mod:`~cgcli.cli.quick` reads on its own runs without
    click; every other command line goes to the click group."""
    arguments = sys.argv[1:] if args is None else list(args)
    from .quick import run_quick

    run_quick(arguments)  # returns only when the command line is not one it reads
    from .group import cg

    cg.main(arguments)


def console() -> None:
    """The ``cg`` console script and ``python -m cgcli``: :func:`main` on the process's
    arguments, with the cycle collector set for one process that ends when cg does.

    At the end everything left is frozen (:func:`gc.freeze`): the interpreter's shutdown
    then frees it by reference counts alone instead of scanning it for cycles, which took
    two of a plain run's twenty milliseconds. Handlers registered with :mod:`atexit` still
    run and the standard streams are still flushed. Only here, never in :func:`main`,
    which may run many times in one process (a test, a notebook)."""
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
    try:
        main()
    finally:
        gc.freeze()
