"""cg example-data: the small data sets the training examples use (docs/training.md)."""

from __future__ import annotations

import click

from .options import EXIT_CODES, FILE, CgCommand


@click.command(
    "example-data",
    cls=CgCommand,
    epilog=EXIT_CODES,
    short_help="Write a small data set for the training examples.",
)
@click.argument("name", metavar="NAME", type=click.Choice(["line", "clusters", "xor", "sine"]))
@click.option(
    "-o",
    "--out",
    "out_file",
    type=FILE,
    metavar="FILE",
    help="Write to FILE instead of standard output (whole, or not at all).",
)
def example_data_command(name, out_file):
    """Write a small data set as CSV: line (y ≈ 2x − 1 with noise), clusters (two
    separable clusters, label y), xor (the four points of XOR) or sine (windows x[1]..x[5]
    of a noisy sine wave and y, the value after them), for cg train. Fixed
    seeds: the same file on every machine."""
    from ..core.files import format_for_file, write_whole
    from ..training.datasets import example_data

    if out_file is not None:
        format_for_file(out_file, "-o", {".csv": "csv", "": "csv"})
    text = example_data(name)
    if out_file is not None:
        write_whole(out_file, text, "-o")
    else:
        click.echo(text, nl=False)


command = example_data_command
"""The click command that cgcli.cli.group.LazyGroup loads."""
