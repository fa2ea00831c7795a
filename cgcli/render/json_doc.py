"""The JSON document of one evaluation, written as it is produced.

One node per line, so that memory stays flat for a graph of any size and the
text stays readable for a small one. The node lines are formatted straight from
the graph's columns and the values, a chunk at a time, in exactly the form
``json.dumps`` gives each record (``", "`` and ``": "`` separators, ``repr`` of a
finite float, non-finite numbers as the strings of :func:`~cgcli.numbers.json_number`).
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import TextIO

from ..evaluation import Evaluation
from ..ir import TEXT_LIMIT
from ..numbers import json_number

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
    """The JSON text of ``result.node_records()`` from ``start`` to ``stop``, one per node."""
    graph = result.graph
    table = graph.table
    stop = min(stop, len(table))
    ops = [encode_basestring(op) for op in table.op_names]
    codes = table.op_codes
    offsets = table.input_offsets
    flat = table.input_flat
    starts = table.starts
    ends = table.ends
    names = table.names
    versions = table.versions
    source = graph.source
    span_text = graph.span_text
    labels = graph.labels(start, stop)
    values = [
        repr(v) if type(v) is float and v - v == 0.0 else _number(v)
        for v in result.nodes.values[start:stop]
    ]
    grads = [
        "null" if g is None else repr(g) if type(g) is float and g - g == 0.0 else _number(g)
        for g in result.nodes.grads[start:stop]
    ]
    lines = []
    for index, label, value, grad in zip(range(start, stop), labels, values, grads, strict=True):
        name = names[index]
        version = versions[index]
        low, high = offsets[index], offsets[index + 1]
        if high - low == 2:
            inputs = f'"n{flat[low] + 1}", "n{flat[low + 1] + 1}"'
        elif high - low == 1:
            inputs = f'"n{flat[low] + 1}"'
        elif high == low:
            inputs = ""
        else:
            inputs = ", ".join(f'"n{i + 1}"' for i in flat[low:high])
        first, last = starts[index], ends[index]
        text = source[first:last] if last - first <= TEXT_LIMIT else span_text(first, last)
        lines.append(
            f'{{"id": "n{index + 1}", '
            f'"name": {"null" if name is None else encode_basestring(name)}, '
            f'"version": {version or "null"}, '
            f'"label": {encode_basestring(label)}, '
            f'"op": {ops[codes[index]]}, '
            f'"inputs": [{inputs}], '
            f'"text": {encode_basestring(text)}, '
            f'"span": [{first}, {last}], '
            f'"value": {value}, "grad": {grad}}}'
        )
    return lines


def _number(x: float | None) -> str:
    """A value or gradient as JSON text, as ``_dump(json_number(x))`` writes it; the
    callers write a finite float's ``repr`` (its JSON form) themselves, in bulk."""
    return _dump(json_number(x))
