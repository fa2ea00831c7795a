"""Input values: ``NAME=VALUE`` text or Python numbers, kept exact for the check.

An indexed input takes its elements one by one (``x[1]=0.5``) or as a list
(``x=[0.5,-1,2]``), whose first element goes to the smallest index the program uses for
``x`` (docs/language.md, Values of indexed names).
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Iterable, Mapping

from ..core.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    CgError,
    CgSyntaxError,
    ShapeError,
    UsageError,
)
from ..core.ir import NUMBER, Graph
from ..core.limits import MAX_LITERAL_CEILING, Limits
from ..core.parser import parse, parse_list
from .engine import forward

TYPE_CHECKING = False
if TYPE_CHECKING:
    from fractions import Fraction
    from typing import Any

NAME_PATTERN = re.compile(r"[^\W\d]\w*")
VALUE_LIMITS = Limits(max_literal=MAX_LITERAL_CEILING)
"""A value's literal may be as long as any (no option names values' limit: a number of
up to 4,000 characters is read exactly)."""


class InputValue(namedtuple("InputValue", "name number exact")):
    """A value for one input (``name``): its float (``number``) and its exact form for
    SymPy (``exact``: a Fraction, or a constant expression such as pi/4 as a graph)."""

    __slots__ = ()


class SequenceValue(namedtuple("SequenceValue", "name elements")):
    """A list of values for an indexed input, ``x=[0.5,-1,2]``: its ``elements`` (a tuple
    of :class:`InputValue`) are placed when the program is known
    (:func:`expand_sequences`)."""

    __slots__ = ()


class ArrayValue(namedtuple("ArrayValue", "name number exact")):
    """A vector or matrix for an input used whole (``W=[[0.5,-1],[2,0.1]]``): its float64
    numpy array (``number``) and its exact entries for the check (``exact``: a numpy
    object array of Fractions or constant expressions' graphs, or None: the floats as
    given, :func:`exact_entries`)."""

    __slots__ = ()


def array_from_text(name: str, text: str) -> ArrayValue:
    """Parse a nested bracketed list, ``[[0.5, -1], [2, 0.1]]``: a constant array whose
    entries are constant expressions (each kept exact)."""
    import numpy

    from .arrays import shapes

    try:
        graph = parse(text, VALUE_LIMITS)
        shape = shapes(graph, {})[graph.output]
    except CgSyntaxError as exc:
        exc.origin = f"in the value of {name}"
        raise
    if graph.statements != 1 or graph.assigned or graph.table.op(graph.output) != "stack":
        raise UsageError(f"the value of {name} must be one bracketed list, not {text.strip()!r}")
    table = graph.table
    exact = numpy.empty(shape, dtype=object)
    number = numpy.empty(shape, dtype=float)
    rows = [((), graph.output)]
    while rows:  # walk the nested lists down to their entries, without recursion
        position, index = rows.pop()
        if table.op(index) == "stack":
            node = table.node(index)
            rows += [((*position, k), i) for k, i in enumerate(node.inputs)]
            continue
        node = table.node(index)
        where = f"{name}[{','.join(str(k + 1) for k in position)}]"
        entry = value_from_text(where, text[node.start : node.end])
        number[position] = entry.number
        exact[position] = entry.exact
    return ArrayValue(name, number, exact)


def array_from_python(name: str, value: object) -> ArrayValue:
    """A nested list or a numpy array given from Python: finite numbers, not ragged.

    An array of ints or floats is taken as it is, its exact entries found only when the
    check asks for them (:func:`exact_entries`); other entries (Fractions, constant
    expressions as text) one by one."""
    import numpy

    try:
        whole = numpy.asarray(value)
    except ValueError:
        whole = None
    if whole is not None and whole.dtype.kind in "iuf" and whole.size:
        number = numpy.asarray(whole, dtype=float)
        finite = numpy.isfinite(number)
        if not finite.all():
            position = tuple(int(k) for k in numpy.argwhere(~finite)[0])
            where = "[" + ",".join(str(k + 1) for k in position) + "]"
            value_from_python(f"{name}{where}", float(number[position]))  # raises
        return ArrayValue(name, number, None)
    try:
        entries = numpy.array(value, dtype=object)
    except ValueError:
        raise UsageError(
            f"the value of {name} is a ragged list: every row needs one length"
        ) from None
    if entries.dtype != object or any(isinstance(e, (list, tuple)) for e in entries.flat):
        raise UsageError(f"the value of {name} is a ragged list: every row needs one length")
    if entries.size == 0:
        raise UsageError(f"the value of {name} is an empty list")
    exact = numpy.empty(entries.shape, dtype=object)
    number = numpy.empty(entries.shape, dtype=float)
    for position, entry in numpy.ndenumerate(entries):
        where = "[" + ",".join(str(k + 1) for k in position) + "]"
        one = value_from_python(f"{name}{where}", entry)
        number[position] = one.number
        exact[position] = one.exact
    return ArrayValue(name, number, exact)


def value_from_text(name: str, text: str) -> InputValue:
    """Parse VALUE of ``NAME=VALUE``: a constant expression in the cg language."""
    if _is_list(text):
        raise UsageError(
            f"the value of {name} must be one number, not the list {text.strip()!r}"
            + (" (a list is the value of an indexed name, such as x=[0.5,-1,2])")
        )
    try:
        graph = parse(text, VALUE_LIMITS).bind_constants(())
    except CgSyntaxError as exc:
        exc.origin = f"in the value of {name}"
        raise
    if graph.statements != 1 or graph.assigned:
        raise UsageError(f"the value of {name} must be one expression, not {text.strip()!r}")
    return _constant(name, graph, text)


NOT_FINITE = {"nan", "inf", "infinity"}
"""Names (in any case) a value may be written with that are no finite number."""


def _constant(name: str, graph: Graph, text: str) -> InputValue:
    """The value of a parsed constant expression (``graph``'s output)."""
    if graph.inputs:
        if {n.lower() for n in graph.input_names} <= NOT_FINITE:
            shown = text.strip() if len(text.strip()) <= 20 else graph.input_names[0]
            raise UsageError(f"the value of {name} must be finite, not {shown}")
        raise UsageError(
            f"the value of {name} must be a constant expression, "
            f"but {text.strip()!r} uses the name {graph.input_names[0]!r}"
        )
    try:
        number = forward(graph, {})[graph.output]
    except CgError as exc:
        raise type(exc)(f"in the value of {name}: {exc.message}") from None
    return InputValue(name, number, graph)


def _is_list(text: str) -> bool:
    return text.strip().startswith("[")


def sequence_from_text(name: str, text: str) -> SequenceValue:
    """Parse ``[0.5, -1, 2]``, the value of an indexed input: constant expressions."""
    try:
        graphs = [graph.bind_constants(()) for graph in parse_list(text, VALUE_LIMITS)]
    except CgSyntaxError as exc:
        exc.origin = f"in the value of {name}"
        raise
    if graphs and {n.lower() for n in graphs[0].input_names} <= NOT_FINITE:
        for k, graph in enumerate(graphs, 1):  # the entry that is no finite number
            node = graph.nodes[graph.output]
            if graph.needs[graph.output]:
                _constant(f"{name}[{k}]", graph, text[node.start : node.end])  # raises
    return SequenceValue(name, tuple(_constant(name, graph, text) for graph in graphs))


def given_value(name: str, text: str) -> InputValue | SequenceValue | ArrayValue:
    """The value of ``NAME=VALUE``: a number, a list for an indexed input or a vector, or
    a nested list for a matrix."""
    if _is_list(text):
        _refuse_a_list_for_an_element(name)
        if text.strip()[1:].lstrip().startswith("["):
            return array_from_text(name, text)
        return sequence_from_text(name, text)
    return value_from_text(name, text)


def given_python_value(name: str, value: object) -> InputValue | SequenceValue | ArrayValue:
    """:func:`value_from_python`, a list, tuple or 1-d array for an indexed input or a
    vector, and a nested list or 2-d array for a matrix."""
    if isinstance(value, str) and _is_list(value):
        return given_value(name, value)
    numeric = getattr(value, "dtype", None) is not None and value.dtype.kind in "iuf"
    if getattr(value, "ndim", 0) >= 2 or (numeric and getattr(value, "ndim", 0) == 1):
        _refuse_a_list_for_an_element(name)
        return array_from_python(name, value)  # a NumPy array taken whole
    listed = value.tolist() if hasattr(value, "tolist") else value
    if isinstance(listed, (list, tuple)):
        _refuse_a_list_for_an_element(name)
        if not listed:
            raise UsageError(f"the value of {name} is an empty list")
        if any(isinstance(v, (list, tuple)) for v in listed):
            return array_from_python(name, listed)
        return SequenceValue(name, tuple(value_from_python(name, v) for v in listed))
    return value_from_python(name, value)


def _refuse_a_list_for_an_element(name: str) -> None:
    """A list is the value of an indexed name or an array, not of an element (``x[1]``)."""
    from ..core.indexing import split_element

    if split_element(name) is not None:
        raise UsageError(f"the value of {name} must be one number, not a list")


def value_name(text: object) -> str:
    """The name of a value as cg writes it: ``x``, or an element ``x[1]`` (spaces
    dropped); a usage error for anything else."""
    if isinstance(text, str):
        stripped = text.strip()
        if NAME_PATTERN.fullmatch(stripped):
            return stripped
        from ..core.indexing import element_name, split_element

        element = split_element(stripped)
        if element is not None:
            return element_name(*element)
        if "[" in stripped and NAME_PATTERN.fullmatch(stripped.split("[", 1)[0]):
            raise UsageError(
                f"{stripped}: an index in a value's name is a whole number, as in x[1]"
            )
    raise UsageError(f"{text!r} is not a name (x, or an element such as x[1])")


def value_from_python(name: str, value: object) -> InputValue:
    """A value given from Python: int, float, Fraction or a constant-expression string."""
    from fractions import Fraction

    if isinstance(value, str):
        return value_from_text(name, value)
    if isinstance(value, (bytes, bytearray, memoryview)):  # float() would read b"1"
        raise _bad_value(ArgumentTypeError, name, f"must be a number, not {value!r:.60}")
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


def parse_assignments(arguments: Iterable[str]) -> dict[str, InputValue | SequenceValue]:
    """``NAME=VALUE`` command-line arguments (``x[1]=0.5`` and ``x=[0.5,-1,2]`` too); the
    same name twice is an error."""
    values: dict[str, InputValue | SequenceValue] = {}
    for argument in arguments:
        name, sep, text = argument.partition("=")
        if not sep:
            raise UsageError(f"expected NAME=VALUE, got {argument!r}")
        if "[" in name:
            name = value_name(name)  # says what an element's name looks like
        elif not NAME_PATTERN.fullmatch(name.strip()):
            raise UsageError(f"expected NAME=VALUE, got {argument!r}")
        name = name.strip()
        if name in values:
            raise UsageError(f"{name} is given twice")
        values[name] = given_value(name, text)
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


def expand_sequences(
    graph: Graph, values: Mapping[str, InputValue | SequenceValue]
) -> tuple[dict[str, InputValue], list[str]]:
    """The values with each list (``x=[0.5,-1,2]``) placed on the program's elements:
    its first element at the smallest index the program uses for ``x``, the next at the
    index after, and so on. A list must have one element per index from the smallest to
    the largest the program uses; a name given twice is an error. Also the warnings."""
    plain = {name: v for name, v in values.items() if isinstance(v, InputValue)}
    lists = {name: v for name, v in values.items() if not isinstance(v, InputValue)}
    if not lists:
        return dict(plain), []
    from ..core.indexing import element_name, split_element

    used: dict[str, list[tuple[int, ...]]] = {}
    plain_inputs = set()
    for name in graph.input_names:
        element = split_element(name)
        if element is None:
            plain_inputs.add(name)
        else:
            used.setdefault(element[0], []).append(element[1])
    expanded = dict(plain)
    warnings = []
    for name, sequence in lists.items():
        indexes = used.get(name)
        if name in plain_inputs or (indexes is None and isinstance(sequence, ArrayValue)):
            expanded[name] = as_array(sequence)  # an array, used whole by the program
            continue
        if indexes is None:
            warnings.append(unused_value(graph, name))
            continue
        if isinstance(sequence, ArrayValue) and sequence.number.ndim == 1:
            sequence = as_sequence(sequence)  # a vector for x[t]: placed as any list is
        if isinstance(sequence, ArrayValue):
            expanded.update(_entries(graph, name, sequence, indexes, expanded))
            continue
        if any(len(i) != 1 for i in indexes):
            arity = len(indexes[0])
            raise UsageError(
                f"{name} has {arity} indexes in the program, so a list cannot say which "
                f"element is which: give them one by one, as {name}[1,1]=..."
            )
        first, last = min(indexes)[0], max(indexes)[0]
        count = len(sequence.elements)
        if count != last - first + 1:
            raise UsageError(
                f"{name}=[...] has {count} value{'s' if count != 1 else ''}, but the program "
                f"uses {element_name(name, (first,))} to {element_name(name, (last,))} "
                f"({last - first + 1} values): give one value per index from the first to "
                f"the last, or give the elements one by one, as {element_name(name, (first,))}=..."
            )
        reads = set(indexes)
        for offset, element in enumerate(sequence.elements):
            if (first + offset,) not in reads:  # a gap the program does not read
                continue
            element_key = element_name(name, (first + offset,))
            if element_key in expanded:
                raise UsageError(
                    f"{element_key} is given twice: in {name}=[...] and as {element_key}=..."
                )
            expanded[element_key] = element._replace(name=element_key)
    return expanded, warnings


def exact_entries(value: ArrayValue) -> Any:
    """The exact entries of an array value: as given, or each float read as its shortest
    decimal (0.1 is 1/10), as a number given from Python is."""
    if value.exact is not None:
        return value.exact
    from fractions import Fraction

    import numpy

    exact = numpy.empty(value.number.shape, dtype=object)
    for position, number in numpy.ndenumerate(value.number):
        exact[position] = Fraction(repr(float(number)))
    return exact


def as_sequence(value: ArrayValue) -> SequenceValue:
    """A vector given as an array, for an indexed name (``x[t]``): its entries as a list."""
    exact = exact_entries(value)
    elements = tuple(
        InputValue(value.name, float(number), exact[k]) for k, number in enumerate(value.number)
    )
    return SequenceValue(value.name, elements)


def as_array(value: SequenceValue | ArrayValue) -> ArrayValue:
    """A list of numbers for a name the program uses whole: a vector."""
    if isinstance(value, ArrayValue):
        return value
    import numpy

    exact = numpy.empty(len(value.elements), dtype=object)
    for k, element in enumerate(value.elements):
        exact[k] = element.exact
    number = numpy.array([e.number for e in value.elements], dtype=float)
    return ArrayValue(value.name, number, exact)


def _entries(
    graph: Graph,
    name: str,
    value: ArrayValue,
    indexes: list[tuple[int, ...]],
    given: Mapping[str, Any],
) -> dict[str, InputValue | ArrayValue]:
    """A matrix given for an indexed name the program reads by entry (``W[1,2]``) or by
    row (``W[2]``, a vector of its own): each at its place, counted from 1 as in a
    points file's columns ``W[1,1]``; one outside the matrix is a shape error with a
    caret under it. (The program gives every read of a name as many indexes.)"""
    from ..core.indexing import element_name

    shape = value.number.shape
    exact = exact_entries(value)
    placed: dict[str, InputValue | ArrayValue] = {}
    for index in indexes:
        key = element_name(name, index)
        read = next(n for n in graph.inputs if n.name == key)
        inside = all(1 <= i <= n for i, n in zip(index, shape[: len(index)], strict=True))
        if len(index) > len(shape) or not inside:
            shown = "×".join(map(str, shape))
            raise ShapeError(
                f"{key} is not an entry of the {shown} value of {name}", graph.source, read.start
            )
        if key in given:
            raise UsageError(f"{key} is given twice: in {name}=[...] and as {key}=...")
        position = tuple(i - 1 for i in index)
        if len(index) < len(shape):  # a row
            placed[key] = ArrayValue(key, value.number[position].copy(), exact[position].copy())
        else:
            placed[key] = InputValue(key, float(value.number[position]), exact[position])
    return placed


def bind_inputs(
    graph: Graph, values: Mapping[str, InputValue | SequenceValue], arrays: bool = False
) -> tuple[Graph, dict[str, float], list[str]]:
    """Match values to the graph's inputs: the bound graph, floats per input (NumPy arrays
    too with ``arrays``), warnings.

    All missing values are reported in one error; unused values are warnings.
    """
    values, warnings = expand_sequences(graph, values)
    if not arrays and any(isinstance(v, ArrayValue) for v in values.values()):
        from ..core.ops import SCALARS_ONLY

        raise UsageError(SCALARS_ONLY)
    graph = graph.bind_constants(values)
    needed = graph.input_names
    missing = [name for name in needed if name not in values]
    if missing:
        raise UsageError(_scalar_for_sequence(missing, values) or missing_values(missing))
    used = set(needed)
    warnings += [unused_value(graph, name) for name in values if name not in used]
    warnings += [_underflow(values[name]) for name in needed if _underflows(values[name])]
    return graph, {name: values[name].number for name in needed}, warnings


def _underflows(value: InputValue | ArrayValue) -> bool:
    """A number written as not 0 that is 0 as a float64 (``1e-400``): a literal, or a
    rational from Python (an expression such as ``exp(-1000)`` is not looked into)."""
    if isinstance(value, ArrayValue) or value.number != 0.0:
        return False
    exact = value.exact
    if isinstance(exact, Graph):
        written = _written(exact)
        return written is not None and any(d in "123456789" for d in written.split("e")[0])
    return getattr(exact, "numerator", 0) != 0  # a Fraction (fractions is not imported)


def _written(graph: Graph) -> str | None:
    """The text of a number literal, signed or not (``-3e-330``); None for an expression."""
    ops = {graph.table.op(i) for i in range(len(graph.nodes))}
    if not ops <= {NUMBER, "neg"}:
        return None
    return graph.text(graph.nodes[graph.output]).strip().lower()  # an element's, in a list


def _underflow(value: InputValue) -> str:
    exact = value.exact
    if isinstance(exact, Graph):
        shown = _written(exact)
    else:
        from decimal import Decimal, localcontext

        with localcontext() as context:
            context.prec = 6
            shown = format(Decimal(exact.numerator) / Decimal(exact.denominator), "g")
    return f"{value.name} = {shown} is below the smallest float64 (5e-324): cg computes with 0"


def exact_values(
    graph: Graph, values: Mapping[str, InputValue | SequenceValue]
) -> dict[str, Fraction | Graph]:
    """The exact value of each of ``graph``'s inputs (lists placed on their elements)."""
    placed, _ = expand_sequences(graph, values)
    return {
        name: exact_entries(placed[name])
        if isinstance(placed[name], ArrayValue)
        else placed[name].exact
        for name in graph.input_names
    }


def unused_value(graph: Graph, name: str) -> str:
    """The warning for a value no input of the program takes; a name the program
    computes (``h`` of ``h[t] = ...``, or ``L``) is said to be computed."""
    why = _why_unused(graph, name)
    hint = name_hint(name) if why == NOT_USED else ""
    return f"{name} {why}; its value is ignored{hint}"


def unused_column(graph: Graph, name: str) -> str:
    """The warning for a column of the points that no input of the program takes (and
    that --keep does not carry through); a name the program computes is said to be."""
    from ..core.untrusted import visible

    shown = visible(name)
    return f"column {shown} {_why_unused(graph, name)} (--keep {shown} carries it through)"


NOT_USED = "is not used by the program"


def _why_unused(graph: Graph, name: str) -> str:
    """Why no input takes ``name``: the program computes it, or does not use it at all."""
    from ..core.indexing import base_of

    if name in graph.assigned:
        return "is computed by the program, not an input"
    if any(base_of(n) == name for n in graph.assigned):
        return f"is a sequence the program computes ({name}[...] = ...), not an input"
    return NOT_USED


def _scalar_for_sequence(missing: list[str], values: Mapping[str, object]) -> str | None:
    """The error for one number given to a name the program reads as a sequence (``x=2``
    where it reads ``x[1]``, ``x[2]``), or None."""
    from ..core.indexing import base_of

    for base in dict.fromkeys(base_of(name) for name in missing):
        if base in values:
            elements = [name for name in missing if base_of(name) == base]
            listed = (
                ", ".join(elements) if len(elements) <= 3 else f"{elements[0]} … {elements[-1]}"
            )
            return (
                f"{base} is a sequence in this program (it reads {listed}), so one number is "
                f"not its value: give one per element, as {base}=[...] or {elements[0]}=..."
            )
    return None


def missing_values(missing: list[str]) -> str:
    """The error for inputs without a value: each named, a long run of one indexed
    name's elements shortened to its first and last."""
    from ..core.indexing import base_of

    shown: list[str] = []
    runs: dict[str, list[str]] = {}
    for name in missing:
        base = base_of(name)
        if base != name:
            if base not in runs:
                runs[base] = []
                shown.append(base)
            runs[base].append(name)
        else:
            shown.append(name)
    listed, example = [], []
    for name in shown:
        elements = runs.get(name)
        if elements is None:
            listed.append(name)
            example.append(f"{name}=...")
        elif len(elements) <= 3:
            listed += elements
            example += [f"{e}=..." for e in elements]
        else:
            listed.append(f"{elements[0]} … {elements[-1]} ({len(elements)} elements of {name})")
            example.append(f"{name}=[...] or {elements[0]}=...")
    plural = "s" if len(missing) > 1 else ""
    hints = "".join(name_hint(name) for name in missing if base_of(name) == name)
    return f"missing value{plural} for {', '.join(listed)} (give {' '.join(example)}){hints}"
