"""Forward mode: the tangent ∂node/∂ṽ of every node along a direction ṽ of the inputs.

One loop over the node list, from the inputs to the output, each node's tangent the
sum of its local partials (the op table's, the same the reverse pass uses, so the
kinks follow the same conventions) times its inputs' tangents. A term whose tangent
is 0 is skipped, as the reverse pass skips inputs that need no gradient.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

from ..core.errors import ArgumentTypeError, UsageError
from ..core.ir import COPY, INPUT, Graph, Node
from ..core.limits import CHECK_TIMEOUT as DEFAULT_TIMEOUT
from ..core.numbers import format_number, json_number
from ..core.verdicts import Verdict, agreed
from ..passes.engine import forward as forward_values
from ..passes.engine import local_partials, overflow_error, overflowed

if TYPE_CHECKING:
    from ..passes.values import InputValue

DIRECTION = "v\u0303"
"""The name of a direction that moves several inputs: ṽ, written as v and a combining
tilde, which no program name can be (a name is letters, digits and underscores), so
``∂f/∂ṽ`` is never read as the partial ``∂f/∂v`` of an input ``v``."""


def direction_name(direction: Mapping[str, float]) -> str:
    """The derivative's name along ``direction``: the input's own name when it moves one
    input by 1 (the partial ``∂f/∂b``), else :data:`DIRECTION`."""
    moving = [name for name, dv in direction.items() if dv]
    if len(moving) == 1 and direction[moving[0]] == 1:
        return moving[0]
    return DIRECTION


def tangents(graph: Graph, values: list[float], direction: Mapping[str, float]) -> list[float]:
    """∂node/∂v for every node, where the inputs move along ``direction`` (name -> dv;
    inputs not named stay fixed), at the forward pass's ``values``."""
    dots = [0.0] * len(graph.nodes)
    for node in graph.nodes:
        if node.op == INPUT:
            dots[node.index] = float(direction.get(node.name, 0.0))
        elif node.op == COPY:
            dots[node.index] = dots[node.inputs[0]]
        elif node.inputs and any(dots[i] for i in node.inputs):
            partials = local_partials(graph, node, values)
            total = sum(p * dots[i] for i, p in zip(node.inputs, partials, strict=True) if dots[i])
            if total - total != 0.0 and overflowed(*partials, *(dots[i] for i in node.inputs)):
                args = [values[i] for i in node.inputs]
                raise overflow_error(graph, node, "its tangent", args)
            dots[node.index] = total
    return dots


class TangentRow(NamedTuple):
    """One node of a forward-mode evaluation."""

    node: Node
    label: str
    value: float
    tangent: float
    """∂node/∂v along the direction."""
    check: Verdict | None = None


@dataclass(frozen=True, repr=False)
class ForwardEvaluation:
    """Forward mode at one point: every node's value and tangent along ``direction``."""

    graph: Graph
    output: str
    value: float
    direction: dict[str, float]
    """The tangent of each input (``wrt=b`` is b = 1, the others 0)."""
    derivative: float
    """The output's tangent: ∂output/∂v, the directional derivative."""
    nodes: list[TangentRow]
    method: str = "none"
    """How the tangents were checked: "sympy", or "none" (with ``note`` saying why)."""
    note: str | None = None
    value_check: Verdict | None = None
    """The output's value against SymPy's."""
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True unless the value or a checked tangent disagrees with SymPy."""
        return all(v is None or v.status != "mismatch" for v in self.verdicts)

    @property
    def verdicts(self) -> list[Verdict | None]:
        """The value's verdict, then each node's tangent's."""
        return [self.value_check, *(r.check for r in self.nodes)]

    @property
    def tangents(self) -> dict[str, float]:
        """Each node's tangent by its label (constants included: their tangent is 0)."""
        return {r.label: r.tangent for r in self.nodes}

    @property
    def along(self) -> str:
        """The direction as the derivative's name: ``b``, or :data:`DIRECTION` for a mix."""
        return direction_name(self.direction)

    @property
    def cost(self) -> str:
        """What the whole gradient costs in each mode, for this program."""
        inputs = len(self.graph.input_names)
        per_input = "pass" if inputs == 1 else "passes"
        return (
            f"cost: forward mode needs one pass per input ({inputs} {per_input} for the whole "
            "gradient), reverse mode one per output (1 pass)"
        )

    def __repr__(self) -> str:
        return (
            f"<ForwardEvaluation {self.output} = {format_number(self.value, 6)}; "
            f"∂{self.output}/∂{self.along} = {format_number(self.derivative, 6)}; "
            f"check: {self.method if self.method != 'none' else 'not checked'}"
            f"{'' if self.method == 'none' else ', ' + agreed(self.ok, self.verdicts)}>"
        )

    def _repr_markdown_(self) -> str:
        """In a notebook: the table of tangents, as ``cg eval --mode forward`` prints it."""
        from ..render.second_order import render_forward

        return render_forward(self, "markdown", 6)

    def as_dict(self) -> dict:
        """The JSON document of ``cg eval --mode forward --format json``."""
        return {
            "mode": "forward",
            "output": self.output,
            "value": json_number(self.value),
            "direction": {k: json_number(v) for k, v in self.direction.items()},
            "derivative": json_number(self.derivative),
            "nodes": [
                {
                    "id": r.node.id,
                    "label": r.label,
                    "op": r.node.op,
                    "text": self.graph.text(r.node),
                    "value": json_number(r.value),
                    "tangent": json_number(r.tangent),
                    "check": None if r.check is None else r.check.status,
                }
                for r in self.nodes
            ],
            "check": {
                "method": self.method,
                "ok": self.ok,
                "value": None if self.value_check is None else self.value_check.status,
                "note": self.note,
            },
            "cost": self.cost,
            "warnings": self.warnings,
        }


