"""What is wrong with a row pyarrow refused: Python reads the one line again to say so.

Diagnosis only: the data itself is always parsed by pyarrow. These functions
take one line of text and return the message for it (None when Python sees
nothing wrong), naming the column where there is one.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence


def csv_row_problem(line: str, header: Sequence[str], used: Sequence[str], delimiter: str):
    """Why a CSV or TSV line is not a row of finite numbers in the used columns, or None."""
    if line.count('"') % 2:
        return ": a quoted field is not closed on its line (a field may not span lines)"
    try:
        fields = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration) as exc:
        return f": {exc}"
    if len(fields) != len(header):
        many = "too many" if len(fields) > len(header) else "too few"
        return (
            f": {many} fields ({len(fields)}, but the header has "
            f"{len(header)}: {', '.join(header)})"
        )
    for name in used:
        problem = number_problem(fields[header.index(name)])
        if problem:
            return f", column {name}: {problem}"
    return None


def number_problem(text: str) -> str | None:
    """Why a field is not a finite number, or None."""
    try:
        if not text.isascii() or "_" in text:  # float() reads ١ and 1_000; cg does not
            raise ValueError
        value = float(text)
    except ValueError:
        if not text.strip():
            return "the field is empty"
        return f"{text.strip()!r} is not a number"
    if not math.isfinite(value):
        return f"{text.strip()!r} is not a finite number"
    return None


def json_row_problem(line: str, used: Sequence[str], unused: dict[str, int], row: int):
    """Why a JSON Lines line is not an object of finite numbers at the used keys, or None.

    Keys not in ``used`` are noted in ``unused`` with the first row they appear in.
    """
    try:
        point = json.loads(line, object_pairs_hook=_refuse_repeated_keys)
    except RepeatedKey as exc:
        return f": the key {exc.key} is given twice"
    except json.JSONDecodeError as exc:
        return f": not valid JSON ({exc.msg} at column {exc.colno})"
    except ValueError:  # an integer of thousands of digits
        return ": a number with too many digits"
    if not isinstance(point, dict):
        return ': expected a JSON object such as {"x": 1}'
    for key in point:
        if key not in used and key not in unused:
            unused[key] = row
    for name in used:
        if name not in point:
            return f", column {name}: missing"
        value = point[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f", column {name}: {json.dumps(value)} is not a number"
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            return f", column {name}: {_short(value)} is not a finite number"
    return None


class RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_repeated_keys(pairs: list[tuple[str, object]]) -> dict:
    point = dict(pairs)
    if len(point) != len(pairs):
        seen: set[str] = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise RepeatedKey(repeated)
    return point


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else f"{text[:20]}…{text[-10:]} ({len(text)} digits)"
