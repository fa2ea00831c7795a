"""The nodes of a graph stored by column: a few bytes per node instead of a tuple each.

A :class:`NodeTable` is a read-only sequence of :class:`~cgcli.core.ir.Node`, so code that
loops over ``graph.nodes`` works unchanged; a node is built when it is read. The
passes that run over every node of a big graph (forward, backward, labels, JSON)
read the columns instead, so a program of a million nodes stays within a few tens
of megabytes.
"""

from __future__ import annotations

from array import array
from collections import namedtuple
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import overload

_CACHED = 20_000
"""Tables up to this many nodes keep their nodes once built: small graphs are read
node by node many times (the check, grading, drawing), big ones by column."""


class Node(
    namedtuple(
        "Node",
        "index op inputs name version start end literal",
        defaults=((), None, 0, 0, 0, None),
    )
):
    """One node: an op applied to earlier nodes (by index).

    A named tuple of ``index`` (int), ``op`` (str), ``inputs`` (the indexes of its
    operands, a tuple of int; ``()``), ``name`` (str or None), ``version`` (1, 2, ... for
    the successive assignments of ``name``; 0 when unnamed), ``start`` and ``end`` (the
    offsets of the source text this node was built from, ``Graph.text``; 0) and
    ``literal`` (the text of a number literal, its exact value; None).
    """

    __slots__ = ()

    @property
    def id(self) -> str:
        """Stable machine id of every node (JSON, DOT): n1, n2, ... by index.

        People see :meth:`Graph.label` instead."""
        return f"n{self.index + 1}"


class ComparesAsSequence:
    """Mixin for a lazy read-only sequence: equal to any sequence (a tuple, a list) of
    equal items, as the tuple it stands for would be; unhashable, as a list is."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]


class NodeTable(ComparesAsSequence, Sequence[Node]):
    """Nodes in topological order, one column per field; appended to, never changed in
    place once a graph holds it."""

    __slots__ = (
        "_nodes",
        "_op_codes",
        "ends",
        "input_flat",
        "input_offsets",
        "literals",
        "names",
        "op_codes",
        "op_names",
        "starts",
        "versions",
    )

    def __init__(self, wide: bool = False) -> None:
        code = "q" if wide else "i"
        self.op_names: list[str] = []
        """The distinct ops, in order of first use; ``op_codes`` index into it."""
        self._op_codes: dict[str, int] = {}
        self.op_codes = bytearray()
        self.input_offsets = array(code, [0])
        """Node i's inputs are ``input_flat[input_offsets[i]:input_offsets[i + 1]]``."""
        self.input_flat = array(code)
        self.starts = array(code)
        self.ends = array(code)
        self.names: list[str | None] = []
        self.versions = array("i")
        self.literals: list[str | None] = []
        self._nodes: tuple[Node, ...] | None = None

    @classmethod
    def from_nodes(cls, nodes: Iterable[Node]) -> NodeTable:
        """A table holding ``nodes`` (whose indexes are their positions)."""
        table = cls(wide=True)
        for node in nodes:
            table.append(
                node.op, node.inputs, node.start, node.end, node.name, node.version, node.literal
            )
        return table

    def append(
        self,
        op: str,
        inputs: Sequence[int],
        start: int,
        end: int,
        name: str | None = None,
        version: int = 0,
        literal: str | None = None,
    ) -> int:
        """Add a node at the end; its index."""
        code = self._op_codes.get(op)
        if code is None:
            code = self._op_codes[op] = len(self.op_names)
            self.op_names.append(op)
        self.op_codes.append(code)
        self.input_flat.extend(inputs)
        self.input_offsets.append(len(self.input_flat))
        self.starts.append(start)
        self.ends.append(end)
        self.names.append(name)
        self.versions.append(version)
        self.literals.append(literal)
        self._nodes = None
        return len(self.op_codes) - 1

    def rename(self, index: int, name: str, version: int) -> None:
        """Give node ``index`` a name and version (while the graph is being built)."""
        self.names[index] = name
        self.versions[index] = version
        self._nodes = None

    def replaced(self, changes: dict[int, Node]) -> NodeTable:
        """A copy with the nodes at the keys of ``changes`` replaced (same inputs, span)."""
        table = NodeTable.__new__(NodeTable)
        table.op_names = list(self.op_names)
        table._op_codes = dict(self._op_codes)
        table.op_codes = bytearray(self.op_codes)
        table.input_offsets = self.input_offsets
        table.input_flat = self.input_flat
        table.starts = self.starts
        table.ends = self.ends
        table.names = list(self.names)
        table.versions = array("i", self.versions)
        table.literals = list(self.literals)
        table._nodes = None
        for index, node in changes.items():
            code = table._op_codes.get(node.op)
            if code is None:
                code = table._op_codes[node.op] = len(table.op_names)
                table.op_names.append(node.op)
            table.op_codes[index] = code
            table.names[index] = node.name
            table.versions[index] = node.version
            table.literals[index] = node.literal
        return table

    def op(self, index: int) -> str:
        return self.op_names[self.op_codes[index]]

    def ops(self) -> Iterator[str]:
        """Each node's op, in order."""
        return map(self.op_names.__getitem__, self.op_codes)

    def inputs(self, index: int) -> array:
        offsets = self.input_offsets
        return self.input_flat[offsets[index] : offsets[index + 1]]

    def node(self, index: int) -> Node:
        """The node at ``index`` as a :class:`~cgcli.core.ir.Node`."""

        offsets = self.input_offsets
        return Node(
            index,
            self.op_names[self.op_codes[index]],
            tuple(self.input_flat[offsets[index] : offsets[index + 1]]),
            self.names[index],
            self.versions[index],
            self.starts[index],
            self.ends[index],
            self.literals[index],
        )

    def _built(self) -> tuple[Node, ...] | None:
        if self._nodes is None and len(self.op_codes) <= _CACHED:
            self._nodes = tuple(self._build(0, len(self.op_codes)))
        return self._nodes

    def _build(self, start: int, stop: int) -> Iterator[Node]:

        offsets = self.input_offsets
        flat = self.input_flat
        op_names = self.op_names
        names = self.names
        versions = self.versions
        literals = self.literals
        starts = self.starts
        ends = self.ends
        for index, code in enumerate(islice(self.op_codes, start, stop), start):
            yield Node(
                index,
                op_names[code],
                tuple(flat[offsets[index] : offsets[index + 1]]),
                names[index],
                versions[index],
                starts[index],
                ends[index],
                literals[index],
            )

    def __len__(self) -> int:
        return len(self.op_codes)

    if TYPE_CHECKING:

        @overload
        def __getitem__(self, index: int) -> Node: ...

        @overload
        def __getitem__(self, index: slice) -> tuple[Node, ...]: ...

    def __getitem__(self, index):
        built = self._built()
        if built is not None:
            return built[index]
        if isinstance(index, slice):
            return tuple(self.node(i) for i in range(*index.indices(len(self))))
        size = len(self.op_codes)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("node index out of range")
        return self.node(index)

    def __iter__(self) -> Iterator[Node]:
        built = self._built()
        return iter(built) if built is not None else self._build(0, len(self.op_codes))

    def __reversed__(self) -> Iterator[Node]:
        built = self._built()
        if built is not None:
            return reversed(built)
        return (self.node(i) for i in range(len(self.op_codes) - 1, -1, -1))

    def __repr__(self) -> str:
        return f"<NodeTable of {len(self)} nodes>"
