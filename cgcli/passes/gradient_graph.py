"""The backward pass as a graph: a transformation from a graph to the graph of its gradient.

Like JAX's autodidax, a pure function from IR to IR. One loop walks the nodes from
the output back to the inputs; for each node it builds, from the op table's
derivative rules (:meth:`cgcli.core.ops.Op.derivative_rules`), each local derivative as
nodes of the op table's own ops, multiplies it by the node's adjoint, and adds the
product to the adjoint of the input, so a node used several times gets a sum.

The result is an ordinary :class:`~cgcli.core.ir.Graph`: the program's nodes, then the
adjoints. The adjoint of a node ``x`` is named ``∂f/∂x`` (``f`` the output's label),
and each term a reused node adds is a new version of that name (``∂f/∂x#1``,
``∂f/∂x#2``), as ``∂f/∂x += ...`` would be in a program. Its values, evaluated by
:func:`cgcli.passes.engine.forward`, are the reverse pass's gradients; differentiating it
again gives second derivatives (:mod:`cgcli.api.hessian`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import NamedTuple

from ..core.errors import CgMathError
from ..core.ir import COPY, NUMBER, Graph, Node
from ..core.ops import op_for


class Ref(NamedTuple):
    """An operand while building: a node of the new graph, and its value if it is a number."""

    index: int
    constant: float | None = None


@dataclass(frozen=True, repr=False)
class GradientGraph:
    """A program's graph followed by the graph of its gradient."""

    graph: Graph
    """The program's nodes (same indices), then the adjoint nodes."""
    program: Graph
    """The program the gradient is of."""
    adjoints: tuple[int | None, ...]
    """Per node of the program: the node of ``graph`` that holds ∂output/∂node;
    None where the output does not depend on it (its gradient is 0)."""

    @property
    def gradient(self) -> dict[str, int | None]:
        """Per input name: the node that holds ∂output/∂input (None: 0)."""
        return {n.name: self.adjoints[n.index] for n in self.program.inputs}

    def __repr__(self) -> str:
        added = len(self.graph.nodes) - len(self.program.nodes)
        names = ", ".join(
            self.graph.label(self.graph.nodes[i]) for i in self.gradient.values() if i is not None
        )
        return (
            f"<GradientGraph of {len(self.program.nodes)} nodes + {added} adjoint nodes: {names}>"
        )


def evaluate(grads: GradientGraph, point: Mapping[str, float]) -> list[float]:
    """The value of every node of the gradient graph at ``point`` (the inputs' floats).

    A local derivative that is not finite here (√x at 0, asin at ±1: the reverse pass
    gives inf or nan) is a math error that names the adjoint node and its formula.
    """
    from .engine import forward

    try:
        return forward(grads.graph, point)
    except CgMathError as exc:
        why = ": a derivative is not finite here (cg eval shows it as inf or nan)"
        raise in_the_gradient_graph(exc, why) from None


def in_the_gradient_graph(exc: CgMathError, why: str = "") -> CgMathError:
    """A math error at a node of the gradient graph, said to be there: its line and
    column are in no program the user wrote."""
    where = re.sub(r"^\d+:\d+: ", "", exc.message)
    return CgMathError(f"in the gradient graph, {where}{why}", exc.node)


class _Builder:
    """Appends nodes of the op table's ops to a node list; speaks the notation protocol
    (:class:`cgcli.core.notation.Notation`) so that the textbook's forms build nodes."""

    def __init__(self, nodes: list[Node]) -> None:
        self.nodes = nodes
        self.first_new = len(nodes)
        self.numbers: dict[str, Ref] = {}

    def node(self, op: str, *args: Ref) -> Ref:
        index = len(self.nodes)
        self.nodes.append(Node(index, op, tuple(a.index for a in args)))
        return Ref(index)

    def number(self, text: str, constant: float | None = None) -> Ref:
        if text not in self.numbers:
            index = len(self.nodes)
            self.nodes.append(Node(index, NUMBER, literal=text))
            self.numbers[text] = Ref(index, float(Fraction(text)))
        return self.numbers[text]

    def half(self) -> Ref:
        return self.number("0.5")

    def add(self, a: Ref, b: Ref) -> Ref:
        if a.constant == 0:
            return b
        if b.constant == 0:
            return a
        return self.node("add", a, b)

    def sub(self, a: Ref, b: Ref) -> Ref:
        return a if b.constant == 0 else self.node("sub", a, b)

    def mul(self, a: Ref, b: Ref) -> Ref:
        if a.constant == 0 or b.constant == 1:
            return a
        if b.constant == 0 or a.constant == 1:
            return b
        if a.constant == -1:
            return self.neg(b)
        if b.constant == -1:
            return self.neg(a)
        return self.node("mul", a, b)

    def div(self, a: Ref, b: Ref) -> Ref:
        return a if b.constant == 1 else self.node("div", a, b)

    def neg(self, a: Ref) -> Ref:
        return self.node("neg", a)

    def power(self, a: Ref, b: Ref) -> Ref:
        return a if b.constant == 1 else self.node("pow", a, b)

    def square(self, a: Ref) -> Ref:
        return self.mul(a, a)

    def call(self, function: str, *args: Ref) -> Ref:
        return self.node(function, *args)

    def named(self, ref: Ref, name: str, version: int) -> Ref:
        """``ref`` under a name: renamed when the builder made it for this, else copied."""
        node = self.nodes[ref.index]
        if ref.index >= self.first_new and node.name is None and node.op != NUMBER:
            self.nodes[ref.index] = node._replace(name=name, version=version)
            return Ref(ref.index)
        index = len(self.nodes)
        self.nodes.append(Node(index, COPY, (ref.index,), name, version))
        return Ref(index)


