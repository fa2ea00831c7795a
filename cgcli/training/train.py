"""train(): gradient descent on a data set, in this process or on a Dask cluster."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..core import arguments
from ..core.deprecation import renamed
from ..core.errors import ArgumentTypeError, UsageError
from ..core.ir import Graph
from ..passes.engine import uses_arrays
from .gradient_descent import TARGET, Outcome, Trainer, build_objective
from .matrix_training import MatrixTrainer, has_arrays


def train(
    program: str | Graph,
    data: Mapping[str, Any] | str,
    *,
    target: str,
    params: Mapping[str, float | None] | Sequence[str] | str,
    loss: str = "mse",
    lr: float = 0.1,
    epochs: int = 100,
    batch: int | None = None,
    tol: float | None = None,
    target_loss: float | None = None,
    seed: int = 0,
    shuffle: bool = True,
    engine: str = "local",
    data_format: str | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> Outcome:
    """Train ``params`` of ``program`` by gradient descent on ``data``: a mapping from
    column name to numbers (a dict of lists, numpy arrays, a pandas DataFrame), or the
    path of a file of points (CSV, TSV, JSON Lines, Parquet, Arrow; ``data_format`` when
    its extension does not say).

    ``params`` maps each parameter to its starting value (None: a small random one
    from ``seed``), or lists their names (``"w=0,b=0"`` as on the command line). ``loss``
    is mse, bce, or a cg expression of ``out`` and ``target``; ``batch`` is rows per
    update (None: the full batch). With ``engine="dask"``, ``data`` is a Parquet data set
    (a file, a folder or a glob) and each full-batch gradient is summed over its
    partitions on the Dask cluster at ``scheduler`` (or a local one of ``workers``).
    """
    from ..core.parser import parse_program
    from . import inputs

    graph = parse_program(program)
    given = inputs.parse_params(params)
    target = arguments.text(target, "--target")
    loss = inputs.loss_name(loss)
    settings = inputs.settings(
        lr=lr, epochs=epochs, batch=batch, tol=tol, target_loss=target_loss, seed=seed,
        shuffle=shuffle,
    )  # fmt: skip
    if arguments.choice(engine, "engine", ("local", "dask")) == "dask":
        from .on_dask import train_partitions

        if has_arrays(given) or uses_arrays(graph, {}):
            raise UsageError("--engine dask trains scalar programs; this program uses arrays")
        if settings.batch is not None or data_format is not None:
            option = "--batch" if settings.batch is not None else "--data-format"
            raise UsageError(f"{option}: --engine dask trains on the full batch of Parquet data")
        source = arguments.text(data, "data")
        return train_partitions(
            graph, source, target, given, loss, settings, scheduler, workers, progress
        )
    for value, option in ((scheduler, "--scheduler"), (workers, "--workers")):
        if value is not None:
            raise UsageError(f"{option} is for --engine dask")
    if isinstance(data, str):
        data = inputs.read_data_file(data, data_format, graph, given, target)
    columns = inputs.column_names(data)
    inputs.check_target(target, columns, given)
    objective = build_objective(graph, loss, list(given), columns)
    if target in objective.data_inputs:
        raise UsageError(f"the model may not use the target column {target} as an input")
    arrays = {}
    for name in [*objective.data_inputs, target]:
        try:
            arrays[name] = _numbers(data[name]).reshape(-1)
        except (TypeError, ValueError):
            why = f"column {name}: the data must be numbers"
            raise ArgumentTypeError("data", why, why) from None
    if len({len(a) for a in arrays.values()}) > 1:
        raise UsageError("the columns of the data have different lengths")
    if len(arrays[target]) == 0:
        raise UsageError("the data has no rows")
    if not all(np.isfinite(a).all() for a in arrays.values()):
        raise UsageError("the data holds values that are not finite numbers (nan, inf)")
    arrays[TARGET] = arrays.pop(target)
    if has_arrays(given) or uses_arrays(graph, {}):
        unset = [name for name, value in given.items() if value is None]
        if unset:
            raise UsageError(
                f"--params {', '.join(unset)}: a program over vectors and matrices needs each "
                "parameter's starting value, such as W=[[0.1,-0.2],[0.3,0.1]]"
            )
        return MatrixTrainer(objective, arrays, settings).fit(given, progress)
    return Trainer(objective, arrays, settings).fit(given, progress)


def train_on_dask(
    program: str | Graph,
    source: str,
    *,
    target: str,
    params: Mapping[str, float | None] | Sequence[str],
    loss: str = "mse",
    lr: float = 0.1,
    epochs: int = 100,
    tol: float | None = None,
    target_loss: float | None = None,
    seed: int = 0,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> Outcome:
    """Deprecated: ``train(program, source, engine="dask", ...)``."""
    renamed("train_on_dask", 'train(..., engine="dask")')
    return train(
        program, source, target=target, params=params, loss=loss, lr=lr, epochs=epochs,
        tol=tol, target_loss=target_loss, seed=seed, engine="dask", scheduler=scheduler,
        workers=workers, progress=progress,
    )  # fmt: skip


def _numbers(column: object) -> np.ndarray:
    """A column as float64; text or bytes (which NumPy would read as numbers) is a TypeError."""
    raw = np.asarray(column)
    texts = (str, bytes, bytearray)
    if raw.dtype.kind in "SUV" or (
        raw.dtype.kind == "O" and any(isinstance(v, texts) for v in raw.reshape(-1))
    ):
        raise TypeError("text is not a number")
    return raw.astype(np.float64)
