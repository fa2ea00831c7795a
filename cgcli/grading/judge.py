"""Judging one sheet's answers in the order a student computes them, values forward and
gradients backward.

A wrong answer is first tested against the student's own earlier answers: when it
follows from them it is carried (the step is right) and the diagnosis names the
mistake it was carried from; when it follows from their right but rounded answers,
it is right (rounded). Otherwise :mod:`.search` finds the mistake in the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from ..core.untrusted import quoted
from .given import Given
from .keys import GRAD, VALUE, Question
from .report import GIVEN, NOT_A_NUMBER, OVER_BUDGET, OWN_ROUNDED, Diagnosis
from .search import MistakeSearch
from .tolerance import MIN_SIGNIFICANT, ROUNDED, WRONG, Tolerance, noise
from .work import Work

if TYPE_CHECKING:
    from ..api.evaluation import Evaluation
    from ..core.ir import Graph
    from .rules import Words


class Grader(Protocol):
    """What the judge needs of the grader of a sheet (:class:`.grader.Grader` is one)."""

    result: Evaluation
    graph: Graph
    words: Words
    tolerance: Tolerance

    def is_given(self, question: Question) -> bool:
        """Whether the sheet gives this number: an input's or a constant's value, ∂f/∂f."""
        ...

    def judge(self, question: Question, given: Given) -> tuple[str, str | None]:
        """The verdict on one written answer, and a special mistake that needs no search."""
        ...


ROUNDING_SLIP = 0.01
"""A wrong answer within 1% of the true value is a rounding error unless a mistake of
the catalogue gives it exactly, at the precision the student wrote."""


class SheetJudge:
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
            {
                (q.kind, q.node.index): g.unit / 2
                for q, g in self.written.items()
                if g.unit and not _exact(g.number, q, grader)
            },
        )
        suspects = {
            q: g
            for q, g in self.written.items()
            if not grader.is_given(q)
            and self.tolerance.judge(g, self.work.truth(q.kind, q.node.index)) == WRONG
        }
        self.search = MistakeSearch(self.work, self.words, self.tolerance, suspects)
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
            share = _percent(self.tolerance.own_rounding)
            note = f"{OWN_ROUNDED} (within {share} of the true value, --own-rounding)"
            self.results[question] = (ROUNDED, None, note)
            return
        if isinstance(carried, Diagnosis) and carried.mistake == "rounding error":
            self.roots[question] = [("rounding error", carried.gate)]
            self.results[question] = (WRONG, carried, None)
            return
        if carried is not None and special in (None, "too few digits"):
            self.results[question] = (WRONG, carried, None)
            return
        if special == "too few digits":
            diagnosis = self.search.explain(question, given, strict=True)
            if diagnosis.mistake != "no common mistake":
                self.roots[question] = [(diagnosis.mistake, diagnosis.gate)]
                self.results[question] = (WRONG, diagnosis, None)
                return
        if special is not None:
            self.results[question] = (WRONG, self._special(question, given, special), None)
            return
        truth = self.work.truth(question.kind, question.node.index)
        near = abs(given.number - truth) <= ROUNDING_SLIP * abs(truth)
        diagnosis = self.search.explain(question, given, strict=near)
        if near and diagnosis.mistake == "no common mistake":
            slip = "not exact" if self.tolerance.exact else "rounding error"
            diagnosis = self._special(question, given, slip)
        self.roots[question] = [(diagnosis.mistake, diagnosis.gate)]
        self.results[question] = (WRONG, diagnosis, None)

    def _special(self, question: Question, given: Given, kind: str) -> Diagnosis:
        label = self.words.label(question.node.index)
        shown = question.shown(self.graph)
        if kind == OVER_BUDGET:
            self.roots[question] = [(kind, label)]
            text = (
                f"could not be evaluated (over the budget): SymPy did not finish comparing "
                f"{quoted(given.text)} with {shown} in the time an answer may take"
            )
            return Diagnosis(kind, label, text)
        if kind == "too few digits":
            right = self.words.num(self.work.truth(question.kind, question.node.index))
            message = (
                f"{given.text} agrees with {shown} = {right} to fewer than "
                f"{MIN_SIGNIFICANT} significant digits; write at least {MIN_SIGNIFICANT}"
            )
        elif kind == "rounding error":
            right = self.words.num(self.work.truth(question.kind, question.node.index))
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
            truth = self.work.truth(question.kind, index)
            if Tolerance().judge(given, truth) != WRONG:
                message = f"{given.text} is {text} rounded; --exact asks for the exact value"
            else:
                message = (
                    f"{given.text} is close to {shown} = {text}, but not exact (nor {text} "
                    f"rounded to the digits you wrote); --exact asks for the exact value"
                )
        elif kind == NOT_A_NUMBER:
            message = (
                f"{given.text} is a formula in the program's names, which restates the program; "
                f"the value of {shown} at the point is asked (a number, such as 0.25 or 1/3)"
            )
        else:
            message = f"{given.text} has the right value here, but it is not {shown} as a formula"
        self.roots[question] = [(kind, label)]
        return Diagnosis(kind, label, f"{kind} at {label}: {message}")

    # --- carried -------------------------------------------------------------------

    def _carried(self, question: Question, given: Given) -> Diagnosis | str | None:
        """A diagnosis when the answer follows from the student's own wrong answers;
        ROUNDED when it follows from their right but rounded ones within the
        tolerance's ``own_rounding`` (a rounding error beyond it); else None."""
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
        truth = self.work.truth(question.kind, question.node.index)
        if not sources:
            moved = abs(predicted - truth) > noise(truth)
            if not moved or self.tolerance.judge(given, predicted) == WRONG:
                return None
            allowed = self.tolerance.own_rounding
            if abs(given.number - truth) <= allowed * abs(truth) + noise(truth):
                return ROUNDED
            label = self.words.label(index)
            off = _percent(abs(given.number - truth) / abs(truth)) if truth else "far"
            text = (
                f"rounding error at {label}: {given.text} follows from your own rounded "
                f"answers ({step}), but it is {off} from {question.shown(self.graph)} = "
                f"{self.words.num(truth)}, more than the {_percent(allowed)} allowed "
                f"(--own-rounding): keep more digits along the way"
            )
            return Diagnosis("rounding error", label, text)
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
        if self.tolerance.judge(given, predicted) == WRONG:  # only within their rounding
            text += (
                f" (your {given.text} is that up to the rounding of the numbers it is "
                "computed from)"
            )
        gate = roots[0][1] if roots else self.words.label(index)
        keys = tuple(s.key(self.graph) for s in ordered)
        return Diagnosis("carried", gate, text, keys, roots[0][0] if roots else None)

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


def _percent(share: float) -> str:
    """``1%``, ``3.2%``: a share as a percentage, to two significant digits."""
    return f"{100 * share:.2g}%"


def _exact(number: float, question: Question, grader: Grader) -> bool:
    """Whether a written number is the true one (a given input copied, an integer
    answer): it carries no rounding into the steps made from it."""
    row = grader.result.nodes[question.node.index]
    truth = row.value if question.kind == VALUE else row.grad
    return truth is not None and abs(number - truth) <= noise(truth)
