"""The graph IR: plain immutable data, nodes listed in topological order."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from types import MappingProxyType
from typing import NamedTuple

from .errors import UsageError
from .ops import CONSTANTS

INPUT = "input"
"""Op of a free variable: its value comes from the user."""
NUMBER = "const"
"""Op of a number literal; ``Node.literal`` holds its exact value."""
TEXT_LIMIT = 60
"""Longest node text shown; deep programs would otherwise print O(n²) characters."""
COPY = "copy"
"""Op of ``name = other_name``: a new version that holds the same value."""


class Node(NamedTuple):
    """One node: an op applied to earlier nodes (by index)."""

    index: int
    op: str
    inputs: tuple[int, ...] = ()
    name: str | None = None
    version: int = 0
    """1, 2, ... for the successive assignments of ``name``; 0 when unnamed."""
    start: int = 0
    """Offsets of the source text this node was built from (``Graph.text``)."""
    end: int = 0
    literal: str | None = None
    """The text of a number literal (its exact value)."""

    @property
    def id(self) -> str:
        """Stable machine id of every node (JSON, DOT): n1, n2, ... by index.

        People see :meth:`Graph.label` instead."""
        return f"n{self.index + 1}"


@dataclass(frozen=True)
class Graph:
    """A program as a computational graph."""

    nodes: tuple[Node, ...]
    source: str
    output: int
    """Index of the output node: the value of the last statement."""
    bindings: Mapping[str, int]
    """Each assigned or input name mapped to the index of its latest version."""
    assigned: frozenset[str]
    """Names the program assigns somewhere."""
    statements: int = 1

    def __reduce__(self):
        """Pickled (to send to worker processes) with its bindings as a plain dict."""
        fields = (self.nodes, self.source, self.output, dict(self.bindings), self.assigned)
        return (_unpickle_graph, (*fields, self.statements))

    @property
    def inputs(self) -> tuple[Node, ...]:
        """Input nodes, in order of first use."""
        return tuple(n for n in self.nodes if n.op == INPUT)

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.inputs if n.name)

    def text(self, node: Node, limit: int | None = TEXT_LIMIT) -> str:
        """The source text of a node, shortened in the middle to ``limit`` characters."""
        if limit is None or node.end - node.start <= limit:
            return self.source[node.start : node.end]
        half = (limit - 1) // 2
        head = self.source[node.start : node.start + half]
        return f"{head}…{self.source[node.end - half : node.end]}"

    def label(self, node: Node) -> str:
        """The name every output shows for ``node`` (the scheme is in :meth:`_labels`)."""
        return self._labels[node.index]

    def inline(self, node: Node) -> bool:
        """Whether ``node`` is an unnamed constant, written where it is used, not as a row."""
        return self._inline[node.index]

    @cached_property
    def _labels(self) -> tuple[str, ...]:
        """One label per node, in the student's own terms.

        * a named node: its name, or ``name#version`` when the name is assigned again;
        * the output, when unnamed: ``f`` (unless the program uses that name);
        * an unnamed constant (``1``, ``1/2``, ``pi``): its text, so ``b + 1`` reads
          as written;
        * any other unnamed node: ``v1``, ``v2``, ... in forward order, with no gaps
          (another letter when the program has names of that form).
        """
        needs = self.depends_on_input()
        prefix = _id_prefix({n.name for n in self.nodes if n.name} | set(self.bindings))
        labels: list[str] = []
        count = 0
        for node in self.nodes:
            if node.name is not None:
                label = node.name
                if self._versions.get(node.name, 1) > 1:
                    label = f"{node.name}#{node.version}"
            elif node.index == self.output and "f" not in self.bindings:
                label = "f"
            elif not needs[node.index] and node.index != self.output:
                label = self._constant_text(node)
            else:
                count += 1
                label = f"{prefix}{count}"
            labels.append(label)
        return tuple(labels)

    @cached_property
    def _inline(self) -> tuple[bool, ...]:
        needs = self.depends_on_input()
        return tuple(
            n.name is None and not needs[n.index] and n.index != self.output for n in self.nodes
        )

    @cached_property
    def _versions(self) -> Mapping[str, int]:
        counts: dict[str, int] = {}
        for node in self.nodes:
            if node.name is not None:
                counts[node.name] = max(counts.get(node.name, 0), node.version)
        return counts

    def _constant_text(self, node: Node) -> str:
        """An unnamed constant as written (spaces dropped), or rebuilt from its op."""
        text = "".join(self.text(node).split())
        if text:
            return text
        return node.literal if node.literal is not None else node.op

    def with_output_name(self, name: str) -> Graph:
        """The same graph with the latest version of ``name`` as its output."""
        if name not in self.bindings:
            known = ", ".join(sorted(self.bindings)) or "none"
            raise UsageError(f"--output {name}: no such name in the program (names: {known})")
        return replace(self, output=self.bindings[name])

    def bind_constants(self, given: Iterable[str]) -> Graph:
        """Make free ``pi`` and ``e`` constants unless assigned by the program or given."""
        given = set(given)
        free = {
            n.index
            for n in self.nodes
            if n.op == INPUT and n.name in CONSTANTS and n.name not in given | self.assigned
        }
        if not free:
            return self
        nodes = tuple(
            n._replace(op=n.name, name=None, version=0) if n.index in free else n
            for n in self.nodes
        )
        bindings = {k: v for k, v in self.bindings.items() if v not in free}
        return replace(self, nodes=nodes, bindings=MappingProxyType(bindings))

    def used_by_output(self) -> list[bool]:
        """For each node, whether the output's value depends on it."""
        used = [False] * len(self.nodes)
        used[self.output] = True
        for node in reversed(self.nodes):
            if used[node.index]:
                for i in node.inputs:
                    used[i] = True
        return used

    def depends_on_input(self) -> list[bool]:
        """For each node, whether its value depends on some input (needs a gradient)."""
        needs = [False] * len(self.nodes)
        for node in self.nodes:
            needs[node.index] = node.op == INPUT or any(needs[i] for i in node.inputs)
        return needs


