"""A class of planted answer sheets, and how well cg's diagnoses name what was planted.

A simulated student works each problem by hand, as a course teaches: the forward pass,
then the chain rule node by node, with each local derivative in the textbook's form
from the numbers on their sheet (σ' as σ·(1 - σ) from their own σ, tanh' as 1 - tanh²,
exp' as the gate's own value). They make one mistake at one gate (a wrong local
derivative, a slip in the forward pass, a term left out) and carry it down, rounding as
they go or not. The arithmetic is written here, apart from cg's grader.

:func:`measure` grades the whole class and counts, as issue 23 measures them: the
root-cause gate right, the kind of mistake right, carried answers marked carried, right
sheets accepted and wrong sheets flagged. ``python tests/planted_class.py`` prints them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

PROBLEMS = {
    "circuit": ("q = x + y; f = q * z", {"x": "-2", "y": "5", "z": "-4"}),
    "neuron": (
        "dot = w0*x0 + w1*x1 + w2; m = -dot; e = exp(m); den = 1 + e; f = 1/den",
        {"w0": "2", "x0": "-1", "w1": "-3", "x1": "-2", "w2": "-3"},
    ),
    "colah": ("c = a + b; d = b + 1; e = c * d", {"a": "2", "b": "1"}),
    "tanh": (
        "h = tanh(w*x + b); loss = (h - t)^2",
        {"w": "0.8", "x": "1.5", "b": "-0.4", "t": "1"},
    ),
    "net": (
        "z1 = w1*x + b1; h1 = sigmoid(z1); z2 = w2*h1 + b2; L = (z2 - t)^2",
        {"w1": "0.5", "x": "1.2", "b1": "-0.1", "w2": "-1.5", "b2": "0.3", "t": "1"},
    ),
    "decay": ("r = w*x - y; L = r^2 + lam*w^2", {"w": "0.5", "x": "1", "y": "4", "lam": "0.1"}),
    "logistic": (
        "u = w*x + b; p = sigmoid(u); L = -log(p)",
        {"w": "1.5", "x": "0.4", "b": "-0.2"},
    ),
    "softplus": (
        "s = exp(a*k); g = log(1 + s); out = g * c",
        {"a": "0.7", "k": "1.3", "c": "2"},
    ),
    "ratio": ("n = x*x + y; d = x + 2*y; r = n / d", {"x": "1.5", "y": "0.5"}),
    "reuse": ("b = a + a; c = b * w", {"a": "3", "w": "0.5"}),
}


def _forward(op: str, args: list[float]) -> float:
    a = args[0]
    b = args[1] if len(args) > 1 else 0.0
    return {
        "add": lambda: a + b,
        "sub": lambda: a - b,
        "mul": lambda: a * b,
        "div": lambda: a / b,
        "pow": lambda: a**b,
        "neg": lambda: -a,
        "exp": lambda: math.exp(a),
        "log": lambda: math.log(a),
        "sigmoid": lambda: 1 / (1 + math.exp(-a)),
        "tanh": lambda: math.tanh(a),
    }[op]()


def _locals(op: str, args: list[float], out: float) -> list[float]:
    """The textbook's local derivatives, from the numbers on the sheet (the gate's own
    value for σ, tanh and exp)."""
    a = args[0]
    b = args[1] if len(args) > 1 else 0.0
    return {
        "add": lambda: [1.0, 1.0],
        "sub": lambda: [1.0, -1.0],
        "mul": lambda: [b, a],
        "div": lambda: [1 / b, -a / b**2],
        "pow": lambda: [b * a ** (b - 1), out * math.log(a) if a > 0 else 0.0],
        "neg": lambda: [-1.0],
        "exp": lambda: [out],
        "log": lambda: [1 / a],
        "sigmoid": lambda: [out * (1 - out)],
        "tanh": lambda: [1 - out * out],
    }[op]()


@dataclass
class Plant:
    """One planted mistake: which problem, what cg should name, and how it is made."""

    problem: str
    kind: str
    gate: str
    """The gate's label, or ``text:`` and its text."""
    forward: object = None
    """(gate, f(args, right) -> the student's value)."""
    local: object = None
    """(gate, slot, f(args, out, right) -> the student's local derivative)."""
    swap: str | None = None
    """A two-input gate whose two local derivatives the student exchanged."""
    use: object = None
    """(gate, slot, factor): one use of a node left out (0) or counted twice (2)."""


