"""Backpropagation through time by step: the table of ``--by-step`` and truncated gradients.

For each top-level loop, a row per step: the step's inputs and state, ∂L/∂h[t] split into
what reaches h[t] from its own step (the loss's term there) and what arrives from later
steps through the state, and each shared weight's share of its gradient from that step;
then a Σ row, the weight's whole gradient. With ``truncate=K`` every gradient is the
truncated one (:mod:`cgcli.passes.steps`).

Checks, each independent of cg's reverse pass: the gradients against SymPy's (or a
high-precision) gradient of the program, truncated by detaching the state (a layered
copy of the graph, :mod:`cgcli.passes.untied`); each step's share against the gradient of
that step's own copy of the weight.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from ..core.errors import UsageError
from ..core.indexing import split_element
from ..core.ir import INPUT, Graph
from ..core.numbers import json_number
from ..core.verdicts import MISMATCH, OK, UNCHECKED, CheckReport, Verdict, not_checked
from ..passes.steps import StepGradients, StepStructure, backward_by_step, carried_plain_names
from ..passes.untied import reference_graph, reference_point


class Share(NamedTuple):
    """A number of the step table and its verdict."""

    value: float
    verdict: Verdict | None = None


class StateCell(NamedTuple):
    """A state element of one step: its value, ∂L/∂element and where that came from."""

    label: str
    value: float
    grad: float | None
    own: float
    carried: float
    verdict: Verdict | None = None


class StepRow(NamedTuple):
    """One step: the loop variable's value, the inputs read, the state, the weights' shares."""

    t: int
    inputs: dict[str, tuple[str, float]]
    """Per indexed input (its base, such as x): the element's label and value."""
    states: dict[str, StateCell]
    """Per state (its base, such as h)."""
    shares: dict[str, Share]
    """Per shared weight: the part of its gradient that comes from this step."""


@dataclass(frozen=True)
class StepTable:
    """The step table of one loop."""

    variable: str
    truncate: int | None
    inputs: list[str]
    """The bases of the indexed inputs the steps read (x, y)."""
    states: list[str]
    """The bases of the state (h): indexed names a later step reads."""
    weights: list[str]
    """The shared weights: plain inputs the steps use."""
    rows: list[StepRow]
    outside: dict[str, Share]
    """Per weight: the part of its gradient from uses outside this loop (0 when none)."""
    total: dict[str, Share]
    """Per weight: Σ of its shares (the steps' and outside), with the verdict on it."""
    gradient: dict[str, float]
    """Per weight: its gradient as the backward pass computed it."""
    later: str
    """How the carried column is headed: "from t+1", or "from later steps" when some
    step reads the state more than one step back."""

    def as_dict(self) -> dict:
        """The table in the JSON document (docs/output.md)."""

        def share(s: Share) -> dict:
            record = {"value": json_number(s.value)}
            if s.verdict is not None:
                record["check"] = s.verdict.status
            return record

        return {
            "variable": self.variable,
            "truncate": self.truncate,
            "rows": [
                {
                    self.variable: row.t,
                    "inputs": {label: json_number(v) for label, v in row.inputs.values()},
                    "state": {
                        cell.label: {
                            "value": json_number(cell.value),
                            "grad": json_number(cell.grad),
                            "own": json_number(cell.own),
                            "carried": json_number(cell.carried),
                            **({"check": cell.verdict.status} if cell.verdict else {}),
                        }
                        for cell in row.states.values()
                    },
                    "shares": {name: share(s) for name, s in row.shares.items()},
                }
                for row in self.rows
            ],
            "outside": {name: share(s) for name, s in self.outside.items()},
            "total": {name: share(s) for name, s in self.total.items()},
        }


class Stepwise(NamedTuple):
    """What the stepwise backward pass gives an evaluation."""

    grads: list[float | None]
    check: CheckReport | None
    """The check of ``grads`` (against the truncated reference with ``truncate``); None
    when the ordinary check applies."""
    tables: tuple[StepTable, ...] | None


