"""The ``cg`` click group: its commands, each loaded from its own module when it runs,
and the one error path every command line goes through."""

from __future__ import annotations

import importlib
import sys

import click

from ..core.version import __version__
from .options import EXIT_CODES
from .reporting import check_arguments_are_text, run_reporting_errors

COMMANDS = {
    "eval": "evaluate",
    "graph": "draw",
    "explain": "explain",
    "check": "check",
    "grad": "grad",
    "train": "train",
    "example-data": "example_data",
    "page": "page",
    "sheet": "sheet",
    "hessian": "hessian",
    "docs": "docs",
}
"""Each command and the module of this package that defines it as ``command``."""


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs, so start-up stays short."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"{__package__}.{COMMANDS[name]}")
        return module.command

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run cg: one error path for every command and for click's own usage errors."""
        arguments = sys.argv[1:] if args is None else list(args)

        def run():
            check_arguments_are_text(arguments)
            return super(LazyGroup, self).main(
                arguments, "cg", complete_var, standalone_mode=False, **extra
            )

        return run_reporting_errors(run)


@click.group(
    cls=LazyGroup,
    epilog=EXIT_CODES,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="cg")
def cg() -> None:
    """cg: scalar math as a computational graph, with forward pass, backpropagation
    and a check against SymPy.

    \b
    Example (the worked example of backpropagation):
      cg eval "(x+y)*z" x=1 y=3 z=-3
    """
