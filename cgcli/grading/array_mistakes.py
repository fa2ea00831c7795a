"""The mistakes of vectorised backpropagation, for grading a matrix answer.

A matrix answer is wrong in ways a scalar one cannot be; each predictor below gives the
whole array a mistake produces, with the words that say what the student did:

* transposed: the right array transposed (a gradient of the wrong shape, 2×3 for a 3×2
  ``W``), or a matrix product's operand left untransposed (``∂L/∂D · X`` for
  ``∂L/∂D · Xᵀ``);
* product in the wrong order: ``Xᵀ · ∂L/∂D`` for ``∂L/∂D · Xᵀ`` (``∂L/∂D · Wᵀ`` for
  ``Wᵀ · ∂L/∂D``);
* sum over the batch left out: the gradient of an operand that broadcasting fanned out
  (a bias added to every column of a batch) not summed back, or one example's share;
* softmax diagonal only: ``p ⊙ (1 - p) ⊙ ∂L/∂p``, the diagonal of softmax's Jacobian
  without its ``-pᵢpⱼ`` terms.

The array grader (:mod:`.array_grader`) tries them in the order of :data:`ARRAY_MISTAKES`;
:mod:`.mistakes` joins their kinds to the catalogue's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..core.array_ops import shown_shape, split_op
from ..core.ir import Graph
from ..passes.arrays import operand_gradient, summed_back
from .keys import GRAD, VALUE

TRANSPOSED = "transposed"
WRONG_ORDER = "product in the wrong order"
BATCH_SUM = "sum over the batch left out"
SOFTMAX_DIAGONAL = "softmax diagonal only"
WRONG_SHAPE = "wrong shape"
NOT_AN_ARRAY = "not an array"
MAX_EXAMPLES = 8
"""One example's share of a batch is tried for this many examples at most."""


@dataclass(frozen=True)
class ArrayView:
    """One answer of an array program: the question's node, and the right arrays."""

    graph: Graph
    values: list[Any]
    grads: list[Any]
    kind: str
    index: int

    def label(self, index: int) -> str:
        return self.graph.label_at(index)

    def grad(self, index: int) -> str:
        return f"∂{self.label(self.graph.output)}/∂{self.label(index)}"

    @property
    def truth(self) -> Any:
        return (self.values if self.kind == VALUE else self.grads)[self.index]

    def uses(self) -> list[tuple[int, int]]:
        """(user, slot) for every use of the node."""
        table = self.graph.table
        return [
            (user, slot)
            for user in range(self.index + 1, len(self.values))
            for slot, i in enumerate(table.node(user).inputs)
            if i == self.index and self.grads[user] is not None
        ]

    def through(self, user: int, slot: int, wrong: Any) -> Any:
        """The node's gradient with the share of one use replaced by ``wrong``: ``wrong``
        itself when that is the only use; None when ``wrong`` does not have the node's
        shape and other uses add to it."""
        import numpy as np

        truth = np.asarray(self.truth, dtype=float)
        if len(self.uses()) == 1:
            return wrong
        if np.shape(wrong) != truth.shape:
            return None
        right = summed_back(self.share(user, slot), truth.shape)
        return truth - right + wrong

    def share(self, user: int, slot: int) -> Any:
        """What one use sends back to the node, before it is summed over the axes
        broadcasting stretched."""
        node = self.graph.table.node(user)
        args = [self.values[i] for i in node.inputs]
        return operand_gradient(node.op, args, self.values[user], self.grads[user], slot)


Prediction = tuple[Any, str]
"""The array a mistake gives, and what the student did, in words."""


def transposed(view: ArrayView) -> Iterator[Prediction]:
    """The right matrix, transposed."""
    import numpy as np

    truth = np.asarray(view.truth, dtype=float)
    square = truth.shape[0] == truth.shape[1] if truth.ndim == 2 else False
    if truth.ndim == 2 and not (square and np.allclose(truth, truth.T)):
        name = view.grad(view.index) if view.kind == GRAD else view.label(view.index)
        yield truth.T, f"this is the transpose of {name} ({shown_shape(truth.shape)})"


def _matmul_uses(view: ArrayView) -> Iterator[tuple[int, int, Any, Any, Any]]:
    """(user, slot, A, B, ∂L/∂D) for each matrix product ``D = A @ B`` of two matrices
    (a vector on the right as a column) that uses the node."""
    import numpy as np

    for user, slot in view.uses():
        node = view.graph.table.node(user)
        if split_op(node.op)[0] != "matmul":
            continue
        a, b = (np.asarray(view.values[i], dtype=float) for i in node.inputs)
        g = np.asarray(view.grads[user], dtype=float)
        if a.ndim != 2 or b.ndim not in (1, 2):
            continue
        if b.ndim == 1:
            b, g = b[:, None], g[:, None]
        yield user, slot, a, b, g


