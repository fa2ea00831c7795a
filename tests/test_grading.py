"""Grading (cg check, cg sheet, cgcli.grade): answer sheets over published textbook
exercises, the tolerance, every entry of the mistake catalogue, sheets in every format,
a class graded at once, and formula answers.

The sheets in tests/sheets/ were written by hand: the right ones with the numbers the
exercises publish (CS231n, Olah, Mazur, Karpathy), the others with one mistake planted
and carried down, their numbers worked out independently (mpmath, 30 digits).
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
from pathlib import Path

import pytest
from test_grading_bptt import SEQUENCE_CASES
from test_latex import NAMES as LATEX_NAMES

import cgcli
from cgcli import parse
from cgcli.grading.given import read_given
from cgcli.grading.keys import split_expectations
from cgcli.grading.mistakes import CATALOGUE, KINDS
from cgcli.grading.tolerance import RIGHT, ROUNDED, WRONG, Tolerance

SHEETS = Path(__file__).parent / "sheets"
EXERCISES = json.loads((SHEETS / "exercises.json").read_text(encoding="utf-8"))


def exercise(name: str) -> tuple[str, list[str]]:
    """The program and the NAME=VALUE arguments of an exercise."""
    entry = EXERCISES[name]
    return entry["program"], [f"{k}={v}" for k, v in entry["values"].items()]


def gate_label(program: str, gate: str) -> str:
    """A gate named by its label, or by its source text (``text:t1 - out_o1``) for a
    node the program leaves unnamed, so that the test does not depend on ids."""
    if not gate.startswith("text:"):
        return gate
    graph = parse(program)
    return next(graph.label(n) for n in graph.nodes if graph.text(n) == gate[5:])


def carried(*keys: str, gate: str) -> dict[str, tuple[str, str]]:
    return {key: ("carried", gate) for key in keys}


# --- the published exercises ---------------------------------------------------------

FIXTURES = [
    ("cs231n-circuit/right.md", 6, 6, {}),
    (
        "cs231n-circuit/mul-swapped.csv",
        3,
        6,
        {"df/dq": ("inputs swapped", "f"), **carried("df/dx", "df/dy", gate="f")},
    ),
    (
        "cs231n-circuit/wrong-operation.json",
        3,
        6,
        {"q": ("wrong operation", "q"), **carried("f", "df/dz", gate="q")},
    ),
    ("cs231n-neuron/published.json", 6, 6, {}),
    (
        "cs231n-neuron/inverse-squared.md",
        5,
        14,
        {
            "df/dden": ("wrong local derivative", "f"),
            **carried(
                "df/de", "df/dm", "df/ddot", "df/dw0", "df/dx0", "df/dw1", "df/dx1", "df/dw2",
                gate="f",
            ),
        },
    ),
    (
        "cs231n-neuron/exp-as-log.tex",
        7,
        14,
        {
            "df/dm": ("wrong local derivative", "e"),
            **carried("df/ddot", "df/dw0", "df/dx0", "df/dw1", "df/dx1", "df/dw2", gate="e"),
        },
    ),
    ("colah/right.tsv", 7, 7, {}),
    ("colah/missing-term.md", 6, 7, {"de/db": ("missing term", "b")}),
    ("colah/extra-term.csv", 6, 7, {"de/da": ("extra term", "a")}),
    (
        "colah/rows-swapped.json",
        5,
        7,
        {"de/da": ("rows swapped", "a"), "de/db": ("rows swapped", "b")},
    ),
    ("colah/local-alone.txt", 6, 7, {"de/da": ("local derivative alone", "c")}),
    ("mazur/published.md", 14, 14, {}),
    (
        "mazur/sigma-as-sigma.csv",
        3,
        8,
        {
            "dE_total/dnet_o1": ("wrong local derivative", "out_o1"),
            **carried(
                "dE_total/dw5", "dE_total/dw6", "dE_total/dout_h1", "dE_total/dw1", gate="out_o1"
            ),
        },
    ),
    (
        "mazur/missing-term.json",
        1,
        5,
        {
            "dE_total/dout_h1": ("missing term", "out_h1"),
            **carried("dE_total/dnet_h1", "dE_total/dw1", "dE_total/dw2", gate="out_h1"),
        },
    ),
    (
        "mazur/sub-sign.txt",
        0,
        4,
        {
            "dE_total/dout_o1": ("sign error", "text:t1 - out_o1"),
            **carried(
                "dE_total/dnet_o1", "dE_total/dw5", "dE_total/dw6", gate="text:t1 - out_o1"
            ),
        },
    ),
    ("micrograd-neuron/right.md", 14, 14, {}),
    (
        "micrograd-neuron/tanh-one-minus-o.json",
        3,
        11,
        {
            "do/dn": ("wrong local derivative", "o"),
            **carried(
                "do/dx1w1x2w2", "do/db", "do/dx1w1", "do/dx2w2", "do/dx1", "do/dw1", "do/dx2",
                gate="o",
            ),
        },
    ),
    ("micrograd-reuse/one-term.csv", 1, 2, {"db/da": ("missing term", "a")}),
]  # fmt: skip


@pytest.mark.parametrize(("sheet", "right", "asked", "wrong"), FIXTURES)
def test_published_exercises(cg, sheet, right, asked, wrong):
    program, values = exercise(sheet.split("/")[0])
    result = cg("check", program, *values, "--answers", str(SHEETS / sheet), "--format", "json")
    doc = json.loads(result.stdout)
    assert (doc["right"], doc["asked"], doc["problems"]) == (right, asked, [])
    assert result.exit_code == (0 if right == asked else 1)
    for answer in doc["answers"]:
        if not answer["asked"]:
            continue
        expected = wrong.get(answer["answer"])
        if expected is None:
            assert answer["right"], answer
        else:
            mistake, gate = expected
            assert not answer["right"]
            assert (answer["mistake"], answer["gate"]) == (mistake, gate_label(program, gate))
            assert gate_label(program, gate) in answer["diagnosis"]


def test_the_diagnoses_name_the_rule_with_its_numbers(cg):
    program, values = exercise("mazur")
    doc = json.loads(
        cg(
            "check", program, *values, "--answers", str(SHEETS / "mazur/sigma-as-sigma.csv"),
            "--format", "json",
        ).stdout
    )  # fmt: skip
    by_key = {a["answer"]: a for a in doc["answers"]}
    # 0.186816 is Mazur's own ∂out_o1/∂net_o1 = 0.186815602
    assert by_key["dE_total/dnet_o1"]["diagnosis"] == (
        "wrong local derivative at out_o1 = sigmoid(net_o1): ∂out_o1/∂net_o1 (local) = "
        "σ(net_o1)·(1 - σ(net_o1)) = 0.751365·(1 - 0.751365) = 0.186816; "
        "you used σ(net_o1) = 0.751365 (σ' taken as σ itself)"
    )
    assert by_key["dE_total/dw5"]["diagnosis"].startswith(
        "carried from your ∂E_total/∂net_o1 = 0.557035817 (wrong local derivative at out_o1); "
        "this step is right: "
    )
    program, values = exercise("micrograd-neuron")
    doc = json.loads(
        cg(
            "check", program, *values, "--answers",
            str(SHEETS / "micrograd-neuron/tanh-one-minus-o.json"), "--format", "json",
        ).stdout
    )  # fmt: skip
    (do_dn,) = [a for a in doc["answers"] if a["answer"] == "do/dn"]
    assert do_dn["diagnosis"] == (
        "wrong local derivative at o = tanh(n): ∂o/∂n (local) = 1 - tanh(n)² = 1 - 0.7071² = "
        "0.50001; you used 1 - tanh(n) = 1 - 0.7071 = 0.2929 (tanh' taken as 1 - tanh "
        "instead of 1 - tanh²)"
    )


def test_check_text_output(cg):
    program, values = exercise("cs231n-circuit")
    result = cg(
        "check", program, *values, "--answers", str(SHEETS / "cs231n-circuit/mul-swapped.csv")
    )
    assert result.stdout == (
        "answer  given  correct  grade\n"
        "q           3        3  ✓ right\n"
        "f         -12      -12  ✓ right\n"
        "∂f/∂z       3        3  ✓ right\n"
        "∂f/∂q       3       -4  ✗ inputs swapped at f = q * z: ∂f/∂q (local) = z = -4; you used "
        "∂f/∂z (local) = q = 3 (the inputs of the * gate swapped)\n"
        "∂f/∂y       3       -4  ✗ carried from your ∂f/∂q = 3 (inputs swapped at f); this step "
        "is right: ∂f/∂y = ∂f/∂q · ∂q/∂y (local) = 3 · 1 = 3\n"
        "∂f/∂x       3       -4  ✗ carried from your ∂f/∂q = 3 (inputs swapped at f); this step "
        "is right: ∂f/∂x = ∂f/∂q · ∂q/∂x (local) = 3 · 1 = 3\n"
        "3 of 6 asked right\n"
    )
    assert result.exit_code == 1


def test_numbers_are_shown_at_the_table_digits(cg):
    """micrograd's ∂o/∂n is 0.4999999999999999 in float64: diagnoses show 0.5."""
    program, values = exercise("micrograd-neuron")
    result = cg("check", program, *values, "--expect", "do/dn=0.35, do/db=0.35", "--format", "json")
    texts = [a["diagnosis"] for a in json.loads(result.stdout)["answers"]]
    assert texts[0] == "no common mistake: ∂o/∂n = ∂o/∂o · ∂o/∂n (local) = 1 · 0.5 = 0.5"
    assert "0.49999" not in "".join(texts)


