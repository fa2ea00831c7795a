"""The op table: the single source of truth for every operation in a graph.

Each entry holds, side by side, the forward function, the local partial
derivatives, the SymPy builder and the display form.  Adding an op is adding
one entry here. These are the scalar ops, which also work entry by entry on arrays;
the ops on whole arrays (``@``, ``sum``, ``softmax``, ...) are the second part of the
table, :mod:`cgcli.core.array_ops`.  Forward functions raise :class:`DomainError` for inputs
outside the op's real domain; the engine turns that into a math error that
names the node.

Non-differentiable points follow PyTorch: relu'(0) = 0, abs'(0) = 0, at a tie
max and min split the gradient evenly between both arguments, and the
derivative of a^b with respect to b is 0 at a = 0.
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Callable

from .errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

Partials = tuple[float, ...]


class DomainError(ArithmeticError):
    """An argument outside the op's domain in the real numbers."""


class Textbook(namedtuple("Textbook", "lesson partials output", defaults=(None,))):
    """An op as a course teaches it: its local derivatives and a phrase about the gate.

    Each form is a function of a notation (:mod:`cgcli.core.notation`), the operand
    pieces and ``y``, the gate's own output; it builds the formula once for
    text and LaTeX, with labels or with numbers. Where the textbook writes the
    derivative with the output (σ(1 − σ), 1 − tanh², exp), the formula reads
    ``y`` as ``output`` applied to the labels, and the numbers use the gate's value.

    * ``lesson``: what the gate does to the gradient, as text and as LaTeX (text mode),
      a pair of str;
    * ``partials``: per argument slot, (notation, *operands, y) -> ∂y/∂operand as a Piece;
    * ``output``: (notation, *operands) -> the output as the textbook writes it (σ(a));
      None (the default): as applied.
    """

    __slots__ = ()


class Op(
    namedtuple(
        "Op",
        "name arity forward partials sympy symbol side array array_partials textbook "
        "graph_partials",
        defaults=(None,) * 6,
    )
):
    """One operation: how to compute it, differentiate it, build it in SymPy and show it.

    * ``name`` (str), ``arity`` (int), ``forward``: (args...) -> float;
    * ``partials``: (args..., out) -> ∂out/∂arg for each argument (a tuple of float);
    * ``sympy``: (sympy module, *args) -> SymPy expression;

    and, None unless given:

    * ``symbol``: infix or prefix operator symbol; None for a function call;
    * ``side``: for a piecewise op, which piece applies, -1 or 1, and 0 at the kink
      between them, where the op is not differentiable and cg follows a convention;
      works elementwise on arrays too;
    * ``array``: (numpy, *arrays) -> array; None where ``forward`` already works on arrays;
    * ``array_partials``: (numpy, *arrays, out) -> partials; None where ``partials``
      already works on arrays;
    * ``textbook``: the local derivatives in the form courses write them, and what the
      gate does (:class:`Textbook`);
    * ``graph_partials``: per argument slot, (builder, *operands, y) -> ∂y/∂operand built
      from the op table's own ops (:mod:`cgcli.passes.gradient_graph`); None: the
      textbook's forms.
    """

    __slots__ = ()

    def derivative_rules(self) -> tuple[Callable[..., Any], ...]:
        """The local derivatives as graph-building rules, one per argument slot: the
        op's own rules where the textbook's form is inexact or not an op, else the
        textbook's."""
        if self.graph_partials is not None:
            return self.graph_partials
        assert self.textbook is not None, self.name
        return self.textbook.partials

    def forward_array(self, np, *args):
        """Elementwise forward over numpy arrays; out-of-domain rows come out non-finite."""
        return self.array(np, *args) if self.array else self.forward(*args)

    def partials_array(self, np, *args):
        """Elementwise local partials over numpy arrays: (args..., out) -> tuple."""
        if self.array_partials:
            return self.array_partials(np, *args)
        return self.partials(*args)

    def textbook_local(self, notation, slots: list[int], args: list, y=None):
        """∂y/∂(the operands in ``slots``), summed, in the textbook's form, as a piece of
        ``notation`` (:mod:`cgcli.core.notation`) from the operands' pieces ``args``; ``y`` is
        the gate's output (its value, say), by default as the textbook writes it."""
        book = self.textbook
        if y is None:
            y = book.output(notation, *args) if book.output else notation.apply(self.name, args)
        total = book.partials[slots[0]](notation, *args, y)
        for slot in slots[1:]:
            total = notation.add(total, book.partials[slot](notation, *args, y))
        return total

    def show(self, args: list[str]) -> str:
        """The op applied to argument texts, as it is written in the language."""
        if self.symbol and self.arity == 2:
            return f"{args[0]} {self.symbol} {args[1]}"
        if self.symbol:
            return f"{self.symbol}{args[0]}"
        return f"{self.name}({', '.join(args)})"


