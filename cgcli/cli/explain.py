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
    from ..evaluation import evaluate_graph
    from ..explain import exact_numbers, float_numbers, render_latex, render_text, solve

    graph, values = load_program(program)
    result = evaluate_graph(graph, values, check=False, exact=exact)
    for warning in result.warnings:
        warn(warning)
    floats = [r.value for r in result.nodes]
    if exact:
        numbers = exact_numbers(result.exact, digits, floats)
    else:
        grads = [r.grad for r in result.nodes]
        numbers = float_numbers(result.graph, floats, grads, digits)
    solution = solve(result.graph, numbers)
    if output_format == "latex":
        click.echo(render_latex(solution, brief=brief), nl=False)
    else:
        markdown = output_format == "markdown"
        click.echo(render_text(solution, markdown=markdown, brief=brief), nl=False)


command = explain_command
"""The click command that cgcli.cli.LazyGroup loads."""
