"""Drawings of the graph: Graphviz DOT, Mermaid, and an ASCII tree for the terminal.

Two styles for DOT and Mermaid:

* ``circuit``, as in the CS231n notes: inputs on the left, each gate a small
  circle with its op symbol (a constant written into it: ``+1``, ``*2``), and on
  every wire its value above the line (blue) and its gradient below (red). A
  value used by several gates forks at a dot: the wire into the dot carries the
  total gradient, each branch the part that flows back along it.
* ``boxes``: one box per node with its label, what it computes, its value (blue)
  and its gradient (red).

Unnamed constants are never drawn as nodes: they are written where they are used.

The steps of a loop are drawn left to right, one column per step (a Graphviz cluster,
a Mermaid subgraph, titled ``t = 1``, ``t = 2``, ...), in both styles.
"""

from __future__ import annotations

import html
import itertools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from ..core.array_ops import array_op, split_op
from ..core.errors import UsageError
from ..core.ir import COPY, INPUT, Graph, Node
from ..core.notation import LANGUAGE, Piece, text_rank
from ..core.numbers import format_array, format_number

VALUE_COLOUR = "#1f5fbf"
GRAD_COLOUR = "#c0392b"
NAME_COLOUR = "#555555"
STYLES = ("circuit", "boxes")


@dataclass(frozen=True)
class Annotations:
    """Values and gradients to draw (None for a bare graph)."""

    values: list[float]
    grads: list[float | None]
    output: str
    digits: int | None


def node_caption(graph: Graph, node: Node) -> str:
    """The label and what the node computes: ``p = x + y``, ``x (input)``, ``v2 = b + 1``."""
    label = graph.label(node)
    if node.op == INPUT:
        return f"{label} (input)"
    if not node.inputs:
        return f"{label} = {graph.text(node)}"
    args = [_operand(graph, graph.nodes[i]) for i in node.inputs]
    shown = args[0] if node.op == COPY else LANGUAGE.apply(node.op, args)
    return f"{label} = {shown.text}"


def _operand(graph: Graph, node: Node) -> Piece:
    label = graph.label(node)
    return Piece(label, text_rank(label)) if graph.inline(node) else Piece(label)


def _number(notes: Annotations, x: float | None) -> str | None:
    """A wire's number; an array with its shape, shortened past 12 entries: (3×2) [[…]]."""
    if x is None:
        return None
    if getattr(x, "ndim", 0):
        shape = "×".join(map(str, x.shape))  # type: ignore[union-attr]
        return f"({shape}) {format_array(x, notes.digits, ARRAY_ENTRIES)}"
    return format_number(x, notes.digits)


ARRAY_ENTRIES = 12
"""A drawing shows an array of more entries by its first and last two rows and columns."""


def _partial(graph: Graph, notes: Annotations, node: Node, grad: str) -> str:
    return f"∂{notes.output}/∂{graph.label(node)} = {grad}"


def _drawn(graph: Graph) -> list[Node]:
    """The nodes a drawing shows: all but the unnamed constants."""
    return [n for n in graph.nodes if not graph.inline(n)]


# --- the circuit ------------------------------------------------------------------

_GATE_SYMBOLS = {"add": "+", "sub": "−", "mul": "*", "div": "/", "pow": "^", "neg": "−"}
_FUNCTION_SYMBOLS = {"sigmoid": "σ"}


def gate_symbol(graph: Graph, node: Node) -> str:
    """A gate's caption: its op symbol, with constant operands written in (``+1``, ``1/·``)."""
    if node.op == COPY:
        return "="
    constants = [
        graph.label(graph.nodes[i]) if graph.inline(graph.nodes[i]) else None for i in node.inputs
    ]
    symbol = _GATE_SYMBOLS.get(node.op)
    if symbol is None and array_op(node.op) is not None:  # @, ᵀ, sum along axis 0, [2,1]
        return _array_gate(node.op)
    if symbol is None:
        name = _FUNCTION_SYMBOLS.get(node.op, node.op)
        if not any(constants):
            return name
        return f"{name}({', '.join(c or '·' for c in constants)})"
    if len(node.inputs) == 1 or not any(constants):
        return symbol
    first, second = constants
    if second is not None:
        return f"{symbol}{second}"
    return f"{symbol}{first}" if node.op in ("add", "mul") else f"{first}{symbol}"


def _array_gate(op: str) -> str:
    name, parameter = split_op(op)
    if name == "matmul":
        return "@"
    if name == "transpose":
        return "ᵀ"
    if name == "index":
        return f"[{','.join(map(str, parameter))}]"
    if name == "stack":
        return "[…]"
    return name if parameter is None else f"{name} axis {parameter}"


