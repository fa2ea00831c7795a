"""Grading one sheet against an evaluated program: what is asked, what is written, and
the verdict on each number.

What is graded: the answers a sheet asks for (its cells, filled in or blank, or
what the teacher requires); the numbers a sheet gives (inputs, constants,
∂f/∂f) are shown but not scored. :mod:`.judge` walks the answers in the order a
student computes them and explains the wrong ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from ..api.evaluation import Evaluation
from ..core import arguments
from ..core.errors import UsageError
from ..core.ir import Graph
from ..core.untrusted import shortened
from ..passes.values import NAME_PATTERN, InputValue
from .given import Given, read_given
from .judge import SheetJudge
from .keys import GRAD, VALUE, Question, resolve
from .report import GIVEN, MISSING, NOT_A_NUMBER, OVER_BUDGET, GradedAnswer, SheetGrade
from .rules import Words
from .sheets import MAX_WEIGHT, Sheet
from .tolerance import RIGHT, WRONG, Tolerance, noise

if TYPE_CHECKING:
    from .formulas import Symbolic

REQUIRE_WORDS = ("all", "values", "gradients")
MAX_PROBLEMS = 20
"""Problems reported per sheet; a count follows for the rest (a sheet of a million
unknown keys says so in a few lines)."""


def _at_most(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], f"… and {more:,} more problems on this sheet"]


class Grader:
    """Grades sheets for one evaluated program; build once, grade a whole class."""

    reads_lists = False
    """Whether an answer may be a list (a JSON sheet's matrix answer)."""

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
        self.words = Words(self.graph, digits, [r.value for r in result.nodes])
        self.needs = self.graph.depends_on_input()
        self.names = {
            self.graph.label(n): r.value
            for n, r in zip(self.graph.nodes, result.nodes, strict=True)
            if not self.graph.inline(n) and NAME_PATTERN.fullmatch(self.graph.label(n))
        }
        """The value of every node a formula answer may name."""

    @cached_property
    def symbolic(self) -> Symbolic:
        """The program in SymPy (imported only for formula answers and ``--exact``)."""
        from .formulas import Symbolic

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
            arguments.text(key, "weights")  # a key, such as "de/da"
            number = arguments.number(
                _plain(weight), f"weights[{key!r:.40}]", minimum=0, maximum=MAX_WEIGHT
            )
            try:
                result[resolve(self.graph, key)] = number
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
        if "symbolic" in self.__dict__:
            self.symbolic.new_sheet()
        written, present, problems = self._read(sheet)
        kinds = {"values": (VALUE,), "gradients": (GRAD,)}.get(sheet.asks or "", (VALUE, GRAD))
        if require:
            asked = set(self.required(require))
        else:
            asked = {q for q in present if not self.is_given(q) and q.kind in kinds}
        points = self.weights(weights)
        judged, credit = self.judge_sheet(written)
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
            if question.kind not in kinds and question not in asked:
                verdict, diagnosis, note = GIVEN, None, None  # the sheet gives it
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
                    credit.get(question),
                )
            )
        output = self.graph.label(self.graph.nodes[self.graph.output])
        return SheetGrade(sheet.name, sheet.source, output, answers, problems, self.tolerance)

    def _read(self, sheet: Sheet):
        """The sheet's answers by question, every question it shows, and its problems."""
        most = 4 * len(self.graph.nodes) + 100
        if len(sheet.cells) > most:
            raise UsageError(
                f"{sheet.source}: {len(sheet.cells):,} answers, more than a sheet of this "
                f"program holds (at most {most:,}: a value and a gradient per node, a few "
                "times over); it is not graded"
            )
        written: dict[Question, tuple[str, Given]] = {}
        present: dict[Question, None] = {}
        problems: dict[str, None] = dict.fromkeys(sheet.problems)  # in order, each once
        for cell in sheet.cells:
            where = f"{cell.where}: " if cell.where and cell.where != cell.key else ""
            try:
                question = resolve(self.graph, cell.key, cell.kind)
            except UsageError as exc:
                problems[where + exc.message] = None
                continue
            if self.graph.inline(question.node):
                continue  # a constant's row in a table that lists them: given, never asked
            present[question] = None
            key = cell.key if cell.kind is None else question.shown(self.graph)
            text = cell.listed if self.reads_lists and cell.listed else cell.text
            if cell.problem is not None and text is not cell.listed:
                problems[f"{where}answer {key}: {cell.problem}"] = None
                continue
            if not text.strip():
                continue
            try:
                given = self.read_answer(key, text)
            except UsageError as exc:
                problems[where + exc.message] = None
                continue
            if question in written:
                if not self.same_answer(written[question][1], given):
                    first, again = written[question][1].text, given.text
                    problems[
                        f"{where}answer {key}: answered twice ({shortened(first, 40)} and "
                        f"{shortened(again, 40)}); the first is graded"
                    ] = None
                continue
            written[question] = (key, given)
        return written, list(present), _at_most(list(problems))

    def read_answer(self, key: str, text: str) -> Given:
        """What was written for one answer (a one-line UsageError when unreadable)."""
        return read_given(key, text, self.names)

    def same_answer(self, first: Given, again: Given) -> bool:
        """Whether an answer written twice says the same both times."""
        return first.number == again.number

    def judge_sheet(self, written: Mapping[Question, tuple[str, Given]]) -> tuple[dict, dict]:
        """Each written answer's (verdict, diagnosis, note), and the credit of its
        entries where an answer has several (none for a scalar program)."""
        return SheetJudge(self, written).run(), {}

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
            if question.kind == VALUE:  # a node's value is a number: a + b only restates c
                return WRONG, NOT_A_NUMBER
            symbolic = self.symbolic
            same = symbolic.answer_is(given, symbolic.truth(question.kind, index))
            if same is None:
                return WRONG, OVER_BUDGET
            if same:
                return RIGHT, None
            return WRONG, "right only here" if by_number != WRONG else None
        if self.tolerance.exact:
            exact = self.result.exact
            target = (exact.values if question.kind == VALUE else exact.grads)[index]
            same = self.symbolic.answer_is(given, target, exact=True)
            if same is None:
                return WRONG, OVER_BUDGET
            if same:
                return RIGHT, None
            rounding = Tolerance().judge(given, truth)
            return WRONG, "not exact" if rounding != WRONG else None
        error = abs(given.number - truth)
        close = given.unit is not None and error <= given.unit / 2 + noise(truth)
        if by_number == WRONG and self.tolerance.rounding and close:
            return WRONG, "too few digits"
        return by_number, None


def _plain(weight: object) -> object:
    """A NumPy or Decimal number as a float (a weight is a float); anything else as is."""
    if isinstance(weight, (bool, str, bytes, bytearray, int, float)) or weight is None:
        return weight
    try:
        return float(weight)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return weight
