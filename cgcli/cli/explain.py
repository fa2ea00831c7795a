"""cg explain: the worked chain-rule solution."""

from __future__ import annotations

import click

from . import (
    EXIT_CODES,
    ProgramCommand,
    load_program,
    output_options,
    program_arguments,
    warn,
)


@click.command("explain", cls=ProgramCommand, epilog=EXIT_CODES)
@program_arguments
@output_options(["text", "markdown", "latex"], default="text", wrt=False)
@click.option("--exact", is_flag=True, help="Exact arithmetic, with a float alongside.")
@click.option(
    "--brief",
    is_flag=True,
    help="One line per gate, without the phrases on what each gate does to the gradient.",
)
def explain_command(program, output_format, digits, exact, brief):
    """The worked solution: the forward pass node by node, then the backward pass by the
    chain rule, gate by gate, with the textbook's local derivatives and every number
    filled in."""
    from ..explanation import explain

    graph, values = load_program(program)
    explanation = explain(graph, values, exact=exact, digits=digits, brief=brief)
    for warning in explanation.warnings:
        warn(warning)
    if output_format == "latex":
        click.echo(explanation.latex, nl=False)
    elif output_format == "markdown":
        click.echo(explanation.markdown, nl=False)
    else:
        click.echo(explanation.text, nl=False)


command = explain_command
"""The click command that cgcli.cli.LazyGroup loads."""