@dataclass(frozen=True)
class Wire:
    """One edge of the circuit: from a node (or a fork) to a gate (or the output)."""

    source: int
    """The node whose value the wire carries."""
    tail: str
    head: str
    value: str | None
    grad: str | None
    name: str | None = None
    """The program's name for the value, shown beside it."""
    what: str = ""
    """Where the wire runs, for a tooltip: ``x → *``."""


def circuit_wires(graph: Graph, notes: Annotations | None) -> tuple[list[Wire], list[int]]:
    """The wires of the circuit, and the nodes whose value forks to several gates."""
    from ..passes.engine import local_partials

    used = graph.used_by_output()
    drawn = [n for n in _drawn(graph) if used[n.index]]
    edges = [
        (i, node, slot)
        for node in drawn
        if node.inputs
        for slot, i in enumerate(node.inputs)
        if not graph.inline(graph.nodes[i])
    ]
    uses = Counter(i for i, _, _ in edges)
    forks = [i for i, count in uses.items() if count > 1]

    def numbers(index: int, grad: float | None) -> tuple[str | None, str | None]:
        if notes is None:
            return None, None
        return _number(notes, notes.values[index]), _number(notes, grad)

    def name_of(index: int) -> str | None:
        node = graph.nodes[index]
        return graph.label(node) if node.name and node.inputs else None

    wires = []
    for i in sorted(forks):
        value, grad = numbers(i, notes.grads[i] if notes else None)
        what = f"{graph.label(graph.nodes[i])} → fork"
        wires.append(Wire(i, graph.nodes[i].id, f"fork{i + 1}", value, grad, name_of(i), what))
    for i, node, slot in edges:
        if uses[i] == 1:
            value, grad = numbers(i, notes.grads[i] if notes else None)
            what = f"{graph.label(graph.nodes[i])} → {gate_symbol(graph, node)}"
            wires.append(Wire(i, graph.nodes[i].id, node.id, value, grad, name_of(i), what))
            continue
        part = None  # the gradient that flows back along this branch: upstream · local
        if notes is not None and notes.grads[node.index] is not None:
            upstream = notes.grads[node.index]
            if getattr(notes.values[i], "ndim", 0) or getattr(upstream, "ndim", 0):
                from ..passes.arrays import branch_gradient  # a program over arrays

                part = branch_gradient(graph, node, slot, notes.values, upstream)
            else:
                part = upstream * local_partials(graph, node, notes.values)[slot]
        value, grad = numbers(i, part)
        what = f"{graph.label(graph.nodes[i])} → {gate_symbol(graph, node)}"
        wires.append(Wire(i, f"fork{i + 1}", node.id, value, grad, what=what))
    out = graph.output
    value, grad = numbers(out, notes.grads[out] if notes else None)
    label = graph.label(graph.nodes[out])
    wires.append(Wire(out, graph.nodes[out].id, "out", value, grad, what=f"output {label}"))
    return wires, forks


def step_columns(graph: Graph) -> list[int]:
    """For each node, the column of the loop step that made it (from 0, across all
    top-level loops), or -1: the steps of a loop are drawn left to right, one column each.
    An input belongs to a step when only that step uses it (``x[2]``); a weight every
    step uses belongs to none."""
    column = [-1] * len(graph.nodes)
    number = 0
    for loop in graph.loops:
        starts = loop.starts
        for k in range(loop.count):
            for index in range(starts[k], starts[k + 1]):
                column[index] = number + k
        number += loop.count
    users: list[set[int]] = [set() for _ in graph.nodes]
    for node in graph.nodes:
        for i in node.inputs:
            users[i].add(column[node.index])
    for node in graph.nodes:
        if (
            node.op == INPUT
            and column[node.index] >= 0
            and users[node.index] != {column[node.index]}
        ):
            column[node.index] = -1
    return column


def step_titles(graph: Graph) -> list[str]:
    """Each column's title: ``t = 1``, ``t = 2``, ..."""
    return [
        f"{loop.variable} = {loop.first + k}" for loop in graph.loops for k in range(loop.count)
    ]


