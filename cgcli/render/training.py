"""A training run's outcome as a table or JSON (``cg train``)."""

from __future__ import annotations

import json

from ..core.numbers import format_array, format_number, json_number, machine_number
from ..training.gradient_descent import Outcome
from .table import Column, plain


def render_outcome(outcome: Outcome, output_format: str, digits: int) -> str:
    """The trained parameters, the loss and how training stopped, and the gradient check."""
    if output_format == "json":
        doc = {
            "params": {k: json_number(v) for k, v in outcome.params.items()},
            "loss": json_number(outcome.loss),
            "epochs": outcome.epochs,
            "stopped": outcome.stopped,
            "accuracy": outcome.accuracy,
            "check": {"ok": outcome.check_ok, "method": "finite-difference", "note": outcome.check},
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    rows = [[name, _shown(v, digits)] for name, v in outcome.params.items()]
    lines = [
        plain([Column("parameter"), Column("value", True)], rows),
        f"\nloss {format_number(outcome.loss, digits)} after {outcome.epochs} epochs "
        f"({outcome.stopped})",
    ]
    if outcome.accuracy is not None:
        lines.append(f"accuracy {format_number(outcome.accuracy, digits)}")
    lines.append(outcome.check)
    return "\n".join(lines) + "\n"


def _shown(value, digits: int) -> str:
    """A parameter: a number, or a vector or matrix as nested lists."""
    if getattr(value, "ndim", 0):
        return format_array(value, digits)
    return format_number(value, digits)


def render_history(outcome: Outcome) -> str:
    """The loss after every epoch, as CSV (``--history``)."""
    rows = (f"{i},{machine_number(v)}\n" for i, v in enumerate(outcome.history, 1))
    return "epoch,loss\n" + "".join(rows)
