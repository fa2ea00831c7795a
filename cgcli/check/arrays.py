"""The check of a program over arrays: SymPy on the scalar expansion, else high precision.

Every node becomes a NumPy array of exact expressions (object dtype), built with the op
table's SymPy builders entry by entry and the array ops' references
(:mod:`cgcli.core.array_ops`); none of cg's forward functions or vector-Jacobian products
is used. SymPy then differentiates the output's sum with respect to a symbol added to
each entry of each node, at the exact inputs: the gradient of every node, entry by entry.
Beyond the budget (or the size SymPy handles), mpmath evaluates the same references at
50 digits and central difference quotients check the value and the inputs' gradients
(a sample of entries of a large input).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from ..core import clock
from ..core.array_ops import array_op, split_op
from ..core.ir import COPY, INPUT, NUMBER, Graph
from ..core.ops import CONSTANTS, op_for
from ..core.verdicts import (
    AT_KINK,
    CONVENTION,
    HIGH_PRECISION,
    MISMATCH,
    OK,
    SYMPY,
    UNCHECKED,
    CheckReport,
    Verdict,
    agrees,
)
from .run import EXPLAIN_GRACE, call_with_timeout, judge, rounded_input

SYMPY_ENTRY_LIMIT = 1000
"""SymPy takes programs whose nodes hold at most this many entries in all."""
SAMPLED_ENTRIES = 12
"""The high-precision check differentiates at most this many entries of each input."""
PRECISE_OPERATIONS = 200_000
"""The high-precision check takes programs of at most this many scalar operations per
evaluation (a product of an m×n and an n×p matrix counts m·n·p): mpmath does some ten
thousand a second, and each sampled entry costs two evaluations."""
DIGITS = 50


class NoDerivative(ArithmeticError):
    """SymPy finds no finite derivative of an entry at the point."""


def build_references(
    graph: Graph,
    leaves: Mapping[str, Any],
    m: Any,
    number: Callable[[str], Any],
    perturb: Mapping[int, Any] | None = None,
    deadline: float | None = None,
) -> list[Any]:
    """Every node as an object array of exact numbers or expressions: ``leaves`` holds the
    inputs' arrays, ``m`` the functions (SymPy, or mpmath's names), ``number`` makes a
    literal exact; ``perturb`` adds an array of symbols to chosen nodes."""
    import numpy as np

    found: list[Any] = []
    for node in graph.nodes:
        if deadline is not None and clock.now() > deadline:
            raise TimeoutError
        if node.op == INPUT:
            value = np.asarray(leaves[node.name], dtype=object)
        elif node.op == NUMBER:
            value = np.asarray(number(node.literal), dtype=object)
        elif node.op in CONSTANTS:
            value = np.asarray(getattr(m, CONSTANTS[node.op][1]), dtype=object)
        elif node.op == COPY:
            value = found[node.inputs[0]]
        else:
            args = [found[i] for i in node.inputs]
            table_op = array_op(node.op)
            if table_op is not None:
                value = np.asarray(
                    table_op.reference(m, np, args, split_op(node.op)[1]), dtype=object
                )
            else:
                scalar = op_for(node.op)
                each = np.frompyfunc(lambda *xs, op=scalar: op.sympy(m, *xs), len(args), 1)
                value = np.asarray(each(*args), dtype=object)
        if perturb and node.index in perturb:
            value = np.asarray(value + perturb[node.index], dtype=object)
        found.append(value)
    return found


def check_arrays(
    graph: Graph,
    exact: Callable[[], Mapping[str, Any]],
    values: list[Any],
    grads: list[Any],
    timeout: float,
) -> CheckReport:
    """SymPy within ``timeout`` (four fifths of it), else high precision until it ends;
    ``exact()`` gives the exact inputs, asked for only when a reference needs them."""
    deadline = clock.now() + timeout
    entries = sum(max(1, v.size) for v in values)
    if entries > SYMPY_ENTRY_LIMIT:
        reason = f"the nodes hold {entries} entries, over the {SYMPY_ENTRY_LIMIT} SymPy handles"
    else:
        needs = [g is not None for g in grads]
        try:
            found = call_with_timeout(
                _sympy_reference, (graph, dict(exact()), needs), timeout * 0.8
            )
        except TimeoutError:
            found = f"SymPy did not finish within {timeout * 0.8:.3g} s"
        except NoDerivative as exc:
            found = f"SymPy failed ({exc})"
        except Exception:  # any other SymPy failure means: fall back, without its internals
            found = "SymPy could not check this program"
        if not isinstance(found, str):
            value, expected, kinks, node_values = found
            verdicts = tuple(
                None if e is None or g is None else judge_array(g, e, at_kink=kink)
                for g, e, kink in zip(grads, expected, kinks, strict=True)
            )
            checked = tuple(  # each node computed on the way: its value, entry by entry
                None
                if r is None or not node.inputs or node.index == graph.output
                else judge_array(values[node.index], r)
                for node, r in zip(graph.nodes, node_values, strict=True)
            )
            output = judge_array(values[graph.output], value)
            report = CheckReport(SYMPY, output, verdicts, None, checked)
            return _explained(graph, exact, values, grads, report, deadline)
        reason = found
    report = _by_high_precision(graph, exact, values, grads, deadline, reason)
    return _explained(graph, exact, values, grads, report, deadline)


ROUNDED_SHOWN = 3
"""Rounded input entries a mismatch's reason names (then how many more there are)."""


