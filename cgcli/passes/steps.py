"""Backpropagation through time, step by step: the loop's steps in the unrolled graph, and
a backward pass that says where each gradient came from (and may truncate it).

The graph is the ordinary scalar graph; :attr:`Graph.loops` says which nodes each step
of a top-level loop made. The *state* is the loop's indexed names that a later step
reads (``h[t-1]`` read at step t): those reads are the recurrent edges. A *shared
weight* is a plain input the loop's steps use. Truncation with ``truncate=K`` lets a
gradient cross recurrent edges K steps back in all, and no further (the rule is in
docs/sequences.md); a plain name a later step reads (the loss ``L += ...``) carries its
gradient untruncated, so a state must be indexed, which :func:`carried_plain_names`
checks.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.indexing import split_element
from ..core.ir import INPUT, Graph
from .engine import local_partials


@dataclass(frozen=True)
class StepStructure:
    """Where a graph's loop steps are: each node's step (a number across all loops, or -1)
    and loop (or -1)."""

    graph: Graph
    step_of: array
    loop_of: array
    first_step: tuple[int, ...]
    """The global number of each loop's first step."""
    before: dict[tuple[int, int], int] = field(default_factory=dict)
    """(node, loop) → the global step a node made outside the loop stands for, when it is
    an element of a state the loop computes (``h[0]``, or ``h[3]`` from an earlier loop):
    the step whose index it has, were the loop to start there (``h[0]`` is the step
    before ``t = 1`` when step t writes ``h[t]``); one before the loop's first step
    when the indexes do not say."""

    @classmethod
    def of(cls, graph: Graph) -> StepStructure:
        size = len(graph.table)
        step_of = array("q", [-1]) * size
        loop_of = array("q", [-1]) * size
        first_step = []
        number = 0
        for loop_index, loop in enumerate(graph.loops):
            first_step.append(number)
            starts = loop.starts
            for k in range(loop.count):
                for index in range(starts[k], starts[k + 1]):
                    step_of[index] = number + k
                    loop_of[index] = loop_index
            number += loop.count
        before = _initial_states(graph, step_of, loop_of, first_step)
        return cls(graph, step_of, loop_of, tuple(first_step), before)

    def span(self, producer: int, consumer: int) -> int:
        """How many steps back the edge ``producer → consumer`` reaches when it reads a
        state element of an earlier step of the same loop, or one written before the
        loop (:attr:`before`); 0 for any other edge."""
        step = self.step_of[producer]
        if self.loop_of[consumer] != self.loop_of[producer]:
            step = self.before.get((producer, self.loop_of[consumer]))
            if step is None:
                return 0
        later = self.step_of[consumer] - step
        if later <= 0 or not self.is_element(producer):
            return 0
        return later

    def is_element(self, index: int) -> bool:
        """Whether node ``index`` is an element of an indexed name the program computes."""
        table = self.graph.table
        name = table.names[index]
        return name is not None and "[" in name and table.op(index) != INPUT

    def recurrent(self) -> list[tuple[int, int]]:
        """Every recurrent edge (producer, consumer), in the consumers' order."""
        table = self.graph.table
        offsets, flat = table.input_offsets, table.input_flat
        return [
            (i, index)
            for index in range(len(table))
            if self.step_of[index] >= 0
            for i in flat[offsets[index] : offsets[index + 1]]
            if self.span(i, index)
        ]


def _initial_states(
    graph: Graph, step_of: array, loop_of: array, first_step: Sequence[int]
) -> dict[tuple[int, int], int]:
    """:attr:`StepStructure.before`: for each loop, the elements it reads that were
    written before it (outside it), of an indexed name the loop itself writes."""
    table = graph.table
    names = table.names
    offsets, flat = table.input_offsets, table.input_flat
    written: dict[tuple[int, str], list[tuple[int, int]]] = {}
    """(loop, base) → (index, global step) of each 1-index element the loop writes."""
    for index in range(len(table)):
        if step_of[index] >= 0 and _is_element(table, index):
            base, indexes = split_element(names[index]) or ("", ())
            where = written.setdefault((loop_of[index], base), [])
            where.append((indexes[0] if len(indexes) == 1 else None, step_of[index]))
    before: dict[tuple[int, int], int] = {}
    for index in range(len(table)):
        loop = loop_of[index]
        if loop < 0:
            continue
        for i in flat[offsets[index] : offsets[index + 1]]:
            if loop_of[i] == loop or (i, loop) in before or not _is_element(table, i):
                continue
            base, indexes = split_element(names[i]) or ("", ())
            where = written.get((loop, base))
            if where is None:
                continue  # not a state of this loop: a number computed before it
            before[(i, loop)] = _state_step(where, indexes, first_step[loop])
    return before


