"""What training is given, checked once for the library and the command line alike: the
parameters, the settings of gradient descent, and the data (a mapping of columns, or a
file of points read whole)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import arguments
from ..core.errors import ArgumentTypeError, ArgumentValueError, UsageError
from ..core.ir import Graph


@dataclass(frozen=True)
class Settings:
    lr: float
    epochs: int
    batch: int | None
    """Rows per update; None for the full batch."""
    tol: float | None = None
    target_loss: float | None = None
    seed: int = 0
    shuffle: bool = True


def parse_params(params: object) -> dict[str, Any]:
    """The parameters and their starting values (None: a small random one): a mapping, a
    list of names, or the command line's text ``w=0,b`` (a value is a constant expression,
    or a vector or matrix, ``W=[[0.5,-1],[2,0.1]]``, a NumPy array)."""
    from ..passes.values import (
        NAME_PATTERN,
        array_from_python,
        array_from_text,
        value_from_python,
        value_from_text,
    )

    def from_text(name: str, value: str) -> Any:
        if value.strip().startswith("["):
            return array_from_text(name, value).number
        return value_from_text(name, value).number

    def from_python(name: str, value: object) -> Any:
        if isinstance(value, (list, tuple)) or getattr(value, "ndim", 0):
            return array_from_python(name, value).number
        return value_from_python(name, value).number

    if isinstance(params, str):
        found: dict[str, Any] = {}
        for item in (part.strip() for part in _top_level_parts(params)):
            if not item:
                continue
            name, sep, value = item.partition("=")
            name = name.strip()
            if not NAME_PATTERN.fullmatch(name):
                detail = f"{item}: expected NAME or NAME=VALUE"
                raise ArgumentValueError("--params", detail, f"--params {detail}")
            if name in found:
                raise ArgumentValueError("--params", f"{name} is given twice")
            found[name] = from_text(name, value) if sep else None
    elif isinstance(params, Mapping):
        found = {}
        for name, value in params.items():
            if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
                raise ArgumentValueError("--params", f"{name!r:.60} is not a name")
            found[name] = None if value is None else from_python(name, value)
    elif isinstance(params, Sequence) and all(isinstance(name, str) for name in params):
        found = {}
        for name in params:
            if not NAME_PATTERN.fullmatch(name):
                raise ArgumentValueError("--params", f"{name!r:.60} is not a name")
            if name in found:
                raise ArgumentValueError("--params", f"{name} is given twice")
            found[name] = None
    else:
        raise ArgumentTypeError(
            "params",
            "expected the parameters: a mapping of names to starting values, a list of "
            f"names, or the text 'w=0,b=0'; not {params!r:.60}",
        )
    if not found:
        raise ArgumentValueError("--params", "name at least one parameter, such as w=0,b=0")
    return found


def _top_level_parts(text: str) -> list[str]:
    """``text`` split at the commas outside parentheses and brackets (``w=max(1,2),b``,
    ``W=[[1,2],[3,4]],b``)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def parse_batch(batch: object) -> int | None:
    """Rows per update: a positive whole number, or None (or "all") for the full batch."""
    if batch is None or batch == "all":
        return None
    if isinstance(batch, str):
        if batch.isascii() and batch.isdigit() and int(batch) > 0:
            return int(batch)
        detail = f"{batch}: expected a positive whole number or 'all'"
        raise ArgumentValueError("--batch", detail, f"--batch {detail}")
    return arguments.whole_number(batch, "--batch", minimum=1)


def settings(
    *,
    lr: object,
    epochs: object,
    batch: object,
    tol: object,
    target_loss: object,
    seed: object,
    shuffle: object,
) -> Settings:
    """The settings of gradient descent, each checked."""
    return Settings(
        lr=arguments.number(lr, "--lr", minimum=0, above=True),
        epochs=arguments.whole_number(epochs, "--epochs", minimum=1),
        batch=parse_batch(batch),
        tol=arguments.optional(arguments.number, tol, "--tol", minimum=0),
        target_loss=arguments.optional(arguments.number, target_loss, "--target-loss"),
        seed=arguments.whole_number(seed, "--seed", minimum=0, maximum=2**63 - 1),
        shuffle=arguments.flag(shuffle, "shuffle"),
    )


def loss_name(loss: object) -> str:
    """mse, bce, or a loss written in cg's language."""
    return arguments.text(loss, "--loss")


def check_target(target: str, columns: Sequence[str], params: Mapping[str, object]) -> None:
    """The target is a column of the data and not a parameter."""
    if target not in columns:
        raise UsageError(f"--target {target}: no such column (columns: {', '.join(columns)})")
    if target in params:
        raise UsageError(f"--target {target} is also a parameter")


def column_names(data: object) -> list[str]:
    """The columns of data given in memory: a mapping or a DataFrame."""
    if isinstance(data, (str, bytes)) or not hasattr(data, "__getitem__"):
        raise ArgumentTypeError(
            "data",
            "expected the data: a mapping of column names to numbers (a dict of lists or "
            f"arrays, a DataFrame) or the path of a file; not {data!r:.60}",
        )
    try:
        return [str(name) for name in data]  # type: ignore[attr-defined]
    except TypeError:
        raise ArgumentTypeError("data", f"expected columns of numbers, not {data!r:.60}") from None


def read_data_file(
    path: str, data_format: str | None, graph: Graph, params: Mapping[str, Any], target: str
) -> dict[str, np.ndarray]:
    """All rows of a file of points, as one float array per column training needs."""
    from ..core.files import shown_path
    from ..data.points_io import open_points, point_format_for, read_points

    what = "the training data"
    with open_points(path, what) as stream:
        reader = read_points(stream, point_format_for(path, data_format), 1_000_000, what)
        if reader.empty:
            raise UsageError(f"{shown_path(path)} is empty (expected {what})")
        columns = reader.names or [
            n for n in graph.bind_constants(params).input_names if n not in params
        ] + [target]
        check_target(target, columns, params)
        used = [n for n in graph.bind_constants([*params, *columns]).input_names if n not in params]
        names = [n for n in dict.fromkeys([*used, target, *params]) if n in columns]
        if target in used:
            raise UsageError(f"the model may not use the target column {target} as an input")
        parts: dict[str, list] = {n: [] for n in names}
        for chunk in reader.chunks(names):
            for name in names:
                parts[name].append(chunk.columns[name])
            if chunk.error:
                raise chunk.error
    data = {n: np.concatenate(p) if p else np.empty(0) for n, p in parts.items()}
    if len(data[target]) == 0:
        raise UsageError(f"{shown_path(path)} has no rows of {what}")
    return data
