"""The graph an independent reference differentiates to check gradients by step, or truncated.

Two transformations of the unrolled graph, each a loop over the node list:

* *untied* weights: each step's uses of a shared weight ``w`` read their own input
  ``w@step`` (same value), so the ordinary gradient of ``w@step`` is the share of ``w``'s
  gradient that comes from that step;
* *layers* for truncation at K: copies 0..K of every node that needs a gradient, where a
  read of a state element d steps back is wired to the copy d layers further, and past K
  to a *detached* copy fed by inputs of their own. Layer 0's output has the same value as
  the program's, and its ordinary gradient with respect to an input (shared by layers
  0..K) is exactly the truncated gradient.

A reference (SymPy, or high precision) differentiating this graph knows nothing of cg's
truncated reverse pass (:func:`cgcli.passes.steps.backward_by_step`) it checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ..core.ir import INPUT, Graph, Node
from .steps import StepGradients, StepStructure

DETACHED = " (detached)"
"""Suffix of the inputs that feed the detached layer (no user name contains a space)."""


@dataclass(frozen=True)
class ReferenceGraph:
    """A transformed graph and where each original number went in it."""

    graph: Graph
    layers: list[list[int]]
    """``layers[d][i]``: the node of layer d standing for original node i (shared nodes
    appear in every layer)."""
    untied: dict[tuple[int, int], int]
    """(original input, global step) → the input that step's uses read."""
    origin: list[str]
    """For each input of the new graph, the original input whose value it takes."""
    frozen: list[int]
    """``frozen[i]``: the node of the detached layer standing for original node i (-1 when
    there is no such layer)."""
    detached: frozenset[int]
    """The nodes of the detached layer (their gradients are not cg's to check)."""


def reference_graph(
    graph: Graph, structure: StepStructure, truncate: int | None, untie: bool
) -> ReferenceGraph:
    """The graph with untied weights (``untie``) and layers for truncation at ``truncate``."""
    table = graph.table
    needs = graph.needs
    depth = 0 if truncate is None else truncate
    layered = truncate is not None
    nodes: list[Node] = []
    layers = [[-1] * len(table) for _ in range(depth + 1)]
    frozen = [-1] * len(table)
    untied: dict[tuple[int, int], int] = {}
    origin: dict[int, str] = {}
    detached: set[int] = set()

    def append(node: Node, inputs: tuple[int, ...], name: str | None = None) -> int:
        index = len(nodes)
        nodes.append(node._replace(index=index, inputs=inputs, name=name, version=0))
        return index

    def plain_input(i: int) -> bool:
        return table.op(i) == INPUT and "[" not in table.names[i]

    for index in range(len(table)):
        node = table.node(index)
        if not needs[index]:  # a constant: one node for all layers
            shared = append(node, tuple(layers[0][i] for i in node.inputs))
            for layer in layers:
                layer[index] = shared
            frozen[index] = shared
            continue
        if node.op == INPUT:
            shared = append(node, (), node.name)
            origin[shared] = node.name
            for layer in layers:
                layer[index] = shared
            if layered:
                frozen[index] = append(node, (), node.name + DETACHED)
                origin[frozen[index]] = node.name
                detached.add(frozen[index])
            continue
        step = structure.step_of[index]
        for d in range(depth + 1):
            wired = []
            for i in node.inputs:
                target = d + structure.span(i, index) if layered else d
                if target > depth:
                    wired.append(frozen[i])
                elif untie and step >= 0 and plain_input(i):
                    key = (i, step)
                    if key not in untied:
                        name = f"{table.names[i]}@{step}"
                        untied[key] = append(table.node(i), (), name)
                        origin[untied[key]] = table.names[i]
                    wired.append(untied[key])
                else:
                    wired.append(layers[target][i])
            layers[d][index] = append(node, tuple(wired))
        if layered:
            frozen[index] = append(node, tuple(frozen[i] for i in node.inputs))
            detached.add(frozen[index])
    names = [None] * len(nodes)
    for index, name in origin.items():
        names[index] = name
    new_graph = Graph(
        tuple(nodes),
        graph.source,
        layers[0][graph.output],
        MappingProxyType({}),
        frozenset(),
    )
    inputs = [names[n.index] or "" for n in new_graph.inputs]
    return ReferenceGraph(new_graph, layers, untied, inputs, frozen, frozenset(detached))


def reference_point(
    reference: ReferenceGraph,
    values: Sequence[float],
    gradients: StepGradients,
) -> tuple[list[float], list[float | None]]:
    """cg's numbers placed on the reference graph: each node's value, and the gradient cg
    says it has there (None for constants and the detached layer)."""
    size = len(reference.graph.nodes)
    new_values = [0.0] * size
    new_grads: list[float | None] = [None] * size
    for d, layer in enumerate(reference.layers):
        for original, index in enumerate(layer):
            new_values[index] = values[original]
            total = gradients.totals[original]
            if total is None or index in reference.detached:
                continue
            node = reference.graph.nodes[index]
            if node.op == INPUT:
                shares = gradients.shares.get(original)
                untied = reference.untied and shares is not None
                new_grads[index] = shares.get(-1, 0.0) if untied else total
            else:
                new_grads[index] = gradients.buckets[d][original]
    for (original, step), index in reference.untied.items():
        new_values[index] = values[original]
        new_grads[index] = gradients.shares[original].get(step, 0.0)
    for original, index in enumerate(reference.frozen):  # the same values, detached
        if index >= 0:
            new_values[index] = values[original]
    return new_values, new_grads
