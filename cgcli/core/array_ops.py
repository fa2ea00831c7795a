"""The array ops of the op table: what works on a vector or a matrix as a whole.

Each entry holds, side by side, its shape rule, its forward function, its
vector-Jacobian product (the matrix rule a course teaches: for ``Y = A @ B``,
``∂L/∂A = ∂L/∂Y · Bᵀ`` and ``∂L/∂B = Aᵀ · ∂L/∂Y``), its reference builder (the same
operation over arrays of exact numbers: SymPy expressions, or mpmath's numbers for the
high-precision check) and its display forms. Elementwise arithmetic and functions are
the scalar ops of :mod:`cgcli.core.ops`, applied with NumPy's broadcasting.

A node's ``op`` names the array op and its parameter, if any: ``sum`` (every entry),
``sum:0`` (along axis 0), ``softmax:-1``, ``index:2,1`` (the entry ``W[2,1]``, indexes
counted from 1). Functions take the array module as ``np`` so that importing this
module imports no NumPy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

Shape = tuple[int, ...]


class ShapeProblem(ValueError):
    """Shapes that do not fit an op; the message names them (the caller adds the place)."""


class ArrayOp(NamedTuple):
    """One operation on arrays as a whole."""

    name: str
    arity: int
    """How many operands; -1 for any number (``stack``, a bracketed list)."""
    shape: Callable[[list[Shape], Any], Shape]
    """(the operands' shapes, parameter) -> the result's shape; raises ShapeProblem."""
    forward: Callable[..., Any]
    """(np, operands, parameter) -> the result (float64 arrays)."""
    vjp: Callable[..., tuple]
    """(np, operands, result, upstream, parameter) -> the gradient of each operand."""
    reference: Callable[..., Any]
    """(m, np, operands, parameter) -> the result over object arrays of exact numbers;
    ``m`` gives exp, log and sqrt (SymPy, or mpmath's context)."""
    show: Callable[[list[str], Any], str]
    """(the operands' texts, parameter) -> the op as written in the language."""
    rules: tuple[str, ...] = ()
    """Per operand: its share of the gradient as a course writes it, a template of ``{T}``
    (the operand's gradient), ``{U}`` (the result's), ``{A}``, ``{B}`` (the operands), ``{Y}``
    (the result) and ``{n}`` (how many entries a mean averages)."""
    parameter: str | None = None
    """The keyword that sets the parameter (``axis``), if the op takes one."""


def split_op(op: str) -> tuple[str, Any]:
    """``sum:0`` -> ("sum", 0); ``index:2,1`` -> ("index", (2, 1)); ``matmul`` -> (…, None)."""
    name, _, text = op.partition(":")
    if not text:
        return name, None
    if name in ("index", "slice"):
        return name, tuple(int(part) for part in text.split(","))
    return name, int(text)


def op_name(name: str, parameter: Any) -> str:
    """The inverse of :func:`split_op`."""
    if parameter is None:
        return name
    if isinstance(parameter, tuple):
        return f"{name}:{','.join(map(str, parameter))}"
    return f"{name}:{parameter}"


def shown_shape(shape: Shape) -> str:
    """A shape as the messages write it: ``3×2``, ``3`` (a vector), ``scalar``."""
    return "×".join(map(str, shape)) if shape else "scalar"


# --- shape rules ----------------------------------------------------------------------


def broadcast(shapes: list[Shape], _parameter: Any = None) -> Shape:
    """NumPy's broadcasting: dimensions compared from the right, 1 stretches."""
    result: list[int] = []
    for shape in shapes:
        for k in range(1, len(shape) + 1):
            size = shape[-k]
            if k > len(result):
                result.insert(0, size)
            elif result[-k] == 1:
                result[-k] = size
            elif size not in (1, result[-k]):
                shown = " and ".join(shown_shape(s) for s in shapes)
                raise ShapeProblem(f"the shapes {shown} do not broadcast together")
    return tuple(result)


def _array(shape: Shape, what: str) -> None:
    if not shape:
        raise ShapeProblem(f"{what} takes an array, not a scalar")


def _axis(shape: Shape, axis: int | None, what: str) -> int | None:
    _array(shape, what)
    if axis is None:
        return None
    if not -len(shape) <= axis < len(shape):
        raise ShapeProblem(
            f"{what} has no axis {axis}: its operand has shape {shown_shape(shape)} "
            f"(axes 0 to {len(shape) - 1}, or -1 for the last)"
        )
    return axis % len(shape)


def _stack_shape(shapes: list[Shape], _parameter: Any) -> Shape:
    first = shapes[0]
    for k, shape in enumerate(shapes[1:], start=2):
        if shape != first:
            raise ShapeProblem(
                f"a ragged list: entry 1 has shape {shown_shape(first)} but entry {k} has "
                f"shape {shown_shape(shape)} (every row of a matrix has the same length)"
            )
    return (len(shapes), *first)


def _matmul_shape(shapes: list[Shape], _parameter: Any) -> Shape:
    a, b = shapes
    if not a or not b:
        raise ShapeProblem(
            f"@ multiplies arrays, not a scalar ({shown_shape(a)} @ {shown_shape(b)}): "
            "multiply by a scalar with *"
        )
    if len(a) > 2 or len(b) > 2:
        raise ShapeProblem("@ takes vectors and matrices (at most 2 dimensions)")
    inner_a = a[-1]
    inner_b = b[0]
    if inner_a != inner_b:
        raise ShapeProblem(
            f"@ needs the columns of its left operand to match the rows of its right one: "
            f"{shown_shape(a)} @ {shown_shape(b)} ({inner_a} ≠ {inner_b})"
        )
    return a[:-1] + b[1:]


def _transpose_shape(shapes: list[Shape], _parameter: Any) -> Shape:
    (a,) = shapes
    _array(a, "transpose")
    if len(a) > 2:
        raise ShapeProblem("transpose takes a vector or a matrix (at most 2 dimensions)")
    return a[::-1]


def _reduce_shape(what: str) -> Callable[[list[Shape], Any], Shape]:
    def shape(shapes: list[Shape], axis: int | None) -> Shape:
        (a,) = shapes
        axis = _axis(a, axis, what)
        if axis is None:
            return ()
        return a[:axis] + a[axis + 1 :]

    return shape


def _dot_shape(shapes: list[Shape], _parameter: Any) -> Shape:
    a, b = shapes
    if len(a) != 1 or len(b) != 1 or a != b:
        raise ShapeProblem(
            f"dot takes two vectors of one length, not {shown_shape(a)} and {shown_shape(b)}"
            " (for matrices use @)"
        )
    return ()


def _norm_shape(shapes: list[Shape], _parameter: Any) -> Shape:
    _array(shapes[0], "norm")
    return ()


def _softmax_shape(shapes: list[Shape], axis: int | None) -> Shape:
    _axis(shapes[0], -1 if axis is None else axis, "softmax")
    return shapes[0]


def _index_shape(shapes: list[Shape], indexes: tuple[int, ...]) -> Shape:
    (a,) = shapes
    written = f"[{', '.join(map(str, indexes))}]"
    if not a:
        raise ShapeProblem(f"{written} reads an entry of an array, but this is a scalar")
    if len(indexes) > len(a):
        raise ShapeProblem(
            f"{written} has {len(indexes)} indexes, but the array has shape {shown_shape(a)}"
        )
    for k, (i, size) in enumerate(zip(indexes, a, strict=False)):
        if not 1 <= i <= size:
            raise ShapeProblem(
                f"index {i} is out of range in {written}: axis {k} has {size} entries, "
                f"counted from 1 to {size} (shape {shown_shape(a)})"
            )
    return a[len(indexes) :]


# --- forward and vector-Jacobian products -----------------------------------------------


def _outer(np, u, v):
    """u vᵀ: a column times a row."""
    return np.multiply.outer(u, v)


def _matmul_vjp(np, args, out, g, _parameter):
    a, b = args
    if a.ndim == 1 and b.ndim == 1:
        return g * b, g * a
    if b.ndim == 1:  # (m,n) @ (n,): dA = g bᵀ, db = Aᵀ g
        return _outer(np, g, b), a.T @ g
    if a.ndim == 1:  # (n,) @ (n,p): da = B g, dB = a gᵀ
        return b @ g, _outer(np, a, g)
    return g @ b.T, a.T @ g


def _expanded(np, g, shape: Shape, axis: int | None):
    """The upstream gradient of a reduction spread back over the operand's shape."""
    if axis is not None:
        g = np.expand_dims(g, axis % len(shape))
    return np.broadcast_to(g, shape)


def _count(shape: Shape, axis: int | None) -> int:
    if axis is None:
        count = 1
        for size in shape:
            count *= size
        return count
    return shape[axis]


def _softmax(np, a, axis):
    shifted = a - np.max(a, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def _logsumexp(np, a, axis):
    top = np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    total = np.log(np.sum(np.exp(a - top), axis=axis, keepdims=True)) + top
    return total.reshape(()) if axis is None else np.squeeze(total, axis=axis)


def _softmax_vjp(np, args, s, g, axis):
    axis = -1 if axis is None else axis
    return (s * (g - np.sum(g * s, axis=axis, keepdims=True)),)


def _logsumexp_vjp(np, args, out, g, axis):
    (a,) = args
    return (_softmax(np, a, axis) * _expanded(np, g, a.shape, axis),)


def _norm_forward(np, args, _parameter):
    """√(Σa²), the entries scaled by the largest |a| first, so that their squares do not
    underflow (the norm of [1e-200, 1e-200] is 1.4e-200, not 0) or overflow."""
    (a,) = args
    largest = np.max(np.abs(a)) if a.size else 0.0
    if largest == 0 or not np.isfinite(largest):
        return np.sqrt(np.sum(a * a))
    scaled = a / largest
    return largest * np.sqrt(np.sum(scaled * scaled))


def _norm_vjp(np, args, out, g, _parameter):
    (a,) = args
    if out == 0:
        return (np.zeros_like(a),)  # PyTorch's convention at the kink: 0
    return (g * a / out,)


def _index_forward(np, args, indexes):
    return args[0][tuple(i - 1 for i in indexes)]


def _index_vjp(np, args, out, g, indexes):
    grad = np.zeros_like(args[0])
    grad[tuple(i - 1 for i in indexes)] = g
    return (grad,)


# --- references over object arrays (exact numbers) -------------------------------------


def _exact(np, value):
    return np.asarray(value, dtype=object)


def _each(np, function, a):
    return np.frompyfunc(function, 1, 1)(a)


def _sum_reference(m, np, args, axis):
    return _exact(np, np.sum(args[0], axis=axis))


def _mean_reference(m, np, args, axis):
    (a,) = args
    axis_ = None if axis is None else axis % a.ndim
    return _exact(np, np.sum(a, axis=axis_)) / _count(a.shape, axis_)


def _softmax_reference(m, np, args, axis):
    e = _each(np, m.exp, args[0])
    return e / np.sum(e, axis=-1 if axis is None else axis, keepdims=True)


def _logsumexp_reference(m, np, args, axis):
    total = _exact(np, np.sum(_each(np, m.exp, args[0]), axis=axis))
    return _each(np, m.log, total)


def _norm_reference(m, np, args, _parameter):
    (a,) = args
    return _exact(np, m.sqrt(np.sum(a * a)))


# --- display ----------------------------------------------------------------------------


def _call(name: str, keyword: str | None = None):
    def show(args: list[str], parameter: Any) -> str:
        inside = ", ".join(args)
        if keyword and parameter is not None:
            inside += f", {keyword}={parameter}"
        return f"{name}({inside})"

    return show


def _reduction(name: str, forward, reference, rule: str) -> ArrayOp:
    def vjp(np, args, out, g, axis):
        (a,) = args
        axis_ = None if axis is None else axis % a.ndim
        grad = _expanded(np, g, a.shape, axis_)
        if name == "mean":
            grad = grad / _count(a.shape, axis_)
        return (np.array(grad, dtype=float),)

    return ArrayOp(
        name, 1, _reduce_shape(name), forward, vjp, reference, _call(name, "axis"), (rule,),
        "axis",
    )  # fmt: skip


ARRAY_OPS: dict[str, ArrayOp] = {
    op.name: op
    for op in [
        ArrayOp(
            "stack",
            -1,
            _stack_shape,
            lambda np, args, _p: np.stack(args),
            lambda np, args, out, g, _p: tuple(g[k] for k in range(len(args))),
            lambda m, np, args, _p: np.stack([_exact(np, a) for a in args]),
            lambda args, _p: f"[{', '.join(args)}]",
            ("{T} gets its entry of {U}",),
        ),
        ArrayOp(
            "matmul",
            2,
            _matmul_shape,
            lambda np, args, _p: np.matmul(*args),
            _matmul_vjp,
            lambda m, np, args, _p: _exact(np, np.matmul(*args)),
            lambda args, _p: f"{args[0]} @ {args[1]}",
            ("{T} gets {U} · {B}ᵀ", "{T} gets {A}ᵀ · {U}"),
        ),
        ArrayOp(
            "transpose",
            1,
            _transpose_shape,
            lambda np, args, _p: args[0].T,
            lambda np, args, out, g, _p: (g.T,),
            lambda m, np, args, _p: args[0].T,
            lambda args, _p: f"{args[0]}.T" if args[0].isidentifier() else f"transpose({args[0]})",
            ("{T} gets ({U})ᵀ",),
        ),
        _reduction(
            "sum",
            lambda np, args, axis: np.sum(args[0], axis=axis),
            _sum_reference,
            "{T} gets {U}, copied to every entry that was summed",
        ),
        _reduction(
            "mean",
            lambda np, args, axis: np.mean(args[0], axis=axis),
            _mean_reference,
            "{T} gets {U} / {n}, copied to every entry that was averaged",
        ),
        ArrayOp(
            "dot",
            2,
            _dot_shape,
            lambda np, args, _p: np.dot(*args),
            lambda np, args, out, g, _p: (g * args[1], g * args[0]),
            lambda m, np, args, _p: _exact(np, np.dot(*args)),
            _call("dot"),
            ("{T} gets {U} · {B}", "{T} gets {U} · {A}"),
        ),
        ArrayOp(
            "norm",
            1,
            _norm_shape,
            _norm_forward,
            _norm_vjp,
            _norm_reference,
            _call("norm"),
            ("{T} gets {U} · {A} / {Y}",),
        ),
        ArrayOp(
            "softmax",
            1,
            _softmax_shape,
            lambda np, args, axis: _softmax(np, args[0], -1 if axis is None else axis),
            _softmax_vjp,
            _softmax_reference,
            _call("softmax", "axis"),
            ("{T} gets {Y} ⊙ ({U} − Σ {U} ⊙ {Y}), Σ along the softmax's axis",),
            "axis",
        ),
        _reduction(
            "logsumexp",
            lambda np, args, axis: _logsumexp(np, args[0], axis),
            _logsumexp_reference,
            "{T} gets softmax({A}) ⊙ {U}",
        )._replace(vjp=_logsumexp_vjp),
        ArrayOp(
            "index",
            1,
            _index_shape,
            _index_forward,
            _index_vjp,
            lambda m, np, args, indexes: _exact(np, _index_forward(np, args, indexes)),
            lambda args, indexes: f"{args[0]}[{', '.join(map(str, indexes))}]",
            ("{T} gets {U} at the entry read, 0 elsewhere",),
        ),
    ]
}
"""The ops on arrays as a whole; ``stack`` builds a bracketed list ``[a, b]`` from its
entries (rows of a matrix are stacked vectors), ``index`` reads ``v[i]`` or ``W[i,j]``."""

FUNCTION_NAMES = ("transpose", "sum", "mean", "dot", "norm", "softmax", "logsumexp")
"""The array ops a program calls by name (``@``, ``[...]``, ``v[i]`` and ``.T`` are syntax)."""


def array_op(op: str) -> ArrayOp | None:
    """The array op of a node's ``op`` field, or None for a scalar op."""
    return ARRAY_OPS.get(op.partition(":")[0])
