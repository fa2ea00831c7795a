"""What grading returns: data for a notebook, the JSON output and the gradebook."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.numbers import json_number
from .given import Given
from .keys import Question
from .tolerance import ROUNDED, Tolerance

MISSING = "missing"
GIVEN = "given"
"""The verdict of a number the sheet gives (an input, a constant, ∂f/∂f): shown, not scored."""
OVER_BUDGET = "over the budget"
"""The mistake of an answer SymPy could not build and compare within its time budget
(``0*(1+1/10^9)^(10^9) + x``): it is not right, and the class goes on."""
NOT_A_NUMBER = "not a number"
"""The mistake of a node's value answered with a formula in the program's names (``c = a +
b``, or ``c`` itself): it restates the program; the value at the point is asked."""


OWN_ROUNDED = "follows from your own rounded answers"
"""The note of an answer that is right because it follows from the student's own
rounded answers, within the tolerance's ``own_rounding`` of the true value."""


@dataclass(frozen=True)
class Diagnosis:
    """Why an answer is wrong: the kind of mistake, the gate where it was made, in words."""

    mistake: str
    """One of :data:`cgcli.grading.mistakes.KINDS`."""
    gate: str
    """The label of the node where the mistake was made (for carried errors: where the
    first mistake they follow from was made)."""
    text: str
    carried_from: tuple[str, ...] = ()
    """For a carried error: the student's own wrong answers it follows from."""
    root: str | None = None
    """For a carried error: the kind of the first mistake it follows from."""

    @property
    def cause(self) -> str:
        """The mistake, or for a carried error the one it was carried from:
        ``carried: sign error``."""
        return f"carried: {self.root}" if self.root else self.mistake

    def as_dict(self) -> dict:
        return {
            "mistake": self.mistake,
            "gate": self.gate,
            "diagnosis": self.text,
            "carried_from": list(self.carried_from),
            "root_mistake": self.root or self.mistake,
        }


@dataclass(frozen=True)
class GradedAnswer:
    """One question of a sheet: what was written, the right number and the verdict."""

    question: Question
    label: str
    """The node's label, as the table shows it."""
    key: str
    """The question in ASCII notation: ``p`` or ``dg/dp``."""
    shown: str
    """The question as tables show it: ``p`` or ``∂g/∂p``."""
    written_key: str | None
    """The key as the student wrote it (``dx``, ``x.grad``), None when missing."""
    given: Given | None
    """None when the sheet leaves it blank."""
    correct: float
    correct_text: str
    """The right number at the table's digits (exact form with ``--exact``)."""
    verdict: str
    """right, right (rounded), wrong, missing, or given (not scored)."""
    asked: bool
    weight: float = 1.0
    diagnosis: Diagnosis | None = None
    note: str | None = None
    entries: tuple[int, int] | None = None
    """For an array answer: (entries right, entries), its credit; None for a number."""

    @property
    def right(self) -> bool:
        return self.verdict.startswith("right")

    @property
    def credit(self) -> float:
        """The share of the answer's points it earns: 1 or 0, or per right entry of an array."""
        if self.right:
            return 1.0
        if self.entries and self.entries[1]:
            return self.entries[0] / self.entries[1]
        return 0.0

    @property
    def scored(self) -> bool:
        return self.asked and self.verdict != GIVEN

    def as_dict(self) -> dict:
        given = self.given
        doc = {
            "answer": self.key,
            "written": self.written_key,
            "kind": self.question.kind,
            "node": self.question.node.id,
            "label": self.label,
            "given": None if given is None else given.text,
            "given_value": None if given is None else json_number(given.number),
            "correct": json_number(self.correct),
            "correct_text": self.correct_text,
            "verdict": self.verdict,
            "right": self.right,
            "asked": self.asked,
            "weight": self.weight,
            "note": self.note,
        }
        if self.entries is not None:
            doc["entries_right"], doc["entries"] = self.entries
        diagnosis = (
            self.diagnosis.as_dict()
            if self.diagnosis
            else dict.fromkeys(("mistake", "gate", "diagnosis", "carried_from", "root_mistake"))
        )
        return {**doc, **diagnosis}