def _explained(
    graph: Graph,
    exact: Callable[[], Mapping[str, Any]],
    values: list[Any],
    grads: list[Any],
    report: CheckReport,
    deadline: float,
) -> CheckReport:
    """The report with the rounded inputs said on every mismatch, as over scalars: each
    input entry whose exact value is not the float64 cg computed with, and whether mpmath
    at the stored inputs gives cg's numbers (the difference then comes from the storing)."""
    import numpy as np

    verdicts = [report.value, *report.grads, *(report.values or ())]
    if all(v is None or v.status != MISMATCH for v in verdicts):
        return report
    exact_inputs = exact()
    rounded = []
    for node in graph.inputs:
        stored = np.asarray(values[node.index], dtype=float)
        given = np.asarray(exact_inputs[node.name], dtype=object)
        for position, entry in np.ndenumerate(given):
            where = f"[{', '.join(str(k + 1) for k in position)}]" if position else ""
            found = rounded_input(f"{node.name}{where}", entry, float(stored[position]))
            if found is not None:
                rounded.append(found)
    if not rounded:
        return report
    said = "; ".join(sentence for sentence, _ in rounded[:ROUNDED_SHOWN])
    if len(rounded) > ROUNDED_SHOWN:
        more = len(rounded) - ROUNDED_SHOWN
        said += f"; and {more} more {'entries are' if more > 1 else 'entry is'} rounded"
    largest = max(relative for _, relative in rounded)
    at_stored = _at_stored_inputs(graph, values, grads, deadline)
    singular = _singular_at(graph, exact_inputs, max(deadline, clock.now() + EXPLAIN_GRACE))
    if singular is not None:
        said += (
            "; the exact inputs sit on a singular point, where the reference has no finite "
            f"value (at 50 and 80 digits it gives {singular[0]:.3g} and {singular[1]:.3g}): its "
            "expected numbers there are no numbers to compare with"
        )

    def explain(verdict: Verdict | None, ours: Any, reference: Any) -> Verdict | None:
        if verdict is None or verdict.status != MISMATCH:
            return verdict
        reason = f"{verdict.reason}; {said}"
        if reference is not None and judge_array(ours, reference).status == OK:
            reason += (
                "; at the stored inputs a high-precision evaluation gives cg's numbers: the "
                "difference comes from storing the inputs as float64"
            )
            expected = np.asarray(verdict.expected, dtype=float)
            with np.errstate(all="ignore"):
                tiny = np.finfo(float).tiny
                changes = np.abs(expected - reference) / np.maximum(np.abs(reference), tiny)
            change = np.nan_to_num(changes, nan=0.0, posinf=np.inf).max()
            if change > 1000 * largest:
                reason += (
                    f", and the result is ill-conditioned here (a relative change of "
                    f"{largest:.2g} in the inputs changes it by {change:.2g}: near a singular "
                    "point)"
                )
        return verdict._replace(reason=reason)

    nothing = [None] * len(grads)
    value_at, grads_at, values_at = at_stored if at_stored is not None else (None, nothing, nothing)
    return report._replace(
        value=explain(report.value, values[graph.output], value_at),
        grads=tuple(
            explain(v, g, r) for v, g, r in zip(report.grads, grads, grads_at, strict=True)
        ),
        values=None
        if report.values is None
        else tuple(
            explain(v, x, r) for v, x, r in zip(report.values, values, values_at, strict=True)
        ),
    )