ID_PREFIXES = ("v", "t", "u", "s")
"""Letters for the ids of unnamed nodes, the first that no name of the program clashes with."""


def _id_prefix(names: set[str]) -> str:
    import itertools

    # lazily: a list would hold len(names) prefixes of up to len(names) characters each
    candidates = itertools.chain(ID_PREFIXES, (f"v{'_' * k}" for k in range(1, len(names) + 2)))
    for prefix in candidates:
        pattern = re.compile(re.escape(prefix) + r"[0-9]+")
        if not any(pattern.fullmatch(name) for name in names):
            return prefix
    raise AssertionError("unreachable: some prefix is always free")


def attach(base: Graph, extra: Graph, links: Mapping[str, int]) -> Graph:
    """``extra`` appended to ``base``: its inputs named in ``links`` become base nodes.

    The result's output is ``extra``'s output; its source is both sources, one
    line after the other, so every node keeps its text.
    """
    shift = len(base.source) + 1
    index_map: dict[int, int] = {}
    nodes = list(base.nodes)
    for node in extra.nodes:
        if node.op == INPUT and node.name in links:
            index_map[node.index] = links[node.name]
            continue
        index = len(nodes)
        index_map[node.index] = index
        nodes.append(
            node._replace(
                index=index,
                inputs=tuple(index_map[i] for i in node.inputs),
                start=node.start + shift,
                end=node.end + shift,
            )
        )
    return Graph(
        tuple(nodes),
        f"{base.source}\n{extra.source}",
        index_map[extra.output],
        MappingProxyType({**base.bindings, **{k: index_map[v] for k, v in extra.bindings.items()}}),
        base.assigned | extra.assigned,
        base.statements + extra.statements,
    )


def _unpickle_graph(nodes, source, output, bindings, assigned, statements) -> Graph:
    return Graph(nodes, source, output, MappingProxyType(bindings), assigned, statements)
