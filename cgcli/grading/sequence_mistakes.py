"""The mistakes of a backpropagation-through-time homework, for the catalogue.

A loop unrolled into steps (``h[t] = ... h[t-1] ...``) has a shared weight used once per
step and a state whose gradient comes from its own step and from the next one. The
homework's usual mistakes, each an entry of :data:`cgcli.grading.mistakes.CATALOGUE`
(most of them whole-answer, ``STEP``, entries):

* only the last step: a shared weight's gradient taken from the last step alone;
* sum over steps left out: a shared weight's gradient taken from one other step alone;
* carried gradient left out: ``∂L/∂h[t]`` without what arrives from step t+1 (a
  ``LOCAL`` entry: 0 for the local derivative on the recurrent edge, so that the grader
  replays it); for a weight, its gradient with that left out at every step (truncated
  at 0 steps);
* index off by one: the number of ``h[t-1]`` or ``h[t+1]`` written for ``h[t]``, or a
  weight's shares each taken with the neighbour step's element (``h[t]`` for ``h[t-1]``).

Each predictor takes the catalogue's view of one answer (:class:`.views.AnswerView`) and
yields (number, explanation, gate), or of one edge (:class:`EdgeView`) and yields
(wrong local derivative, what was used). This module imports nothing of the catalogue;
:mod:`.mistakes` joins its :data:`SEQUENCE_MISTAKES` to its own entries.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator

from ..core.ir import INPUT
from ..passes.steps import StepStructure, backward_by_step
from .keys import GRAD, VALUE
from .views import AnswerView, EdgeView
from .work import Work

Prediction = tuple[float, str, int]


class _Steps:
    """The loop steps of a sheet's graph, found once per sheet."""

    def __init__(self, work: Work) -> None:
        graph = work.graph
        self.structure = StepStructure.of(graph)
        self.index_of = {graph.label(node): node.index for node in graph.nodes}
        self._truncated: list[float | None] | None = None
        self.work = work

    def time(self, step: int) -> str:
        """``t = 3``: a step (by its global number) as the program counts it."""
        structure = self.structure
        for loop, first in zip(self.work.graph.loops, structure.first_step, strict=True):
            if first <= step < first + loop.count:
                return f"{loop.variable} = {loop.first + step - first}"
        return "after the loop"

    def truncated(self) -> list[float | None]:
        """The gradients at the student's values with nothing carried from step to step."""
        if self._truncated is None:
            found = backward_by_step(self.work.graph, self.work.values, self.structure, 0)
            self._truncated = found.totals
        return self._truncated

    def neighbours(self, index: int) -> dict[int, int]:
        """The elements one index before (-1) and after (+1) node ``index``: ``h[1]`` and
        ``h[3]`` for ``h[2]``, those the graph has."""
        match = _ELEMENT.match(self.work.graph.label(self.work.node(index)))
        if match is None:
            return {}
        base, before, last = match.groups()
        found = {}
        for shift in (-1, 1):
            other = self.index_of.get(f"{base}[{before}{int(last) + shift}]")
            if other is not None:
                found[shift] = other
        return found


_ELEMENT = re.compile(r"^(.+)\[((?:-?\d+,\s*)*)(-?\d+)\]$")
_SHEETS: weakref.WeakKeyDictionary[Work, _Steps] = weakref.WeakKeyDictionary()


def _steps(work: Work) -> _Steps | None:
    """The sheet's loop steps, or None when its program has no loop."""
    if not work.graph.loops:
        return None
    if work not in _SHEETS:
        _SHEETS[work] = _Steps(work)
    return _SHEETS[work]


def _shares(view: AnswerView, steps: _Steps, true: bool = False) -> dict[int, float]:
    """A shared weight's gradient step by step (-1: its uses outside the loops), at the
    student's own numbers (or the true ones); empty when the answer is not a weight used
    in several steps."""
    work = view.work
    node = work.node(view.index)
    if view.kind != GRAD or node.op != INPUT or "[" in (node.name or ""):
        return {}
    shares: dict[int, float] = {}
    for k, edge in enumerate(view.edges):
        if true:
            term = work.true_grads[edge[0]] * work.local(work.true_values, edge)
        else:
            term = view.upstream[k] * view.locals[k]
        step = steps.structure.step_of[edge[0]]
        shares[step] = shares.get(step, 0.0) + term
    return shares if len([s for s in shares if s >= 0]) > 1 else {}