def _circuit_dot(
    graph: Graph, notes: Annotations | None, marks: Mapping[int, str] | None = None
) -> list[str]:
    """The circuit; ``marks`` adds DOT attributes to nodes by index (a fill, a label
    outside), for the drawings of grades."""
    marks = marks or {}
    used = graph.used_by_output()
    drawn = [n for n in _drawn(graph) if used[n.index]]
    needs = graph.depends_on_input()
    column = step_columns(graph)
    leaves = [n for n in drawn if not needs[n.index] or n.op == INPUT]
    lines = [
        "digraph cg {",
        '  rankdir=LR; nodesep=0.25; ranksep=0.3; ordering="in";',
        '  node [fontname="Helvetica", fontsize=12];',
        '  edge [color="#444444", arrowsize=0.6];',
    ]
    titles = step_titles(graph)
    inside: list[list[str]] = [[] for _ in titles]  # each step's column, as DOT lines

    def put(index: int, line: str) -> None:
        (inside[column[index]] if column[index] >= 0 else lines).append(line)

    free = [n for n in leaves if column[n.index] < 0]
    if free:
        names = " ".join(_leaf_dot(graph, n, marks) for n in free)
        lines.append(f"  {{ rank=source; {names} }}")
    for node in drawn:
        if node in leaves:
            if column[node.index] >= 0:
                put(node.index, f"  {_leaf_dot(graph, node, marks)}")
            continue
        symbol = _dot_text(gate_symbol(graph, node))
        put(
            node.index,
            f'  {node.id} [shape=circle, margin=0.03, width=0.35, id="cg-node-{node.id}", '
            f'label="{symbol}"{_mark(marks, node)}];',
        )
    wires, forks = circuit_wires(graph, notes)
    for i in forks:
        put(i, f'  fork{i + 1} [shape=point, width=0.07, color="#444444"];')
    out_label = _dot_text(graph.label(graph.nodes[graph.output]))
    lines.append(f'  out [shape=plaintext, label="{out_label}"];')
    ids = {n.id: n.index for n in graph.nodes}
    for number, wire in enumerate(wires, start=1):
        dot = _dot_wire(wire, number, notes is not None, graph.nodes[wire.source].id)
        ends = {_end_column(end, ids, column) for end in (wire.tail, wire.head)}
        if len(dot) == 3 and len(ends) == 1 and -1 not in ends:  # its label in the column
            inside[ends.pop()].append(dot[0])
            dot = dot[1:]
        lines += dot
    lines += _columns_dot(titles, inside)
    lines.append("}")
    return lines


def _mark(marks: Mapping[int, str], node: Node) -> str:
    return f", {marks[node.index]}" if node.index in marks else ""


def _leaf_dot(graph: Graph, node: Node, marks: Mapping[int, str]) -> str:
    label = _dot_text(graph.label(node))
    return (
        f'{node.id} [shape=plaintext, id="cg-node-{node.id}", label="{label}"{_mark(marks, node)}];'
    )


def _end_column(end: str, ids: dict[str, int], column: list[int]) -> int:
    """The column of a wire's end: a node's id, a fork (``fork3``: node 2's) or ``out``."""
    if end in ids:
        return column[ids[end]]
    if end.startswith("fork"):
        return column[int(end[4:]) - 1]
    return -1


def _columns_dot(titles: list[str], inside: list[list[str]]) -> list[str]:
    """Each loop step as a cluster titled ``t = k``, kept left of the next one by
    invisible edges through an anchor at each cluster's start and end."""
    lines: list[str] = []
    for k, (title, body) in enumerate(zip(titles, inside, strict=True)):
        if not body:
            continue
        members = [line.split(maxsplit=1)[0] for line in body]
        lines += [
            f"  subgraph cluster_step{k + 1} {{",
            f'    label="{_dot_text(title)}"; labeljust=c; style="rounded,dashed"; '
            f'color="#999999"; fontcolor="#555555"; id="cg-step-{k + 1}";',
            f"    step{k + 1}_in [shape=point, style=invis, width=0];",
            f"    step{k + 1}_out [shape=point, style=invis, width=0];",
            *[f"  {line}" for line in body],
            "  }",
        ]
        for member in members:
            lines.append(f"  step{k + 1}_in -> {member} [style=invis];")
            lines.append(f"  {member} -> step{k + 1}_out [style=invis];")
    present = [k for k, body in enumerate(inside) if body]
    for before, after in itertools.pairwise(present):
        lines.append(f"  step{before + 1}_out -> step{after + 1}_in [style=invis];")
    return lines


