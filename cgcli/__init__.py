"""cg: scalar math as a computational graph, with forward pass, backpropagation and a SymPy check.

>>> from cgcli import evaluate
>>> result = evaluate("(x+y)*z", {"x": 1, "y": 3, "z": -3})
>>> result.value, result.gradient
(-12.0, {'x': -3.0, 'y': -3.0, 'z': 4.0})

The names below are imported on first use, so that ``cg`` starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "CgError": "errors",
    "CgMathError": "errors",
    "CgSyntaxError": "errors",
    "UsageError": "errors",
    "Evaluation": "evaluation",
    "NodeResult": "evaluation",
    "evaluate": "evaluation",
    "Graph": "ir",
    "Node": "ir",
    "parse": "parser",
}

__all__ = [
    "CgError",
    "CgMathError",
    "CgSyntaxError",
    "Evaluation",
    "Graph",
    "Node",
    "NodeResult",
    "UsageError",
    "evaluate",
    "parse",
]

if TYPE_CHECKING:
    from .errors import CgError, CgMathError, CgSyntaxError, UsageError
    from .evaluation import Evaluation, NodeResult, evaluate
    from .ir import Graph, Node
    from .parser import parse


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'cgcli' has no attribute {name!r}")
