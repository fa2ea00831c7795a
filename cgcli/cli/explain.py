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
def explain_command(program, output_format, digits, exact):
    """The worked solution: the forward pass node by node, then the backward pass by the
    chain rule, with every number filled in."""
    from ..evaluation import evaluate_graph
    from ..explain import exact_numbers, float_numbers, render_latex, render_text, solve

    graph, values = load_program(program)
    result = evaluate_graph(graph, values, check=False, exact=exact)
    for warning in result.warnings:
        warn(warning)
    if exact:
        numbers = exact_numbers(result.exact, digits)
    else:
        values_, grads = [r.value for r in result.nodes], [r.grad for r in result.nodes]
        numbers = float_numbers(result.graph, values_, grads, digits)
    solution = solve(result.graph, numbers)
    if output_format == "latex":
        click.echo(render_latex(solution), nl=False)
    else:
        click.echo(render_text(solution, markdown=output_format == "markdown"), nl=False)


command = explain_command
"""The click command that cgcli.cli.LazyGroup loads."""