def _dot_wire(wire: Wire, number: int, annotated: bool, source_id: str) -> list[str]:
    """The wire as DOT: with numbers, a label node on the line between two edges; its
    class ``cg-of-ID`` names the node whose numbers it shows (the page finds them so)."""
    head_arrow = " [arrowhead=none]" if wire.head.startswith("fork") else ""
    if not annotated:
        return [f"  {wire.tail} -> {wire.head}{head_arrow};"]
    value = html.escape(wire.value or "")
    if wire.name is not None:
        name = html.escape(wire.name)
        value = f'<font color="{NAME_COLOUR}">{name} = </font>' + _dot_value(value)
    else:
        value = _dot_value(value)
    grad = html.escape(wire.grad if wire.grad is not None else "-")
    label = (
        '<table border="0" cellborder="0" cellspacing="0" cellpadding="1" color="#444444">'
        f"<tr><td>{value}</td></tr><hr/>"
        f'<tr><td><font color="{GRAD_COLOUR}">{grad}</font></td></tr></table>'
    )
    tip = _dot_text(f"{wire.what}: value {wire.value}, gradient {wire.grad or '-'}")
    return [
        f'  wire{number} [shape=plain, class="wire cg-of-{source_id}", tooltip="{tip}", '
        f"label=<{label}>];",
        f"  {wire.tail}:e -> wire{number}:w [arrowhead=none];",
        f"  wire{number}:e -> {wire.head}{head_arrow};",
    ]


def _dot_value(text: str) -> str:
    return f'<font color="{VALUE_COLOUR}">{text}</font>'


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


# --- the boxes ----------------------------------------------------------------------


def _boxes_dot(graph: Graph, notes: Annotations | None) -> list[str]:
    lines = [
        "digraph cg {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded", fontname="Helvetica"];',
        '  edge [color="#555555"];',
    ]
    drawn = _drawn(graph)
    column = step_columns(graph)
    titles = step_titles(graph)
    inside: list[list[str]] = [[] for _ in titles]
    for node in drawn:
        rows = [html.escape(node_caption(graph, node))]
        if notes:
            value = html.escape(_number(notes, notes.values[node.index]))
            rows.append(f'<font color="{VALUE_COLOUR}">value {value}</font>')
            grad = _number(notes, notes.grads[node.index])
            if grad is not None:
                partial = html.escape(_partial(graph, notes, node, grad))
                rows.append(f'<font color="{GRAD_COLOUR}">{partial}</font>')
        shape = "ellipse" if node.op == INPUT else "box"
        extra = ', penwidth="2"' if node.index == graph.output else ""
        extra += f', id="cg-node-{node.id}"'  # the page finds each node's drawing by this id
        line = f"  {node.id} [shape={shape}{extra}, label=<{'<br/>'.join(rows)}>];"
        (inside[column[node.index]] if column[node.index] >= 0 else lines).append(line)
    lines += _columns_dot(titles, inside)
    for node in drawn:
        for i in node.inputs:
            if not graph.inline(graph.nodes[i]):
                lines.append(f"  {graph.nodes[i].id} -> {node.id};")
    lines.append("}")
    return lines


def to_dot(
    graph: Graph,
    notes: Annotations | None,
    style: str = "boxes",
    marks: Mapping[int, str] | None = None,
) -> str:
    """Graphviz DOT, left to right, as a circuit (its nodes ``marks``-ed) or as boxes."""
    lines = _circuit_dot(graph, notes, marks) if style == "circuit" else _boxes_dot(graph, notes)
    return "\n".join(lines) + "\n"


# --- Mermaid -------------------------------------------------------------------------


def _coloured(text: str, colour: str) -> str:
    return f"<span style='color:{colour}'>{_mermaid_escape(text)}</span>"


def to_mermaid(graph: Graph, notes: Annotations | None, style: str = "boxes") -> str:
    """A Mermaid flowchart, as a circuit or as boxes; values blue, gradients red."""
    if style == "circuit":
        return _circuit_mermaid(graph, notes)
    lines = ["flowchart LR"]
    drawn = _drawn(graph)
    column = step_columns(graph)
    inside: list[list[str]] = [[] for _ in step_titles(graph)]
    for node in drawn:
        rows = [_mermaid_escape(node_caption(graph, node))]
        if notes:
            value = _number(notes, notes.values[node.index])
            rows.append(_coloured(f"value {value}", VALUE_COLOUR))
            grad = _number(notes, notes.grads[node.index])
            if grad is not None:
                rows.append(_coloured(_partial(graph, notes, node, grad), GRAD_COLOUR))
        open_, close = ("([", "])") if node.op == INPUT else ("[", "]")
        line = f'  {node.id}{open_}"{"<br/>".join(rows)}"{close}'
        (inside[column[node.index]] if column[node.index] >= 0 else lines).append(line)
    lines += _mermaid_columns(step_titles(graph), inside)
    for node in drawn:
        for i in node.inputs:
            if not graph.inline(graph.nodes[i]):
                lines.append(f"  {graph.nodes[i].id} --> {node.id}")
    lines.append(f"  style {graph.nodes[graph.output].id} stroke-width:3px")
    return "\n".join(lines) + "\n"


