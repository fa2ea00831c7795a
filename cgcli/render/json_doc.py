"""The JSON document of one evaluation, written as it is produced.

One node per line, so that memory stays flat for a graph of any size and the
text stays readable for a small one.
"""

from __future__ import annotations

import json
from typing import TextIO

from ..evaluation import Evaluation

_CHUNK = 2000


_dump = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
"""One encoder for the whole document: json.dumps with options builds one per call."""


def write_json(result: Evaluation, out: TextIO, wrt: list[str] | None = None) -> None:
    """Write ``result.as_dict(wrt)`` to ``out`` without building it whole."""
    out.write("{\n")
    for key, value in result.json_head(wrt).items():
        out.write(f"  {_dump(key)}: {_dump(value)},\n")
    out.write('  "nodes": [')
    lines: list[str] = []
    separator = "\n    "
    for record in result.node_records():
        lines.append(separator + _dump(record))
        separator = ",\n    "
        if len(lines) == _CHUNK:
            out.write("".join(lines))
            lines.clear()
    out.write("".join(lines) + "\n  ]")
    for key, value in result.json_tail(wrt).items():
        out.write(f",\n  {_dump(key)}: {_dump(value)}")
    out.write("\n}\n")
