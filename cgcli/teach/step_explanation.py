"""``cg explain --by-step``: backpropagation through time worked step by step.

The forward pass one step per line (the step's inputs and the state it computes), then
the backward pass from the last step to the first: ∂L/∂h[t] as the loss's own term at
step t plus what arrives from step t+1, and each shared weight's share of its gradient
from that step, each share worked out from the weight's uses in the step; then each
weight's gradient as the sum of its shares. With truncation every number is the
truncated one, and the explanation says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..api.by_step import StepTable
from ..api.evaluation import Evaluation
from ..core.ir import INPUT
from ..core.numbers import format_number
from ..core.verdicts import check_line, mark
from ..passes.engine import local_partials


@dataclass(frozen=True, repr=False)
class StepExplanation:
    """The worked backpropagation through time of a program with a loop."""

    result: Evaluation
    digits: int | None = 6
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Plain text, as ``cg explain --by-step`` prints it."""
        return "\n".join(_lines(self.result, self.digits)) + "\n"

    @property
    def markdown(self) -> str:
        lines = []
        for line in _lines(self.result, self.digits):
            if line and not line.startswith(" "):
                lines += ["", f"**{line}**", ""]
            else:
                lines.append(f"    {line.strip()}" if line else "")
        return "\n".join(lines).strip() + "\n"

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        tables = self.result.steps or ()
        steps = sum(len(t.rows) for t in tables)
        return f"<StepExplanation of {self.result.output}: {steps} steps>"

    def _repr_markdown_(self) -> str:
        return self.markdown


def _lines(result: Evaluation, digits: int | None) -> list[str]:
    graph = result.graph
    out = result.output
    values = [r.value for r in result.nodes]
    grads = [r.grad for r in result.nodes]

    def number(x: float | None) -> str:
        return "-" if x is None else format_number(x, digits)

    def group(x: float | None) -> str:
        shown = number(x)
        return f"({shown})" if shown.startswith("-") else shown

    lines: list[str] = []
    if result.truncate is not None:
        k = result.truncate
        lines += [
            f"Truncated backpropagation through time: gradients stop {k} "
            f"step{'s' if k != 1 else ''} back through the state. Every gradient below is the "
            f"truncated one, not the true gradient of {out}.",
            "",
        ]
    for loop, table in zip(graph.loops, result.steps or (), strict=True):
        t = table.variable
        first = loop.first
        last = first + loop.count - 1
        lines.append(f"Forward pass, one step per line ({t} = {first}..{last})")
        for k, row in enumerate(table.rows):
            given = ", ".join(f"{label} = {number(v)}" for label, v in row.inputs.values())
            state = ", ".join(f"{c.label} = {number(c.value)}" for c in row.states.values())
            made = state or f"{loop.starts[k + 1] - loop.starts[k]} nodes"
            lines.append(f"  {t} = {row.t}: {given + ' → ' if given else ''}{made}")
        lines.append(f"  {out} = {number(result.value)}")
        lines.append("")
        lines.append("Backward pass through time, from the last step to the first")
        for k in range(loop.count - 1, -1, -1):
            row = table.rows[k]
            lines.append(f"  {t} = {row.t}:")
            for cell in row.states.values():
                if k == loop.count - 1:
                    later = "no later step"
                elif table.later == "from t+1":
                    later = f"from {t} = {row.t + 1}"
                else:
                    later = "from later steps"
                split = (
                    f"{number(cell.own)} (from step {row.t} itself: the loss's term) + "
                    f"{group(cell.carried)} ({later})"
                )
                lines.append(
                    f"    ∂{out}/∂{cell.label} = {split} = {number(cell.grad)}  "
                    f"{mark(cell.verdict)}".rstrip()
                )
            start, stop = loop.starts[k], loop.starts[k + 1]
            for w in table.weights:
                uses = _uses(graph, w, start, stop)
                share = row.shares[w]
                if not uses:
                    continue
                terms = []
                for consumer, slot in uses:
                    local = local_partials(graph, graph.table.node(consumer), values)[slot]
                    terms.append((consumer, local))
                symbolic = " + ".join(
                    f"∂{out}/∂{graph.label_at(c)} · ∂{graph.label_at(c)}/∂{w}" for c, _ in terms
                )
                numeric = " + ".join(f"{group(grads[c])} · {group(local)}" for c, local in terms)
                lines.append(
                    f"    {w}'s share: {symbolic} = {numeric} = {number(share.value)}  "
                    f"{mark(share.verdict)}".rstrip()
                )
        lines.append("")
        lines.append(f"Each shared weight's gradient is the sum of its shares over {t}")
        lines += _sums(table, out, number, group)
        lines.append("")
    lines.append(check_line(result.check, graph))
    return lines


def _uses(graph, weight: str, start: int, stop: int) -> list[tuple[int, int]]:
    """(consumer, input slot) of every use of the input ``weight`` by the nodes start..stop."""
    table = graph.table
    index = graph.bindings.get(weight)
    if index is None or table.op(index) != INPUT:
        return []
    offsets, flat = table.input_offsets, table.input_flat
    return [
        (consumer, slot)
        for consumer in range(start, stop)
        for slot, i in enumerate(flat[offsets[consumer] : offsets[consumer + 1]])
        if i == index
    ]


def _sums(table: StepTable, out: str, number, group) -> list[str]:
    lines = []
    for w in table.weights:
        shares = [row.shares[w].value for row in table.rows]
        outside = table.outside[w].value
        terms = " + ".join(group(s) for s in shares)
        if outside:
            terms += f" + {group(outside)} (outside the loop)"
        total = table.total[w]
        lines.append(
            f"  ∂{out}/∂{w} = {terms} = {number(total.value)}  {mark(total.verdict)}".rstrip()
        )
    return lines