# --- forward functions that check their domain -------------------------------


def _div(a: float, b: float) -> float:
    if b == 0:
        raise DomainError("division by zero")
    return a / b


def _pow(a: float, b: float) -> float:
    if a == 0 and b < 0:
        raise DomainError("zero raised to a negative power")
    if a < 0 and not b.is_integer():
        raise DomainError("negative base raised to a non-integer power")
    return math.pow(a, b)


def _log(a: float) -> float:
    if a <= 0:
        raise DomainError("log of zero" if a == 0 else "log of a negative number")
    return math.log(a)


def _sqrt(a: float) -> float:
    if a < 0:
        raise DomainError("square root of a negative number")
    return math.sqrt(a)


def _unit_interval(name: str, f: Callable[[float], float]) -> Callable[[float], float]:
    def checked(a: float) -> float:
        if not -1 <= a <= 1:
            raise DomainError(f"{name} of a value outside [-1, 1]")
        return f(a)

    return checked


def _sigmoid(a: float) -> float:
    """1/(1+exp(-a)) without overflow for any finite a."""
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    ea = math.exp(a)
    return ea / (1.0 + ea)


def _softplus(a: float) -> float:
    """log(1+exp(a)) without overflow and without losing small values."""
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


# --- local derivatives ----------------------------------------------------------


def _finite(x: float) -> float:
    """A local derivative computed in float64, or OverflowError where it overflowed to
    ±inf: float division and multiplication overflow without raising (``1/x`` at
    x = 1e-200 is a finite 1e200, its derivative -1e400 is not a float64). A derivative
    that is infinite by mathematics (√' at 0) is ``math.inf``, given explicitly."""
    if math.isinf(x):
        raise OverflowError("a local derivative overflows a float64")
    return x


def _pow_partials(a: float, b: float, out: float) -> Partials:
    if b == 0:
        d_base = 0.0
    elif a == 0 and b < 1:
        d_base = math.copysign(math.inf, b)
    else:
        d_base = _finite(b * math.pow(a, b - 1))
    if a > 0:
        d_exponent = _finite(out * math.log(a))
    elif a == 0:
        d_exponent = 0.0  # PyTorch's convention; 0^b with b < 0 never gets here
    else:
        d_exponent = math.nan  # b ↦ a^b is not real-valued near b when a < 0
    return d_base, d_exponent


def _inverse_sqrt_one_minus_square(a: float) -> float:
    rest = 1.0 - a * a
    return math.inf if rest == 0 else 1.0 / math.sqrt(rest)


def _sech_squared(a: float) -> float:
    """tanh'(a) = 1/cosh(a)^2, which 1 - tanh(a)^2 would round to 0 for |a| > 19."""
    if abs(a) > 355:
        return 0.0
    return 1.0 / math.cosh(a) ** 2


def _sign(a):
    """-1, 0 or 1 for a float; the same elementwise for an array."""
    return (a > 0) * 1 - (a < 0) * 1


def _max_partials(a: float, b: float, _out: float) -> Partials:
    return (0.5, 0.5) if a == b else ((1.0, 0.0) if a > b else (0.0, 1.0))


def _min_partials(a: float, b: float, _out: float) -> Partials:
    return (0.5, 0.5) if a == b else ((1.0, 0.0) if a < b else (0.0, 1.0))


