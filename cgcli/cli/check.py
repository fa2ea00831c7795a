"""cg check: grade one student's answers, or a class's sheets."""

from __future__ import annotations

import sys

import click

from ..core.errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError
from .options import (
    EXIT_CODES,
    FILE,
    FILE_OR_FOLDER,
    NON_NEGATIVE,
    PathValue,
    ProgramCommand,
    exact_timeout_option,
    output_options,
    program_arguments,
    suggest,
)
from .program import check_output, load_program, looks_like_a_value, refuse_two_stdins, warn

CLASS_DRAWING_EXTENSIONS = {".svg": "svg", ".html": "html", ".htm": "html"}
"""--class-drawing FILE: the shaded circuit (.svg), or a page with the table too (.html)."""


@click.command(
    "check",
    cls=ProgramCommand,
    epilog=EXIT_CODES,
    short_help="Grade a student's numbers or a class's sheets.",
)
@program_arguments
@output_options(["text", "json", "gradescope", "prairielearn"], default="text", wrt=False)
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
    help="Answers on the command line: p=4, dg/dx=-3, dz=x+y, a matrix dL/dW=[[1,2],[3,4]] "
    "(repeatable).",
)
@click.option(
    "--require",
    metavar="all|values|gradients|KEYS",
    shell_complete=suggest("all", "values", "gradients"),
    help="What is asked: missing answers count as wrong (default: what each sheet shows; "
    "with --format gradescope or prairielearn, all).",
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
    "share of the true value (e.g. 5%; 0 for never).",
)
@exact_timeout_option("With --exact: time budget of the program's exact numbers.")
@click.option(
    "--visibility",
    type=click.Choice(["visible", "hidden", "after_due_date", "after_published"]),
    default="visible",
    show_default=True,
    help="With --format gradescope: when students see the tests (their right numbers).",
)
@click.option(
    "--variants",
    "variants_file",
    type=FILE,
    metavar="FILE.csv",
    help="Grade each sheet at its student's own values: the variants.csv of cg sheet --roster.",
)
@click.option(
    "--summary",
    "summary_file",
    type=FILE,
    metavar="FILE.csv",
    help="Write a gradebook: student, score, asked, points, a verdict per question; "
    "and show the gates where students made their first mistake.",
)
@click.option(
    "--class-drawing",
    "class_drawing_file",
    type=FILE,
    metavar="FILE.svg|FILE.html",
    help="Draw the circuit, each gate shaded by the share of students whose first mistake "
    "was there; a .html file is a page with the table of gates too (needs Graphviz).",
)
@click.option(
    "--drawings",
    "drawings_folder",
    type=PathValue(file_okay=False, dir_okay=True),
    metavar="FOLDER",
    help="Write each student's graded circuit, STUDENT.svg and STUDENT.html, into FOLDER "
    "(made if missing; needs Graphviz). A file there that differs is never replaced: "
    "nothing is written.",
)
@click.option(
    "--summary-format",
    type=click.Choice(["plain", "canvas"]),
    default="plain",
    show_default=True,
    help="The gradebook as cg writes it, or as a Canvas gradebook import (needs --roster).",
)
@click.option(
    "--roster",
    type=FILE,
    metavar="FILE.csv",
    help="The course's roster (best Canvas's gradebook export): the rows of a Canvas import.",
)
@click.option(
    "--assignment",
    default="cg check",
    show_default=True,
    metavar="NAME",
    help="The title of the Canvas import's assignment column ('Homework 3 (12345)' updates "
    "that assignment).",
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
    visibility,
    variants_file,
    summary_file,
    summary_format,
    roster,
    assignment,
    class_drawing_file,
    drawings_folder,
):
    """Grade a student's numbers for node values and gradients, naming the mistake behind
    each wrong one; or grade a class's sheets. Exit 0 when every answer asked is right,
    1 when any is wrong or missing, 2 when a sheet could not be read or has no variant
    (in a class, the other sheets are graded all the same)."""
    from ..core.files import format_for_file, write_whole
    from ..grading import grade_class
    from ..grading.keys import split_expectations
    from ..grading.sheets import read_weights, sheet_from_pairs

    program, files = _split_sheet_arguments(program, answer_files)
    read = {"--weights": weights_file, "--variants": variants_file, "--roster": roster}
    if class_drawing_file:
        check_output(class_drawing_file, "--class-drawing", program, *_inputs(files, read))
        format_for_file(class_drawing_file, "--class-drawing", CLASS_DRAWING_EXTENSIONS)
        _refuse_replacing_another_file(class_drawing_file)
    if drawings_folder:
        from ..grading.variants import make_folder

        make_folder(drawings_folder, "--drawings")  # before any work
    for entry in files if drawings_folder else []:
        if _is_folder(entry) and _same_folder(entry, drawings_folder):
            raise UsageError(
                f"--drawings {drawings_folder} is the class's folder --answers {entry}: the "
                "drawings would be read as sheets next time; give another folder"
            )
    students = _roster(summary_format, summary_file, roster)
    if students is not None:
        _check_assignment(assignment)
    _check_paths(program, files, weights_file, summary_file)
    if summary_file:
        _check_summary(program, files, summary_file, read)
        format_for_file(summary_file, "--summary", {".csv": "csv"})
    graph, values = load_program(program)
    sheets: list = list(files)
    if expectations:
        if len(files) > 1 or (files and _is_folder(files[0])):
            raise UsageError("--expect adds answers to one sheet, not to a class's sheets")
        typed = sheet_from_pairs(split_expectations(list(expectations)))
        sheets = [_merged(files[0], typed) if files else typed]
    if not sheets:
        raise UsageError("no answers to grade: give --answers FILE or --expect p=4,dg/dx=-3")
    if require is None and output_format in LMS_FORMATS:
        require = "all"  # a row left out is missing; the student's asks: line is their own
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
        variants=variants_file,
    )
    single = len(sheets) == 1 and not _is_folder(sheets[0])
    problems = [(s.source, p) for s in grades.sheets for p in s.problems] + grades.notes
    for source, problem in problems:
        warn(problem if single else f"{source}: {problem}")
    drawn = {}
    if class_drawing_file or drawings_folder:
        drawn = _draw(
            graph, values, variants_file, grades, digits, class_drawing_file, drawings_folder
        )
    if output_format in LMS_FORMATS:
        _print_lms(grades, single, output_format, drawn, visibility)
    if single and grades.errors:
        raise UsageError(grades.errors[0][1])
    for path, why in grades.skipped:
        warn(f"{path}: skipped: {why}")
    if summary_file:
        write_whole(
            summary_file, _gradebook(grades, summary_format, students, assignment), "--summary"
        )
    if output_format not in LMS_FORMATS:
        _print(grades, single, output_format, graph.source, bool(summary_file))
    if grades.errors:
        raise UsageError(_not_graded(grades.errors))
    sys.exit(EXIT_OK if grades.ok else EXIT_CHECK_FAILED)