def wrong_order(view: ArrayView) -> Iterator[Prediction]:
    """``Xᵀ·∂L/∂D`` for ``∂L/∂D·Xᵀ``, ``∂L/∂D·Wᵀ`` for ``Wᵀ·∂L/∂D``."""

    def pair(slot: int, a: Any, b: Any, g: Any, d: str, other: str) -> tuple:
        if slot == 0:
            return b.T, g, f"{other}ᵀ · {d}", f"{d} · {other}ᵀ"
        return g, a.T, f"{d} · {other}ᵀ", f"{other}ᵀ · {d}"

    yield from _matmul_mistake(view, pair, "the product in the wrong order")


def untransposed(view: ArrayView) -> Iterator[Prediction]:
    """``∂L/∂D·X`` for ``∂L/∂D·Xᵀ``: the other operand without its transpose."""

    def pair(slot: int, a: Any, b: Any, g: Any, d: str, other: str) -> tuple:
        if slot == 0:
            return g, b, f"{d} · {other}", f"{d} · {other}ᵀ"
        return a, g, f"{other} · {d}", f"{other}ᵀ · {d}"

    yield from _matmul_mistake(view, pair, "the transpose left out")


def _matmul_mistake(view: ArrayView, pair: Callable[..., tuple], what: str):
    """A matrix product's gradient taken as another product: ``pair(slot, a, b, g, d,
    other)`` gives the two factors the student multiplied and the two products in words
    (what was written, what was meant)."""
    if view.kind != GRAD:
        return
    for user, slot, a, b, g in _matmul_uses(view):
        d = view.grad(user)
        other = view.label(view.graph.table.node(user).inputs[1 - slot])
        left, right, wrote, meant = pair(slot, a, b, g, d, other)
        wrong = _product(left, right, view.values[view.index])
        if wrong is not None:
            predicted = view.through(user, slot, wrong)
            if predicted is not None:
                yield predicted, f"{wrote} for {meant}: {what}"


def _product(left: Any, right: Any, operand: Any) -> Any:
    """left @ right when the shapes allow it, a column back as a vector for a vector."""
    import numpy as np

    if left.shape[1] != right.shape[0]:
        return None
    result = left @ right
    if np.ndim(operand) == 1 and 1 in result.shape:
        return result.reshape(-1)
    return result


def batch_sum_left_out(view: ArrayView) -> Iterator[Prediction]:
    """A broadcast operand's gradient not summed back over the batch, or one example's."""
    import numpy as np

    if view.kind != GRAD:
        return
    shape = np.shape(view.values[view.index])
    for user, slot in view.uses():
        node = view.graph.table.node(user)
        if split_op(node.op)[0] not in ("add", "sub") or np.shape(view.values[user]) == shape:
            continue
        share = np.asarray(view.share(user, slot), dtype=float)
        d = view.grad(user)
        if len(view.uses()) == 1:
            yield share, f"{d} itself, not summed over the batch (the axes broadcasting stretched)"
        stretched = (
            [k for k, size in enumerate(shape) if size == 1 and share.shape[k] != 1]
            if share.ndim == len(shape)
            else []
        )
        if len(stretched) != 1:
            continue
        axis = stretched[0]
        for k in range(min(share.shape[axis], MAX_EXAMPLES)):
            one = np.take(share, [k], axis=axis)
            predicted = view.through(user, slot, one)
            if predicted is not None:
                yield (
                    predicted,
                    (f"the share of example {k + 1} alone: {d} not summed over the batch"),
                )


def softmax_diagonal_only(view: ArrayView) -> Iterator[Prediction]:
    """``p ⊙ (1 - p) ⊙ ∂L/∂p``: softmax's Jacobian taken as its diagonal."""
    import numpy as np

    if view.kind != GRAD:
        return
    for user, slot in view.uses():
        node = view.graph.table.node(user)
        if split_op(node.op)[0] != "softmax":
            continue
        p = np.asarray(view.values[user], dtype=float)
        wrong = p * (1 - p) * np.asarray(view.grads[user], dtype=float)
        predicted = view.through(user, slot, wrong)
        if predicted is not None:
            p_name = view.label(user)
            yield (
                predicted,
                (
                    f"{p_name} ⊙ (1 - {p_name}) ⊙ {view.grad(user)}: only the diagonal of "
                    f"softmax's Jacobian, without its -{p_name}ᵢ{p_name}ⱼ terms"
                ),
            )


ARRAY_MISTAKES: list[tuple[str, Callable[[ArrayView], Iterator[Prediction]]]] = [
    (WRONG_ORDER, wrong_order),
    (TRANSPOSED, untransposed),
    (BATCH_SUM, batch_sum_left_out),
    (SOFTMAX_DIAGONAL, softmax_diagonal_only),
    (TRANSPOSED, transposed),
]
"""Each mistake of a matrix answer with its predictor, in the order they are tried."""

ARRAY_KINDS = (*dict.fromkeys(kind for kind, _ in ARRAY_MISTAKES), WRONG_SHAPE, NOT_AN_ARRAY)
"""Every ``mistake`` a matrix answer alone can carry."""