def _compare(a, b):
    return (a > b) * 1 - (a < b) * 1


# --- array forms (numpy, passed in as ``np``) ----------------------------------
# Out-of-domain rows come out non-finite; the vector engine flags them as math errors.


def _sigmoid_array(np, a):
    """1/(1+exp(-a)): in IEEE arithmetic exp may overflow to inf, giving exactly 0."""
    return 1.0 / (1.0 + np.exp(-a))


def _pow_partials_array(np, a, b, out):
    d_base = np.where(b == 0, 0.0, b * np.power(a, b - 1))
    positive = a > 0
    d_exponent = np.where(
        positive, out * np.log(np.where(positive, a, 1.0)), np.where(a == 0, 0.0, np.nan)
    )
    return d_base, d_exponent


def _max_partials_array(np, a, b, out):
    first = np.where(a > b, 1.0, np.where(a < b, 0.0, 0.5))
    return first, 1.0 - first


def _min_partials_array(np, a, b, out):
    first = np.where(a < b, 1.0, np.where(a > b, 0.0, 0.5))
    return first, 1.0 - first


# --- the table ------------------------------------------------------------------

_BINARY = [
    Op("add", 2, lambda a, b: a + b, lambda a, b, o: (1.0, 1.0), lambda s, a, b: a + b, "+"),
    Op("sub", 2, lambda a, b: a - b, lambda a, b, o: (1.0, -1.0), lambda s, a, b: a - b, "-"),
    Op("mul", 2, lambda a, b: a * b, lambda a, b, o: (b, a), lambda s, a, b: a * b, "*"),
    Op(
        "div",
        2,
        _div,
        lambda a, b, o: (_finite(1.0 / b), _finite(-o / b)),
        lambda s, a, b: a / b,
        "/",
        array=lambda np, a, b: a / b,
        array_partials=lambda np, a, b, o: (1.0 / b, -o / b),
    ),
    Op(
        "pow",
        2,
        _pow,
        _pow_partials,
        lambda s, a, b: s.Pow(a, b),
        "^",
        side=lambda a, b: _sign(a),  # at base 0 ∂/∂exponent is 0 by PyTorch's convention
        array=lambda np, a, b: np.power(a, b),
        array_partials=_pow_partials_array,
    ),
]

_UNARY = [
    Op("neg", 1, lambda a: -a, lambda a, o: (-1.0,), lambda s, a: -a, "-"),
]


def _elementary(name: str, derivative: Callable[[Any, float, float], Any], **extra) -> Op:
    """A one-argument function with the same name in math, numpy and SymPy."""
    return Op(
        name,
        1,
        getattr(math, name),
        lambda a, o: (derivative(math, a, o),),
        lambda s, a: getattr(s, name)(a),
        array=lambda np, a: getattr(np, name)(a),
        array_partials=lambda np, a, o: (derivative(np, a, o),),
        **extra,
    )


def _inverse_sqrt_one_minus_square_array(np, a):
    return 1.0 / np.sqrt(1.0 - a * a)