def _roster(summary_format: str, summary_file, roster):
    """The students of --roster, read before any grading; a Canvas import needs them."""
    from ..grading.variants import read_roster

    if summary_format == "canvas" and not (summary_file and roster):
        raise UsageError(
            "--summary-format canvas writes --summary FILE.csv for the students of --roster "
            "FILE.csv (Canvas's gradebook export): give both"
        )
    if roster and summary_format != "canvas":
        raise UsageError("--roster is for --summary-format canvas")
    return read_roster(roster) if roster else None


def _check_assignment(assignment: str) -> None:
    """An assignment's column may not take the name of a column Canvas needs (the
    import would have two ``Student`` columns)."""
    from ..grading.canvas import CANVAS_COLUMNS, CANVAS_EXPORT_COLUMNS

    columns = (*CANVAS_COLUMNS, *CANVAS_EXPORT_COLUMNS)
    taken = next((c for c in columns if c.casefold() == assignment.strip().casefold()), None)
    if taken is not None or not assignment.strip():
        name = f"the name of Canvas's column {taken}" if taken else "no name"
        raise UsageError(f"--assignment {assignment!r} is {name}: name the assignment")


def _gradebook(grades, summary_format: str, students, assignment: str) -> str:
    """The --summary file: cg's gradebook, or a Canvas import (with its warnings: a
    graded student the roster does not list, a roster student two sheets claim)."""
    from ..grading.canvas import canvas_gradebook
    from ..grading.classbook import gradebook

    if summary_format != "canvas":
        return gradebook(grades)
    text, warnings = canvas_gradebook(grades, students, assignment)
    for line in warnings:
        warn(line)
    return text