# --- when a number is right -----------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "truth", "verdict"),
    [
        ("-0.20", -0.196612, ROUNDED),  # CS231n's published numbers
        ("-0.2", -0.196612, ROUNDED),  # the same, as JSON or Python writes it
        ("-0.19", -0.196612, WRONG),  # cut off, not rounded
        ("0.39", 0.393224, ROUNDED),
        ("0.2", 0.246, WRONG),
        ("0.08", 0.0822, WRONG),  # one significant digit is not enough
        ("0.082", 0.0822, ROUNDED),
        ("6", 6.0, RIGHT),
        ("6", 5.98, ROUNDED),  # 6.0 to two significant digits
        ("6", 6.4, WRONG),
        ("0.4999999999999999", 0.5, RIGHT),
        ("0.5", 0.4999999999999999, RIGHT),
        ("1/3", 1 / 3, RIGHT),
        ("0.3333", 1 / 3, ROUNDED),
        ("0.3334", 1 / 3, WRONG),
        ("4.3857e-4", 0.000438567734, ROUNDED),
        ("0.000438568", 0.000438567734, ROUNDED),  # Mazur's ∂E/∂w1
        ("0.125", 0.125, RIGHT),
        ("0.13", 0.125, ROUNDED),  # a tie rounds either way
        ("0.12", 0.125, ROUNDED),
        ("0.00", 0.0, RIGHT),
        ("0.00", 0.003, WRONG),
    ],
)
def test_rounding_rule(written, truth, verdict):
    assert Tolerance().judge(read_given("x", written, {}), truth) == verdict


def test_teacher_tolerances():
    def judge(text, truth, **rule):
        return Tolerance(**rule).judge(read_given("x", text, {}), truth)

    assert judge("0.7", 0.731059, relative=0.05) == ROUNDED
    assert judge("0.7", 0.731059, relative=0.01) == WRONG
    assert judge("0.70", 0.731059, absolute=0.04) == ROUNDED
    assert judge("0.2", 0.196612, decimals=2) == ROUNDED  # 0.20 when rounded to 2 places
    assert judge("0.19", 0.196612, decimals=2) == WRONG
    assert judge("0.1966", 0.196612, decimals=1) == ROUNDED


def test_tolerance_options(cg):
    program, values = "sigmoid(x)", ["x=1"]
    assert cg("check", program, *values, "--expect", "f=0.7311").exit_code == 0
    result = cg("check", program, *values, "--expect", "f=0.73")
    assert "✓ right (rounded)" in result.stdout
    assert cg("check", program, *values, "--expect", "f=0.72").exit_code == 1
    assert cg("check", program, *values, "--expect", "f=0.72", "--tol", "0.02").exit_code == 0
    assert cg("check", program, *values, "--expect", "f=0.72", "--abs-tol", "0.02").exit_code == 0
    assert cg("check", program, *values, "--expect", "f=0.7", "--decimals", "1").exit_code == 0
    doc = json.loads(cg("check", program, *values, "--expect", "f=0.7", "--format", "json").stdout)
    assert doc["answers"][0]["mistake"] == "too few digits"


def test_exact(cg):
    assert cg("check", "x*3", "x=1/9", "--expect", "f=1/3", "--exact").exit_code == 0
    assert cg("check", "x*3", "x=1/9", "--expect", "f=2/6, dx=3.0", "--exact").exit_code == 0
    result = cg("check", "x*3", "x=1/9", "--expect", "f=0.3333333", "--exact")
    assert result.exit_code == 1
    assert "✗ not exact at f: 0.3333333 is 1/3 ≈ 0.333333 rounded; --exact asks for the exact" in (
        result.stdout
    )
    assert cg("check", "x*3", "x=1/9", "--expect", "f=0.3333333").exit_code == 0
    result = cg("check", "sqrt(x)", "x=2", "--expect", "f=2/sqrt(2), df/dx=sqrt(2)/4", "--exact")
    assert result.exit_code == 0


def test_rounded_steps_follow_from_rounded_answers(cg):
    """A student who keeps two significant digits at every step: 1/1.4 = 0.714, written
    0.71, 2.9% from the true 0.731059. Right with --own-rounding 5%, and the grade says
    why; a rounding error by the default 1%."""
    program, values = exercise("cs231n-neuron")
    answers = "dot=1.0, m=-1.0, e=0.37, den=1.4, f=0.71"
    assert abs(0.71 - 0.731059) / 0.731059 == pytest.approx(0.029, abs=5e-4)
    args = ("check", program, *values, "--expect", answers, "--format", "json")
    doc = json.loads(cg(*args, "--own-rounding", "5%").stdout)
    assert [(a["answer"], a["verdict"]) for a in doc["answers"]][-1] == ("f", ROUNDED)
    assert doc["answers"][-1]["note"] == (
        "follows from your own rounded answers (within 5% of the true value, --own-rounding)"
    )
    assert (doc["own_rounded"], doc["tolerance"]["own_rounding"]) == (1, 0.05)
    doc = json.loads(cg(*args).stdout)
    last = doc["answers"][-1]
    assert (last["verdict"], last["mistake"], doc["tolerance"]["own_rounding"]) == (
        "wrong",
        "rounding error",
        0.01,
    )
    assert "it is 2.9% from f = 0.731059, more than the 1% allowed" in last["diagnosis"]
    # four digits along the way stay within 1%: 1/1.368 = 0.7310
    doc = json.loads(cg("check", program, *values, "--expect", "den=1.368, f=0.7310",
                        "--format", "json").stdout)  # fmt: skip
    assert doc["ok"]


@pytest.mark.parametrize(("given", "share"), [("0.05", 0.05), ("5%", 0.05), (" 0% ", 0.0)])
def test_own_rounding_is_a_share_or_a_percentage(given, share):
    report = cgcli.grade("f = 1/x", {"x": 3}, {"f": "0.33"}, own_rounding=given)
    assert report.tolerance.own_rounding == share


@pytest.mark.parametrize("bad", ["150%", "-1", "x", 2])
def test_own_rounding_out_of_range(cg, bad):
    result = cg("check", "f = 1/x", "x=3", "--expect", "f=0.33", "--own-rounding", str(bad))
    assert result.exit_code == 2
    assert "--own-rounding" in result.stderr


# --- the catalogue of mistakes, one entry at a time ----------------------------------

COLAH = "c = a + b; d = b + 1; e = c * d"
CATALOGUE_CASES = {
    # predict function: (program, values, answers, key, mistake, gate)
    "rows_swapped": (COLAH, ["a=2", "b=1"], "de/da=5, de/db=2", "de/da", "rows swapped", "a"),
    "textbook_forms": ("s = sigmoid(a)", ["a=1"], "ds/da=0.7311", "ds/da",
                       "wrong local derivative", "s"),
    "inputs_swapped": ("f = x * y", ["x=2", "y=3"], "df/dx=2", "df/dx", "inputs swapped", "f"),
    "sign_flipped": ("f = x - y", ["x=2", "y=3"], "df/dy=1", "df/dy", "sign error", "f"),
    "whole_sign": ("f = x*x + x", ["x=2"], "df/dx=-5", "df/dx", "sign error", "x"),
    "terms_left_out": ("f = x*y + x*z + x", ["x=1", "y=2", "z=5"], "df/dx=2", "df/dx",
                       "missing term", "x"),
    "local_derivative_alone": (COLAH, ["a=2", "b=1"], "de/da=1", "de/da",
                               "local derivative alone", "c"),
    "derivative_taken_as_one": ("q = x * y; f = q * z", ["x=2", "y=3", "z=4"], "df/dx=4",
                                "df/dx", "upstream gradient alone", "q"),
    "term_left_out": (COLAH, ["a=2", "b=1"], "de/db=2", "de/db", "missing term", "b"),
    "term_counted_twice": (COLAH, ["a=2", "b=1"], "de/db=8", "de/db", "extra term", "b"),
    "term_of_a_non_user": (COLAH, ["a=2", "b=1"], "de/da=5", "de/da", "extra term", "a"),
    "value_as_derivative": ("f = log(x)", ["x=2"], "df/dx=0.6931", "df/dx",
                            "wrong local derivative", "f"),
    "value_for_gradient": ("q = x + y; f = sin(q)", ["x=2", "y=5"], "df/dx=2", "df/dx",
                           "value instead of gradient", "x"),
    "gradient_of_another_output": ("p1 = w*x; p2 = sigmoid(p1); L = (p2 - t)^2",
                                   ["w=0.5", "x=2", "t=1"], "dL/dw=0.3932", "dL/dw",
                                   "gradient of another output", "w"),
    "gradient_of_another_node": (COLAH, ["a=2", "b=1"], "de/da=3", "de/da",
                                 "gradient of another node", "a"),
    "rows_swapped (values)": (COLAH, ["a=2", "b=1"], "c=2, d=3", "c", "rows swapped", "c"),
    "value_sign": ("q = x - y", ["x=1", "y=3"], "q=2", "q", "sign error", "q"),
    "value_inputs_swapped": ("q = x / y", ["x=1", "y=4"], "q=4", "q", "inputs swapped", "q"),
    "another_operation": ("q = x + y; f = q * z", ["x=-2", "y=5", "z=-4"], "q=-10", "q",
                          "wrong operation", "q"),
    "operation_left_out": ("e = exp(m)", ["m=-1"], "e=-1", "e", "wrong operation", "e"),
    "gradient_for_value": ("q = x * y; f = q + 1", ["x=2", "y=3"], "q=1", "q",
                           "gradient instead of value", "q"),
    "gradient_of_another_node (values)": ("a = x + 1; b = x * 3; c = a + b", ["x=4"], "b=5",
                                          "b", "value of another node", "b"),
}  # fmt: skip
CATALOGUE_CASES |= SEQUENCE_CASES  # backpropagation through time's mistakes


def _case_name(mistake) -> str:
    """The case of a catalogue entry: its function's name, with " (values)" for the value
    entries whose function also serves gradients."""
    name = mistake.predict.__name__
    both = {m.applies for m in CATALOGUE if m.predict is mistake.predict} == {"grad", "value"}
    return f"{name} (values)" if both and mistake.applies == "value" else name


def test_every_catalogue_entry_has_a_case():
    assert sorted(_case_name(m) for m in CATALOGUE) == sorted(CATALOGUE_CASES)
    assert {m.kind for m in CATALOGUE} <= set(KINDS)


