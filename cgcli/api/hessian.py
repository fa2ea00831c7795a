"""Second derivatives by forward-over-reverse: forward mode over the gradient graph.

The gradient graph (:mod:`cgcli.passes.gradient_graph`) holds ∂f/∂xᵢ as nodes; its tangents
along a direction ṽ (:func:`cgcli.api.forward_mode.tangents`) are the Hessian-vector
product H·ṽ, and the Hessian is n of them, one per input. Loops over node lists only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core import arguments
from ..core.errors import ArgumentTypeError, CgMathError, UsageError
from ..core.ir import Graph
from ..core.limits import CHECK_TIMEOUT as DEFAULT_TIMEOUT
from ..core.numbers import format_number, json_number
from ..core.verdicts import GUARANTEES, Verdict, agreed
from ..passes.engine import forward as forward_values
from ..passes.gradient_graph import (
    GradientGraph,
    evaluate,
    gradient_graph,
    in_the_gradient_graph,
)
from .forward_mode import DIRECTION, tangents


def hessian_vector_product(
    grads: GradientGraph, point: Mapping[str, float], direction: Mapping[str, float]
) -> list[float]:
    """H·v for the program's inputs in order: the tangents of the gradient's nodes along v."""
    values = evaluate(grads, point)
    return _hvp(grads, values, direction)


def _hvp(grads: GradientGraph, values: list[float], direction: Mapping[str, float]) -> list[float]:
    dots = tangents(grads.graph, values, direction)
    return [0.0 if i is None else dots[i] for i in grads.gradient.values()]


def hessian_matrix(grads: GradientGraph, point: Mapping[str, float]) -> list[list[float]]:
    """∂²f/∂xᵢ∂xⱼ for the program's inputs in order: one forward pass over the gradient
    graph per input (column j is H·eⱼ)."""
    values = evaluate(grads, point)
    names = list(grads.gradient)
    columns = [_hvp(grads, values, {name: 1.0}) for name in names]
    return [[columns[j][i] for j in range(len(names))] for i in range(len(names))]


PRECISE_SECOND_GUARANTEE = (
    "high-precision second difference quotients (mpmath, 80 digits): each ✓ entry is within "
    "1e-09 relative + 1e-12 absolute of a reference whose own error bound is at most a tenth "
    "of that"
)
"""What a ✓ of the Hessian's high-precision check promises."""


