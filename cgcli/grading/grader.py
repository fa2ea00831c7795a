"""Grading one sheet against an evaluated program.

What is graded: the answers a sheet asks for (its cells, filled in or blank, or
what the teacher requires); the numbers a sheet gives (inputs, constants,
∂f/∂f) are shown but not scored. Answers are judged in the order a student
computes them, values forward and gradients backward. A wrong answer is first
tested against the student's own earlier answers (carried: the step is right),
then against each entry of the mistake catalogue at its own gate, then against
the same mistakes made further up the graph where the sheet has no answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import NamedTuple

from ..errors import UsageError
from ..evaluation import Evaluation
from ..ir import Graph
from ..values import NAME_PATTERN, InputValue
from .formulas import Symbolic
from .given import Given, read_given
from .keys import GRAD, VALUE, Question, resolve
from .mistakes import CATALOGUE, FORWARD, LOCAL, STEP, AnswerView, EdgeView, Mistake, NodeView
from .report import GIVEN, MISSING, Diagnosis, GradedAnswer, SheetGrade
from .rules import Words
from .sheets import Sheet
from .tolerance import MIN_SIGNIFICANT, ROUNDED, WRONG, Tolerance, noise
from .work import Edge, Work

CARRY_GUARD = 0.05
"""An answer that follows from the student's own right but rounded answers counts as
rounded when it is within 5% of the true value (rounding to two significant digits
at every step drifts that far)."""
ROUNDING_SLIP = 0.01
"""A wrong answer within 1% of the true value is called a rounding error: no mistake
in the catalogue changes a number that little."""
MAX_SEARCH_NODES = 400
"""Larger graphs skip the search for a mistake made further up the graph."""
REQUIRE_WORDS = ("all", "values", "gradients")


class Grader:
    """Grades sheets for one evaluated program; build once, grade a whole class."""

    def __init__(
        self,
        result: Evaluation,
        inputs: Mapping[str, InputValue],
        tolerance: Tolerance | None = None,
        digits: int | None = 6,
    ) -> None:
        self.result = result
        self.inputs = inputs
        self.graph: Graph = result.graph
        self.tolerance = tolerance or Tolerance()
        self.digits = digits
        self.words = Words(self.graph, digits)
        self.needs = self.graph.depends_on_input()
        self.names = {
            self.graph.label(n): r.value
            for n, r in zip(self.graph.nodes, result.nodes, strict=True)
            if NAME_PATTERN.fullmatch(self.graph.label(n))
        }

    @cached_property
    def symbolic(self) -> Symbolic:
        """The program in SymPy (imported only for formula answers and ``--exact``)."""
        point = {name: self.inputs[name].exact for name in self.graph.input_names}
        return Symbolic(self.graph, point)

    @cached_property
    def used(self) -> list[bool]:
        """For every node, whether the output depends on it."""
        used = [False] * len(self.graph.nodes)
        used[self.graph.output] = True
        for node in reversed(self.graph.nodes[: self.graph.output + 1]):
            if used[node.index]:
                for i in node.inputs:
                    used[i] = True
        return used

    def is_given(self, question: Question) -> bool:
        """Whether the sheet gives this number: an input's or a constant's value, ∂f/∂f."""
        index = question.node.index
        if question.kind == VALUE:
            return not question.node.inputs or not self.needs[index]
        return self.result.nodes[index].grad is None or index == self.graph.output

    def questions(self, which: str) -> list[Question]:
        """Every question a full sheet asks: ``all``, ``values`` or ``gradients``."""
        kinds = (VALUE, GRAD) if which == "all" else (VALUE,) if which == "values" else (GRAD,)
        found = []
        for kind in kinds:
            for node in self.graph.nodes:
                question = Question(kind, node)
                if self.used[node.index] and not self.is_given(question):
                    found.append(question)
        return found

    def required(self, spec: str | Iterable[str]) -> list[Question]:
        """The questions of ``--require``: all, values, gradients, or keys (``p,dg/dx``)."""
        items = spec.split(",") if isinstance(spec, str) else list(spec)
        chosen: dict[Question, None] = {}
        for item in (i.strip() for i in items):
            if not item:
                continue
            if item in REQUIRE_WORDS:
                chosen.update(dict.fromkeys(self.questions(item)))
                continue
            try:
                chosen[resolve(self.graph, item)] = None
            except UsageError as exc:
                raise UsageError(f"--require {exc.message}") from None
        return list(chosen)

    def weights(self, weights: Mapping[str, float] | None) -> dict[Question, float]:
        """``--weights``: points per question by key (1 where not given)."""
        result: dict[Question, float] = {}
        for key, weight in (weights or {}).items():
            try:
                result[resolve(self.graph, key)] = float(weight)
            except UsageError as exc:
                raise UsageError(f"--weights {exc.message}") from None
        return result

    def grade(
        self,
        sheet: Sheet,
        require: str | Iterable[str] | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> SheetGrade:
        """Grade one sheet."""
        written, present, problems = self._read(sheet)
        if require:
            asked = set(self.required(require))
        else:
            kinds = {"values": (VALUE,), "gradients": (GRAD,)}.get(sheet.asks or "", (VALUE, GRAD))
            asked = {q for q in present if not self.is_given(q) and q.kind in kinds}
        points = self.weights(weights)
        judged = _SheetJudge(self, written).run()
        answers = []
        for question in self._order(set(written) | asked):
            index = question.node.index
            if question.kind == VALUE:
                correct = self.result.nodes[index].value
                text = self.result.shown_value(index, self.digits)
            else:
                correct = self.result.nodes[index].grad
                text = self.result.shown_grad(index, self.digits)
            key, given = written.get(question, (None, None))
            verdict, diagnosis, note = judged.get(question, (MISSING, None, None))
            answers.append(
                GradedAnswer(
                    question,
                    self.graph.label(question.node),
                    question.key(self.graph),
                    question.shown(self.graph),
                    key,
                    given,
                    correct if correct is not None else float("nan"),
                    text,
                    verdict,
                    question in asked,
                    points.get(question, 1.0),
                    diagnosis,
                    note,
                )
            )
        output = self.graph.label(self.graph.nodes[self.graph.output])
        return SheetGrade(sheet.name, sheet.source, output, answers, problems, self.tolerance)

    def _read(self, sheet: Sheet):
        """The sheet's answers by question, every question it shows, and its problems."""
        written: dict[Question, tuple[str, Given]] = {}
        present: dict[Question, None] = {}
        problems: list[str] = []
        for cell in sheet.cells:
            where = f"{cell.where}: " if cell.where and cell.where != cell.key else ""
            try:
                question = resolve(self.graph, cell.key, cell.kind)
            except UsageError as exc:
                if where + exc.message not in problems:
                    problems.append(where + exc.message)
                continue
            present[question] = None
            if not cell.text.strip():
                continue
            key = cell.key if cell.kind is None else question.shown(self.graph)
            try:
                given = read_given(key, cell.text, self.names)
            except UsageError as exc:
                problems.append(where + exc.message)
                continue
            if question in written:
                if written[question][1].number != given.number:
                    problems.append(
                        f"{where}answer {key}: answered twice ({written[question][1].text} and "
                        f"{given.text}); the first is graded"
                    )
                continue
            written[question] = (key, given)
        return written, list(present), problems

    def _order(self, questions: set[Question]) -> list[Question]:
        """Values forward, then gradients backward: the order a student computes them."""
        values = sorted((q for q in questions if q.kind == VALUE), key=lambda q: q.node.index)
        grads = sorted((q for q in questions if q.kind == GRAD), key=lambda q: -q.node.index)
        return values + grads

    def judge(self, question: Question, given: Given) -> tuple[str, str | None]:
        """The verdict on one written answer, and a special mistake (``not exact``,
        ``right only here``) that needs no search."""
        index = question.node.index
        row = self.result.nodes[index]
        truth = row.value if question.kind == VALUE else row.grad
        by_number = self.tolerance.judge(given, truth)
        if given.is_formula:
            symbolic = self.symbolic
            mine = symbolic.of_answer(given)
            if symbolic.equivalent(mine, symbolic.truth(question.kind, index)):
                return "right", None
            return WRONG, "right only here" if by_number != WRONG else None
        if self.tolerance.exact:
            exact = self.result.exact
            target = (exact.values if question.kind == VALUE else exact.grads)[index]
            if self.symbolic.exactly(given, target):
                return "right", None
            rounding = Tolerance().judge(given, truth)
            return WRONG, "not exact" if rounding != WRONG else None
        close = given.unit is not None and abs(given.number - truth) <= given.unit / 2 + noise(
            truth
        )
        if by_number == WRONG and self.tolerance.rounding and close:
            return WRONG, "too few digits"
        return by_number, None


