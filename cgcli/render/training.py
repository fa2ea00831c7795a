"""A training run's outcome as a table or JSON (``cg train``)."""

from __future__ import annotations

import json

from ..core.numbers import format_number, json_number
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
    rows = [[name, format_number(v, digits)] for name, v in outcome.params.items()]
    lines = [
        plain([Column("parameter"), Column("value", True)], rows),
        f"\nloss {format_number(outcome.loss, digits)} after {outcome.epochs} epochs "
        f"({outcome.stopped})",
    ]
    if outcome.accuracy is not None:
        lines.append(f"accuracy {format_number(outcome.accuracy, digits)}")
    lines.append(outcome.check)
    return "\n".join(lines) + "\n"


def render_history(outcome: Outcome) -> str:
    """The loss after every epoch, as CSV (``--history``)."""
    return "epoch,loss\n" + "".join(f"{i},{v!r}\n" for i, v in enumerate(outcome.history, 1))
