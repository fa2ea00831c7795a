"""Grading the answers of a program over vectors and matrices, entry by entry.

A matrix answer is a nested list, ``[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]``, each entry
read and judged like a scalar answer (the precision it is written to decides). The
answer is right when every entry is, and earns a share of its points per right entry
(5 of 6 entries). An answer of the wrong shape is wrong, not an error: "shape 2×3,
expected 3×2: transposed?". A wrong answer is explained by the mistakes of vectorised
backpropagation (:mod:`.array_mistakes`) when one of them gives it entry by entry.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..api.evaluation import Evaluation
from ..core.array_ops import shown_shape
from ..core.errors import CgError, UsageError
from ..core.parser import parse
from ..core.untrusted import quoted, shortened
from ..passes.arrays import operand_gradient, shapes, summed_back
from .array_mistakes import ARRAY_MISTAKES, NOT_AN_ARRAY, WRONG_SHAPE, ArrayView
from .given import Given, normalise, read_given
from .grader import Grader
from .keys import GRAD, VALUE, Question
from .report import GIVEN, Diagnosis
from .tolerance import RIGHT, ROUNDED, WRONG, Tolerance

MAX_ARRAY_CHARS = 100_000
"""Longest matrix answer read (a 100×100 matrix at 6 digits); a number keeps the limit
of :data:`.given.MAX_ANSWER_CHARS`."""
MAX_WRONG_SHOWN = 3
"""Wrong entries named in a partly right answer's note; a count follows for the rest."""


@dataclass(frozen=True)
class ArrayGiven:
    """A student's array answer: its text, and its entries read one by one (empty with
    ``problem`` when it is no array of numbers)."""

    text: str
    shape: tuple[int, ...]
    entries: tuple[Given, ...]
    """Row by row, each with the precision it was written to."""
    problem: str | None = None

    @property
    def number(self) -> Any:
        """The entries as a float array, None when unreadable."""
        import numpy as np

        if self.problem is not None:
            return None
        return np.array([g.number for g in self.entries], dtype=float).reshape(self.shape)

    @property
    def is_formula(self) -> bool:
        return False

    @property
    def unit(self) -> None:
        return None


def read_array_answer(
    key: str, text: str, names: Mapping[str, float], labels: Collection[str] = ()
) -> ArrayGiven:
    """Read a nested list (or a single number) written for ``key``; a ragged list or an
    entry that is not a number gives an answer with its ``problem``; ``labels`` are the
    program's, which a formula answer would name."""
    shown = normalise(text)
    if len(shown) > MAX_ARRAY_CHARS:
        raise UsageError(f"answer {shortened(key, 40)}: longer than {MAX_ARRAY_CHARS:,} characters")
    if not shown.startswith("["):
        one = _read_entry(key, text, names, labels)
        return ArrayGiven(one.text, (), (one,))
    try:
        graph = parse(shown)
        shape = shapes(graph, {})[graph.output]
    except CgError as exc:
        return ArrayGiven(text.strip(), (), (), f"{quoted(shown, 40)} is no array: {exc.message}")
    table = graph.table
    if graph.statements != 1 or graph.assigned or table.op(graph.output) != "stack":
        return ArrayGiven(
            text.strip(), (), (), f"write one bracketed list, not {quoted(shown, 40)}"
        )
    entries: list[Given] = []
    rows = [((), graph.output)]
    while rows:  # down the nested lists to their entries, first to last, without recursion
        position, index = rows.pop()
        node = table.node(index)
        if table.op(index) == "stack":
            rows += reversed([((*position, k), i) for k, i in enumerate(node.inputs)])
            continue
        where = f"{key}[{','.join(str(k + 1) for k in position)}]"
        try:
            entries.append(_read_entry(where, shown[node.start : node.end], names, labels))
        except UsageError as exc:
            return ArrayGiven(text.strip(), shape, (), exc.message)
    return ArrayGiven(text.strip(), shape, tuple(entries))


def _read_entry(
    where: str, text: str, names: Mapping[str, float], labels: Collection[str]
) -> Given:
    """A number written for an entry (or a whole answer); a formula of the program's
    labels gets a plain message: formula answers are graded for scalar programs only."""
    try:
        return read_given(where, text, names)
    except UsageError:
        try:
            formula = parse(normalise(text))
        except CgError:
            formula = None
        if formula is None or not set(formula.input_names) & set(labels):
            raise
        raise UsageError(
            f"answer {shortened(where, 40)}: {quoted(normalise(text), 40)} is a formula; "
            "formula answers are graded for scalar programs only: write the array's "
            "numbers, [[1, 2], [3, 4]]"
        ) from None


