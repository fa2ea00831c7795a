"""cg eval on a Dask cluster: every partition (Parquet file) of a data set in parallel.

Each worker task reads one file in batches, evaluates the compiled program
(:mod:`cgcli.passes.compiled`) and writes that partition's result file, rows in input
order; it hands back a short report (rows, math errors, a sample row to check).
Dask and distributed (the ``dask`` extra) are imported only here, on first use.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..check.run import DEFAULT_TIMEOUT, CheckReport, check_points
from ..core import arguments
from ..core.errors import CgError, UsageError
from ..core.ir import Graph
from ..core.parser import parse_program
from ..core.verdicts import sampled_rows_line
from ..passes.compiled import CompiledProgram, compile
from ..passes.values import (
    InputValue,
    expand_sequences,
    given_python_value,
    unused_column,
    unused_value,
)
from .parquet_parts import file_columns, parquet_files, read_chunks
from .points import MAX_ROW_WARNINGS, sampled_point
from .points_io import RowLayout
from .points_io.formats import missing_columns
from .points_io.reader import kept_columns

INSTALL_HINT = 'the Dask engine needs the dask extra: pip install "cgcli[dask]"'
CONNECT_TIMEOUT = "10s"
"""How long to try to reach a scheduler given by its address."""
BATCH_ROWS = 100_000
"""Rows a worker reads, evaluates and writes at a time."""
SAMPLE_PARTS = 5
"""The check: the first row without a math error of each of the first partitions."""


def require_dask():
    """The distributed package, or the usage error that says how to install it."""
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return distributed


def local_cluster_options(workers: int) -> dict[str, Any]:
    """A local cluster of ``workers`` single-threaded processes, with no dashboard (its
    HTTP server on a free port, so that two clusters do not compete for port 8787)."""
    return {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": True,
        "dashboard_address": None,
        "scheduler_kwargs": {"dashboard_address": ":0"},
    }


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A distributed client: of the scheduler at ``scheduler``, or of a local cluster of
    ``workers`` processes (default: one per CPU) started here and closed after."""
    if workers is not None:
        workers = arguments.workers(workers)
    distributed = require_dask()
    if scheduler is not None:
        if workers is not None:
            raise UsageError("workers is for the local cluster; a scheduler has its own workers")
        try:
            client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            yield client
        return
    count = workers or os.cpu_count() or 1
    try:
        with _quiet_workers():
            cluster = distributed.LocalCluster(**local_cluster_options(count))
    except (RuntimeError, OSError) as exc:
        raise UsageError(f"cannot start a local Dask cluster of {count} workers: {exc}") from None
    try:
        with distributed.Client(cluster) as client:
            yield client
    except BaseException:  # an error or a signal: the workers' work is of no more use
        _stop_workers(cluster)
        raise
    finally:
        cluster.close()