def _circuit_mermaid(graph: Graph, notes: Annotations | None) -> str:
    used = graph.used_by_output()
    needs = graph.depends_on_input()
    drawn = [n for n in _drawn(graph) if used[n.index]]
    lines = ["flowchart LR"]
    column = step_columns(graph)
    inside: list[list[str]] = [[] for _ in step_titles(graph)]

    def put(index: int, line: str) -> None:
        (inside[column[index]] if column[index] >= 0 else lines).append(line)

    leaves = []
    for node in drawn:
        if node.op == INPUT or not needs[node.index]:
            leaves.append(node.id)
            put(node.index, f'  {node.id}["{_mermaid_escape(graph.label(node))}"]')
        else:
            put(node.index, f'  {node.id}(("{_mermaid_escape(gate_symbol(graph, node))}"))')
    wires, forks = circuit_wires(graph, notes)
    for i in forks:
        put(i, f'  fork{i + 1}((" "))')
    lines += _mermaid_columns(step_titles(graph), inside)
    output = _mermaid_escape(graph.label(graph.nodes[graph.output]))
    lines.append(f'  out["{output}"]')
    for wire in wires:
        if notes is None:
            lines.append(f"  {wire.tail} --> {wire.head}")
            continue
        value = _coloured(wire.value or "", VALUE_COLOUR)
        if wire.name is not None:
            value = f"{_mermaid_escape(wire.name)} = {value}"
        grad = _coloured(wire.grad if wire.grad is not None else "-", GRAD_COLOUR)
        lines.append(f'  {wire.tail} -->|"{value}<br/>{grad}"| {wire.head}')
    lines.append("  classDef leaf fill:none,stroke:none")
    lines.append(f"  class {','.join([*leaves, 'out'])} leaf")
    return "\n".join(lines) + "\n"


def _mermaid_columns(titles: list[str], inside: list[list[str]]) -> list[str]:
    """Each loop step's nodes as a subgraph titled ``t = k``."""
    lines: list[str] = []
    for k, (title, body) in enumerate(zip(titles, inside, strict=True)):
        if body:
            lines += [
                f'  subgraph step{k + 1} ["{_mermaid_escape(title)}"]',
                *(f"  {b}" for b in body),
                "  end",
            ]
    return lines


def _mermaid_escape(text: str) -> str:
    return html.escape(text).replace("#", "#35;")


# --- ASCII -----------------------------------------------------------------------------


MAX_ASCII_CHARS = 4_000_000
"""A tree's indentation grows with its depth: a deep program is drawn in another format."""


def _tree_size(graph: Graph, root: int) -> int:
    """About how many characters the ASCII tree takes: each node's depth times four."""
    depth = [-1] * len(graph.nodes)
    depth[root] = 0
    for node in reversed(graph.nodes[: root + 1]):
        if depth[node.index] >= 0:
            for i in node.inputs:
                depth[i] = max(depth[i], depth[node.index] + 1)
    return sum(4 * d + 40 for d in depth if d >= 0)


def to_ascii(graph: Graph, notes: Annotations | None, root: int | None = None) -> str:
    """A tree from the output (or from ``root``) down to its inputs; a node shown before
    is referred to."""
    size = _tree_size(graph, graph.output if root is None else root)
    if size > MAX_ASCII_CHARS:
        raise UsageError(
            f"the graph is too deep to draw as an ASCII tree (about {size // 1_000_000} MB of "
            "indentation); use --format dot or mermaid"
        )
    lines: list[str] = []
    shown: set[int] = set()
    stack: list[tuple[int, str, str]] = [(graph.output if root is None else root, "", "")]
    while stack:  # depth first, without recursion
        index, lead, child_lead = stack.pop()
        node = graph.nodes[index]
        if index in shown:
            lines.append(f"{lead}{graph.label(node)} (shown above)")
            continue
        text = node_caption(graph, node)
        if notes:
            text += f"   value {_number(notes, notes.values[index])}"
            grad = _number(notes, notes.grads[index])
            if grad is not None:
                text += f"   {_partial(graph, notes, node, grad)}"
        lines.append(lead + text)
        shown.add(index)
        children = [i for i in node.inputs if not graph.inline(graph.nodes[i])]
        for position in range(len(children) - 1, -1, -1):
            last = position == len(children) - 1
            branch, extend = ("└── ", "    ") if last else ("├── ", "│   ")
            stack.append((children[position], child_lead + branch, child_lead + extend))
    unused = [graph.label(n) for n in _drawn(graph) if n.index not in shown]
    if unused and root is None:
        lines.append("not used by the output: " + ", ".join(unused))
    return "\n".join(lines) + "\n"