def _flat_example(size: int, *, column: bool) -> str:
    """``[[a],[b],[c]]`` or ``[[a,b,c]]``: how a column or a row of ``size`` is written."""
    letters = [chr(ord("a") + k) for k in range(min(size, 3))] + (["…"] if size > 3 else [])
    if column:
        return "[" + ",".join(f"[{x}]" for x in letters) + "]"
    return "[[" + ",".join(letters) + "]]"


class ArrayGrader(Grader):
    """Grades sheets for one evaluated program over arrays."""

    reads_lists = True

    def __init__(
        self,
        result: Evaluation,
        inputs: Mapping[str, Any],
        tolerance: Tolerance | None = None,
        digits: int | None = 6,
    ) -> None:
        self.result = result
        self.inputs = inputs
        self.graph = result.graph
        self.tolerance = tolerance or Tolerance()
        self.digits = digits
        self.needs = self.graph.depends_on_input()
        self.names = {}
        self.values = [r.value for r in result.nodes]
        self.grads = [r.grad for r in result.nodes]

    def read_answer(self, key: str, text: str) -> ArrayGiven:
        return read_array_answer(key, text, self.names, self.graph.bindings)

    def same_answer(self, first: Any, again: Any) -> bool:
        return first.text == again.text

    def judge_sheet(self, written: Mapping[Question, tuple[str, Any]]):
        """Each written answer's verdict, diagnosis and note, and its entries' credit:
        values forward, then gradients backward, each wrong gradient first tested against
        the student's own gradients further down the backward pass (carried)."""
        results: dict[Question, tuple[str, Diagnosis | None, str | None]] = {}
        credit: dict[Question, tuple[int, int] | None] = {}
        for question in self._order(set(written)):
            if question.kind == VALUE:
                verdict, diagnosis, right = self._judge(question, written[question][1])
                results[question] = (verdict, diagnosis, None)
                credit[question] = right
        theirs = list(self.grads)
        taint: list[frozenset[Question]] = [frozenset()] * len(theirs)
        for index in range(self.graph.output, -1, -1):
            if self.grads[index] is None:
                continue
            question = Question(GRAD, self.graph.nodes[index])
            predicted, sources = self._their_step(index, theirs, taint)
            if question not in written:
                theirs[index], taint[index] = predicted, sources
                continue
            given = written[question][1]
            verdict, diagnosis, right = self._judge(question, given)
            if verdict == WRONG and sources and diagnosis.mistake != NOT_AN_ARRAY:
                carried = self._carried(question, given, predicted, sources, written, results)
                if carried is not None and right is not None:
                    count = f" ({right[0]} of {right[1]} entries right)"
                    carried = replace(carried, text=carried.text + count)
                diagnosis = carried or diagnosis
            results[question] = (verdict, diagnosis, None)
            credit[question] = right
            readable = given.problem is None and given.shape == self._truth(question).shape
            theirs[index] = given.number if readable else self.grads[index]
            taint[index] = frozenset({question}) if verdict == WRONG else frozenset()
        return results, credit

    def _their_step(self, index: int, theirs: list, taint: list) -> tuple[Any, frozenset]:
        """The node's gradient by the right step from the student's gradients of the nodes
        that use it, and the student's wrong answers it comes from."""
        import numpy as np

        if index == self.graph.output:
            return self.grads[index], frozenset()
        shape = np.shape(self.values[index])
        total = np.zeros(shape)
        sources: frozenset[Question] = frozenset()
        table = self.graph.table
        for user in range(index + 1, self.graph.output + 1):
            node = table.node(user)
            if index not in node.inputs or theirs[user] is None:
                continue
            sources |= taint[user]
            args = [self.values[i] for i in node.inputs]
            for slot, i in enumerate(node.inputs):
                if i == index:
                    share = operand_gradient(node.op, args, self.values[user], theirs[user], slot)
                    total = total + summed_back(share, shape)
        return total, sources

    def _matches(self, given: ArrayGiven, predicted: Any) -> bool:
        """Whether a mistake's array is the student's, entry by entry, as written."""
        numbers = predicted.reshape(-1).tolist()
        pairs = zip(given.entries, numbers, strict=True)
        return all(self.tolerance.matches(g, p) for g, p in pairs)

    def _carried(self, question, given, predicted, sources, written, results):
        """A diagnosis when the answer is the student's own wrong gradients carried by
        the right step; None otherwise."""
        if predicted.shape != given.shape:
            return None
        numbers = predicted.reshape(-1).tolist()
        if not all(
            self.tolerance.matches(g, p) for g, p in zip(given.entries, numbers, strict=True)
        ):
            return None
        ordered = sorted(sources, key=lambda q: -q.node.index)
        roots = [results[s][1] for s in ordered if results[s][1] is not None]
        if not roots:
            return None
        first = roots[0]
        cause = "; ".join(f"{r.root or r.mistake} at {r.gate}" for r in roots)
        yours = ", ".join(
            f"{s.shown(self.graph)} = {shortened(written[s][1].text, 40)}" for s in ordered
        )
        text = f"carried from your {yours} ({cause}); this step is right"
        keys = tuple(s.key(self.graph) for s in ordered)
        return Diagnosis("carried", first.gate, text, keys, first.root or first.mistake)

    def _truth(self, question: Question) -> Any:
        import numpy as np

        index = question.node.index
        truth = (self.values if question.kind == VALUE else self.grads)[index]
        return np.asarray(truth, dtype=float)

    def _judge(self, question: Question, given: ArrayGiven):
        truth = self._truth(question)
        label = self.graph.label(question.node)
        size = truth.size
        if self.is_given(question):
            return GIVEN, None, None
        if given.problem is not None:
            return WRONG, Diagnosis(NOT_AN_ARRAY, label, given.problem), (0, size)
        if given.shape != truth.shape:
            words = f"shape {shown_shape(given.shape)}, expected {shown_shape(truth.shape)}"
            if len(truth.shape) == 2 and given.shape == truth.shape[::-1]:
                words += ": transposed?"
            elif given.shape == (truth.size,) and truth.shape == (truth.size, 1):
                words += f": write it as a column {_flat_example(truth.size, column=True)}"
            elif given.shape == (truth.size,) and truth.shape == (1, truth.size):
                words += f": write it as a row {_flat_example(truth.size, column=False)}"
            found = self._mistake(question, given)
            if found is not None:
                words += f" ({found[1]})"
            return WRONG, Diagnosis(found[0] if found else WRONG_SHAPE, label, words), (0, size)
        verdicts = [
            self.tolerance.judge(g, float(t))
            for g, t in zip(given.entries, truth.reshape(-1).tolist(), strict=True)
        ]
        right = sum(v != WRONG for v in verdicts)
        if right == size:
            return (ROUNDED if ROUNDED in verdicts else RIGHT), None, (size, size)
        found = self._mistake(question, given)
        count = f"{right} of {size} entries right"
        if found is not None:
            return WRONG, Diagnosis(found[0], label, f"{found[1]} ({count})"), (right, size)
        wrong = [k for k, v in enumerate(verdicts) if v == WRONG]
        places = ", ".join(_place(k, truth.shape) for k in wrong[:MAX_WRONG_SHOWN])
        more = f" and {len(wrong) - MAX_WRONG_SHOWN} more" if len(wrong) > MAX_WRONG_SHOWN else ""
        text = f"{count}; wrong: {places}{more}"
        return WRONG, Diagnosis("no common mistake", label, text), (right, size)

    def _mistake(self, question: Question, given: ArrayGiven) -> tuple[str, str] | None:
        """The first mistake of the catalogue whose array is the student's, entry by entry."""
        import numpy as np

        view = ArrayView(self.graph, self.values, self.grads, question.kind, question.node.index)
        for kind, predictor in ARRAY_MISTAKES:
            for predicted, words in predictor(view):
                predicted = np.asarray(predicted, dtype=float)
                if predicted.shape != given.shape:
                    continue
                numbers = predicted.reshape(-1).tolist()
                if all(
                    self.tolerance.matches(g, p)
                    for g, p in zip(given.entries, numbers, strict=True)
                ):
                    return kind, words
        return None


def _place(flat: int, shape: tuple[int, ...]) -> str:
    """An entry's place counted from 1: ``[2,1]``."""
    import numpy as np

    if not shape:
        return "the number"
    return "[" + ",".join(str(k + 1) for k in np.unravel_index(flat, shape)) + "]"
