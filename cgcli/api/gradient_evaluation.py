"""The gradient graph evaluated like any program, each gradient checked twice: against
the reverse pass and against SymPy (the library side of ``cg eval --grad-graph``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from ..core.ir import Graph, Node
from ..core.limits import CHECK_TIMEOUT as DEFAULT_TIMEOUT
from ..core.numbers import format_number
from ..core.verdicts import Verdict, agrees
from ..passes.gradient_graph import GradientGraph, evaluate, gradient_graph
from ..passes.values import InputValue
from .evaluation import Evaluation, evaluate_graph


class GraphRow(NamedTuple):
    """One node of the gradient graph and its value."""

    node: Node
    label: str
    value: float
    adjoint_of: str | None
    """The program node whose gradient this node holds (its last version), if any."""
    reverse: float | None
    """That node's gradient from the reverse pass."""
    check: Verdict | None
    """This value against SymPy's derivative."""


@dataclass(frozen=True, repr=False)
class GradientGraphEvaluation:
    """The gradient graph at one point, beside the reverse pass that it must equal."""

    grads: GradientGraph
    reverse: Evaluation
    nodes: list[GraphRow]
    warnings: list[str] = field(default_factory=list)

    @property
    def graph(self) -> Graph:
        return self.grads.graph

    @property
    def equals_reverse(self) -> bool:
        """Whether every gradient node agrees with the reverse pass (within the tolerance)."""
        return all(r.reverse is None or agrees(r.value, r.reverse) for r in self.nodes)

    @property
    def ok(self) -> bool:
        checks = [r.check for r in self.nodes]
        return self.equals_reverse and all(v is None or v.status != "mismatch" for v in checks)

    def __repr__(self) -> str:
        gradient = "; ".join(
            f"{r.label} = {format_number(r.value, 6)}"
            for r in self.nodes
            if r.node.index in set(self.grads.gradient.values())
        )
        same = "equals the reverse pass" if self.equals_reverse else "DIFFERS from the reverse pass"
        return f"<GradientGraphEvaluation {gradient}; {same}>"


def gradient_graph_evaluation(
    graph: Graph,
    inputs: Mapping[str, InputValue],
    *,
    output: str | None = None,
    check: bool = True,
    check_timeout: float = DEFAULT_TIMEOUT,
) -> GradientGraphEvaluation:
    """Build the gradient graph of ``graph``, evaluate it at ``inputs``, and set each
    gradient node beside the reverse pass's gradient and SymPy's derivative."""
    reverse = evaluate_graph(graph, inputs, output=output, check=check, check_timeout=check_timeout)
    grads = gradient_graph(reverse.graph)
    point = {n.name: reverse.nodes[n.index].value for n in reverse.graph.inputs}
    found = evaluate(grads, point)
    owner: dict[int, int] = {a: i for i, a in enumerate(grads.adjoints) if a is not None}
    program_size = len(reverse.graph.nodes)
    rows = []
    for node in grads.graph.nodes:
        index = owner.get(node.index) if node.index >= program_size else None
        reverse_grad = verdict = None
        if index is not None:
            reverse_grad = reverse.nodes[index].grad
            expected = reverse.check.grads[index]
            if expected is not None and expected.expected is not None:
                from ..check.run import judge  # only where the check ran

                verdict = judge(
                    found[node.index],
                    expected.expected,
                    through_kink=expected.status == "convention",
                )
        rows.append(
            GraphRow(
                node,
                grads.graph.label(node),
                found[node.index],
                None if index is None else reverse.graph.label(reverse.graph.nodes[index]),
                reverse_grad,
                verdict,
            )
        )
    return GradientGraphEvaluation(grads, reverse, rows, reverse.warnings)