SINGULAR_DIGITS = 80
"""The digits of the second look at the exact inputs that tells a singular point: a
regular one gives the same output at 50 and at 80 digits."""


def _singular_at(
    graph: Graph, exact_inputs: Mapping[str, Any], deadline: float
) -> tuple[float, float] | None:
    """The output at 50 and at 80 digits when they differ beyond the tolerance (the exact
    inputs sit on a singular point, tan at pi/2: no finite value there); None when the
    reference is a number, or cannot say (within the explanation's time)."""
    import numpy as np

    from .precise import _SympyNames

    found = []
    for digits in (DIGITS, SINGULAR_DIGITS):
        ctx, number = _mp_context(digits)
        try:
            leaves = {n: _mp_leaf(ctx, exact_inputs[n], number) for n in graph.input_names}
            output = build_references(graph, leaves, _SympyNames(ctx), number, None, deadline)[
                graph.output
            ]
            found.append(float(ctx.fsum(np.asarray(output, dtype=object).flat)))
        except (ArithmeticError, ValueError, TypeError, TimeoutError):
            return None
    low, high = found
    return None if agrees(low, high) else (low, high)


def _at_stored_inputs(
    graph: Graph, values: list[Any], grads: list[Any], deadline: float
) -> tuple[Any, list[Any], list[Any]] | None:
    """The output's value, the gradients and every node's value at the float64 inputs cg
    computed with, by mpmath at 50 digits; None when they take longer than the budget."""
    import numpy as np

    to_fraction = np.frompyfunc(Fraction, 1, 1)
    stored = {
        node.name: to_fraction(np.asarray(values[node.index], dtype=float)) for node in graph.inputs
    }
    needs = [g is not None for g in grads]
    budget = max(deadline - clock.now(), EXPLAIN_GRACE)
    try:
        value, found, _, nodes = call_with_timeout(_sympy_reference, (graph, stored, needs), budget)
    except Exception:  # out of time, or not a number at the stored inputs: left unsaid
        return None
    return value, found, nodes


def judge_array(
    ours: Any,
    expected: Any,
    errors: Any = None,
    *,
    at_kink: Any = None,
) -> Verdict:
    """One verdict for an array: each entry judged as a number; the first disagreeing
    entry named. ``at_kink``: per entry, whether a kink lies between it and the output
    (a convention there, as over scalars, nan included: ∞ · 0); the other entries are
    compared."""
    import numpy as np

    ours = np.asarray(ours, dtype=float)
    expected = np.asarray(expected, dtype=float)
    statuses = []
    for position, mine in np.ndenumerate(ours):
        error = 0.0 if errors is None else float(np.asarray(errors)[position])
        if error < 0:  # an entry the reference did not compute
            continue
        kink = at_kink is not None and bool(at_kink[position])
        verdict = judge(
            float(mine),
            float(expected[position]),
            error,
            at_kink=AT_KINK if kink else None,
            through_kink=kink,
        )
        statuses.append(verdict.status)
        if verdict.status == MISMATCH:
            where = f" at entry [{', '.join(str(k + 1) for k in position)}]" if position else ""
            reason = f"ours {mine:.12g}, expected {expected[position]:.12g}{where}"
            return Verdict(MISMATCH, expected, None, reason)
    if not statuses:
        return Verdict(UNCHECKED, expected)
    if CONVENTION in statuses:
        return Verdict(CONVENTION, expected)
    if all(s == UNCHECKED for s in statuses):
        return Verdict(UNCHECKED, expected)
    return Verdict(OK, expected)


def _sympy_leaves(graph: Graph, exact_inputs: Mapping[str, Any]) -> dict[str, Any]:
    import numpy as np

    from .symbolic import exact_value

    leaves = {}
    for name in graph.input_names:
        given = exact_inputs[name]
        if isinstance(given, np.ndarray):
            leaves[name] = np.frompyfunc(exact_value, 1, 1)(given)
        else:
            leaves[name] = exact_value(given)
    return leaves


