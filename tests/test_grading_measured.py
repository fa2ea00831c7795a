"""Issue 23's measurement, exact: a class of 160 planted sheets (tests/planted_class.py:
10 problems; every right one at full precision, rounded to 2 and 3 significant digits
and carried at 4; 32 planted mistakes of 8 kinds, each on a full sheet and on the
inputs' gradients alone, at full precision and carried at 4 digits), written in the
formats a class hands in (JSON, text, CSV, Markdown, TSV) and graded file by file.

Before issue 23's diagnoses the same class measured: root-cause gate right 91/120, kind
right 95/120, carried marked carried 224/228, right accepted 40/40, wrong flagged
120/120.
"""

from __future__ import annotations

from planted_class import PLANTS, PROBLEMS, measure, right_sheets, wrong_sheets


def test_the_planted_class_is_large_and_varied():
    kinds = {plant.kind for plant in PLANTS}
    assert len(PROBLEMS) == 10 and len(kinds) == 8
    assert (len(right_sheets()), len(wrong_sheets())) == (40, 120)


def test_every_planted_diagnosis(tmp_path):
    """118/120 gates and kinds (98%), every carried answer, every right sheet accepted
    and every wrong one flagged. The two misses are one sheet at two precisions: Olah's
    e = c·d with its inputs' local derivatives exchanged, where only ∂e/∂a is asked and
    wrong: its 3 is also ∂e/∂d, and on a tie the mistake at the answer's own row is
    named (a single answer cannot tell the two apart)."""
    measured = measure(tmp_path)
    assert [miss.split(" ", 1)[0] for miss in measured.misses] == [
        "wrong-036-colah.txt",
        "wrong-037-colah.csv",
    ]
    assert all("gradient of another node at a" in miss for miss in measured.misses)
    assert (measured.gate, measured.kind, measured.carried) == ([118, 120], [118, 120], [228, 228])
    assert (measured.accepted, measured.flagged) == ([40, 40], [120, 120])
