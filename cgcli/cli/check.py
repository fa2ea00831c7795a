"""cg check: grade one student's answers, or a class's sheets."""

from __future__ import annotations

import sys

import click

from ..core.errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError
from ..core.limits import EXACT_TIMEOUT
from . import (
    EXIT_CODES,
    FILE,
    FILE_OR_FOLDER,
    NON_NEGATIVE,
    SECONDS,
    ProgramCommand,
    check_output,
    load_program,
    output_options,
    program_arguments,
    refuse_two_stdins,
    suggest,
    warn,
)


@click.command(
    "check",
    cls=ProgramCommand,
    epilog=EXIT_CODES,
    short_help="Grade a student's numbers or a class's sheets.",
)
@program_arguments
@output_options(["text", "json"], default="text", wrt=False)
@click.option(
    "--answers",
    "answer_files",
    multiple=True,
    type=FILE_OR_FOLDER,
    metavar="FILE|FOLDER",
    help="Answer sheets ('-' for stdin): any table cg writes (Markdown, CSV, TSV, JSON, LaTeX), "
    "filled in, or KEY = NUMBER lines. Several files (--answers a.md b.md) or a folder grade "
    "a class.",
)
@click.option(
    "--expect",
    "expectations",
    multiple=True,
    metavar="ANSWERS",
    help="Answers on the command line: p=4, dg/dx=-3, dz=x+y (repeatable).",
)
@click.option(
    "--require",
    metavar="all|values|gradients|KEYS",
    shell_complete=suggest("all", "values", "gradients"),
    help="What is asked: missing answers count as wrong (default: what each sheet shows).",
)
@click.option(
    "--weights",
    "weights_file",
    type=FILE,
    metavar="FILE",
    help="Points per answer: CSV answer,weight or JSON.",
)
@click.option(
    "--tol",
    type=NON_NEGATIVE,
    help="Relative tolerance instead of the precision each answer is written to.",
)
@click.option("--abs-tol", type=NON_NEGATIVE, help="Absolute tolerance (with or without --tol).")
@click.option(
    "--decimals",
    type=click.IntRange(0, 17),
    help="Compare every answer with the true value rounded to this many decimals.",
)
@click.option("--exact", is_flag=True, help="Answers must be exactly right (1/3 is not 0.333).")
@click.option(
    "--own-rounding",
    default="1%",
    show_default=True,
    metavar="PERCENT",
    help="A step computed from the student's own rounded answers is right within this "
    "share of the true value (5%, 0 for never).",
)
@click.option(
    "--exact-timeout",
    type=SECONDS,
    default=EXACT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="With --exact: time budget of the program's exact numbers.",
)
@click.option(
    "--summary",
    "summary_file",
    type=FILE,
    metavar="FILE.csv",
    help="Write a gradebook: student, score, asked, points, a verdict per question.",
)
def check_command(
    program,
    output_format,
    digits,
    answer_files,
    expectations,
    require,
    weights_file,
    tol,
    abs_tol,
    decimals,
    exact,
    own_rounding,
    exact_timeout,
    summary_file,
):
    """Grade a student's numbers for node values and gradients, naming the mistake behind
    each wrong one; or grade a class's sheets. Exit 0 when every answer asked is right,
    1 when any is wrong or missing, 2 when a sheet could not be read."""
    from ..core.files import write_whole
    from ..grading import grade_class
    from ..grading.classbook import gradebook
    from ..grading.keys import split_expectations
    from ..grading.sheets import read_weights, sheet_from_pairs

    program, files = _split_sheet_arguments(program, answer_files)
    _check_paths(program, files, weights_file, summary_file)
    if summary_file:
        _check_summary(program, files, weights_file, summary_file)
    graph, values = load_program(program)
    sheets: list = list(files)
    if expectations:
        if len(files) > 1 or (files and _is_folder(files[0])):
            raise UsageError("--expect adds answers to one sheet, not to a class's sheets")
        typed = sheet_from_pairs(split_expectations(list(expectations)))
        sheets = [_merged(files[0], typed) if files else typed]
    if not sheets:
        raise UsageError("no answers to grade: give --answers FILE or --expect p=4,dg/dx=-3")
    grades = grade_class(
        graph,
        values,
        sheets,
        require=require,
        weights=read_weights(weights_file) if weights_file else None,
        tol=tol,
        abs_tol=abs_tol,
        decimals=decimals,
        exact=exact,
        own_rounding=own_rounding,
        exact_timeout=exact_timeout,
        digits=digits,
        skip_files=[summary_file] if summary_file else [],
    )
    single = len(sheets) == 1 and not _is_folder(sheets[0])
    problems = [(s.source, p) for s in grades.sheets for p in s.problems] + grades.notes
    for source, problem in problems:
        warn(problem if single else f"{source}: {problem}")
    if single and grades.errors:
        raise UsageError(grades.errors[0][1])
    for path, why in grades.skipped:
        warn(f"{path}: skipped: {why}")
    if summary_file:
        write_whole(summary_file, gradebook(grades), "--summary")
    _print(grades, single, output_format, graph.source)
    if grades.errors:
        raise UsageError(_not_graded(grades.errors))
    sys.exit(EXIT_OK if grades.ok else EXIT_CHECK_FAILED)