def direction_from(
    inputs: tuple[str, ...], wrt: str | None, tangent: Mapping[str, object] | str | None
) -> dict[str, float]:
    """The tangent of every input: 1 for ``wrt`` (the first input by default), or
    ``tangent`` (a mapping of inputs to numbers, or the command line's ``a=1,b=0.5``)."""
    if wrt is not None and tangent is not None:
        raise UsageError("give wrt (one input) or tangent (a direction), not both")
    if isinstance(tangent, str):
        tangent = parse_tangent(tangent)
    if tangent is not None:
        if not isinstance(tangent, Mapping):
            raise ArgumentTypeError(
                "tangent", f"expected a mapping of inputs to numbers, not {tangent!r:.60}"
            )
        unknown = [name for name in tangent if name not in inputs]
        if unknown:
            known = ", ".join(inputs) or "none"
            raise UsageError(
                f"tangent {', '.join(unknown)}: not an input of the program (inputs: {known})"
            )
        from ..passes.values import value_from_python

        return {name: value_from_python(name, tangent.get(name, 0)).number for name in inputs}
    if wrt is None:
        if not inputs:
            raise UsageError("the program has no inputs to differentiate with respect to")
        wrt = inputs[0]
    if wrt not in inputs:
        known = ", ".join(inputs) or "none"
        raise UsageError(f"wrt {wrt}: not an input of the program (inputs: {known})")
    return {name: 1.0 if name == wrt else 0.0 for name in inputs}


def forward_graph(
    graph: Graph,
    inputs: Mapping[str, InputValue],
    *,
    wrt: str | None = None,
    tangent: Mapping[str, object] | str | None = None,
    output: str | None = None,
    check: bool = True,
    check_timeout: float = DEFAULT_TIMEOUT,
) -> ForwardEvaluation:
    """``evaluate(..., mode="forward")`` for a parsed graph and parsed values."""
    from ..passes.values import bind_inputs, exact_values

    if isinstance(tangent, str):
        tangent = parse_tangent(tangent)
    if output is not None:
        graph = graph.with_output_name(output)
    graph, point, warnings = bind_inputs(graph, inputs)
    direction = direction_from(graph.input_names, wrt, tangent)
    values = forward_values(graph, point)
    dots = tangents(graph, values, direction)
    verdicts: list[Verdict | None] = [None] * len(graph.nodes)
    method, note, value_check = "none", "not checked", None
    if check:
        from ..check.tangents import check_tangents

        exact = exact_values(graph, inputs)
        exact_direction = {
            name: tangent_exact(tangent, name) if tangent is not None else Fraction(direction[name])
            for name in graph.input_names
        }
        method, note, value_check, verdicts = check_tangents(
            graph, exact, exact_direction, values, dots, check_timeout
        )
    rows = [
        TangentRow(n, graph.label(n), values[n.index], dots[n.index], verdicts[n.index])
        for n in graph.nodes
    ]
    return ForwardEvaluation(
        graph,
        graph.label(graph.nodes[graph.output]),
        values[graph.output],
        direction,
        dots[graph.output],
        rows,
        method,
        note,
        value_check,
        warnings,
    )


def tangent_exact(tangent: Mapping[str, object], name: str):
    """An input's tangent, exact (a Fraction or a constant expression's graph)."""
    from ..passes.values import value_from_python

    return value_from_python(name, tangent.get(name, 0)).exact


def parse_tangent(text: str) -> dict[str, str]:
    """``a=1,b=0.5`` as {name: value text}; a comma splits only before the next NAME=."""
    import re

    from ..passes.values import value_name

    tangent: dict[str, str] = {}
    for part in re.split(r",\s*(?=[^\W\d]\w*\s*(?:\[[^\]]*\]\s*)?=)", text.strip()):
        name, sep, value = part.partition("=")
        try:
            name = value_name(name)
        except UsageError:
            name = ""
        if not sep or not name or not value.strip():
            raise UsageError(f"--tangent: expected NAME=VALUE,..., got {part!r}")
        if name in tangent:
            raise UsageError(f"--tangent: {name} is given twice")
        tangent[name] = value
    return tangent