@contextmanager
def _quiet_workers() -> Iterator[None]:
    """Start a local cluster whose processes leave Ctrl-C to cg (it stops them) and
    log errors only: a stopped run is one line of cg's, not distributed's shutdown
    chatter.

    SIGINT is blocked, not ignored, in this thread while the cluster starts: the
    threads and processes started meanwhile inherit the block (a Ctrl-C to the whole
    terminal's group does not reach the workers), while a SIGINT meant for cg is never
    lost: another thread of cg (the command line's watcher) takes it, or it waits
    until the block ends."""
    import logging
    import signal

    for name in ("distributed", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(logging.ERROR)
    saved = os.environ.get(_WORKER_LOGGING)
    os.environ[_WORKER_LOGGING] = "error"  # read by each worker process as it starts
    masks = hasattr(signal, "pthread_sigmask")  # not on Windows
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if masks else None
    try:
        _quiet_resource_tracker()
        yield
    finally:
        if blocked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        if saved is None:
            os.environ.pop(_WORKER_LOGGING, None)
        else:
            os.environ[_WORKER_LOGGING] = saved


_WORKER_LOGGING = "DASK_LOGGING__DISTRIBUTED"


def _quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (which removes the cluster's semaphores
    when cg ends) with its messages going nowhere: stopped by a signal, cg leaves it
    the semaphores to remove, and its warning about them would be a second line."""
    from multiprocessing import resource_tracker

    saved = os.dup(2)
    nowhere = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(nowhere, 2)
        resource_tracker.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(nowhere)


def _stop_workers(cluster) -> None:
    """Kill the worker processes of a local cluster at once (closing would wait for the
    partition each is writing), and say nothing more of them."""
    import logging
    import signal

    logging.getLogger("distributed").setLevel(logging.CRITICAL + 1)
    for nanny in list(getattr(cluster, "workers", {}).values()):
        pid = getattr(nanny, "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


@dataclass(frozen=True)
class PartReport:
    """What one worker did with one partition."""

    path: str
    rows: int = 0
    math_error_rows: int = 0
    warnings: list[str] = field(default_factory=list)
    """The first math errors, each naming the file and the row."""
    sample: tuple[int, dict[str, float], list[float], list[float | None]] | None = None
    """The first row without a math error: its number, inputs, every node's value and
    gradient."""
    error: UsageError | None = None
    """The bad row (or file) that stopped this partition; its result is then not written."""


@dataclass(repr=False)
class DaskEvaluation:
    """The result of evaluating a program on every partition of a data set."""

    files: list[str]
    written: list[str]
    """The result files, partition by partition, in the order of ``files``."""
    columns: list[str]
    rows: int
    math_error_rows: int
    warnings: list[str]
    checked: list[tuple[str, CheckReport]] = field(default_factory=list)
    """The check of a sample of rows, each named 'FILE row N' (empty when not checked)."""

    @property
    def ok(self) -> bool:
        """True unless the check found a number that disagrees."""
        return all(report.ok for _, report in self.checked)

    def check_summary(self) -> str | None:
        """The check in one line, as cg eval --points says it (None when not checked)."""
        if not self.checked:
            return None
        return sampled_rows_line(self.checked, numbered=False)

    def math_error_summary(self) -> str | None:
        """How many rows had a math error, as cg eval --points says it (None: none did)."""
        if not self.math_error_rows:
            return None
        return f"{self.math_error_rows} of {self.rows} rows had a math error; their values are nan"

    def __repr__(self) -> str:
        errors = f", {self.math_error_rows:,} with math errors" if self.math_error_rows else ""
        checked = f"; check: {self.checked[0][1].method}" if self.checked else ""
        return (
            f"<DaskEvaluation {self.rows:,} rows in {len(self.files)} partitions{errors}{checked}>"
        )


def evaluate_partitions(
    program: str | Graph,
    source: str,
    *,
    out: str,
    values: Mapping[str, Any] | None = None,
    output: str | None = None,
    wrt: Sequence[str] | None = None,
    grad_only: bool = False,
    check: bool = True,
    check_timeout: float = DEFAULT_TIMEOUT,
    scheduler: str | None = None,
    workers: int | None = None,
    batch_rows: int = BATCH_ROWS,
    keep: str | Sequence[str] | None = None,
) -> DaskEvaluation:
    """Evaluate ``program`` at every row of the Parquet data set ``source`` (a file, a
    folder or a glob; one file is one partition) on a Dask cluster, writing the result
    of partition i to ``out``/part.i.parquet with the columns of cg's CSV output.

    ``values`` gives NAME=VALUE constants; ``scheduler`` the address of a running
    cluster (default: a local one of ``workers`` processes); ``keep`` the columns carried
    through to the result as they are (``"all"``: every column the program does not use).
    A bad row raises :class:`~cgcli.data.points_io.BadRow`; rows with math errors are nan,
    counted and named in ``warnings``.
    """
    require_dask()
    files = parquet_files(source)
    columns = file_columns(files[0])
    graph = parse_program(program)
    given = {
        name: value if isinstance(value, InputValue) else given_python_value(name, value)
        for name, value in (values or {}).items()
    }
    constants, _ = expand_sequences(graph, given)  # x=[...] on x[1], x[2], ...
    compiled = compile(graph, output=output, wrt=wrt, variables=[*columns, *constants])
    kept = kept_columns(keep, columns, compiled.inputs)
    warnings = _name_warnings(compiled, columns, constants, kept)
    row_names = [name for name in compiled.inputs if name not in constants]
    missing = [name for name in row_names if name not in columns]
    if missing:
        raise missing_columns(missing, columns)
    layout = RowLayout(row_names, compiled.output, compiled.wrt, grad_only, tuple(kept))
    names = _result_names(out, len(files))
    fixed = {name: constants[name].number for name in compiled.inputs if name in constants}
    with staging_folder(out) as staging:
        with dask_client(scheduler, workers) as client:
            futures = client.map(
                evaluate_partition, files, [os.path.join(staging, name) for name in names],
                program=compiled, constants=fixed, layout=layout, batch_rows=batch_rows,
                pure=False,
            )  # fmt: skip
            try:
                reports: list[PartReport] = client.gather(futures)
            except BaseException:  # an error or a signal: the partitions are of no more use
                with contextlib.suppress(Exception):
                    client.cancel(futures)
                raise
        bad = next((report.error for report in reports if report.error), None)
        if bad is not None:
            raise bad
        take_over(staging, out, names)
    targets = [os.path.join(out, name) for name in names]
    named = [warning for report in reports for warning in report.warnings]
    warnings += named[:MAX_ROW_WARNINGS]
    if sum(r.math_error_rows for r in reports) > MAX_ROW_WARNINGS:
        warnings.append("more rows with math errors follow; only the count is reported from here")
    result = DaskEvaluation(
        files,
        targets,
        layout.header(),
        sum(r.rows for r in reports),
        sum(r.math_error_rows for r in reports),
        warnings,
    )
    if check:
        result.checked = _check_sample(compiled, constants, reports, check_timeout)
    return result


def _name_warnings(compiled: CompiledProgram, columns, constants, kept) -> list[str]:
    """As cg eval --points: a constant that is also a column is refused; unused names warned
    (but for the columns kept)."""
    warnings = []
    for name in constants:
        if name in columns:
            raise UsageError(f"{name} is both a column of the points and a NAME=VALUE argument")
        if name not in compiled.inputs:
            warnings.append(unused_value(compiled.graph, name))
    warnings += [
        unused_column(compiled.graph, n)
        for n in columns
        if n not in compiled.inputs and n not in kept
    ]
    return warnings


def _result_names(out: str, count: int) -> list[str]:
    """part.0.parquet, part.1.parquet, ... for ``out``, a folder that holds no Parquet file."""
    from ..core.files import refuse_missing_before_parent

    refuse_missing_before_parent(out, "-o")
    if os.path.exists(out) and not os.path.isdir(out):
        raise _not_a_folder(out)
    existing = _parquet_files_in(out)
    if existing:
        raise UsageError(
            f"-o {out} already holds Parquet files ({existing[0]}, ...): "
            "choose an empty folder, so that old partitions do not mix with new ones"
        )
    width = len(str(count - 1))
    return [f"part.{i:0{width}d}.parquet" for i in range(count)]


def _not_a_folder(out: str) -> UsageError:
    return UsageError(f"-o {out}: not a folder (the result is one Parquet file per partition)")


def _parquet_files_in(folder: str) -> list[str]:
    try:
        return sorted(name for name in os.listdir(folder) if name.endswith(".parquet"))
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise UsageError(f"-o {folder}: {exc.strerror or exc}") from None


@contextmanager
def staging_folder(out: str) -> Iterator[str]:
    """A new hidden folder beside ``out`` (``.cg-XXXXXXXX``) that the workers write the
    partitions into; removed at the end, whatever happens (an error, a signal)."""
    import shutil

    from ..core import cleanup

    parent = os.path.dirname(os.path.realpath(out))
    staging = os.path.join(parent, f".cg-{os.urandom(8).hex()}")
    try:
        try:
            with cleanup.critical():  # a signal finds the folder made and known, or not made
                os.makedirs(parent, exist_ok=True)
                os.mkdir(staging, 0o700)
                cleanup.remove_if_stopped(staging)
        except OSError as exc:
            raise UsageError(f"-o {out}: {exc.strerror or exc}") from None
        yield staging
    finally:
        with cleanup.critical():
            shutil.rmtree(staging, ignore_errors=True)
            cleanup.keep(staging)


def take_over(staging: str, out: str, names: Sequence[str]) -> None:
    """Put the finished partitions in ``out``, all of them or none: a new folder is the
    staging folder renamed; an existing one receives the files, unless another run put
    Parquet files there while this one worked (then that run won, and this one says so)."""
    lost = CgError(
        f"-o {out}: another run wrote its result to this folder while cg was working; it was "
        "left as that run wrote it, and this result was not written"
    )
    from ..core import cleanup

    target = os.path.realpath(out)
    with cleanup.critical(), _folder_lock(os.path.dirname(target)):
        if not os.path.lexists(target):
            os.chmod(staging, 0o777 & ~_umask())
            try:
                os.rename(staging, target)
                return
            except OSError:  # a folder appeared meanwhile: it is taken over below, or not
                pass
        if not os.path.isdir(target):
            raise UsageError(
                f"-o {out}: not a folder (the result is one Parquet file per partition)"
            )
        if _parquet_files_in(target):
            raise lost
        for name in names:
            os.rename(os.path.join(staging, name), os.path.join(target, name))


@contextmanager
def _folder_lock(folder: str) -> Iterator[None]:
    """An exclusive lock on ``folder`` while a result is put in it (two runs of cg with
    the same -o take turns); where the file system has no locks, none."""
    try:
        import fcntl

        handle = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def evaluate_partition(
    path: str,
    target: str,
    *,
    program: CompiledProgram,
    constants: Mapping[str, float],
    layout: RowLayout,
    batch_rows: int,
) -> PartReport:
    """On a worker: evaluate one file batch by batch and write its result to ``target``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    kept = list(layout.kept)
    floats = layout.header()[len(kept) :]
    schema = pa.schema(
        [*(pq.read_schema(path).field(name) for name in kept), *((n, pa.float64()) for n in floats)]
    )
    partial = f"{target}.partial"
    rows = errors = 0
    warnings: list[str] = []
    sample = None
    try:
        with pq.ParquetWriter(partial, schema) as writer:
            for chunk in read_chunks(path, layout.inputs, batch_rows, kept):
                first_row, columns = chunk.first_row, chunk.columns
                result = program({**columns, **constants})
                numbers = [] if layout.grad_only else [*columns.values(), result.value]
                numbers += [result.grad[name] for name in layout.wrt]
                carried = [] if chunk.kept is None else list(chunk.kept.columns)
                writer.write_table(pa.Table.from_arrays([*carried, *numbers], schema=schema))
                rows += result.rows
                errors += len(result.error_rows)
                for r in result.error_rows[: max(0, MAX_ROW_WARNINGS - len(warnings))]:
                    warnings.append(f"{path}: row {first_row + int(r)}: {result.why(int(r))}")
                if sample is None:
                    sample = _first_good_row(program, {**columns, **constants}, result, first_row)
    except UsageError as exc:  # a bad row, a missing column, a file that is not Parquet
        if os.path.exists(partial):
            os.remove(partial)
        return PartReport(path, rows, errors, error=exc)
    os.replace(partial, target)
    return PartReport(path, rows, errors, warnings, sample)


def _first_good_row(program: CompiledProgram, columns, result, first_row: int):
    """The first row without a math error: its number, inputs, and every node's value and
    gradient there."""
    from ..passes.vector import evaluate_arrays

    good = np.flatnonzero(result.error_node < 0)
    if len(good) == 0:
        return None
    r = int(good[0])
    point = {name: float(np.broadcast_to(col, (result.rows,))[r]) for name, col in columns.items()}
    batch = evaluate_arrays(program.graph, point, 1)
    values = [float(np.ravel(v)[0]) for v in batch.values]
    grads = [None if g is None else float(np.ravel(g)[0]) for g in batch.grads]
    return first_row + r, point, values, grads


def _check_sample(compiled, constants, reports: list[PartReport], timeout: float):
    """The first good row of each of the first partitions, checked as cg eval --points
    checks its sample; returns (where, report) per row."""
    sampled = [(r.path, r.sample) for r in reports if r.sample is not None][:SAMPLE_PARTS]
    if not sampled:
        return []
    points = [
        sampled_point(point, values, grads, constants) for _, (_, point, values, grads) in sampled
    ]
    checked = check_points(compiled.graph, points, timeout)
    return [
        (f"{path} row {sample[0]}", report)
        for (path, sample), report in zip(sampled, checked, strict=True)
    ]