@pytest.mark.parametrize("name", list(CATALOGUE_CASES))
def test_catalogue_entry(cg, name):
    program, values, answers, key, mistake, gate = CATALOGUE_CASES[name]
    result = cg("check", program, *values, "--expect", answers, "--format", "json")
    (graded,) = [a for a in json.loads(result.stdout)["answers"] if a["answer"] == key]
    assert (graded["right"], graded["mistake"], graded["gate"]) == (False, mistake, gate)


def test_the_unary_sign_of_an_input():
    report = cgcli.grade("s = sigmoid(a)", {"a": 1}, {"s": "0.2689"})
    (answer,) = report.answers
    assert answer.diagnosis.mistake == "sign error"
    assert answer.diagnosis.text == (
        "sign error at s = sigmoid(a): s = sigmoid(a) = sigmoid(1) = 0.731059; you computed "
        "sigmoid(-a) = 0.268941, with the sign of the input dropped"
    )


def test_a_mistake_further_up_is_named_once_for_every_answer_it_explains():
    """Only the inputs' gradients on the sheet, CS231n's neuron with d(1/x) taken as
    1/x²: every answer is explained by the one mistake at the 1/x gate."""
    program, values = EXERCISES["cs231n-neuron"]["program"], EXERCISES["cs231n-neuron"]["values"]
    answers = {"dw0": 0.20, "dx0": -0.39, "dw1": 0.39, "dx1": 0.59, "dw2": -0.20}
    report = cgcli.grade(program, values, answers)
    assert {(a.diagnosis.mistake, a.diagnosis.gate) for a in report.answers} == {
        ("wrong local derivative", "f")
    }
    assert report.answers[0].diagnosis.text.endswith("; it carries down to ∂f/∂w2")


def test_a_forward_slip_is_carried_into_the_derivative_from_the_output():
    """σ' is worked out from the student's own σ: after a wrong h1, ∂L/∂z1 = ∂L/∂h1 ·
    h1·(1 - h1) with their h1 is carried, not a second mistake."""
    program = "z1 = w*x + b; h1 = sigmoid(z1); L = (h1 - t)^2"
    h1 = 0.5474
    dh1 = 2 * (h1 - 1)
    dz1 = dh1 * h1 * (1 - h1)  # by hand, from the student's h1
    answers = {"z1": "0.5", "h1": h1, "dh1": f"{dh1:.4g}", "dz1": f"{dz1:.4g}"}
    report = cgcli.grade(program, {"w": 0.5, "x": 1.2, "b": -0.1, "t": 1}, answers)
    by_key = {a.key: a for a in report.answers}
    assert by_key["h1"].diagnosis.mistake == "no common mistake"
    for key in ("dL/dh1", "dL/dz1"):
        assert by_key[key].diagnosis.mistake == "carried", by_key[key].diagnosis.text
        assert by_key[key].diagnosis.gate == "h1"


def test_the_printed_rule_adds_up_with_the_students_output():
    report = cgcli.grade(
        "h = tanh(w*x + b); loss = (h - t)^2",
        {"w": 0.8, "x": 1.5, "b": -0.4, "t": 1},
        {"h": "0.66", "dh": "-0.67", "dv2": "-0.23"},
    )
    (wrong,) = [a for a in report.answers if not a.right]
    assert "1 - tanh(v2)² = 1 - 0.66² = 0.5644;" in wrong.diagnosis.text
    assert pytest.approx(0.5644) == 1 - 0.66**2


def test_exp_taken_as_x_times_exp():
    report = cgcli.grade("f = exp(m) * w", {"m": 0.5, "w": 2}, {"dm": "1.6487"})
    (answer,) = report.answers
    assert answer.diagnosis.mistake == "wrong local derivative"
    assert "m·exp(m) = 0.5·1.64872 = 0.824361 (d exp(x) taken as x·exp(x)" in answer.diagnosis.text
    assert 2 * 0.5 * math.exp(0.5) == pytest.approx(1.6487, abs=5e-5)


def test_an_exact_explanation_wins_over_one_after_rounding():
    """A dropped weight-decay term gives -7 exactly; the power rule's lost factor gives
    -6.95, which is -7 only rounded."""
    report = cgcli.grade(
        "L = (w*x - y)^2 + lam*w^2", {"w": 0.5, "x": 1, "y": 4, "lam": 0.1}, {"dw": "-7"}
    )
    (answer,) = report.answers
    assert (answer.diagnosis.mistake, answer.diagnosis.gate) == ("missing term", "w")


@pytest.mark.parametrize(
    ("program", "answers", "gate"),
    [
        ("f = x * y", {"dx": 3, "dy": -2}, "f"),
        ("q = x + y; f = q * z", {"dz": -4, "dq": 1, "dx": 1, "dy": 1}, "f"),
        ("q = x * y; f = q + z", {"dz": 1, "dq": 1, "dx": 3, "dy": -2}, "q"),
    ],
)
def test_a_swapped_product_is_one_story(program, answers, gate):
    report = cgcli.grade(program, {"x": 3, "y": -2, "z": -4} if "z" in program else
                         {"x": 3, "y": -2}, answers)  # fmt: skip
    stories = {
        (a.diagnosis.root or a.diagnosis.mistake, a.diagnosis.gate)
        for a in report.answers
        if not a.right
    }
    assert stories == {("inputs swapped", gate)}


