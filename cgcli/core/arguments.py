"""Arguments checked in one place: the command line's option types and the library's
keyword arguments say the same thing about the same mistake.

Each function takes the value and the name the caller knows it by (``--check-timeout``
on the command line, ``check_timeout`` in Python) and returns the value in the type cg
works with, or raises :class:`~cgcli.core.errors.ArgumentValueError` (a ``ValueError``)
or :class:`~cgcli.core.errors.ArgumentTypeError` (a ``TypeError``), whose ``detail`` is
the message without the name (what click shows after "Invalid value for ...").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from .errors import ArgumentTypeError, ArgumentValueError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_SECONDS = 86_400
"""A time budget is at most a day."""
MAX_DIGITS = 17
"""float64 needs at most 17 significant digits to round-trip."""


def number(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    above: bool = False,
    maximum: float | None = None,
    from_text: bool = False,
) -> float:
    """A finite number within the bounds given: at least ``minimum`` (more than it, with
    ``above``) and at most ``maximum``. An int or a float; with ``from_text`` (the command
    line) also its ASCII text."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ArgumentTypeError(name, f"{_short(value)} is not a number")
    if isinstance(value, str) and not from_text:
        raise ArgumentTypeError(name, f"expected a number, not the text {_short(value)}")
    if isinstance(value, str):
        try:
            if not value.isascii():
                raise ValueError
            found = float(value)
        except ValueError:
            raise ArgumentValueError(name, f"{value!r} is not a number") from None
    else:
        try:
            found = float(value)
        except OverflowError:
            raise ArgumentValueError(name, f"{_short(value)} is too large") from None
    if not math.isfinite(found):
        raise ArgumentValueError(name, f"{value!r} is not a finite number")
    if minimum is not None and (found < minimum or (above and found == minimum)):
        bound = f"> {minimum:g}" if above else f">= {minimum:g}"
        raise ArgumentValueError(name, f"{_short(value)} is out of range: it must be {bound}")
    if maximum is not None and found > maximum:
        raise ArgumentValueError(
            name, f"{_short(value)} is out of range: it must be <= {maximum:g}"
        )
    return found


def whole_number(
    value: object,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    from_text: bool = False,
) -> int:
    """A whole number within the bounds given: an int (a float such as 3.0 too); with
    ``from_text`` (the command line) also its ASCII digits."""
    if isinstance(value, str) and not from_text:
        raise ArgumentTypeError(name, f"expected a whole number, not the text {_short(value)}")
    if isinstance(value, str) and value.strip().isascii():
        try:
            value = int(value.strip())
        except ValueError:
            raise ArgumentValueError(name, f"{value!r} is not a whole number") from None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ArgumentTypeError(name, f"{_short(value)} is not a whole number")
    if minimum is not None and value < minimum:
        raise ArgumentValueError(name, f"{_short(value)} is out of range: it must be >= {minimum}")
    if maximum is not None and value > maximum:
        raise ArgumentValueError(name, f"{_short(value)} is out of range: it must be <= {maximum}")
    return value


def seconds(value: object, name: str) -> float:
    """A time budget: more than 0 seconds, at most a day."""
    return number(value, name, minimum=0, above=True, maximum=MAX_SECONDS)


def share(value: object, name: str) -> float:
    """A share from 0 to 1: a number (``0.01``) or a percentage (``"1%"``)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return number(value.strip()[:-1], name, minimum=0, maximum=100, from_text=True) / 100
    return number(value, name, minimum=0, maximum=1, from_text=True)


def digits(value: object, name: str = "digits") -> int | None:
    """Significant digits shown: 1 to 17, or None for every digit."""
    if value is None:
        return None
    return whole_number(value, name, minimum=1, maximum=MAX_DIGITS)


def workers(value: object, name: str = "workers", *, from_text: bool = False) -> int:
    """The worker processes of a local cluster: 1 to :func:`max_workers`."""
    return whole_number(value, name, minimum=1, maximum=max_workers(), from_text=from_text)


def max_workers() -> int:
    """At most 8 worker processes per CPU core of this machine: a local cluster larger than
    that only waits for memory."""
    import os

    return 8 * (os.cpu_count() or 1)


def flag(value: object, name: str) -> bool:
    """A yes or no: True or False, not a truthy string or number."""
    if not isinstance(value, bool):
        raise ArgumentTypeError(name, f"{_short(value)} is not True or False")
    return value


def choice(value: object, name: str, choices: Iterable[str]) -> str:
    """One of ``choices``."""
    options = list(choices)
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(c) for c in options)
        raise ArgumentValueError(name, f"{_short(value)} is not one of {listed}")
    return value


def text(value: object, name: str) -> str:
    """A string (a path, a name, a program)."""
    if not isinstance(value, str):
        raise ArgumentTypeError(name, f"expected text (a str), not {_short(value)}")
    return value


def names(value: object, name: str) -> list[str]:
    """Names given as a list of strings, or as one string ``a,b``."""
    if isinstance(value, str):
        found = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        found = [v.strip() for v in value]
    else:
        raise ArgumentTypeError(name, f"expected names (a list of str), not {_short(value)}")
    if not found:
        raise ArgumentValueError(name, "name at least one input, such as --wrt x,y")
    return found


def kept_columns(value: object, name: str = "--keep") -> str | list[str] | None:
    """The columns to carry through a run over many points: ``"all"``, names as a list of
    strings or as one string ``id,label``, or None."""
    if value is None or value == "all":
        return value
    if isinstance(value, str):
        found = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        found = [v.strip() for v in value if v.strip()]
    else:
        raise ArgumentTypeError(name, f"expected column names (a list of str), not {_short(value)}")
    if not found:
        raise ArgumentValueError(name, "name at least one column, such as --keep id (or all)")
    return found


def inputs_named(value: object, inputs: Sequence[str], name: str = "--wrt") -> list[str]:
    """:func:`names`, each an input of the program (``inputs``)."""
    found = names(value, name)
    unknown = [n for n in found if n not in inputs]
    if unknown:
        known = ", ".join(inputs) or "none"
        raise ArgumentValueError(
            name,
            f"{', '.join(unknown)}: not an input of the program (inputs: {known})",
            f"{name} {', '.join(unknown)}: not an input of the program (inputs: {known})",
        )
    return found


def optional(check: Callable[..., Any], value: object, *args: Any, **kwargs: Any) -> Any:
    """``check(value, ...)``, or None when ``value`` is None."""
    return None if value is None else check(value, *args, **kwargs)


def _short(value: object) -> str:
    """The repr of a value as a message shows it: at most 60 characters."""
    try:
        shown = repr(value)
    except ValueError:  # an int too long for Python to write out
        return f"a whole number of {len(str(abs(int(value)).bit_length()))}+ bits"
    return shown if len(shown) <= 60 else f"{shown[:28]}…{shown[-28:]} ({len(shown)} characters)"
