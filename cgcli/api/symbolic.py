"""symbolic_gradient(): the derivatives of a program as formulas (SymPy), first
(``order=1``) or second (``order=2``), evaluated at a point if given.

The formulas are SymPy's; the numbers at a point follow cg's rules, so that
`cg grad` never prints a number `cg eval` would refuse or contradict: a value
outside an op's domain is a math error, at a kink the number is cg's documented
convention (SymPy's own value is named beside it), and a derivative that is not
a real number is reported as such. First derivatives are written in the program's
own terms (:mod:`.named_grad`); second derivatives in the inputs, from the program's
SymPy expression (:func:`cgcli.check.symbolic.build`); ``cg hessian`` checks its
numbers against them.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, overload

from ..core import arguments
from ..core.deprecation import renamed
from ..core.errors import CgMathError, UsageError
from ..core.ir import Graph
from ..passes.values import InputValue, exact_values

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Partial:
    """∂output/∂input: the formula, and its value at the point when one was given."""

    input: str
    label: str
    formula: str
    latex: str
    value: float | str | None = None
    """A float; "complex" or "zoo" where it is not a real number; None without a point."""
    exact: str | None = None
    """SymPy's exact value at the point, as text."""
    convention: str | None = None
    """Why the value is not SymPy's: cg's convention at a kink, or the sign of an
    infinite derivative from where the function is defined (SymPy's zoo)."""

    @property
    def real(self) -> bool:
        """Whether the value at the point is a real number (True without a point)."""
        return self.value is None or isinstance(self.value, float)

    def name(self, output: str) -> str:
        """∂f/∂x."""
        return f"∂{output}/∂{self.label}"


@dataclass(frozen=True)
class SecondPartial:
    """∂²output/∂a∂b: SymPy's formula, and its value at the point when one was given."""

    first: str
    second: str
    formula: str
    latex: str
    value: float | str | None = None
    """A float; "complex" or "zoo" where it is not a real number; None without a point."""
    exact: str | None = None

    @property
    def real(self) -> bool:
        """Whether the value at the point is a real number (True without a point)."""
        return self.value is None or isinstance(self.value, float)

    def name(self, output: str) -> str:
        """∂²f/∂x² or ∂²f/∂x∂y."""
        if self.first == self.second:
            return f"∂²{output}/∂{self.first}²"
        return f"∂²{output}/∂{self.first}∂{self.second}"


@dataclass(frozen=True, repr=False)
class Derivatives:
    """What both orders return: the graph, its output's label, and one entry per partial
    derivative, simplified by SymPy within the budget or not."""

    graph: Graph
    output: str
    partials: list
    simplified: bool = True
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        shown = "; ".join(f"{p.name(self.output)} = {p.formula}" for p in self.partials)
        return f"<{type(self).__name__} {shown or 'no inputs'}>"


@dataclass(frozen=True, repr=False)
class SymbolicGradient(Derivatives):
    """The first derivatives (:class:`Partial` each): ``symbolic_gradient(...)``."""

    partials: list[Partial]


@dataclass(frozen=True, repr=False)
class SymbolicHessian(Derivatives):
    """The second partial derivatives (:class:`SecondPartial` each, a pair once, a ≤ b):
    ``symbolic_gradient(..., order=2)``."""

    partials: list[SecondPartial]


@overload
def symbolic_gradient(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    wrt: Sequence[str] | None = None,
    expand: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    order: Literal[1] = 1,
) -> SymbolicGradient: ...


@overload
def symbolic_gradient(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    wrt: Sequence[str] | None = None,
    expand: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    order: Literal[2],
) -> SymbolicHessian: ...


