"""What a check says about the numbers cg computed: a verdict per number, and the report
of one evaluation, as the table, the JSON and the grades show them.

Plain data, so that showing an unchecked result imports nothing of the check itself
(:mod:`cgcli.check` computes the verdicts).
"""

from __future__ import annotations

import math
from collections import namedtuple

from .numbers import json_number

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from .ir import Graph

RELATIVE = 1e-9
ABSOLUTE = 1e-12
OK, MISMATCH, CONVENTION, UNCHECKED = "ok", "mismatch", "convention", "unchecked"
SYMPY, HIGH_PRECISION, NONE = "sympy", "high-precision", "none"

AT_KINK = "not differentiable here: cg follows PyTorch's convention"
NO_REAL_DERIVATIVE = (
    "no real derivative: the program is not real-valued on either side of this point "
    "(such as a negative base raised to a varying power); cg gives nan, as PyTorch does"
)
NO_REFERENCE = (
    "SymPy finds no value here (a 0/0 or ∞-∞ form without a limit, or a number that hinges "
    "on a quantity it cannot tell from zero)"
)

GUARANTEES = {
    SYMPY: (
        "SymPy differentiates the program exactly and evaluates at the exact inputs: "
        f"each ✓ is within {RELATIVE:g} relative + {ABSOLUTE:g} absolute of the exact number"
    ),
    HIGH_PRECISION: (
        "high-precision difference quotients (mpmath, 50 digits): the value and each input's "
        f"✓ gradient are within {RELATIVE:g} relative + {ABSOLUTE:g} absolute of a reference "
        "whose own error bound is at most a tenth of that; intermediate nodes are not checked"
    ),
    NONE: "not checked",
}
"""What each method's ✓ promises, as the table and the JSON state it."""


def agrees(ours: float, expected: float | str, error: float = 0.0) -> bool:
    """Whether a float agrees with a reference value within the tolerance (plus ``error``,
    the reference's own error bound)."""
    if expected == "complex":
        return math.isnan(ours)
    if expected == "zoo":
        return math.isinf(ours)
    assert isinstance(expected, float)
    if math.isnan(expected) or math.isnan(ours):
        return math.isnan(expected) and math.isnan(ours)
    if math.isinf(expected) or math.isinf(ours):
        return ours == expected
    tolerance = RELATIVE * max(abs(ours), abs(expected)) + ABSOLUTE
    return abs(ours - expected) <= tolerance + error


class Verdict(namedtuple("Verdict", "status expected error reason", defaults=(None,) * 3)):
    """How one number compares with the reference: its ``status`` (ok, mismatch,
    convention, unchecked), and, None unless given, ``expected`` (the reference value: a
    float, or "complex" / "zoo" where SymPy says so), ``error`` (a bound on the
    reference's own error, high precision only) and ``reason`` (why: what disagreed and by
    how much, which convention applies, or why unchecked)."""

    __slots__ = ()


class CheckReport(
    namedtuple("CheckReport", "method value grads note values", defaults=(None, None))
):
    """The check of one evaluation: the output value and every node's gradient, and where
    the reference has them, the values of the nodes computed on the way.

    ``method`` is "sympy", "high-precision" or "none"; ``value`` the output's
    :class:`Verdict`; ``grads`` a verdict per node (None where the node has no gradient: it
    depends on no input); ``note`` a remark, or None; ``values`` a verdict per node on its
    value (None for the inputs, constants and output, and where it is not checked), or
    None where the method checks no intermediate value.
    """

    __slots__ = ()

    @property
    def ok(self) -> bool:
        """True unless some number disagrees with the reference."""
        verdicts = [self.value, *self.grads, *(self.values or ())]
        return all(v is None or v.status != MISMATCH for v in verdicts)

    def of_nodes(self, output: int) -> list[Verdict | None]:
        """Each node's verdict in a check column: its value's when that disagrees (the
        output's is ``value``), else its gradient's."""
        values = list(self.values or [None] * len(self.grads))
        values[output] = self.value
        return [
            value if value is not None and value.status == MISMATCH else grad
            for value, grad in zip(values, self.grads, strict=True)
        ]

    @property
    def guarantee(self) -> str:
        """What a ✓ of this method promises."""
        return GUARANTEES[self.method]


MARKS = {OK: "✓", MISMATCH: "✗", CONVENTION: "convention"}
"""How a verdict shows in a check column; an unchecked number shows "-"."""
NOT_SHOWN = "-"


def mark(verdict: Verdict | None) -> str:
    """A verdict as a table shows it: ✓, ✗, convention, or - (unchecked)."""
    return MARKS.get(verdict.status, NOT_SHOWN) if verdict else NOT_SHOWN


