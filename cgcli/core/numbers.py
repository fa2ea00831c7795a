"""How numbers are written: in tables, in messages and in JSON."""

from __future__ import annotations

import math


def format_number(x: float, digits: int | None = None) -> str:
    """A float as text: shortest round-trip form, or ``digits`` significant digits.

    Integral values print without a decimal point; -0 prints as 0. An array prints as
    nested brackets of such numbers: ``[[0.5, -1], [2, 0.1]]``.
    """
    if getattr(x, "ndim", 0):
        return format_array(x, digits)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    if digits is not None:
        return f"{x:.{digits}g}"
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def machine_number(x: float) -> str:
    """A float as CSV and TSV write it, one point or many: the shortest digits that read
    back as the same float64, in the form pyarrow writes for ``--points`` (``1``, ``-3``,
    ``0.1``, ``0.000015``, ``1.5e-7``, ``1.2345678912e+10``, ``-0``, ``nan``, ``inf``):
    positional from 10^-6 up to below 10^10, scientific beyond. An array: nested brackets
    of such numbers, ``[[1,-2],[0.5,3]]``."""
    if getattr(x, "ndim", 0):
        return "[" + ",".join(machine_number(row) for row in x) + "]"
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    from decimal import Decimal

    shortest = Decimal(repr(abs(x))).normalize()  # repr has the shortest round-trip digits
    digits = "".join(map(str, shortest.as_tuple().digits))
    exponent = shortest.adjusted()
    sign = "-" if x < 0 else ""
    if -7 < exponent < 10:
        return f"{sign}{shortest:f}"
    mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def format_array(x, digits: int | None = None, limit: int | None = None) -> str:
    """An array as nested brackets; with ``limit``, an array of more entries shows the
    first and last two rows (and entries of each row) with … between (a terminal's
    compact form)."""
    return _brackets(x, digits, limit is not None and x.size > limit)


def _brackets(x, digits: int | None, cut: bool) -> str:
    if x.ndim == 0:
        return format_number(float(x), digits)
    if cut and len(x) > 4:
        rows = [*map(_brackets, x[:2], [digits] * 2, [cut] * 2), "…"]
        rows += map(_brackets, x[-2:], [digits] * 2, [cut] * 2)
    else:
        rows = [_brackets(row, digits, cut) for row in x]
    return "[" + ", ".join(rows) + "]"


def json_number(x: float | str | None) -> float | str | None:
    """A number for JSON: non-finite floats become the strings "inf", "-inf", "nan".

    None and marker strings (such as SymPy's "zoo") pass through; an array becomes nested
    lists of such numbers.
    """
    if getattr(x, "ndim", 0):
        return [json_number(row) for row in x]  # type: ignore[union-attr]
    if x is not None and not isinstance(x, (str, float, int)):
        x = float(x)  # a numpy scalar or a 0-d array
    if x is None or isinstance(x, str) or math.isfinite(x):
        return x
    return format_number(x)