def _state_step(written: list[tuple[int | None, int]], indexes: tuple[int, ...], first: int) -> int:
    """The global step whose state an element written before the loop is: with the loop
    writing index ``c + k`` at its step k (``h[t]``), the element ``h[j]`` is the state
    of step ``j - c`` (for ``h[0]``, one before the first); otherwise one before the
    first step. May be below 0 (a step before the first loop's first)."""
    offsets = {i - (step - first) for i, step in written if i is not None}
    if len(offsets) == 1 and len(indexes) == 1 and all(i is not None for i, _ in written):
        relative = indexes[0] - offsets.pop()
        if relative < 0:
            return first + relative
    return first - 1


def _is_element(table, index: int) -> bool:
    name = table.names[index]
    return name is not None and "[" in name and table.op(index) != INPUT


def carried_plain_names(structure: StepStructure) -> list[str]:
    """The plain names whose value a later step of the loop reads other than to add to it
    (``L += ...`` is an accumulation): a state truncation cannot see."""
    graph = structure.graph
    table = graph.table
    offsets, flat = table.input_offsets, table.input_flat
    step_of, loop_of = structure.step_of, structure.loop_of
    found: dict[str, None] = {}
    for index in range(len(table)):
        step = step_of[index]
        if step <= 0:
            continue
        inputs = flat[offsets[index] : offsets[index + 1]]
        for position, i in enumerate(inputs):
            name = table.names[i]
            if (
                name is None
                or "[" in name
                or table.op(i) == INPUT
                or not graph.needs[i]
                or not 0 <= step_of[i] < step
                or loop_of[i] != loop_of[index]
            ):
                continue
            accumulates = (
                position == 0 and table.op(index) in ("add", "sub") and table.names[index] == name
            )
            if not accumulates:
                found[name] = None
    return list(found)


@dataclass
class StepGradients:
    """The backward pass, bucketed by how far back through the state each gradient came.

    ``buckets[d][i]``: the part of ∂output/∂node i that crossed recurrent edges spanning
    ``d`` steps in all (one bucket, d = 0, without truncation).
    """

    totals: list[float | None]
    """∂output/∂node, truncated if asked; None where the node depends on no input."""
    buckets: list[list[float]]
    own: dict[int, float] = field(default_factory=dict)
    """For each state element: what reaches it from its own step (and from after the loop)."""
    carried: dict[int, float] = field(default_factory=dict)
    """For each state element: what reaches it from later steps, through the state."""
    shares: dict[int, dict[int, float]] = field(default_factory=dict)
    """For each plain input: its gradient from each step (by the step's global number; -1
    for uses outside the loops)."""


def backward_by_step(
    graph: Graph,
    values: Sequence[float],
    structure: StepStructure,
    truncate: int | None = None,
) -> StepGradients:
    """∂output/∂node for every node, with where it came from; with ``truncate=K`` a
    gradient stops once it has gone more than K steps back through the state.

    A loop over the node list from the output down, like :func:`engine.backward`, with one
    gradient per distance travelled (0..K) instead of one.
    """
    table = graph.table
    size = len(table)
    depth = 0 if truncate is None else truncate
    buckets = [[0.0] * size for _ in range(depth + 1)]
    buckets[0][graph.output] = 1.0
    needs = graph.needs
    offsets, flat, codes = table.input_offsets, table.input_flat, table.op_codes
    names = table.names
    kinds = table.op_names
    result = StepGradients([None] * size, buckets)
    for index in range(graph.output, -1, -1):
        start, stop = offsets[index], offsets[index + 1]
        if start == stop or not needs[index]:
            continue
        upstream = [bucket[index] for bucket in buckets]
        if not any(upstream):
            continue
        inputs = flat[start:stop]
        locals_ = local_partials(graph, table.node(index), values)
        step = structure.step_of[index]
        for i, local in zip(inputs, locals_, strict=True):
            if not needs[i]:
                continue
            span = structure.span(i, index)
            arrived = 0.0
            for distance, up in enumerate(upstream):
                if up == 0.0:
                    continue
                target = distance + span
                if target > depth:
                    if truncate is None:  # no truncation: one bucket
                        target = 0
                    else:
                        continue  # more than K steps back: truncated
                amount = up * local
                buckets[target][i] += amount
                arrived += amount
            if structure.is_element(i) and structure.step_of[i] >= 0:
                into = result.carried if span else result.own
                into[i] = into.get(i, 0.0) + arrived
            elif kinds[codes[i]] == INPUT and "[" not in names[i]:
                shares = result.shares.setdefault(i, {})
                shares[step] = shares.get(step, 0.0) + arrived
    for i in range(size):
        if needs[i]:
            result.totals[i] = sum(bucket[i] for bucket in buckets)
    return result
