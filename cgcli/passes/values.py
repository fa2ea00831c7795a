"""Input values: ``NAME=VALUE`` text or Python numbers, kept exact for the check."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from ..core.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    CgError,
    CgSyntaxError,
    UsageError,
)
from ..core.ir import Graph
from ..core.parser import parse
from .engine import forward

if TYPE_CHECKING:
    from fractions import Fraction

NAME_PATTERN = re.compile(r"[^\W\d]\w*")


class InputValue(NamedTuple):
    """A value for one input: its float and its exact form for SymPy."""

    name: str
    number: float
    exact: Fraction | Graph
    """A rational, or a constant expression (such as pi/4) as a graph."""


def value_from_text(name: str, text: str) -> InputValue:
    """Parse VALUE of ``NAME=VALUE``: a constant expression in the cg language."""
    origin = f"in the value of {name}"
    try:
        graph = parse(text).bind_constants(())
    except CgSyntaxError as exc:
        exc.origin = origin
        raise
    if graph.inputs:
        raise UsageError(
            f"the value of {name} must be a constant expression, "
            f"but {text.strip()!r} uses the name {graph.input_names[0]!r}"
        )
    if graph.statements != 1 or graph.assigned:
        raise UsageError(f"the value of {name} must be one expression, not {text.strip()!r}")
    try:
        number = forward(graph, {})[graph.output]
    except CgError as exc:
        raise type(exc)(f"in the value of {name}: {exc.message}") from None
    return InputValue(name, number, graph)


def value_from_python(name: str, value: object) -> InputValue:
    """A value given from Python: int, float, Fraction or a constant-expression string."""
    from fractions import Fraction

    if isinstance(value, str):
        return value_from_text(name, value)
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        try:
            number = float(value)  # type: ignore[arg-type]  # a numpy scalar, a Decimal
        except (TypeError, ValueError, OverflowError):
            number = None
        if isinstance(value, bool) or number is None:
            raise _bad_value(ArgumentTypeError, name, f"must be a number, not {value!r:.60}")
        value = number
    try:
        number = float(value)
    except OverflowError:
        raise _bad_value(
            ArgumentValueError, name, "is too large for a float64 number (at most about 1.8e308)"
        ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _bad_value(ArgumentValueError, name, f"must be finite, not {number}")
    exact = Fraction(value) if isinstance(value, (int, Fraction)) else Fraction(repr(number))
    return InputValue(name, number, exact)


def _bad_value(kind: type[ArgumentTypeError | ArgumentValueError], name: str, detail: str):
    """The error of a value given from Python: "the value of x must be ..."."""
    return kind("values", f"{name} {detail}", f"the value of {name} {detail}")


def parse_assignments(arguments: Iterable[str]) -> dict[str, InputValue]:
    """``NAME=VALUE`` command-line arguments; the same name twice is an error."""
    values: dict[str, InputValue] = {}
    for argument in arguments:
        name, sep, text = argument.partition("=")
        name = name.strip()
        if not sep or not NAME_PATTERN.fullmatch(name):
            raise UsageError(f"expected NAME=VALUE, got {argument!r}")
        if name in values:
            raise UsageError(f"{name} is given twice")
        values[name] = value_from_text(name, text)
    return values


_LOOKALIKES = dict(
    zip(
        "аеорсухіјѕԁԛԝАВЕКМНОРСТХІЈЅαορνυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
        "aeopcyxijsdqwABEKMHOPCTXIJSaopvuxABEZHIKMNOPTYX",
        strict=True,
    )
)
"""Cyrillic and Greek letters that look like Latin ones."""


def name_hint(name: str) -> str:
    """A hint for a name that may not be what it seems: a look-alike letter, inf, nan."""
    import unicodedata

    if name in ("inf", "nan", "infinity"):
        return f"; {name} is a name here: cg has no literal for it"
    if name in ("π", "ℯ"):
        return f"; to mean the constant, write {'pi' if name == 'π' else 'e'}"
    wide = [ch for ch in name if "\uff01" <= ch <= "\uff5e"]
    if wide:
        plain = "".join(chr(ord(ch) - 0xFEE0) if ch in wide else ch for ch in name)
        return f"; {name} is written in full-width letters: did you mean {plain}?"
    odd = [ch for ch in name if ch in _LOOKALIKES]
    if not odd:
        return ""
    described = ", ".join(
        f"{ch!r} is U+{ord(ch):04X} {unicodedata.name(ch, '?')}, not {_LOOKALIKES[ch]!r}"
        for ch in odd
    )
    return f"; in {name}, {described}"


def bind_inputs(
    graph: Graph, values: Mapping[str, InputValue]
) -> tuple[Graph, dict[str, float], list[str]]:
    """Match values to the graph's inputs: the bound graph, floats per input, warnings.

    All missing values are reported in one error; unused values are warnings.
    """
    graph = graph.bind_constants(values)
    needed = graph.input_names
    missing = [name for name in needed if name not in values]
    if missing:
        listed = ", ".join(missing)
        example = " ".join(f"{name}=..." for name in missing)
        plural = "s" if len(missing) > 1 else ""
        hints = "".join(name_hint(name) for name in missing)
        raise UsageError(f"missing value{plural} for {listed} (give {example}){hints}")
    warnings = [
        f"{name} is not used by the program; its value is ignored{name_hint(name)}"
        for name in values
        if name not in needed
    ]
    return graph, {name: values[name].number for name in needed}, warnings
