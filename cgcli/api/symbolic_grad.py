"""symbolic_gradient(): ∂output/∂input as formulas (SymPy), evaluated at a point if given.

The formulas are SymPy's; the numbers at a point follow cg's rules, so that
`cg grad` never prints a number `cg eval` would refuse or contradict: a value
outside an op's domain is a math error, at a kink the number is cg's documented
convention (SymPy's own value is named beside it), and a derivative that is not
a real number is reported as such.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core.errors import CgMathError, UsageError
from ..core.ir import Graph
from ..core.parser import parse

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
    """Set at a kink: why the value is cg's convention rather than SymPy's."""

    @property
    def real(self) -> bool:
        """Whether the value at the point is a real number (True without a point)."""
        return self.value is None or isinstance(self.value, float)


@dataclass(frozen=True)
class SymbolicGradient:
    """The result of :func:`symbolic_gradient`."""

    graph: Graph
    output: str
    partials: list[Partial]
    simplified: bool = True
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        shown = "; ".join(f"∂{self.output}/∂{p.label} = {p.formula}" for p in self.partials)
        return f"<SymbolicGradient {shown or 'no inputs'}>"


def symbolic_gradient(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    wrt: list[str] | None = None,
    expand: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> SymbolicGradient:
    """The partial derivatives of ``program``'s output with respect to its inputs.

    Written in the program's own terms (its named intermediates, σ for the
    sigmoid), or with ``expand`` in the inputs alone. With ``values``, each is
    also evaluated there. SymPy simplifies within ``timeout`` seconds; past it
    the derivatives come unsimplified, and past twice the budget it stops.
    """
    from ..passes.values import exact_values
    from .evaluation import evaluate_graph, parse_values

    graph = parse(program) if isinstance(program, str) else program
    given = parse_values(values)
    graph = graph.bind_constants(given)
    warnings: list[str] = []
    result = None
    if given:
        result = evaluate_graph(graph, given, check=False)  # a domain error is a math error
        graph, warnings = result.graph, list(result.warnings)
    names = list(graph.input_names) if wrt is None else wrt
    unknown = [n for n in names if n not in graph.input_names]
    if unknown:
        raise UsageError(f"wrt: {', '.join(unknown)} is not an input of the program")
    if not graph.inputs:
        warnings.append("the program has no inputs: there is nothing to differentiate")
    exact = exact_values(graph, given) if given else None
    rows, simplified = _formulas(graph, names, exact, expand, timeout, warnings)
    labels = {n.name: graph.label(n) for n in graph.inputs}
    partials = [
        Partial(name, labels[name], text, latex, value, exact_text)
        for name, text, latex, value, exact_text in rows
    ]
    if result is not None:
        partials = [_with_convention(p, graph, result) for p in partials]
    output = graph.label(graph.nodes[graph.output])
    return SymbolicGradient(graph, output, partials, simplified, warnings)


def _formulas(graph, names, exact, expand, timeout, warnings) -> tuple[list, bool]:
    """SymPy's derivatives: simplified within the budget, else unsimplified within it."""
    from ..check.run import call_with_timeout
    from .named_grad import gradient_formulas

    try:
        arguments = (graph, names, exact, True, expand)
        return call_with_timeout(gradient_formulas, arguments, timeout), True
    except TimeoutError:
        warnings.append(
            f"SymPy did not simplify within {timeout:g} s; the derivatives are not simplified"
        )
    except RuntimeError as exc:
        _refuse_deep(exc)
        raise
    try:
        arguments = (graph, names, exact, False, expand)
        return call_with_timeout(gradient_formulas, arguments, timeout), False
    except TimeoutError:
        raise UsageError(
            f"SymPy did not differentiate the program within {timeout:g} s more "
            "(raise --timeout, or use cg eval for the numbers)"
        ) from None
    except RuntimeError as exc:
        _refuse_deep(exc)
        raise


def _refuse_deep(exc: RuntimeError) -> None:
    """SymPy gives up on a very deep or very large program: say so, as a usage error."""
    if "RecursionError" in str(exc):
        raise UsageError(
            "the program is nested too deeply for SymPy's symbolic derivative "
            "(cg eval computes its gradient at any depth)"
        ) from None
    if "Exceeds the limit" in str(exc) or "MemoryError" in str(exc):
        raise UsageError(
            "the program's symbolic derivative is too large for SymPy "
            "(cg eval computes its gradient at any size)"
        ) from None


def _with_convention(partial: Partial, graph: Graph, result) -> Partial:
    """At a kink, the value of cg's convention (the one cg eval prints), SymPy's named."""
    from ..core.numbers import format_number
    from ..passes.engine import through_kink

    values = [r.value for r in result.nodes]
    needs = [r.grad is not None for r in result.nodes]
    index = next(n.index for n in graph.inputs if n.name == partial.input)
    if not through_kink(graph, values, needs)[index]:
        return partial
    ours = result.nodes[index].grad or 0.0
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


def not_real_error(gradient: SymbolicGradient) -> CgMathError | None:
    """The math error to report when some derivative at the point is not a real number."""
    bad = [p for p in gradient.partials if not p.real]
    if not bad:
        return None
    listed = ", ".join(f"∂{gradient.output}/∂{p.label}" for p in bad)
    return CgMathError(f"{listed} is not a real number at this point")
