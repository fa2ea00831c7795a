"""How numbers are written: in tables, in messages and in JSON."""

from __future__ import annotations

import math


def format_number(x: float, digits: int | None = None) -> str:
    """A float as text: shortest round-trip form, or ``digits`` significant digits.

    Integral values print without a decimal point; -0 prints as 0.
    """
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


def json_number(x: float | str | None) -> float | str | None:
    """A number for JSON: non-finite floats become the strings "inf", "-inf", "nan".

    None and marker strings (such as SymPy's "zoo") pass through.
    """
    if x is None or isinstance(x, str) or math.isfinite(x):
        return x
    return format_number(x)
