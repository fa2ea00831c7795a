"""A program compiled for array code: its value and gradient at many points at once.

``compile(program)`` returns a function of arrays (numpy arrays, lists, pandas or
Polars Series: anything ``numpy.asarray`` reads) built on the vectorised engine
(:mod:`cgcli.passes.vector`): one forward and one backward pass over whole columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.errors import CgMathError, UsageError
from ..core.ir import Graph
from ..core.parser import parse_program
from .vector import evaluate_arrays


@dataclass(frozen=True, repr=False)
class ArrayResult:
    """The output and the gradient at every row (position) of the arrays given."""

    output: str
    """The output's label (its name, or f for an unnamed last expression)."""
    value: np.ndarray
    """The output at every row: nan where the row had a math error."""
    grad: dict[str, np.ndarray]
    """∂output/∂input at every row, per input: nan where the row had a math error."""
    error_rows: np.ndarray
    """Positions (from 0) of the rows with a math error, in order."""
    graph: Graph
    inputs: dict[str, np.ndarray]
    """Every input at every row, as evaluated (scalars broadcast)."""
    error_node: np.ndarray
    """Per row, the index of the first node with a math error, or -1."""

    @property
    def rows(self) -> int:
        return len(self.value)

    @property
    def ok(self) -> bool:
        """True when no row had a math error."""
        return len(self.error_rows) == 0

    def columns(self) -> dict[str, np.ndarray]:
        """The output and gradients as columns named as cg's CSV names them: f, df/dx, ..."""
        grads = {f"d{self.output}/d{name}": g for name, g in self.grad.items()}
        return {self.output: self.value, **grads}

    def why(self, row: int) -> str:
        """Why ``row`` (a position from 0) has no value: the math error, as cg eval names it."""
        if self.error_node[row] < 0:
            raise ValueError(f"row {row} has no math error")
        point = {name: float(column[row]) for name, column in self.inputs.items()}
        return math_error_reason(self.graph, point, int(self.error_node[row]))

    def __repr__(self) -> str:
        names = ", ".join(f"∂{self.output}/∂{n}" for n in self.grad)
        shown = f"{self.output}" + (f", {names}" if names else "")
        errors = len(self.error_rows)
        if errors:
            first = ", ".join(str(r) for r in self.error_rows[:3]) + (", …" if errors > 3 else "")
            plural = "row" if errors == 1 else "rows"
            problems = f"; math errors in {errors} {plural} ({first})"
        else:
            problems = ""
        rows = f"{self.rows:,} row" + ("" if self.rows == 1 else "s")
        return f"<ArrayResult {shown} at {rows}{problems}>"


