"""Training by gradient descent, as the worked example's last section describes.

For each batch: a forward pass to the loss, a backward pass to the gradient of
every node (the parameters included), then ``W = W - lr * gradient``, repeated
until a stop criterion holds. The loss is a cg program of the model's output
``out`` and the target ``target``, attached below the model's graph, and every
batch is evaluated by the vectorised engine (one numpy array per node).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..check.run import fd_compare, fd_step
from ..core.errors import CgMathError, CgSyntaxError, TrainingDiverged, UsageError
from ..core.ir import Graph, attach
from ..core.parser import parse
from ..passes.vector import evaluate_arrays, forward_arrays
from .inputs import Settings

OUT, TARGET = "out", "target"
"""The names a loss expression may use: the model's output and the target."""

LOSSES = {
    "mse": "(out - target)^2",
    # log clamped at log(1e-44) ≈ -101, close to PyTorch's BCELoss clamp at -100
    "bce": "-(target*log(max(out, 1e-44)) + (1 - target)*log(max(1 - out, 1e-44)))",
}
STABLE_BCE = "softplus(logit) - target*logit"
"""bce when the model ends in sigmoid(logit): the same loss, with no log of 0."""
DIVERGED = 1e6
"""A loss this many times its start (or nan, or inf) has diverged: training stops."""
POWER_STEPS = 8
"""Hessian-vector products that estimate the largest curvature for a stable --lr."""


@dataclass(frozen=True)
class Objective:
    """The model with its loss attached: one graph whose output is the per-point loss."""

    graph: Graph
    model_output: int
    params: list[str]
    data_inputs: list[str]
    loss: str


@dataclass(repr=False)
class Outcome:
    """The result of training: the parameters, the loss, and how it went."""

    params: dict[str, float]
    loss: float
    epochs: int
    stopped: str
    history: list[float] = field(default_factory=list)
    """The mean loss after every epoch."""
    accuracy: float | None = None
    check: str = ""
    """The check of the final gradient against finite differences, in words."""
    check_ok: bool = True
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        params = ", ".join(
            f"{k}={np.array2string(v, precision=6) if np.ndim(v) else format(v, '.6g')}"
            for k, v in self.params.items()
        )
        return f"<Outcome {params}; loss {self.loss:.6g} after {self.epochs} epochs>"


def build_objective(model: Graph, loss: str, params: list[str], columns: list[str]) -> Objective:
    """Attach the loss to the model; check names against the data's columns."""
    model = model.bind_constants([*params, *columns])
    inputs = list(model.input_names)
    for name in params:
        if name in columns:
            raise UsageError(f"parameter {name} is also a column of the data; rename one of them")
        if name not in inputs:
            raise UsageError(f"parameter {name} is not used by the model")
    if TARGET in inputs:
        raise UsageError(f"the model may not use the name {TARGET}: it is the loss's target")
    data_inputs = [n for n in inputs if n not in params]
    missing = [n for n in data_inputs if n not in columns]
    if missing:
        raise UsageError(
            f"{', '.join(missing)}: neither a column of the data nor a parameter "
            f"(columns: {', '.join(columns)}; give parameters with --params)"
        )
    output_node = model.nodes[model.output]
    links = {OUT: model.output}
    if loss == "bce" and output_node.op == "sigmoid":
        loss_graph = parse(STABLE_BCE)
        links = {"logit": output_node.inputs[0]}
    else:
        try:
            loss_graph = parse(LOSSES.get(loss, loss)).bind_constants(())
        except CgSyntaxError as exc:  # say where: the model and the values have their own
            exc.origin = "in the loss"
            raise
        unknown = [n for n in loss_graph.input_names if n not in (OUT, TARGET)]
        if unknown:
            raise UsageError(
                f"the loss may use only {OUT} (the model's output) and {TARGET}, "
                f"not {', '.join(unknown)}"
            )
        if OUT in loss_graph.assigned or TARGET in loss_graph.assigned:
            raise UsageError(f"the loss may not assign {OUT} or {TARGET}: they are given")
        if OUT not in loss_graph.input_names:
            raise UsageError(
                f"--loss {loss}: the loss must use {OUT} (the model's output), or training "
                "changes nothing"
            )
    graph = attach(model, loss_graph, links)
    return Objective(graph, model.output, params, data_inputs, loss)


def initial_params(
    names: list[str], given: Mapping[str, float | None], seed: int
) -> dict[str, float]:
    """Given starting values, and small random ones (normal, sd 0.5, from ``seed``) for the rest."""
    rng = np.random.default_rng(seed)
    return {
        name: float(given[name]) if given[name] is not None else float(rng.normal(0, 0.5))
        for name in names
    }