@dataclass(frozen=True)
class SheetGrade:
    """One student's graded sheet."""

    student: str
    source: str
    output: str
    answers: list[GradedAnswer]
    problems: list[str] = field(default_factory=list)
    """Keys that could not be graded (unknown node, not a number), one line each."""
    tolerance: Tolerance = field(default_factory=Tolerance)

    @property
    def scored(self) -> list[GradedAnswer]:
        """The answers asked for, in the order a student computes them."""
        return [a for a in self.answers if a.scored]

    @property
    def asked(self) -> int:
        return len(self.scored)

    @property
    def right(self) -> int:
        return sum(a.right for a in self.scored)

    @property
    def rounded(self) -> int:
        return sum(a.verdict == ROUNDED for a in self.scored)

    @property
    def own_rounded(self) -> int:
        """Answers right because they follow from the student's own rounded answers."""
        own = [a for a in self.scored if a.verdict == ROUNDED and a.note]
        return sum(a.note.startswith(OWN_ROUNDED) for a in own)

    @property
    def points(self) -> float:
        return sum(a.weight * a.credit for a in self.scored)

    @property
    def max_points(self) -> float:
        return sum(a.weight for a in self.scored)

    @property
    def missing(self) -> list[str]:
        return [a.key for a in self.scored if a.verdict == MISSING]

    @property
    def ok(self) -> bool:
        """True when every answer asked for is right."""
        return self.asked > 0 and self.right == self.asked

    @property
    def score(self) -> str:
        """``7 of 9 asked``."""
        return f"{self.right} of {self.asked} asked"

    def __repr__(self) -> str:
        return f"<SheetGrade {self.student}: {self.score}>"

    def as_dict(self) -> dict:
        """The document ``cg check --format json`` prints for one sheet."""
        return {
            "student": self.student,
            "file": self.source,
            "ok": self.ok,
            "right": self.right,
            "rounded": self.rounded,
            "own_rounded": self.own_rounded,
            "asked": self.asked,
            "points": self.points,
            "max_points": self.max_points,
            "missing": self.missing,
            "problems": self.problems,
            "tolerance": self.tolerance.as_dict(),
            "answers": [a.as_dict() for a in self.answers],
        }


@dataclass(frozen=True)
class QuestionSummary:
    """How a class did on one question."""

    key: str
    shown: str
    asked: int
    right: int
    mistakes: dict[str, int]
    """Each kind of mistake (and ``missing``) with how many students made it."""

    @property
    def share(self) -> float:
        return self.right / self.asked if self.asked else 0.0

    @property
    def most_common(self) -> tuple[str, int] | None:
        if not self.mistakes:
            return None
        return max(self.mistakes.items(), key=lambda item: item[1])

    def as_dict(self) -> dict:
        common = self.most_common
        return {
            "answer": self.key,
            "asked": self.asked,
            "right": self.right,
            "share": round(self.share, 4),
            "most_common_mistake": common[0] if common else None,
            "mistakes": self.mistakes,
        }


@dataclass(frozen=True)
class ClassGrade:
    """A class's sheets, graded: per student, per question, and the sheets not read."""

    sheets: list[SheetGrade]
    questions: list[QuestionSummary]
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(file, message) for each sheet that could not be read."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(file, why) for each file of the class not read: a symbolic link, a named pipe."""
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(file, problem) for what could not be read on a sheet that had nothing to grade."""

    @property
    def ok(self) -> bool:
        return not self.errors and all(s.ok for s in self.sheets)

    @property
    def denominators(self) -> dict[int, int]:
        """How many sheets ask each number of questions, the usual number first."""
        counts: dict[int, int] = {}
        for sheet in self.sheets:
            counts[sheet.asked] = counts.get(sheet.asked, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], -item[0])))

    @property
    def usual_denominator(self) -> int | None:
        """The number of questions most sheets ask (the larger on a tie)."""
        return next(iter(self.denominators), None)

    @property
    def mixed_denominators(self) -> str | None:
        """A line when the sheets ask different numbers of questions (each score is then
        out of its own sheet's number), else None."""
        counts = self.denominators
        if len(counts) < 2:
            return None
        parts = ", ".join(
            f"{n} {'sheet asks' if n == 1 else 'sheets ask'} {asked}" for asked, n in counts.items()
        )
        return f"mixed denominators: {parts}; each score is out of its own sheet's questions"

    def __repr__(self) -> str:
        return f"<ClassGrade {len(self.sheets)} sheets, {len(self.errors)} unread>"

    def as_dict(self) -> dict:
        """The document ``cg check --format json`` prints for several sheets."""
        return {
            "ok": self.ok,
            "students": [s.as_dict() for s in self.sheets],
            "questions": [q.as_dict() for q in self.questions],
            "errors": [{"file": f, "error": e} for f, e in self.errors],
            "skipped": [{"file": f, "reason": why} for f, why in self.skipped],
            "denominators": {str(asked): n for asked, n in self.denominators.items()},
            "mixed_denominators": self.mixed_denominators,
        }
