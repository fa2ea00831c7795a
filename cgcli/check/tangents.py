"""The check of second-order and forward-mode results: SymPy within the time budget,
else high-precision difference quotients (:mod:`cgcli.check.precise_second`) in what is left.

SymPy differentiates the program's expressions itself (never cg's op table or passes)
and evaluates at the exact inputs, in a worker that is killed when the budget runs
out (:func:`cgcli.check.run.call_with_timeout`). The tolerance is the check's:
1e-9 relative + 1e-12 absolute. Where a number flows through a kink (relu(0), abs(0),
a max or min tie) a disagreement is marked "convention", as in the reverse check.
The high-precision fallback checks the Hessian's every entry (and H·v), and in forward
mode the value and the output's tangent, not the intermediate nodes.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from fractions import Fraction

from ..core import clock
from ..core.ir import Graph
from ..passes.engine import pieces
from .run import (
    AT_KINK,
    SYMPY_NODE_LIMIT,
    SYMPY_SHARE,
    UNCHECKED,
    Verdict,
    call_with_timeout,
    judge,
)

Exact = Fraction | Graph


def after_kink(graph: Graph, values: list[float]) -> list[bool]:
    """For each node, whether its value depends on a piecewise op at its break."""
    sides = pieces(graph, values)
    marked = [False] * len(graph.nodes)
    for node in graph.nodes:
        marked[node.index] = sides[node.index] == 0 or any(marked[i] for i in node.inputs)
    return marked


def _kink(kinked: bool) -> str | None:
    """The reason a derivative through a kink at the point is a convention whatever the
    reference says: SymPy's own derivative there (Heaviside(0) = 1/2 at a max tie) is
    one too, so agreeing with it proves nothing (the Hessian of max(x,y)^2 + min(x,y)^2
    at x = y is not its [[1, 1], [1, 1]])."""
    return AT_KINK if kinked else None


def _run(function, args: tuple, graph: Graph, timeout: float):
    """SymPy's references, or the reason there are none."""
    if len(graph.nodes) > SYMPY_NODE_LIMIT:
        return None, f"the graph has more than {SYMPY_NODE_LIMIT} nodes, too many for SymPy"
    budget = timeout * SYMPY_SHARE
    try:
        return call_with_timeout(function, args, budget), None
    except TimeoutError:
        return None, f"SymPy did not finish within {budget:.3g} s"
    except Exception as exc:  # any SymPy failure: say so, do not guess
        return None, f"SymPy failed ({exc})"


def _precise_verdict(ours: float, found, kinked: bool) -> Verdict:
    """A number against a high-precision reference (a Number) or its absence (a Gap)."""
    from .precise import Gap

    if isinstance(found, Gap):
        return Verdict(UNCHECKED, None, None, found.reason or "the check's time budget ran out")
    return judge(ours, found.value, found.error, at_kink=_kink(kinked), through_kink=kinked)


PRECISE = "high-precision"
PRECISE_NOTE = "{reason}; high-precision difference quotients (mpmath, 80 digits) instead"


def check_tangents(
    graph: Graph,
    exact_inputs: Mapping[str, Exact],
    direction: Mapping[str, Exact],
    values: list[float],
    dots: list[float],
    timeout: float,
) -> tuple[str, str | None, Verdict | None, list[Verdict | None]]:
    """The output's value and each node's tangent against SymPy's value and directional
    derivative: (method, note, the value's verdict, the tangents' verdicts)."""
    deadline = clock.now() + timeout
    found, reason = _run(_tangent_reference, (graph, exact_inputs, direction), graph, timeout)
    if found is None:
        from .precise import HighPrecision
        from .precise_second import directional_derivative

        kinked = after_kink(graph, values)[graph.output]
        value = HighPrecision(graph, exact_inputs, deadline).value()
        tangent = directional_derivative(graph, exact_inputs, direction, deadline)
        verdicts: list[Verdict | None] = [None] * len(graph.nodes)
        verdicts[graph.output] = _precise_verdict(dots[graph.output], tangent, kinked)
        note = PRECISE_NOTE.format(reason=reason)
        return PRECISE, note, _precise_verdict(values[graph.output], value, False), verdicts
    value, expected = found
    kinked = after_kink(graph, values)
    verdicts = [
        None if e is None else judge(dots[i], e, at_kink=_kink(kinked[i]), through_kink=kinked[i])
        for i, e in enumerate(expected)
    ]
    return "sympy", None, judge(values[graph.output], value), verdicts


