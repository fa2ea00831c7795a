"""What a mistake's predictor reads: one edge, one node's forward step or one whole answer
of a student's sheet, at the student's numbers (the catalogue's entries in
:mod:`.mistakes`, :mod:`.sequence_mistakes` and :mod:`.array_mistakes` take these)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .rules import Words
from .work import Edge, Work


@dataclass(frozen=True)
class EdgeView:
    """One edge at the student's values: the use of ``node`` by ``user`` in ``slot``."""

    work: Work
    words: Words
    values: list[float]
    edge: Edge
    right: float
    """The right local derivative at these values."""

    @property
    def user(self) -> int:
        return self.edge[0]

    @property
    def node(self) -> int:
        return self.work.node(self.edge[0]).inputs[self.edge[1]]

    def args(self) -> tuple[float, float, float]:
        """a, b (0 for a one-input op) and the gate's own value o."""
        inputs = [self.values[i] for i in self.work.node(self.user).inputs]
        return inputs[0], inputs[1] if len(inputs) > 1 else 0.0, self.values[self.user]


@dataclass(frozen=True)
class NodeView:
    """A node's forward step at the student's values of its inputs."""

    work: Work
    words: Words
    index: int
    args: list[float]


@dataclass(frozen=True)
class AnswerView:
    """A whole answer: its node and the pieces of its chain-rule step."""

    work: Work
    words: Words
    kind: str
    index: int
    edges: list[Edge]
    upstream: list[float]
    locals: list[float]

    @cached_property
    def total(self) -> float:
        return sum(u * local for u, local in zip(self.upstream, self.locals, strict=True))

    @cached_property
    def chain(self) -> str:
        """The chain-rule step written out at the true numbers (built once: a loop's
        weight has a term per step, and every explanation quotes it)."""
        work = self.work
        right = [work.true_grads[u] for u, _ in self.edges]
        locals_ = [work.local(work.true_values, e) for e in self.edges]
        return self.words.chain(self.index, self.edges, right, locals_)

    @cached_property
    def own_chain(self) -> str:
        """The chain-rule step at the student's numbers (:attr:`upstream`, :attr:`locals`),
        for an explanation that quotes those numbers beside it."""
        return self.words.chain(self.index, self.edges, self.upstream, self.locals)