class Trainer:
    """Gradient descent on an objective over a data set held in memory."""

    def __init__(self, objective: Objective, data: Mapping[str, np.ndarray], settings: Settings):
        self.objective = objective
        self.data = data
        self.rows = len(data[TARGET])
        self.settings = settings
        self.index = {n.name: n.index for n in objective.graph.inputs}
        if objective.loss == "bce":
            outside = np.flatnonzero((data[TARGET] < 0) | (data[TARGET] > 1))
            if len(outside):
                row = int(outside[0])
                raise UsageError(
                    f"--loss bce needs targets between 0 and 1, but row {row + 1} has "
                    f"{data[TARGET][row]:g} (use mse, or labels 0 and 1)"
                )

    def fit(
        self, given: Mapping[str, float | None], progress: Callable[[int, float], None] | None
    ) -> Outcome:
        """Train from the ``given`` starting values (random where None): the outcome, with
        the final gradient checked and, for bce, the accuracy."""
        start = initial_params(list(given), given, self.settings.seed)
        outcome = self.run(start, progress or (lambda epoch, value: None))
        outcome.check_ok, outcome.check = self.check_gradient(outcome.params)
        if self.objective.loss == "bce":
            outcome.accuracy = self.accuracy(outcome.params)
        return outcome

    def _columns(self, params: Mapping[str, float], rows: np.ndarray | None) -> dict:
        columns = {
            name: (self.data[name] if rows is None else self.data[name][rows])
            for name in [*self.objective.data_inputs, TARGET]
            if name in self.index
        }
        return {**columns, **params}

    def mean_loss(self, params: Mapping[str, float]) -> float:
        values, errors = forward_arrays(
            self.objective.graph, self._columns(params, None), self.rows
        )
        if (errors >= 0).any():
            return math.nan
        losses = np.broadcast_to(values[self.objective.graph.output], (self.rows,))
        with np.errstate(all="ignore"):  # an overflowing mean is reported as a nan loss
            return float(np.mean(losses))

    def step(self, params: dict[str, float], rows: np.ndarray | None) -> None:
        """One update on the rows given (all rows when None)."""
        gradient = self.mean_gradient(params, rows)
        for name in self.objective.params:
            params[name] -= self.settings.lr * gradient[name]

    def mean_gradient(
        self, params: Mapping[str, float], rows: np.ndarray | None = None
    ) -> dict[str, float]:
        """The gradient of the mean loss over the rows given (all rows when None)."""
        count = self.rows if rows is None else len(rows)
        batch = evaluate_arrays(self.objective.graph, self._columns(params, rows), count)
        with np.errstate(all="ignore"):  # overflow shows as a nan loss, reported by run()
            return {
                name: float(np.mean(batch.grads[self.index[name]]))
                for name in self.objective.params
            }

    def run(self, params: dict[str, float], progress: Callable[[int, float], None]) -> Outcome:
        settings = self.settings
        rng = np.random.default_rng(settings.seed)
        history: list[float] = []
        start = dict(params)
        loss = initial = self.mean_loss(params)
        if not math.isfinite(initial):
            raise CgMathError(self._why_not_finite(params, initial))
        stopped = f"reached --epochs {settings.epochs}"
        epoch = 0
        for epoch in range(1, settings.epochs + 1):
            for rows in self._batches(rng):
                self.step(params, rows)
            previous, loss = loss, self.mean_loss(params)
            history.append(loss)
            progress(epoch, loss)
            if not math.isfinite(loss) or (initial > 0 and loss > DIVERGED * initial):
                raise self._diverged(start, initial, loss, epoch)
            if settings.target_loss is not None and loss <= settings.target_loss:
                stopped = f"loss reached --target-loss {settings.target_loss:g}"
                break
            if settings.tol is not None and abs(previous - loss) < settings.tol:
                stopped = f"loss changed by less than --tol {settings.tol:g}"
                break
        outcome = Outcome(dict(params), loss, epoch, stopped, history)
        if loss > initial:
            outcome.warnings.append(
                f"the loss grew from {initial:.6g} to {loss:.6g}: the learning rate may be "
                f"too large (--lr {settings.lr:g})"
            )
        return outcome

    def _diverged(
        self, start: Mapping[str, float], initial: float, loss: float, epoch: int
    ) -> TrainingDiverged:
        """The error of a run whose loss blew up, with the learning rate to try."""
        lr = self.settings.lr
        suggested = stable_lr(self.stable_lr_estimate(start), lr)
        grew = (
            f"the loss became {loss}"
            if not math.isfinite(loss)
            else f"the loss grew from {initial:.6g} to {loss:.6g}"
        )
        return TrainingDiverged(
            f"{grew} by epoch {epoch} with --lr {lr:g}: the learning rate is too large; "
            f"try --lr {suggested:g}",
            suggested,
        )

    def stable_lr_estimate(self, params: Mapping[str, float]) -> float | None:
        """1/λ, λ the largest curvature of the mean loss at ``params`` (power iteration on
        Hessian-vector products, each a central difference of two gradients, with every
        entry of a matrix parameter a coordinate): gradient descent on a quadratic loss
        converges for any learning rate below 2/λ. None when the curvature is not
        positive or not finite there."""
        names = self.objective.params
        shapes = [np.shape(params[name]) for name in names]
        ends = np.cumsum([math.prod(shape) for shape in shapes])[:-1]

        def flat(found: Mapping[str, object]) -> np.ndarray:
            return np.concatenate([np.ravel(np.asarray(found[n], dtype=float)) for n in names])

        def gradient(point: np.ndarray) -> np.ndarray:
            parts = zip(np.split(point, ends), shapes, strict=True)
            # a matrix parameter in its shape, a number as a float
            shaped = [part.reshape(shape) if shape else float(part[0]) for part, shape in parts]
            return flat(self.mean_gradient(dict(zip(names, shaped, strict=True))))

        at = flat(params)

        direction = gradient(at)
        if not np.all(np.isfinite(direction)) or not direction.any():
            direction = np.ones_like(at)
        curvature = math.nan
        step = 1e-4 * max(1.0, float(np.linalg.norm(at)))
        for _ in range(POWER_STEPS):
            direction = direction / np.linalg.norm(direction)
            with np.errstate(all="ignore"):
                product = (gradient(at + step * direction) - gradient(at - step * direction)) / (
                    2 * step
                )
            if not np.all(np.isfinite(product)) or not product.any():
                return None
            curvature = float(direction @ product)
            direction = product
        return 1 / curvature if curvature > 0 and math.isfinite(curvature) else None

    def _why_not_finite(self, params: Mapping[str, float], loss: float) -> str:
        """Why the loss at the starting parameters is not a number: the first bad row."""
        graph = self.objective.graph
        _, errors = forward_arrays(graph, self._columns(params, None), self.rows)
        bad = np.flatnonzero(errors >= 0)
        start = ", ".join(f"{name}={value:g}" for name, value in params.items())
        if len(bad) == 0:
            return f"the loss is {loss} at the starting parameters ({start})"
        row = int(bad[0])
        node = graph.nodes[int(errors[row])]
        return (
            f"the loss is {loss} at the starting parameters ({start}): row {row + 1} of the "
            f"data gives a math error at {graph.label(node)} = {graph.text(node)}"
        )

    def _batches(self, rng: np.random.Generator):
        size = self.settings.batch
        if size is None or size >= self.rows:
            yield None
            return
        order = rng.permutation(self.rows) if self.settings.shuffle else np.arange(self.rows)
        for start in range(0, self.rows, size):
            yield order[start : start + size]

    def accuracy(self, params: Mapping[str, float]) -> float:
        """Share of rows where the model's output rounds to the target (for 0/1 targets)."""
        values, _ = forward_arrays(self.objective.graph, self._columns(params, None), self.rows)
        out = np.broadcast_to(values[self.objective.model_output], (self.rows,))
        return float(np.mean((out >= 0.5) == (self.data[TARGET] >= 0.5)))

    def check_gradient(self, params: Mapping[str, float]) -> tuple[bool, str]:
        """The mean-loss gradient at ``params`` against central finite differences.

        A gradient is wrong only when it disagrees with the difference quotients at
        two steps, h and h/2, by more than the tolerance plus the quotients' own
        error, estimated from how much they differ (so a right gradient of a loss
        with large curvature is not called wrong).
        """
        gradient = self.mean_gradient(params)
        wrong = []
        for name in self.objective.params:
            ours = gradient[name]
            estimates = []
            agree = False
            for h in (fd_step(params[name]), fd_step(params[name]) / 2):
                up = self.mean_loss({**params, name: params[name] + h})
                down = self.mean_loss({**params, name: params[name] - h})
                estimate, close = fd_compare(ours, up, down, h)
                estimates.append(estimate)
                agree = agree or close
            own_error = 3 * abs(estimates[0] - estimates[1])
            if not agree and abs(ours - estimates[1]) > own_error + 1e-6 * max(1.0, abs(ours)):
                wrong.append(f"{name} (ours {ours!r}, finite differences {estimates[1]!r})")
        if wrong:
            return False, "check: finite differences disagree for " + "; ".join(wrong)
        count = len(self.objective.params)
        return True, f"check: finite differences agree on the gradient of all {count} parameters"


def stable_lr(estimate: float | None, lr: float) -> float:
    """The learning rate to suggest after ``lr`` diverged: ``estimate`` (1/λ), at most half
    of ``lr``, rounded down to 1, 2 or 5 times a power of ten; a tenth of ``lr`` without an
    estimate."""
    found = lr / 10 if estimate is None else min(estimate, lr / 2)
    power = 10.0 ** math.floor(math.log10(found))
    leading = found / power
    return next(m for m in (5, 2, 1) if leading >= m * (1 - 1e-9)) * power
