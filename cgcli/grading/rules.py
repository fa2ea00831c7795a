"""How the grader writes about a graph: the student's own node names, numbers at the
table's digits, and each gate's local derivative in the form courses teach, with
the numbers filled in: ``∂s/∂a = s·(1 − s) = 0.731059·(1 − 0.731059) = 0.196612``.
"""

from __future__ import annotations

import re

from ..ir import COPY, Graph, Node
from ..numbers import format_number
from ..ops import op_for

LOCAL_RULES: dict[str, tuple[str, ...]] = {
    "copy": ("1",),
    "add": ("1", "1"),
    "sub": ("1", "−1"),
    "mul": ("{b}", "{a}"),
    "div": ("1/{b}", "−{a}/{b}²"),
    "pow": ("{b}·{a}^({b} − 1)", "{o}·log({a})"),
    "neg": ("−1",),
    "exp": ("exp({a})",),
    "log": ("1/{a}",),
    "sqrt": ("1/(2·{o})",),
    "sin": ("cos({a})",),
    "cos": ("−sin({a})",),
    "tan": ("1/cos({a})²",),
    "asin": ("1/sqrt(1 − {a}²)",),
    "acos": ("−1/sqrt(1 − {a}²)",),
    "atan": ("1/(1 + {a}²)",),
    "sinh": ("cosh({a})",),
    "cosh": ("sinh({a})",),
    "tanh": ("1 − {o}²",),
    "sigmoid": ("{o}·(1 − {o})",),
    "softplus": ("sigmoid({a})",),
    "relu": ("(1 if {a} > 0, else 0)",),
    "abs": ("sign({a})",),
    "max": ("(1 if {a} > {b}, else 0)", "(1 if {b} > {a}, else 0)"),
    "min": ("(1 if {a} < {b}, else 0)", "(1 if {b} < {a}, else 0)"),
}
"""Per op and input slot, the local derivative as a course writes it: {a} and {b}
stand for the inputs, {o} for the gate's own value."""


class Words:
    """Labels, numbers and formulas of one graph, as diagnoses print them."""

    def __init__(self, graph: Graph, digits: int | None = 6) -> None:
        self.graph = graph
        self.digits = digits
        self.out = graph.label(graph.nodes[graph.output])

    def label(self, index: int) -> str:
        return self.graph.label(self.graph.nodes[index])

    def num(self, x: float) -> str:
        """A number at the table's digits."""
        return format_number(x, self.digits)

    def operand(self, x: float) -> str:
        """A number inside a formula: negative ones in parentheses."""
        text = self.num(x)
        return f"({text})" if text.startswith("-") else text

    def grad(self, index: int) -> str:
        """``∂f/∂x``."""
        return f"∂{self.out}/∂{self.label(index)}"

    def partial(self, user: int, node: int) -> str:
        """``∂u/∂x``: a local derivative."""
        return f"∂{self.label(user)}/∂{self.label(node)}"

    def formula(self, node: Node, args: list[str] | None = None) -> str:
        """The node's operation on its inputs' labels (or on ``args``)."""
        args = args or [self.label(i) for i in node.inputs]
        return args[0] if node.op == COPY else op_for(node.op).show(args)

    def gate(self, index: int) -> str:
        """``q = x + y``: a gate as the student wrote it."""
        node = self.graph.nodes[index]
        if not node.inputs:
            return self.label(index)
        return f"{self.label(index)} = {self.formula(node)}"

    def forward_rule(self, index: int, values: list[float], result: float | None = None) -> str:
        """``q = x + y = 1 + 3 = 4`` at the given values (``result``: the value shown)."""
        node = self.graph.nodes[index]
        numbers = self.formula(node, [self.operand(values[i]) for i in node.inputs])
        value = values[index] if result is None else result
        return f"{self.gate(index)} = {numbers} = {self.num(value)}"

    def fill(self, template: str, user: int, numbers: list[float] | None = None) -> str:
        """A template of :data:`LOCAL_RULES` for the gate ``user``: {a}, {b} and {o}
        replaced by labels, or by ``numbers`` (the inputs' values, then the gate's)."""
        node = self.graph.nodes[user]
        if numbers is None:
            names = [self.label(i) for i in node.inputs] + [self.label(user)]
        elif template in ("{a}", "{b}", "{o}"):
            names = [self.num(x) for x in numbers]
        else:
            names = [self.operand(x) for x in numbers]
        b = names[1] if len(node.inputs) > 1 else ""
        text = template.format(a=names[0], b=b, o=names[-1])
        return re.sub(r"\(\(([^()]*)\)\)", r"(\1)", text)  # exp((-1)) is exp(-1)

    def local_formula(self, user: int, slot: int, numbers: list[float] | None = None) -> str:
        """The textbook form of ∂user/∂input for one slot, in labels or in numbers."""
        rules = LOCAL_RULES.get(self.graph.nodes[user].op)
        template = rules[slot] if rules and slot < len(rules) else "∂"
        return self.fill(template, user, numbers)

    def local_rule(self, user: int, slot: int, values: list[float], local: float) -> str:
        """``∂s/∂a = s·(1 − s) = 0.731059·(1 − 0.731059) = 0.196612``."""
        node = self.graph.nodes[user]
        name = self.partial(user, node.inputs[slot])
        shown = self.local_formula(user, slot)
        numbers = self.local_formula(user, slot, [values[i] for i in node.inputs] + [values[user]])
        parts = [name, shown]
        if numbers != shown:
            parts.append(numbers)
        if self.num(local) != parts[-1].replace("−", "-"):
            parts.append(self.num(local))
        return " = ".join(parts)

    def chain(self, node: int, edges: list[tuple[int, int]], upstream, locals_) -> str:
        """``∂f/∂x = ∂f/∂q·∂q/∂x = (-4)·1 = -4`` with the given pieces."""
        terms = [f"{self.grad(u)}·{self.partial(u, node)}" for u, _ in edges]
        numbers = [
            f"{self.operand(upstream[k])}·{self.operand(locals_[k])}" for k in range(len(edges))
        ]
        total = sum(upstream[k] * locals_[k] for k in range(len(edges)))
        if not edges:
            return f"{self.grad(node)} = 0"
        shown = " + ".join(terms)
        return f"{self.grad(node)} = {shown} = {' + '.join(numbers)} = {self.num(total)}"
