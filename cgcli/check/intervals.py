"""The SymPy reference on the graph itself: SymPy's derivative of each op, accumulated
over the node list in interval arithmetic.

For each op, SymPy builds the op from the op table's SymPy builder on symbols and
differentiates it (``diff(1/(1 + exp(-a)), a)``): cg's own local derivatives are
never read. tools/generate_op_derivatives.py stores SymPy's results for the op table
in cgcli/core/_op_derivatives.py (a test recomputes them), so the check imports SymPy only
for an op that table lacks, or for a point it hands to the whole-program method. The
values of the nodes at the exact inputs and the adjoints ∂output/∂node are computed in
mpmath's interval arithmetic, one loop forward and one backward over the node list
(this module's own accumulation, not cg's reverse pass). Every interval holds the
exact number; when one that is needed is wider than RELATIVE_WIDTH of its size (and
than ABSOLUTE_WIDTH), the whole point is computed again with twice the digits, up to
MAX_DIGITS.

Where a step of a derivative (Heaviside, sign: from relu, abs, max, min) sits at its
break, SymPy's own value there is used and the nodes whose gradient flows through it
are marked as at a kink. A point where this method cannot decide (a pole, a 0/0, a
value that is not real, or intervals still too wide) is :class:`Irregular`: the whole-program
SymPy method of :mod:`cgcli.check.symbolic` takes it, with its limits and conventions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import mpmath
from mpmath.ctx_iv import MPIntervalContext

from ..core.ir import COPY, INPUT, NUMBER, Graph
from ..core.ops import CONSTANTS, op_for

DIGITS = 50
"""Digits of the first pass."""
MAX_DIGITS = 800
"""The most digits a point is computed with before it counts as irregular."""
RELATIVE_WIDTH = 1e-25
ABSOLUTE_WIDTH = 1e-40
"""A reference interval is narrow enough when its width is at most RELATIVE_WIDTH of
its magnitude or at most ABSOLUTE_WIDTH: far below the check's tolerance of 1e-9
relative + 1e-12 absolute."""

Expected = float | str


class Irregular(Exception):
    """A point this method cannot decide; the message says why."""


# --- SymPy's local derivatives, compiled to steps ------------------------------------

Steps = tuple[tuple, ...]
"""An expression in post-order: ("arg", i), ("number", p, q), ("constant", "E" or "pi"),
("power", p, q) of the value before it, ("apply", SymPy's class name, argument count)."""
Rules = tuple[Steps, tuple[Steps, ...]]
"""An op and its derivative per argument, as steps."""


def op_rules(name: str, arity: int) -> Rules:
    """SymPy's form of an op and SymPy's derivative for each argument, as steps: stored by
    tools/generate_op_derivatives.py (so the check runs without importing SymPy), or
    computed by SymPy for an op the stored table does not have."""
    from ..core._op_derivatives import OP_DERIVATIVES

    stored = OP_DERIVATIVES.get(name)
    if stored is not None and len(stored[1]) == arity:
        return stored
    return sympy_rules(op_for(name).sympy, arity)[0]


@functools.cache
def sympy_rules(builder: Callable[..., Any], arity: int) -> tuple[Rules, tuple[str, ...]]:
    """SymPy builds the op with ``builder`` on symbols a, b and differentiates it: the
    op and each partial derivative as steps, and as SymPy's text."""
    import sympy

    symbols = sympy.symbols("a b", real=True)[:arity]
    expr = builder(sympy, *symbols)
    # powsimp: SymPy writes d(a^b)/da as a^b·b/a, which is 0/0 at a = 0; a^(b-1)·b is not
    partials = [sympy.powsimp(sympy.diff(expr, s)) for s in symbols]
    rules = (_compile(expr, symbols), tuple(_compile(p, symbols) for p in partials))
    return rules, tuple(str(e) for e in [expr, *partials])


def _compile(expr: Any, symbols: Sequence[Any]) -> Steps:
    """A SymPy expression as steps in post-order (a loop, no recursion)."""
    steps: list[tuple] = []
    stack: list[tuple[Any, bool]] = [(expr, False)]
    while stack:
        e, children_done = stack.pop()
        if e.is_Symbol:
            steps.append(("arg", symbols.index(e)))
        elif e.is_Rational:
            steps.append(("number", int(e.p), int(e.q)))
        elif e.is_NumberSymbol and str(e) in ("E", "pi"):
            steps.append(("constant", str(e)))
        elif e.is_Pow and e.exp.is_Rational and not children_done:
            stack.append((e, True))
            stack.append((e.base, False))
        elif e.is_Pow and e.exp.is_Rational:
            steps.append(("power", int(e.exp.p), int(e.exp.q)))
        elif not children_done:
            if type(e).__name__ not in _FUNCTIONS:
                raise Irregular(f"no interval form for SymPy's {type(e).__name__}")
            stack.append((e, True))
            stack.extend((arg, False) for arg in reversed(e.args))
        else:
            steps.append(("apply", type(e).__name__, len(e.args)))
    return tuple(steps)


# --- interval functions -----------------------------------------------------------------


class _Context(MPIntervalContext):
    """mpmath's interval context, and what the steps (Heaviside, sign) met in one pass."""

    at_break = False
    """A step sat at its break (its argument is 0) in the current :func:`_run`."""
    blurred = False
    """A step's argument held 0 but more digits may move it off: the pass is redone."""
    last_pass = False
    """No more digits to come: a step whose argument holds 0 counts as at its break."""


def _side(ctx: _Context, x: Any) -> int:
    """-1 or 1, the sign of x; 0 at a step's break (x is 0, or holds 0 at the most digits)."""
    if x.a > 0:
        return 1
    if x.b < 0:
        return -1
    low, high = _ends(x)
    if low == high or ctx.last_pass:
        ctx.at_break = True
    else:
        ctx.blurred = True
    return 0


def _positive(x: Any, what: str) -> Any:
    if not x.a > 0:
        raise Irregular(f"{what} of a number that is not positive")
    return x


def _rational_power(ctx: _Context, x: Any, exponent: Fraction) -> Any:
    if exponent.denominator == 1:
        if exponent < 0 and not (x.a > 0 or x.b < 0):
            raise Irregular("a pole")
        return x ** int(exponent)
    if exponent.denominator == 2:
        root = ctx.sqrt(_positive(x, "a square root"))
        return root ** int(exponent.numerator)
    return ctx.exp(ctx.log(_positive(x, "a power")) * exponent.numerator / exponent.denominator)


def _power(ctx: _Context, base: Any, exponent: Any) -> Any:
    """base^exponent: an exact whole exponent works for any base, else the base must be
    positive."""
    low, high = _ends(exponent)
    if low == high and low == int(low):
        return _rational_power(ctx, base, Fraction(int(low)))
    return ctx.exp(exponent * ctx.log(_positive(base, "a power")))


def _hull(ctx: _Context, pick: Callable[..., Any], *args: Any) -> Any:
    """max or min (``pick``) of intervals: the interval of the picked ends, which holds the
    exact value also at a tie."""
    low = pick(args, key=lambda x: _ends(x)[0])._mpi_[0]
    high = pick(args, key=lambda x: _ends(x)[1])._mpi_[1]
    return ctx.make_mpf((low, high))


def _add(*args: Any) -> Any:
    total = args[0]
    for arg in args[1:]:
        total = total + arg
    return total


def _mul(*args: Any) -> Any:
    product = args[0]
    for arg in args[1:]:
        product = product * arg
    return product


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "Add": lambda ctx, *args: _add(*args),
    "Mul": lambda ctx, *args: _mul(*args),
    "Pow": _power,
    "sin": lambda ctx, x: ctx.sin(x),
    "cos": lambda ctx, x: ctx.cos(x),
    "tan": lambda ctx, x: ctx.tan(x),
    "exp": lambda ctx, x: ctx.exp(x),
    "log": lambda ctx, x: ctx.log(_positive(x, "a logarithm")),
    "atan": lambda ctx, x: ctx.atan2(x, ctx.mpf(1)),
    "asin": lambda ctx, x: ctx.atan2(x, ctx.sqrt(_positive((1 - x) * (1 + x), "asin'"))),
    "acos": lambda ctx, x: ctx.atan2(ctx.sqrt(_positive((1 - x) * (1 + x), "acos'")), x),
    # sinh without cancellation near 0: expm1(x) and -expm1(-x) have the same sign
    "sinh": lambda ctx, x: (ctx.expm1(x) - ctx.expm1(-x)) / 2,
    "cosh": lambda ctx, x: (ctx.exp(x) + ctx.exp(-x)) / 2,
    "tanh": lambda ctx, x: _tanh(ctx, x),
    "Abs": lambda ctx, x: ctx.fabs(x),
    "Max": lambda ctx, *args: _hull(ctx, max, *args),
    "Min": lambda ctx, *args: _hull(ctx, min, *args),
    # the steps, with SymPy's values at the break: sign(0) = 0, Heaviside(0) = 1/2 (SymPy
    # may carry that value as a second argument)
    "sign": lambda ctx, x: ctx.mpf(_side(ctx, x)),
    "Heaviside": lambda ctx, x, *at_zero: ctx.mpf(_side(ctx, x) + 1) / 2,
}