def test_the_sign_is_blamed_where_it_started():
    report = cgcli.grade("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}, {"dx": 4, "dy": 4})
    assert {(a.diagnosis.mistake, a.diagnosis.gate) for a in report.answers} == {
        ("sign error", "f")
    }


MICROGRAD_TANH = (
    "n = x1*w1 + x2*w2 + b; o = tanh(n)",
    ["x1=2", "x2=0", "w1=-3", "w2=1", "b=6.8813735870195432"],
)
CS231N_STAGED = (
    "sigy = 1 / (1 + exp(-y)); num = x + sigy; sigx = 1 / (1 + exp(-x)); xpy = x + y; "
    "xpysqr = xpy^2; den = sigx + xpysqr; invden = 1 / den; f = num * invden",
    ["x=3", "y=-4"],
)
MAZUR_FLAT = (
    "net_h1 = w1*i1 + w2*i2 + b1; out_h1 = sigmoid(net_h1); net_h2 = w3*i1 + w4*i2 + b1; "
    "out_h2 = sigmoid(net_h2); net_o1 = w5*out_h1 + w6*out_h2 + b2; out_o1 = sigmoid(net_o1); "
    "net_o2 = w7*out_h1 + w8*out_h2 + b2; out_o2 = sigmoid(net_o2); "
    "E_o1 = 0.5*(t1 - out_o1)^2; E_o2 = 0.5*(t2 - out_o2)^2; E = E_o1 + E_o2",
    [
        "i1=0.05",
        "i2=0.10",
        "w1=0.15",
        "w2=0.20",
        "w3=0.25",
        "w4=0.30",
        "b1=0.35",
        "w5=0.40",
        "w6=0.45",
        "w7=0.50",
        "w8=0.55",
        "b2=0.60",
        "t1=0.01",
        "t2=0.99",
    ],
)
EXACT_DIAGNOSES = [
    # (program, values), answers, key, mistake, gate
    ((COLAH, ["a=2", "b=1"]), "c=3,d=2,e=6,de/dd=3,de/dc=2,de/db=4,de/da=2", "de/db",
     "local derivative alone", "c"),
    (MICROGRAD_TANH, "n=0.8814, o=0.7071, do/dn=1", "do/dn", "upstream gradient alone", "o"),
    (MICROGRAD_TANH, "dx2=0", "do/dx2", "inputs swapped", "v2"),
    (MICROGRAD_TANH, "dx2=1", "do/dx2", "local derivative alone", "v2"),
    (CS231N_STAGED, "dnum=1", "df/dnum", "upstream gradient alone", "f"),
    (MICROGRAD_TANH, "v3=-6, n=-41.29, o=-1, do/dn=0, do/db=0", "do/dn", "carried", "n"),
    (MICROGRAD_TANH, "v3=-6, n=-41.29, o=-1, do/dn=0, do/db=0", "do/db", "carried", "n"),
    (CS231N_STAGED, "dxpy=1.58319, dx=-2", "df/dx", "gradient of another output", "x"),
    (CS231N_STAGED, "dx=1.54743", "df/dx", "missing term", "x"),
    (CS231N_STAGED, "dx=2.54743", "df/dx", "local derivative alone", "num"),
    (MAZUR_FLAT, "dE/dnet_h1=0.00877135, dE/dnet_h2=0.00995425, dE/db1=1.00877", "dE/db1",
     "local derivative alone", "net_h2"),
    (MAZUR_FLAT, "w2=0.2, w4=0.3, i2=0.1, dE/dnet_h1=0.00877135, dE/dnet_h2=0.00995425, "
     "dE/di2=0.00175427", "dE/di2", "missing term", "i2"),
    # the weight-decay term lam·2w = 0.1 dropped: -6 for -5.9. At w = 1, ∂q/∂2 of
    # q = w^2 would be w^2·log(w) = 0 too, but a literal exponent cannot be swapped in
    (("p = w*x; r = p - y; s = r^2; q = w^2; k = lam*q; L = s + k",
      ["w=1", "x=3", "y=4", "lam=0.05"]), "dL/dw=-6", "dL/dw", "missing term", "w"),
]  # fmt: skip


@pytest.mark.parametrize(("exercise_", "answers", "key", "mistake", "gate"), EXACT_DIAGNOSES)
def test_a_mistake_explains_an_answer_only_at_the_precision_written(
    cg, exercise_, answers, key, mistake, gate
):
    """A mistake model names an answer only when it gives the number the student wrote,
    rounded as they wrote it (a model 0.6-3% off names the wrong mistake or gate); an
    integer a model gives exactly, or one carried from the student's own answers, is
    that mistake, not "too few digits"."""
    program, values = exercise_
    result = cg("check", program, *values, "--expect", answers, "--format", "json")
    (graded,) = [a for a in json.loads(result.stdout)["answers"] if a["answer"] == key]
    assert (graded["right"], graded["mistake"], graded["gate"]) == (False, mistake, gate)


def test_one_term_of_a_sum_is_only_its_local_derivative():
    report = cgcli.grade(COLAH, {"a": 2, "b": 1}, {"de/db": 4})
    (answer,) = report.answers
    assert answer.diagnosis.text == (
        "local derivative alone at c = a + b: the term through c is only its local "
        "derivative ∂c/∂b (local) = 1, not multiplied by the upstream ∂e/∂c = 2: "
        "∂e/∂b = ∂e/∂c · ∂c/∂b (local) + ∂e/∂d · ∂d/∂b (local) = 2 · 1 + 3 · 1 = 5"
    )


def test_an_answer_carried_from_the_students_own_is_not_too_few_digits():
    program, values = MICROGRAD_TANH
    report = cgcli.grade(
        program,
        dict(v.split("=") for v in values),
        {"v3": "-6", "n": "-41.29", "o": "-1", "do/dn": "0", "do/db": "0"},
    )
    texts = {a.key: a.diagnosis.text for a in report.answers if a.diagnosis}
    assert texts["do/db"] == (
        "carried from your ∂o/∂n = 0 (wrong operation at n); this step is right: "
        "∂o/∂b = ∂o/∂n · ∂n/∂b (local) = 0 · 1 = 0"
    )


@pytest.mark.parametrize(("given", "note"), [("-22", False), ("-23", True), ("-21", True)])
def test_a_carried_answer_says_when_it_is_so_only_up_to_rounding(given, note):
    """-11 · 2 is -22; -23 and -21 follow from -11 only if that was -11.5 or -10.5
    rounded: the printed step says so, instead of contradicting the answer."""
    report = cgcli.grade("a = x*y; b = a + x; f = a*b", {"x": 2, "y": -3},
                         {"df/da": "-11", "df/dy": given})  # fmt: skip
    text = next(a.diagnosis.text for a in report.answers if a.key == "df/dy")
    assert text.startswith("carried from your ∂f/∂a = -11")
    assert "(-11) · 2 = -22" in text
    rounding = f"(your {given} is that up to the rounding of the numbers it is computed from)"
    assert text.endswith(rounding) == note


# --- what is graded -----------------------------------------------------------------


def test_given_numbers_are_shown_not_scored(cg):
    program, values = exercise("colah")
    doc = json.loads(cg("check", program, *values, "--expect", "e=6", "--format", "json").stdout)
    assert (doc["right"], doc["asked"]) == (1, 1)
    doc = json.loads(
        cg(
            "check", program, *values, "--expect", "a=2, b=1, e=6, de/de=1", "--format", "json"
        ).stdout
    )
    assert [(a["answer"], a["verdict"], a["asked"]) for a in doc["answers"]] == [
        ("a", "given", False), ("b", "given", False), ("e", "right", True),
        ("de/de", "given", False),
    ]  # fmt: skip
    doc = json.loads(
        cg("check", program, *values, "--expect", "a=3, e=6", "--format", "json").stdout
    )
    assert doc["answers"][0]["note"] == "a is given as 2"


def test_require(cg):
    program, values = exercise("colah")
    result = cg("check", program, *values, "--expect", "e=6", "--require", "all")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        "1 of 7 asked right; missing: c, d, ∂e/∂d, ∂e/∂c, ∂e/∂b, ∂e/∂a"
    )
    doc = json.loads(
        cg("check", program, *values, "--expect", "e=6", "--require", "gradients,e", "--format",
           "json").stdout
    )  # fmt: skip
    assert (doc["right"], doc["asked"], doc["missing"]) == (
        1, 5, ["de/dd", "de/dc", "de/db", "de/da"]
    )  # fmt: skip
    doc = json.loads(
        cg("check", program, *values, "--expect", "c=3, de/da=2", "--require", "values",
           "--format", "json").stdout
    )  # fmt: skip
    assert [(a["answer"], a["asked"]) for a in doc["answers"]] == [
        ("c", True), ("d", True), ("e", True), ("de/da", False),
    ]  # fmt: skip
    result = cg("check", program, *values, "--expect", "e=6", "--require", "dq")
    assert (result.exit_code, result.stderr) == (
        2, "cg: usage error: --require answer dq: no node is called dq, nor q (reading dq as "
        "∂/∂q) (nodes: a, b, c, d, e)\n"
    )  # fmt: skip


def test_unknown_keys_are_reported_one_by_one(cg, tmp_path):
    program, values = exercise("colah")
    (tmp_path / "s.csv").write_text("answer,value\nc,3\nq,4\nde/dq,1\nde/da,2\ndh/da,2\n")
    result = cg("check", program, *values, "--answers", str(tmp_path / "s.csv"))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "2 of 2 asked right"
    assert result.stderr.splitlines() == [
        "cg: warning: row 3: answer q: no node is called q (nodes: a, b, c, d, e)",
        "cg: warning: row 4: answer de/dq: no node is called q (nodes: a, b, c, d, e)",
    ]


def test_a_gradient_of_another_name_is_the_output(cg):
    """dL/dw for an output called loss: L is no node, so it can only mean the output."""
    doc = json.loads(
        cg(
            "check", "loss = (w*x - 1)^2", "w=1", "x=2", "--expect", "dL/dw=4", "--format", "json"
        ).stdout
    )
    assert doc["ok"] is True
    result = cg("check", "p = x + y; g = p * z", "x=1", "y=3", "z=-3", "--expect", "dp/dx=1")
    assert result.exit_code == 2
    assert "answer dp/dx: cg grades gradients of the output g, so write dg/dx" in result.stderr


def test_weights(cg, tmp_path):
    program, values = exercise("colah")
    (tmp_path / "w.csv").write_text("answer,weight\nde/da,2\nde/db,3\n")
    doc = json.loads(
        cg("check", program, *values, "--expect", "e=6, de/da=2, de/db=2", "--weights",
           str(tmp_path / "w.csv"), "--format", "json").stdout
    )  # fmt: skip
    assert (doc["points"], doc["max_points"]) == (3, 6)
    result = cg(
        "check", program, *values, "--expect", "e=6, de/db=2", "--weights", str(tmp_path / "w.csv")
    )
    assert result.stdout.splitlines()[-1] == "1 of 2 asked right; 1 of 4 points"


