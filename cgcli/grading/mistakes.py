"""The catalogue of mistakes: like the op table, one entry per kind of mistake.

Each entry predicts the wrong number a mistake produces and says in words what
the student did. Three shapes:

* ``LOCAL``: a wrong local derivative on one edge of the graph (σ' taken as σ,
  the inputs of a ``*`` swapped, a sign, the derivative taken as 1, a term of a
  sum left out or counted twice). The grader puts it into the chain rule at the
  answer's own gate, or replays the backward pass with it further up.
* ``FORWARD``: a wrong forward step at one node (a sign, swapped inputs, another
  operation). Used at the answer's node, or replayed further back.
* ``STEP``: a mistake in the answer as a whole (the local derivative without the
  upstream gradient, the gradient of another node or another output, two rows
  swapped, a value for a gradient).

After asking whether an answer is carried from the student's own earlier answers,
the grader (:mod:`.search`) tries every entry; of those that give the student's
number, it names the one that explains the most of the sheet's wrong answers, the
earlier entry of :data:`CATALOGUE` on a tie. Adding a kind of mistake is adding one
entry (and its case in tests/test_grading.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations

from ..core.ir import COPY
from ..core.notation import LANGUAGE
from ..core.ops import FUNCTIONS, OPERATORS, op_for
from .array_mistakes import ARRAY_KINDS
from .keys import GRAD, VALUE
from .rules import Form
from .sequence_mistakes import SEQUENCE_MISTAKES
from .views import AnswerView, EdgeView, NodeView

LOCAL, FORWARD, STEP = "local", "forward", "step"


@dataclass(frozen=True)
class Mistake:
    """One kind of mistake: where it applies and what number it predicts."""

    kind: str
    applies: str
    """VALUE or GRAD: the answers it explains."""
    shape: str
    """LOCAL, FORWARD or STEP (see the module docstring)."""
    predict: Callable[..., Iterable]
    """LOCAL: EdgeView -> (wrong local, what was used); FORWARD: NodeView -> (wrong
    value, what was computed); STEP: AnswerView -> (number, explanation, gate)."""
    swaps: bool = False
    """A LOCAL mistake that exchanges the local derivatives of a gate's two inputs: made
    once, it is replayed on both (one story for both rows)."""


def _safe(compute: Callable[[], float]) -> float:
    try:
        value = compute()
    except (ArithmeticError, ValueError, OverflowError, TypeError):
        return math.nan
    return value if isinstance(value, float | int) and math.isfinite(value) else math.nan


# --- local derivatives -------------------------------------------------------------


def _one(n):
    return n.number("1")


TEXTBOOK_FORMS: dict[tuple[str, int], list[tuple[Form, str, Callable[..., float]]]] = {
    ("add", 0): [
        (lambda n, a, b, y: b, "the rule of a * gate used for a + gate", lambda a, b, o: b)
    ],
    ("add", 1): [
        (lambda n, a, b, y: a, "the rule of a * gate used for a + gate", lambda a, b, o: a)
    ],
    ("sigmoid", 0): [
        (lambda n, a, y: y, "σ' taken as σ itself", lambda a, b, o: o),
        (lambda n, a, y: n.sub(_one(n), y), "σ' taken as 1 - σ", lambda a, b, o: 1 - o),
        (
            lambda n, a, y: n.mul(a, n.sub(_one(n), a)),
            "σ(1 - σ) with the input in place of σ",
            lambda a, b, o: a * (1 - a),
        ),
    ],
    ("tanh", 0): [
        (
            lambda n, a, y: n.sub(_one(n), y),
            "tanh' taken as 1 - tanh instead of 1 - tanh²",
            lambda a, b, o: 1 - o,
        ),
        (
            lambda n, a, y: n.sub(_one(n), n.square(a)),
            "1 - tanh² with the input in place of tanh",
            lambda a, b, o: 1 - a * a,
        ),
    ],
    ("div", 1): [
        (
            lambda n, a, b, y: n.div(a, n.square(b)),
            "the minus sign of -1/x² lost",
            lambda a, b, o: a / b**2,
        ),
        (
            lambda n, a, b, y: n.neg(n.div(a, b)),
            "d(1/x) taken as -1/x instead of -1/x²",
            lambda a, b, o: -a / b,
        ),
        (
            lambda n, a, b, y: n.neg(n.div(_one(n), n.square(b))),
            "the numerator left out",
            lambda a, b, o: -1 / b**2,
        ),
    ],
    ("div", 0): [
        (lambda n, a, b, y: b, "multiplied by the divisor instead of dividing", lambda a, b, o: b)
    ],
    ("exp", 0): [
        (lambda n, a, y: n.div(_one(n), a), "exp' taken as log' (1/x)", lambda a, b, o: 1 / a),
        (
            lambda n, a, y: n.mul(a, y),
            "d exp(x) taken as x·exp(x), the power rule's way",
            lambda a, b, o: a * o if a != -1 else math.nan,  # at -1: a sign error
        ),
    ],
    ("log", 0): [
        (
            lambda n, a, y: n.call("exp", a),
            "log' taken as exp' (exp(x))",
            lambda a, b, o: math.exp(a),
        ),
        (
            lambda n, a, y: n.neg(n.div(_one(n), n.square(a))),
            "log' taken as the derivative of 1/x",
            lambda a, b, o: -1 / a**2,
        ),
    ],
    ("sqrt", 0): [
        (
            lambda n, a, y: n.div(_one(n), y),
            "the factor 1/2 of 1/(2·sqrt(x)) lost",
            lambda a, b, o: 1 / o,
        ),
        (
            lambda n, a, y: n.div(y, n.number("2")),
            "sqrt(x)/2 instead of 1/(2·sqrt(x))",
            lambda a, b, o: o / 2,
        ),
    ],
    ("pow", 0): [
        (
            lambda n, a, b, y: n.power(a, n.sub(b, _one(n))),
            "the factor of the power rule lost",
            lambda a, b, o: a ** (b - 1),
        ),
        (
            lambda n, a, b, y: n.mul(b, n.power(a, b)),
            "the exponent not lowered by 1",
            lambda a, b, o: b * o,
        ),
    ],
    ("pow", 1): [
        (
            lambda n, a, b, y: n.mul(b, n.power(a, n.sub(b, _one(n)))),
            "the power rule used for the exponent",
            lambda a, b, o: b * a ** (b - 1),
        )
    ],
    ("softplus", 0): [
        (
            lambda n, a, y: n.call("sigmoid", n.neg(a)),
            "σ of -x",
            lambda a, b, o: 1 / (1 + math.exp(a)),
        )
    ],
    ("tan", 0): [
        (
            lambda n, a, y: n.div(_one(n), n.call("cos", a)),
            "1/cos instead of 1/cos²",
            lambda a, b, o: 1 / math.cos(a),
        )
    ],
    ("sin", 0): [
        (
            lambda n, a, y: n.neg(n.call("cos", a)),
            "the derivative of cos taken",
            lambda a, b, o: -math.cos(a),
        )
    ],
    ("cos", 0): [
        (
            lambda n, a, y: n.call("sin", a),
            "the minus sign of -sin lost",
            lambda a, b, o: math.sin(a),
        )
    ],
}
"""Per op and input slot: the usual wrong forms of its local derivative, each written like
the op table's right one (notation, operands, the gate's output), why it is wrong, and
the number it gives from a, b (0 for a one-input op) and the gate's value o."""


