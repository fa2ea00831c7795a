"""evaluate(): one function for every way of evaluating a program, chosen by keywords.

* one point, ``mode="reverse"`` (the default): every node's value and gradient
  (:class:`~cgcli.api.evaluation.Evaluation`);
* one point, ``mode="forward"``: every node's tangent along one input or a direction
  (:class:`~cgcli.api.forward_mode.ForwardEvaluation`);
* one point, ``mode="gradient-graph"``: the backward pass built as a graph and evaluated
  like any program (:class:`~cgcli.api.gradient_evaluation.GradientGraphEvaluation`);
* many points, ``points=FILE`` and ``out=FILE``: every row of a file streamed through the
  vectorised engine (:class:`~cgcli.data.points.PointsEvaluation`);
* many points on a Dask cluster, ``engine="dask"``: the partitions of a Parquet data set
  (:class:`~cgcli.data.dask_engine.DaskEvaluation`).

The arguments are checked here, once, with the messages the command line prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ..core import arguments
from ..core.errors import ArgumentTypeError, UsageError
from ..core.limits import CHECK_TIMEOUT as DEFAULT_TIMEOUT
from ..core.limits import EXACT_TIMEOUT
from ..core.parser import parse_program
from ..passes.engine import over_arrays, uses_arrays
from .evaluation import Evaluation, evaluate_graph, parse_values

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO, Literal, overload

    from ..core.ir import Graph
    from ..data.dask_engine import DaskEvaluation
    from ..data.points import PointsEvaluation
    from .forward_mode import ForwardEvaluation
    from .gradient_evaluation import GradientGraphEvaluation

MODES = ("reverse", "forward", "gradient-graph")
ENGINES = ("local", "dask")
CHECKS = ("sample", "all")
"""How many points are checked: a sample of rows with SymPy, or every row by finite
differences (``check=True`` is ``"sample"``)."""
CHUNK_ROWS = 100_000


if TYPE_CHECKING:  # what each mode and engine returns, for type checkers

    @overload
    def evaluate(
        program: str | Graph,
        values: Mapping[str, object] | None = None,
        *,
        mode: Literal["reverse"] = "reverse",
        points: None = None,
        **options: object,
    ) -> Evaluation: ...

    @overload
    def evaluate(
        program: str | Graph,
        values: Mapping[str, object] | None = None,
        *,
        mode: Literal["forward"],
        points: None = None,
        **options: object,
    ) -> ForwardEvaluation: ...

    @overload
    def evaluate(
        program: str | Graph,
        values: Mapping[str, object] | None = None,
        *,
        mode: Literal["gradient-graph"],
        points: None = None,
        **options: object,
    ) -> GradientGraphEvaluation: ...

    @overload
    def evaluate(
        program: str | Graph,
        values: Mapping[str, object] | None = None,
        *,
        points: str,
        engine: Literal["local"] = "local",
        **options: object,
    ) -> PointsEvaluation: ...

    @overload
    def evaluate(
        program: str | Graph,
        values: Mapping[str, object] | None = None,
        *,
        points: str,
        engine: Literal["dask"],
        **options: object,
    ) -> DaskEvaluation: ...


def evaluate(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    mode: str = "reverse",
    output: str | None = None,
    wrt: str | Sequence[str] | None = None,
    tangent: Mapping[str, object] | None = None,
    check: bool | str = True,
    check_timeout: float = DEFAULT_TIMEOUT,
    exact: bool = False,
    exact_timeout: float = EXACT_TIMEOUT,
    by_step: bool = False,
    truncate: int | None = None,
    points: str | None = None,
    points_format: str | None = None,
    out: str | BinaryIO | None = None,
    format: str | None = None,
    digits: int | None = 6,
    grad_only: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    keep: str | Sequence[str] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    on_warning: Callable[[str], None] | None = None,
):
    """Evaluate ``program`` at ``values``: forward pass, backward pass and check.

    ``values`` maps each input's name to a number (int, float, Fraction) or a constant
    expression as text ("1/3", "pi/4"); an input the program reads whole may take a NumPy
    array or a nested list, and then the result holds NumPy arrays for array nodes. The
    options are keyword-only, so no variable name of a program can collide with one:

    * ``mode``: "reverse" (every node's gradient), "forward" (every node's tangent along
      the input ``wrt`` or the direction ``tangent``) or "gradient-graph";
    * ``output``: the node to differentiate (default: the last statement);
    * ``wrt``: the inputs whose gradient is reported (names, or "a,b");
    * ``check``: compare with SymPy (or a high-precision reference) within
      ``check_timeout`` seconds; with many points, "sample" or "all";
    * ``exact``: exact arithmetic beside the floats (one point, reverse mode), within
      ``exact_timeout`` seconds;
    * ``by_step``: a program with a loop also gets a table per loop with a row per step:
      the state's gradient from its own step and from later ones, each shared weight's
      share of its gradient from that step (``result.steps``; one point, reverse mode);
    * ``truncate``: truncated backpropagation through time: gradients stop K steps back
      through the loop's state (``result.truncate``), checked against a reference
      truncated the same way;
    * ``points``: a file of points (CSV, TSV, JSON Lines, Parquet, Arrow; "-" for standard
      input) evaluated row by row into ``out`` (a path written whole, or a binary stream) in
      ``format`` (default: from ``out``'s extension), with ``digits``, ``grad_only`` and
      ``chunk_rows``; ``keep`` carries columns the program does not use through to the
      result as they are, first in each row (names, "id,label", or "all"); ``on_warning``
      receives each warning as it happens; a program over arrays takes each array it reads
      whole as the columns of its entries (``W[1,1]``, ``W[1,2]``, ...);
    * ``engine="dask"``: ``points`` is a Parquet data set (a file, folder or glob) and
      ``out`` the folder that receives one Parquet file per partition, on the Dask cluster
      at ``scheduler`` or a local one of ``workers`` processes.
    """
    graph = parse_program(program)
    inputs = parse_values(values)
    mode = arguments.choice(mode, "mode", MODES)
    engine = arguments.choice(engine, "engine", ENGINES)
    if output is not None and not isinstance(output, str):
        detail = f"names the node to differentiate (a str), not {output!r:.60}"
        raise ArgumentTypeError(
            "output",
            detail,
            f"output= {detail}; give the values of variables in the values mapping",
        )
    check_timeout = arguments.seconds(check_timeout, "check_timeout")
    exact = arguments.flag(exact, "exact")
    exact_timeout = arguments.seconds(exact_timeout, "exact_timeout")
    grad_only = arguments.flag(grad_only, "grad_only")
    by_step = arguments.flag(by_step, "by_step")
    if truncate is not None:
        truncate = arguments.whole_number(truncate, "truncate", minimum=0)
    check = _check_mode(check)
    keep = arguments.kept_columns(keep, "--keep")
    if keep is not None and points is None:
        raise UsageError("--keep is for --points: it carries columns of the points through")
    if engine == "local":
        _refuse_cluster_options(scheduler, workers)
    if by_step or truncate is not None:
        _refuse_with_steps(points, engine, mode, tangent, by_step)
    if mode != "reverse" or tangent is not None:
        _refuse_with_points(points, exact, grad_only, mode)
        if over_arrays(graph, inputs, output):
            option = "--grad-graph" if mode == "gradient-graph" else "--mode forward"
            raise UsageError(
                f"{option} works on scalar programs; this one uses vectors or matrices: "
                "leave it out, and cg eval runs the reverse pass over the arrays"
            )
        if mode == "gradient-graph":
            if tangent is not None:
                raise UsageError("--grad-graph evaluates the reverse pass's graph: drop --tangent")
            from .gradient_evaluation import gradient_graph_evaluation

            return gradient_graph_evaluation(
                graph, inputs, output=output, check=check != "none", check_timeout=check_timeout
            )
        from .forward_mode import forward_graph

        return forward_graph(
            graph,
            inputs,
            wrt=_one_input(graph, inputs, wrt),
            tangent=tangent,
            output=output,
            check=check != "none",
            check_timeout=check_timeout,
        )
    if points is not None and engine == "dask" and uses_arrays(graph, inputs):
        raise UsageError(
            "--engine dask evaluates scalar programs; a program over vectors and matrices "
            "takes --points on the local engine"
        )
    if engine == "dask":
        return _on_dask(
            graph, inputs, points, out, points_format, format, output, wrt, grad_only, exact,
            check, check_timeout, scheduler, workers, chunk_rows, keep,
        )  # fmt: skip
    if points is None:
        if out is not None:
            raise UsageError("-o is for --points; redirect the output of one point with >")
        if over_arrays(graph, inputs, output):
            from .array_evaluation import evaluate_arrays

            result = evaluate_arrays(
                graph,
                inputs,
                output=output,
                check=check != "none",
                check_timeout=check_timeout,
                exact=exact,
                stepwise=by_step or truncate is not None,
            )
            return result if wrt is None else result.reporting(_wrt_names(wrt, graph.input_names))
        result = evaluate_graph(
            graph,
            inputs,
            output=output,
            check=check != "none",
            check_timeout=check_timeout,
            exact=exact,
            exact_timeout=exact_timeout,
            by_step=by_step,
            truncate=truncate,
        )
        if wrt is not None:
            result = result.reporting(_wrt_names(wrt, result.graph.input_names))
        return result
    if exact:
        raise UsageError("--exact is for one point; --points evaluates in float64")
    if out is None:
        raise UsageError("--points writes its rows to out= (a path, or a binary stream)")
    from ..data.points import evaluate_points
    from .array_points import run_any_points

    return evaluate_points(
        graph,
        inputs,
        arguments.text(points, "points"),
        out,
        points_format=points_format,
        result_format=format,
        digits=arguments.digits(digits),
        output=output,
        wrt=None if wrt is None else arguments.names(wrt, "--wrt"),
        grad_only=grad_only,
        check=check,
        check_timeout=check_timeout,
        chunk_rows=_chunk_rows(chunk_rows),
        on_warning=on_warning,
        keep=keep,
        run_rows=run_any_points,
    )


def _chunk_rows(chunk_rows: object) -> int:
    return arguments.whole_number(chunk_rows, "chunk_rows", minimum=1, maximum=10_000_000)


def _check_mode(check: object) -> str:
    """``check=`` as one of none, sample, all."""
    if isinstance(check, bool):
        return "sample" if check else "none"
    return arguments.choice(check, "check", (*CHECKS, "none"))


def _refuse_cluster_options(scheduler: object, workers: object) -> None:
    """--scheduler and --workers without --engine dask are a usage error."""
    for given, option in ((scheduler, "--scheduler"), (workers, "--workers")):
        if given is not None:
            raise UsageError(f"{option} is for --engine dask")


def _refuse_with_points(points: object, exact: bool, grad_only: bool, mode: str) -> None:
    what = "--grad-graph" if mode == "gradient-graph" else "--mode forward"
    for given, option in ((points, "--points"), (exact, "--exact"), (grad_only, "--grad")):
        if given:
            raise UsageError(
                f"{what} is for one point in float64; it does not combine with {option}"
            )


def _refuse_with_steps(points: object, engine: str, mode: str, tangent: object, by_step: bool):
    what = "--by-step" if by_step else "--truncate"
    if points is not None or engine != "local":
        raise UsageError(f"{what} is for one point; it does not combine with --points")
    if mode != "reverse" or tangent is not None:
        raise UsageError(f"{what} is backpropagation through time: reverse mode only")


def _wrt_names(wrt: str | Sequence[str], inputs: tuple[str, ...]) -> list[str]:
    """The inputs named by ``wrt``, each an input of the program."""
    return arguments.inputs_named(wrt, inputs)


def _one_input(graph: Graph, inputs: Mapping, wrt: str | Sequence[str] | None) -> str | None:
    """Forward mode's ``wrt``: the one input that moves."""
    if wrt is None:
        return None
    names = _wrt_names(wrt, graph.bind_constants(inputs).input_names)
    if len(names) != 1:
        raise UsageError(
            "--mode forward --wrt takes one input (one pass per input); "
            "for a mix of inputs give --tangent a=1,b=0.5"
        )
    return names[0]


def _on_dask(
    graph, inputs, points, out, points_format, result_format, output, wrt, grad_only, exact,
    check, check_timeout, scheduler, workers, chunk_rows, keep,
) -> DaskEvaluation:  # fmt: skip
    """--engine dask: a partitioned Parquet data set in, a folder of Parquet files out."""
    from ..data.dask_engine import evaluate_partitions

    if points is None or not isinstance(out, str) or result_format not in (None, "parquet"):
        raise UsageError(
            "--engine dask evaluates a Parquet data set into a folder of Parquet files: "
            "give --points FILES and -o DIR (--format parquet is the default)"
        )
    if exact:
        raise UsageError("--exact is for one point; --points evaluates in float64")
    if points_format is not None:
        raise UsageError("--points-format is for --engine local; --engine dask reads Parquet")
    if check == "all":
        raise UsageError("--check all is for --engine local; --engine dask checks a sample")
    return evaluate_partitions(
        graph, arguments.text(points, "points"), out=out, values=inputs, output=output,
        grad_only=grad_only, check=check != "none", check_timeout=check_timeout,
        scheduler=None if scheduler is None else arguments.text(scheduler, "--scheduler"),
        workers=None if workers is None else arguments.workers(workers),
        batch_rows=_chunk_rows(chunk_rows),
        wrt=None if wrt is None else arguments.names(wrt, "--wrt"), keep=keep,
    )  # fmt: skip


def evaluate_on_dask(
    program: str | Graph,
    source: str,
    *,
    out: str,
    values: Mapping[str, object] | None = None,
    output: str | None = None,
    wrt: Sequence[str] | None = None,
    grad_only: bool = False,
    check: bool = True,
    check_timeout: float = DEFAULT_TIMEOUT,
    scheduler: str | None = None,
    workers: int | None = None,
    batch_rows: int = CHUNK_ROWS,
) -> DaskEvaluation:
    """Deprecated: ``evaluate(program, values, engine="dask", points=source, out=out)``."""
    from ..core.deprecation import renamed

    renamed("evaluate_on_dask", 'evaluate(..., engine="dask", points=SOURCE, out=DIR)')
    return evaluate(
        program, values, engine="dask", points=source, out=out, output=output, wrt=wrt,
        grad_only=grad_only, check=check, check_timeout=check_timeout, scheduler=scheduler,
        workers=workers, chunk_rows=batch_rows,
    )  # fmt: skip


def forward(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    wrt: str | None = None,
    tangent: Mapping[str, object] | None = None,
    output: str | None = None,
    check: bool = True,
    check_timeout: float = DEFAULT_TIMEOUT,
) -> ForwardEvaluation:
    """Deprecated: ``evaluate(program, values, mode="forward", wrt=...)``."""
    from ..core.deprecation import renamed

    renamed("forward", 'evaluate(..., mode="forward")')
    return evaluate(
        program,
        values,
        mode="forward",
        wrt=wrt,
        tangent=tangent,
        output=output,
        check=check,
        check_timeout=check_timeout,
    )


def evaluate_gradient_graph(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    output: str | None = None,
    check: bool = True,
    check_timeout: float = DEFAULT_TIMEOUT,
) -> GradientGraphEvaluation:
    """Deprecated: ``evaluate(program, values, mode="gradient-graph")``."""
    from ..core.deprecation import renamed

    renamed("evaluate_gradient_graph", 'evaluate(..., mode="gradient-graph")')
    return evaluate(
        program,
        values,
        mode="gradient-graph",
        output=output,
        check=check,
        check_timeout=check_timeout,
    )