def _tanh(ctx: _Context, x: Any) -> Any:
    """tanh(x) = expm1(2x)/(expm1(2x) + 2), written for each sign so it never overflows
    to inf/inf."""
    if x.b < 0:
        return -_tanh(ctx, -x)
    t = ctx.expm1(-2 * x)
    return -t / (t + 2)


def _run(ctx: _Context, steps: Steps, args: Sequence[Any]) -> Any:
    """The value of steps at interval arguments; ``ctx.at_break`` says whether a step sat
    at its break."""
    ctx.at_break = False
    stack: list[Any] = []
    for step in steps:
        kind = step[0]
        if kind == "arg":
            stack.append(args[step[1]])
        elif kind == "number":
            stack.append(ctx.mpf(step[1]) / step[2])
        elif kind == "constant":
            stack.append(ctx.e if step[1] == "E" else ctx.pi)
        elif kind == "power":
            stack.append(_rational_power(ctx, stack.pop(), Fraction(step[1], step[2])))
        else:
            count = step[2]
            operands = stack[-count:]
            del stack[-count:]
            stack.append(_FUNCTIONS[step[1]](ctx, *operands))
    return stack[0]


# --- the graph ------------------------------------------------------------------------


def _ends(x: Any) -> tuple[mpmath.mpf, mpmath.mpf]:
    """An interval's lower and upper ends as mpmath numbers."""
    return mpmath.mpf(x._mpi_[0]), mpmath.mpf(x._mpi_[1])


