"""Grading a backpropagation-through-time sheet: per-step answers (h[2], dL/dh[2]) and the
shared weights' summed gradients, with this homework's mistakes planted.

The simulated student works the recurrence by hand, written here in plain Python apart
from cg (the forward recurrence, then ∂L/∂h[t] from the last step to the first, then each
weight's gradient as a sum of its shares over the steps), and makes one mistake of the
homework. Every wrong answer must be named as that mistake, or as carried from it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import cgcli
from cgcli.grading.mistakes import CATALOGUE, KINDS, LOCAL, STEP

PROGRAM = (
    "h[0] = 0.5\n"
    "for t in 1..4:\n"
    "    h[t] = tanh(w*h[t-1] + u*x[t])\n"
    "L = sum((h[t] - y[t])^2 for t in 1..4)\n"
)
W, U = 0.9, -0.7
X = [1.0, -0.5, 2.0, 0.3]
Y = [0.2, -0.4, 0.1, 0.6]
VALUES = {"w": str(W), "u": str(U), "x": "[1,-0.5,2,0.3]", "y": "[0.2,-0.4,0.1,0.6]"}
SHEETS = Path(__file__).parent / "sheets" / "bptt"


def student(mistake: str | None = None, digits: int | None = None) -> dict[str, str]:
    """The answers of a student who works the recurrence by hand, with one ``mistake``."""
    steps = len(X)

    def r(x: float) -> float:
        return float(f"{x:.{digits}g}") if digits else x

    h = [0.5]
    for t in range(1, steps + 1):
        h.append(r(math.tanh(W * h[t - 1] + U * X[t - 1])))
    dh = [0.0] * (steps + 2)
    dz = [0.0] * (steps + 2)  # ∂L/∂(w*h[t-1] + u*x[t])
    for t in range(steps, 0, -1):
        own = 2 * (h[t] - Y[t - 1])
        carried = 0.0 if mistake == "carried gradient left out" else dz[t + 1] * W
        dh[t] = r(own + carried)
        dz[t] = r(dh[t] * (1 - h[t] ** 2))
    share_w = {t: dz[t] * h[t - 1] for t in range(1, steps + 1)}
    share_u = {t: dz[t] * X[t - 1] for t in range(1, steps + 1)}
    if mistake == "only the last step":
        dw, du = share_w[steps], share_u[steps]
    elif mistake == "sum over steps left out":
        dw, du = share_w[2], share_u[2]
    elif mistake == "index off by one":  # h[t] where h[t-1] belongs
        dw, du = sum(dz[t] * h[t] for t in range(1, steps + 1)), sum(share_u.values())
    else:
        dw, du = sum(share_w.values()), sum(share_u.values())
    answers = {f"h[{t}]": h[t] for t in range(1, steps + 1)}
    answers |= {f"dL/dh[{t}]": dh[t] for t in range(1, steps + 1)}
    answers |= {"dL/dw": r(dw), "dL/du": r(du)}
    return {
        key: repr(value) if not digits else f"{value:.{digits}g}" for key, value in answers.items()
    }


def graded(answers: dict[str, str]):
    report = cgcli.grade(PROGRAM, VALUES, answers)
    return {a.key: a for a in report.answers}


@pytest.mark.parametrize("digits", [None, 4])
def test_a_right_bptt_sheet_is_all_right(digits):
    report = cgcli.grade(PROGRAM, VALUES, student(digits=digits))
    assert report.ok, [(a.key, a.given.text, a.correct) for a in report.answers if not a.right]


def test_the_student_works_the_numbers_cg_computes():
    """The simulated student without a mistake is cg's own reverse pass, number by number."""
    result = cgcli.evaluate(PROGRAM, VALUES, check=False)
    answers = student()
    assert math.isclose(float(answers["dL/dw"]), result.gradient["w"], rel_tol=1e-12)
    assert math.isclose(float(answers["dL/du"]), result.gradient["u"], rel_tol=1e-12)


PLANTED = [
    # (mistake, the answers it makes wrong)
    ("only the last step", {"dL/dw", "dL/du"}),
    ("sum over steps left out", {"dL/dw", "dL/du"}),
    ("index off by one", {"dL/dw"}),
    ("carried gradient left out", {"dL/dh[1]", "dL/dh[2]", "dL/dh[3]", "dL/dw", "dL/du"}),
]


