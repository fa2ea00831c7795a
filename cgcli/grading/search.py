"""Finding the mistake behind a wrong answer: the catalogue's entries at the answer's
own gate, with the student's own pieces, then the same mistakes made further up the
graph where the sheet has no answer. Of the mistakes that give the student's number,
the one that explains the most of the sheet's wrong answers is named.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

from .given import Given
from .keys import GRAD, VALUE, Question
from .mistakes import CATALOGUE, FORWARD, LOCAL, STEP, Mistake
from .report import Diagnosis
from .rules import Words
from .tolerance import WRONG, Tolerance, noise
from .views import AnswerView, EdgeView, NodeView
from .work import Edge, Work

MAX_SEARCH_NODES = 400
"""Larger graphs skip the search for a mistake made further up the graph."""


class _Candidate(NamedTuple):
    """One mistake that explains an answer, and how to replay it on the whole sheet."""

    diagnosis: Diagnosis
    explains: int
    """How many answers it explains when it cannot be replayed (a whole-answer mistake)."""
    replace: tuple[dict[int, float], dict[Edge, float]] | None = None
    """Values and local derivatives the mistake changes."""
    drift: bool = False
    """Whether it gives the number only up to the drift of unseen rounding steps."""
    exact: bool = False
    """Whether it gives the student's number exactly (not only after rounding)."""


def _exact(given: Given, predicted: float) -> bool:
    """Whether a mistake gives the student's number itself, not only after rounding."""
    return abs(given.number - predicted) <= noise(predicted)


def _number(x: float | None) -> float:
    """A replayed number, nan where the node has none (0 stays 0)."""
    return math.nan if x is None else x


