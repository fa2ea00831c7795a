"""cg explain for a program over vectors and matrices: the matrix rules, with shapes.

The forward pass node by node with each result's shape, then the backward pass node by
node from the output: for each operand the rule a course writes for it, with the
program's labels and the shapes of its factors (``∂L/∂W = ∂L/∂D · xᵀ, (3×1)(1×2) →
3×2``), and the gradient, an array of the operand's shape. A gradient that reaches an
operand from several uses is their sum, as for scalars.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..api.evaluation import Evaluation
from ..core.array_ops import array_op, split_op
from ..core.ir import COPY, INPUT, Node
from ..core.notation import CASES, LATEX_PREAMBLE, PREFIX, SUM, TEXT, label_pieces, latex_text
from ..core.numbers import format_array, format_number
from ..core.ops import op_for

Shape = tuple[int, ...]
COMPACT_ENTRIES = 12
"""An array of more entries is shortened with … (the first and last two rows)."""


@dataclass(frozen=True)
class ArrayExplanation:
    """The worked solution of a program over arrays at a point, in text, Markdown or
    LaTeX."""

    result: Evaluation
    digits: int | None = 6
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Plain text, as ``cg explain`` prints it."""
        return "\n".join(explain_lines(self.result, self.digits)) + "\n"

    @property
    def latex(self) -> str:
        """The same lines in LaTeX's text mode (each a list item), for amsmath."""
        out = [f"% cg explain: needs {LATEX_PREAMBLE}"]
        listing = False
        for line in explain_lines(self.result, self.digits):
            if not line.startswith(" "):
                if listing:
                    out.append(r"\end{itemize}")
                    listing = False
                if line:
                    out.append(rf"\paragraph{{{latex_text(line)}}}")
                continue
            if not listing:
                out.append(r"\begin{itemize}")
                listing = True
            depth = (len(line) - len(line.lstrip(" "))) // 2 - 1
            indent = r"\quad " * depth
            out.append(rf"\item[] {indent}{latex_text(line.strip())}")
        if listing:
            out.append(r"\end{itemize}")
        return "\n".join(out) + "\n"

    @property
    def markdown(self) -> str:
        """The same lines, each a list item, formulas in code spans."""
        lines = []
        for line in explain_lines(self.result, self.digits):
            if not line:
                lines.append("")
            elif not line.startswith(" "):
                lines.append(f"**{line}**\n")
            else:
                depth = (len(line) - len(line.lstrip(" "))) // 2 - 1
                lines.append(f"{'  ' * depth}* `{line.strip()}`")
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return self.markdown


def explain_lines(result: Evaluation, digits: int | None) -> list[str]:
    """The forward pass, then the backward pass with each operand's rule and shapes."""
    graph, shapes, values, grads, labels, pieces, out = _names(result)

    def number(x: Any) -> str:
        return _shown(x, digits)

    lines = ["Forward pass"]
    inputs = [f"{labels[n.index]} = {number(values[n.index])}" for n in graph.inputs]
    if inputs:
        lines.append(f"  inputs: {', '.join(inputs)}")
    for node in graph.nodes:
        if node.op == INPUT or graph.inline(node):
            continue
        written = _written(graph, node, labels)
        lines.append(
            f"  {labels[node.index]} = {written} = {number(values[node.index])}"
            f"   {_shape_note(shapes[node.index])}"
        )
    last_use = {}  # each operand's gradient is whole after its first user, in forward order
    for node in reversed(graph.nodes):
        for operand in node.inputs:
            last_use[operand] = node.index
    lines += ["", f"Backward pass, from {out} back to the inputs"]
    lines.append(
        "  (each gradient has its node's shape; one that several uses reach sums what each sends)"
    )
    lines.append(f"  ∂{out}/∂{out} = 1")
    for index in range(graph.output, -1, -1):
        node = graph.nodes[index]
        if grads[index] is None or node.op == INPUT or not node.inputs:
            continue
        lines.append(f"  {labels[index]} = {_written(graph, node, labels)}:")
        for operand in dict.fromkeys(node.inputs):
            if grads[operand] is None:
                continue
            slots = [k for k, i in enumerate(node.inputs) if i == operand]
            lines.append(f"    {_rule(graph, node, slots, labels, pieces, shapes, out)}")
        for operand in dict.fromkeys(node.inputs):
            if grads[operand] is not None and last_use[operand] == index:
                lines.append(
                    f"    ∂{out}/∂{labels[operand]} = {number(grads[operand])}"
                    f"   {_shape_note(shapes[operand])}"
                )
    return lines