FUNCTIONS: dict[str, Op] = {
    op.name: op
    for op in [
        _elementary("sin", lambda m, a, o: m.cos(a)),
        _elementary("cos", lambda m, a, o: -m.sin(a)),
        _elementary("tan", lambda m, a, o: 1.0 / m.cos(a) ** 2),
        Op(
            "asin",
            1,
            _unit_interval("asin", math.asin),
            lambda a, o: (_inverse_sqrt_one_minus_square(a),),
            lambda s, a: s.asin(a),
            array=lambda np, a: np.arcsin(a),
            array_partials=lambda np, a, o: (_inverse_sqrt_one_minus_square_array(np, a),),
        ),
        Op(
            "acos",
            1,
            _unit_interval("acos", math.acos),
            lambda a, o: (-_inverse_sqrt_one_minus_square(a),),
            lambda s, a: s.acos(a),
            array=lambda np, a: np.arccos(a),
            array_partials=lambda np, a, o: (-_inverse_sqrt_one_minus_square_array(np, a),),
        ),
        Op(
            "atan",
            1,
            math.atan,
            lambda a, o: (1.0 / (1.0 + a * a),),
            lambda s, a: s.atan(a),
            array=lambda np, a: np.arctan(a),
        ),
        _elementary("sinh", lambda m, a, o: m.cosh(a)),
        _elementary("cosh", lambda m, a, o: m.sinh(a)),
        Op(
            "tanh",
            1,
            math.tanh,
            lambda a, o: (_sech_squared(a),),
            lambda s, a: s.tanh(a),
            array=lambda np, a: np.tanh(a),
            array_partials=lambda np, a, o: (1.0 / np.cosh(a) ** 2,),  # overflow → inf → 0
        ),
        _elementary("exp", lambda m, a, o: o),
        Op(
            "log",
            1,
            _log,
            lambda a, o: (_finite(1.0 / a),),
            lambda s, a: s.log(a),
            array=lambda np, a: np.log(a),
            array_partials=lambda np, a, o: (1.0 / a,),
        ),
        Op(
            "sqrt",
            1,
            _sqrt,
            lambda a, o: (math.inf if o == 0 else 0.5 / o,),
            lambda s, a: s.sqrt(a),
            array=lambda np, a: np.sqrt(a),
            array_partials=lambda np, a, o: (0.5 / o,),  # 0.5/0 is inf, as for scalars
        ),
        Op(
            "abs",
            1,
            abs,
            lambda a, o: (float(_sign(a)),),
            lambda s, a: s.Abs(a),
            side=_sign,
            array=lambda np, a: np.abs(a),
            array_partials=lambda np, a, o: (np.sign(a),),
        ),
        Op(
            "sigmoid",
            1,
            _sigmoid,
            lambda a, o: (_sigmoid(a) * _sigmoid(-a),),
            lambda s, a: 1 / (1 + s.exp(-a)),
            array=_sigmoid_array,
            # σ'(a) = σ(a)·σ(-a), with σ(-a) = 1/(1+exp(a)): no cancellation, as 1 - σ(a) has
            array_partials=lambda np, a, o: (o / (1.0 + np.exp(a)),),
        ),
        Op(
            "relu",
            1,
            lambda a: max(a, 0.0),
            lambda a, o: (1.0 if a > 0 else 0.0,),
            lambda s, a: s.Max(0, a),
            side=_sign,
            array=lambda np, a: np.maximum(a, 0.0),
            array_partials=lambda np, a, o: (np.where(a > 0, 1.0, 0.0),),
        ),
        Op(
            "softplus",
            1,
            _softplus,
            lambda a, o: (_sigmoid(a),),
            lambda s, a: s.log(1 + s.exp(a)),
            array=lambda np, a: np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a))),
            array_partials=lambda np, a, o: (_sigmoid_array(np, a),),
        ),
        Op(
            "max",
            2,
            max,
            _max_partials,
            lambda s, a, b: s.Max(a, b),
            side=_compare,
            array=lambda np, a, b: np.maximum(a, b),
            array_partials=_max_partials_array,
        ),
        Op(
            "min",
            2,
            min,
            _min_partials,
            lambda s, a, b: s.Min(a, b),
            side=_compare,
            array=lambda np, a, b: np.minimum(a, b),
            array_partials=_min_partials_array,
        ),
    ]
}

CONSTANTS: dict[str, tuple[float, str]] = {"pi": (math.pi, "pi"), "e": (math.e, "E")}
"""Named constants: float value and the SymPy attribute that holds the exact one."""

OPERATORS: dict[str, Op] = {op.name: op for op in _BINARY + _UNARY}


# --- the textbook's forms ---------------------------------------------------------
# Beside the formulas above, the forms a course writes (CS231n, colah, micrograd).
# ``n`` is a notation, ``a``/``b`` the operands, ``y`` the gate's output.


def _pow_base(n, a, b, y):
    """b·a^(b-1); with a constant whole exponent, worked out: 2·a, 3·a², ..."""
    k = b.constant
    if k is not None and float(k).is_integer() and abs(k) < 1e6:
        k = int(k)
        if k in (0, 1):
            return n.number(str(k))
        factor = n.number(str(k))
        return n.mul(factor, a if k == 2 else n.power(a, n.number(str(k - 1))))
    return n.mul(b, n.power(a, n.sub(b, n.number("1"))))