LMS_FORMATS = ("gradescope", "prairielearn")
"""Formats of one submission's results.json, for a course's grading system."""


def _print_lms(
    grades, single: bool, output_format: str, drawn: dict[str, str], visibility: str
) -> None:
    """Gradescope's or PrairieLearn's results.json of the one sheet graded; with
    --drawings, PrairieLearn's shows the graded drawing (``drawn``: student -> SVG)."""
    from ..core.untrusted import json_text
    from ..render.lms import gradescope_results, prairielearn_results

    if not single:
        raise UsageError(
            f"--format {output_format} grades one submission, as {output_format} runs the "
            "grader once per student: give one sheet (--answers FILE), not a class"
        )
    sheet = grades.sheets[0] if grades.sheets else None
    error = grades.errors[0][1] if grades.errors else None
    if output_format == "gradescope":
        click.echo(json_text(gradescope_results(sheet, error, visibility)))
        return
    images = None
    if sheet is not None and sheet.student in drawn:
        from ..render.course import svg_data_url

        images = [{"label": "Your graded circuit", "url": svg_data_url(drawn[sheet.student])}]
    click.echo(json_text(prairielearn_results(sheet, error, images)))


def _not_graded(errors: list[tuple[str, str]]) -> str:
    """The sheets that could not be read, in one line (the others are graded)."""
    shown = [error if source in error else f"{source}: {error}" for source, error in errors]
    if len(shown) == 1:
        return shown[0]
    return f"{len(shown)} sheets could not be read: " + "; ".join(shown)


def _split_sheet_arguments(program, answer_files):
    """The program's own arguments, and the sheet files: after ``--answers a.md``, the
    shell's ``b.md c.md`` arrive as positional arguments that are not NAME=VALUE (a file
    whose name has an ``=`` but is no value, ``attempt=2.md``, is a sheet too)."""
    if not answer_files:
        return program, []
    keep = 0 if program.program_file is not None else 1
    arguments, files = list(program.arguments[:keep]), list(answer_files)
    for argument in program.arguments[keep:]:
        (files if _is_sheet_file(argument) else arguments).append(argument)
    return program._replace(arguments=tuple(arguments)), files


def _is_sheet_file(argument: str) -> bool:
    """Whether a positional argument after ``--answers`` names a sheet, not a value."""
    if "=" not in argument:
        return True
    import os

    return not looks_like_a_value(argument) and os.path.exists(argument)


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


def _check_summary(program, files: list[str], summary_file, read: dict) -> None:
    """--summary can be written, and it may replace an earlier gradebook (which is not
    graded as a sheet), never another file: a sheet being graded or skipped, the program,
    a file read by ``read`` (option -> path: the weights, the variants, the roster)."""
    import os

    from ..core.files import check_writable, refuse_overwriting
    from ..grading.canvas import is_canvas_import
    from ..grading.classbook import is_gradebook

    refuse_overwriting(summary_file, "--summary", read.items())
    if is_gradebook(summary_file) or is_canvas_import(summary_file):
        check_writable(summary_file, "--summary")
        return
    check_output(summary_file, "--summary", program, *_inputs(files, read))
    if os.path.isfile(summary_file):  # a skipped sheet (.late.md), the teacher's own file
        raise _not_ours("--summary", summary_file, "gradebook")


CLASS_DRAWING_MARKS = (b"<!-- Title: cg Pages:", b"<title>Where the class went wrong:")
"""What the first bytes of a class drawing cg wrote hold (Graphviz's title of cg's SVG,
the page's title): only such a file is replaced by a new one."""


