"""Programs over vectors and matrices: shapes first, then forward and backward passes in
which every node holds a NumPy array (one operation per node, not one per entry).

The shapes are found before anything runs (:func:`shapes`), so that a mismatch is an
error naming both shapes with a caret under the operation, never a NumPy traceback.
Elementwise ops are the scalar op table's, with NumPy's broadcasting; their gradient is
summed back over the broadcast axes. The array ops (:mod:`cgcli.core.array_ops`) bring
their own vector-Jacobian products. Both passes are loops over the node list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.array_ops import Shape, ShapeProblem, array_op, broadcast, shown_shape, split_op
from ..core.errors import CgMathError, ShapeError, line_and_column
from ..core.ir import COPY, INPUT, NUMBER, Graph, Node
from ..core.ops import CONSTANTS, DomainError, op_for
from .engine import at_entry, local_derivative_error, overflow_error, overflowed


def shapes(graph: Graph, given: Mapping[str, Shape]) -> list[Shape]:
    """The shape of every node (``()`` for a scalar); a :class:`ShapeError` at the first
    operation whose operands do not fit it."""
    found: list[Shape] = []
    for node in graph.nodes:
        if node.op == INPUT:
            shape = tuple(given.get(node.name, ()))
        elif node.op == COPY:
            shape = found[node.inputs[0]]
        elif not node.inputs:  # a number or a named constant
            shape = ()
        else:
            operands = [found[i] for i in node.inputs]
            op = array_op(node.op)
            try:
                if op is None:
                    shape = broadcast(operands)
                else:
                    shape = op.shape(operands, split_op(node.op)[1])
            except ShapeProblem as exc:
                raise _shape_error(graph, node, str(exc), operands) from None
            if _entries(shape) > MAX_ENTRIES:
                problem = (
                    f"the result would have {_entries(shape):,} entries (shape "
                    f"{shown_shape(shape)}), over the limit of {MAX_ENTRIES:,}"
                )
                raise _shape_error(graph, node, problem, operands)
        found.append(shape)
    return found


MAX_ENTRIES = 50_000_000
"""The most entries a node may hold (400 MB of float64): broadcasting a column against a
row can ask for far more than the inputs hold, found here before anything runs."""


def _entries(shape: Shape) -> int:
    count = 1
    for size in shape:
        count *= size
    return count


def _shape_error(graph: Graph, node: Node, problem: str, operands: list[Shape]) -> ShapeError:
    """The problem, then each named operand's shape: ``W is 3×2, x is 3``."""
    described = [
        f"{graph.label_at(i)} is {shown_shape(s) if s else 'a scalar'}"
        for i, s in zip(node.inputs, operands, strict=True)
        if graph.table.names[i] is not None
    ]
    shown = f" ({', '.join(dict.fromkeys(described))})" if described else ""
    return ShapeError(f"{problem}{shown}", graph.source, _caret(graph.source, node))


def _caret(source: str, node: Node) -> int:
    """Where the caret goes: under a product's own ``@`` (the last one outside brackets in
    its text, as ``@`` groups to the left), else at the start of the operation."""
    if node.op != "matmul":
        return node.start
    depth, found = 0, node.start
    for offset in range(node.start, node.end):
        char = source[offset]
        depth += (char in "([") - (char in ")]")
        if char == "@" and depth == 0:
            found = offset
    return found


def forward(graph: Graph, point: Mapping[str, Any], np: Any = None) -> list[Any]:
    """Every node's value as a float64 array (0-d for a scalar), given an array or a
    number for every input; a math error names the node and the first bad entry."""
    np = np or _numpy()
    values: list[Any] = []
    with np.errstate(all="ignore"):
        for node in graph.nodes:
            op = node.op
            if op == INPUT:
                value = _read_only(np.asarray(point[node.name], dtype=float))
            elif op == NUMBER:
                value = np.asarray(float(node.literal))
            elif op in CONSTANTS:
                value = np.asarray(CONSTANTS[op][0])
            elif op == COPY:
                value = values[node.inputs[0]]
            else:
                args = [values[i] for i in node.inputs]
                table_op = array_op(op)
                if table_op is None:
                    value = np.asarray(op_for(op).forward_array(np, *args), dtype=float)
                else:
                    value = np.asarray(table_op.forward(np, args, split_op(op)[1]), dtype=float)
                if not np.all(np.isfinite(value)):
                    raise _math_error(graph, node, args, value, np)
            values.append(value)
    return values