def _sympy_reference(graph: Graph, exact_inputs: dict, needs: list[bool]) -> tuple:
    """The output's value and every node's gradient, as float arrays, and for each node
    entry by entry whether a kink lies between it and the output.

    SymPy differentiates each operation, entry by entry, applied to symbols (the op
    table's SymPy builders and each array op's reference: none of cg's local derivatives
    or vector-Jacobian products); the chain rule then runs from the output back, with
    every number at 50 digits (the inputs exact, the rest mpmath's)."""
    import numpy as np

    from .precise import _SympyNames

    ctx, number = _mp_context(DIGITS)
    leaves = {name: _mp_leaf(ctx, exact_inputs[name], number) for name in graph.input_names}
    values = build_references(graph, leaves, _SympyNames(ctx), number)
    grads: list[Any] = [None] * len(needs)
    grads[graph.output] = np.full(values[graph.output].shape, ctx.mpf(1), dtype=object)
    kinks: list[Any] = [np.zeros(v.shape, dtype=bool) for v in values]
    for index in range(graph.output, -1, -1):
        node = graph.nodes[index]
        upstream = grads[index]
        if upstream is None or not needs[index] or node.op == INPUT or not node.inputs:
            continue
        if node.op == COPY:
            shares, share_kinks = [upstream], [kinks[index]]
        else:
            operands = [values[i] for i in node.inputs]
            shares, share_kinks = _local_vjp(node, operands, upstream, kinks[index], needs, ctx)
        for i, share, kink in zip(node.inputs, shares, share_kinks, strict=True):
            if share is None or not needs[i]:
                continue
            # A 0-d array plus a 0-d array is a bare number: keep it an array.
            grads[i] = share if grads[i] is None else np.asarray(grads[i] + share, dtype=object)
            kinks[i] = kinks[i] | kink
    floats = np.frompyfunc(float, 1, 1)
    value = np.asarray(floats(values[graph.output]), dtype=float)
    found = [
        None if g is None or not needs[k] else np.asarray(floats(g), dtype=float)
        for k, g in enumerate(grads)
    ]
    return value, found, kinks, [_floats_or_none(v) for v in values]


def _floats_or_none(value: Any) -> Any:
    """A node's reference value as floats; None where an entry is no real number."""
    import numpy as np

    try:
        return np.asarray(np.frompyfunc(float, 1, 1)(value), dtype=float)
    except (TypeError, ValueError):
        return None


def _local_vjp(
    node, operands: list, upstream: Any, upstream_kinks: Any, needs: list[bool], ctx: Any
) -> tuple:
    """What ``node`` sends back to each operand: SymPy's derivative of each entry of the
    op (applied to one symbol per operand entry) at the operands' values, times the
    upstream gradient; and per operand entry, whether a kink lies on its way: one of
    those derivatives sits on a kink, or the upstream entry it reaches had one."""
    import mpmath
    import numpy as np
    import sympy

    symbols = []
    point = {}
    for k, operand in enumerate(operands):
        array = np.empty(operand.shape, dtype=object)
        for position in np.ndindex(*operand.shape):
            symbol = sympy.Symbol(f"a{k}_{'_'.join(map(str, position))}", real=True)
            array[position] = symbol
            point[symbol] = _sympy_number(sympy, mpmath, ctx, operand[position])
        symbols.append(array)
    table_op = array_op(node.op)
    if table_op is not None:
        out = table_op.reference(sympy, np, symbols, split_op(node.op)[1])
    else:
        op = op_for(node.op)
        each = np.frompyfunc(lambda *xs: op.sympy(sympy, *xs), len(symbols), 1)
        out = each(*symbols)
    out = np.asarray(out, dtype=object)
    shares: list[Any] = []
    kinks: list[Any] = []
    for k, operand in enumerate(operands):
        share = np.full(operand.shape, ctx.mpf(0), dtype=object)
        kink = np.zeros(operand.shape, dtype=bool)
        shares.append(share if needs[node.inputs[k]] else None)
        kinks.append(kink)
        if not needs[node.inputs[k]]:
            continue
        wanted = {symbol: position for position, symbol in np.ndenumerate(symbols[k])}
        for position, entry in np.ndenumerate(out):
            entry = sympy.sympify(entry, strict=True)  # a SymPy form or a number, never text
            reached = entry.free_symbols & wanted.keys()
            if upstream_kinks[position]:
                for symbol in reached:
                    kink[wanted[symbol]] = True
            g = upstream[position]
            for symbol in reached:
                derivative = sympy.diff(entry, symbol)
                local = _at(sympy, derivative, point)
                if local is None:  # 0/0 in SymPy's form (a^b·b/a at a = 0): fix the others
                    others = {x: point[x] for x in entry.free_symbols if x != symbol}
                    derivative = sympy.diff(entry.subs(others), symbol)
                    local = _at(sympy, derivative, point)
                if local is None and g == 0:  # 0·∞ (√ at 0 times a 0 upstream): no number,
                    kink[wanted[symbol]] = True  # cg's 0 is a convention, as over scalars
                    continue
                if local is None:
                    raise NoDerivative(f"no finite derivative of {entry} at this point")
                if g == 0:
                    continue
                kink[wanted[symbol]] |= _on_kink(derivative, point)
                share[wanted[symbol]] += g * ctx.mpf(str(sympy.re(local)))
    return shares, kinks