class _Candidate(NamedTuple):
    """One mistake that explains an answer, and how to replay it on the whole sheet."""

    diagnosis: Diagnosis
    explains: int
    """How many answers it explains when it cannot be replayed (a whole-answer mistake)."""
    replace: tuple[dict[int, float], dict[Edge, float]] | None = None
    """Values and local derivatives the mistake changes."""


class _SheetJudge:
    """Judges and explains one sheet's answers, in the order a student computes them."""

    def __init__(self, grader: Grader, written: Mapping[Question, tuple[str, Given]]) -> None:
        self.grader = grader
        self.graph = grader.graph
        self.words = grader.words
        self.tolerance = grader.tolerance
        self.written = {q: given for q, (_, given) in written.items()}
        self.work = Work(
            grader.result,
            {q.node.index: g.number for q, g in self.written.items() if q.kind == VALUE},
            {
                q.node.index: g.number
                for q, g in self.written.items()
                if q.kind == GRAD and q.node.index != self.graph.output
            },
            {(q.kind, q.node.index): g.unit / 2 for q, g in self.written.items() if g.unit},
        )
        self.suspects = {
            q: g
            for q, g in self.written.items()
            if not grader.is_given(q) and self.tolerance.judge(g, self._truth(q)) == WRONG
        }
        """The answers that are wrong by their numbers: a mistake is judged by how many
        of them it explains."""
        self.suspect_values = {q.node.index for q in self.suspects if q.kind == VALUE}
        self.suspect_grads = {q.node.index for q in self.suspects if q.kind == GRAD}
        self.results: dict[Question, tuple[str, Diagnosis | None, str | None]] = {}
        self.roots: dict[Question, list[tuple[str, str]]] = {}
        nodes = len(self.graph.nodes)
        self.value_taint: list[frozenset[Question]] = [frozenset()] * nodes
        self.grad_taint: list[frozenset[Question]] = [frozenset()] * nodes

    def run(self) -> dict[Question, tuple[str, Diagnosis | None, str | None]]:
        for node in self.graph.nodes:
            question = Question(VALUE, node)
            if question in self.written:
                self._judge(question)
                verdict, diagnosis, _ = self.results[question]
                wrong = verdict == WRONG or diagnosis is not None
                self.value_taint[node.index] = frozenset({question}) if wrong else frozenset()
            else:
                self.value_taint[node.index] = frozenset().union(
                    *(self.value_taint[i] for i in node.inputs)
                )
        order = [
            *range(self.graph.output, -1, -1),
            *range(self.graph.output + 1, len(self.graph.nodes)),
        ]
        for index in order:
            question = Question(GRAD, self.graph.nodes[index])
            if question in self.written:
                self._judge(question)
                wrong = self.results[question][0] == WRONG
                self.grad_taint[index] = frozenset({question}) if wrong else frozenset()
            elif index <= self.graph.output:
                self.grad_taint[index] = self._grad_sources(index)
        return self.results

    # --- judging -------------------------------------------------------------------

    def _judge(self, question: Question) -> None:
        given = self.written[question]
        index = question.node.index
        if self.grader.is_given(question):
            verdict, _ = self.grader.judge(question, given)
            if verdict == WRONG and question.kind == VALUE:
                truth = self.work.true_values[index]
                text = f"{self.words.label(index)} is given as {self.words.num(truth)}"
                diagnosis = Diagnosis("wrong given value", self.words.label(index), text)
                self.roots[question] = [("wrong given value", self.words.label(index))]
                self.results[question] = (GIVEN, diagnosis, text)
            else:
                self.results[question] = (GIVEN, None, None)
            return
        verdict, special = self.grader.judge(question, given)
        if verdict != WRONG:
            self.results[question] = (verdict, None, None)
            return
        carried = self._carried(question, given)
        if carried == ROUNDED:
            self.results[question] = (ROUNDED, None, "follows from your own rounded answers")
            return
        if carried is not None and special is None:
            self.results[question] = (WRONG, carried, None)
            return
        if special is not None:
            self.results[question] = (WRONG, self._special(question, given, special), None)
            return
        if abs(given.number - self._truth(question)) <= ROUNDING_SLIP * abs(self._truth(question)):
            diagnosis = self._special(question, given, "rounding error")
        else:
            diagnosis = self._explain(question, given)
        self.roots[question] = [(diagnosis.mistake, diagnosis.gate)]
        self.results[question] = (WRONG, diagnosis, None)

    def _truth(self, question: Question) -> float:
        index = question.node.index
        if question.kind == VALUE:
            return self.work.true_values[index]
        return self.work.true_grads[index]

    def _special(self, question: Question, given: Given, kind: str) -> Diagnosis:
        label = self.words.label(question.node.index)
        shown = question.shown(self.graph)
        if kind == "too few digits":
            right = self.words.num(self._truth(question))
            message = (
                f"{given.text} agrees with {shown} = {right} to fewer than "
                f"{MIN_SIGNIFICANT} significant digits; write at least {MIN_SIGNIFICANT}"
            )
        elif kind == "rounding error":
            right = self.words.num(self._truth(question))
            message = (
                f"{given.text} is close to {shown} = {right}, but not the true value rounded "
                f"to the digits you wrote: rounding too early along the way?"
            )
        elif kind == "not exact":
            exact = self.grader.result
            index = question.node.index
            digits = self.words.digits
            text = (
                exact.shown_value(index, digits)
                if question.kind == VALUE
                else exact.shown_grad(index, digits)
            )
            message = f"{given.text} is {text} rounded; --exact asks for the exact value"
        else:
            message = f"{given.text} has the right value here, but it is not {shown} as a formula"
        self.roots[question] = [(kind, label)]
        return Diagnosis(kind, label, f"{kind} at {label}: {message}")

    # --- carried -------------------------------------------------------------------

    def _carried(self, question: Question, given: Given) -> Diagnosis | str | None:
        """A diagnosis when the answer follows from the student's own wrong answers;
        ROUNDED when it follows from their right but rounded ones; else None."""
        work, index = self.work, question.node.index
        node = question.node
        if question.kind == VALUE:
            if not node.inputs:
                return None
            predicted = work.apply(node, [work.values[i] for i in node.inputs])
            sources = frozenset().union(*(self.value_taint[i] for i in node.inputs))
            step = self.words.forward_rule(index, work.values, predicted)
            slack = work.value_step_slack(index)
        else:
            edges = work.uses[index]
            upstream = [work.grads[u] for u, _ in edges]
            locals_ = [work.local(work.values, e) for e in edges]
            predicted = sum(g * local for g, local in zip(upstream, locals_, strict=True))
            sources = self._grad_sources(index)
            step = self.words.chain(index, edges, upstream, locals_)
            slack = work.grad_step_slack(index)
        truth = self._truth(question)
        if not sources:
            moved = abs(predicted - truth) > noise(truth)
            close = abs(given.number - truth) <= CARRY_GUARD * abs(truth) + noise(truth)
            if moved and close and self.tolerance.judge(given, predicted) != WRONG:
                return ROUNDED
            return None
        if not self.tolerance.matches(given, predicted, slack):
            return None
        ordered = sorted(sources, key=lambda q: (q.kind != VALUE, -q.node.index))
        roots: list[tuple[str, str]] = []
        for source in ordered:
            for root in self.roots.get(source, []):
                if root not in roots:
                    roots.append(root)
        minor = ("rounding error", "too few digits")
        roots.sort(key=lambda root: root[0] in minor)
        self.roots[question] = roots
        yours = ", ".join(f"{s.shown(self.graph)} = {self.written[s].text}" for s in ordered)
        cause = "; ".join(f"{kind} at {gate}" for kind, gate in roots)
        text = f"carried from your {yours} ({cause}); this step is right: {step}"
        gate = roots[0][1] if roots else self.words.label(index)
        keys = tuple(s.key(self.graph) for s in ordered)
        return Diagnosis("carried", gate, text, keys)

    def _grad_sources(self, index: int) -> frozenset[Question]:
        """The student's wrong answers that the chain-rule step at ``index`` uses."""
        work = self.work
        sources: set[Question] = set()
        for edge in work.uses[index]:
            user = edge[0]
            sources |= self.grad_taint[user]
            theirs = work.local(work.values, edge)
            for i in dict.fromkeys((user, *self.graph.nodes[user].inputs)):
                if not self.value_taint[i]:
                    continue
                values = list(work.values)
                values[i] = work.true_values[i]
                if abs(work.local(values, edge) - theirs) > noise(theirs):
                    sources |= self.value_taint[i]
        return frozenset(sources)

    # --- the catalogue -------------------------------------------------------------

    def _explain(self, question: Question, given: Given) -> Diagnosis:
        """The mistake that explains this answer (and the most other wrong answers)."""
        candidates: list[_Candidate] = []
        for mistake in CATALOGUE:
            if mistake.applies == question.kind:
                candidates.extend(self._here(mistake, question, given))
        if len(self.graph.nodes) <= MAX_SEARCH_NODES:
            for shape in (LOCAL, FORWARD):
                for mistake in CATALOGUE:
                    if mistake.shape == shape and (shape == FORWARD or mistake.applies == GRAD):
                        candidates.extend(self._above(mistake, question, given))
        if not candidates:
            return self._unexplained(question)
        scores = [self._score(c) for c in candidates]
        best = max(range(len(candidates)), key=lambda i: (scores[i], -i))
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
        return sum(
            self.tolerance.matches(
                given, (values if q.kind == VALUE else grads)[q.node.index] or math.nan
            )
            for q, given in self.suspects.items()
        )

    def _matches(self, given: Given, predicted: float, truth: float) -> bool:
        if predicted != predicted or abs(predicted - truth) <= noise(truth):
            return False
        return self.tolerance.matches(given, predicted)

    def _here(self, mistake: Mistake, question: Question, given: Given):
        """The mistake made at the answer's own gate, with the student's own pieces."""
        work, words, index = self.work, self.words, question.node.index
        truth = self._truth(question)
        if mistake.shape == STEP:
            view = self._answer_view(question, given)
            for number, text, gate in mistake.predict(view):
                if self._matches(given, number, truth):
                    where = words.gate(gate) if gate != index else words.label(gate)
                    text = f"{mistake.kind} at {where}: {text}"
                    explains = 2 if mistake.kind == "rows swapped" else 1
                    yield _Candidate(Diagnosis(mistake.kind, words.label(gate), text), explains)
                    return
            return
        if mistake.shape == FORWARD:
            node = question.node
            if not node.inputs:
                return
            args = [work.values[i] for i in node.inputs]
            right = work.apply(node, args)
            for wrong, used in mistake.predict(NodeView(work, words, index, args)):
                if self._matches(given, wrong, truth) and abs(wrong - right) > noise(right):
                    rule = words.forward_rule(index, work.values, right)
                    text = f"{mistake.kind} at {words.gate(index)}: {rule}; you computed {used}"
                    diagnosis = Diagnosis(mistake.kind, words.label(index), text)
                    yield _Candidate(diagnosis, 1, ({index: wrong}, {}))
            return
        edges = work.uses[index]
        upstream = [work.grads[u] for u, _ in edges]
        locals_ = [work.local(work.values, e) for e in edges]
        total = sum(g * local for g, local in zip(upstream, locals_, strict=True))
        for k, edge in enumerate(edges):
            view = EdgeView(work, words, work.values, edge, locals_[k])
            for wrong, used in mistake.predict(view):
                if wrong != wrong or abs(wrong - locals_[k]) <= noise(locals_[k]):
                    continue
                predicted = total + upstream[k] * (wrong - locals_[k])
                if self._matches(given, predicted, truth):
                    diagnosis = self._local_diagnosis(mistake, view, used, index, own=True)
                    yield _Candidate(diagnosis, 1, ({}, {edge: wrong}))

    def _answer_view(self, question: Question, given: Given) -> AnswerView:
        work, index = self.work, question.node.index
        edges = work.uses[index] if question.kind == GRAD else []
        return AnswerView(
            work,
            self.words,
            question.kind,
            index,
            given.number,
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
        truth = self._truth(question)
        if mistake.shape == LOCAL:
            for edge, right in self._upstream_edges(index, mistake.kind == "sign error"):
                view = EdgeView(work, words, work.values, edge, right)
                for wrong, used in mistake.predict(view):
                    if wrong != wrong or abs(wrong - right) <= noise(right):
                        continue
                    grads = work.backward(work.values, {edge: wrong}, free={index})
                    if self._matches(given, grads[index], truth):
                        diagnosis = self._local_diagnosis(mistake, view, used, index, own=False)
                        yield _Candidate(diagnosis, 1, ({}, {edge: wrong}))
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
                if number is not None and self._matches(given, number, truth):
                    rule = words.forward_rule(node.index, work.values, right)
                    name = words.label(index) if question.kind == VALUE else words.grad(index)
                    text = (
                        f"{mistake.kind} at {words.gate(node.index)}: {rule}; you computed "
                        f"{used}; it carries down to {name}"
                    )
                    diagnosis = Diagnosis(mistake.kind, words.label(node.index), text)
                    yield _Candidate(diagnosis, 1, ({node.index: wrong}, {}))

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