def stepwise(
    graph: Graph,
    values: Sequence[float],
    exact_inputs: Mapping[str, Fraction | Graph],
    *,
    truncate: int | None,
    by_step: bool,
    check: bool,
    check_timeout: float,
    plain_check: CheckReport | None,
) -> Stepwise:
    """The gradients (truncated with ``truncate``), their check, and with ``by_step`` the
    step tables; ``plain_check`` is the ordinary check of untruncated gradients."""
    if not graph.loops:
        option = "--by-step" if by_step else "--truncate"
        raise UsageError(f"{option} is for a program with a loop (for t in 1..T: ...)")
    structure = StepStructure.of(graph)
    if truncate is not None:
        carried = carried_plain_names(structure)
        if carried:
            name = carried[0]
            raise UsageError(
                f"--truncate cuts the state where a step reads an indexed name of an earlier "
                f"step (h[t-1]), but {name} carries a value from step to step as a plain "
                f"name: write it indexed ({name}[t] = ... {name}[t-1] ...)"
            )
    gradients = backward_by_step(graph, values, structure, truncate)
    report = None
    if check and truncate is not None:
        report = _truncated_check(
            graph, structure, values, gradients, exact_inputs, truncate, check_timeout
        )
    elif check:
        report = plain_check
    tables = None
    if by_step:
        per_step = None
        if check:
            per_step = _share_check(
                graph, structure, values, gradients, exact_inputs, truncate, check_timeout
            )
        tables = tuple(
            _table(graph, structure, values, gradients, index, truncate, report, per_step)
            for index in range(len(graph.loops))
        )
    return Stepwise(gradients.totals, report, tables)


def _check_reference(reference, values, gradients, exact_inputs, timeout) -> CheckReport:
    from ..check.run import run_check

    new_values, new_grads = reference_point(reference, values, gradients)
    exact = {
        name: exact_inputs[original]
        for name, original in zip(reference.graph.input_names, reference.origin, strict=True)
    }
    return run_check(reference.graph, exact, new_values, new_grads, timeout)


LAYERED_LIMIT = 500_000
"""The largest layered copy the truncated check builds ((K + 2) copies of the graph)."""


def _truncated_check(
    graph, structure, values, gradients, exact_inputs, truncate, timeout
) -> CheckReport:
    """The truncated gradients against a reference's gradient of the layered graph, as a
    report on the program's own nodes."""
    size = (truncate + 2) * len(graph.table)
    if size > LAYERED_LIMIT:
        return not_checked(graph)._replace(
            note=f"the truncated reference would have {size:,} nodes, over the "
            f"{LAYERED_LIMIT:,} it is built for: not checked"
        )
    reference = reference_graph(graph, structure, truncate, untie=False)
    report = _check_reference(reference, values, gradients, exact_inputs, timeout)
    grads = []
    for index in range(len(graph.table)):
        copies = dict.fromkeys(layer[index] for layer in reference.layers)
        found = [report.grads[c] for c in copies if report.grads[c] is not None]
        grads.append(_combined(found))
    note = (
        f"truncated at {truncate} step{'s' if truncate != 1 else ''}: the reference "
        "differentiates a copy of the program whose reads of the state further back "
        "are detached"
    )
    if report.note:
        note = f"{note}; {report.note}"
    return CheckReport(report.method, report.value, tuple(grads), note)


def _combined(verdicts: list[Verdict]) -> Verdict | None:
    """One node's verdict from its copies' (its gradient is their sum)."""
    if not verdicts:
        return None
    if len(verdicts) == 1:
        return verdicts[0]
    floats = all(isinstance(v.expected, float) for v in verdicts)
    expected = math.fsum(v.expected for v in verdicts) if floats else None  # type: ignore[misc]
    errors = [v.error for v in verdicts if v.error is not None]
    error = sum(errors) if errors else None
    for verdict in verdicts:
        if verdict.status == MISMATCH:
            return Verdict(MISMATCH, expected, error, verdict.reason)
    for verdict in verdicts:
        if verdict.status != OK:
            return verdict
    return Verdict(OK, expected, error)


def _share_check(graph, structure, values, gradients, exact_inputs, truncate, timeout):
    """Each weight's share from each step against the gradient of that step's own copy."""
    if truncate is not None and (truncate + 2) * len(graph.table) > LAYERED_LIMIT:
        return {}, {}
    reference = reference_graph(graph, structure, truncate, untie=True)
    report = _check_reference(reference, values, gradients, exact_inputs, timeout)
    verdicts = {key: report.grads[index] for key, index in reference.untied.items()}
    outside = {
        original: report.grads[reference.layers[0][original]] for original in gradients.shares
    }
    return verdicts, outside