PLANTS = [
    Plant("circuit", "inputs swapped", "f", swap="f"),
    Plant("circuit", "sign error", "f", local=("f", 0, lambda a, o, p: -p)),
    Plant("circuit", "wrong operation", "q", forward=("q", lambda a, v: a[0] * a[1])),
    Plant("circuit", "upstream gradient alone", "f", local=("f", 1, lambda a, o, p: 1.0)),
    Plant("neuron", "wrong local derivative", "f",
          local=("f", 1, lambda a, o, p: a[0] / a[1] ** 2)),
    Plant("neuron", "wrong local derivative", "e", local=("e", 0, lambda a, o, p: 1 / a[0])),
    Plant("neuron", "sign error", "text:-dot", forward=("text:-dot", lambda a, v: -v)),
    Plant("colah", "missing term", "b", use=("d", 0, 0)),
    Plant("colah", "extra term", "b", use=("d", 0, 2)),
    Plant("colah", "inputs swapped", "e", swap="e"),
    Plant("tanh", "wrong local derivative", "h", local=("h", 0, lambda a, o, p: 1 - o)),
    Plant("tanh", "no common mistake", "h", forward=("h", lambda a, v: v - 0.07)),
    Plant("tanh", "inputs swapped", "text:w*x", swap="text:w*x"),
    Plant("tanh", "sign error", "text:h - t", local=("text:h - t", 1, lambda a, o, p: -p)),
    Plant("net", "wrong local derivative", "h1", local=("h1", 0, lambda a, o, p: o)),
    Plant("net", "wrong local derivative", "h1", local=("h1", 0, lambda a, o, p: 1 - o)),
    Plant("net", "no common mistake", "h1", forward=("h1", lambda a, v: 0.5474)),
    Plant("net", "inputs swapped", "text:w2*h1", swap="text:w2*h1"),
    Plant("net", "wrong local derivative", "L", local=("L", 0, lambda a, o, p: a[0])),
    Plant("decay", "missing term", "w", use=("text:w^2", 0, 0)),
    Plant("decay", "wrong local derivative", "text:w^2",
          local=("text:w^2", 0, lambda a, o, p: a[0])),
    Plant("decay", "sign error", "r", local=("r", 1, lambda a, o, p: -p)),
    Plant("logistic", "wrong local derivative", "p", local=("p", 0, lambda a, o, p: o)),
    Plant("logistic", "wrong local derivative", "text:log(p)",
          local=("text:log(p)", 0, lambda a, o, p: math.exp(a[0]))),
    Plant("logistic", "sign error", "L", local=("L", 0, lambda a, o, p: -p)),
    Plant("softplus", "wrong local derivative", "s", local=("s", 0, lambda a, o, p: a[0] * o)),
    Plant("softplus", "inputs swapped", "out", swap="out"),
    Plant("softplus", "wrong operation", "g", forward=("g", lambda a, v: math.exp(a[0]))),
    Plant("ratio", "wrong local derivative", "r", local=("r", 1, lambda a, o, p: -a[0] / a[1])),
    Plant("ratio", "inputs swapped", "r", forward=("r", lambda a, v: a[1] / a[0])),
    Plant("reuse", "missing term", "a", use=("b", 1, 0)),
    Plant("reuse", "inputs swapped", "c", swap="c"),
]  # fmt: skip


@dataclass
class Sheet:
    """One student's sheet: the answers by label, and what cg should say of them."""

    name: str
    program: str
    values: dict
    answers: dict[str, str]
    plant: Plant | None = None
    gate: str | None = None
    digits: int | None = None
    carried: set[str] = field(default_factory=set)
    """The answers that follow, by a right step, from the student's own wrong ones."""
    changed: bool = False
    """Whether the mistake changes any answer on the sheet."""


