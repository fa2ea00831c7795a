"""Planted mistakes, carried down: a simulated student works each textbook exercise by
hand (forward pass, then the chain rule node by node), makes one mistake at one gate,
and carries it down. Every wrong answer must be named as that mistake at that gate, or
as carried from it; the sheet is written in full, with only the inputs' gradients, at
full precision and rounded to four significant digits as course notes round.

The student's arithmetic is written here, apart from cg's grader: the op table's
forward functions and local derivatives, with the mistake replacing one of them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import cgcli
from cgcli import parse
from cgcli.core.ir import COPY, INPUT, NUMBER
from cgcli.core.ops import op_for

EXERCISES = json.loads((Path(__file__).parent / "sheets" / "exercises.json").read_text())


def student_sheet(name, *, forward=None, local=None, use=None, digits=None, only_inputs=False):
    """The answers of a student who makes one mistake and carries it down.

    ``forward``: (label, f(args, right) -> value) at one node; ``local``: (gate label or
    text, slot, f(args, out, right) -> local derivative); ``use``: (gate, slot, factor)
    scales one use in the sum over a node's uses (0: left out, 2: counted twice).
    """
    entry = EXERCISES[name]
    graph = parse(entry["program"]).bind_constants(entry["values"])

    def named(node, wanted):
        return wanted in (graph.label(node), f"text:{graph.text(node)}")

    def rounded(x):
        return float(f"{x:.{digits}g}") if digits else x

    needs = graph.depends_on_input()
    values: list[float] = []
    for node in graph.nodes:
        if node.op == INPUT:
            value = float(entry["values"][node.name])
        elif node.op == NUMBER:
            value = float(node.literal)
        elif node.op == COPY:
            value = values[node.inputs[0]]
        else:
            args = [values[i] for i in node.inputs]
            value = op_for(node.op).forward(*args)
            if forward and named(node, forward[0]):
                value = forward[1](args, value)
            value = rounded(value) if needs[node.index] else value
        values.append(value)
    grads = [0.0] * len(graph.nodes)
    grads[graph.output] = 1.0
    for index in range(graph.output, -1, -1):
        node = graph.nodes[index]
        grads[index] = rounded(grads[index])
        if not needs[index] or not node.inputs:
            continue
        args = [values[i] for i in node.inputs]
        partials = op_for(node.op).partials(*args, values[index])
        for slot, (i, partial) in enumerate(zip(node.inputs, partials, strict=True)):
            if local and named(node, local[0]) and slot == local[1]:
                partial = local[2](args, values[index], partial)
            if use and named(node, use[0]) and slot == use[1]:
                partial *= use[2]
            grads[i] += grads[index] * partial
    out = graph.label(graph.nodes[graph.output])
    answers = {}
    for node in graph.nodes:
        if needs[node.index] and node.inputs and not only_inputs:
            answers[graph.label(node)] = values[node.index]
    for node in graph.nodes[: graph.output]:
        if needs[node.index] and (node.op == INPUT or not only_inputs):
            answers[f"d{out}/d{graph.label(node)}"] = grads[node.index]
    return entry, {key: (f"{v:.{digits}g}" if digits else repr(v)) for key, v in answers.items()}


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


PLANTED = [
    # (exercise, mistake, gate, how the student makes it)
    ("cs231n-circuit", "inputs swapped", "f", dict(local=("f", 0, lambda a, o, p: a[0]))),
    ("cs231n-circuit", "sign error", "f", dict(local=("f", 0, lambda a, o, p: -p))),
    ("cs231n-circuit", "wrong local derivative", "q", dict(local=("q", 0, lambda a, o, p: a[1]))),
    ("cs231n-circuit", "wrong operation", "q", dict(forward=("q", lambda a, v: a[0] * a[1]))),
    ("cs231n-neuron", "wrong local derivative", "f",
     dict(local=("f", 1, lambda a, o, p: a[0] / a[1] ** 2))),  # d(1/x) taken as 1/x²
    ("cs231n-neuron", "wrong local derivative", "f",
     dict(local=("f", 1, lambda a, o, p: -a[0] / a[1]))),  # d(1/x) taken as −1/x
    ("cs231n-neuron", "wrong local derivative", "e",
     dict(local=("e", 0, lambda a, o, p: 1 / a[0]))),  # exp' taken as 1/x
    ("cs231n-neuron", "sign error", "m", dict(local=("m", 0, lambda a, o, p: -p), full=True)),
    ("colah", "missing term", "b", dict(use=("d", 0, 0))),
    ("colah", "extra term", "b", dict(use=("d", 0, 2))),
    ("colah", "upstream gradient alone", "e", dict(local=("e", 0, lambda a, o, p: 1.0))),
    ("mazur", "wrong local derivative", "out_o1",
     dict(local=("out_o1", 0, lambda a, o, p: o))),  # σ' taken as σ
    ("mazur", "wrong local derivative", "out_h1",
     dict(local=("out_h1", 0, lambda a, o, p: 1 - o))),  # σ' taken as 1 − σ
    ("mazur", "sign error", "text:t1 - out_o1",
     dict(local=("text:t1 - out_o1", 1, lambda a, o, p: -p))),
    ("mazur", "wrong local derivative", "text:(t1 - out_o1)^2",
     dict(local=("text:(t1 - out_o1)^2", 0, lambda a, o, p: a[0]))),  # the power rule's 2
    ("mazur", "missing term", "out_h1",
     dict(use=("text:w7*out_h1", 1, 0))),
    ("mazur", "inputs swapped", "text:w5*out_h1",
     dict(local=("text:w5*out_h1", 0, lambda a, o, p: a[0]))),
    ("micrograd-neuron", "wrong local derivative", "o",
     dict(local=("o", 0, lambda a, o, p: 1 - o))),  # tanh' taken as 1 − tanh
    ("micrograd-neuron", "inputs swapped", "x1w1",
     dict(local=("x1w1", 0, lambda a, o, p: a[0]))),
    ("micrograd-reuse", "missing term", "a", dict(use=("b", 1, 0))),
]  # fmt: skip


@pytest.mark.parametrize("digits", [None, 4])
@pytest.mark.parametrize("only_inputs", [False, True])
@pytest.mark.parametrize(("name", "mistake", "gate", "how"), PLANTED)
def test_planted_mistake(name, mistake, gate, how, digits, only_inputs):
    how = dict(how)
    if how.pop("full", False) and only_inputs:
        pytest.skip("with only the inputs' gradients, a sign lost at m or at f looks the same")
    entry, answers = student_sheet(name, digits=digits, only_inputs=only_inputs, **how)
    report = cgcli.grade(entry["program"], entry["values"], answers)
    graph = parse(entry["program"])
    if gate.startswith("text:"):
        gate = next(graph.label(n) for n in graph.nodes if graph.text(n) == gate[5:])
    wrong = [a for a in report.answers if a.asked and not a.right]
    if digits:  # four digits at every step: some answers drift by their last digit
        wrong = [a for a in wrong if a.diagnosis.mistake != "rounding error"]
    assert wrong, "the planted mistake changes some answer"
    for answer in wrong:
        diagnosis = answer.diagnosis
        assert diagnosis.gate == gate, (answer.key, diagnosis.text)
        assert diagnosis.mistake in (mistake, "carried"), (answer.key, diagnosis.text)
        if diagnosis.mistake == "carried":
            assert diagnosis.root == mistake
    assert any(a.diagnosis.mistake == mistake for a in wrong)


@pytest.mark.parametrize("digits", [None, 2, 4])
@pytest.mark.parametrize("name", list(EXERCISES))
def test_right_sheets_rounded_as_course_notes_round(name, digits):
    """The true numbers, rounded to a few significant digits (trailing zeros dropped, as
    JSON and Python write them): all right."""
    entry = EXERCISES[name]
    result = cgcli.evaluate(entry["program"], entry["values"], check=False)

    def shown(x):
        return repr(float(f"{x:.{digits}g}")) if digits else repr(x)

    answers = {}
    for row in result.nodes:
        if row.grad is not None and row.node.inputs:
            answers[row.label] = shown(row.value)
        if row.grad is not None and row.node.index != result.graph.output:
            answers[f"d{result.output}/d{row.label}"] = shown(row.grad)
    report = cgcli.grade(entry["program"], entry["values"], answers)
    assert report.ok, [(a.key, a.given.text, a.correct) for a in report.answers if not a.right]
