"""cg train on a Dask cluster: each full-batch gradient is a sum of partition gradients.

The partitions (Parquet files) are read once into the workers' memory. Every
update asks each worker for its partition's sums of the loss and of the
gradient at the current parameters; the client adds them and divides by the
number of rows: the mean loss and its gradient, as :class:`cgcli.training.gradient_descent.Trainer`
computes them on one machine. The loss's sums at new parameters come with their
gradient, so one round over the cluster serves an epoch's loss and the next update.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from ..core.errors import UsageError
from ..core.ir import Graph
from ..data.dask_engine import BATCH_ROWS, dask_client, require_dask
from ..data.parquet_parts import file_columns, parquet_files, read_batches
from ..data.points_io import BadRow
from ..passes.vector import evaluate_arrays, forward_arrays
from .gradient_descent import (
    TARGET,
    Objective,
    Outcome,
    Trainer,
    build_objective,
)
from .inputs import Settings, check_target


def train_partitions(
    graph: Graph,
    source: str,
    target: str,
    given: dict[str, float | None],
    loss: str,
    settings: Settings,
    scheduler: str | None,
    workers: int | None,
    progress: Callable[[int, float], None] | None,
) -> Outcome:
    """``train(..., engine="dask")``: ``given`` parameters of ``graph`` by full-batch
    gradient descent on the Parquet data set ``source`` (a file, a folder or a glob; one file
    is one partition) on a Dask cluster: the same steps, loss and result as in one process.

    ``scheduler`` is the address of a running cluster (default: a local one of ``workers``
    processes). A bad row raises :class:`~cgcli.data.points_io.BadRow`.
    """
    require_dask()
    settings = replace(settings, batch=None, shuffle=False)
    files = parquet_files(source)
    columns = file_columns(files[0])
    check_target(target, columns, given)
    objective = build_objective(graph, loss, list(given), columns)
    if target in objective.data_inputs:
        raise UsageError(f"the model may not use the target column {target} as an input")
    with dask_client(scheduler, workers) as client:
        parts = client.map(
            load_partition, files, names=[*objective.data_inputs, target], target=target,
            bce=loss == "bce", pure=False,
        )  # fmt: skip
        sizes = client.gather(client.map(_rows, parts, pure=False))
        bad = next((size for size in sizes if isinstance(size, str)), None)
        if bad is not None:
            raise BadRow(bad)
        if sum(sizes) == 0:
            raise UsageError(f"{source} has no rows of the training data")
        trainer = DaskTrainer(objective, client, files, parts, sum(sizes), settings)
        return trainer.fit(given, progress)


class DaskTrainer(Trainer):
    """Gradient descent whose loss and gradient are sums over partitions on a cluster."""

    def __init__(
        self, objective: Objective, client: Any, files: list[str], parts: list, rows: int,
        settings: Settings,
    ) -> None:  # fmt: skip
        self.objective = objective
        self.client = client
        self.files = files
        self.parts = parts
        self.rows = rows
        self.settings = settings
        self.index = {n.name: n.index for n in objective.graph.inputs}
        [self.graph] = client.scatter([objective.graph], broadcast=True)
        self._last: tuple[tuple, float, dict[str, float]] | None = None
        self._errors: list[tuple[int, int] | None] = []

    def _sums(self, params: Mapping[str, float]) -> tuple[float, dict[str, float]]:
        """The mean loss and its gradient at ``params``: one round over the partitions."""
        key = tuple(params.items())
        if self._last is not None and self._last[0] == key:
            return self._last[1], self._last[2]
        futures = self.client.map(
            partition_sums, self.parts, graph=self.graph, params=dict(params),
            wanted=self.objective.params, pure=False,
        )  # fmt: skip
        results = self.client.gather(futures)
        self._errors = [error for _, _, error in results]
        with np.errstate(all="ignore"):
            if any(error is not None for error in self._errors):
                loss = math.nan
            else:
                loss = float(np.sum([total for total, _, _ in results]) / self.rows)
            gradient = {
                name: float(np.sum([grads[name] for _, grads, _ in results]) / self.rows)
                for name in self.objective.params
            }
        self._last = (key, loss, gradient)
        return loss, gradient

    def mean_loss(self, params: Mapping[str, float]) -> float:
        return self._sums(params)[0]

    def mean_gradient(
        self, params: Mapping[str, float], rows: np.ndarray | None = None
    ) -> dict[str, float]:
        return self._sums(params)[1]

    def _why_not_finite(self, params: Mapping[str, float], loss: float) -> str:
        start = ", ".join(f"{name}={value:g}" for name, value in params.items())
        for path, error in zip(self.files, self._errors, strict=True):
            if error is not None:
                row, index = error
                graph = self.objective.graph
                node = graph.nodes[index]
                return (
                    f"the loss is {loss} at the starting parameters ({start}): row {row} of "
                    f"{path} gives a math error at {graph.label(node)} = {graph.text(node)}"
                )
        return f"the loss is {loss} at the starting parameters ({start})"

    def accuracy(self, params: Mapping[str, float]) -> float:
        output = self.objective.model_output
        futures = self.client.map(
            partition_matches, self.parts, graph=self.graph, params=dict(params), output=output,
            pure=False,
        )  # fmt: skip
        return float(sum(self.client.gather(futures)) / self.rows)


def load_partition(path: str, *, names: list[str], target: str, bce: bool) -> dict | str:
    """On a worker: one file's columns (the target as ``target``), or the bad row's message."""
    parts: dict[str, list[np.ndarray]] = {name: [] for name in names}
    try:
        for first_row, columns in read_batches(path, names, BATCH_ROWS):
            if bce:
                outside = np.flatnonzero((columns[target] < 0) | (columns[target] > 1))
                if len(outside):
                    row = int(outside[0])
                    raise UsageError(
                        f"--loss bce needs targets between 0 and 1, but row {first_row + row} "
                        f"of {path} has {columns[target][row]:g} (use mse, or labels 0 and 1)"
                    )
            for name in names:
                parts[name].append(columns[name])
    except UsageError as exc:
        return exc.message
    data = {name: np.concatenate(p) if p else np.empty(0) for name, p in parts.items()}
    data[TARGET] = data.pop(target)
    return data


def _rows(data: dict | str) -> int | str:
    return data if isinstance(data, str) else len(data[TARGET])


def _columns(data: dict, graph: Graph, params: Mapping[str, float]) -> dict:
    used = set(graph.input_names)
    return {**{name: column for name, column in data.items() if name in used}, **params}


def partition_sums(
    data: dict, *, graph: Graph, params: Mapping[str, float], wanted: list[str]
) -> tuple[float, dict[str, float], tuple[int, int] | None]:
    """On a worker: the sums over one partition of the loss and of its gradient per
    parameter, and the first row (from 1) with a math error with its node, if any."""
    rows = len(data[TARGET])
    batch = evaluate_arrays(graph, _columns(data, graph, params), rows)
    index = {n.name: n.index for n in graph.inputs}
    bad = np.flatnonzero(batch.error_node >= 0)
    error = (int(bad[0]) + 1, int(batch.error_node[bad[0]])) if len(bad) else None
    with np.errstate(all="ignore"):
        loss = float(np.sum(np.broadcast_to(batch.values[graph.output], (rows,))))
        grads = {name: float(np.sum(batch.grads[index[name]])) for name in wanted}
    return loss, grads, error


def partition_matches(data: dict, *, graph: Graph, params: Mapping[str, float], output: int) -> int:
    """On a worker: the rows where the model's output rounds to the target (0/1 targets)."""
    rows = len(data[TARGET])
    values, _ = forward_arrays(graph, _columns(data, graph, params), rows)
    out = np.broadcast_to(values[output], (rows,))
    return int(np.sum((out >= 0.5) == (data[TARGET] >= 0.5)))