def symbolic_gradient(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    wrt: Sequence[str] | None = None,
    expand: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    order: int = 1,
) -> SymbolicGradient | SymbolicHessian:
    """The partial derivatives of ``program``'s output with respect to its inputs (or
    those in ``wrt``): first derivatives with ``order=1``, second with ``order=2``.

    First derivatives are written in the program's own terms (its named intermediates,
    σ for the sigmoid), or with ``expand`` in the inputs alone; second derivatives in
    the inputs. With ``values``, each is also evaluated there. SymPy simplifies within
    ``timeout`` seconds; past it the derivatives come unsimplified, and past twice the
    budget it stops.
    """
    order = arguments.whole_number(order, "order", minimum=1, maximum=2)
    timeout = arguments.seconds(timeout, "--timeout")
    expand = arguments.flag(expand, "expand")
    if order == 2 and expand:
        raise UsageError("expand= is for first derivatives: second ones are in the inputs")
    graph, given, warnings, result = _at_the_point(program, values)
    names = (
        list(graph.input_names) if wrt is None else arguments.inputs_named(wrt, graph.input_names)
    )
    exact = exact_values(graph, given) if given else None
    output = graph.label(graph.nodes[graph.output])
    if order == 2:
        rows, simplified = _within_budget(
            _second_partials, (graph, names, exact), timeout, warnings, order
        )
        labels = {n.name: graph.label(n) for n in graph.inputs}
        seconds = [
            SecondPartial(labels[a], labels[b], text, latex, value, exact_text)
            for a, b, text, latex, value, exact_text in rows
        ]
        return SymbolicHessian(graph, output, seconds, simplified, warnings)
    if not graph.inputs:
        warnings.append("the program has no inputs: there is nothing to differentiate")
    rows, simplified = _within_budget(
        _first_partials, (graph, names, exact, expand), timeout, warnings, order
    )
    labels = {n.name: graph.label(n) for n in graph.inputs}
    partials = [
        Partial(name, labels[name], text, latex, value, exact_text)
        for name, text, latex, value, exact_text in rows
    ]
    if result is not None:
        partials = [_with_convention(p, graph, result) for p in partials]
    return SymbolicGradient(graph, output, partials, simplified, warnings)


def _at_the_point(program: str | Graph, values: Mapping[str, object] | None):
    """The graph bound to the values, the values, warnings, and the evaluation at the point
    (None without values): a value outside an op's domain is a math error, as in cg eval."""
    from ..core.ops import SCALARS_ONLY
    from ..core.parser import parse_program
    from ..passes.engine import uses_arrays
    from .evaluation import evaluate_graph, parse_values

    graph = parse_program(program)
    given: dict[str, InputValue] = parse_values(values)
    graph = graph.bind_constants(given)
    if uses_arrays(graph, given):  # before SymPy's worker, which would only fail on them
        raise UsageError(SCALARS_ONLY)
    if not given:
        return graph, given, [], None
    result = evaluate_graph(graph, given, check=False)
    return result.graph, given, list(result.warnings), result


NUMBERS = {1: "cg eval", 2: "cg hessian"}
"""Where the numbers of each order are, at any size, when SymPy cannot give formulas."""


def _within_budget(
    work: Callable[..., list], arguments: tuple, timeout: float, warnings: list[str], order: int
) -> tuple[list, bool]:
    """``work(*arguments, simplify)`` in SymPy: simplified within the budget, else
    unsimplified within as much again, else a usage error that says where the numbers are."""
    from ..check.run import call_with_timeout

    try:
        try:
            return call_with_timeout(work, (*arguments, True), timeout), True
        except TimeoutError:
            not_simplified = (
                "the derivatives are not simplified" if order == 1 else "not simplified"
            )
            warnings.append(f"SymPy did not simplify within {timeout:g} s; {not_simplified}")
        return call_with_timeout(work, (*arguments, False), timeout), False
    except TimeoutError:
        raise UsageError(
            f"SymPy did not differentiate the program within {timeout:g} s more "
            f"(raise --timeout, or use {NUMBERS[order]} for the numbers)"
        ) from None
    except RuntimeError as exc:  # SymPy's own failure in its worker
        raise _too_much_for_sympy(exc, order) from None


