"""Every number a diagnosis prints can be recomputed from the numbers printed beside it:
in ``1 - 0.66² = 0.5644`` or ``(-0.9052) · 0.247753 = -0.224266`` the result is the
arithmetic of the numbers shown, to the digits shown. Checked over every diagnosis of
the planted class (tests/planted_class.py) and of each catalogue entry's case.

The arithmetic is read here by a small evaluator of the printed notation (``·``, ``²``,
``^``, σ and the op table's functions), apart from cg's own code.
"""

from __future__ import annotations

import ast
import itertools
import math
import re

import pytest
from planted_class import measure
from test_grading import CATALOGUE_CASES

import cgcli

FUNCTIONS = {
    "σ": lambda x: 1 / (1 + math.exp(-x)),
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
    **{name: getattr(math, name) for name in ("exp", "log", "sqrt", "sin", "cos", "tan", "tanh")},
}
NUMERIC = re.compile(r"^[-+0-9.e()·/²^* a-zσ]+$")
NUMBER = re.compile(r"^\(?(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\)?")
OPERATOR = re.compile(r"[\d)²]\s*[·/^+*-]\s*[\d(-]|[a-zσ]+\(|\d²")


def evaluate(text: str) -> float:
    """A printed formula of numbers, evaluated."""
    source = text.replace("·", "*").replace(" ^ ", "^").replace("²", "**2").replace("^", "**")
    tree = ast.parse(source, mode="eval")

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp):
            a, b = walk(node.left), walk(node.right)
            operations = {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}
            if isinstance(node.op, ast.Div):
                return a / b
            if isinstance(node.op, ast.Pow):
                return a**b
            return operations[type(node.op)]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return FUNCTIONS[node.func.id](*(walk(a) for a in node.args))
        raise ValueError(ast.dump(node))

    return walk(tree)


LITERAL = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")
SHOWN = 5e-6
"""A number shown at six significant digits is within this share of the one computed."""


def _spread(text: str) -> float:
    """How far the formula's value moves when each number in it moves by the rounding
    of six significant digits (the numbers a student wrote are exact; those cg computed
    are shown to six digits)."""
    value, total = evaluate(text), 0.0
    for match in LITERAL.finditer(text):
        literal = match.group(0)
        moved = repr(float(literal) * (1 + SHOWN))
        total += abs(evaluate(text[: match.start()] + moved + text[match.end() :]) - value)
    return total


def equations(diagnosis: str) -> list[tuple[str, str]]:
    """(formula of numbers, the number printed as its result) in a diagnosis."""
    found = []
    for clause in re.split(r"; |: ", diagnosis):
        pieces = [p.strip() for p in clause.split(" = ")]
        for left, right in itertools.pairwise(pieces):
            result = NUMBER.match(right)
            if (
                result
                and NUMERIC.match(left)
                and OPERATOR.search(left)
                and not re.search(
                    r"[a-z]",
                    re.sub(r"(exp|log|sqrt|sin|cos|tan|tanh|sigmoid)\(|e[-+]?\d", "", left),
                )
            ):
                found.append((left, result.group(1)))
    return found


def check(diagnosis: str) -> list[str]:
    """The equations of a diagnosis whose result is not its formula's arithmetic."""
    wrong = []
    for left, right in equations(diagnosis):
        value, printed = evaluate(left), float(right)
        allowed = SHOWN * abs(printed) + _spread(left) + 1e-12
        if not abs(value - printed) <= allowed:
            wrong.append(f"{left} = {right} (it is {value:.6g}) in: {diagnosis}")
    return wrong


SYMBOL = r"∂[^\s/]+/∂[^\s·]+(?: \(local\))?"
QUOTED = re.compile(
    rf"(?<!· )(?<![·\w])({SYMBOL}) = \(?(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\)?(?![\d.]| [·+*/^-])"
)
"""``symbol = number`` in a sentence (not a product's last factor, not a formula)."""
PRODUCT = re.compile(rf"^({SYMBOL}) · ({SYMBOL})$")
FACTOR = re.compile(r"^\(?(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\)?$")


def chain_factors(diagnosis: str) -> list[tuple[str, str]]:
    """(symbol, the number written for it) of each factor of a chain rule printed as
    ``∂f/∂q · ∂q/∂x (local) + ... = (-4) · 1 + ... = -4``."""
    found = []
    for clause in re.split(r"; |: ", diagnosis):
        pieces = [p.strip() for p in clause.split(" = ")]
        for names, numbers in itertools.pairwise(pieces):
            terms, values = names.split(" + "), numbers.split(" + ")
            if len(terms) != len(values) or not all(PRODUCT.match(t) for t in terms):
                continue
            for term, value in zip(terms, values, strict=True):
                factors = [FACTOR.match(v.strip()) for v in value.split(" · ")]
                if len(factors) == 2 and all(factors):
                    symbols = PRODUCT.match(term).groups()
                    found += [(m, f.group(1)) for m, f in zip(symbols, factors, strict=True)]
    return found