def student(problem: str, plant: Plant | None, digits: int | None, only_inputs: bool) -> Sheet:
    """A student's sheet of ``problem``, with ``plant`` made and carried down."""
    from cgcli import parse
    from cgcli.core.ir import COPY, INPUT, NUMBER

    program, given = PROBLEMS[problem]
    graph = parse(program).bind_constants(given)

    def named(node, wanted):
        return wanted is not None and wanted in (graph.label(node), f"text:{graph.text(node)}")

    def rounded(x):
        return float(f"{x:.{digits}g}") if digits else x

    def off(mine, truth):
        return abs(mine - truth) > (1e-3 if digits else 1e-9) * abs(truth) + 1e-12

    needs = graph.depends_on_input()
    out = graph.label(graph.nodes[graph.output])
    written_values = {
        n.index for n in graph.nodes if needs[n.index] and n.inputs and not only_inputs
    }
    written_grads = {
        n.index
        for n in graph.nodes[: graph.output]
        if needs[n.index] and (n.op == INPUT or not only_inputs)
    }
    truth_values: list[float] = []
    values: list[float] = []
    from_written = []  # per node: its value is off through a written wrong answer
    for node in graph.nodes:
        if node.op == INPUT:
            value = truth = float(given[node.name])
        elif node.op == NUMBER:
            value = truth = float(node.literal)
        elif node.op == COPY:
            value, truth = values[node.inputs[0]], truth_values[node.inputs[0]]
        else:
            args = [values[i] for i in node.inputs]
            truth = _forward(node.op, [truth_values[i] for i in node.inputs])
            value = _forward(node.op, args)
            if plant and plant.forward and named(node, plant.forward[0]):
                value = plant.forward[1](args, value)
            value = rounded(value) if needs[node.index] else value
        truth_values.append(truth)
        values.append(value)
        through = any(
            (i in written_values and off(values[i], truth_values[i])) or from_written[i]
            for i in node.inputs
        )
        from_written.append(through)
    truth_grads, _ = _backward(graph, truth_values)
    value_off = [
        (i in written_values and off(values[i], truth_values[i])) or from_written[i]
        for i in range(len(graph.nodes))
    ]
    grads, grad_from = _backward(
        graph, values, plant, named, rounded, value_off, truth_grads, written_grads
    )
    grad_from = [
        g and not (i in written_grads and not off(grads[i], truth_grads[i]))
        for i, g in enumerate(grad_from)
    ]
    sheet = Sheet(f"{problem}", program, given, {}, plant, digits=digits)
    for index in sorted(written_values):
        label = graph.label(graph.nodes[index])
        sheet.answers[label] = _text(values[index], digits)
        sheet.changed |= off(values[index], truth_values[index])
        if off(values[index], truth_values[index]) and from_written[index]:
            sheet.carried.add(label)
    for index in sorted(written_grads):
        key = f"d{out}/d{graph.label(graph.nodes[index])}"
        sheet.answers[key] = _text(grads[index], digits)
        sheet.changed |= off(grads[index], truth_grads[index])
        if off(grads[index], truth_grads[index]) and grad_from[index]:
            sheet.carried.add(key)
    if plant:
        gate = plant.gate
        if gate.startswith("text:"):
            gate = next(graph.label(n) for n in graph.nodes if graph.text(n) == gate[5:])
        sheet.gate = gate
    return sheet


def _text(x: float, digits: int | None) -> str:
    return f"{x:.{digits}g}" if digits else repr(x)


