"""The command line: parse arguments, call one library function, render, map errors to
exit codes.

Each command lives in a module of its own and declares itself to click
(:mod:`~cgcli.cli.options`); the ``cg`` group (:mod:`~cgcli.cli.group`) loads a command's
module only when it runs. What the commands share that needs no click is in
:mod:`~cgcli.cli.program`. A plain ``cg eval`` is read by :mod:`~cgcli.cli.quick`
without importing click at all, and runs the same code. The top floor: it may import from
every package below it; the commands do not import each other."""

from __future__ import annotations

import sys


def main(args: list[str] | None = None) -> None:
    """Run cg on ``args`` (default: the process's arguments); it exits with cg's exit code.

    A ``cg eval`` whose every option :mod:`~cgcli.cli.quick` reads on its own runs without
    click; every other command line goes to the click group."""
    arguments = sys.argv[1:] if args is None else list(args)
    from .quick import run_quick

    run_quick(arguments)  # returns only when the command line is not one it reads
    from .group import cg

    cg.main(arguments)
