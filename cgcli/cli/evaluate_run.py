"""What cg eval does once its options are read, whether click read them
(:mod:`cgcli.cli.evaluate`) or the quick path did (:mod:`cgcli.cli.quick`): so it imports
no click."""

from __future__ import annotations

import sys

from ..core.errors import EXIT_CHECK_FAILED, EXIT_MATH, EXIT_OK, UsageError
from .program import (
    ProgramArgs,
    as_document,
    echo,
    load_program,
    refuse_standalone,
    refuse_two_stdins,
    warn,
)

MANY_POINTS_ONLY = ("jsonl", "parquet", "arrow")
"""The formats of many points only."""


def run_eval(
    program: ProgramArgs,
    *,
    given: frozenset[str],
    mode,
    tangent,
    grad_graph,
    points_file,
    keep,
    chunk_rows,
    points_format,
    engine,
    scheduler,
    workers,
    out_file,
    output_format,
    digits,
    wrt,
    standalone,
    grad_only,
    check_mode,
    no_check,
    exact,
    exact_timeout,
    by_step,
    truncate,
    check_timeout,
) -> int:
    """Evaluate ``program`` as cg eval's options say, print the result, and return the exit
    code. ``given`` names the options the user gave (the others are at their defaults)."""
    from ..api.evaluate import evaluate

    refuse_two_stdins(program, points_file, "--points")
    refuse_standalone(standalone, output_format, grad_only)
    if out_file is not None:
        from ..core.files import refuse_overwriting

        inputs = [("-f", program.program_file), ("--points", points_file)]
        refuse_overwriting(out_file, "-o", inputs)
    if grad_graph and (mode == "forward" or tangent is not None):
        raise UsageError("--grad-graph evaluates the reverse pass's graph: drop --mode forward")
    if points_file is None and engine == "local":
        _refuse_many_points_options(output_format, out_file, grad_only, program)
    graph, values = load_program(program)
    out, result_format = _rows_destination(points_file, out_file, output_format, engine, given)
    result = evaluate(
        graph,
        values,
        mode="gradient-graph" if grad_graph else mode,
        tangent=tangent,
        wrt=wrt,
        check="none" if no_check else check_mode,
        check_timeout=check_timeout,
        exact=exact,
        exact_timeout=exact_timeout,
        by_step=by_step,
        truncate=truncate,
        points=points_file,
        points_format=points_format,
        out=out,
        format=result_format,
        digits=digits,
        grad_only=grad_only,
        chunk_rows=chunk_rows,
        keep=keep,
        engine=engine,
        scheduler=scheduler,
        workers=workers,
        on_warning=warn,
    )
    _show(result, output_format, digits, grad_only, standalone)
    return _exit_code(result)


def _refuse_many_points_options(output_format, out_file, grad_only, program):
    if grad_only and output_format not in ("table", "json"):
        raise UsageError(
            f"--grad prints NAME VALUE lines, or an object with --format json, not "
            f"{output_format}: drop --grad for the {output_format} table of every node, "
            "gradients included"
        )
    if output_format == "jsonl":
        raise UsageError("--format jsonl needs --points (one line per point)")
    if output_format in MANY_POINTS_ONLY:
        raise UsageError(f"--format {output_format} needs --points (a table of many points)")
    if out_file is not None:
        hint = ""
        if out_file.isidentifier() and out_file in _names_in(program):
            hint = f", or did you mean --of {out_file} (the node to differentiate)?"
        raise UsageError(f"-o is for --points; redirect the output of one point with >{hint}")


def _names_in(program) -> set[str]:
    """The names the program gives its inputs and nodes (none when it does not parse)."""
    from ..core.errors import CgError

    try:
        graph, _ = load_program(program)
    except CgError:
        return set()
    return {n.name for n in graph.nodes if n.name is not None}