def _backward(
    graph, values, plant=None, named=None, rounded=None, value_off=None, truth=None,
    written_grads=(),
):  # fmt: skip
    """The student's chain rule, node by node; and for each node whether its gradient
    follows from one of their written wrong answers: an upstream gradient they wrote
    wrong (``truth``: the true gradients), or a value the local derivative uses that is
    off through their own written answers (``value_off``)."""
    grads = [0.0] * len(graph.nodes)
    grads[graph.output] = 1.0
    needs = graph.depends_on_input()
    through = [False] * len(graph.nodes)
    for index in range(graph.output, -1, -1):
        node = graph.nodes[index]
        if rounded:
            grads[index] = rounded(grads[index])
        if not needs[index] or not node.inputs:
            continue
        args = [values[i] for i in node.inputs]
        partials = _locals(node.op, args, values[index]) if node.op != "copy" else [1.0]
        if plant and plant.swap and named(node, plant.swap):
            partials = partials[::-1]
        carried = False
        if truth is not None:
            upstream_off = abs(grads[index] - truth[index]) > 1e-3 * abs(truth[index]) + 1e-12
            written = index in written_grads and upstream_off
            carried = (
                written
                or (index not in written_grads and through[index])
                or any(value_off[i] for i in (index, *node.inputs))
            )
        for slot, (i, partial) in enumerate(zip(node.inputs, partials, strict=True)):
            if plant and plant.local and named(node, plant.local[0]) and slot == plant.local[1]:
                partial = plant.local[2](args, values[index], partial)
            if plant and plant.use and named(node, plant.use[0]) and slot == plant.use[1]:
                partial *= plant.use[2]
            grads[i] += grads[index] * partial
            through[i] = through[i] or carried
    return grads, through


FORMATS = ("json", "txt", "csv", "md", "tsv")


def write(sheet: Sheet, path: Path, fmt: str) -> Path:
    """The sheet as a file a student hands in, in one of the formats cg reads."""
    out = next(iter(k for k in sheet.answers if k.startswith("d")), "")
    rows: dict[str, list[str]] = {}
    grads: dict[str, str] = {}
    values: dict[str, str] = {}
    for key, text in sheet.answers.items():
        if "/" in key and key.startswith("d"):
            label = key.split("/d", 1)[1]
            grads[label] = text
        else:
            values[key] = text
    for label in [*values, *grads]:
        rows.setdefault(label, [values.get(label, ""), grads.get(label, "")])
    output = out.split("/", 1)[0][1:] if out else "f"
    file = path.with_suffix("." + fmt)
    if fmt == "json":
        text = json.dumps({"values": values, "gradients": grads})
    elif fmt == "txt":
        text = "\n".join(f"{k} = {v}" for k, v in sheet.answers.items()) + "\n"
    elif fmt in ("csv", "tsv"):
        sep = "," if fmt == "csv" else "\t"
        lines = [sep.join(("node", "value", "grad"))]
        lines += [sep.join((label, v, g)) for label, (v, g) in rows.items()]
        text = "\n".join(lines) + "\n"
    else:
        lines = [f"| node | value | ∂{output}/∂node |", "| --- | ---: | ---: |"]
        lines += [f"| {label} | {v} | {g} |" for label, (v, g) in rows.items()]
        text = "\n".join(lines) + "\n"
    file.write_text(text, encoding="utf-8")
    return file


def wrong_sheets() -> list[Sheet]:
    """Every plant, on a full sheet and on the inputs' gradients alone, at full
    precision and rounded to four significant digits at every step."""
    sheets = []
    for plant in PLANTS:
        for only_inputs in (False, True):
            if only_inputs and plant.kind == "no common mistake":
                continue  # a slip in the forward pass shows only where its value is written
            for digits in (None, 4):
                sheet = student(plant.problem, plant, digits, only_inputs)
                if sheet.changed:  # σ'(-x) = σ'(x): a sign lost in σ's input may show nowhere
                    sheets.append(sheet)
    return sheets


def right_sheets() -> list[Sheet]:
    """Every problem, worked right: at full precision, the true numbers rounded to 2, 3
    and 4 significant digits, and carried at 4 digits along the way."""
    import cgcli

    sheets = []
    for problem, (program, given) in PROBLEMS.items():
        result = cgcli.evaluate(program, given, check=False)
        for digits in (None, 2, 3):
            answers = {}
            for row in result.nodes:
                if row.grad is not None and row.node.inputs:
                    answers[row.label] = _text(row.value, digits)
                if row.grad is not None and row.node.index != result.graph.output:
                    answers[f"d{result.output}/d{row.label}"] = _text(row.grad, digits)
            sheets.append(Sheet(problem, program, given, answers, digits=digits))
        sheets.append(student(problem, None, 4, False))
    return sheets