def _finite(ctx: _Context, x: Any, what: Callable[[], str]) -> Any:
    if not hasattr(x, "_mpi_") or not all(mpmath.isfinite(end) for end in _ends(x)):
        raise Irregular(f"{what()} is not a finite real number")
    return x


def _exact_input(ctx: _Context, value: Fraction | Graph) -> Any:
    if isinstance(value, Fraction):
        return ctx.mpf(value.numerator) / value.denominator
    values, _, _ = _passes(ctx, value, {}, [False] * len(value.nodes))
    return values[value.output]


def _passes(
    ctx: _Context,
    graph: Graph,
    inputs: Mapping[str, Fraction | Graph],
    needs: list[bool],
) -> tuple[list[Any], list[Any], list[bool]]:
    """Every used node's value and, where ``needs``, its adjoint ∂output/∂node, and
    whether that adjoint takes a share through a step at its break.

    Such a share holds SymPy's value at the break (a convention); the node is marked
    when the share is not exactly 0, and so is every node whose adjoint takes a share
    through a marked one: on the safe side, as the check only calls them "convention".
    """
    used = graph.used_by_output()
    values: list[Any] = [None] * len(graph.nodes)
    for node in graph.nodes:
        if not used[node.index]:
            continue
        if node.op == INPUT:
            value = _exact_input(ctx, inputs[node.name])
        elif node.op == NUMBER:
            exact = Fraction(node.literal)
            value = ctx.mpf(exact.numerator) / exact.denominator
        elif node.op in CONSTANTS:
            value = ctx.e if CONSTANTS[node.op][1] == "E" else ctx.pi
        elif node.op == COPY:
            value = values[node.inputs[0]]
        else:
            rule, _ = op_rules(node.op, len(node.inputs))
            value = _run(ctx, rule, [values[i] for i in node.inputs])
        values[node.index] = _finite(ctx, value, lambda node=node: graph.label(node))
    zero = ctx.mpf(0)
    adjoints: list[Any] = [zero] * len(graph.nodes)
    adjoints[graph.output] = ctx.mpf(1)
    kinked = [False] * len(graph.nodes)
    for node in reversed(graph.nodes[: graph.output + 1]):
        index = node.index
        if not used[index] or not needs[index] or not node.inputs:
            continue
        adjoint = adjoints[index]
        if node.op == COPY:
            adjoints[node.inputs[0]] += adjoint
            kinked[node.inputs[0]] |= kinked[index]
            continue
        _, partials = op_rules(node.op, len(node.inputs))
        args = [values[i] for i in node.inputs]
        for slot, i in enumerate(node.inputs):
            if needs[i]:
                local = _run(ctx, partials[slot], args)
                local = _finite(ctx, local, lambda n=node, s=slot: f"∂{graph.label(n)}/∂arg{s}")
                adjoints[i] += adjoint * local
                if (ctx.at_break and not _zero(adjoint)) or (kinked[index] and not _zero(local)):
                    kinked[i] = True
    return values, adjoints, kinked