def textbook_forms(view: EdgeView):
    """The wrong forms of this op's derivative that textbooks warn about."""
    user = view.work.node(view.user)
    a, b, o = view.args()
    for form, why, compute in TEXTBOOK_FORMS.get((user.op, view.edge[1]), []):
        wrong = _safe(lambda compute=compute: compute(a, b, o))
        steps = [view.words.textbook(view.user, form)]
        numbers = view.words.textbook(view.user, form, view.values)
        for step in (numbers, view.words.num(wrong)):
            if step != steps[-1]:
                steps.append(step)
        yield wrong, f"{' = '.join(steps)} ({why})"


SWAPPABLE = ("mul", "div", "pow", "max", "min")
"""Gates whose two inputs get different local derivatives (for - that is a sign error)."""


def inputs_swapped(view: EdgeView):
    """The derivative with respect to the gate's other input (a ``*`` or ``/`` gate's
    inputs swapped). Not when the other input is a constant (``w^2``'s exponent): it has
    no derivative to take by mistake."""
    user = view.work.node(view.user)
    if user.op not in SWAPPABLE or user.inputs[0] == user.inputs[1]:
        return
    other = 1 - view.edge[1]
    if view.work.true_grads[user.inputs[other]] is None:
        return
    wrong = view.work.local(view.values, (view.user, other))
    symbol = op_for(user.op).symbol or user.op
    shown = view.words.local_formula(view.user, other)
    yield (
        wrong,
        f"{view.words.partial(view.user, user.inputs[other])} = {shown} = "
        f"{view.words.num(wrong)} (the inputs of the {symbol} gate swapped)",
    )