def _table(
    graph: Graph,
    structure: StepStructure,
    values: Sequence[float],
    gradients: StepGradients,
    loop_index: int,
    truncate: int | None,
    report: CheckReport | None,
    per_step,
) -> StepTable:
    loop = graph.loops[loop_index]
    table = graph.table
    first = structure.first_step[loop_index]
    inputs: dict[str, None] = {}
    states: dict[str, None] = {}
    weights: dict[int, None] = {}
    later = "from t+1"
    for producer, consumer in structure.recurrent():
        if structure.loop_of[consumer] == loop_index:
            states[split_element(table.names[producer])[0]] = None  # type: ignore[index]
            if structure.span(producer, consumer) > 1:
                later = "from later steps"
    offsets, flat = table.input_offsets, table.input_flat
    for index in range(loop.starts[0], loop.starts[-1]):
        for i in flat[offsets[index] : offsets[index + 1]]:
            if table.op(i) == INPUT and "[" not in table.names[i]:
                weights[i] = None
    # indexed inputs read outside the steps (y[t] by a loss after the loop), by t
    read_after = _inputs_read_outside(graph, structure)
    rows = []
    for k in range(loop.count):
        row_inputs: dict[str, tuple[str, float]] = {}
        row_states: dict[str, StateCell] = {}
        for index in range(loop.starts[k], loop.starts[k + 1]):
            name = table.names[index]
            element = split_element(name) if name else None
            if element is None:
                continue
            base = element[0]
            if table.op(index) == INPUT:
                inputs[base] = None
                row_inputs[base] = (graph.label_at(index), values[index])
            elif base in states:
                row_states[base] = StateCell(
                    graph.label_at(index),
                    values[index],
                    gradients.totals[index],
                    gradients.own.get(index, 0.0),
                    gradients.carried.get(index, 0.0),
                    report.grads[index] if report is not None else None,
                )
        for base, elements in read_after.items():
            index = elements.get(loop.first + k)
            if index is not None and base not in row_inputs:
                row_inputs[base] = (graph.label_at(index), values[index])
        shares = {}
        for w in weights:
            share = gradients.shares.get(w, {}).get(first + k, 0.0)
            verdict = per_step[0].get((w, first + k)) if per_step else None
            shares[table.names[w]] = Share(share, verdict)
        rows.append(StepRow(loop.first + k, row_inputs, row_states, shares))
    inputs.update(dict.fromkeys(b for b in read_after if any(b in r.inputs for r in rows)))
    outside, total, gradient = {}, {}, {}
    in_loop = set(range(first, first + loop.count))
    for w in weights:
        name = table.names[w]
        shares = gradients.shares.get(w, {})
        elsewhere = math.fsum(v for step, v in shares.items() if step not in in_loop)
        verdict = None
        if per_step and len(graph.loops) == 1:  # the untied check saw the uses outside it
            verdict = per_step[1].get(w)
        outside[name] = Share(elsewhere, verdict)
        summed = math.fsum([*(r.shares[name].value for r in rows), elsewhere])
        whole = gradients.totals[w] or 0.0
        gradient[name] = whole
        total[name] = Share(summed, _sum_verdict(summed, whole, report, w))
    return StepTable(
        loop.variable,
        truncate,
        list(inputs),
        list(states),
        [table.names[w] for w in weights],
        rows,
        outside,
        total,
        gradient,
        later,
    )


def _inputs_read_outside(graph: Graph, structure: StepStructure) -> dict[str, dict[int, int]]:
    """The indexed inputs with one index that no loop step reads first: base → {index:
    node}, so that a loss after the loop (``sum((h[t] - y[t])^2 ...)``) shows its y[t]."""
    table = graph.table
    found: dict[str, dict[int, int]] = {}
    for index, op in enumerate(table.ops()):
        if op != INPUT or structure.step_of[index] >= 0:
            continue
        element = split_element(table.names[index])
        if element is not None and len(element[1]) == 1:
            found.setdefault(element[0], {})[element[1][0]] = index
    return found


def _sum_verdict(summed: float, whole: float, report: CheckReport | None, index: int):
    """The Σ row's verdict: the weight's gradient as the check judged it, provided the
    shares add up to it."""
    from ..core.verdicts import agrees

    if report is None:
        return None
    verdict = report.grads[index]
    if not agrees(summed, whole):
        return Verdict(
            MISMATCH, whole, None, f"the shares add up to {summed!r}, the gradient is {whole!r}"
        )
    return verdict if verdict is not None else Verdict(UNCHECKED)