def _routing(relation: str, mirrored: str):
    """max/min: 1 to the winning input, 0 to the other, ½ each at a tie."""

    def first(n, a, b, y):
        half = (n.half(), n.compare(a, "=", b))
        return n.cases((n.number("1"), n.compare(a, relation, b)), half, (n.number("0"), None))

    def second(n, a, b, y):
        half = (n.half(), n.compare(a, "=", b))
        return n.cases((n.number("1"), n.compare(a, mirrored, b)), half, (n.number("0"), None))

    return first, second


def _phrase(text: str, latex: str | None = None) -> tuple[str, str]:
    return text, latex if latex is not None else text


def _one(n, *_):
    return n.number("1")


_TEXTBOOK: dict[str, Textbook] = {
    "add": Textbook(
        _phrase("an add gate passes the gradient unchanged to both inputs"), (_one, _one)
    ),
    "sub": Textbook(
        _phrase(
            "a subtract gate passes the gradient to its first input and minus it to the second"
        ),
        (_one, lambda n, a, b, y: n.number("-1")),
    ),
    "mul": Textbook(
        _phrase(
            "a mul gate swaps its inputs' values: each input's local derivative is the other one"
        ),
        (lambda n, a, b, y: b, lambda n, a, b, y: a),
    ),
    "div": Textbook(
        _phrase(
            "a divide gate a/b: the local derivative is 1/b for a and -a/b² for b",
            r"a divide gate $a/b$: the local derivative is $1/b$ for $a$ and $-a/b^2$ for $b$",
        ),
        (
            lambda n, a, b, y: n.div(n.number("1"), b),
            lambda n, a, b, y: n.neg(n.div(a, n.square(b))),
        ),
    ),
    "pow": Textbook(
        _phrase(
            "a power gate a^b: the base gets b·a^(b - 1), the exponent a^b·log(a)",
            r"a power gate $a^b$: the base gets $b \cdot a^{b-1}$, the exponent $a^b \log a$",
        ),
        (_pow_base, lambda n, a, b, y: n.mul(y, n.call("log", a))),
        lambda n, a, b: n.power(a, b),
    ),
    "neg": Textbook(
        _phrase("a negation gate flips the sign of the gradient"),
        (lambda n, a, y: n.number("-1"),),
    ),
    "sin": Textbook(
        _phrase("a sin gate multiplies the gradient by the cosine of its input"),
        (lambda n, a, y: n.call("cos", a),),
    ),
    "cos": Textbook(
        _phrase("a cos gate multiplies the gradient by minus the sine of its input"),
        (lambda n, a, y: n.neg(n.call("sin", a)),),
    ),
    "tan": Textbook(
        _phrase(
            "a tan gate multiplies the gradient by 1/cos² of its input",
            r"a tan gate multiplies the gradient by $1/\cos^2$ of its input",
        ),
        (lambda n, a, y: n.div(n.number("1"), n.square(n.call("cos", a))),),
    ),
    "asin": Textbook(
        _phrase(
            "an asin gate multiplies the gradient by 1/sqrt(1 - a²)",
            r"an asin gate multiplies the gradient by $1/\sqrt{1 - a^2}$",
        ),
        (lambda n, a, y: n.div(n.number("1"), n.call("sqrt", n.sub(n.number("1"), n.square(a)))),),
    ),
    "acos": Textbook(
        _phrase(
            "an acos gate multiplies the gradient by -1/sqrt(1 - a²)",
            r"an acos gate multiplies the gradient by $-1/\sqrt{1 - a^2}$",
        ),
        (
            lambda n, a, y: n.neg(
                n.div(n.number("1"), n.call("sqrt", n.sub(n.number("1"), n.square(a))))
            ),
        ),
    ),
    "atan": Textbook(
        _phrase(
            "an atan gate multiplies the gradient by 1/(1 + a²)",
            r"an atan gate multiplies the gradient by $1/(1 + a^2)$",
        ),
        (lambda n, a, y: n.div(n.number("1"), n.add(n.number("1"), n.square(a))),),
    ),
    "sinh": Textbook(
        _phrase("a sinh gate multiplies the gradient by the cosh of its input"),
        (lambda n, a, y: n.call("cosh", a),),
    ),
    "cosh": Textbook(
        _phrase("a cosh gate multiplies the gradient by the sinh of its input"),
        (lambda n, a, y: n.call("sinh", a),),
    ),
    "tanh": Textbook(
        _phrase(
            "a tanh gate multiplies the gradient by 1 - tanh², from its own output",
            r"a tanh gate multiplies the gradient by $1 - \tanh^2$, from its own output",
        ),
        (lambda n, a, y: n.sub(n.number("1"), n.square(y)),),
    ),
    "exp": Textbook(
        _phrase("an exp gate multiplies the gradient by its own output"),
        (lambda n, a, y: y,),
    ),
    "log": Textbook(
        _phrase("a log gate divides the gradient by its input"),
        (lambda n, a, y: n.div(n.number("1"), a),),
    ),
    "sqrt": Textbook(
        _phrase("a sqrt gate divides the gradient by twice its own output"),
        (lambda n, a, y: n.div(n.number("1"), n.mul(n.number("2"), y)),),
    ),
    "abs": Textbook(
        _phrase("an abs gate passes the gradient times the sign of its input (0 at 0)"),
        (lambda n, a, y: n.call("sign", a),),
    ),
    "sigmoid": Textbook(
        _phrase(
            "a sigmoid gate multiplies the gradient by σ(1 - σ), from its own output σ",
            r"a sigmoid gate multiplies the gradient by $\sigma(1 - \sigma)$, "
            r"from its own output $\sigma$",
        ),
        (lambda n, a, y: n.mul(y, n.sub(n.number("1"), y)),),
        lambda n, a: n.call("sigmoid", a),
    ),
    "relu": Textbook(
        _phrase(
            "a relu gate passes the gradient where its input is positive and blocks it elsewhere"
        ),
        (
            lambda n, a, y: n.cases(
                (n.number("1"), n.compare(a, ">", n.number("0"))), (n.number("0"), None)
            ),
        ),
    ),
    "softplus": Textbook(
        _phrase(
            "a softplus gate multiplies the gradient by σ of its input",
            r"a softplus gate multiplies the gradient by $\sigma$ of its input",
        ),
        (lambda n, a, y: n.call("sigmoid", a),),
    ),
    "max": Textbook(
        _phrase("a max gate routes the gradient to the larger input; the other gets 0"),
        _routing(">", "<"),
    ),
    "min": Textbook(
        _phrase("a min gate routes the gradient to the smaller input; the other gets 0"),
        _routing("<", ">"),
    ),
}

