"""The step table of ``--by-step``: a row per time step, then Σ, as text or Markdown."""

from __future__ import annotations

from ..api.by_step import Share, StepTable
from ..api.evaluation import Evaluation
from ..core.numbers import format_number
from .table import Column, mark, plain, summary_lines


def step_columns(table: StepTable, out: str) -> list[Column]:
    """The columns: t, the inputs and the state, ∂out/∂state split, the weights' shares."""
    t = table.variable
    columns = [Column(t, numeric=True)]
    columns += [Column(f"{base}[{t}]", numeric=True) for base in table.inputs]
    columns += [Column(f"{base}[{t}]", numeric=True) for base in table.states]
    for base in table.states:
        columns += [
            Column(f"∂{out}/∂{base}[{t}]", numeric=True),
            Column("own", numeric=True),
            Column(table.later, numeric=True),
        ]
    columns += [Column(f"∂{out}/∂{w} at {t}", numeric=True) for w in table.weights]
    return columns


def step_rows(table: StepTable, digits: int | None) -> list[list[str]]:
    """A row per step, a row for uses outside the loop (when there are any), and Σ."""

    def number(x: float | None) -> str:
        return "-" if x is None else format_number(x, digits)

    def checked(x: float | None, verdict) -> str:
        shown = mark(verdict)
        return number(x) if verdict is None else f"{number(x)} {shown}"

    rows = []
    for row in table.rows:
        cells = [str(row.t)]
        cells += [number(row.inputs[b][1]) if b in row.inputs else "" for b in table.inputs]
        cells += [number(row.states[b].value) if b in row.states else "" for b in table.states]
        for base in table.states:
            cell = row.states.get(base)
            if cell is None:
                cells += ["", "", ""]
            else:
                cells += [checked(cell.grad, cell.verdict), number(cell.own), number(cell.carried)]
        cells += [checked(row.shares[w].value, row.shares[w].verdict) for w in table.weights]
        rows.append(cells)
    blank = [""] * (1 + len(table.inputs) + 4 * len(table.states))

    def share_cells(shares: dict[str, Share]) -> list[str]:
        return [checked(shares[w].value, shares[w].verdict) for w in table.weights]

    if any(table.outside[w].value for w in table.weights):
        rows.append(["outside", *blank[1:], *share_cells(table.outside)])
    rows.append(["Σ", *blank[1:], *share_cells(table.total)])
    return rows


def render_steps(table: StepTable, out: str, digits: int | None) -> str:
    """One loop's step table as aligned text."""
    return plain(step_columns(table, out), step_rows(table, digits))


def steps_plain(result: Evaluation, digits: int | None, wrt: list[str]) -> str:
    """``cg eval --by-step``: the step table of each loop, its legend, then the summary."""
    parts = []
    for table in result.steps or ():
        parts.append(render_steps(table, result.output, digits))
        parts.append(legend(table, result.output))
    return "\n\n".join(parts) + "\n\n" + "\n".join(summary_lines(result, digits, wrt)) + "\n"


def legend(table: StepTable, out: str) -> str:
    """What the columns mean, in one line."""
    t = table.variable
    parts = []
    if table.states:
        h = f"{table.states[0]}[{t}]"
        later = "from later steps" if table.later != "from t+1" else f"from step {t}+1"
        parts.append(
            f"own: the part of ∂{out}/∂{h} from step {t} itself (the loss's term there); "
            f"{table.later}: the part that arrives {later} through the state"
        )
    if table.weights:
        parts.append(
            f"a weight's share at {t}: the part of its gradient from its uses in step {t}; "
            "Σ: their sum, the weight's gradient"
        )
    return "; ".join(parts) if parts else "(the loop has no state and uses no shared weight)"


def steps_markdown(result: Evaluation, digits: int | None) -> str:
    """The step tables as Markdown."""
    out = []
    for table in result.steps or ():
        columns = step_columns(table, result.output)
        rows = step_rows(table, digits)
        out.append("| " + " | ".join(c.title for c in columns) + " |")
        out.append("| " + " | ".join("---:" for _ in columns) + " |")
        out += ["| " + " | ".join(cells) + " |" for cells in rows]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