@dataclass
class Measure:
    """The counts of issue 23's table: (right, of) for each line."""

    gate: list[int] = field(default_factory=lambda: [0, 0])
    kind: list[int] = field(default_factory=lambda: [0, 0])
    carried: list[int] = field(default_factory=lambda: [0, 0])
    accepted: list[int] = field(default_factory=lambda: [0, 0])
    flagged: list[int] = field(default_factory=lambda: [0, 0])
    misses: list[str] = field(default_factory=list)
    diagnoses: list[str] = field(default_factory=list)
    """Every diagnosis printed, for the test that recomputes their arithmetic."""

    def lines(self) -> list[str]:
        return [
            f"root-cause gate right         {self.gate[0]}/{self.gate[1]}",
            f"kind of mistake right         {self.kind[0]}/{self.kind[1]}",
            f"carried answers marked carried {self.carried[0]}/{self.carried[1]}",
            f"right sheets accepted         {self.accepted[0]}/{self.accepted[1]}",
            f"wrong sheets flagged          {self.flagged[0]}/{self.flagged[1]}",
        ]


def measure(folder: Path) -> Measure:
    """Write every planted sheet into ``folder`` (the formats in turn), grade each
    file, and count."""
    import cgcli

    result = Measure()
    for n, sheet in enumerate(right_sheets()):
        file = write(sheet, folder / f"right-{n:03d}-{sheet.name}", FORMATS[n % len(FORMATS)])
        report = cgcli.grade(sheet.program, sheet.values, file)
        result.accepted[1] += 1
        result.accepted[0] += report.ok
        if not report.ok:
            bad = [
                (a.key, a.given.text if a.given else None) for a in report.answers if not a.right
            ]
            result.misses.append(f"right sheet {file.name} not accepted: {bad}")
    for n, sheet in enumerate(wrong_sheets()):
        file = write(sheet, folder / f"wrong-{n:03d}-{sheet.name}", FORMATS[n % len(FORMATS)])
        report = cgcli.grade(sheet.program, sheet.values, file)
        result.diagnoses += [a.diagnosis.text for a in report.answers if a.diagnosis]
        kind = sheet.plant.kind
        result.flagged[1] += 1
        result.flagged[0] += not report.ok
        if report.ok:
            result.misses.append(f"wrong sheet {file.name} accepted: {sheet.answers}")
        wrong = [a for a in report.answers if a.asked and not a.right]
        if sheet.digits:  # four digits at every step: some answers drift by their last digit
            wrong = [a for a in wrong if a.diagnosis.mistake != "rounding error"]
        if not wrong:
            continue
        gate_ok = all(a.diagnosis.gate == sheet.gate for a in wrong)
        kind_ok = all(
            a.diagnosis.mistake == kind
            or (a.diagnosis.mistake == "carried" and a.diagnosis.root == kind)
            for a in wrong
        ) and any(a.diagnosis.mistake == kind for a in wrong)
        result.gate[1] += 1
        result.gate[0] += gate_ok
        result.kind[1] += 1
        result.kind[0] += kind_ok
        by_key = {a.key: a for a in report.answers}
        for key in sheet.carried:
            answer = by_key.get(key)
            if answer is None or (
                answer.diagnosis and answer.diagnosis.mistake == "rounding error"
            ):
                continue
            result.carried[1] += 1
            ok = answer.diagnosis is not None and answer.diagnosis.mistake == "carried"
            result.carried[0] += ok
            if not ok:
                shown = answer.diagnosis.text if answer.diagnosis else answer.verdict
                result.misses.append(f"{file.name} {key} not carried: {shown}")
        if not (gate_ok and kind_ok):
            texts = "; ".join(f"{a.key}: {a.diagnosis.text}" for a in wrong)
            result.misses.append(f"{file.name} ({kind} at {sheet.gate}): {texts}")
    return result


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        measured = measure(Path(folder))
    print("\n".join(measured.lines()))
    print("\n".join(measured.misses))
