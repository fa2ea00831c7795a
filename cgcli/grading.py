"""Grading a student's numbers, and naming the likely mistake behind a wrong one.

Each answer is right when ``|given - correct| <= tol·|correct| + 1e-9`` (``tol``
defaults to 1e-3, so answers rounded to 4 significant digits pass). For a wrong
gradient the usual mistakes are tried against the right local pieces: a sign
error, the node's value in place of its gradient, a missing sum over the
node's uses, a wrong (or missing) upstream gradient, a wrong local derivative.
For a wrong value: a sign error, an error carried from a wrong input, or the
wrong operation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

from .answers import GRAD, VALUE, Answer
from .engine import local_partials
from .evaluation import Evaluation
from .ir import COPY, Graph, Node
from .numbers import format_number
from .ops import OPERATORS, op_for

MAX_SEARCH_NODES = 300
"""Larger graphs skip the search for a wrong local derivative deep in the graph."""
DEFAULT_TOLERANCE = 1e-3
ABSOLUTE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Grade:
    answer: Answer
    correct: float
    right: bool
    diagnosis: str | None = None
    """"MISTAKE: details" for a wrong answer; MISTAKE is one of MISTAKES."""

    @property
    def mistake(self) -> str | None:
        return self.diagnosis.split(":", 1)[0] if self.diagnosis else None


MISTAKES = (
    "sign error",
    "missing sum",
    "wrong upstream gradient",
    "wrong local derivative",
    "value instead of gradient",
    "gradient of another node",
    "wrong input",
    "carried error",
    "wrong operation",
    "no gradient",
    "no common mistake",
)


def grade(result: Evaluation, answers: list[Answer], tol: float = DEFAULT_TOLERANCE) -> list[Grade]:
    """Grade every answer against an evaluation of the same graph."""
    grader = _Grader(result, answers, tol)
    return [grader.grade(answer) for answer in answers]


class _Grader:
    def __init__(self, result: Evaluation, answers: list[Answer], tol: float) -> None:
        self.result = result
        self.graph: Graph = result.graph
        self.values = [r.value for r in result.nodes]
        self.grads = [r.grad for r in result.nodes]
        self.tol = tol
        self.given_values = {a.node.index: a.given.number for a in answers if a.kind == VALUE}
        self.given_grads = {a.node.index: a.given.number for a in answers if a.kind == GRAD}
        self.output = result.output
        self._locals: dict[tuple[int, int], float] | None = None

    def close(self, a: float, b: float) -> bool:
        if math.isnan(a) or math.isnan(b):
            return False
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= self.tol * abs(b) + ABSOLUTE_TOLERANCE

    def grade(self, answer: Answer) -> Grade:
        index = answer.node.index
        if answer.kind == VALUE:
            correct = self.values[index]
        else:
            correct = self.grads[index]
            if correct is None:
                return Grade(
                    answer, math.nan, False, f"no gradient: {answer.node.id} is a constant"
                )
        given = answer.given.number
        if self._agrees(answer, correct):
            return Grade(answer, correct, True)
        diagnose = self._diagnose_value if answer.kind == VALUE else self._diagnose_grad
        return Grade(answer, correct, False, diagnose(answer.node, given, correct))

    def _agrees(self, answer: Answer, correct: float) -> bool:
        exact = self.result.exact
        if exact is None:
            return self.close(answer.given.number, correct)
        import sympy

        from .symbolic import exact_value

        truth = (exact.values if answer.kind == VALUE else exact.grads)[answer.node.index]
        return sympy.simplify(exact_value(answer.given.exact) - truth) == 0

    # --- values --------------------------------------------------------------------

    def _diagnose_value(self, node: Node, given: float, correct: float) -> str:
        label = self.graph.label(node)
        if correct != 0 and self.close(given, -correct):
            return "sign error: the size is right, the sign is not"
        if not node.inputs or node.op == COPY:
            return f"wrong input: {label} is given as {format_number(correct)}"
        args = [self.values[i] for i in node.inputs]
        theirs = [self.given_values.get(i, self.values[i]) for i in node.inputs]
        wrong_inputs = [
            self.graph.label(self.graph.nodes[i])
            for i in node.inputs
            if i in self.given_values and not self.close(self.given_values[i], self.values[i])
        ]
        if wrong_inputs and self._matches(lambda: op_for(node.op).forward(*theirs), given):
            return (
                f"carried error: it follows from your wrong value of {', '.join(wrong_inputs)}; "
                "the step itself is right"
            )
        if len(args) == 2:
            for other in OPERATORS.values():
                if (
                    other.arity == 2
                    and other.name != node.op
                    and self._matches(lambda other=other: other.forward(*args), given)
                ):
                    return (
                        f"wrong operation: looks like {other.show(['a', 'b'])} "
                        f"instead of {op_for(node.op).show(['a', 'b'])}"
                    )
        return f"no common mistake: {label} = {self._formula(node)} = {format_number(correct)}"

    def _matches(self, compute, given: float) -> bool:
        try:
            return self.close(given, compute())
        except (ArithmeticError, ValueError):
            return False

    # --- gradients -----------------------------------------------------------------

    def _users(self, node: Node) -> list[Node]:
        return [  # grads[u] is None exactly where u depends on no input
            u
            for u in self.graph.nodes[: self.graph.output + 1]
            if node.index in u.inputs and self.grads[u.index] is not None
        ]

    def _local(self, user: Node, node: Node) -> float:
        partials = local_partials(self.graph, user, self.values)
        return sum(p for i, p in zip(user.inputs, partials, strict=True) if i == node.index)

    def _diagnose_grad(self, node: Node, given: float, correct: float) -> str:
        label = self.graph.label(node)
        out = self.output
        if correct != 0 and self.close(given, -correct):
            return "sign error: the size is right, the sign is not"
        users = self._users(node)
        terms = {u.index: self.grads[u.index] * self._local(u, node) for u in users}
        if len(users) > 1:
            for size in range(1, len(users)):
                for subset in combinations(users, size):
                    if self.close(given, sum(terms[u.index] for u in subset)):
                        names = ", ".join(self.graph.label(u) for u in users)
                        kept = ", ".join(self.graph.label(u) for u in subset)
                        return (
                            f"missing sum: {label} feeds {names}, so ∂{out}/∂{label} adds one "
                            f"term per use; you have only the path through {kept}"
                        )
        upstream_theirs = [self.given_grads.get(u.index, self.grads[u.index]) for u in users]
        wrong_upstream = [
            self.graph.label(u)
            for u in users
            if u.index in self.given_grads
            and not self.close(self.given_grads[u.index], self.grads[u.index])
        ]
        if wrong_upstream and self.close(
            given,
            sum(g * self._local(u, node) for g, u in zip(upstream_theirs, users, strict=True)),
        ):
            return (
                f"wrong upstream gradient: it follows from your wrong "
                f"∂{out}/∂{', '.join(wrong_upstream)}; the chain-rule step itself is right"
            )
        if (
            users
            and any(u.index != self.graph.output for u in users)
            and self.close(given, sum(self._local(u, node) for u in users))
        ):
            return self._missing_upstream(node, users)
        wrong_local = self._wrong_local(node, users, given)
        if wrong_local:
            return wrong_local
        if self.close(given, self.values[node.index]):
            return f"value instead of gradient: this is the value of {label}, not ∂{out}/∂{label}"
        for other in self.graph.nodes:
            grad = self.grads[other.index]
            if other.index != node.index and grad is not None and self.close(given, grad):
                olabel = self.graph.label(other)
                return f"gradient of another node: this is ∂{out}/∂{olabel}, not ∂{out}/∂{label}"
        return f"no common mistake: expected {format_number(correct)}"

    def _missing_upstream(self, node: Node, users: list[Node]) -> str:
        label, out = self.graph.label(node), self.output
        user = users[0]
        return (
            f"wrong upstream gradient: this is only the local derivative "
            f"∂{self.graph.label(user)}/∂{label}; multiply it by ∂{out}/∂{self.graph.label(user)} "
            f"= {format_number(self.grads[user.index])}"
        )

    def _wrong_local(self, node: Node, users: list[Node], given: float) -> str | None:
        """Replace one local derivative on the way to the output by a usual wrong one
        (nearest first); name it if the student's answer then comes out."""
        if len(self.graph.nodes) > MAX_SEARCH_NODES:
            return None
        locals_ = self._all_locals()
        edges = sorted(locals_, key=lambda edge: (edge[1] != node.index, edge[0]))
        for user_index, input_index in edges:
            user = self.graph.nodes[user_index]
            source = self.graph.nodes[input_index]
            right = locals_[(user_index, input_index)]
            for wrong, how in self._wrong_locals(user, source, right):
                if self.close(wrong, right):
                    continue
                grads = self._backward({(user_index, input_index): wrong})
                if self.close(given, grads[node.index]):
                    ulabel, slabel = self.graph.label(user), self.graph.label(source)
                    if how is None:
                        return (
                            f"missing sum: {slabel} has several uses, and the term through "
                            f"{ulabel} (∂{self.output}/∂{ulabel} · ∂{ulabel}/∂{slabel}) is left out"
                        )
                    return (
                        f"wrong local derivative: ∂{ulabel}/∂{slabel} is {format_number(right)} "
                        f"for {ulabel} = {self._formula(user)}; you used {how} "
                        f"({format_number(wrong)})"
                    )
        return None

    def _all_locals(self) -> dict[tuple[int, int], float]:
        """∂u/∂i for every edge of the part of the graph the output depends on."""
        if self._locals is None:
            self._locals = {}
            for user in self.graph.nodes[: self.graph.output + 1]:
                for i in dict.fromkeys(user.inputs):
                    if self.grads[i] is not None:  # then the user has a gradient too
                        self._locals[(user.index, i)] = self._local(user, self.graph.nodes[i])
        return self._locals

    def _backward(self, overrides: dict[tuple[int, int], float]) -> list[float]:
        """The backward pass again, with some local derivatives replaced."""
        locals_ = {**self._all_locals(), **overrides}
        grads = [0.0] * len(self.graph.nodes)
        grads[self.graph.output] = 1.0
        for (user, i), local in sorted(locals_.items(), reverse=True):
            grads[i] += grads[user] * local
        return grads

    def _wrong_locals(self, user: Node, node: Node, right: float):
        if len(self._users(node)) > 1:
            yield 0.0, None  # the term of this use left out of the sum
        yield 1.0, "1, as if the derivative were 1 (the upstream gradient alone)"
        yield -right, "the right derivative with the wrong sign"
        others = [i for i in user.inputs if i != node.index]
        if user.op != COPY and others:
            partials = local_partials(self.graph, user, self.values)
            for i, p in zip(user.inputs, partials, strict=True):
                if i != node.index:
                    other = self.graph.label(self.graph.nodes[i])
                    yield p, f"the derivative with respect to {other} instead"
        yield self.values[user.index], f"the value of {self.graph.label(user)} itself"
        yield self.values[node.index], f"the value of {self.graph.label(node)}"

    def _formula(self, node: Node) -> str:
        labels = [self.graph.label(self.graph.nodes[i]) for i in node.inputs]
        return labels[0] if node.op == COPY else op_for(node.op).show(labels)