def disagreeing(diagnosis: str) -> list[str]:
    """The numbers a diagnosis quotes for a symbol in its sentence (``the upstream
    ∂L/∂h = -1.99``) that differ from the number the same symbol has in its chain rule
    (beyond the rounding of six significant digits)."""
    in_chain: dict[str, set[float]] = {}
    for symbol, number in chain_factors(diagnosis):
        in_chain.setdefault(symbol, set()).add(float(number))
    wrong = []
    for symbol, number in QUOTED.findall(diagnosis):
        shown = in_chain.get(symbol, ())
        if shown and not any(abs(float(number) - v) <= SHOWN * abs(v) + 1e-12 for v in shown):
            wrong.append(f"{symbol} = {number}, but {sorted(in_chain[symbol])} in: {diagnosis}")
    return wrong


def test_the_evaluator_reads_the_notation():
    assert evaluate("1 - 0.66²") == pytest.approx(0.5644)
    assert evaluate("(-0.9052) · 0.247753") == pytest.approx(-0.224266, abs=1e-6)
    assert evaluate("σ(1)") == pytest.approx(0.731059, abs=1e-6)
    assert equations("x: ∂h/∂v2 (local) = 1 - tanh(v2)² = 1 - 0.66² = 0.5644; you used") == [
        ("1 - 0.66²", "0.5644")
    ]
    assert check("∂h/∂v2 (local) = 1 - tanh(v2)² = 1 - 0.66² = 0.559055; you") != []
    inconsistent = (
        "this is only the local derivative ∂h/∂z (local) = 0.756951; multiply it by the "
        "upstream ∂L/∂h = -1.99: ∂L/∂z = ∂L/∂h · ∂h/∂z (local) = (-1.98598) · 0.756963 = -1.50331"
    )
    assert chain_factors(inconsistent) == [("∂L/∂h", "-1.98598"), ("∂h/∂z (local)", "0.756963")]
    assert len(disagreeing(inconsistent)) == 2
    assert disagreeing(inconsistent.replace("(-1.98598) · 0.756963", "(-1.99) · 0.756951")) == []


def test_every_diagnosis_of_the_planted_class_adds_up(tmp_path):
    diagnoses = measure(tmp_path).diagnoses
    shown = [eq for d in diagnoses for eq in equations(d)]
    assert len(shown) > 400  # the test reads the arithmetic of most diagnoses
    assert [w for d in diagnoses for w in check(d)] == []
    assert sum(len(chain_factors(d)) for d in diagnoses) > 100
    assert [w for d in diagnoses for w in disagreeing(d)] == []


@pytest.mark.parametrize("name", list(CATALOGUE_CASES))
def test_every_catalogue_diagnosis_adds_up(name):
    program, values, answers, *_ = CATALOGUE_CASES[name]
    pairs = dict(part.split("=", 1) for part in answers.split(", "))
    report = cgcli.grade(program, dict(v.split("=", 1) for v in values), pairs)
    for answer in report.answers:
        if answer.diagnosis:
            assert check(answer.diagnosis.text) == []
            assert disagreeing(answer.diagnosis.text) == []


TANH = "p = w*x; z = p + b; h = tanh(z); e = h - t; L = e^2"


def test_local_derivative_alone_quotes_the_numbers_it_multiplies():
    """The student's ∂L/∂h = -1.99 and h = -0.493 (so ∂h/∂z = 1 - 0.493² = 0.756951):
    the sentence and the chain rule use that one pair, -1.99 · 0.756951 = -1.50633."""
    values = {"w": "0.7", "x": "-1.2", "b": "0.3", "t": "0.5"}
    report = cgcli.grade(TANH, values, {"h": "-0.493", "dL/dh": "-1.99", "dL/dz": "0.757"})
    (wrong,) = [a for a in report.answers if a.diagnosis]
    text = wrong.diagnosis.text
    assert wrong.diagnosis.mistake == "local derivative alone"
    assert ("∂L/∂h", "-1.99") in chain_factors(text)
    assert ("∂h/∂z (local)", "0.756951") in chain_factors(text)
    assert disagreeing(text) == [] and check(text) == []