def _math_error(graph: Graph, node: Node, args: list, value: Any, np: Any) -> CgMathError:
    """The first entry that is not finite, and why (the scalar op's own domain message)."""
    bad = tuple(int(k) for k in np.argwhere(~np.isfinite(value))[0]) if value.ndim else ()
    reason = "result overflows a float64"
    if array_op(node.op) is None:
        entry = [float(np.broadcast_to(a, value.shape)[bad]) for a in args]
        try:
            op_for(node.op).forward(*entry)
        except DomainError as exc:
            reason = str(exc)
        except (OverflowError, ValueError, ZeroDivisionError):
            pass
    line, column = line_and_column(graph.source, node.start)
    return CgMathError(
        f"{line}:{column}: node {graph.label(node)} = {graph.text(node)}: {reason}{at_entry(bad)}"
    )


def backward(graph: Graph, values: list[Any], np: Any = None) -> list[Any]:
    """∂output/∂node for every node, an array of the node's shape; None for nodes that
    depend on no input. An array output is differentiated as the sum of its entries."""
    np = np or _numpy()
    table = graph.table
    needs = graph.needs
    grads: list[Any] = [None] * len(values)
    grads[graph.output] = np.ones_like(values[graph.output])
    with np.errstate(all="ignore"):
        for index in range(graph.output, -1, -1):
            g = grads[index]
            if g is None or not needs[index]:
                continue
            node = table.node(index)
            if node.op == INPUT or not node.inputs:
                continue
            args = [values[i] for i in node.inputs]
            if node.op == COPY:
                contributions: tuple = (g,)
            else:
                contributions = _local_vjp(node.op, args, values[index], g, np)
            for slot, (i, share) in enumerate(zip(node.inputs, contributions, strict=True)):
                if not needs[i]:
                    continue
                share = np.asarray(share, dtype=float)
                total = _added(np, grads[i], share, values[i].shape)
                if not np.all(np.isfinite(total)):
                    share = _zero_without_upstream(np, node, share, g)
                    total = _added(np, grads[i], share, values[i].shape)
                    if not np.all(np.isfinite(total)):
                        at = (args, values[index], g)
                        _check_overflow(graph, node, slot, at, share, (grads[i], total))
                grads[i] = total
    return [
        _read_only(np.zeros_like(values[i]) if grads[i] is None else np.asarray(grads[i]))
        if needs[i]
        else None
        for i in range(len(values))
    ]


def _added(np: Any, before: Any, share: Any, shape: tuple[int, ...]) -> Any:
    """``share`` summed back to ``shape``, added to the gradient the operand had ``before``
    (None: nothing yet)."""
    shaped = _to_shape(np, share, shape)
    return shaped if before is None else before + shaped


def _zero_without_upstream(np: Any, node: Node, share: Any, g: Any) -> Any:
    """``share`` with 0 wherever the upstream gradient is 0, for an op of the scalar
    table: the scalar reverse pass never computes a local derivative there, so an
    upstream 0 meeting one beyond float64 (0 · inf, nan) sends 0 back, as it does."""
    if node.op == COPY or array_op(node.op) is not None:
        return share
    return np.where(np.broadcast_to(g, share.shape) == 0, 0.0, share)


def _check_overflow(
    graph: Graph, node: Node, slot: int, at: tuple[list, Any, Any], share: Any, sums: tuple
) -> None:
    """Raise the math error where the gradient ``node`` sends to its operand in ``slot``
    has an entry float64 could not hold, as the scalar passes do: the op's local
    derivative overflowed there, or its product with a finite upstream gradient did, or
    the sum did. An entry that is ±inf or nan by mathematics (√' at 0 is inf) or carried
    from upstream is no error. ``at``: the node's arguments, its value and the upstream
    gradient; ``share``: what the node sends; ``sums``: what the operand had before
    (None: nothing yet) and the total with ``share``."""
    np = _numpy()
    g = at[2]
    what = f"the gradient ∂{graph.output_label()}/∂{graph.label_at(node.inputs[slot])}"
    bad = ~np.isfinite(share)
    if not bad.any():
        before, total = sums
        if before is None or np.all(np.isfinite(before)):
            raise overflow_error(graph, node, what, None, _first(~np.isfinite(total)))
    elif node.op == COPY:
        return
    elif array_op(node.op) is not None:  # no op on whole arrays makes inf of finite numbers
        if np.all(np.isfinite(g)):
            raise overflow_error(graph, node, what, None, _first(bad))
    else:
        _check_entries(graph, node, slot, at, bad, what)