def _refuse_replacing_another_file(path: str) -> None:
    """--class-drawing replaces an earlier class drawing, never another file (the
    teacher's notes.svg, a student's page)."""
    import os

    if not os.path.isfile(path):
        return
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if not any(mark in head for mark in CLASS_DRAWING_MARKS):
        raise _not_ours("--class-drawing", path, "drawing")


def _not_ours(option: str, path: str, what: str) -> UsageError:
    """The error of an output that would replace a file cg did not write."""
    return UsageError(
        f"{option} {path} exists and is no {what} cg wrote: cg does not write over it; give "
        "a new name"
    )


def _inputs(files: list[str], read: dict) -> list[tuple[str, str]]:
    """Every file the command reads, as (option, path): the sheets (those of a folder
    one by one) and ``read`` (option -> path), for an output to refuse."""
    from ..grading.sheets import folder_sheets

    inputs = list(read.items())
    for entry in files:
        if _is_folder(entry):
            inputs += [("--answers", str(path)) for path in folder_sheets(entry)[0]]
        else:
            inputs.append(("--answers", entry))
    return inputs


def _merged(path, typed):
    from ..grading.sheets import read_sheet

    sheet = read_sheet(path)
    sheet.cells.extend(typed.cells)
    return sheet


def _same_folder(a: str, b: str) -> bool:
    import os

    return os.path.realpath(a) == os.path.realpath(b)


def _is_folder(entry) -> bool:
    from pathlib import Path

    return isinstance(entry, str) and Path(entry).is_dir()


def _draw(graph, values, variants_file, grades, digits, class_file, folder) -> dict[str, str]:
    """--class-drawing and --drawings written (returned: student -> graded SVG); a student
    whose drawing would take the class drawing's name in the folder gets ``-2``."""
    import os

    from ..core.files import write_whole
    from ..grading.variants import read_variants, safe_file_name, write_folder
    from ..render.course import class_circuit, student_circuits

    variants = read_variants(variants_file) if variants_file else None
    if class_file:
        page = class_file.lower().endswith((".html", ".htm"))
        svg = class_circuit(graph, values, variants, grades, digits, page)
        write_whole(class_file, svg, "--class-drawing")
    drawn: dict[str, str] = {}
    if folder:
        files, taken = {}, set()
        if class_file and _same_folder(os.path.dirname(class_file) or ".", folder):
            taken.add(os.path.splitext(os.path.basename(class_file))[0].lower())  # its name
        for sheet, svg, page in student_circuits(
            graph, values, variants, variants_file, grades, digits
        ):
            stem = safe_file_name(sheet.student, "", taken)
            drawn[sheet.student] = svg
            files |= {f"{stem}.svg": svg, f"{stem}.html": page}
        write_folder(folder, files, "--drawings")  # nothing when one would replace a file
    return drawn


def _print(grades, single: bool, output_format: str, program: str, gates: bool = False) -> None:
    """JSON, or the grades: rich on a terminal (as cg eval's table), plain when piped;
    with ``gates`` (--summary), a class's first mistakes gate by gate too."""
    from ..grading.gates import first_mistakes
    from ..render.grades import render_class, render_sheet

    if output_format == "json":
        from ..core.untrusted import json_text

        doc = grades.sheets[0].as_dict() if single else grades.as_dict()
        if not single:
            doc["gates"] = [g.as_dict() for g in first_mistakes(grades.sheets)]
        click.echo(json_text(doc))
    elif sys.stdout.isatty():
        from rich.console import Console

        from ..render.grades import print_rich

        print_rich(grades, single, program, Console())
    elif single:
        click.echo(render_sheet(grades.sheets[0]), nl=False)
    elif gates:
        from ..render.course import gates_table

        # before the closing line: where the class went wrong, gate by gate
        body, closing = render_class(grades).rstrip("\n").rsplit("\n", 1)
        table = gates_table(first_mistakes(grades.sheets))
        click.echo(f"{body}\n{table}\n{closing}")
    else:
        click.echo(render_class(grades), nl=False)


command = check_command
"""The click command that cgcli.cli.group.LazyGroup loads."""