@pytest.mark.parametrize("digits", [None, 4])
@pytest.mark.parametrize(("mistake", "wrong"), PLANTED)
def test_planted_bptt_mistake(mistake, wrong, digits):
    answers = graded(student(mistake, digits))
    found = {key for key, answer in answers.items() if not answer.right}
    assert wrong == found
    for key in found:
        diagnosis = answers[key].diagnosis
        named = diagnosis.root if diagnosis.mistake == "carried" else diagnosis.mistake
        assert named == mistake, (key, diagnosis.text)
    assert any(answers[key].diagnosis.mistake == mistake for key in found)


def test_the_diagnoses_say_which_step():
    answers = graded(student("only the last step"))
    text = answers["dL/dw"].diagnosis.text
    assert "you have only the share of the last step (t = 4)" in text
    answers = graded(student("sum over steps left out"))
    assert "you have only the share of t = 2" in answers["dL/du"].diagnosis.text


def test_a_weight_gradient_alone_without_the_carried_part():
    """Only the weight asked: the sheet's number is the gradient truncated at 0 steps."""
    truncated = cgcli.evaluate(PROGRAM, VALUES, truncate=0, check=False).gradient["w"]
    answers = graded({"dL/dw": f"{truncated:.6g}"})
    assert answers["dL/dw"].diagnosis.mistake == "carried gradient left out"


def test_one_row_with_the_next_steps_number():
    right = student()
    answers = graded({"h[2]": right["h[3]"], "dL/dh[3]": right["dL/dh[2]"]})
    for key, other in (("h[2]", "h[3]"), ("dL/dh[3]", "h[2]")):
        diagnosis = answers[key].diagnosis
        assert diagnosis.mistake == "index off by one", diagnosis.text
        assert f"of {other}, one index away" in diagnosis.text


def test_the_catalogue_knows_the_sequence_mistakes():
    for kind in (
        "only the last step",
        "sum over steps left out",
        "carried gradient left out",
        "index off by one",
    ):
        assert kind in KINDS
    assert {m.shape for m in CATALOGUE} <= {LOCAL, STEP, "forward"}


@pytest.mark.parametrize(
    ("sheet", "mistake"),
    [
        ("right.csv", None),
        ("last-step.md", "only the last step"),
        ("no-carry.csv", "carried gradient left out"),
    ],
)
def test_hand_written_bptt_sheets(cg, sheet, mistake):
    """Sheets written by hand (tests/sheets/bptt/), graded by ``cg check``."""
    args = ["check", PROGRAM, *(f"{k}={v}" for k, v in VALUES.items())]
    result = cg(*args, "--answers", str(SHEETS / sheet), "--format", "json")
    assert result.exit_code == (0 if mistake is None else 1), result.stderr
    answers = json.loads(result.stdout)["answers"]
    wrong = [a for a in answers if not a["right"]]
    if mistake is None:
        assert not wrong
    else:
        assert wrong
        for answer in wrong:
            assert mistake in (answer["mistake"], answer["root_mistake"]), answer


SEQUENCE_VALUES = [f"{k}={v}" for k, v in VALUES.items()]
SEQUENCE_CASES = {
    # as tests/test_grading.py's CATALOGUE_CASES: (program, values, answers, key, mistake, gate)
    "last_step_only": (PROGRAM, SEQUENCE_VALUES, "dL/dw=1.002", "dL/dw", "only the last step",
                       "w"),
    "one_step_only": (PROGRAM, SEQUENCE_VALUES, "dL/dw=-0.08456", "dL/dw",
                      "sum over steps left out", "w"),
    "carried_edge_left_out": (PROGRAM, SEQUENCE_VALUES, "dL/dh[3]=-1.915", "dL/dh[3]",
                              "carried gradient left out", "v10"),
    "carried_left_out": (PROGRAM, SEQUENCE_VALUES, "dL/dw=0.2642", "dL/dw",
                         "carried gradient left out", "w"),
    "index_off_by_one": (PROGRAM, SEQUENCE_VALUES, "dL/dw=1.732", "dL/dw", "index off by one",
                         "w"),
    "index_off_by_one (values)": (PROGRAM, SEQUENCE_VALUES, "h[2]=-0.8576", "h[2]",
                                  "index off by one", "h[2]"),
}  # fmt: skip
"""One case per entry of the sequence mistakes, joined to test_grading.py's cases."""


