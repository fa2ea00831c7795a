"""evaluate(): program and values in, values, gradients and their check out."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator, Mapping, Sequence

from ..core.errors import ArgumentTypeError, ArgumentValueError, UsageError
from ..core.frozen import Frozen
from ..core.limits import CHECK_TIMEOUT as DEFAULT_TIMEOUT
from ..core.limits import EXACT_TIMEOUT
from ..core.node_table import ComparesAsSequence
from ..core.numbers import format_array, format_number, json_number
from ..core.ops import SCALARS_ONLY
from ..core.verdicts import check_as_dict, not_checked
from ..passes.engine import backward, forward, uses_arrays
from ..passes.values import (
    ArrayValue,
    InputValue,
    SequenceValue,
    bind_inputs,
    exact_values,
    given_python_value,
    value_name,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import overload

    from ..core.ir import Graph
    from ..core.verdicts import CheckReport
    from .by_step import StepTable
    from .exact import ExactPass


class NodeResult(namedtuple("NodeResult", "node label value grad")):
    """One node of an evaluated graph: the :class:`~cgcli.core.ir.Node`, its ``label``,
    its ``value`` (a float) and its ``grad``, ∂output/∂node (None for a node that depends
    on no input: a constant)."""

    __slots__ = ()


class NodeResults(ComparesAsSequence, Sequence[NodeResult]):
    """Every node's :class:`NodeResult`, built when read: a big graph keeps only its
    values and gradients, not one record per node."""

    __slots__ = ("grads", "graph", "values")

    def __init__(
        self, graph: Graph, values: Sequence[float], grads: Sequence[float | None]
    ) -> None:
        self.graph = graph
        self.values = values
        self.grads = grads

    def __len__(self) -> int:
        return len(self.values)

    def _result(self, index: int) -> NodeResult:
        graph = self.graph
        return NodeResult(
            graph.table.node(index), graph.label_at(index), self.values[index], self.grads[index]
        )

    if TYPE_CHECKING:

        @overload
        def __getitem__(self, index: int) -> NodeResult: ...

        @overload
        def __getitem__(self, index: slice) -> list[NodeResult]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._result(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("node index out of range")
        return self._result(index)

    def __iter__(self) -> Iterator[NodeResult]:
        return map(self._result, range(len(self)))

    def __repr__(self) -> str:
        return repr(list(self))


class Evaluation(Frozen):
    """The result of evaluating a program at one point: immutable, equal to another when
    their fields are (:class:`~cgcli.core.frozen.Frozen`)."""

    graph: Graph
    output: str
    """The output's label: its name, or f for an unnamed last expression."""
    value: float
    gradient: dict[str, float]
    """∂output/∂input for every input of the program (0 when unused)."""
    nodes: NodeResults
    """A :class:`NodeResults`: one record per node, built when read."""
    check: CheckReport
    warnings: list[str]
    """What the evaluation warns of (none unless given)."""
    exact: ExactPass | None
    """With ``exact=True``: exact SymPy values and gradients per node."""
    wrt: tuple[str, ...] | None
    """The inputs whose gradient is reported (``evaluate(..., wrt=...)``); None: all."""
    truncate: int | None
    """With ``truncate=K``: every gradient is truncated backpropagation through time's,
    stopped K steps back through the loop's state; not the true gradient."""
    steps: tuple[StepTable, ...] | None
    """With ``by_step=True``: the step table of each top-level loop."""
    shapes: tuple[tuple[int, ...], ...] | None
    """In a program over vectors and matrices: each node's shape (``()`` for a scalar);
    its values and gradients are then NumPy arrays of that shape. None: all scalars."""

    def __init__(
        self,
        graph: Graph,
        output: str,
        value: float,
        gradient: dict[str, float],
        nodes: NodeResults,
        check: CheckReport,
        warnings: list[str] | None = None,
        exact: ExactPass | None = None,
        wrt: tuple[str, ...] | None = None,
        truncate: int | None = None,
        steps: tuple[StepTable, ...] | None = None,
        shapes: tuple[tuple[int, ...], ...] | None = None,
    ) -> None:
        self.__dict__.update(
            graph=graph,
            output=output,
            value=value,
            gradient=gradient,
            nodes=nodes,
            check=check,
            warnings=[] if warnings is None else warnings,
            exact=exact,
            wrt=wrt,
            truncate=truncate,
            steps=steps,
            shapes=shapes,
        )

    @property
    def ok(self) -> bool:
        """Whether every checked number agrees with the reference."""
        return self.check.ok

    @property
    def reported(self) -> list[str]:
        """The inputs whose gradient the outputs show: ``wrt``, or every input."""
        return list(self.graph.input_names if self.wrt is None else self.wrt)

    def reporting(self, wrt: Sequence[str]) -> Evaluation:
        """The same evaluation, reporting the gradient only with respect to ``wrt``."""
        return self.replace(wrt=tuple(wrt))

    def __repr__(self) -> str:
        from ..render.notebook import short_repr

        return short_repr(self)

    def _repr_html_(self) -> str:
        """In a notebook: the node table, the value and gradient, and the drawing."""
        from ..render.notebook import evaluation_html

        return evaluation_html(self)

    def _repr_markdown_(self) -> str:
        from ..render.formats import render_markdown

        return render_markdown(self, 6, list(self.graph.input_names))

    def show_page(self, *, digits: int | None = 6, height: int = 720):
        """The interactive page (:mod:`cgcli.page`); a notebook cell ending with it shows it."""
        from ..page import Page, build_page

        return Page(build_page(self, digits=digits), height)

    def shown_value(self, index: int, digits: int | None, limit: int | None = None) -> str:
        """A node's value as text: exact with a float alongside in exact mode; an array
        of more than ``limit`` entries shortened with … (a terminal's compact form)."""
        if self.exact is not None:
            return self.exact.shown(self.exact.values[index], digits)
        return _shown(self.nodes[index].value, digits, limit)

    def shown_grad(self, index: int, digits: int | None, limit: int | None = None) -> str:
        """A node's gradient as text ("-" for a constant)."""
        if self.exact is not None:
            return self.exact.shown(self.exact.grads[index], digits)
        grad = self.nodes[index].grad
        return "-" if grad is None else _shown(grad, digits, limit)

    def as_dict(self, wrt: list[str] | None = None) -> dict:
        """The JSON document ``cg eval --format json`` prints (its schema: the "Output
        formats" page of the docs, ``cg docs output``).

        ``wrt`` limits the ``gradient`` object to those inputs.
        """
        return {**self.json_head(wrt), "nodes": list(self.node_records()), **self.json_tail(wrt)}

    def json_head(self, wrt: list[str] | None = None) -> dict:
        """The fields of the JSON document that come before ``nodes``."""
        names = self.gradient if wrt is None else wrt
        head = {
            "output": self.output,
            "value": json_number(self.value),
            "gradient": {name: json_number(self.gradient[name]) for name in names},
        }
        if self.truncate is not None:
            head["truncate"] = self.truncate
        return head

    def node_records(self) -> Iterator[dict]:
        """The ``nodes`` of the JSON document, one at a time."""
        text = self.graph.text
        for r in self.nodes:
            node = r.node
            shape = {} if self.shapes is None else {"shape": list(self.shapes[node.index])}
            yield {
                "id": f"n{node.index + 1}",
                "name": node.name,
                "version": node.version or None,
                "label": r.label,
                "op": node.op,
                "inputs": [f"n{i + 1}" for i in node.inputs],
                "text": text(node),
                "span": [node.start, node.end],
                "value": json_number(r.value),
                "grad": json_number(r.grad),
                **shape,
            }

    def json_tail(self, wrt: list[str] | None = None) -> dict:
        """The fields of the JSON document that come after ``nodes``."""
        names = self.gradient if wrt is None else wrt
        tail = {"check": check_as_dict(self.check, self.graph), "warnings": self.warnings}
        if self.exact is not None:
            tail["exact"] = self._exact_dict(names)
        if self.steps is not None:
            tail["steps"] = [table.as_dict() for table in self.steps]
        return tail

    def _exact_dict(self, names) -> dict:
        exact = self.exact

        def text(expr) -> str | None:
            return None if expr is None else exact.form(expr).text

        index_of = {n.name: n.index for n in self.graph.inputs}
        return {
            "value": text(self.exact.values[self.graph.output]),
            "gradient": {name: text(self.exact.grads[index_of[name]]) for name in names},
            "nodes": {
                r.node.id: {
                    "value": text(self.exact.values[i]),
                    "grad": text(self.exact.grads[i]),
                }
                for i, r in enumerate(self.nodes)
            },
        }