def _sum_text(view: AnswerView, steps: _Steps) -> str:
    """The weight's gradient as the sum of its true shares, step by step."""
    words = view.words
    shares = _shares(view, steps, true=True)
    shown = [words.num(shares[s]) for s in sorted(shares, key=lambda s: (s < 0, s))]
    terms = " + ".join(f"({n})" if n.startswith("-") else n for n in shown)
    return (
        f"{words.grad(view.index)} is the sum of its shares over the steps, "
        f"{terms} = {words.num(sum(shares.values()))}"
    )


def last_step_only(view: AnswerView) -> Iterator[Prediction]:
    """A shared weight's gradient from the last step alone."""
    steps = _steps(view.work)
    shares = _shares(view, steps) if steps else {}
    if not shares:
        return
    last = max(shares)
    yield (
        shares[last],
        f"{_sum_text(view, steps)}; you have only the share of the last step "
        f"({steps.time(last)}), {view.words.num(shares[last])}",
        view.index,
    )


def one_step_only(view: AnswerView) -> Iterator[Prediction]:
    """A shared weight's gradient from one step alone (not the last): the sum over the
    steps left out."""
    steps = _steps(view.work)
    shares = _shares(view, steps) if steps else {}
    last = max(shares, default=-1)
    for step in sorted(shares):
        if 0 <= step < last:
            yield (
                shares[step],
                f"{_sum_text(view, steps)}; you have only the share of "
                f"{steps.time(step)}, {view.words.num(shares[step])}",
                view.index,
            )


def carried_left_out(view: AnswerView) -> Iterator[Prediction]:
    """A weight's gradient with what arrives from the next step through the state left out
    at every step (the gradients truncated at 0 steps)."""
    steps = _steps(view.work)
    if steps is None or not _shares(view, steps):
        return
    wrong = steps.truncated()[view.index]
    if wrong is not None:
        yield (
            wrong,
            f"each ∂{view.words.out}/∂(state) must add what arrives from the next step; with "
            f"that left out at every step, {view.words.grad(view.index)} = "
            f"{view.words.num(wrong)}",
            view.index,
        )


def carried_edge_left_out(view: EdgeView) -> Iterator[tuple[float, str]]:
    """A state's use by the next step left out of its gradient: ∂L/∂h[t] without what
    arrives from step t+1 (a local derivative taken as 0 on the recurrent edge)."""
    steps = _steps(view.work)
    if steps is not None and steps.structure.span(view.node, view.user) > 0:
        words = view.words
        yield (
            0.0,
            f"nothing for the gradient carried from the next step through {words.gate(view.user)}",
        )


def index_off_by_one(view: AnswerView) -> Iterator[Prediction]:
    """The number of the element one index away (``h[1]`` or ``h[3]`` for ``h[2]``); for a
    weight, every share taken with the neighbour element (``h[t]`` in place of ``h[t-1]``)."""
    steps = _steps(view.work)
    if steps is None:
        return
    work, words = view.work, view.words
    truth = work.true_values if view.kind == VALUE else work.true_grads
    what = "the value" if view.kind == VALUE else "the gradient"
    for other in steps.neighbours(view.index).values():
        if truth[other] is not None:
            yield (
                truth[other],
                f"this is {what} of {words.label(other)}, one index away from "
                f"{words.label(view.index)}",
                view.index,
            )
    if not _shares(view, steps):
        return
    values = list(work.values)
    for shift, name in ((1, "next"), (-1, "previous")):
        total, every = 0.0, True
        for (user, slot), up in zip(view.edges, view.upstream, strict=True):
            moved = []
            for position, i in enumerate(work.node(user).inputs):
                if position == slot or not _ELEMENT.match(words.label(i)):
                    continue
                other = steps.neighbours(i).get(shift)
                if other is None:
                    every = False  # the neighbour of this step's element does not exist
                    break
                values[i] = work.values[other]
                moved.append(i)
            total += up * work.local(values, (user, slot))
            for i in moved:
                values[i] = work.values[i]
            if not every:
                break
        if every:
            yield (
                total,
                f"each step's share of {words.grad(view.index)} multiplies the gradient there "
                f"by that step's own elements; you took the {name} index's elements",
                view.index,
            )


_LOCAL, _STEP = "local", "step"
"""The catalogue's shapes (:data:`cgcli.grading.mistakes.LOCAL`, ``STEP``)."""

SEQUENCE_MISTAKES = [
    ("only the last step", GRAD, _STEP, last_step_only),
    ("sum over steps left out", GRAD, _STEP, one_step_only),
    ("carried gradient left out", GRAD, _LOCAL, carried_edge_left_out),
    ("carried gradient left out", GRAD, _STEP, carried_left_out),
    ("index off by one", GRAD, _STEP, index_off_by_one),
    ("index off by one", VALUE, _STEP, index_off_by_one),
]
"""(kind, the answers it explains, shape, predictor): entries of the catalogue."""