def _at(sympy: Any, expression: Any, point: Mapping) -> Any:
    """The expression's value at the point, at 50 digits; None where it is not finite."""
    try:
        value = expression.evalf(DIGITS, subs=point)
    except (ZeroDivisionError, ValueError):
        return None
    return value if value.is_finite else None


def _sympy_number(sympy: Any, mpmath: Any, ctx: Any, value: Any) -> Any:
    """A 50-digit value for SymPy; a whole number stays an Integer (an exponent of 2
    keeps ``a^2`` a polynomial, whose derivative at 0 is 0)."""
    if ctx.isint(value):
        return sympy.Integer(int(value))
    return sympy.Float(mpmath.nstr(value, DIGITS + 5), DIGITS + 5)


def _on_kink(derivative: Any, point: Mapping) -> bool:
    """Whether a piecewise part of a derivative is at its break point here (relu'(0),
    a tie of max): there cg follows PyTorch's convention."""
    import sympy

    steps = (sympy.Heaviside, sympy.sign, sympy.DiracDelta)
    tiny = sympy.Float(10) ** -40
    return any(
        isinstance(atom, steps) and abs(atom.args[0].evalf(DIGITS, subs=point)) < tiny
        for atom in sympy.preorder_traversal(derivative)
    )


def _by_high_precision(
    graph: Graph,
    exact: Callable[[], Mapping[str, Any]],
    values: list[Any],
    grads: list[Any],
    deadline: float,
    reason: str,
) -> CheckReport:
    """The value and a sample of each input's gradient entries, by mpmath at 50 digits."""
    import numpy as np

    from .precise import _SympyNames

    ctx, number = _mp_context(DIGITS)
    names = _SympyNames(ctx)
    operations = scalar_operations(graph, [v.shape for v in values])
    if operations > PRECISE_OPERATIONS:
        note = (
            f"{reason}; the high-precision check takes programs of up to "
            f"{PRECISE_OPERATIONS:,} scalar operations, and this one has {operations:,}"
        )
        return CheckReport(HIGH_PRECISION, Verdict(UNCHECKED), (None,) * len(grads), note)
    exact_inputs = exact()
    leaves = {name: _mp_leaf(ctx, exact_inputs[name], number) for name in graph.input_names}

    def total(changed: Mapping[str, Any]) -> Any:
        found = build_references(graph, {**leaves, **changed}, names, number, None, deadline)
        return found, ctx.fsum(found[graph.output].flat)

    def one_sided(name: str, leaf: Any, position: tuple[int, ...], step: Any):
        """The quotients of the output from the right and from the left of ``leaf``'s
        entry at ``position``; None where a step leaves the real domain (√ at 0)."""
        up, down = leaf.copy(), leaf.copy()
        up[position] += step
        down[position] -= step
        above, below = total({name: up})[1], total({name: down})[1]
        if not (isinstance(above, ctx.mpf) and isinstance(below, ctx.mpf)):
            return None
        return (above - centre) / step, (centre - below) / step

    verdicts: list[Verdict | None] = [None] * len(grads)
    value_verdict = Verdict(UNCHECKED, None, None, "out of time")
    unreached = None
    checked = 0
    try:
        if clock.now() > deadline:
            raise TimeoutError
        found, centre = total({})
        expected = np.asarray(np.frompyfunc(float, 1, 1)(found[graph.output]), dtype=float)
        value_verdict = judge_array(values[graph.output], expected)
        for node in graph.inputs:
            leaf = np.asarray(leaves[node.name], dtype=object)
            errors = np.full(leaf.shape, -1.0)
            expected = np.full(leaf.shape, np.nan)
            kinks = np.zeros(leaf.shape, dtype=bool)
            for position in _sample(leaf.shape):
                if clock.now() > deadline:
                    raise TimeoutError
                h = ctx.mpf(10) ** -20 * max(1, abs(leaf[position]))
                quotients = [one_sided(node.name, leaf, position, step) for step in (h, 2 * h)]
                if None in quotients:
                    continue
                (right, left), (right2, left2) = quotients
                expected[position] = float((right + left) / 2)
                kinks[position] = _one_sided_differ(right, left, right2, left2)
                errors[position] = 0.0
                checked += 1
            verdicts[node.index] = judge_array(grads[node.index], expected, errors, at_kink=kinks)
    except TimeoutError:
        unreached = Verdict(UNCHECKED, None, None, "the check's time budget ran out")
    except (ZeroDivisionError, ValueError, ArithmeticError) as exc:
        reason += f"; the high-precision reference failed ({exc})"
        unreached = Verdict(UNCHECKED, None, None, "the high-precision reference failed")
    for node in graph.inputs:  # each input not reached is listed with the reason
        if verdicts[node.index] is None and grads[node.index] is not None:
            verdicts[node.index] = unreached
    note = f"{reason}; checked {checked} input gradient entries by difference quotients"
    return CheckReport(HIGH_PRECISION, value_verdict, tuple(verdicts), note)


