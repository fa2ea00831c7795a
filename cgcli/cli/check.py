"""cg check: grade a student's answers."""

from __future__ import annotations

import json
import sys

import click

from ..errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError
from ..numbers import json_number
from . import (
    EXIT_CODES,
    NON_NEGATIVE,
    ProgramCommand,
    load_program,
    output_options,
    program_arguments,
    warn,
)


@click.command("check", cls=ProgramCommand, epilog=EXIT_CODES)
@program_arguments
@output_options(["text", "json"], default="text", wrt=False)
@click.option(
    "--answers",
    "answer_file",
    metavar="FILE",
    help="A student's answers: JSON, CSV (node,value,grad) or the Markdown table of "
    "cg eval --format markdown, filled in.",
)
@click.option(
    "--expect",
    "expectations",
    multiple=True,
    metavar="ANSWERS",
    help="Answers on the command line: p=4, dg/dx=-3 or dx=-3 (repeatable).",
)
@click.option(
    "--tol",
    type=NON_NEGATIVE,
    default=1e-3,
    show_default=True,
    help="Relative tolerance for a right answer (plus 1e-9 absolute).",
)
@click.option("--exact", is_flag=True, help="Answers must be exactly right (1/3 is not 0.333).")
def check_command(
    program,
    output_format,
    digits,
    answer_file,
    expectations,
    tol,
    exact,
):
    """Grade a student's numbers for node values and gradients, naming the likely mistake
    behind each wrong one. Exit 0 when all are right, 1 when any is wrong."""
    from ..answers import GRAD, parse_expectations, read_answer_file
    from ..evaluation import evaluate_graph
    from ..grading import ABSOLUTE_TOLERANCE, grade

    graph, values = load_program(program)
    result = evaluate_graph(graph, values, check=False, exact=exact)
    for warning in result.warnings:
        warn(warning)
    answers = list(parse_expectations(list(expectations), result.graph))
    if answer_file:
        answers += read_answer_file(answer_file, result.graph)
    answers = list({(a.kind, a.node.index, a.given.number): a for a in answers}.values())
    if not answers:
        raise UsageError("no answers to grade: give --answers FILE or --expect p=4,dg/dx=-3")
    grades = grade(result, answers, tol)
    right = sum(g.right for g in grades)
    if output_format == "json":
        doc = {
            "ok": right == len(grades),
            "right": right,
            "total": len(grades),
            "tolerance": {"relative": tol, "absolute": ABSOLUTE_TOLERANCE, "exact": exact},
            "answers": [
                {
                    "answer": g.answer.key,
                    "kind": g.answer.kind,
                    "node": g.answer.node.id,
                    "label": result.graph.label(g.answer.node),
                    "given": g.answer.given.number,
                    "correct": json_number(g.correct),
                    "right": g.right,
                    "mistake": g.mistake,
                    "diagnosis": g.diagnosis,
                }
                for g in grades
            ],
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        from ..numbers import format_number
        from ..render.table import Column, plain

        out = result.output
        rows = []
        for g in grades:
            label = result.graph.label(g.answer.node)
            shown = label if g.answer.kind != GRAD else f"∂{out}/∂{label}"
            index = g.answer.node.index
            correct = (
                result.shown_value(index, digits)
                if g.answer.kind != GRAD
                else result.shown_grad(index, digits)
            )
            verdict = "✓ right" if g.right else f"✗ {g.diagnosis}"
            rows.append([shown, format_number(g.answer.given.number, digits), correct, verdict])
        columns = [
            Column("answer"),
            Column("given", True),
            Column("correct", True),
            Column("grade"),
        ]
        click.echo(plain(columns, rows))
        click.echo(f"{right} of {len(grades)} right")
    sys.exit(EXIT_OK if right == len(grades) else EXIT_CHECK_FAILED)


command = check_command
"""The click command that cgcli.cli.LazyGroup loads."""