def check_line(check: CheckReport, graph: Graph) -> str:
    """Which method checked, whether all agree, and with which tolerance."""
    if check.method == NONE:
        skipped = check.note if check.note and check.note != "not checked" else "--no-check"
        return f"check: skipped ({skipped})"
    verdict = agreement(check)
    extra = conventions_followed(check.grads, "gradient", "gradients")
    note = f"; {check.note}" if check.note else ""
    tolerance = f"tolerance relative {RELATIVE:g} + absolute {ABSOLUTE:g}"
    if check.method == SYMPY:
        return f"check: sympy, {verdict} ({tolerance}){extra}{note}"
    inputs = [check.grads[n.index] for n in graph.inputs]
    inputs = [v for v in inputs if v is not None]
    checked = sum(1 for v in inputs if v.status != UNCHECKED)
    value = "the value and " if check.value.status != UNCHECKED else ""
    return (
        f"check: high-precision difference quotients (mpmath, 50 digits), {verdict} "
        f"({tolerance}, beyond each quotient's own error bound); checked: {value}{checked} of "
        f"{len(inputs)} input gradients, not the intermediate nodes{extra}{note}"
    )


NOTHING_CHECKED = "nothing checked"


def conventions_followed(verdicts: Iterable[Verdict | None], one: str, many: str) -> str:
    """``; 2 gradients follow PyTorch's convention where no derivative exists`` for the
    check line, naming the numbers ``one``/``many`` (gradient, entry, tangent); "" if none."""
    count = sum(1 for v in verdicts if v is not None and v.status == CONVENTION)
    if not count:
        return ""
    counted = f"{count} {many} follow" if count > 1 else f"1 {one} follows"
    return f"; {counted} PyTorch's convention where no derivative exists"


def agreement(check: CheckReport) -> str:
    """ "all agree" or "MISMATCH"; "nothing checked" when the check reached no verdict
    (its time budget ran out before the first)."""
    return agreed(check.ok, [check.value, *check.grads])


def agreed(ok: bool, verdicts: Iterable[Verdict | None]) -> str:
    """A check's word: "MISMATCH" unless ``ok``, else "all agree", or "nothing checked"
    when none of ``verdicts`` was reached (a tangent's, a Hessian entry's...)."""
    if not ok:
        return "MISMATCH"
    reached = any(v is not None and v.status != UNCHECKED for v in verdicts)
    return "all agree" if reached else NOTHING_CHECKED


def sampled_rows_line(checked: list[tuple[str, CheckReport]], numbered: bool = True) -> str:
    """The check of sampled rows in one line (``check: sympy on sampled rows 1, 7: all
    agree``): the rows that disagree, or "all agree" with the rows the time budget did
    not reach, or "nothing checked". ``checked``: each row's label (its number when
    ``numbered``, else such as ``FILE row N``) and its check."""

    def named(labels: list[str]) -> str:
        return ("rows " if numbered else "") + ", ".join(labels)

    bad = [label for label, report in checked if not report.ok]
    unreached = [label for label, report in checked if agreement(report) == NOTHING_CHECKED]
    if bad:
        verdict = f"{named(bad)} disagree"
    elif len(unreached) == len(checked):
        verdict = NOTHING_CHECKED
    else:
        verdict = "all agree" + (f"; {named(unreached)} not checked" if unreached else "")
    method, note = checked[0][1].method, checked[0][1].note
    rows = ", ".join(label for label, _ in checked)
    return f"check: {method} on sampled rows {rows}: {verdict}" + (f"; {note}" if note else "")


def not_checked(graph: Graph) -> CheckReport:
    return CheckReport(NONE, Verdict(UNCHECKED), (None,) * len(graph.nodes), "not checked")


def check_as_dict(report: CheckReport, graph: Graph) -> dict:
    """The ``check`` object of the JSON output (schema in docs/output.md)."""

    def entry(verdict: Verdict) -> dict:
        record = {"status": verdict.status, "expected": json_number(verdict.expected)}
        if verdict.error is not None:
            record["error"] = verdict.error
        if verdict.reason is not None:
            record["reason"] = verdict.reason
        return record

    nodes = graph.nodes
    return {
        "ok": report.ok,
        "method": report.method,
        "note": report.note,
        "tolerance": {"relative": RELATIVE, "absolute": ABSOLUTE},
        "value": entry(report.value),
        "nodes": {
            nodes[i].id: entry(v)
            for i, v in enumerate(report.grads)
            if v is not None and v.status != UNCHECKED
        },
        "unchecked": {
            nodes[i].id: v.reason
            for i, v in enumerate(report.grads)
            if v is not None and v.status == UNCHECKED and v.reason
        },
        **(
            {}
            if report.values is None
            else {
                "values": {
                    nodes[i].id: entry(v)
                    for i, v in enumerate(report.values)
                    if v is not None and v.status != UNCHECKED
                }
            }
        ),
        "guarantee": report.guarantee,
    }