class MistakeSearch:
    """The catalogue of mistakes, tried against one sheet."""

    def __init__(
        self, work: Work, words: Words, tolerance: Tolerance, suspects: Mapping[Question, Given]
    ) -> None:
        self.work = work
        self.words = words
        self.graph = work.graph
        self.tolerance = tolerance
        self.suspects = dict(suspects)
        """The answers that are wrong by their numbers: a mistake is judged by how many
        of them it explains."""
        self.suspect_values = {q.node.index for q in self.suspects if q.kind == VALUE}
        self.suspect_grads = {q.node.index for q in self.suspects if q.kind == GRAD}
        self.strict = False

    def explain(self, question: Question, given: Given, strict: bool = False) -> Diagnosis:
        """The mistake that explains this answer (and the most other wrong answers);
        one that gives the number at the precision written beats one further up that
        gives it only up to the drift of rounding at steps the sheet does not show.
        ``strict`` (for an answer close to the truth): only a mistake at the answer's own
        gate that gives it at the precision the student wrote, with no drift from rounding
        along the way; far up the graph, some small change always would."""
        self.strict = strict
        candidates: list[_Candidate] = []
        for mistake in CATALOGUE:
            if mistake.applies == question.kind:
                candidates.extend(self._here(mistake, question, given))
        if len(self.graph.nodes) <= MAX_SEARCH_NODES and not strict:
            for shape in (LOCAL, FORWARD):
                for mistake in CATALOGUE:
                    if mistake.shape == shape and (shape == FORWARD or mistake.applies == GRAD):
                        candidates.extend(self._above(mistake, question, given))
        if not candidates:
            return self._unexplained(question)
        scores = [self._score(c) for c in candidates]
        best = max(
            range(len(candidates)),
            key=lambda i: (candidates[i].exact, not candidates[i].drift, scores[i], -i),
        )
        return candidates[best].diagnosis

    def _score(self, candidate: _Candidate) -> int:
        """How many of the sheet's wrong answers the mistake explains, if it were the
        student's only one."""
        if candidate.replace is None:
            return candidate.explains
        values_over, locals_over = candidate.replace
        work = self.work
        values = work.forward(values_over, free=self.suspect_values)
        grads = work.backward(values, locals_over, free=self.suspect_grads)
        numbers = {VALUE: values, GRAD: grads}
        return sum(
            self.tolerance.matches(given, _number(numbers[q.kind][q.node.index]))
            for q, given in self.suspects.items()
        )

    def _matches(self, given: Given, predicted: float, truth: float, slack: float = 0.0) -> bool:
        """Whether a mistake's number is the student's by the rounding rule for a right
        answer, widened by ``slack``: how far the rounding of the student's own numbers
        the prediction is made from may move it (no slack when the answer is close to
        the truth: then only the precision the student wrote counts)."""
        if predicted != predicted or abs(predicted - truth) <= noise(truth):
            return False
        if self.tolerance.judge(given, predicted) != WRONG:
            return True
        allowed = (self.tolerance.allowance(given, predicted) or 0.0) + slack
        return not self.strict and abs(given.number - predicted) <= allowed + noise(predicted)

    def _drifts(self, given: Given, predicted: float, truth: float) -> bool:
        """Whether a mistake made further up gives the student's number up to the drift
        of rounding at the steps the sheet does not show (a weaker match)."""
        if predicted != predicted or abs(predicted - truth) <= noise(truth):
            return False
        return self.tolerance.matches(given, predicted)

    def _slack(self, question: Question) -> float:
        """How far the rounding of the student's own numbers moves the answer's step."""
        index = question.node.index
        if question.kind == VALUE:
            return self.work.value_step_slack(index) if question.node.inputs else 0.0
        return self.work.grad_step_slack(index)

    def _here(self, mistake: Mistake, question: Question, given: Given):
        """The mistake made at the answer's own gate, with the student's own pieces."""
        work, words, index = self.work, self.words, question.node.index
        truth = self.work.truth(question.kind, question.node.index)
        slack = self._slack(question)
        if mistake.shape == STEP:
            slack += self._pieces_slack(question)
            view = self._answer_view(question)
            for number, text, gate in mistake.predict(view):
                if self._matches(given, number, truth, slack):
                    where = words.gate(gate) if gate != index else words.label(gate)
                    text = f"{mistake.kind} at {where}: {text}"
                    explains = 2 if mistake.kind == "rows swapped" else 1
                    diagnosis = Diagnosis(mistake.kind, words.label(gate), text)
                    yield _Candidate(diagnosis, explains, exact=_exact(given, number))
                    return
            return
        if mistake.shape == FORWARD:
            node = question.node
            if not node.inputs:
                return
            args = [work.values[i] for i in node.inputs]
            right = work.apply(node, args)
            for wrong, used in mistake.predict(NodeView(work, words, index, args)):
                if abs(wrong - right) <= noise(right):
                    continue
                matched = self._matches(given, wrong, truth, slack)
                if matched or (self._unseen(question) and self._drifts(given, wrong, truth)):
                    rule = words.forward_rule(index, work.values, right)
                    text = f"{mistake.kind} at {words.gate(index)}: {rule}; you computed {used}"
                    diagnosis = Diagnosis(mistake.kind, words.label(index), text)
                    replace = ({index: wrong}, {})
                    yield _Candidate(diagnosis, 1, replace, not matched, _exact(given, wrong))
            return
        edges = work.uses[index]
        upstream = [work.grads[u] for u, _ in edges]
        locals_ = [work.local(work.values, e) for e in edges]
        total = sum(g * local for g, local in zip(upstream, locals_, strict=True))
        for k, edge in enumerate(edges):
            view = EdgeView(work, words, work.values, edge, locals_[k])
            found = list(mistake.predict(view))
            spread = self._spread(mistake, edge, [wrong for wrong, _ in found])
            for (wrong, used), moved in zip(found, spread, strict=True):
                if wrong != wrong or abs(wrong - locals_[k]) <= noise(locals_[k]):
                    continue
                predicted = total + upstream[k] * (wrong - locals_[k])
                extra = abs(wrong - locals_[k]) * work.grad_slack[edge[0]]
                extra += abs(upstream[k]) * moved
                matched = self._matches(given, predicted, truth, slack + extra)
                if matched or (self._unseen(question) and self._drifts(given, predicted, truth)):
                    diagnosis = self._local_diagnosis(mistake, view, used, index, own=True)
                    exact = _exact(given, predicted)
                    for changed in self._edges(mistake, edge, wrong):
                        yield _Candidate(diagnosis, 1, ({}, changed), not matched, exact)

    def _unseen(self, question: Question) -> bool:
        """Whether the answer's step uses a number the sheet does not show (so rounded
        by the student where cg cannot see): then a mistake at the answer's own gate may
        give the number only up to that drift. Never for an answer close to the truth."""
        if self.strict:
            return False
        work, node = self.work, question.node
        if question.kind == VALUE:
            used = set(node.inputs)
        else:
            used = set()
            for user, _ in work.uses[node.index]:
                if user not in work.written_grads and user != work.output:
                    return True
                used |= {user, *self.graph.nodes[user].inputs}
        return any(
            self.graph.nodes[i].inputs
            and not self.graph.inline(self.graph.nodes[i])
            and i not in work.written_values
            for i in used
        )

    def _edges(self, mistake: Mistake, edge: Edge, wrong: float) -> list[dict[Edge, float]]:
        """The local derivatives a mistake on ``edge`` may change: that one alone, and
        for a swap also the other input's, which gets this edge's: the two rows it
        explains get one story."""
        alone = {edge: wrong}
        user, slot = edge
        other = (user, 1 - slot)
        if mistake.swaps and other in self.work.uses[self.graph.nodes[user].inputs[1 - slot]]:
            return [alone, {**alone, other: self.work.local(self.work.values, edge)}]
        return [alone]

    def _pieces_slack(self, question: Question) -> float:
        """How far each piece of the answer's step (an upstream gradient, a local
        derivative) may be off through the rounding of the numbers the student wrote:
        a mistake that uses a piece alone moves with it."""
        if question.kind != GRAD:
            return 0.0
        work, total = self.work, 0.0
        for edge in work.uses[question.node.index]:
            user = edge[0]
            total += work.grad_slack[user]
            local = work.local(work.values, edge)
            for i in dict.fromkeys((user, *self.graph.nodes[user].inputs)):
                if work.value_slack[i]:
                    values = list(work.values)
                    values[i] += work.value_slack[i]
                    moved = abs(work.local(values, edge) - local)
                    total += moved if math.isfinite(moved) else 0.0
        return total

    def _spread(self, mistake: Mistake, edge: Edge, wrongs: list[float]) -> list[float]:
        """How far each wrong local derivative moves when the values it is computed from
        move within the rounding of the numbers the student wrote."""
        work = self.work
        spread = [0.0] * len(wrongs)
        user = edge[0]
        for i in dict.fromkeys((user, *self.graph.nodes[user].inputs)):
            if not work.value_slack[i]:
                continue
            values = list(work.values)
            values[i] += work.value_slack[i]
            view = EdgeView(work, self.words, values, edge, work.local(values, edge))
            moved = [wrong for wrong, _ in mistake.predict(view)]
            if len(moved) != len(wrongs):
                continue
            for n, (a, b) in enumerate(zip(moved, wrongs, strict=True)):
                if math.isfinite(a - b):
                    spread[n] += abs(a - b)
        return spread

    def _answer_view(self, question: Question) -> AnswerView:
        work, index = self.work, question.node.index
        edges = work.uses[index] if question.kind == GRAD else []
        return AnswerView(
            work,
            self.words,
            question.kind,
            index,
            edges,
            [work.grads[u] for u, _ in edges],
            [work.local(work.values, e) for e in edges],
        )

    def _local_diagnosis(
        self, mistake: Mistake, view: EdgeView, used: str, index: int, own: bool
    ) -> Diagnosis:
        words, work = self.words, self.work
        user, node = view.user, view.node
        if mistake.kind in ("missing term", "extra term"):
            edges = work.uses[node]
            right = [work.true_grads[u] for u, _ in edges]
            locals_ = [work.local(work.true_values, e) for e in edges]
            text = (
                f"{mistake.kind} at {words.label(node)}: {words.label(node)} has "
                f"{len(edges)} uses, so {words.chain(node, edges, right, locals_)}; "
                f"you have {used}"
            )
            gate = words.label(node)
        else:
            rule = words.local_rule(user, view.edge[1], view.values, view.right)
            text = f"{mistake.kind} at {words.gate(user)}: {rule}; you used {used}"
            gate = words.label(user)
        if not own:
            text += f"; it carries down to {words.grad(index)}"
        return Diagnosis(mistake.kind, gate, text)

    def _above(self, mistake: Mistake, question: Question, given: Given):
        """The mistake made further up the graph, where the sheet has no answer."""
        work, words, index = self.work, self.words, question.node.index
        truth = self.work.truth(question.kind, question.node.index)
        slack = self._slack(question)
        if mistake.shape == LOCAL:
            for edge, right in self._upstream_edges(index, mistake.kind == "sign error"):
                view = EdgeView(work, words, work.values, edge, right)
                for wrong, used in mistake.predict(view):
                    if wrong != wrong or abs(wrong - right) <= noise(right):
                        continue
                    grads = work.backward(work.values, {edge: wrong}, free={index})
                    number = _number(grads[index])
                    exact = self._matches(given, number, truth, slack)
                    if exact or self._drifts(given, number, truth):
                        diagnosis = self._local_diagnosis(mistake, view, used, index, own=False)
                        for changed in self._edges(mistake, edge, wrong):
                            replace = ({}, changed)
                            yield _Candidate(
                                diagnosis, 1, replace, not exact, _exact(given, number)
                            )
            return
        for node in self._upstream_nodes(question):
            args = [work.values[i] for i in node.inputs]
            right = work.apply(node, args)
            for wrong, used in mistake.predict(NodeView(work, words, node.index, args)):
                if wrong != wrong or abs(wrong - right) <= noise(right):
                    continue
                values = work.forward({node.index: wrong}, free={index})
                if question.kind == VALUE:
                    number = values[index]
                else:
                    number = work.backward(values, free={index})[index]
                number = _number(number)
                exact = self._matches(given, number, truth, slack)
                if exact or self._drifts(given, number, truth):
                    rule = words.forward_rule(node.index, work.values, right)
                    name = words.label(index) if question.kind == VALUE else words.grad(index)
                    text = (
                        f"{mistake.kind} at {words.gate(node.index)}: {rule}; you computed "
                        f"{used}; it carries down to {name}"
                    )
                    diagnosis = Diagnosis(mistake.kind, words.label(node.index), text)
                    replace = ({node.index: wrong}, {})
                    yield _Candidate(diagnosis, 1, replace, not exact, _exact(given, number))

    def _upstream_edges(self, index: int, negative_first: bool) -> list[tuple[Edge, float]]:
        """Edges above ``index`` whose local derivative reaches its gradient through
        gradients the sheet does not give, nearest first."""
        work = self.work
        distance = {index: 0}
        frontier = [index]
        while frontier:
            node = frontier.pop(0)
            for user, _ in work.uses[node]:
                if user in distance or user in work.written_grads or user == work.output:
                    continue
                distance[user] = distance[node] + 1
                frontier.append(user)
        edges = []
        for node, depth in distance.items():
            if node == index:
                continue
            for edge in work.uses[node]:
                right = work.local(work.values, edge)
                edges.append((edge, right, depth))
        edges.sort(key=lambda e: ((e[1] >= 0) if negative_first else 0, e[2], -e[0][0]))
        return [(edge, right) for edge, right, _ in edges]

    def _upstream_nodes(self, question: Question):
        """Computed nodes above the answer whose value the sheet does not give."""
        work, index = self.work, question.node.index
        if question.kind == VALUE:
            wanted = {i for i in question.node.inputs}
        else:
            wanted = set()
            for edge in work.uses[index]:
                wanted |= {edge[0], *self.graph.nodes[edge[0]].inputs}
            for edge, _ in self._upstream_edges(index, False):
                wanted |= {edge[0], *self.graph.nodes[edge[0]].inputs}
        for i in range(len(self.graph.nodes) - 1, -1, -1):
            node = self.graph.nodes[i]
            if i in wanted and i not in work.written_values and node.inputs:
                wanted |= set(node.inputs)
        return [
            n
            for n in self.graph.nodes
            if n.index in wanted
            and n.inputs
            and not self.graph.inline(n)  # a constant written inline is not a step
            and n.index != index
            and n.index not in work.written_values
        ][::-1]

    def _unexplained(self, question: Question) -> Diagnosis:
        words, work, index = self.words, self.work, question.node.index
        if question.kind == VALUE:
            rule = words.forward_rule(index, work.true_values)
        else:
            edges = work.uses[index]
            rule = words.chain(
                index,
                edges,
                [work.true_grads[u] for u, _ in edges],
                [work.local(work.true_values, e) for e in edges],
            )
        return Diagnosis("no common mistake", words.label(index), f"no common mistake: {rule}")