def _check_entries(
    graph: Graph, node: Node, slot: int, at: tuple[list, Any, Any], bad: Any, what: str
) -> None:
    """:func:`_check_overflow` for an op of the scalar table: at each entry that is not
    finite while the upstream gradient is, the op's scalar local derivative says whether
    float64 overflowed. Entries alike are asked once (a column of zeros under √ is one
    question)."""
    np = _numpy()
    args, out, g = at
    upstream = np.broadcast_to(g, bad.shape)
    suspect = bad & np.isfinite(upstream)
    columns = [*(np.broadcast_to(a, bad.shape) for a in args), np.broadcast_to(out, bad.shape)]
    rows = np.column_stack([column[suspect] for column in [*columns, upstream]])
    positions = np.argwhere(suspect)
    partials = op_for(node.op).partials
    for k in sorted(np.unique(rows, axis=0, return_index=True)[1]):
        *operands, y, up = rows[k].tolist()
        entry = tuple(int(p) for p in positions[k])
        try:
            local = partials(*operands, y)[slot]
        except (OverflowError, ValueError, ZeroDivisionError) as exc:
            raise local_derivative_error(graph, node, exc, operands, entry) from None
        if overflowed(up, local):
            raise overflow_error(graph, node, what, operands, entry)


def _first(mask: Any) -> tuple[int, ...]:
    """The position of the first True entry of ``mask``."""
    return tuple(int(k) for k in _numpy().argwhere(mask)[0])


def _read_only(array: Any) -> Any:
    """A view that cannot be written: values and gradients may share memory (an input's
    value is the caller's array; an add passes one gradient to both its inputs)."""
    view = array.view()
    view.flags.writeable = False
    return view


def branch_gradient(graph: Graph, node: Node, slot: int, values: list[Any], upstream: Any):
    """What ``node`` sends back to its operand in ``slot``: its vector-Jacobian product
    with the ``upstream`` gradient, summed back to the operand's shape (a drawing's
    branch of a fork)."""
    np = _numpy()
    args = [np.asarray(values[i], dtype=float) for i in node.inputs]
    out = np.asarray(values[node.index], dtype=float)
    with np.errstate(all="ignore"):
        if node.op == COPY:
            share = np.asarray(upstream, dtype=float)
        else:
            share = _local_vjp(node.op, args, out, np.asarray(upstream, dtype=float), np)[slot]
        shaped = _to_shape(np, np.asarray(share, dtype=float), args[slot].shape)
    return float(shaped) if shaped.ndim == 0 else shaped


def operand_gradient(op: str, args: list, out: Any, g: Any, slot: int) -> Any:
    """What the node of ``op`` sends back to its operand ``slot`` from the upstream
    gradient ``g``, before it is summed back over the axes broadcasting stretched."""
    np = _numpy()
    with np.errstate(all="ignore"):
        return np.asarray(_local_vjp(op, args, out, g, np)[slot], dtype=float)


def _local_vjp(op: str, args: list, out: Any, g: Any, np: Any) -> tuple:
    table_op = array_op(op)
    if table_op is not None:
        return table_op.vjp(np, args, out, g, split_op(op)[1])
    partials = op_for(op).partials_array(np, *args, out)
    return tuple(g if p is _ONE else -g if p is _MINUS_ONE else g * p for p in _known(partials))


_ONE, _MINUS_ONE = object(), object()


def _known(partials: tuple) -> list:
    """The partials, with the constants 1 and -1 (of add, sub, neg) marked: the upstream
    gradient passes unchanged, or negated, without a multiplication of whole arrays."""
    return [
        _ONE
        if type(p) is float and p == 1.0
        else _MINUS_ONE
        if type(p) is float and p == -1.0
        else p
        for p in partials
    ]


def summed_back(grad: Any, shape: tuple[int, ...]) -> Any:
    """A gradient summed back over the axes broadcasting stretched to reach its shape."""
    np = _numpy()
    return _to_shape(np, np.asarray(grad, dtype=float), shape)


def _to_shape(np: Any, grad: Any, shape: tuple[int, ...]) -> Any:
    """A gradient summed back over the axes broadcasting stretched to reach ``grad``."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(k for k, size in enumerate(shape) if size == 1 and grad.shape[k] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return np.broadcast_to(grad, shape).copy() if grad.shape != shape else grad


def scalar_output(graph: Graph, values: list[Any]) -> str | None:
    """A warning when the output is an array: its gradients are those of its sum."""
    shape = values[graph.output].shape
    if not shape:
        return None
    label = graph.label_at(graph.output)
    return (
        f"the output {label} is an array ({shown_shape(shape)}): the gradients are those "
        f"of the sum of its entries (write L = sum({label}) to say so)"
    )


def shape_of(value: Any) -> Shape:
    """The shape of a given value: ``()`` for a number."""
    return tuple(getattr(value, "shape", ()))


def _numpy():
    import numpy

    return numpy