def _rows_destination(points_file, out_file, output_format, engine, given):
    """Where many points' rows go, and in which format: -o FILE (its extension decides unless
    --format says; a folder with --engine dask), or standard output as bytes."""
    explicit = output_format if "output_format" in given else None
    if points_file is None or engine == "dask" or out_file is not None:
        return out_file, explicit
    from ..data.points_io import BINARY_FORMATS

    if output_format in BINARY_FORMATS and sys.stdout.isatty():
        raise UsageError(
            f"--format {output_format} is binary and standard output is a terminal: "
            "give -o FILE or redirect the output"
        )
    sys.stdout.flush()
    return sys.stdout.buffer, output_format


def _show(result, output_format: str, digits: int, grad_only: bool, standalone: bool) -> None:
    """The renderer of each kind of result (many points' rows are already written)."""
    if _is(result, "cgcli.api.evaluation", "Evaluation"):
        _print_point(result, output_format, digits, grad_only, standalone)
    elif _is(result, "cgcli.api.forward_mode", "ForwardEvaluation"):
        from ..render.second_order import render_forward

        for warning in result.warnings:
            warn(warning)
        text = render_forward(result, output_format, digits)
        echo(as_document(text, standalone, "eval --mode forward"))
    elif _is(result, "cgcli.api.gradient_evaluation", "GradientGraphEvaluation"):
        from ..render.second_order import render_gradient_graph

        for warning in result.warnings:
            warn(warning)
        text = render_gradient_graph(result, output_format, digits)
        echo(as_document(text, standalone, "eval --grad-graph"))
    elif _is(result, "cgcli.data.dask_engine", "DaskEvaluation"):  # once every part is done
        for line in [*result.warnings, result.check_summary(), result.math_error_summary()]:
            if line is not None:
                warn(line)


def _is(result, module: str, kind: str) -> bool:
    """Whether ``result`` is of the class ``kind`` of ``module``, without importing that
    module: a result of the class means its module is loaded already (a forward-mode run
    never imports the Dask engine, nor with it NumPy and pyarrow)."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(result, getattr(loaded, kind))


def _exit_code(result) -> int:
    """0, 1 when the check disagrees, 3 when rows had math errors."""
    if getattr(result, "math_error_rows", 0):
        return EXIT_MATH
    return EXIT_OK if result.ok else EXIT_CHECK_FAILED


def _print_point(result, output_format, digits, grad_only, standalone):
    """One point: the node table (rich on a terminal), a machine format, or the gradient."""
    for warning in result.warnings:
        warn(warning)
    wrt_names = result.reported
    if result.truncate is not None and (grad_only or output_format in ("csv", "tsv", "latex")):
        shown = "--grad" if grad_only else f"--format {output_format}"
        raise UsageError(
            f"--truncate prints a table, markdown or json, which say the gradients are "
            f"truncated; {shown} has no room for it"
        )
    if result.steps is not None and not grad_only and output_format not in ("json", "markdown"):
        if output_format != "table":
            raise UsageError(
                f"--by-step prints a table: use --format table, markdown or json, "
                f"not {output_format}"
            )
        from ..render.steps import steps_plain

        echo(steps_plain(result, digits, wrt_names))
    elif result.steps is not None and output_format == "markdown" and not grad_only:
        from ..render.formats import render_point
        from ..render.steps import steps_markdown

        tail = render_point(result, output_format, digits, wrt_names, grad_only)
        echo(steps_markdown(result, digits) + "\n" + tail.split("\n\n", 1)[-1])
    elif output_format == "json" and not grad_only:
        from ..render.json_doc import write_json

        write_json(result, sys.stdout, wrt_names)
    elif output_format == "table" and not grad_only and sys.stdout.isatty():
        from rich.console import Console

        from ..render.table import print_rich

        print_rich(result, digits, wrt_names, Console())
    else:
        from ..render.formats import render_point

        text = render_point(result, output_format, digits, wrt_names, grad_only)
        echo(as_document(text, standalone, "eval"))
