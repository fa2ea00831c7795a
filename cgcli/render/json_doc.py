"""The JSON document of one evaluation, written as it is produced.

One node per line, so that memory stays flat for a graph of any size and the
text stays readable for a small one. The node lines are formatted straight from
the graph's columns and the values, a chunk at a time, in exactly the form
``json.dumps`` gives each record (``", "`` and ``": "`` separators, ``repr`` of a
finite float, non-finite numbers as the strings of :func:`~cgcli.core.numbers.json_number`).
"""

from __future__ import annotations

import json
from itertools import pairwise
from json.encoder import encode_basestring

from ..core.ir import TEXT_LIMIT
from ..core.numbers import json_number

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

    from ..api.evaluation import Evaluation

_CHUNK = 2000


_dump = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
"""One encoder for the whole document: json.dumps with options builds one per call."""


def write_json(result: Evaluation, out: TextIO, wrt: list[str] | None = None) -> None:
    """Write ``result.as_dict(wrt)`` to ``out`` without building it whole."""
    out.write("{\n")
    for key, value in result.json_head(wrt).items():
        out.write(f"  {_dump(key)}: {_dump(value)},\n")
    out.write('  "nodes": [')
    separator = "\n    "
    for start in range(0, len(result.nodes), _CHUNK):
        out.write(separator + ",\n    ".join(_node_lines(result, start, start + _CHUNK)))
        separator = ",\n    "
    out.write("\n  ]")
    for key, value in result.json_tail(wrt).items():
        out.write(f",\n  {_dump(key)}: {_dump(value)}")
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
            f"{line[:-1]}, {_dump({'shape': list(s)})[1:]}"
            for line, s in zip(lines, shapes, strict=True)
        ]
    return lines


def _number(x: float | None) -> str:
    """A value or gradient as JSON text, as ``_dump(json_number(x))`` writes it; the
    callers write a finite float's ``repr`` (its JSON form) themselves, in bulk."""
    return _dump(json_number(x))