def test_a_weight_shared_by_many_steps_is_graded():
    """40 steps: a weight with 40 uses, whose subsets of terms left out (2^40) are not all
    tried; the last step's share alone is still named."""
    steps = 40
    program = (
        f"h[0] = 0.5\nfor t in 1..{steps}:\n    h[t] = tanh(w*h[t-1] + u*x[t])\n"
        f"L = sum((h[t] - y[t])^2 for t in 1..{steps})\n"
    )
    values = {
        "w": "0.9",
        "u": "-0.7",
        "x": str([(t % 7) / 7 for t in range(steps)]).replace(" ", ""),
        "y": str([(t % 5) / 5 for t in range(steps)]).replace(" ", ""),
    }
    result = cgcli.evaluate(program, values, by_step=True, check=False)
    (table,) = result.steps
    last = table.rows[-1].shares["w"].value
    (answer,) = cgcli.grade(program, values, {"dL/dw": f"{last:.6g}"}).answers
    assert not answer.right and answer.diagnosis.mistake == "only the last step"


def test_a_long_chain_rule_is_shown_short_and_adds_up():
    """300 steps: a wrong weight gradient's chain rule has 300 terms; the diagnosis shows
    the first three and the last two and how many are left out, and its total is the true
    gradient (the forward pass that finds every ∂u/∂w answers it, not 900 backward ones)."""
    steps = 300
    program = f"h[0] = 0\nL = 0\nfor t in 1..{steps}: h[t] = tanh(w*h[t-1] + 0.01*t); L += h[t]^2\n"
    true = cgcli.evaluate(program, {"w": "0.5"}, check=False).gradient["w"]
    (answer,) = cgcli.grade(program, {"w": "0.5"}, {"dL/dw": "1.2345"}).answers
    note = answer.diagnosis.text
    assert f"… ({steps - 5} more terms) …" in note and len(note) < 1200
    assert math.isclose(float(note.rsplit("= ", 1)[1]), true, rel_tol=1e-5)


ACCUMULATED = "h[0] = 0\nL = 0\nfor t in 1..2:\n    h[t] = w*h[t-1] + x[t]\n    L += h[t]^2\n"


def test_a_reassigned_output_is_named_as_the_student_wrote_it(cg):
    """L, assigned three times (L#1..L#3), is L in ∂L/∂w: in the blank sheet, the grades,
    the step table and the node table; a name that is also an input keeps its version."""
    point = ["w=0.5", "x=[1,2]"]
    sheet = cg("sheet", ACCUMULATED, *point).stdout
    assert "∂L/∂node (backward pass)" in sheet and "| ∂L/∂node |" in sheet
    assert "L#3/" not in sheet
    keys = cg("sheet", ACCUMULATED, *point, "--format", "csv").stdout
    assert "L#" not in keys.splitlines()[0]
    # h[1] = 1, h[2] = 0.5 + 2 = 2.5; ∂L/∂h[2] = 5, ∂L/∂h[1] = 2 + 0.5·5 = 4.5, ∂L/∂w = 5·1
    graded = cg("check", ACCUMULATED, *point, "--expect", "dL/dw=5, dL/dh[1]=4.5")
    assert graded.exit_code == 0, graded.stderr
    assert "∂L/∂w " in graded.stdout and "∂L/∂h[1] " in graded.stdout
    assert "#" not in graded.stdout
    steps = cg("eval", ACCUMULATED, *point, "--by-step").stdout
    assert steps.splitlines()[0].split() == [
        "t", "x[t]", "h[t]", "∂L/∂h[t]", "own", "from", "t+1", "∂L/∂w", "at", "t",
    ]  # fmt: skip
    table = cg("eval", ACCUMULATED, *point).stdout
    assert "∂L/∂node" in table and "∂L/∂w = 5  ✓" in table
    same_name = cg("eval", "x = x * x; x += 3*x; x", "x=3").stdout
    assert "∂x#3/∂x#1 = 24  ✓" in same_name