def test_blank_answers_count_as_asked_and_missing(cg):
    result = cg("check", "q = x + y; f = q * z", "x=-2", "y=5", "z=-4", "--expect", "q=3")
    assert result.exit_code == 0
    doc = cgcli.grade("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}, {"q": 3, "dx": None})
    assert (doc.right, doc.asked, doc.missing) == (1, 2, ["df/dx"])


# --- sheets in every format ----------------------------------------------------------

FORMATS = {"markdown": ".md", "csv": ".csv", "tsv": ".tsv", "json": ".json", "latex": ".tex"}


@pytest.mark.parametrize(
    ("fmt", "exact"),
    [(fmt, False) for fmt in [*FORMATS, "table"]]
    + [(fmt, True) for fmt in ("markdown", "json", "latex", "table")],  # CSV holds floats only
)
def test_eval_tables_read_back_as_right_answers(cg, tmp_path, fmt, exact):
    program, values = exercise("cs231n-neuron")
    extra = ["--exact", "--no-check"] if exact else []
    table = cg("eval", program, *values, "--format", fmt, *extra).stdout
    path = tmp_path / f"table{FORMATS.get(fmt, '.txt')}"
    path.write_text(table, encoding="utf-8")
    doc = json.loads(
        cg("check", program, *values, "--answers", str(path), "--format", "json", *extra[:1]).stdout
    )
    assert (doc["right"], doc["asked"], doc["problems"]) == (20, 20, [])


@pytest.mark.parametrize(
    "args", [*LATEX_NAMES, ["k = 2; y = tan(x)*k + asin(x/4) + log(x)", "x=1"]], ids=lambda a: a[0]
)
def test_tables_and_sheets_read_back_whatever_the_names(cg, tmp_path, args):
    """Reassigned names (x#2), underscores, Greek letters, subscripts, accents, constants
    written inline, exact values as SymPy writes them in LaTeX (e, π, √, cos²)."""
    nodes = json.loads(cg("eval", *args, "--format", "json").stdout)["nodes"]
    values = [n for n in nodes if n["inputs"] and n["grad"] is not None]
    grads = [n for n in nodes[:-1] if n["grad"] is not None]  # the output is the last node
    asked = len(values) + len(grads)
    for fmt in [*FORMATS, "table"]:
        for extra in ([], ["--exact"]) if fmt not in ("csv", "tsv") else ([],):
            table = cg("eval", *args, "--format", fmt, "--no-check", *extra).stdout
            path = tmp_path / f"table{FORMATS.get(fmt, '.txt')}"
            path.write_text(table, encoding="utf-8")
            result = cg("check", *args, "--answers", str(path), "--format", "json", *extra)
            doc = json.loads(result.stdout)
            assert (doc["right"], doc["asked"], doc["problems"]) == (asked, asked, []), (fmt, extra)
    for fmt, suffix in FORMATS.items():
        path = tmp_path / f"blank{suffix}"
        path.write_text(cg("sheet", *args, "--format", fmt).stdout, encoding="utf-8")
        doc = json.loads(cg("check", *args, "--answers", str(path), "--format", "json").stdout)
        assert (doc["right"], doc["asked"], doc["problems"]) == (0, asked, []), fmt


@pytest.mark.parametrize("fmt", FORMATS)
def test_blank_sheets_read_back(cg, tmp_path, fmt):
    program, values = exercise("colah")
    blank = cg("sheet", program, *values, "--format", fmt).stdout
    path = tmp_path / f"blank{FORMATS[fmt]}"
    path.write_text(blank, encoding="utf-8")
    result = cg("check", program, *values, "--answers", str(path), "--format", "json")
    doc = json.loads(result.stdout)
    assert (result.exit_code, doc["right"], doc["asked"], doc["problems"]) == (1, 0, 7, [])
    assert doc["missing"] == ["c", "d", "e", "de/dd", "de/dc", "de/db", "de/da"]
    assert doc["student"] == "blank"


@pytest.mark.parametrize("fmt", FORMATS)
def test_filled_in_sheets(cg, tmp_path, fmt):
    """A blank sheet filled in by a student (here: with the right numbers, and a name)."""
    program, values = exercise("cs231n-circuit")
    blank = cg("sheet", program, *values, "--format", fmt).stdout
    if fmt == "json":
        doc = json.loads(blank)
        doc["student"] = "Ada"
        values_in = {"q": 3, "f": -12}
        grads_in = {"x": -4, "y": -4, "z": 3, "q": -4}
        for node in doc["nodes"]:
            if node["value"] is None:
                node["value"] = values_in[node["label"]]
            if node.get("grad", 0) is None:
                node["grad"] = grads_in[node["label"]]
        filled = json.dumps(doc)
    else:
        filled = _fill(blank, fmt)
    path = tmp_path / f"sheet{FORMATS[fmt]}"
    path.write_text(filled, encoding="utf-8")
    doc = json.loads(
        cg("check", program, *values, "--answers", str(path), "--format", "json").stdout
    )
    assert (doc["student"], doc["right"], doc["asked"]) == ("Ada", 6, 6)


def _fill(blank: str, fmt: str) -> str:
    """Fill the cs231n-circuit blank sheet the way a student would, in its own format."""
    rows = {  # label: (value, gradient) for the blank cells
        "x": (None, "-4"), "y": (None, "-4"), "z": (None, "3"), "q": ("3", "-4"),
        "f": ("-12", None),
    }  # fmt: skip
    out = []
    for line in blank.splitlines():
        if fmt == "markdown" and line.startswith("| ") and line.split("|")[1].strip() in rows:
            cells = line.split("|")
            value, grad = rows[cells[1].strip()]
            cells[5] = f" {value} " if value else cells[5]
            cells[6] = f" {grad} " if grad else cells[6]
            line = "|".join(cells)
        elif fmt in ("csv", "tsv") and not line.startswith("#"):
            sep = "," if fmt == "csv" else "\t"
            (cells,) = csv.reader([line], delimiter=sep)
            if cells[0] in rows:
                value, grad = rows[cells[0]]
                cells[4] = value or cells[4]
                cells[5] = grad or cells[5]
            buffer = io.StringIO()
            csv.writer(buffer, delimiter=sep, lineterminator="").writerow(cells)
            line = buffer.getvalue()
        elif fmt == "latex" and " & " in line and line.split(" & ")[0].strip("$") in rows:
            cells = line.removesuffix(r" \\").split(" & ")  # node, computes, value, gradient
            value, grad = rows[cells[0].strip("$")]
            cells[2] = f"${value}$" if value else cells[2]
            cells[3] = f"${grad}$" if grad else cells[3]
            line = " & ".join(cells) + r" \\"
        line = line.replace("Student: \\rule{6cm}{0.4pt}", "Student: Ada")
        line = "Student: Ada" if line == "Student: " else line
        line = "# student: Ada" if line.strip() == "# student:" else line
        out.append(line)
    return "\n".join(out) + "\n"


def test_sheet_markdown(cg):
    result = cg("sheet", "q = x + y; f = q * z", "x=-2", "y=5", "z=-4")
    assert result.stdout == (
        "<!-- cg sheet; asks: all -->\n"
        "Student: \n"
        "\n"
        "Fill in the value of every node (forward pass) and ∂f/∂node (backward pass).\n"
        "\n"
        "Program: `q = x + y; f = q * z`\n"
        "\n"
        "At: x=-2 y=5 z=-4\n"
        "\n"
        "| node | op | inputs | text | value | ∂f/∂node |\n"
        "| --- | --- | --- | --- | ---: | ---: |\n"
        "| x | input |  | `x` | -2 |  |\n"
        "| y | input |  | `y` | 5 |  |\n"
        "| q | add | x, y | `x + y` |  |  |\n"
        "| z | input |  | `z` | -4 |  |\n"
        "| f | mul | q, z | `q * z` |  | 1 |\n"
    )


def test_sheet_asks_for_gradients_only(cg, tmp_path):
    program, values = exercise("colah")
    blank = cg("sheet", program, *values, "--format", "csv", "--ask", "gradients").stdout
    rows = list(csv.reader(io.StringIO(blank)))
    assert rows[0] == ["# cg sheet; asks: gradients"]
    assert rows[5:] == [
        ["node", "op", "inputs", "text", "value", "grad"],
        ["a", "input", "", "a", "2", ""],
        ["b", "input", "", "b", "1", ""],
        ["c", "add", "a, b", "a + b", "3", ""],
        ["d", "add", "b, 1", "b + 1", "2", ""],
        ["e", "mul", "c, d", "c * d", "6", "1"],
    ]
    (tmp_path / "s.csv").write_text(blank)
    doc = json.loads(cg("check", program, *values, "--answers", str(tmp_path / "s.csv"),
                        "--format", "json").stdout)  # fmt: skip
    assert doc["missing"] == ["de/dd", "de/dc", "de/db", "de/da"]
    assert {a["answer"]: a["verdict"] for a in doc["answers"] if a["kind"] == "value"} == {
        "a": "given", "b": "given", "c": "given", "d": "given", "e": "given",
    }  # fmt: skip


def test_student_id_from_the_sheet_or_the_file_name(tmp_path):
    program, values = EXERCISES["colah"]["program"], EXERCISES["colah"]["values"]
    cases = {
        "alice.md": "Student: Alice A.\n\n| answer | value |\n|---|---|\n| e | 6 |\n",
        "bob.csv": "student,Bob\nanswer,value\ne,6\n",
        "carol.json": '{"name": "Carol", "e": 6}',
        "dave.tex": "% student: Dave\n\\begin{tabular}{lr}\ne & $6$ \\\\\n\\end{tabular}\n",
        "erin.txt": "Name: Erin\ne = 6\n",
        "frank.txt": "e = 6\n",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    grades = cgcli.grade_class(program, values, [tmp_path])
    assert [(s.student, s.score) for s in grades.sheets] == [
        ("Alice A.", "1 of 1 asked"), ("Bob", "1 of 1 asked"), ("Carol", "1 of 1 asked"),
        ("Dave", "1 of 1 asked"), ("Erin", "1 of 1 asked"), ("frank", "1 of 1 asked"),
    ]  # fmt: skip


# --- a class --------------------------------------------------------------------------


@pytest.fixture
def colah_class(tmp_path, monkeypatch):
    """Four sheets for colah's exercise, and one that is not a text file, in ./class."""
    monkeypatch.chdir(tmp_path)
    folder = Path("class")
    folder.mkdir()
    for sheet in ("right.tsv", "missing-term.md", "extra-term.csv", "rows-swapped.json"):
        shutil.copy(SHEETS / "colah" / sheet, folder / sheet)
    (folder / "zoe.csv").write_bytes(b"\xff\xfe\x00")
    return folder


NOT_UTF8 = "not valid UTF-8 text: byte 0xFF at byte offset 0 (line 1); save it as UTF-8"


def zoe_not_utf8(folder: Path) -> str:
    return f"{folder / 'zoe.csv'} is {NOT_UTF8}"


def test_grade_a_folder(cg, colah_class):
    program, values = exercise("colah")
    book = Path("book.csv")
    result = cg("check", program, *values, "--answers", str(colah_class), "--summary", str(book))
    assert result.exit_code == 2  # one sheet could not be read; the others are graded
    classbook, _gates, closing = result.stdout.partition("first mistake at")  # test_course.py
    assert classbook + closing[closing.index("\n\n") + 2 :] == (
        "student        score         wrong\n"
        "Edsger         6 of 7 asked  ∂e/∂a (extra term)\n"
        "missing-term   6 of 7 asked  ∂e/∂b (missing term)\n"
        "right          7 of 7 asked\n"
        "rows-swapped   5 of 7 asked  ∂e/∂b (rows swapped), ∂e/∂a (rows swapped)\n"
        f"{colah_class / 'zoe.csv'}  not graded    {zoe_not_utf8(colah_class)}\n"
        "\n"
        "question   right  share  most common mistake\n"
        "c         4 of 4   100%\n"
        "d         4 of 4   100%\n"
        "e         4 of 4   100%\n"
        "∂e/∂d     4 of 4   100%\n"
        "∂e/∂c     4 of 4   100%\n"
        "∂e/∂b     2 of 4    50%  missing term (1)\n"
        "∂e/∂a     2 of 4    50%  extra term (1)\n"
        "\n"
        "4 sheets graded, 1 all right, 1 not graded\n"
    )
    assert result.stderr == f"cg: usage error: {zoe_not_utf8(colah_class)}\n"
    rows = list(csv.reader(book.open(encoding="utf-8")))
    assert rows[0] == [
        "student", "file", "score", "asked", "points", "max_points", "note",
        "c", "d", "e", "de/dd", "de/dc", "de/db", "de/da",
    ]  # fmt: skip
    assert [r[:4] + r[7:] for r in rows[1:]] == [
        ["Edsger", str(colah_class / "extra-term.csv"), "6", "7",
         "right", "right", "right", "right", "right", "right", "wrong (extra term)"],
        ["missing-term", str(colah_class / "missing-term.md"), "6", "7",
         "right", "right", "right", "right", "right", "wrong (missing term)", "right"],
        ["right", str(colah_class / "right.tsv"), "7", "7", *["right"] * 7],
        ["rows-swapped", str(colah_class / "rows-swapped.json"), "5", "7",
         "right", "right", "right", "right", "right", "wrong (rows swapped)",
         "wrong (rows swapped)"],
        ["zoe", str(colah_class / "zoe.csv"), "", "", *[""] * 7],
    ]  # fmt: skip
    assert rows[5][6] == f"not graded: {zoe_not_utf8(colah_class)}"


def test_grade_many_files_as_json(cg, colah_class):
    program, values = exercise("colah")
    files = sorted(
        str(p) for p in colah_class.glob("*.*") if p.suffix != ".csv" or "zoe" not in p.name
    )
    result = cg("check", program, *values, "--answers", *files, "--format", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [(s["student"], s["right"], s["asked"]) for s in doc["students"]] == [
        ("Edsger", 6, 7), ("missing-term", 6, 7), ("right", 7, 7), ("rows-swapped", 5, 7),
    ]  # fmt: skip
    assert doc["questions"][5] == {
        "answer": "de/db", "asked": 4, "right": 2, "share": 0.5,
        "most_common_mistake": "missing term", "mistakes": {"missing term": 1, "rows swapped": 1},
    }  # fmt: skip
    assert doc["errors"] == []


def test_a_sheet_whose_name_has_an_equals_sign_is_a_sheet_not_a_value(cg, colah_class):
    """``--answers a.md attempt=2.md``: the second file, no NAME=VALUE (its value would
    be ``2.md``), is graded as a sheet; a real value among the files stays a value."""
    program, values = exercise("colah")
    renamed = colah_class / "right=2.tsv"
    (colah_class / "right.tsv").rename(renamed)
    files = [str(colah_class / "missing-term.md"), str(renamed)]
    result = cg("check", program, *values[:1], "--answers", *files, *values[1:], "--format", "json")
    doc = json.loads(result.stdout)
    assert [(s["student"], s["file"], s["right"]) for s in doc["students"]] == [
        ("missing-term", files[0], 6), ("right=2", files[1], 7),
    ]  # fmt: skip
    assert (result.exit_code, doc["errors"]) == (1, [])


BACKSLASH_SHEETS = {
    "a.txt": "student: CORP\\jdoe\nc = 3\n",
    "b.md": "**Student:** CORP\\asmith\n\n| node | value |\n| --- | --- |\n| c | 3 |\n",
    "c.csv": "student,CORP\\bkim\nnode,value\nc,3\n",
    "d.json": '{"student": "CORP\\\\cdoe", "c": 3}\n',
    "e.tex": "% student: CORP\\dlee\n\\begin{tabular}{ll}\nnode & value \\\\\nc & 3 \\\\\n"
    "\\end{tabular}\n",
    "f.md": "Student: Ada\\_Lovelace\n\n| node | value |\n| --- | --- |\n| c | 3 |\n",
    "g.tex": "\\textbf{Student:} Alan\\_Turing\\\\\n\\begin{tabular}{ll}\nnode & value "
    "\\\\\nc & 3 \\\\\n\\end{tabular}\n",
}


def test_a_student_id_keeps_its_backslash_in_every_format(tmp_path):
    """``CORP\\jdoe`` (a Windows domain login) is the student's id whole: it was cut at the
    backslash as if a LaTeX command followed, and two such students clashed. Markdown's
    and LaTeX's own escape of ``_`` is still read as ``_``."""
    for name, text in BACKSLASH_SHEETS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    grades = cgcli.grade_class(*exercise("colah")[:1], dict(a=2, b=1), [tmp_path])
    assert sorted(s.student for s in grades.sheets) == [
        "Ada_Lovelace", "Alan_Turing", "CORP\\asmith", "CORP\\bkim", "CORP\\cdoe",
        "CORP\\dlee", "CORP\\jdoe",
    ]  # fmt: skip
    assert grades.errors == []


def test_summary_that_cannot_be_written(cg, colah_class, tmp_path):
    program, values = exercise("colah")
    target = tmp_path / "no-such-folder" / "book.csv"
    result = cg("check", program, *values, "--answers", str(colah_class / "right.tsv"),
                "--summary", str(target))  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        f"cg: usage error: --summary {target}: the folder {target.parent} does not exist\n"
    )
    assert len(result.stderr.splitlines()) == 1
    assert not target.exists()


# --- formula answers ------------------------------------------------------------------


def test_formula_answers(cg):
    program, values = exercise("cs231n-circuit")
    answers = "q=3, dz = x + y, dx = z, dy = z, dq = z, df/df = 1, f = -12"
    result = cg("check", program, *values, "--expect", answers)
    assert result.exit_code == 0
    assert result.stdout == (
        "answer  given  correct  grade\n"
        "q           3        3  ✓ right\n"
        "f         -12      -12  ✓ right\n"
        "∂f/∂f       1        1  given\n"
        "∂f/∂z   x + y        3  ✓ right\n"
        "∂f/∂q       z       -4  ✓ right\n"
        "∂f/∂y       z       -4  ✓ right\n"
        "∂f/∂x       z       -4  ✓ right\n"
        "6 of 6 asked right\n"
    )
    doc = json.loads(
        cg("check", program, *values, "--expect", "dz = y + x", "--format", "json").stdout
    )
    assert doc["ok"] is True
    doc = json.loads(cg("check", program, *values, "--expect", "dz = q", "--format", "json").stdout)
    assert doc["ok"] is True  # a name of the program's own intermediate
    doc = json.loads(
        cg(
            "check", program, *values, "--expect", "dz = x*y + 13, dx = x - y", "--format", "json"
        ).stdout
    )
    first, second = doc["answers"]
    assert (first["mistake"], first["diagnosis"]) == (
        "right only here",
        "right only here at z: x*y + 13 has the right value here, but it is not ∂f/∂z as a formula",
    )
    assert second["right"] is False


@pytest.mark.parametrize("written", ["(x + y)*z", "f", "q*z", "(x+y)*z + 0*q"])
def test_a_value_written_as_a_formula_is_not_a_number(cg, written):
    """A gradient may be a formula (the derivative's form); a node's value may not: the
    program's own names only restate it (a blank sheet's text column copied across, or
    the node's own name, would otherwise score every value right)."""
    program, values = exercise("cs231n-circuit")
    doc = json.loads(
        cg("check", program, *values, "--expect", f"f = {written}", "--format", "json").stdout
    )
    (answer,) = doc["answers"]
    assert (answer["right"], answer["mistake"]) == (False, "not a number")
    assert answer["diagnosis"] == (
        f"not a number at f: {written} is a formula in the program's names, which restates "
        "the program; the value of f at the point is asked (a number, such as 0.25 or 1/3)"
    )


@pytest.mark.parametrize(
    ("written", "grade"),
    [("1000", "right"), ("1.000", "wrong"), ("1,000", "missing"), ("-1,500", "missing")],
)
def test_a_comma_that_could_be_a_thousands_separator_is_not_guessed(cg, written, grade):
    """1,000 was read as 1.000 (a decimal comma) and graded a wrong 1; 3,0 is still 3.0."""
    doc = json.loads(
        cg(
            "check", "f = x*y", "x=10", "y=100", "--expect", f"f={written}", "--format", "json"
        ).stdout
    )
    (answer,) = doc["answers"]
    assert answer["verdict"] == grade
    if grade == "missing":
        whole, part = written.split(",")
        assert doc["problems"] == [
            f"--expect: answer f: {written!r} could be {whole}{part} (a thousands separator) or "
            f"{whole}.{part} (a decimal comma): write {whole}{part} or {whole}.{part}"
        ]
    comma = cgcli.grade("c = a + b", {"a": 2, "b": 1}, {"c": "3,0", "dc/da": "1,00"})
    assert [a.verdict for a in comma.answers] == ["right", "right"]


def test_formula_answers_with_functions():
    report = cgcli.grade(
        "s = sigmoid(w*x)",
        {"w": 2, "x": "1/2"},
        {"ds/dw": "x*s*(1 - s)", "ds/dx": "w*exp(-w*x)/(1 + exp(-w*x))^2"},
    )
    assert report.ok


def test_formula_answers_never_reach_sympify(cg, monkeypatch):
    import sympy

    def refuse(*args, **kwargs):
        raise AssertionError("user text reached sympify")

    monkeypatch.setattr(sympy, "sympify", refuse)
    monkeypatch.setattr(sympy, "parse_expr", refuse)
    result = cg("check", "q = x + y; f = q * z", "x=1", "y=3", "z=-3", "--expect", "dz = x + y")
    assert result.exit_code == 0


def test_bad_answers_are_reported_per_key(cg):
    result = cg(
        "check", "q = x + y; f = q * z", "x=1", "y=3", "z=-3", "--expect", "q=4, dz=x +, f=w"
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "1 of 3 asked right; missing: f, ∂f/∂z"
    assert result.stderr.splitlines() == [
        "cg: warning: --expect: answer dz: 'x +' is not a number or formula (unexpected end "
        "of input: expected a number, a name or '(')",
        "cg: warning: --expect: answer f: 'w' uses w, which is not a node of the program",
    ]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("p", "--expect p: write KEY=NUMBER, such as p=4 or dg/dx=-3"),
        ("q=", "--expect q=: write KEY=NUMBER, such as p=4 or dg/dx=-3"),
    ],
)
def test_bad_expect(cg, answer, message):
    result = cg("check", "q = x + y; f = q * z", "x=1", "y=3", "z=-3", "--expect", answer)
    assert (result.exit_code, result.stderr) == (2, f"cg: usage error: {message}\n")


def test_nothing_to_grade(cg, tmp_path):
    (tmp_path / "s.json").write_text('{"q2": 4}')
    result = cg("check", "q = x + y", "x=1", "y=3", "--answers", str(tmp_path / "s.json"))
    assert result.exit_code == 2
    assert (
        result.stderr.splitlines()[-1]
        == f"cg: usage error: nothing to grade in {tmp_path / 's.json'}"
    )


# --- the library ------------------------------------------------------------------------


def test_library_returns_data():
    report = cgcli.grade(
        "q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}, {"q": 3, "df/dq": 4, "df/dx": 4}
    )
    assert (report.right, report.asked, report.ok) == (1, 3, False)
    wrong = report.answers[1]
    assert (wrong.key, wrong.shown, wrong.correct, wrong.verdict) == (
        "df/dq",
        "∂f/∂q",
        -4.0,
        "wrong",
    )
    assert (wrong.diagnosis.mistake, wrong.diagnosis.gate) == ("sign error", "f")
    assert report.answers[2].diagnosis.carried_from == ("df/dq",)
    assert repr(report) == "<SheetGrade answers: 1 of 3 asked>"
    assert report.as_dict()["answers"][2]["carried_from"] == ["df/dq"]


def test_library_doctest():
    import doctest

    import cgcli.grading

    assert doctest.testmod(cgcli.grading).failed == 0


def test_blank_sheet_from_python():
    text = cgcli.blank_sheet("q = x + y", {"x": 1, "y": 2}, sheet_format="json", ask="values")
    doc = json.loads(text)
    assert [(n["label"], n["value"], "grad" in n) for n in doc["nodes"]] == [
        ("x", 1, False), ("y", 2, False), ("q", None, False),
    ]  # fmt: skip


def test_spreadsheet_csv_and_other_spellings(tmp_path):
    program, values = EXERCISES["colah"]["program"], EXERCISES["colah"]["values"]
    (tmp_path / "euro.csv").write_text("node;value;grad\nc;3;2\nd;2;3\na;;2,0\nb;;4,00\n")
    report = cgcli.grade(program, values, tmp_path / "euro.csv")
    assert [(a.key, a.verdict) for a in report.answers] == [
        ("c", "right"), ("d", "right"), ("de/dd", "right"), ("de/dc", "right"),
        ("de/db", "wrong"), ("de/da", "right"),
    ]  # fmt: skip
    report = cgcli.grade(program, values, {"gradient": {"a": 2}, "value": {"e": 6}, "c.data": 3})
    assert (report.right, report.asked) == (3, 3)
    program, values = exercise("micrograd-neuron")
    keys = "o.data=0.7071, n.grad=0.5, x1.grad=-1.5, w1.grad=1.0, x2.grad=0.5, w2.grad=0.0"
    assert cgcli.grade(program, dict(v.split("=") for v in values), dict(
        k.strip().split("=") for k in keys.split(",")
    )).ok  # fmt: skip


def test_a_small_mistake_at_the_answers_own_gate_is_still_named():
    """σ' taken as σ at sigy changes ∂f/∂y by 0.01%: still named, at the digits written."""
    program = (
        "sigy = sigmoid(y); num = x + sigy; sigx = sigmoid(x); xpy = x + y; xpysqr = xpy^2; "
        "den = sigx + xpysqr; invden = 1/den; f = num*invden"
    )
    report = cgcli.grade(
        program, {"x": 3, "y": -4}, {"dxpy": 1.5832, "dsigy": 0.5121, "dy": 1.5924}
    )
    (wrong,) = [a for a in report.answers if not a.right]
    assert (wrong.key, wrong.diagnosis.mistake, wrong.diagnosis.gate) == (
        "df/dy", "wrong local derivative", "sigy"
    )  # fmt: skip
    report = cgcli.grade(
        program, {"x": 3, "y": -4}, {"dxpy": 1.5832, "dsigy": 0.5121, "dy": 1.5927}
    )
    (wrong,) = [a for a in report.answers if not a.right]
    assert (wrong.key, wrong.diagnosis.mistake) == ("df/dy", "rounding error")


def test_grading_numbers_does_not_import_sympy():
    import subprocess
    import sys

    code = (
        "import sys, cgcli; r = cgcli.grade('q = x + y', {'x': 1, 'y': 2}, {'q': 3, 'dx': 1});"
        "print(r.ok, 'sympy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "True False\n"


def test_a_sheet_from_stdin(cg):
    program, values = exercise("colah")
    table = cg("eval", program, *values, "--format", "csv").stdout
    result = cg("check", program, *values, "--answers", "-", input=table)
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "7 of 7 asked right")


def test_the_gradebook_is_not_graded_as_a_sheet(cg, colah_class):
    program, values = exercise("colah")
    (colah_class / "zoe.csv").unlink()
    for _ in range(2):
        args = ["--answers", str(colah_class), "--summary", str(colah_class / "book.csv")]
        result = cg("check", program, *values, *args)
        assert result.exit_code == 1
        assert result.stdout.splitlines()[-1] == "4 sheets graded, 1 all right"
    files = [str(p) for p in sorted(colah_class.iterdir())]
    result = cg("check", program, *values, "--answers", *files, "--summary", files[0])
    assert result.stdout.splitlines()[-1] == "4 sheets graded, 1 all right"


# --- malformed sheets and arguments (found by a fuzzer) -------------------------------

PQ = ("p = x + y; g = p * z", "x=1", "y=3", "z=-3")


def test_a_markdown_row_without_its_node(cg, tmp_path):
    (tmp_path / "s.md").write_text("| value | node |\n| --- | --- |\n| 4 |\n| 4 | p |\n")
    result = cg("check", *PQ, "--answers", str(tmp_path / "s.md"))
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "1 of 1 asked right")
    assert result.stderr == "cg: warning: line 3: no node in this row, so it is not graded\n"
    (tmp_path / "s.md").write_text("| value | node |\n| --- | --- |\n| 4 |\n")
    result = cg("check", *PQ, "--answers", str(tmp_path / "s.md"))
    assert (result.exit_code, result.stderr.splitlines()) == (
        2,
        [
            "cg: warning: line 3: no node in this row, so it is not graded",
            f"cg: usage error: nothing to grade in {tmp_path / 's.md'}",
        ],
    )


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
@pytest.mark.parametrize("fmt", ["csv", "md", "txt", "tex"])
def test_any_line_ends(cg, tmp_path, end, fmt):
    sheet = {
        "csv": ["node,value,grad", "p,4,-3"],
        "md": ["| node | value | grad |", "| --- | --- | --- |", "| p | 4 | -3 |"],
        "txt": ["Student: Ada", "p = 4", "dg/dp = -3"],
        "tex": ["\\begin{tabular}{lrr}", "node & value & grad \\\\", "p & $4$ & $-3$ \\\\",
                "\\end{tabular}"],
    }[fmt]  # fmt: skip
    (tmp_path / f"s.{fmt}").write_bytes(end.join(sheet).encode() + end.encode())
    result = cg("check", *PQ, "--answers", str(tmp_path / f"s.{fmt}"))
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "2 of 2 asked right")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("9" * 400, f"answer p: '{'9' * 19}…{'9' * 19} (400 characters)' is not a number or "
                    "formula (number … is too large for a float64)"),
        ("9" * 5000, "answer p: longer than 2000 characters"),
        ("true", "answer p: true is not a number"),
        ("false", "answer p: false is not a number"),
        ("[4]", "answer p: an array, not a number"),
        ("1e999", "answer p: not a finite number"),
    ],
)  # fmt: skip
def test_a_json_answer_that_is_no_number_is_refused_alone(cg, tmp_path, value, problem):
    (tmp_path / "s.json").write_text(f'{{"p": {value}, "dg/dx": -3}}')
    result = cg("check", *PQ, "--answers", str(tmp_path / "s.json"))
    assert (result.exit_code, result.stderr) == (1, f"cg: warning: {problem}\n")
    assert result.stdout.splitlines()[-1] == "1 of 2 asked right; missing: p"
    doc = json.loads(cg("check", *PQ, "--answers", str(tmp_path / "s.json"), "--format",
                        "json").stdout)  # fmt: skip
    assert [(a["answer"], a["verdict"]) for a in doc["answers"]] == [
        ("p", "missing"), ("dg/dx", "right")
    ]  # fmt: skip


