"""symbolic_hessian(): the second partial derivatives as SymPy's formulas, evaluated at a
point if given (the library side of ``cg grad --order 2``).

The formulas are SymPy's own, in the inputs, from the program's SymPy expression
(:func:`cgcli.check.symbolic.build`); cg's numbers come from ``cg hessian``, which checks
them against these.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core.errors import UsageError
from ..core.ir import Graph

DEFAULT_TIMEOUT = 10.0


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

    def name(self, output: str) -> str:
        """∂²f/∂x² or ∂²f/∂x∂y."""
        if self.first == self.second:
            return f"∂²{output}/∂{self.first}²"
        return f"∂²{output}/∂{self.first}∂{self.second}"


@dataclass(frozen=True, repr=False)
class SymbolicHessian:
    """The second partial derivatives of a program's output, each pair once (a ≤ b)."""

    graph: Graph
    output: str
    partials: list[SecondPartial]
    simplified: bool = True
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        shown = "; ".join(f"{p.name(self.output)} = {p.formula}" for p in self.partials)
        return f"<SymbolicHessian {shown or 'no inputs'}>"


def symbolic_hessian(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    wrt: list[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> SymbolicHessian:
    """The second partial derivatives of ``program``'s output with respect to its inputs
    (or those in ``wrt``), as SymPy writes them, simplified within ``timeout`` seconds;
    with ``values``, each also evaluated there."""
    from ..check.run import call_with_timeout
    from ..core.parser import parse
    from ..passes.values import bind_inputs, exact_values
    from .evaluation import parse_values

    graph = parse(program) if isinstance(program, str) else program
    given = parse_values(values)
    warnings: list[str] = []
    if given:
        from ..passes.engine import forward

        graph, point, warnings = bind_inputs(graph, given)
        forward(graph, point)  # a domain error is a math error, as in cg eval
    else:
        graph = graph.bind_constants(())
    names = list(graph.input_names) if wrt is None else list(wrt)
    unknown = [n for n in names if n not in graph.input_names]
    if unknown:
        raise UsageError(f"wrt: {', '.join(unknown)} is not an input of the program")
    exact = exact_values(graph, given) if given else None
    simplified = True
    try:
        try:
            rows = call_with_timeout(_second_partials, (graph, names, exact, True), timeout)
        except TimeoutError:
            warnings.append(f"SymPy did not simplify within {timeout:g} s; not simplified")
            simplified = False
            rows = call_with_timeout(_second_partials, (graph, names, exact, False), timeout)
    except TimeoutError:
        raise UsageError(
            f"SymPy did not differentiate the program within {timeout:g} s more "
            "(raise --timeout, or use cg hessian for the numbers)"
        ) from None
    except RuntimeError as exc:  # SymPy's own failure in the worker (a deep program, say)
        raise UsageError(
            f"SymPy could not take the second derivatives ({exc}); "
            "cg hessian gives the numbers at any depth"
        ) from None
    labels = {n.name: graph.label(n) for n in graph.inputs}
    partials = [
        SecondPartial(labels[a], labels[b], text, latex, value, exact_text)
        for a, b, text, latex, value, exact_text in rows
    ]
    output = graph.label(graph.nodes[graph.output])
    return SymbolicHessian(graph, output, partials, simplified, warnings)


def _second_partials(graph: Graph, names: list[str], exact, simplify: bool) -> list[tuple]:
    import sympy

    from ..check.symbolic import build, exact_value, input_symbols, numeric, substitute

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    symbols = input_symbols(graph)
    output = build(graph, symbols)[graph.output]
    at = None
    if exact is not None:
        at = {symbols[n]: exact_value(exact[n]) for n in symbols}
    rows = []
    for i, a in enumerate(names):
        first = sympy.diff(output, symbols[a])
        for b in names[i:]:
            second = sympy.diff(first, symbols[b])
            if simplify:
                second = sympy.simplify(second)
            text = sympy.sstr(second).replace("**", "^")
            value = exact_text = None
            if at is not None:
                found = substitute(second, at)
                value = numeric(found)
                if found.is_number and not found.has(sympy.Float):
                    exact_text = sympy.sstr(sympy.simplify(found)).replace("**", "^")
            rows.append((a, b, text, sympy.latex(second), value, exact_text))
    return rows
