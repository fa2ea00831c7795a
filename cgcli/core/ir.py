"""The graph IR: plain immutable data, nodes listed in topological order."""

from __future__ import annotations

import itertools
import re
from array import array
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from types import MappingProxyType

from .errors import UsageError
from .frozen import Frozen
from .node_table import Node, NodeTable
from .ops import CONSTANTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .loops import LoopSteps

_NO_TEXTS: Mapping[int, str] = MappingProxyType({})

INPUT = "input"
"""Op of a free variable: its value comes from the user."""
NUMBER = "const"
"""Op of a number literal; ``Node.literal`` holds its exact value."""
TEXT_LIMIT = 60
"""Longest node text shown; deep programs would otherwise print O(n²) characters."""
COPY = "copy"
"""Op of ``name = other_name``: a new version that holds the same value."""


class Graph(Frozen):
    """A program as a computational graph: immutable, compared and shown by its fields
    (:class:`~cgcli.core.frozen.Frozen`), changed in a copy with :meth:`replace`."""

    nodes: Sequence[Node]
    """A tuple of nodes, or a :class:`NodeTable` (what the parser builds)."""
    source: str
    output: int
    """Index of the output node: the value of the last statement."""
    bindings: Mapping[str, int]
    """Each assigned or input name mapped to the index of its latest version."""
    assigned: frozenset[str]
    """Names the program assigns somewhere."""
    statements: int
    """How many statements the program has (1 unless said)."""
    loops: tuple[LoopSteps, ...]
    """The program's top-level loops: where each step put its nodes (``--by-step``); none
    unless said."""
    step_texts: Mapping[int, str]
    """Constants a loop's step made from its variable (``sin(t)`` at t = 2): their text
    with the variable's value (``sin(2)``), as their label; none unless said."""

    def __init__(
        self,
        nodes: Sequence[Node],
        source: str,
        output: int,
        bindings: Mapping[str, int],
        assigned: frozenset[str],
        statements: int = 1,
        loops: tuple[LoopSteps, ...] = (),
        step_texts: Mapping[int, str] = _NO_TEXTS,
    ) -> None:
        self.__dict__.update(
            nodes=nodes,
            source=source,
            output=output,
            bindings=bindings,
            assigned=assigned,
            statements=statements,
            loops=loops,
            step_texts=step_texts,
        )

    @cached_property
    def table(self) -> NodeTable:
        """The nodes by column, for the passes that read every node of a big graph."""
        if isinstance(self.nodes, NodeTable):
            return self.nodes
        return NodeTable.from_nodes(self.nodes)

    def __reduce__(self):
        """Pickled (to send to worker processes) with its bindings as a plain dict."""
        fields = (self.nodes, self.source, self.output, dict(self.bindings), self.assigned)
        extra = (self.statements, self.loops, dict(self.step_texts))
        return (_unpickle_graph, (*fields, *extra))

    @property
    def inputs(self) -> tuple[Node, ...]:
        """Input nodes, in order of first use."""
        table = self.table
        return tuple(table.node(i) for i, op in enumerate(table.ops()) if op == INPUT)

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.inputs if n.name)

    def text(self, node: Node, limit: int | None = TEXT_LIMIT) -> str:
        """The source text of a node, shortened in the middle to ``limit`` characters."""
        return self.span_text(node.start, node.end, limit)

    def span_text(self, start: int, end: int, limit: int | None = TEXT_LIMIT) -> str:
        """:meth:`text` of the node spanning ``start:end``."""
        if limit is None or end - start <= limit:
            return self.source[start:end]
        half = (limit - 1) // 2
        return f"{self.source[start : start + half]}…{self.source[end - half : end]}"

    def label(self, node: Node) -> str:
        """The name every output shows for ``node`` (the scheme is in :meth:`label_at`)."""
        return self.label_at(node.index)

    def label_at(self, index: int) -> str:
        """The label of node ``index``, in the student's own terms.

        * a named node: its name, or ``name#version`` when the name is assigned again;
        * the output, when unnamed: ``f`` (unless the program uses that name);
        * an unnamed constant (``1``, ``1/2``, ``pi``): its text, so ``b + 1`` reads
          as written;
        * any other unnamed node: ``v1``, ``v2``, ... in forward order, with no gaps
          (another letter when the program has a name of that form, or that letter
          as a name: ids never look like the program's names).
        """
        number = self._numbers[index]
        if number:
            return f"{self._id_prefix}{number}"
        table = self.table
        name = table.names[index]
        if name is not None:
            if name in self._reassigned:
                return f"{name}#{table.versions[index]}"
            return name
        if index == self.output and "f" not in self.bindings:
            return "f"
        return self._constant_text(index)

    def output_label(self) -> str:
        """The output as ``∂L/∂x`` names it: the plain name when the output is the name's
        latest version (what ``L`` means once the program has run, though its node is
        ``L#3``) and no version of the name is an input (``∂x#3/∂x#1`` stays as it is),
        else :meth:`label_at`."""
        return self._output_label

    @cached_property
    def _output_label(self) -> str:
        name = self.table.names[self.output]
        if (
            name is not None
            and self.bindings.get(name) == self.output
            and name not in self.input_names
        ):
            return name
        return self.label_at(self.output)

    def labels(self, start: int = 0, stop: int | None = None) -> list[str]:
        """:meth:`label_at` of the nodes from ``start`` to ``stop`` (all by default)."""
        prefix = self._id_prefix
        reassigned = self._reassigned
        label_at = self.label_at
        stop = len(self.table) if stop is None else min(stop, len(self.table))
        numbers = self._numbers[start:stop]
        rows = zip(range(start, stop), numbers, self.table.names[start:stop], strict=True)
        return [
            f"{prefix}{number}"
            if number
            else name
            if name is not None and name not in reassigned
            else label_at(index)
            for index, number, name in rows
        ]

    def inline(self, node: Node) -> bool:
        """Whether ``node`` is an unnamed constant, written where it is used, not as a row."""
        return bool(self._inline[node.index])

    @cached_property
    def _id_prefix(self) -> str:
        names = "\0".join(filter(None, itertools.chain(self.table.names, self.bindings)))
        return _id_prefix(set(_TAKEN_PREFIX.findall(names)))

    @cached_property
    def _numbers(self) -> array:
        """For each node labelled ``v1``, ``v2``, ...: its number; 0 for the others."""
        needs = self.needs
        names = self.table.names
        unnamed_output = "f" not in self.bindings
        code = "i" if len(names) < 2**31 else "q"
        numbers = array(code, bytes(array(code).itemsize * len(names)))
        count = 0
        for index, name in enumerate(names):
            if name is not None or (index == self.output and unnamed_output):
                continue
            if needs[index] or index == self.output:
                count += 1
                numbers[index] = count
        return numbers

    @cached_property
    def _inline(self) -> bytes:
        needs = self.needs
        output = self.output
        return bytes(
            name is None and not needs[i] and i != output for i, name in enumerate(self.table.names)
        )

    @cached_property
    def _reassigned(self) -> frozenset[str]:
        """The names assigned more than once (shown as ``name#version``)."""
        table = self.table
        return frozenset(
            name
            for name, version in zip(table.names, table.versions, strict=True)
            if version > 1 and name is not None
        )

    def _constant_text(self, index: int) -> str:
        """An unnamed constant as written (spaces dropped), or rebuilt from its op."""
        table = self.table
        start, end, literal = table.starts[index], table.ends[index], table.literals[index]
        if literal is not None and len(literal) <= TEXT_LIMIT:  # a number, or a loop's step
            return literal
        unrolled = self.step_texts.get(index)
        if unrolled is not None:
            return unrolled
        text = "".join(self.span_text(start, end).split())
        if text:
            return text
        return literal if literal is not None else table.op(index)

    def with_output_name(self, name: str, *, shown: str | None = None) -> Graph:
        """The same graph with the latest version of ``name`` as its output; an error
        names the argument as ``shown`` (the command line's ``--of NAME``)."""
        if name not in self.bindings:
            known = ", ".join(sorted(self.bindings)) or "none"
            where = shown or f"output={name!r}"
            raise UsageError(f"{where}: no such name in the program (names: {known})")
        return self.replace(output=self.bindings[name])

    def bind_constants(self, given: Iterable[str]) -> Graph:
        """Make free ``pi`` and ``e`` constants unless assigned by the program or given."""
        kept = set(given) | self.assigned
        table = self.table
        free = {
            i
            for i, op in enumerate(table.ops())
            if op == INPUT and table.names[i] in CONSTANTS and table.names[i] not in kept
        }
        if not free:
            return self
        changes = {i: table.node(i)._replace(op=table.names[i], name=None, version=0) for i in free}
        if isinstance(self.nodes, NodeTable):
            nodes: Sequence[Node] = self.nodes.replaced(changes)
        else:
            nodes = tuple(changes.get(n.index, n) for n in self.nodes)
        bindings = {k: v for k, v in self.bindings.items() if v not in free}
        return self.replace(nodes=nodes, bindings=MappingProxyType(bindings))

    def used_by_output(self) -> list[bool]:
        """For each node, whether the output's value depends on it."""
        table = self.table
        offsets = table.input_offsets
        flat = table.input_flat
        used = [False] * len(table)
        used[self.output] = True
        for index in range(len(table) - 1, -1, -1):
            if used[index]:
                for i in flat[offsets[index] : offsets[index + 1]]:
                    used[i] = True
        return used

    def depends_on_input(self) -> list[bool]:
        """For each node, whether its value depends on some input (needs a gradient)."""
        return list(map(bool, self.needs))

    @cached_property
    def needs(self) -> bytes:
        """:meth:`depends_on_input`, one byte per node (1: the node needs a gradient)."""
        table = self.table
        offsets = table.input_offsets
        flat = table.input_flat
        needs = bytearray(len(table))
        for index, op in enumerate(table.ops()):
            if op == INPUT:
                needs[index] = 1
            else:
                for i in flat[offsets[index] : offsets[index + 1]]:
                    if needs[i]:
                        needs[index] = 1
                        break
        return bytes(needs)


ID_PREFIXES = ("v", "t", "u", "s")
"""Letters for the ids of unnamed nodes, the first that no name of the program clashes with."""
_TAKEN_PREFIX = re.compile(r"(?<![^\0])([tus]|v_*)[0-9]*(?![^\0])")
"""In names joined by NUL: each name that is a candidate prefix, alone or followed by
digits (``t``, ``t1``): that prefix would make ids that look like the program's names."""


def _id_prefix(taken: set[str]) -> str:
    """The first of ``ID_PREFIXES``, then ``v_``, ``v__``, ..., that is not ``taken`` (that
    no name is, alone or followed by digits)."""
    longer = (f"v{'_' * k}" for k in itertools.count(1))
    return next(p for p in itertools.chain(ID_PREFIXES, longer) if p not in taken)


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


def _unpickle_graph(
    nodes, source, output, bindings, assigned, statements, loops=(), step_texts=None
) -> Graph:
    texts = MappingProxyType(step_texts or {})
    bound = MappingProxyType(bindings)
    return Graph(nodes, source, output, bound, assigned, statements, loops, texts)