def _shown(number, digits: int | None, limit: int | None) -> str:
    if getattr(number, "ndim", 0):
        return format_array(number, digits, limit)
    return format_number(number, digits)


def parse_values(values: Mapping[str, object] | None) -> dict[str, InputValue | SequenceValue]:
    """The values mapping of a library call, each checked and kept exact: a name maps to a
    number, an element (``"x[1]"``) too, and an indexed name (``"x"``) maybe to a list."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        detail = f"a mapping of input names to numbers, such as {{'x': 1}}, not {values!r:.60}"
        raise ArgumentTypeError("values", detail, f"values must be {detail}")
    parsed = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise ArgumentTypeError("values", f"a name is text (a str), not {key!r:.60}")
        try:
            name = value_name(key)
        except UsageError:
            raise ArgumentValueError("values", f"{key!r:.60} is not a name") from None
        if name in parsed:
            raise ArgumentValueError("values", f"{name} is given twice")
        known = isinstance(value, (InputValue, SequenceValue, ArrayValue))
        parsed[name] = value if known else given_python_value(name, value)
    return parsed


def evaluate_graph(
    graph: Graph,
    inputs: Mapping[str, InputValue | SequenceValue],
    *,
    output: str | None = None,
    check: bool = True,
    check_timeout: float = DEFAULT_TIMEOUT,
    exact: bool = False,
    exact_timeout: float = EXACT_TIMEOUT,
    by_step: bool = False,
    truncate: int | None = None,
) -> Evaluation:
    """:func:`evaluate` for a parsed graph and parsed values."""
    if output is not None:
        graph = graph.with_output_name(output)
    if uses_arrays(graph, inputs):
        raise UsageError(SCALARS_ONLY)
    graph, point, warnings = bind_inputs(graph, inputs)
    values = forward(graph, point)
    exact_inputs = exact_values(graph, inputs)
    report = None
    if truncate is None:
        grads = backward(graph, values)
        if check:
            from ..check.run import run_check

            report = run_check(graph, exact_inputs, values, grads, check_timeout)
    tables = None
    if by_step or truncate is not None:
        if exact:
            raise UsageError("--exact is for the whole program's gradients, not by step")
        from .by_step import stepwise

        found = stepwise(
            graph,
            values,
            exact_inputs,
            truncate=truncate,
            by_step=by_step,
            check=check,
            check_timeout=check_timeout,
            plain_check=report,
        )
        grads, report, tables = found.grads, found.check, found.tables
    if report is None:
        report = not_checked(graph)
    nodes = NodeResults(graph, values, grads)
    gradient = {n.name: grads[n.index] or 0.0 for n in graph.inputs}
    exact_result = None
    if exact:
        from .exact import exact_pass

        needs = [g is not None for g in grads]
        exact_result = exact_pass(graph, exact_inputs, values, needs, exact_timeout)
    return Evaluation(
        graph,
        graph.output_label(),
        values[graph.output],
        gradient,
        nodes,
        report,
        warnings,
        exact_result,
        truncate=truncate,
        steps=tables,
    )
