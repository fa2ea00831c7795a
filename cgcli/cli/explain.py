"""cg explain: the worked chain-rule solution."""

from __future__ import annotations

import click

from ..core.errors import UsageError
from .options import (
    EXIT_CODES,
    ProgramCommand,
    exact_timeout_option,
    output_options,
    program_arguments,
)
from .program import as_document, load_program, refuse_standalone, warn


@click.command(
    "explain",
    cls=ProgramCommand,
    epilog=EXIT_CODES,
    short_help="The worked solution, forward pass then chain rule.",
)
@program_arguments
@output_options(["text", "markdown", "latex"], default="text", wrt=False)
@click.option("--exact", is_flag=True, help="Exact arithmetic, with a float alongside.")
@exact_timeout_option()
@click.option(
    "--brief",
    is_flag=True,
    help="One line per gate, without the phrases on what each gate does to the gradient.",
)
@click.option(
    "--mode",
    type=click.Choice(["reverse", "forward"]),
    default="reverse",
    show_default=True,
    help="forward: the forward-mode steps instead, each node's tangent ∂node/∂b for "
    "--wrt b (or along --tangent) by the chain rule.",
)
@click.option("--wrt", metavar="NAME", help="With --mode forward: the input that moves.")
@click.option(
    "--tangent",
    metavar="NAME=VALUE,...",
    help="With --mode forward: the direction, each input's tangent (a=1,b=0.5).",
)
@click.option(
    "--by-step",
    is_flag=True,
    help="A program with a loop: backpropagation through time step by step, each shared "
    "weight's gradient as the sum of its shares over the steps.",
)
@click.option(
    "--truncate",
    type=click.IntRange(min=0),
    metavar="K",
    help="Truncated backpropagation through time (step by step): gradients stop K steps "
    "back through the loop's state.",
)
def explain_command(
    program,
    output_format,
    digits,
    standalone,
    exact,
    exact_timeout,
    brief,
    mode,
    wrt,
    tangent,
    by_step,
    truncate,
):
    """The worked solution: the forward pass node by node, then the backward pass by the
    chain rule, gate by gate, with the textbook's local derivatives and every number
    filled in."""
    from ..teach.explanation import explain

    refuse_standalone(standalone, output_format)
    if (mode == "forward" or tangent is not None) and output_format == "latex":
        raise UsageError("--mode forward explains in text or markdown, in float64")
    if (by_step or truncate is not None) and output_format == "latex":
        raise UsageError("--by-step and --truncate explain in text or markdown")
    graph, values = load_program(program)
    explanation = explain(
        graph,
        values,
        mode=mode,
        wrt=wrt,
        tangent=tangent,
        exact=exact,
        exact_timeout=exact_timeout,
        digits=digits,
        brief=brief,
        **({"by_step": True, "truncate": truncate} if by_step or truncate is not None else {}),
    )
    for warning in explanation.warnings:
        warn(warning)
    if output_format == "latex":
        click.echo(as_document(explanation.latex, standalone, "explain"), nl=False)
    elif output_format == "markdown":
        click.echo(explanation.markdown, nl=False)
    else:
        click.echo(explanation.text, nl=False)


command = explain_command
"""The click command that cgcli.cli.group.LazyGroup loads."""