def gradient_graph(program: str | Graph) -> GradientGraph:
    """The graph of ``program``'s gradient: ∂output/∂node as nodes of the op table's ops.

    A pure transformation of the IR (a loop over the nodes, no recursion); program text
    has its free ``pi`` and ``e`` bound as constants, a Graph is taken as it is. Evaluate
    ``.graph`` with :func:`cgcli.passes.engine.forward` at the inputs to get the reverse
    pass's gradients; ``.gradient`` says which node holds which input's gradient.
    """
    from ..core.parser import parse

    graph = parse(program).bind_constants(()) if isinstance(program, str) else program
    needs = graph.depends_on_input()
    out_label = graph.label(graph.nodes[graph.output])
    nodes = list(graph.nodes)
    build = _Builder(nodes)
    for node in graph.nodes:  # the program's own constants serve the gradient too
        if node.op == NUMBER and node.name is None and node.literal:
            build.numbers.setdefault(node.literal, Ref(node.index, _literal(node)))
    refs = [Ref(n.index, _literal(n)) for n in graph.nodes]
    adjoint: list[Ref | None] = [None] * len(nodes)
    versions = [0] * len(nodes)

    def name_of(index: int) -> str:
        return f"∂{out_label}/∂{graph.label(graph.nodes[index])}"

    if needs[graph.output]:
        versions[graph.output] = 1
        seed = build.number("1")
        named_seed = build.named(seed, name_of(graph.output), 1)
        adjoint[graph.output] = named_seed._replace(constant=1.0)  # ∂f/∂f · x is x
    for index in range(graph.output, -1, -1):
        node = graph.nodes[index]
        upstream = adjoint[index]
        if upstream is None or not node.inputs or not needs[index]:
            continue
        if node.op == COPY:
            rules = (lambda g, a, y: g.number("1"),)
        else:
            rules = op_for(node.op).derivative_rules()
        args = [refs[i] for i in node.inputs]
        for slot, i in enumerate(node.inputs):
            if not needs[i]:
                continue
            local = rules[slot](build, *args, refs[index])
            term = build.mul(upstream, local)
            versions[i] += 1
            if adjoint[i] is not None:
                term = build.add(adjoint[i], term)
            adjoint[i] = build.named(term, name_of(i), versions[i])
    new_graph = _with_sources(graph, nodes)
    return GradientGraph(
        new_graph, graph, tuple(None if a is None else a.index for a in adjoint[: len(graph.nodes)])
    )


def _literal(node: Node) -> float | None:
    return float(Fraction(node.literal)) if node.op == NUMBER and node.literal else None


def _with_sources(graph: Graph, nodes: list[Node]) -> Graph:
    """The new graph, each added node with a source line of its own that reads it from its
    operands' labels (so that tables, errors and drawings show it like any node)."""
    bindings = dict(graph.bindings)
    draft = graph.replace(nodes=tuple(nodes))
    adjoint_names: dict[str, int] = {}
    for node in nodes[len(graph.nodes) :]:
        if node.name is not None:
            adjoint_names[node.name] = node.index
    bindings.update(adjoint_names)
    lines = [graph.source]
    offset = len(graph.source) + 1
    final = list(nodes)
    for node in nodes[len(graph.nodes) :]:
        if node.op == NUMBER:
            text = node.literal
        elif node.op == COPY:
            text = draft.label(nodes[node.inputs[0]])
        else:
            text = op_for(node.op).show([_operand(draft, nodes[i]) for i in node.inputs])
        final[node.index] = node._replace(start=offset, end=offset + len(text))
        lines.append(text)
        offset += len(text) + 1
    return graph.replace(
        nodes=tuple(final),
        source="\n".join(lines),
        bindings=MappingProxyType(bindings),
        statements=graph.statements + len(nodes) - len(graph.nodes),
    )


def _operand(graph: Graph, node: Node) -> str:
    label = graph.label(node)
    if graph.inline(node) and not label.lstrip("-").replace(".", "").isalnum():
        return f"({label})"
    return label
