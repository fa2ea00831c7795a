"""The JSON document of one evaluation, written as it is produced.

One node per line, so that memory stays flat for a graph of any size and the
text stays readable for a small one. The node lines are formatted straight from
the graph's columns and the values, a chunk at a time, in exactly the form
``json.dumps`` gives each record (``", "`` and ``": "`` separators, ``repr`` of a
finite float, non-finite numbers as the strings of :func:`~cgcli.core.numbers.json_number`).

The fields around the nodes are written by :func:`json_text`, in json.dumps's form too,
so that a plain run does not import :mod:`json` (a millisecond of its start-up, with the
decoder it never uses); a large field still goes to json.dumps.
"""

from __future__ import annotations

from itertools import pairwise

from ..core.ir import TEXT_LIMIT
from ..core.numbers import json_number

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

    from ..api.evaluation import Evaluation

try:  # the C function json.encoder itself uses, without json's import
    from _json import encode_basestring
except ImportError:  # an interpreter without the accelerator
    from json.encoder import encode_basestring

_CHUNK = 2000


class _Literal(str):
    """JSON text that :func:`json_text` writes as it is (a bracket, a separator)."""


_OPEN_ARRAY, _CLOSE_ARRAY = _Literal("["), _Literal("]")
_OPEN_OBJECT, _CLOSE_OBJECT = _Literal("{"), _Literal("}")
_COMMA, _COLON = _Literal(", "), _Literal(": ")


_SMALL = 2000
"""Pieces of text :func:`json_text` writes itself: a larger value goes to json.dumps,
whose encoder in C is the faster once its import is paid."""


def json_text(value) -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, allow_nan=False)`` writes it.

    A small value of objects with text keys, arrays (lists, tuples), text, numbers,
    booleans and null is written here, without importing :mod:`json`; a larger one, or one
    of another kind (an object with a number for a key), by json.dumps itself."""
    parts: list[str] = []
    todo = [value]
    while todo:
        item = todo.pop()
        if type(item) is _Literal:
            parts.append(item)
        elif isinstance(item, str):
            parts.append(encode_basestring(item))
        elif item is None or isinstance(item, (bool, int, float)):
            parts.append(_scalar(item))
        elif len(parts) + len(todo) > _SMALL:
            return _json_dumps(value)
        elif isinstance(item, (list, tuple)):
            todo.append(_CLOSE_ARRAY)
            for i in range(len(item) - 1, -1, -1):
                todo.append(item[i])
                if i:
                    todo.append(_COMMA)
            parts.append(_OPEN_ARRAY)
        elif isinstance(item, dict) and all(isinstance(key, str) for key in item):
            todo.append(_CLOSE_OBJECT)
            for i, (key, field) in enumerate(reversed(item.items())):
                todo.extend((field, _COLON, key))
                if i < len(item) - 1:
                    todo.append(_COMMA)
            parts.append(_OPEN_OBJECT)
        else:
            return _json_dumps(value)
    return "".join(parts)


def _json_dumps(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _scalar(x: bool | int | float | None) -> str:
    """null, a boolean or a number as JSON text (a float by its ``repr``, as json does)."""
    if x is None:
        return "null"
    if x is True or x is False:
        return "true" if x else "false"
    if isinstance(x, int):
        return int.__repr__(x)
    if x - x != 0.0:  # inf or nan: json.dumps with allow_nan=False refuses it too
        raise ValueError(f"Out of range float values are not JSON compliant: {x!r}")
    return float.__repr__(x)


def write_json(result: Evaluation, out: TextIO, wrt: list[str] | None = None) -> None:
    """Write ``result.as_dict(wrt)`` to ``out`` without building it whole."""
    out.write("{\n")
    for key, value in result.json_head(wrt).items():
        out.write(f"  {json_text(key)}: {json_text(value)},\n")
    out.write('  "nodes": [')
    separator = "\n    "
    for start in range(0, len(result.nodes), _CHUNK):
        out.write(separator + ",\n    ".join(_node_lines(result, start, start + _CHUNK)))
        separator = ",\n    "
    out.write("\n  ]")
    for key, value in result.json_tail(wrt).items():
        out.write(f",\n  {json_text(key)}: {json_text(value)}")
    out.write("\n}\n")


def _node_lines(result: Evaluation, start: int, stop: int) -> list[str]:
    """The JSON text of ``result.node_records()`` from ``start`` to ``stop``, one per node:
    each field formatted for the whole chunk, column by column, then joined per node."""
    graph = result.graph
    table = graph.table
    stop = min(stop, len(table))
    source = graph.source
    span_text = graph.span_text
    ops = [encode_basestring(op) for op in table.op_names]
    flat = table.input_flat
    bounds = table.input_offsets[start : stop + 1]
    starts = table.starts[start:stop]
    ends = table.ends[start:stop]
    names = [
        '"name": null, "version": null'
        if name is None
        else f'"name": {encode_basestring(name)}, "version": {version or "null"}'
        for name, version in zip(table.names[start:stop], table.versions[start:stop], strict=True)
    ]
    inputs = [
        f'"n{flat[low] + 1}", "n{flat[low + 1] + 1}"'
        if high - low == 2
        else f'"n{flat[low] + 1}"'
        if high - low == 1
        else ""
        if high == low
        else ", ".join(f'"n{i + 1}"' for i in flat[low:high])
        for low, high in pairwise(bounds)
    ]
    texts = [
        encode_basestring(source[a:b] if b - a <= TEXT_LIMIT else span_text(a, b))
        for a, b in zip(starts, ends, strict=True)
    ]
    values = [
        repr(v) if type(v) is float and v - v == 0.0 else _number(v)
        for v in result.nodes.values[start:stop]
    ]
    grads = [
        "null" if g is None else repr(g) if type(g) is float and g - g == 0.0 else _number(g)
        for g in result.nodes.grads[start:stop]
    ]
    columns = zip(
        range(start + 1, stop + 1),
        names,
        map(encode_basestring, graph.labels(start, stop)),
        map(ops.__getitem__, table.op_codes[start:stop]),
        inputs,
        texts,
        starts,
        ends,
        values,
        grads,
        strict=True,
    )
    lines = [
        f'{{"id": "n{i}", {name}, "label": {label}, "op": {op}, "inputs": [{args}], '
        f'"text": {text}, "span": [{a}, {b}], "value": {value}, "grad": {grad}}}'
        for i, name, label, op, args, text, a, b, value, grad in columns
    ]
    if result.shapes is not None:  # a program over arrays: each node's shape too
        shapes = result.shapes[start:stop]
        lines = [
            f"{line[:-1]}, {json_text({'shape': list(s)})[1:]}"
            for line, s in zip(lines, shapes, strict=True)
        ]
    return lines


def _number(x: float | None) -> str:
    """A value or gradient as JSON text, as ``json_text(json_number(x))`` writes it; the
    callers write a finite float's ``repr`` (its JSON form) themselves, in bulk."""
    return json_text(json_number(x))
