"""How the grader writes about a graph: the student's own node labels (constants written
inline), numbers at the table's digits, and each gate's local derivative in the form
courses teach, from the op table's textbook forms (as ``cg explain`` writes them), with
the numbers filled in: ``∂s/∂a (local) = σ(a)·(1 - σ(a)) = 0.731059·(1 - 0.731059) =
0.196612``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..core.ir import COPY, Graph, Node
from ..core.notation import LANGUAGE, TEXT, Piece, label_pieces, text_rank
from ..core.numbers import format_number
from ..core.ops import op_for

Form = Callable[..., Piece]
"""A local derivative as the op table writes it: (notation, *operands, y) -> a piece."""


class Words:
    """Labels, numbers and formulas of one graph, as diagnoses print them."""

    def __init__(
        self, graph: Graph, digits: int | None = 6, values: Sequence[float] | None = None
    ) -> None:
        self.graph = graph
        self.digits = digits
        self.out = graph.output_label()
        constants = [
            values[n.index] if values is not None and graph.inline(n) else None for n in graph.nodes
        ]
        self.code = label_pieces(graph, LANGUAGE)
        """Each node as an operand in cg's syntax, as the student wrote the program."""
        self.text = [
            piece._replace(constant=c)
            for piece, c in zip(label_pieces(graph, TEXT), constants, strict=True)
        ]
        """Each node as an operand in the textbook's notation (σ, ·, ²)."""

    def label(self, index: int) -> str:
        return self.graph.label(self.graph.nodes[index])

    def num(self, x: float) -> str:
        """A number at the table's digits."""
        return format_number(x, self.digits)

    def operand(self, x: float) -> str:
        """A number inside a formula: negative ones in parentheses."""
        text = self.num(x)
        return f"({text})" if text.startswith("-") else text

    def number(self, x: float, constant: float | None = None) -> Piece:
        """A number as an operand of a formula."""
        text = self.num(x)
        return Piece(text, text_rank(text), constant)

    def grad(self, index: int) -> str:
        """``∂f/∂x``."""
        return f"∂{self.out}/∂{self.label(index)}"

    def partial(self, user: int, node: int) -> str:
        """``∂u/∂x (local)``: a local derivative, never to be read as a total."""
        return f"∂{self.label(user)}/∂{self.label(node)} (local)"

    def formula(self, node: Node, args: list[Piece] | None = None, op: str | None = None) -> str:
        """The node's operation (or ``op``) on its inputs' labels (or on ``args``)."""
        args = args if args is not None else [self.code[i] for i in node.inputs]
        if node.op == COPY and op is None:
            return args[0].text
        return LANGUAGE.apply(op or node.op, args).text

    def gate(self, index: int) -> str:
        """``q = x + y``: a gate as the student wrote it."""
        node = self.graph.nodes[index]
        if not node.inputs:
            return self.label(index)
        return f"{self.label(index)} = {self.formula(node)}"

    def forward_rule(self, index: int, values: list[float], result: float | None = None) -> str:
        """``q = x + y = 1 + 3 = 4`` at the given values (``result``: the value shown)."""
        node = self.graph.nodes[index]
        numbers = self.formula(node, [self.number(values[i]) for i in node.inputs])
        value = values[index] if result is None else result
        return f"{self.gate(index)} = {numbers} = {self.num(value)}"

    def textbook(self, user: int, form: Form, values: list[float] | None = None) -> str:
        """A form of the local derivative of the gate ``user`` (the op table's, or one of
        the catalogue's wrong ones): in labels, or with the numbers of ``values``."""
        args, y = self._operands(user, values)
        return form(TEXT, *args, y).text

    def local_formula(self, user: int, slot: int, values: list[float] | None = None) -> str:
        """The textbook form of ∂user/∂input for one slot, in labels or in numbers."""
        node = self.graph.nodes[user]
        if node.op == COPY:
            return "1"
        args, y = self._operands(user, values)
        return op_for(node.op).textbook_local(TEXT, [slot], args, y).text

    def _operands(self, user: int, values: list[float] | None) -> tuple[list[Piece], Piece]:
        """The gate's operands and output as pieces: labels, or the numbers of ``values``."""
        node = self.graph.nodes[user]
        if values is None:
            args = [self.text[i] for i in node.inputs]
            op = op_for(node.op)
            book = op.textbook
            y = book.output(TEXT, *args) if book.output else TEXT.apply(node.op, args)
            return args, y
        args = [self.number(values[i], self.text[i].constant) for i in node.inputs]
        return args, self.number(values[user])

    def local_rule(self, user: int, slot: int, values: list[float], local: float) -> str:
        """``∂s/∂a (local) = σ(a)·(1 - σ(a)) = 0.731059·(1 - 0.731059) = 0.196612``."""
        node = self.graph.nodes[user]
        parts = [self.partial(user, node.inputs[slot]), self.local_formula(user, slot)]
        numbers = self.local_formula(user, slot, values)
        if numbers != parts[-1]:
            parts.append(numbers)
        if self.num(local) != parts[-1]:
            parts.append(self.num(local))
        return " = ".join(parts)

    def chain(self, node: int, edges: list[tuple[int, int]], upstream, locals_) -> str:
        """``∂f/∂x = ∂f/∂q · ∂q/∂x (local) = (-4) · 1 = -4`` with the given pieces."""
        if not edges:
            return f"{self.grad(node)} = 0"
        terms = [f"{self.grad(u)} · {self.partial(u, node)}" for u, _ in edges]
        numbers = [
            f"{self.operand(upstream[k])} · {self.operand(locals_[k])}" for k in range(len(edges))
        ]
        total = sum(upstream[k] * locals_[k] for k in range(len(edges)))
        return f"{self.grad(node)} = {_sum_of(terms)} = {_sum_of(numbers)} = {self.num(total)}"


CHAIN_TERMS = 8
"""A chain rule of more terms (a loop's shared weight has one per step) shows its first
three and last two, and how many there are."""


def _sum_of(terms: list[str]) -> str:
    if len(terms) <= CHAIN_TERMS:
        return " + ".join(terms)
    hidden = len(terms) - 5
    return " + ".join([*terms[:3], f"… ({hidden} more terms) …", *terms[-2:]])