def test_json_booleans_in_groups_and_node_lists():
    point = {"x": 1, "y": 3, "z": -3}
    cases = {
        "values.p: answer p: true is not a number": {"values": {"p": True}},
        "nodes[0].value: answer p: false is not a number": {
            "nodes": [{"label": "p", "value": False}]
        },
        "answer p: too large a number": {"p": 10**5000},
    }
    for problem, answers in cases.items():
        report = cgcli.grade(PQ[0], point, answers)
        assert (report.right, report.asked, report.missing, report.problems) == (
            0, 1, ["p"], [problem]
        )  # fmt: skip


@pytest.mark.parametrize(
    "answers",
    ["p = 4", "p =4", "p= 4", " p = 4 , dg/dx = -3", "p = 4 dg/dx = -3", "dg / dx = -3, p=4",
     "∂g / ∂x = -3 p = 4", "p=4,dg/dx=-3"],
)  # fmt: skip
def test_expect_with_spaces(cg, answers):
    result = cg("check", *PQ, "--expect", answers)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] in ("1 of 1 asked right", "2 of 2 asked right")


def test_split_expectations():
    assert split_expectations(["dz = x + y dx = z, dq=x / y"]) == [
        ("dz", "x + y"), ("dx", "z"), ("dq", "x / y")
    ]  # fmt: skip