class CompiledProgram:
    """A program ready to evaluate on arrays; call it with one array (or number) per input.

    ``f(x=[1, 2], y=3)`` or ``f(frame)`` (a mapping or data frame with a column per
    input; other columns are ignored), or both. Numbers broadcast against arrays;
    arrays must have one dimension and equal lengths. Returns an :class:`ArrayResult`.
    """

    def __init__(self, graph: Graph, wrt: list[str]) -> None:
        self.graph = graph
        self.inputs: tuple[str, ...] = graph.input_names
        self.output: str = graph.label(graph.nodes[graph.output])
        self.wrt = wrt
        self._index = {node.name: node.index for node in graph.inputs}

    def __call__(self, values: Any = None, /, **arrays: Any) -> ArrayResult:
        columns = self._columns(values, arrays)
        rows = _row_count(columns)
        batch = evaluate_arrays(self.graph, columns, rows)
        bad = batch.error_node >= 0
        value = np.array(np.broadcast_to(batch.values[self.graph.output], (rows,)))
        if bad.any():
            value[bad] = np.nan  # an output that is the erroneous node is already nan
        grads = {name: np.array(batch.grads[self._index[name]]) for name in self.wrt}
        inputs = {name: np.broadcast_to(col, (rows,)) for name, col in columns.items()}
        return ArrayResult(
            self.output, value, grads, np.flatnonzero(bad), self.graph, inputs, batch.error_node
        )

    def _columns(self, values: Any, arrays: Mapping[str, Any]) -> dict[str, np.ndarray]:
        unknown = [name for name in arrays if name not in self.inputs]
        if unknown:
            raise UsageError(
                f"{', '.join(unknown)}: not an input of the program "
                f"(inputs: {', '.join(self.inputs) or 'none'})"
            )
        columns = {}
        missing = []
        for name in self.inputs:
            given_twice = values is not None and name in values and name in arrays
            if given_twice:
                raise UsageError(f"{name} is given twice: as a column and as a keyword")
            if name in arrays:
                columns[name] = _as_column(name, arrays[name])
            elif values is not None and name in values:
                columns[name] = _as_column(name, values[name])
            else:
                missing.append(name)
        if missing:
            raise UsageError(
                f"no values for {', '.join(missing)} (inputs: {', '.join(self.inputs)})"
            )
        return columns

    def __repr__(self) -> str:
        grads = ", ".join(f"∂{self.output}/∂{n}" for n in self.wrt)
        shown = self.output + (f", {grads}" if grads else "")
        return f"<CompiledProgram {self.output}({', '.join(self.inputs)}) → {shown}>"


def compile(
    program: str | Graph,
    *,
    output: str | None = None,
    wrt: Sequence[str] | None = None,
    variables: Iterable[str] = (),
) -> CompiledProgram:
    """Compile ``program`` for arrays: a function that returns its value and gradient per row.

    ``output`` names the statement to differentiate (default: the last); ``wrt`` the
    inputs whose gradients are returned (default: all). ``pi`` and ``e`` are constants
    unless the program assigns them or ``variables`` lists them (a column named e).
    """
    graph = parse_program(program)
    if output is not None:
        graph = graph.with_output_name(output)
    graph = graph.bind_constants(variables)
    inputs = graph.input_names
    chosen = list(inputs) if wrt is None else list(wrt)
    unknown = [name for name in chosen if name not in inputs]
    if unknown:
        raise UsageError(
            f"wrt {', '.join(unknown)}: not an input of the program "
            f"(inputs: {', '.join(inputs) or 'none'})"
        )
    return CompiledProgram(graph, chosen)


def _as_column(name: str, value: Any) -> np.ndarray:
    """One input as float64: a number (0-d) or a column (1-d)."""
    raw = np.asarray(value)
    kind = raw.dtype.kind
    if kind == "O" and any(isinstance(v, (str, bytes, bool)) for v in raw.ravel()):
        kind = "U"
    if kind not in "iufO":
        what = {"U": "text", "S": "text", "b": "true/false values"}.get(kind, str(raw.dtype))
        raise UsageError(f"input {name}: expected numbers, got {what}")
    try:
        column = raw.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        raise UsageError(f"input {name}: expected numbers") from None
    if column.ndim > 1:
        raise UsageError(
            f"input {name}: expected a number or one column, got an array of shape {column.shape}"
        )
    return column


def _row_count(columns: Mapping[str, np.ndarray]) -> int:
    """The common length of the columns (1 when every input is a number)."""
    lengths = {name: len(col) for name, col in columns.items() if col.ndim == 1}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name} has {n:,}" for name, n in lengths.items())
        raise UsageError(f"the inputs' columns have different lengths ({shown})")
    return next(iter(lengths.values()), 1)


def math_error_reason(graph: Graph, point: Mapping[str, float], node: int) -> str:
    """The math error at one point, as cg eval names it: the node, the operation, the value."""
    from .engine import backward, forward

    try:
        backward(graph, forward(graph, point))  # a gradient may be what overflowed
    except CgMathError as exc:
        return f"math error: {exc.message}"
    return f"math error at node {graph.label(graph.nodes[node])}"