def array_steps(result: Evaluation, digits: int | None) -> list[tuple[str, int, list[str]]]:
    """The passes as steps for the page, each ``(pass, node index, lines)``: every node's
    value in forward order, then every gradient as the backward pass completes it (after
    the last of its uses), with the rule each use applies and the gradient's array."""
    graph, shapes, values, grads, labels, pieces, out = _names(result)
    steps: list[tuple[str, int, list[str]]] = []
    for node in graph.nodes:
        if graph.inline(node) or (node.op != INPUT and not node.inputs):
            continue
        value = _shown(values[node.index], digits)
        note = _shape_note(shapes[node.index])
        if node.op == INPUT:
            text = f"{labels[node.index]} = {value} (given)   {note}"
        else:
            text = f"{labels[node.index]} = {_written(graph, node, labels)} = {value}   {note}"
        steps.append(("forward", node.index, [text]))
    if grads[graph.output] is None:
        return steps
    steps.append(("backward", graph.output, [f"∂{out}/∂{out} = 1"]))
    rules: dict[int, list[str]] = {}
    for index in range(graph.output, -1, -1):
        node = graph.nodes[index]
        if grads[index] is None or node.op == INPUT or not node.inputs:
            continue
        for operand in dict.fromkeys(node.inputs):
            if grads[operand] is None:
                continue
            slots = [k for k, i in enumerate(node.inputs) if i == operand]
            rule = _rule(graph, node, slots, labels, pieces, shapes, out)
            rules.setdefault(operand, []).append(
                f"{labels[index]} = {_written(graph, node, labels)}: {rule}"
            )
        for operand in dict.fromkeys(node.inputs):
            done = all(i <= index for i in _users(graph, operand))
            if grads[operand] is not None and done and operand in rules:
                gradient = (
                    f"∂{out}/∂{labels[operand]} = {_shown(grads[operand], digits)}"
                    f"   {_shape_note(shapes[operand])}"
                )
                steps.append(("backward", operand, [*rules.pop(operand), gradient]))
    return steps


def _names(result: Evaluation):
    """What both passes write with: the graph, each node's shape, value and gradient, its
    label, its pieces for formulas (a constant shown as its number) and the output's label."""
    graph = result.graph
    shapes = result.shapes
    assert shapes is not None
    values = result.nodes.values
    grads = result.nodes.grads
    labels = [graph.label(n) for n in graph.nodes]
    constants = [_constant(values[n.index]) if graph.inline(n) else None for n in graph.nodes]
    pieces = [
        p._replace(constant=c) for p, c in zip(label_pieces(graph, TEXT), constants, strict=True)
    ]
    return graph, shapes, values, grads, labels, pieces, labels[graph.output]


def _users(graph, operand: int) -> list[int]:
    """The nodes that use ``operand``, up to the output."""
    return [n.index for n in graph.nodes[operand + 1 : graph.output + 1] if operand in n.inputs]


