"""A student's work: their numbers where they wrote them, the rest computed from those.

The grader asks of each wrong answer whether it follows from the student's own
earlier answers, and replays a mistake (a wrong local derivative, a wrong
forward step) to see whether it gives the student's number. Both are passes
over this world: loops over the node list, as the engine's own passes are.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping

from ..api.evaluation import Evaluation
from ..core.ir import COPY, Graph, Node
from ..core.ops import op_for
from ..passes.engine import backward
from .by_hand import local_by_hand
from .tolerance import noise

Edge = tuple[int, int]
"""(user, slot): the use of ``user.inputs[slot]`` by ``user``."""


class Work:
    """The true numbers, the student's written numbers, and their world."""

    def __init__(
        self,
        result: Evaluation,
        values: Mapping[int, float],
        grads: Mapping[int, float],
        slack: Mapping[tuple[str, int], float] | None = None,
    ) -> None:
        self.result = result
        self.graph: Graph = result.graph
        self.true_values = [r.value for r in result.nodes]
        self.true_grads = [r.grad for r in result.nodes]
        self.written_values = dict(values)
        self.written_grads = dict(grads)
        self.uses: list[list[Edge]] = [[] for _ in self.graph.nodes]
        """Per node, the edges that use it, among nodes that have a gradient."""
        for user in self.graph.nodes[: self.graph.output + 1]:
            if self.true_grads[user.index] is None:
                continue
            for slot, i in enumerate(user.inputs):
                if self.true_grads[i] is not None:
                    self.uses[i].append((user.index, slot))
        self.written_slack = dict(slack or {})
        """Half a unit of the last place written, per ("value" | "grad", node)."""
        self.values = self.forward()
        self.grads = self.backward(self.values)
        self._total: dict[int, list[float | None]] = {}
        self.value_slack: list[float] = []
        """How far each of the student's values may be off through the rounding of the
        numbers they wrote (to first order)."""
        for node in self.graph.nodes:
            written = node.index in self.written_values or not node.inputs
            slack = self.written_slack.get(("value", node.index), 0.0)
            self.value_slack.append(slack if written else self.value_step_slack(node.index))
        self.grad_slack: list[float] = [0.0] * len(self.graph.nodes)
        """The same for each of the student's gradients."""
        for index in range(self.output - 1, -1, -1):
            if index in self.written_grads:
                self.grad_slack[index] = self.written_slack.get(("grad", index), 0.0)
            elif self.true_grads[index] is not None:
                self.grad_slack[index] = self.grad_step_slack(index)

    def truth(self, kind: str, index: int) -> float:
        """The true value (kind "value") or gradient of a node."""
        return (self.true_values if kind == "value" else self.true_grads)[index]

    @property
    def output(self) -> int:
        return self.graph.output

    def node(self, index: int) -> Node:
        return self.graph.nodes[index]

    # --- forward -----------------------------------------------------------------

    def apply(self, node: Node, args: list[float]) -> float:
        """A node's op on the given argument values (nan outside its domain)."""
        if node.op == COPY:
            return args[0]
        try:
            value = op_for(node.op).forward(*args)
        except (ArithmeticError, ValueError, OverflowError):
            return math.nan
        return value if math.isfinite(value) else math.nan

    def forward(
        self, replace: Mapping[int, float] | None = None, free: Collection[int] = ()
    ) -> list[float]:
        """The student's values: written ones kept, the rest computed from them.
        ``replace`` sets chosen nodes' values (a replayed mistake); the written values
        of the nodes in ``free`` are ignored (they are the ones being explained)."""
        replace = replace or {}
        values: list[float] = []
        for node in self.graph.nodes:
            if node.index in replace:
                value = replace[node.index]
            elif node.index in self.written_values and node.index not in free:
                value = self.written_values[node.index]
            elif not node.inputs:
                value = self.true_values[node.index]
            else:
                value = self.apply(node, [values[i] for i in node.inputs])
            values.append(value)
        return values

    # --- backward ----------------------------------------------------------------

    def local(self, values: list[float], edge: Edge) -> float:
        """∂user/∂input for one slot, at the given values (nan outside the domain).
        Where the gate's value is not the one its inputs give (the student wrote
        another), the derivative is worked out by hand from the numbers as they stand,
        in the textbook's form: σ(1 - σ) and 1 - tanh² from the value written."""
        user_index, slot = edge
        user = self.graph.nodes[user_index]
        if user.op == COPY:
            return 1.0
        args = [values[i] for i in user.inputs]
        out = values[user_index]
        if abs(out - self.apply(user, args)) > noise(out):
            return local_by_hand(user.op, slot, args, out)
        try:
            return op_for(user.op).partials(*args, values[user_index])[slot]
        except (ArithmeticError, ValueError, OverflowError):
            return math.nan

    def term(self, values: list[float], grads: list, edge: Edge) -> float:
        """One term of the chain rule: ∂out/∂user · ∂user/∂input."""
        return grads[edge[0]] * self.local(values, edge)

    def backward(
        self,
        values: list[float],
        replace: Mapping[Edge, float] | None = None,
        free: Collection[int] = (),
    ) -> list[float | None]:
        """The student's gradients: written ones kept, the rest summed by the chain rule
        from those. ``replace`` sets chosen local derivatives (a replayed mistake); the
        written gradients of the nodes in ``free`` are ignored."""
        replace = replace or {}
        grads: list[float | None] = [None] * len(self.graph.nodes)
        for index in range(self.output, -1, -1):
            if self.true_grads[index] is None:
                continue
            if index in self.written_grads and index not in free:
                grads[index] = self.written_grads[index]
            elif index == self.output:
                grads[index] = 1.0
            else:
                total = 0.0
                for edge in self.uses[index]:
                    local = replace[edge] if edge in replace else self.local(values, edge)
                    total += grads[edge[0]] * local
                grads[index] = total
        return grads

    def total(self, of: int) -> list[float | None]:
        """∂(node ``of``)/∂node for every node, at the true values."""
        if of not in self._total:
            self._total[of] = backward(self.graph, self.true_values, output=of)
        return self._total[of]

    def depends(self, node: int) -> list[bool]:
        """For every node, whether ``node``'s value depends on it."""
        needed = [False] * len(self.graph.nodes)
        needed[node] = True
        for index in range(node, -1, -1):
            if needed[index]:
                for i in self.graph.nodes[index].inputs:
                    needed[i] = True
        return needed

    # --- rounding ----------------------------------------------------------------

    def value_step_slack(self, index: int) -> float:
        """How far a node's value computed from the student's inputs may move when each
        input moves within its slack."""
        node = self.graph.nodes[index]
        if node.op == COPY:
            return self.value_slack[node.inputs[0]]
        args = [self.values[i] for i in node.inputs]
        try:
            partials = op_for(node.op).partials(*args, self.apply(node, args))
        except (ArithmeticError, ValueError, OverflowError):
            return 0.0
        total = sum(
            abs(p) * self.value_slack[i] for p, i in zip(partials, node.inputs, strict=True)
        )
        return total if math.isfinite(total) else 0.0

    def grad_step_slack(self, index: int) -> float:
        """How far a chain-rule step from the student's numbers may move when each
        upstream gradient and each value it uses moves within its slack."""
        total = 0.0
        for edge in self.uses[index]:
            user = edge[0]
            local = self.local(self.values, edge)
            total += abs(local) * self.grad_slack[user]
            for i in dict.fromkeys((user, *self.graph.nodes[user].inputs)):
                if self.value_slack[i]:
                    moved = list(self.values)
                    moved[i] += self.value_slack[i]
                    total += abs(self.grads[user] or 0.0) * abs(self.local(moved, edge) - local)
        return total if math.isfinite(total) else 0.0