for _table in (OPERATORS, FUNCTIONS):
    for _name, _op in _table.items():
        _table[_name] = _op._replace(textbook=_TEXTBOOK[_name])
FUNCTIONS["pow"] = OPERATORS["pow"]  # pow(a, b) is a ^ b


def scalar_op(name: str) -> Op | None:
    """The op of a graph node's ``op`` field ('add', 'sin', ...), or None: an input, a
    number, a copy, a constant, or an op on whole arrays."""
    return OPERATORS.get(name) or FUNCTIONS.get(name) or DERIVATIVE_OPS.get(name)


def op_for(name: str) -> Op:
    """:func:`scalar_op`, which must be one; the ops on whole arrays are in
    :mod:`cgcli.core.array_ops` (``array_op``), and a pass over scalars that meets one
    says so."""
    found = scalar_op(name)
    if found is None:
        from .array_ops import array_op

        if array_op(name) is not None:
            raise UsageError(SCALARS_ONLY)
        raise KeyError(name)
    return found


SCALARS_ONLY = (
    "this works on scalar programs; the program uses vectors or matrices, which cg eval "
    "and evaluate() take"
)
"""What a feature that works on scalars says of a program over arrays."""


# --- the local derivatives as graphs ------------------------------------------------
# The gradient graph (:mod:`cgcli.passes.gradient_graph`) builds each local derivative from
# the op table's own ops, so that it can be differentiated again. The textbook's forms
# serve where they are exact; the rules below replace them where a form would lose
# accuracy (1 - tanh², σ(1 - σ) cancel for large inputs) or is not an op (the cases of
# relu, max and min; log(a) at a = 0 in a^b). ``g`` is the builder, ``y`` the output.