def _one_sided_differ(right: Any, left: Any, right2: Any, left2: Any) -> bool:
    """Whether the one-sided derivatives differ (a kink, where cg follows PyTorch's
    convention): the quotients from the right and the left at step h differ beyond the
    tolerance and beyond their own error (how much each moves from h to 2h), or have
    opposite signs where they are that far apart (√|x| at 0: +∞ and -∞)."""
    gap = abs(right - left)
    if agrees(float(right), float(left)):
        return False
    own_error = abs(right2 - right) + abs(left2 - left)
    return gap > 10 * own_error or right * left < 0


def scalar_operations(graph: Graph, shapes: list[tuple[int, ...]]) -> int:
    """About how many scalar operations one evaluation of ``graph`` takes: each entry of
    each node, and for a product m·n·p."""
    total = 0
    for node, shape in zip(graph.nodes, shapes, strict=True):
        size = 1
        for n in shape:
            size *= n
        if node.op == "matmul":
            size *= shapes[node.inputs[0]][-1]
        total += size
    return total


def _mp_context(digits: int) -> tuple[Any, Callable[[str], Any]]:
    """An mpmath context of ``digits`` digits, and how it reads a literal exactly."""
    import mpmath

    ctx = mpmath.MPContext()
    ctx.dps = digits

    def number(text: str) -> Any:
        exact = Fraction(text)
        return ctx.mpf(exact.numerator) / exact.denominator

    return ctx, number


def _mp_leaf(ctx: Any, given: Any, number: Callable[[str], Any]) -> Any:
    import numpy as np

    if isinstance(given, np.ndarray):
        return np.frompyfunc(lambda e: _mp_value(ctx, e, number), 1, 1)(given)
    return _mp_value(ctx, given, number)


def _mp_value(ctx: Any, exact: Any, number: Callable[[str], Any]) -> Any:
    """An exact input (a rational or a constant expression's graph) at the context's
    digits (50 for the references)."""
    from .precise import HighPrecision

    if isinstance(exact, Graph):
        return ctx.mpf(HighPrecision(exact, {}).output_at(ctx.dps))
    if isinstance(exact, Fraction):
        return number(str(exact))
    return ctx.mpf(exact)


def _sample(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """At most SAMPLED_ENTRIES positions of an array, spread evenly, first and last in."""
    import numpy as np

    size = int(np.prod(shape)) if shape else 1
    if size <= SAMPLED_ENTRIES:
        flat = range(size)
    else:
        flat = sorted(
            {round(k * (size - 1) / (SAMPLED_ENTRIES - 1)) for k in range(SAMPLED_ENTRIES)}
        )
    return [tuple(int(i) for i in np.unravel_index(k, shape)) if shape else () for k in flat]