def _not_graded(errors: list[tuple[str, str]]) -> str:
    """The sheets that could not be read, in one line (the others are graded)."""
    shown = [error if source in error else f"{source}: {error}" for source, error in errors]
    if len(shown) == 1:
        return shown[0]
    return f"{len(shown)} sheets could not be read: " + "; ".join(shown)


def _split_sheet_arguments(program, answer_files):
    """The program's own arguments, and the sheet files: after ``--answers a.md``, the
    shell's ``b.md c.md`` arrive as positional arguments that are not NAME=VALUE."""
    if not answer_files:
        return program, []
    keep = 0 if program.program_file is not None else 1
    arguments, files = list(program.arguments[:keep]), list(answer_files)
    for argument in program.arguments[keep:]:
        (arguments if "=" in argument else files).append(argument)
    return program._replace(arguments=tuple(arguments)), files


def _check_paths(program, files: list[str], weights_file, summary_file) -> None:
    """No empty file names; standard input read once (by the program or by one file)."""
    named = [("--answers", f) for f in files] + [("--weights", weights_file)]
    for option, path in [*named, ("--summary", summary_file)]:
        if path is not None and not path.strip():
            raise UsageError(f"{option} {path!r}: the file name is empty")
    readers = [option for option, path in named if path == "-"]
    for option in dict.fromkeys(readers):
        refuse_two_stdins(program, "-", option)
    if len(set(readers)) > 1:
        raise UsageError(
            "--answers and --weights cannot both come from stdin: give one of them as a file"
        )
    if len(readers) > 1:
        raise UsageError("--answers - is given twice: stdin can be read only once")


def _check_summary(program, files: list[str], weights_file, summary_file) -> None:
    """--summary can be written, and it may replace an earlier gradebook (which is not
    graded as a sheet), never a sheet being graded, the program or the weights."""
    from ..core.files import check_writable
    from ..grading.classbook import is_gradebook
    from ..grading.sheets import folder_sheets

    if is_gradebook(summary_file):
        check_writable(summary_file, "--summary")
        return
    inputs = [("--weights", weights_file)]
    for entry in files:
        if _is_folder(entry):
            inputs += [("--answers", str(path)) for path in folder_sheets(entry)[0]]
        else:
            inputs.append(("--answers", entry))
    check_output(summary_file, "--summary", program, *inputs)


def _merged(path, typed):
    from ..grading.sheets import read_sheet

    sheet = read_sheet(path)
    sheet.cells.extend(typed.cells)
    return sheet


def _is_folder(entry) -> bool:
    from pathlib import Path

    return isinstance(entry, str) and Path(entry).is_dir()


def _print(grades, single: bool, output_format: str, program: str) -> None:
    """JSON, or the grades: rich on a terminal (as cg eval's table), plain when piped."""
    from ..render.grades import render_class, render_sheet

    if output_format == "json":
        from ..core.untrusted import json_text

        doc = grades.sheets[0].as_dict() if single else grades.as_dict()
        click.echo(json_text(doc))
    elif sys.stdout.isatty():
        from rich.console import Console

        from ..render.grades import print_rich

        print_rich(grades, single, program, Console())
    elif single:
        click.echo(render_sheet(grades.sheets[0]), nl=False)
    else:
        click.echo(render_class(grades), nl=False)


command = check_command
"""The click command that cgcli.cli.LazyGroup loads."""