@dataclass(frozen=True, repr=False)
class Hessian:
    """The Hessian of a program's output at one point (and H·v when asked)."""

    graph: Graph
    output: str
    value: float
    inputs: list[str]
    gradient: list[float]
    matrix: list[list[float]]
    """matrix[i][j] = ∂²output/∂inputs[i]∂inputs[j]."""
    hvp: list[float] | None = None
    """H·v for the direction given, per input."""
    direction: dict[str, float] | None = None
    method: str = "none"
    """How the entries were checked: "sympy" or "none"."""
    note: str | None = None
    verdicts: list[list[Verdict | None]] = field(default_factory=list)
    hvp_verdicts: list[Verdict | None] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True unless a checked entry disagrees with SymPy."""
        return all(v is None or v.status != "mismatch" for v in self.every_verdict)

    @property
    def every_verdict(self) -> list[Verdict | None]:
        """The entries' verdicts, row by row, then those of H·v's entries."""
        return [v for row in self.verdicts for v in row] + list(self.hvp_verdicts)

    @property
    def guarantee(self) -> str:
        """What a ✓ promises (or why nothing was checked); the note says why a fallback
        ran, not what its ✓ means."""
        if self.method == "sympy":
            return GUARANTEES["sympy"]
        if self.method == "high-precision":
            return PRECISE_SECOND_GUARANTEE
        return self.note or "not checked"

    def __repr__(self) -> str:
        rows = "; ".join(", ".join(format_number(x, 6) for x in row) for row in self.matrix)
        check = "not checked" if self.method == "none" else self.method
        if self.method != "none":
            check += f", {agreed(self.ok, self.every_verdict)}"
        hvp = ""
        if self.hvp is not None:
            hvp = f"; H·{DIRECTION} = [{', '.join(format_number(x, 6) for x in self.hvp)}]"
        wrt = ", ".join(self.inputs)
        return f"<Hessian of {self.output} wrt {wrt}: [{rows}]{hvp}; check: {check}>"

    def _repr_markdown_(self) -> str:
        """In a notebook: the matrix, as ``cg hessian --format markdown`` prints it."""
        from ..render.second_order import render_hessian

        return render_hessian(self, "markdown", 6)

    def as_dict(self) -> dict:
        """The JSON document of ``cg hessian --format json``."""
        doc = {
            "output": self.output,
            "value": json_number(self.value),
            "inputs": self.inputs,
            "gradient": {
                n: json_number(g) for n, g in zip(self.inputs, self.gradient, strict=True)
            },
            "hessian": [[json_number(x) for x in row] for row in self.matrix],
        }
        if self.hvp is not None:
            doc["direction"] = {k: json_number(v) for k, v in (self.direction or {}).items()}
            doc["hvp"] = [json_number(x) for x in self.hvp]
        doc["check"] = {
            "method": self.method,
            "note": self.note,
            "ok": self.ok,
            "guarantee": self.guarantee,
            "mismatches": [
                [self.inputs[i], self.inputs[j]]
                for i, row in enumerate(self.verdicts)
                for j, v in enumerate(row)
                if v is not None and v.status == "mismatch"
            ],
            "unchecked": [
                [self.inputs[i], self.inputs[j], v.reason]
                for i, row in enumerate(self.verdicts)
                for j, v in enumerate(row)
                if v is not None and v.status == "unchecked"
            ],
        }
        doc["warnings"] = self.warnings
        return doc


def hessian(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    hvp: Mapping[str, object] | str | None = None,
    output: str | None = None,
    check: bool = True,
    check_timeout: float = DEFAULT_TIMEOUT,
) -> Hessian:
    """The Hessian of the output with respect to the inputs at ``values``, by forward mode
    over the gradient graph; with ``hvp`` (a mapping of inputs to numbers, or the command
    line's ``a=1,b=0.5``), also the Hessian-vector product H·v. Checked against SymPy's
    hessian at the exact inputs.

    >>> hessian("x^2 * y", {"x": 3, "y": 2}).matrix
    [[4.0, 6.0], [6.0, 0.0]]
    """
    from ..core.parser import parse_program
    from .evaluation import parse_values
    from .forward_mode import parse_tangent

    if output is not None and not isinstance(output, str):
        raise ArgumentTypeError("output", f"expected a node's name (a str), not {output!r:.60}")
    return hessian_graph(
        parse_program(program),
        parse_values(values),
        hvp=parse_tangent(hvp) if isinstance(hvp, str) else hvp,
        output=output,
        check=arguments.flag(check, "check"),
        check_timeout=arguments.seconds(check_timeout, "check_timeout"),
    )


def hessian_graph(
    graph: Graph,
    inputs: Mapping,
    *,
    hvp: Mapping[str, object] | None = None,
    output: str | None = None,
    check: bool = True,
    check_timeout: float = DEFAULT_TIMEOUT,
) -> Hessian:
    """:func:`hessian` for a parsed graph and parsed values."""
    from ..passes.values import bind_inputs, exact_values
    from .forward_mode import direction_from

    if output is not None:
        graph = graph.with_output_name(output)
    graph, point, warnings = bind_inputs(graph, inputs)
    names = list(graph.input_names)
    if not names:
        raise UsageError("the program has no inputs: its Hessian is empty")
    forward_values(graph, point)  # the program's own domain errors, named as in cg eval
    grads = gradient_graph(graph)
    values = evaluate(grads, point)
    direction = product = None
    try:  # forward mode over the gradient graph: an overflow is at one of its nodes
        columns = [_hvp(grads, values, {name: 1.0}) for name in names]
        if hvp is not None:
            direction = direction_from(graph.input_names, None, hvp)
            product = _hvp(grads, values, direction)
    except CgMathError as exc:
        raise in_the_gradient_graph(exc) from None
    matrix = [[columns[j][i] for j in range(len(names))] for i in range(len(names))]
    gradient = [0.0 if i is None else values[i] for i in grads.gradient.values()]
    method, note, verdicts, hvp_verdicts = "none", "not checked", [], []
    if check:
        from ..check.tangents import check_hessian

        exact = exact_values(graph, inputs)
        exact_direction = None
        if hvp is not None:
            from .forward_mode import tangent_exact

            exact_direction = {name: tangent_exact(hvp, name) for name in names}
        method, note, verdicts, hvp_verdicts = check_hessian(
            graph,
            exact,
            names,
            matrix,
            values[: len(graph.nodes)],
            check_timeout,
            exact_direction,
            product,
        )
    return Hessian(
        graph,
        graph.label(graph.nodes[graph.output]),
        values[graph.output],
        names,
        gradient,
        matrix,
        product,
        direction,
        method,
        note,
        verdicts,
        hvp_verdicts,
        warnings,
    )