def test_an_empty_key(cg, tmp_path):
    (tmp_path / "s.json").write_text('{"": 4, "p": 4}')
    result = cg("check", *PQ, "--answers", str(tmp_path / "s.json"))
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "1 of 1 asked right")
    assert result.stderr == (
        "cg: warning: an answer without a key: write KEY=NUMBER, such as p=4 or dg/dx=-3\n"
    )
    result = cg("check", *PQ, "--expect", "p=4", "--require", "p,d")
    assert result.stderr == "cg: usage error: --require answer d: no node is called d " \
        "(nodes: x, y, p, z, g)\n"  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-", "x=1", "--answers", "-"],
         "the program and --answers cannot both come from stdin: give one of them as a file"),
        (["-f", "-", "x=1", "--answers", "-"],
         "the program and --answers cannot both come from stdin: give one of them as a file"),
        (["x", "x=1", "--answers", "-", "-"],
         "--answers - is given twice: stdin can be read only once"),
        (["x", "x=1", "--answers", "-", "--weights", "-"],
         "--answers and --weights cannot both come from stdin: give one of them as a file"),
        (["x", "x=1", "--answers", ""], "--answers '': the file name is empty"),
        (["x", "x=1", "--answers", "s.md", ""], "--answers '': the file name is empty"),
        (["x", "x=1", "--expect", "f=1", "--weights", ""], "--weights '': the file name is empty"),
        (["x", "x=1", "--expect", "f=1", "--summary", ""], "--summary '': the file name is empty"),
    ],
)  # fmt: skip
def test_files_that_cannot_be(cg, args, message):
    result = cg("check", *args, input="x\n")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"cg: usage error: {message}\n",
    )