def _half_step(g, difference):
    """(1 + sign(d))/2: 1 where d > 0, 0 where d < 0 and ½ at a tie (max and min)."""
    return g.mul(g.half(), g.add(g.number("1"), g.call("sign", difference)))


_GRAPH_PARTIALS: dict[str, tuple[Callable[..., Any], ...]] = {
    # y·log(a), with log0(0) = 0: PyTorch's ∂a^b/∂b = 0 at a = 0
    "pow": (_pow_base, lambda g, a, b, y: g.mul(y, g.call("log0", a))),
    # tanh'(a) = 4σ(2a)σ(-2a): neither overflows nor cancels
    "tanh": (
        lambda g, a, y: g.mul(
            g.number("4"),
            g.mul(
                g.call("sigmoid", g.mul(g.number("2"), a)),
                g.call("sigmoid", g.mul(g.number("-2"), a)),
            ),
        ),
    ),
    # σ'(a) = σ(a)·σ(-a)
    "sigmoid": (lambda g, a, y: g.mul(y, g.call("sigmoid", g.neg(a))),),
    # relu'(a) = relu(sign(a)): 1 above 0, 0 at and below it
    "relu": (lambda g, a, y: g.call("relu", g.call("sign", a)),),
    "max": (
        lambda g, a, b, y: _half_step(g, g.sub(a, b)),
        lambda g, a, b, y: _half_step(g, g.sub(b, a)),
    ),
    "min": (
        lambda g, a, b, y: _half_step(g, g.sub(b, a)),
        lambda g, a, b, y: _half_step(g, g.sub(a, b)),
    ),
}


def _log0(a: float) -> float:
    if a < 0:
        raise DomainError("log of a negative number (the exponent's derivative of a^b, a < 0)")
    return 0.0 if a == 0 else math.log(a)


DERIVATIVE_OPS: dict[str, Op] = {
    op.name: op
    for op in [
        Op(
            "sign",
            1,
            lambda a: float(_sign(a)),
            lambda a, o: (0.0,),  # sign' = 0, and 0 at the jump too (abs''(0) = relu''(0) = 0)
            lambda s, a: s.sign(a),
            side=_sign,
            array=lambda np, a: np.sign(a),
            array_partials=lambda np, a, o: (np.zeros_like(a),),
            textbook=Textbook(
                _phrase("a sign gate blocks the gradient"), (lambda n, a, y: n.number("0"),)
            ),
        ),
        Op(
            "log0",
            1,
            _log0,
            lambda a, o: (0.0 if a == 0 else _finite(1.0 / a),),  # at 0 as log0(0) is
            lambda s, a: s.Piecewise((0, s.Eq(a, 0)), (s.log(a), True)),
            array=lambda np, a: np.where(a == 0, 0.0, np.log(np.where(a == 0, 1.0, a))),
            array_partials=lambda np, a, o: (
                np.where(a == 0, 0.0, 1.0 / np.where(a == 0, 1.0, a)),
            ),
            textbook=Textbook(
                _phrase("a log0 gate divides the gradient by its input (0 at 0)"),
                (lambda n, a, y: n.div(n.number("1"), a),),
            ),
        ),
    ]
}
"""Ops that only gradient graphs use: the derivatives of relu, abs, max, min (sign) and
of a^b with respect to b (log0, which is 0 at 0). Programs cannot call them."""

for _table in (OPERATORS, FUNCTIONS):
    for _name, _op in _table.items():
        if _name in _GRAPH_PARTIALS:
            _table[_name] = _op._replace(graph_partials=_GRAPH_PARTIALS[_name])
