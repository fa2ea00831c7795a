"""Training a model whose parameters are vectors and matrices: the seed's loop,
``W = W - lr * gradient``, literally with matrices.

The data's columns are vectors over the rows of a batch (``x1``, ``x2``: one entry per
example), so a program stacks them into a matrix whose columns are the examples
(``X = [x1, x2]``, 2×N) and computes a layer as ``W1 @ X + b1`` with a bias ``b1`` of
shape h×1 broadcast over the batch. The loss (mse, bce or an expression of ``out`` and
``target``) is taken entry by entry, and its mean over the entries is minimised; the
backward pass of the array engine gives each parameter's gradient as an array of its
shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..check.run import fd_compare, fd_step
from ..core.errors import CgError
from ..passes.arrays import backward, forward, shapes
from .gradient_descent import TARGET, Outcome, Trainer

CHECKED_ENTRIES = 12
"""Entries of each parameter whose gradient the final check compares with finite
differences (spread over the array)."""


def has_arrays(given: Mapping[str, Any]) -> bool:
    """Whether any parameter starts as a vector or a matrix."""
    return any(getattr(value, "ndim", 0) for value in given.values())


class MatrixTrainer(Trainer):
    """Gradient descent on a program over arrays, by the array engine; every parameter
    has its starting value."""

    def fit(
        self, given: Mapping[str, Any], progress: Callable[[int, float], None] | None
    ) -> Outcome:
        start = {name: np.array(value, dtype=float) for name, value in given.items()}
        self._check_shapes(start)
        outcome = self.run(start, progress or (lambda epoch, value: None))
        outcome.check_ok, outcome.check = self.check_gradient(outcome.params)
        if self.objective.loss == "bce":
            outcome.accuracy = self.accuracy(outcome.params)
        return outcome

    def _check_shapes(self, params: Mapping[str, Any]) -> None:
        """Shape errors before any training: a clear message with a caret."""
        point = self._columns(params, None)
        shapes(self.objective.graph, {name: np.shape(v) for name, v in point.items()})

    def _values(self, params: Mapping[str, Any], rows: np.ndarray | None) -> list[Any] | None:
        try:
            return forward(self.objective.graph, self._columns(params, rows))
        except CgError:
            return None  # an entry out of a function's domain, or an overflow: a nan loss

    def mean_loss(self, params: Mapping[str, Any]) -> float:
        values = self._values(params, None)
        if values is None:
            return math.nan
        return float(np.mean(values[self.objective.graph.output]))

    def mean_gradient(
        self, params: Mapping[str, Any], rows: np.ndarray | None = None
    ) -> dict[str, Any]:
        values = self._values(params, rows)
        grads = None if values is None else self._gradients(values)
        if grads is None:
            return {name: np.full(np.shape(params[name]), math.nan) for name in params}
        count = values[self.objective.graph.output].size
        return {name: grads[self.index[name]] / count for name in self.objective.params}

    def _gradients(self, values: list[Any]) -> list[Any] | None:
        try:
            return backward(self.objective.graph, values)
        except CgError:
            return None  # a gradient that overflows: nan, and the next loss says diverged

    def step(self, params: dict[str, Any], rows: np.ndarray | None) -> None:
        """``W = W - lr * gradient`` for every parameter, a matrix as a whole."""
        gradient = self.mean_gradient(params, rows)
        for name in self.objective.params:
            params[name] = params[name] - self.settings.lr * gradient[name]

    def _why_not_finite(self, params: Mapping[str, Any], loss: float) -> str:
        try:
            forward(self.objective.graph, self._columns(params, None))
        except CgError as exc:
            return f"the loss is {loss} at the starting parameters: {exc.message}"
        return f"the loss is {loss} at the starting parameters"

    def accuracy(self, params: Mapping[str, Any]) -> float:
        values = self._values(params, None)
        if values is None:
            return math.nan
        out = np.reshape(values[self.objective.model_output], -1)
        if out.size != self.rows:
            return math.nan
        return float(np.mean((out >= 0.5) == (self.data[TARGET] >= 0.5)))

    def check_gradient(self, params: Mapping[str, Any]) -> tuple[bool, str]:
        """Up to :data:`CHECKED_ENTRIES` entries of each parameter's gradient against
        central finite differences, at two steps (as for scalar parameters)."""
        gradient = self.mean_gradient(params)
        wrong, checked = [], 0
        for name in self.objective.params:
            value = np.asarray(params[name], dtype=float)
            ours_all = np.asarray(gradient[name], dtype=float)
            size = max(value.size, 1)
            for flat in sorted(set(np.linspace(0, size - 1, CHECKED_ENTRIES).astype(int))):
                position = np.unravel_index(flat, value.shape) if value.ndim else ()
                ours = float(ours_all[position])
                estimates, agree = [], False
                for h in (fd_step(float(value[position])), fd_step(float(value[position])) / 2):
                    up, down = value.copy(), value.copy()
                    up[position] += h
                    down[position] -= h
                    estimate, close = fd_compare(
                        ours,
                        self.mean_loss({**params, name: up}),
                        self.mean_loss({**params, name: down}),
                        h,
                    )
                    estimates.append(estimate)
                    agree = agree or close
                checked += 1
                own_error = 3 * abs(estimates[0] - estimates[1])
                if not agree and abs(ours - estimates[1]) > own_error + 1e-6 * max(1.0, abs(ours)):
                    where = "[" + ",".join(str(k + 1) for k in position) + "]" if position else ""
                    wrong.append(
                        f"{name}{where} (ours {ours!r}, finite differences {estimates[1]!r})"
                    )
        if wrong:
            return False, "check: finite differences disagree for " + "; ".join(wrong)
        return True, (
            f"check: finite differences agree on {checked} entries of the gradient of all "
            f"{len(self.objective.params)} parameters"
        )