def _zero(x: Any) -> bool:
    low, high = _ends(x)
    return low == high == 0


def _narrow(x: Any) -> bool:
    low, high = _ends(x)
    width = high - low
    return width <= ABSOLUTE_WIDTH or width <= RELATIVE_WIDTH * max(abs(low), abs(high))


def _float(x: Any) -> float:
    """The nearest float to a narrow interval's midpoint; 0.0 when it holds 0."""
    low, high = _ends(x)
    if low <= 0 <= high:
        return 0.0
    return float(mpmath.fadd(low, high, exact=True) / 2)  # one rounding, to the float


def reference_at(
    graph: Graph, inputs: Mapping[str, Fraction | Graph], needs: list[bool]
) -> tuple[Expected, list[Expected | None], list[bool], list[Expected | None]]:
    """The output's value, ∂output/∂node for every node that ``needs`` it (floats from
    intervals that hold the exact numbers), whether each takes a share through a step
    at its break (then its value is a convention), and every used node's value (None
    where its interval is still wide, or the output does not use it).

    Raises Irregular where this method cannot decide.
    """
    ctx = _Context()
    digits = DIGITS
    while True:
        ctx.dps, ctx.blurred, ctx.last_pass = digits, False, 2 * digits > MAX_DIGITS
        try:
            values, adjoints, kinked = _passes(ctx, graph, inputs, needs)
        except (ArithmeticError, ValueError) as exc:  # mpmath's ComplexResult, 1/0
            raise Irregular(str(exc)) from None
        wanted = [a for a, need in zip(adjoints, needs, strict=True) if need]
        if not ctx.blurred and all(_narrow(x) for x in [values[graph.output], *wanted]):
            break
        if ctx.last_pass:
            raise Irregular(f"intervals still too wide at {digits} digits")
        digits *= 2
    grads = [_float(a) if need else None for a, need in zip(adjoints, needs, strict=True)]
    node_values = [None if v is None or not _narrow(v) else _float(v) for v in values]
    return _float(values[graph.output]), grads, kinked, node_values
