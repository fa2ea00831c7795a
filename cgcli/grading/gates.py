"""What the class got wrong, gate by gate: where each student made their first mistake
(the first wrong answer in the order a student computes, or for a carried one the gate
it was carried from) and of which kind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .report import MISSING, SheetGrade


@dataclass(frozen=True)
class GateSummary:
    """One gate: how many students made their first mistake there, and the kinds."""

    gate: str
    """The gate's label (an input's, for a gradient wrong at the input)."""
    students: int
    of: int
    """Students graded."""
    kinds: dict[str, int]
    """Each kind of mistake and how many made it there, the most common first."""

    @property
    def share(self) -> float:
        return self.students / self.of if self.of else 0.0

    def as_dict(self) -> dict:
        return {"gate": self.gate, "students": self.students, "of": self.of,
                "share": round(self.share, 4), "kinds": self.kinds}  # fmt: skip


def first_mistake(sheet: SheetGrade) -> tuple[str, str] | None:
    """Where (the gate's label) and what (the kind) a student's first mistake was, or
    None for a sheet with every answer right."""
    for answer in sheet.scored:
        if answer.right:
            continue
        diagnosis = answer.diagnosis
        if diagnosis is None:
            return answer.label, MISSING if answer.verdict == MISSING else answer.verdict
        return diagnosis.gate, diagnosis.root or diagnosis.mistake
    return None


def first_mistakes(sheets: list[SheetGrade]) -> list[GateSummary]:
    """Per gate where someone's first mistake was: the students and the kinds, the gate
    of the most students first (then in the order of first appearance)."""
    where: dict[str, Counter[str]] = {}
    for sheet in sheets:
        found = first_mistake(sheet)
        if found is not None:
            where.setdefault(found[0], Counter())[found[1]] += 1
    order = list(where)
    summaries = [
        GateSummary(gate, sum(kinds.values()), len(sheets), dict(kinds.most_common()))
        for gate, kinds in where.items()
    ]
    return sorted(summaries, key=lambda g: (-g.students, order.index(g.gate)))