def test_an_empty_file_name_in_python(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "other.json").write_text('{"p": 4}')  # an empty name is not the folder
    with pytest.raises(cgcli.UsageError, match="the file name is empty"):
        cgcli.grade_class(*PQ[:1], {"x": 1, "y": 3, "z": -3}, [""])
    with pytest.raises(cgcli.UsageError, match="the file name is empty"):
        cgcli.grade(*PQ[:1], {"x": 1, "y": 3, "z": -3}, "")


def test_a_near_answer_under_exact_is_not_exact(cg):
    result = cg("check", *PQ, "--expect", "dg/dx=-3.0001", "--exact", "--format", "json")
    (answer,) = json.loads(result.stdout)["answers"]
    assert (answer["mistake"], answer["gate"], answer["diagnosis"]) == (
        "not exact", "x",
        "not exact at x: -3.0001 is close to ∂g/∂x = -3, but not exact (nor -3 rounded to the "
        "digits you wrote); --exact asks for the exact value",
    )  # fmt: skip
    result = cg("check", *PQ, "--expect", "dg/dx=-3.0001", "--format", "json")
    (answer,) = json.loads(result.stdout)["answers"]
    assert answer["mistake"] == "rounding error"


def test_a_formula_with_a_huge_power_is_graded_at_once(monkeypatch):
    """x^1000000 agrees with 4 at x = 1: exact powers at the sample points had a million
    digits (the points now decide in floats of 30 digits); SymPy's simplify has a time
    budget, here spent at once, so the points decide."""
    from cgcli.grading import formulas

    monkeypatch.setattr(formulas, "SIMPLIFY_SECONDS", 0)
    report = cgcli.grade(
        PQ[0], {"x": 1, "y": 3, "z": -3}, {"dg/dz": "4*x^1000000", "dg/dg": "x^1000000"}
    )
    assert [(a.key, a.verdict, a.diagnosis and a.diagnosis.mistake) for a in report.answers] == [
        ("dg/dg", "given", None), ("dg/dz", "wrong", "right only here")
    ]  # fmt: skip


def test_grade_class_takes_one_folder_as_a_path(tmp_path):
    """A single path string is one folder of sheets, not a list of its letters."""
    import cgcli

    (tmp_path / "ann.json").write_text('{"c": 3}')
    program, values = "c = a + b; d = b + 1; e = c * d", {"a": 2, "b": 1}
    as_string = cgcli.grade_class(program, values, str(tmp_path))
    as_list = cgcli.grade_class(program, values, [str(tmp_path)])
    assert len(as_string.sheets) == len(as_list.sheets) == 1
    assert not as_string.errors


def test_expect_grades_a_student_not_an_option(cg):
    doc = json.loads(
        cg("check", "f = x*y", "x=1", "y=2", "--expect", "f=2", "--format", "json").stdout
    )
    assert (doc["student"], doc["file"]) == ("student", "--expect")


def test_mixed_denominators_are_said_per_student(cg, tmp_path):
    """One sheet answers 4 questions, the others 7: the summary says so, and the
    gradebook notes the student whose denominator differs."""
    program, values = exercise("colah")
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ann.json").write_text('{"c": 3, "d": 2, "e": 6, "de/da": 2}')
    full = '{"values": {"c": 3, "d": 2, "e": %s}, "gradients": {"c": 2, "d": 3, "a": 2, "b": 5}}'
    (folder / "bob.json").write_text(full % 6)
    (folder / "cy.json").write_text(full % 5)
    book = tmp_path / "book.csv"
    result = cg("check", program, *values, "--answers", str(folder), "--summary", str(book))
    assert result.stdout.rstrip().endswith(
        "3 sheets graded, 2 all right; mixed denominators: 2 sheets ask 7, 1 sheet asks 4; "
        "each score is out of its own sheet's questions"
    )
    rows = list(csv.DictReader(book.read_text().splitlines()))
    assert [(r["student"], r["score"], r["asked"], r["note"]) for r in rows] == [
        ("ann", "4", "4", "mixed denominators: 4 asked, most sheets ask 7"),
        ("bob", "7", "7", ""),
        ("cy", "6", "7", ""),
    ]
    doc = json.loads(cg("check", program, *values, "--answers", str(folder), "--format",
                        "json").stdout)  # fmt: skip
    assert doc["denominators"] == {"7": 2, "4": 1}
    assert doc["mixed_denominators"].startswith("mixed denominators: 2 sheets ask 7")
    one = json.loads(cg("check", program, *values, "--answers", str(folder / "bob.json"),
                        str(folder / "cy.json"), "--format", "json").stdout)  # fmt: skip
    assert (one["denominators"], one["mixed_denominators"]) == ({"7": 2}, None)


def test_a_key_read_as_d_and_a_name_says_both_names(cg):
    """daemon is no node, and neither is aemon (daemon read as ∂/∂aemon): it said only
    "no node is called aemon", which names nothing the student wrote."""
    result = cg("check", "c = a + b", "a=2", "b=1", "--expect", "daemon=3, c=3")
    assert result.stderr == (
        "cg: warning: --expect: answer daemon: no node is called daemon, nor aemon (reading "
        "daemon as ∂/∂aemon) (nodes: a, b, c)\n"
    )


def test_python_numbers_of_every_kind_are_answers():
    """A Fraction, a Decimal and NumPy's numbers were 'an object, not a number' (missing),
    and a NumPy float64 was read as its repr, np.float64(0.5)."""
    from decimal import Decimal
    from fractions import Fraction

    import numpy as np

    report = cgcli.grade(
        "c = a + b; d = c / 2",
        {"a": 2, "b": 1},
        {
            "c": np.int64(3),
            "d": Fraction(3, 2),
            "dd/dc": np.float32(0.5),
            "dd/da": Decimal("0.50"),
            "dd/db": np.float64(0.5),
        },
    )
    assert [(a.key, a.verdict) for a in report.answers] == [
        ("c", "right"), ("d", "right"), ("dd/dc", "right"), ("dd/db", "right"),
        ("dd/da", "right"),
    ]  # fmt: skip
    assert report.problems == []
    wrong = cgcli.grade("c = a + b; d = c / 2", {"a": 2, "b": 1}, {"dd/dc": Fraction(1, 3)})
    assert [a.verdict for a in wrong.answers] == ["wrong"]


def test_a_file_named_twice_is_graded_once(cg, colah_class):
    program, values = exercise("colah")
    right = str(colah_class / "right.tsv")
    result = cg("check", program, *values, "--answers", right, right, str(colah_class),
                "--format", "json")  # fmt: skip
    students = [s["student"] for s in json.loads(result.stdout)["students"]]
    assert students.count("right") == 1 and len(students) == 4


def test_cgs_own_gradebook_given_as_the_sheets(cg, colah_class):
    """Alone it is refused, saying what it is (it said 'no header row'); among the sheets
    named (class/*), it is skipped as it is in a folder."""
    program, values = exercise("colah")
    book = colah_class.parent / "book.csv"
    cg("check", program, *values, "--answers", str(colah_class), "--summary", str(book))
    alone = cg("check", program, *values, "--answers", str(book))
    assert (alone.exit_code, alone.stderr) == (
        2,
        f"cg: usage error: {book} is cg's gradebook (an earlier --summary), not a sheet; give "
        "the students' sheets\n",
    )
    among = cg("check", program, *values, "--answers", str(colah_class / "right.tsv"), str(book))
    assert among.exit_code == 0
    assert f"cg: warning: {book}: skipped: cg's gradebook" in among.stderr


def test_a_weight_too_large_to_sum_is_refused(cg, colah_class, tmp_path):
    """1e308 points gave a total of inf."""
    program, values = exercise("colah")
    weights = tmp_path / "w.csv"
    weights.write_text("answer,weight\nc,1e308\n", encoding="utf-8")
    result = cg("check", program, *values, "--answers", str(colah_class), "--weights",
                str(weights))  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        2,
        f"cg: usage error: {weights}: row 2: the weight of c is over 1e+12 points (a sum of "
        "such weights would not be a number)\n",
    )
    with pytest.raises(cgcli.ArgumentValueError):
        cgcli.grade(program, dict(a=2, b=1), {"c": 3}, weights={"c": 1e308})


def test_a_hard_link_to_a_sheet_is_that_sheet(cg, colah_class):
    """Two names of one file: it was '2 sheets say they are by right', neither graded."""
    import os

    program, values = exercise("colah")
    os.link(colah_class / "right.tsv", colah_class / "right-again.tsv")
    doc = json.loads(
        cg("check", program, *values, "--answers", str(colah_class), "--format", "json").stdout
    )
    students = [s["student"] for s in doc["students"]]
    assert len(students) == 4 and len({"right", "right-again"} & set(students)) == 1


def test_a_decimal_nan_is_no_answer_not_a_crash():
    from decimal import Decimal

    report = cgcli.grade("c = a + b", {"a": 2, "b": 1}, {"c": Decimal("sNaN")})
    assert ([a.verdict for a in report.answers], report.problems) == (
        ["missing"],
        ["answer c: not a finite number"],
    )