def sign_flipped(view: EdgeView):
    """The right local derivative with the wrong sign."""
    yield -view.right, f"{view.words.num(-view.right)} (the right size, the wrong sign)"


def derivative_taken_as_one(view: EdgeView):
    """The upstream gradient passed on unchanged, as if the local derivative were 1."""
    yield 1.0, f"1, passing {view.words.grad(view.user)} on unchanged"


def term_left_out(view: EdgeView):
    """One use of a node left out of the sum over its uses."""
    if len(view.work.uses[view.node]) > 1:
        yield 0.0, f"nothing for the use in {view.words.gate(view.user)}"


def term_counted_twice(view: EdgeView):
    """One use of a node counted twice in the sum over its uses."""
    if len(view.work.uses[view.node]) > 1:
        yield 2 * view.right, f"the term through {view.words.label(view.user)} twice"


def value_as_derivative(view: EdgeView):
    """A value in place of the local derivative: the gate's own, or its input's."""
    words = view.words
    yield view.values[view.user], f"the value of {words.label(view.user)}"
    yield view.values[view.node], f"the value of {words.label(view.node)}"


# --- forward steps -----------------------------------------------------------------


def value_sign(view: NodeView):
    """The right value with the wrong sign, or an op applied to a negated input."""
    work, words = view.work, view.words
    node = work.node(view.index)
    right = work.apply(node, view.args)
    yield -right, f"{words.num(-right)}: the right size, the wrong sign"
    if len(view.args) == 1 and node.op != "neg" and view.args[0] != 0:
        wrong = work.apply(node, [-view.args[0]])
        shown = words.formula(node, [LANGUAGE.neg(words.code[node.inputs[0]])])
        yield wrong, f"{shown} = {words.num(wrong)}, with the sign of the input dropped"


def value_inputs_swapped(view: NodeView):
    """A two-input op with its inputs the other way round (b − a, b / a, b^a)."""
    node = view.work.node(view.index)
    if node.op in ("sub", "div", "pow") and view.args[0] != view.args[1]:
        wrong = view.work.apply(node, view.args[::-1])
        swapped = [view.words.code[i] for i in node.inputs][::-1]
        yield wrong, f"{view.words.formula(node, swapped)} = {view.words.num(wrong)}"


def another_operation(view: NodeView):
    """Another operation on the same inputs (+ for *, sin for cos, ...)."""
    node = view.work.node(view.index)
    if node.op == COPY:
        return
    seen = {node.op}
    for other in [*OPERATORS.values(), *FUNCTIONS.values()]:
        if other.name in seen or other.arity != len(node.inputs):
            continue
        seen.add(other.name)
        wrong = _safe(lambda other=other: other.forward(*view.args))
        yield wrong, f"{view.words.formula(node, op=other.name)} = {view.words.num(wrong)}"


def operation_left_out(view: NodeView):
    """An input's value copied, as if the gate's op were not applied."""
    node = view.work.node(view.index)
    for i, value in zip(node.inputs, view.args, strict=True):
        yield value, f"the value of {view.words.label(i)}, as if {node.op} were not applied"


# --- whole answers -----------------------------------------------------------------


