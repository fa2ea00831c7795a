"""Exact arithmetic: the forward and backward passes with SymPy numbers.

``x=1/3`` stays 1/3 and ``sqrt(2)`` stays sqrt(2). Math errors are found by the
float pass first, so both modes fail the same way. At a kink the exact local
derivative follows the same convention as the float one (relu'(0) = 0, ...).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

import sympy

from ..check.symbolic import build, cg_text, exact_value
from ..core.errors import UsageError
from ..core.ir import COPY, Graph
from ..core.limits import EXACT_TIMEOUT
from ..core.numbers import format_number
from ..core.ops import op_for
from ..passes.engine import local_partials, pieces

_SLOTS = sympy.symbols("a0 a1", real=True)


class ExactForm(NamedTuple):
    """An exact number as cg shows it: its text, its LaTeX and its float (None when it
    is not a real number)."""

    text: str
    latex: str
    approx: float | None


@dataclass(frozen=True)
class ExactPass:
    """Exact value and gradient per node, and exact local derivatives per (node, input)."""

    values: list[sympy.Expr]
    grads: list[sympy.Expr | None]
    locals: dict[tuple[int, int], sympy.Expr]
    forms: dict[sympy.Expr, ExactForm] = field(default_factory=dict, repr=False, compare=False)
    """Each number's :class:`ExactForm`, written within the time budget of the pass."""

    def form(self, expr: sympy.Expr) -> ExactForm:
        """How ``expr`` is shown (worked out now if the pass did not)."""
        found = self.forms.get(expr)
        return found if found is not None else exact_form(expr)

    def shown(self, expr: sympy.Expr | None, digits: int | None, approximate: bool = True) -> str:
        """``1/3 ≈ 0.333333``; an integer alone; ``-`` for no number."""
        return "-" if expr is None else _shown(self.form(expr), expr, digits, approximate)


def exact_pass(
    graph: Graph,
    exact_inputs: Mapping[str, Fraction | Graph],
    float_values: list[float],
    needs: list[bool],
    timeout: float = EXACT_TIMEOUT,
) -> ExactPass:
    """The exact passes, and how each of their numbers is shown, within ``timeout``
    seconds (a worker process that is stopped then); ``float_values`` (from the float
    pass) locate kinks."""
    from ..check.run import call_with_timeout

    try:
        found = call_with_timeout(_with_forms, (graph, exact_inputs, float_values, needs), timeout)
    except TimeoutError:
        raise UsageError(
            f"--exact: exact arithmetic did not finish within {timeout:g} s (the exact numbers "
            "of this program grow too large); give it more time with --exact-timeout SECONDS, "
            "or leave out --exact"
        ) from None
    if isinstance(found, str):
        raise UsageError(
            f"--exact: {found}, more than Python writes as text (the exact numbers of this "
            "program grow too large); leave out --exact"
        )
    return found


def _with_forms(graph, exact_inputs, float_values, needs) -> ExactPass | str:
    """The exact passes and their numbers' forms; what is too long to write, if one is."""
    exact = _exact_pass(graph, exact_inputs, float_values, needs)
    numbers = [*exact.values, *(g for g in exact.grads if g is not None), *exact.locals.values()]
    try:
        forms = {expr: exact_form(expr) for expr in numbers}
    except ValueError:  # an integer of more digits than sys.get_int_max_str_digits()
        return f"an exact number has over {sys.get_int_max_str_digits():,} digits"
    return ExactPass(exact.values, exact.grads, exact.locals, forms)


def exact_form(expr: sympy.Expr) -> ExactForm:
    """The text, LaTeX and float of an exact number."""
    try:
        approx: float | None = float(sympy.N(expr, 30))
    except TypeError:  # not a real number
        approx = None
    return ExactForm(cg_text(expr), sympy.latex(expr), approx)


def _exact_pass(
    graph: Graph,
    exact_inputs: Mapping[str, Fraction | Graph],
    float_values: list[float],
    needs: list[bool],
) -> ExactPass:
    values = build(graph, {name: exact_value(v) for name, v in exact_inputs.items()})
    sides = pieces(graph, float_values)
    locals_: dict[tuple[int, int], sympy.Expr] = {}
    grads: list[sympy.Expr] = [sympy.Integer(0)] * len(graph.nodes)
    grads[graph.output] = sympy.Integer(1)
    for node in reversed(graph.nodes[: graph.output + 1]):
        if not node.inputs or not needs[node.index]:
            continue
        if sides[node.index] == 0:  # a kink: the float convention, exactly
            slots = [_exact_float(p) for p in local_partials(graph, node, float_values)]
        elif node.op == COPY:
            slots = [sympy.Integer(1)]
        else:
            args = _SLOTS[: len(node.inputs)]
            expr = op_for(node.op).sympy(sympy, *args)
            at = dict(zip(args, (values[i] for i in node.inputs), strict=True))
            slots = [sympy.diff(expr, a).xreplace(at) for a in args]
        for i, local in zip(node.inputs, slots, strict=True):
            if needs[i]:
                locals_[(node.index, i)] = locals_.get((node.index, i), 0) + local
                grads[i] = grads[i] + grads[node.index] * local
    final = [sympy.nsimplify(g) if g.is_Float else g for g in grads]
    return ExactPass(values, [g if n else None for g, n in zip(final, needs, strict=True)], locals_)


def _exact_float(x: float) -> sympy.Expr:
    if math.isinf(x):
        return sympy.oo if x > 0 else -sympy.oo
    return sympy.Rational(Fraction(x).numerator, Fraction(x).denominator)


def show_exact(expr: sympy.Expr | None, digits: int | None, approximate: bool = True) -> str:
    """``1/3 ≈ 0.333333``; an integer alone; ``sqrt(2) ≈ 1.41421``."""
    if expr is None:
        return "-"
    return _shown(exact_form(expr), expr, digits, approximate)


def _shown(form: ExactForm, expr: sympy.Expr, digits: int | None, approximate: bool) -> str:
    if expr.is_Integer or not approximate or form.approx is None:
        return form.text
    return f"{form.text} ≈ {format_number(form.approx, digits)}"
