"""``python -m cgcli``: the same as the ``cg`` command."""

from .cli import console

console()
