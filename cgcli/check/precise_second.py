"""High precision for forward mode and second derivatives: difference quotients of the
program's output in mpmath (:class:`cgcli.check.precise.HighPrecision`), for when SymPy
cannot finish within the check's budget.

Independent of cg's local derivatives, gradient graph and passes: only the output's
value is computed, at 80 significant digits, at points a step h = 1e-15·max(1, |x|)
apart. Each number is Richardson's extrapolation of the quotients with steps h and
2h; its error bound is twice their gap plus the rounding of the quotient.

* ∂²f/∂xᵢ∂xⱼ ≈ (f(x + hᵢ + hⱼ) - f(x + hᵢ - hⱼ) - f(x - hᵢ + hⱼ) + f(x - hᵢ - hⱼ)) / 4hᵢhⱼ
* ∂f/∂v ≈ (f(x + h·v) - f(x - h·v)) / 2h
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import mpmath

from ..core import clock
from ..core.ir import Graph
from .precise import Gap, HighPrecision, Number

DIGITS = 80
STEP = Fraction(1, 10**15)


def _exact_point(inputs: Mapping[str, Fraction | Graph]) -> dict[str, Fraction]:
    """Every input as a rational: a constant expression (pi/4) to 100 digits."""
    point = {}
    for name, exact in inputs.items():
        if isinstance(exact, Graph):
            with mpmath.workdps(110):
                value = HighPrecision(exact, {}).output_at(110)
                point[name] = Fraction(mpmath.nstr(value, 105, min_fixed=-1, max_fixed=1))
        else:
            point[name] = Fraction(exact)
    return point


class _Output:
    """The output at shifted points, at DIGITS digits, each point evaluated once."""

    def __init__(self, graph: Graph, point: dict[str, Fraction], deadline: float) -> None:
        self.graph = graph
        self.point = point
        self.deadline = deadline
        self.cache: dict[tuple, object] = {}

    def at(self, shift: dict[str, Fraction]):
        key = tuple(sorted((k, v) for k, v in shift.items() if v))
        if key not in self.cache:
            if clock.now() > self.deadline:
                raise TimeoutError
            moved = {n: x + shift.get(n, 0) for n, x in self.point.items()}
            value = HighPrecision(self.graph, moved).output_at(DIGITS)
            with mpmath.workdps(DIGITS):  # into mpmath's own context, at these digits
                self.cache[key] = mpmath.mpf(value)
        return self.cache[key]


def _mp(x: Fraction):
    """A rational as an mpmath number at the working precision."""
    return mpmath.mpf(x.numerator) / x.denominator


def _step(x: Fraction) -> Fraction:
    return STEP * max(1, abs(x))


def _extrapolated(d1, d2, scale, denominator) -> Number:
    """Richardson's extrapolation of quotients with steps h (d1) and 2h (d2)."""
    with mpmath.workdps(DIGITS):
        best = (4 * d1 - d2) / 3
        rounding = mpmath.mpf(10) ** (5 - DIGITS) * scale / denominator
        error = 2 * abs(d1 - d2) + rounding
        return Number(float(best), float(error))


def hessian_entries(
    graph: Graph, inputs: Mapping[str, Fraction | Graph], names: list[str], deadline: float
) -> list[list[Number | Gap]]:
    """∂²output/∂a∂b for every pair of ``names``, from the output alone."""
    point = _exact_point(inputs)
    f = _Output(graph, point, deadline)
    steps = {n: _step(point[n]) for n in names}
    n = len(names)
    matrix: list[list[Number | Gap]] = [[Gap("time", "")] * n for _ in range(n)]
    try:
        with mpmath.workdps(DIGITS):
            scale = abs(f.at({})) + 1
            for i in range(n):
                for j in range(i, n):
                    quotients = []
                    for k in (1, 2):
                        hi, hj = k * steps[names[i]], k * steps[names[j]]

                        def shifted(si: int, sj: int, hi=hi, hj=hj, i=i, j=j):
                            shift: dict[str, Fraction] = {}
                            shift[names[i]] = shift.get(names[i], 0) + si * hi
                            shift[names[j]] = shift.get(names[j], 0) + sj * hj
                            return f.at(shift)

                        total = shifted(1, 1) - shifted(1, -1) - shifted(-1, 1) + shifted(-1, -1)
                        quotients.append(total / (4 * _mp(hi) * _mp(hj)))
                    h2 = _mp(steps[names[i]]) * _mp(steps[names[j]])
                    matrix[i][j] = matrix[j][i] = _extrapolated(*quotients, scale, h2)
    except TimeoutError:
        pass
    except ArithmeticError as exc:  # a shifted point outside the domain
        gap = Gap("domain", str(exc))
        matrix = [[gap if isinstance(e, Gap) else e for e in row] for row in matrix]
    return matrix


def directional_derivative(
    graph: Graph,
    inputs: Mapping[str, Fraction | Graph],
    direction: Mapping[str, Fraction | Graph],
    deadline: float,
) -> Number | Gap:
    """∂output/∂v along ``direction``, from the output alone."""
    point = _exact_point(inputs)
    v = _exact_point(direction)
    f = _Output(graph, point, deadline)
    size = max([1, *(abs(x) for x in point.values())])
    h = STEP * size / max([1, *(abs(x) for x in v.values())])
    try:
        with mpmath.workdps(DIGITS):
            scale = abs(f.at({})) + 1
            quotients = []
            for k in (1, 2):
                up = f.at({n: k * h * dv for n, dv in v.items()})
                down = f.at({n: -k * h * dv for n, dv in v.items()})
                quotients.append((up - down) / (2 * k * _mp(h)))
            return _extrapolated(*quotients, scale, _mp(h))
    except TimeoutError:
        return Gap("time", "the check's time budget ran out")
    except ArithmeticError as exc:
        return Gap("domain", str(exc))