def _too_much_for_sympy(exc: RuntimeError, order: int) -> Exception:
    """SymPy gives up on a very deep or very large program: say so, as a usage error."""
    if order == 2:
        return UsageError(
            f"SymPy could not take the second derivatives ({exc}); "
            "cg hessian gives the numbers at any depth"
        )
    if "RecursionError" in str(exc):
        return UsageError(
            "the program is nested too deeply for SymPy's symbolic derivative "
            "(cg eval computes its gradient at any depth)"
        )
    if "Exceeds the limit" in str(exc) or "MemoryError" in str(exc):
        return UsageError(
            "the program's symbolic derivative is too large for SymPy "
            "(cg eval computes its gradient at any size)"
        )
    return exc


def _first_partials(graph, names, exact, expand, simplify) -> list[tuple]:
    from .named_grad import gradient_formulas

    return gradient_formulas(graph, names, exact, simplify, expand)


def _second_partials(graph: Graph, names: list[str], exact, simplify: bool) -> list[tuple]:
    import sympy

    from ..check.symbolic import (
        build,
        cg_latex,
        cg_text,
        exact_value,
        input_symbols,
        numeric,
        substitute,
    )
    from .named_grad import expanded_builder, without_impulses

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    symbols = input_symbols(graph)
    output = build(graph, symbols, builder=expanded_builder)[graph.output]
    at = None
    if exact is not None:
        at = {symbols[n]: exact_value(exact[n]) for n in symbols}
    rows = []
    for i, a in enumerate(names):
        first = sympy.diff(output, symbols[a])
        for b in names[i:]:
            second = without_impulses(sympy.diff(first, symbols[b]))
            if simplify:
                second = sympy.simplify(second)
            text = cg_text(second)
            value = exact_text = None
            if at is not None:
                found = substitute(second, at)
                value = numeric(found)
                if found.is_number and not found.has(sympy.Float):
                    exact_text = cg_text(sympy.simplify(found))
            rows.append((a, b, text, cg_latex(second), value, exact_text))
    return rows


def _with_convention(partial: Partial, graph: Graph, result) -> Partial:
    """At a kink, the value of cg's convention (the one cg eval prints), SymPy's named."""
    from ..core.numbers import format_number
    from ..passes.engine import through_kink

    values = [r.value for r in result.nodes]
    needs = [r.grad is not None for r in result.nodes]
    index = next(n.index for n in graph.inputs if n.name == partial.input)
    ours = result.nodes[index].grad or 0.0
    if partial.value == "zoo" and math.isinf(ours):  # √x at 0: SymPy's 1/(2√0) has no sign
        note = (
            "SymPy's value there is zoo, an infinity of either sign; from where the function "
            f"is defined it is {format_number(ours)}, as cg eval gives"
        )
        return dataclasses.replace(partial, value=ours, exact=None, convention=note)
    if not through_kink(graph, values, needs)[index]:
        return partial
    theirs = partial.exact if partial.exact is not None else str(partial.value)
    note = f"at a kink cg follows PyTorch's convention; SymPy's value there is {theirs}"
    if isinstance(partial.value, float) and math.isclose(partial.value, ours, rel_tol=1e-12):
        return partial
    return Partial(
        partial.input,
        partial.label,
        partial.formula,
        partial.latex,
        ours,
        format_number(ours),
        note,
    )


def not_real_error(result: SymbolicGradient | SymbolicHessian) -> CgMathError | None:
    """The math error to report when some derivative at the point is not a real number."""
    bad = [p.name(result.output) for p in result.partials if not p.real]
    if not bad:
        return None
    return CgMathError(f"{', '.join(bad)} is not a real number at this point")


def symbolic_hessian(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    wrt: Sequence[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> SymbolicHessian:
    """Deprecated: ``symbolic_gradient(program, values, order=2)``."""
    renamed("symbolic_hessian", "symbolic_gradient(..., order=2)")
    return symbolic_gradient(program, values, wrt=wrt, timeout=timeout, order=2)