def _rule(graph, node: Node, slots: list[int], labels, pieces, shapes, out: str) -> str:
    """The rule for the operand of ``node`` in ``slots``: what it gets of ∂out/∂operand."""
    slot = slots[0]
    operand = node.inputs[slot]
    up = f"∂{out}/∂{labels[node.index]}"
    target = f"∂{out}/∂{labels[operand]}"
    if node.op == COPY:
        return f"{target} gets {up} (a copy)"
    table_op = array_op(node.op)
    if table_op is None:
        op = op_for(node.op)
        args = [pieces[i] for i in node.inputs]
        piece = op.textbook_local(TEXT, slots, args)
        local = piece.text
        factor = TEXT.group(piece) if piece.rank in (CASES, SUM, PREFIX) else local
        rule = f"{target} gets {up} ⊙ {factor}" if local != "1" else f"{target} gets {up}"
        if local == "-1":
            rule = f"{target} gets -{up}"
        if shapes[operand] != shapes[node.index]:
            rule += (
                f", summed over the axes broadcasting stretched "
                f"({_shape(shapes[node.index])} → {_shape(shapes[operand])})"
            )
        return rule
    if split_op(node.op)[0] == "matmul":
        return _matmul_rule(node, slot, labels, shapes, up, target)
    template = table_op.rules[min(slot, len(table_op.rules) - 1)]
    operands = [labels[i] for i in node.inputs]
    averaged = _count(shapes[operand]) // max(1, _count(shapes[node.index]))
    return template.format(
        T=target,
        U=up,
        A=operands[0],
        B=operands[-1],
        Y=labels[node.index],
        n=averaged,
    )


def _count(shape: Shape) -> int:
    count = 1
    for size in shape:
        count *= size
    return count


def _matmul_rule(node: Node, slot: int, labels, shapes, up: str, target: str) -> str:
    """``∂L/∂A = ∂L/∂Y · Bᵀ`` and ``∂L/∂B = Aᵀ · ∂L/∂Y`` with the labels and shapes; a
    vector is a column (n×1) and its transpose a row (1×n)."""
    a, b = node.inputs
    sa, sb, sy = shapes[a], shapes[b], shapes[node.index]
    la, lb = labels[a], labels[b]
    if len(sa) == 1 and len(sb) == 1:
        other = lb if slot == 0 else la
        return f"{target} gets {up} · {other}, (1)({sa[0]}) → {sa[0]}"
    column_y = (*sy, 1) if len(sy) == 1 else sy
    if slot == 0:
        right = (1, sb[0]) if len(sb) == 1 else (sb[1], sb[0])
        left = column_y
        if len(sa) == 1:  # (n,) @ (n,p): ∂L/∂a = B · ∂L/∂y
            return f"{target} gets {lb} · {up}, {_dims(sb)}({sy[0]}×1) → {sa[0]}"
        return f"{target} gets {up} · {lb}ᵀ, {_dims(left)}{_dims(right)} → {_shape(sa)}"
    if len(sa) == 1:  # (n,) @ (n,p): ∂L/∂B = a · ∂L/∂yᵀ
        return f"{target} gets {la} · {up}ᵀ, ({sa[0]}×1)(1×{sy[0]}) → {_shape(sb)}"
    left = (sa[1], sa[0])
    shown = _shape(sb)
    return f"{target} gets {la}ᵀ · {up}, {_dims(left)}{_dims(column_y)} → {shown}"


def _written(graph, node: Node, labels: list[str]) -> str:
    """What ``node`` computes, from its operands' labels."""
    args = [labels[i] for i in node.inputs]
    if node.op == COPY:
        return args[0]
    table_op = array_op(node.op)
    if table_op is not None:
        return table_op.show(args, split_op(node.op)[1])
    return op_for(node.op).show(args)


def _dims(shape: Shape) -> str:
    return f"({'×'.join(map(str, shape))})"


def _shape(shape: Shape) -> str:
    return "×".join(map(str, shape)) if shape else "scalar"


def _shape_note(shape: Shape) -> str:
    return f"(shape {_shape(shape)})" if shape else "(a scalar)"


def _shown(x: Any, digits: int | None) -> str:
    if getattr(x, "ndim", 0):
        return format_array(x, digits, COMPACT_ENTRIES)
    return format_number(float(x), digits)


def _constant(value: Any) -> float | None:
    """An inline constant's value as the textbook forms read it (a scalar only)."""
    return None if getattr(value, "ndim", 0) else float(value)