def _tangent_reference(graph: Graph, exact_inputs, direction) -> list:
    import sympy

    from .symbolic import build, exact_value, input_symbols, numeric, substitute

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    symbols = input_symbols(graph)
    exprs = build(graph, symbols)
    at = {symbols[name]: exact_value(exact_inputs[name]) for name in symbols}
    moves = {name: exact_value(direction[name]) for name in symbols}
    needs = graph.depends_on_input()
    expected: list = [None] * len(graph.nodes)
    for node in graph.nodes:
        if needs[node.index]:
            expr = exprs[node.index]
            derivative = sum(
                (moves[name] * sympy.diff(expr, symbols[name]) for name in symbols if moves[name]),
                sympy.S.Zero,
            )
            expected[node.index] = numeric(substitute(derivative, at))
        else:
            expected[node.index] = 0.0
    return numeric(substitute(exprs[graph.output], at)), expected


def check_hessian(
    graph: Graph,
    exact_inputs: Mapping[str, Exact],
    names: list[str],
    matrix: list[list[float]],
    values: list[float],
    timeout: float,
    direction: Mapping[str, Exact] | None = None,
    product: list[float] | None = None,
) -> tuple[str, str | None, list[list[Verdict | None]], list[Verdict | None]]:
    """Each entry of the Hessian, and of H·v when ``direction`` is given, against SymPy's
    at the exact inputs: (method, note, verdicts, product's verdicts)."""
    deadline = clock.now() + timeout
    args = (graph, exact_inputs, names, direction)
    expected, reason = _run(_hessian_reference, args, graph, timeout)
    kinked = after_kink(graph, values)[graph.output]
    if expected is None:
        return _precise_hessian(
            graph, exact_inputs, names, matrix, direction, product, kinked, deadline, reason
        )
    entries, expected_product = expected
    verdicts = [
        [
            judge(matrix[i][j], entries[i][j], at_kink=_kink(kinked), through_kink=kinked)
            for j in range(len(names))
        ]
        for i in range(len(names))
    ]
    product_verdicts = (
        [
            judge(p, e, at_kink=_kink(kinked), through_kink=kinked)
            for p, e in zip(product, expected_product, strict=True)
        ]
        if product is not None and expected_product is not None
        else []
    )
    return "sympy", None, verdicts, product_verdicts


def _hessian_reference(graph: Graph, exact_inputs, names: list[str], direction):
    import sympy

    from .symbolic import build, exact_value, input_symbols, numeric, substitute

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    symbols = input_symbols(graph)
    output = build(graph, symbols)[graph.output]
    at = {symbols[name]: exact_value(exact_inputs[name]) for name in symbols}
    matrix = sympy.hessian(output, [symbols[name] for name in names])
    n = len(names)
    entries = [[numeric(substitute(matrix[i, j], at)) for j in range(n)] for i in range(n)]
    product = None
    if direction is not None:
        v = [exact_value(direction[name]) for name in names]
        product = [
            numeric(substitute(sum((matrix[i, j] * v[j] for j in range(n)), sympy.S.Zero), at))
            for i in range(n)
        ]
    return entries, product


def _precise_hessian(
    graph, exact_inputs, names, matrix, direction, product, kinked, deadline, reason
):
    """The Hessian against high-precision second differences of the output; H·v against
    their product with v, its error bound the sum of theirs."""
    from .precise import Gap, Number
    from .precise_second import hessian_entries

    found = hessian_entries(graph, exact_inputs, names, deadline)
    n = len(names)
    verdicts = [
        [_precise_verdict(matrix[i][j], found[i][j], kinked) for j in range(n)] for i in range(n)
    ]
    product_verdicts: list[Verdict | None] = []
    if direction is not None and product is not None:
        from .precise_second import _exact_point

        v = _exact_point(direction)
        for i in range(n):
            row = found[i]
            gaps = [e for e in row if isinstance(e, Gap)]
            if gaps:
                product_verdicts.append(_precise_verdict(product[i], gaps[0], kinked))
                continue
            terms = [e.value * float(v[names[j]]) for j, e in enumerate(row)]
            error = sum(e.error * abs(float(v[names[j]])) for j, e in enumerate(row))
            error += 1e-15 * sum(abs(t) for t in terms)  # the float sum's own rounding
            product_verdicts.append(_precise_verdict(product[i], Number(sum(terms), error), kinked))
    note = PRECISE_NOTE.format(reason=reason)
    return PRECISE, note, verdicts, product_verdicts