def rows_swapped(view: AnswerView):
    """The answers of two nodes exchanged: each is the other's right number."""
    work = view.work
    written = work.written_grads if view.kind == GRAD else work.written_values
    truth = work.true_grads if view.kind == GRAD else work.true_values
    name = view.words.grad if view.kind == GRAD else view.words.label
    mine = truth[view.index]
    for other, theirs in written.items():
        right = truth[other]
        if other == view.index or right is None or mine is None:
            continue
        if _close(theirs, mine) and not _close(right, mine):
            yield (
                right,
                f"this is {name(other)} = {view.words.num(right)}, and your {name(other)} "
                f"= {view.words.num(theirs)} is {name(view.index)}: two rows swapped",
                view.index,
            )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-3 * max(abs(a), abs(b)) + 1e-9


def whole_sign(view: AnswerView):
    """The sum of several chain-rule terms with the wrong sign."""
    if len(view.edges) > 1:
        yield (
            -view.total,
            f"the size is right, the sign is not: {view.chain}",
            view.index,
        )


def local_derivative_alone(view: AnswerView):
    """The local derivative without the upstream gradient it multiplies."""
    if all(abs(u - 1) < 1e-12 for u in view.upstream):
        return
    words = view.words
    chain = view.own_chain  # it quotes the upstream gradients and locals it uses
    edges_of: dict[int, list[int]] = {}
    for k, (user, _) in enumerate(view.edges):
        edges_of.setdefault(user, []).append(k)
    products = [up * local for up, local in zip(view.upstream, view.locals, strict=True)]
    total = sum(products)
    if len(edges_of) > 1:
        for user, mine in edges_of.items():
            if abs(view.upstream[mine[0]] - 1) <= 1e-12:
                continue
            alone = sum(view.locals[k] for k in mine)
            others = total - sum(products[k] for k in mine)
            yield (
                alone + others,
                f"the term through {words.label(user)} is only its local derivative "
                f"{words.partial(user, view.index)} = {words.num(alone)}, not multiplied by "
                f"the upstream {words.grad(user)} = {words.num(view.upstream[mine[0]])}: "
                f"{chain}",
                user,
            )
    for k, (user, _) in enumerate(view.edges):
        if len(view.edges) == 1 or abs(view.upstream[k] - 1) > 1e-12:
            alone = sum(view.locals[j] for j in edges_of[user])
            yield (
                alone,
                f"this is only the local derivative {words.partial(user, view.index)} = "
                f"{words.num(alone)}; multiply it by the upstream {words.grad(user)} = "
                f"{words.num(view.upstream[k])}: {chain}",
                user,
            )
    if len(edges_of) > 1:
        alone = sum(view.locals)
        yield alone, f"only the local derivatives, summed: {chain}", view.index


MAX_TERMS_LEFT_OUT = 12
"""A node with more uses (a weight shared by many loop steps) is not searched for every
subset of them left out: there are 2^uses."""


def terms_left_out(view: AnswerView):
    """Several uses of a node left out of the sum over its uses."""
    terms = [u * local for u, local in zip(view.upstream, view.locals, strict=True)]
    if len(terms) > MAX_TERMS_LEFT_OUT:
        return
    for size in range(2, len(terms)):
        for kept in combinations(range(len(terms)), len(terms) - size):
            names = ", ".join(view.words.label(view.edges[k][0]) for k in kept) or "none"
            yield (
                sum(terms[k] for k in kept),
                f"{view.words.label(view.index)} has {len(terms)} uses, and you kept only the "
                f"terms through {names}: {view.chain}",
                view.index,
            )


def term_of_a_non_user(view: AnswerView):
    """A term added for a gate that does not use the node (it uses a sibling input)."""
    work, words = view.work, view.words
    users = {u for u, _ in view.edges}
    for user in users:
        for sibling in work.node(user).inputs:
            if sibling == view.index:
                continue
            for other, slot in work.uses[sibling]:
                if other in users:
                    continue
                extra = work.term(work.values, work.grads, (other, slot))
                yield (
                    view.total + extra,
                    f"{words.label(view.index)} does not feed {words.gate(other)}, so the term "
                    f"{words.grad(other)}·{words.partial(other, sibling)} = {words.num(extra)} "
                    f"belongs to {words.grad(sibling)}, not here: {view.chain}",
                    view.index,
                )


def value_for_gradient(view: AnswerView):
    """The node's value written where its gradient belongs."""
    value = view.work.values[view.index]
    yield (
        value,
        f"this is the value of {view.words.label(view.index)}, not {view.words.grad(view.index)}",
        view.index,
    )


def gradient_of_another_output(view: AnswerView):
    """∂u/∂x for an intermediate node u instead of ∂f/∂x (u's gradient, not f's)."""
    work, words = view.work, view.words
    for user in range(view.index + 1, work.output):
        if work.true_grads[user] is None:
            continue
        total = work.tangents(view.index)[user]
        if total == 0:
            continue
        yield (
            total,
            f"this is ∂{words.label(user)}/∂{words.label(view.index)} = {words.num(total)}, "
            f"the gradient of {words.label(user)}, not of the output {words.out}",
            view.index,
        )


def gradient_of_another_node(view: AnswerView):
    """The (right) gradient of some other node."""
    work = view.work
    truth = work.true_grads if view.kind == GRAD else work.true_values
    name = view.words.grad if view.kind == GRAD else view.words.label
    what = "gradient" if view.kind == GRAD else "value"
    for other, right in enumerate(truth):
        node = work.node(other)
        given_value = view.kind == VALUE and (not node.inputs or work.graph.inline(node))
        if other != view.index and right is not None and not given_value:
            yield right, f"this is the {what} of another node: {name(other)}", view.index


def gradient_for_value(view: AnswerView):
    """The node's gradient written where its value belongs."""
    grad = view.work.true_grads[view.index]
    if grad is not None:
        yield (
            grad,
            f"this is {view.words.grad(view.index)}, not the value of "
            f"{view.words.label(view.index)}",
            view.index,
        )


CATALOGUE: list[Mistake] = [
    *(Mistake(*entry) for entry in SEQUENCE_MISTAKES),
    Mistake("wrong local derivative", GRAD, LOCAL, textbook_forms),
    Mistake("inputs swapped", GRAD, LOCAL, inputs_swapped, swaps=True),
    Mistake("rows swapped", GRAD, STEP, rows_swapped),
    Mistake("sign error", GRAD, LOCAL, sign_flipped),
    Mistake("sign error", GRAD, STEP, whole_sign),
    Mistake("missing term", GRAD, LOCAL, term_left_out),
    Mistake("missing term", GRAD, STEP, terms_left_out),
    Mistake("local derivative alone", GRAD, STEP, local_derivative_alone),
    Mistake("upstream gradient alone", GRAD, LOCAL, derivative_taken_as_one),
    Mistake("extra term", GRAD, LOCAL, term_counted_twice),
    Mistake("extra term", GRAD, STEP, term_of_a_non_user),
    Mistake("wrong local derivative", GRAD, LOCAL, value_as_derivative),
    Mistake("value instead of gradient", GRAD, STEP, value_for_gradient),
    Mistake("gradient of another output", GRAD, STEP, gradient_of_another_output),
    Mistake("gradient of another node", GRAD, STEP, gradient_of_another_node),
    Mistake("rows swapped", VALUE, STEP, rows_swapped),
    Mistake("sign error", VALUE, FORWARD, value_sign),
    Mistake("inputs swapped", VALUE, FORWARD, value_inputs_swapped),
    Mistake("wrong operation", VALUE, FORWARD, another_operation),
    Mistake("wrong operation", VALUE, FORWARD, operation_left_out),
    Mistake("gradient instead of value", VALUE, STEP, gradient_for_value),
    Mistake("value of another node", VALUE, STEP, gradient_of_another_node),
]
"""Every kind of mistake, in the order the grader tries them."""

KINDS = (
    "carried",
    *dict.fromkeys(m.kind for m in CATALOGUE),
    *ARRAY_KINDS,
    "wrong given value",
    "not exact",
    "right only here",
    "not a number",
    "too few digits",
    "rounding error",
    "no common mistake",
    "over the budget",
)
"""Every ``mistake`` a graded answer can carry."""
