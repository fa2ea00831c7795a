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
    "Explanation": "explanation",
    "explain": "explanation",
    "Drawing": "drawing",
    "draw": "drawing",
    "SymbolicGradient": "symbolic_grad",
    "symbolic_gradient": "symbolic_grad",
    "Outcome": "training",
    "train": "training",
    "build_page": "page",
    "example_data": "datasets",
    "Graph": "ir",
    "grade": "grading",
    "grade_class": "grading",
    "read_sheet": "grading",
    "blank_sheet": "grading.blank",
    "Node": "ir",
    "parse": "parser",
    "ForwardEvaluation": "forward_mode",
    "forward": "forward_mode",
    "GradientGraph": "backprop_graph",
    "gradient_graph": "backprop_graph",
    "GradientGraphEvaluation": "gradient_evaluation",
    "evaluate_gradient_graph": "gradient_evaluation",
    "Hessian": "second_order",
    "ForwardExplanation": "forward_explanation",
    "SymbolicHessian": "symbolic_second",
    "symbolic_hessian": "symbolic_second",
    "explain_forward": "forward_explanation",
    "hessian": "second_order",
    "compile": "compiled",
    "CompiledProgram": "compiled",
    "ArrayResult": "compiled",
    "evaluate_on_dask": "dask_engine",
    "DaskEvaluation": "dask_engine",
    "train_on_dask": "dask_training",
}
"""Each public name and the module that defines it."""

__all__ = [
    "ArrayResult",
    "CgError",
    "CgMathError",
    "CgSyntaxError",
    "CompiledProgram",
    "DaskEvaluation",
    "Drawing",
    "Evaluation",
    "Explanation",
    "ForwardEvaluation",
    "ForwardExplanation",
    "GradientGraph",
    "GradientGraphEvaluation",
    "Graph",
    "Hessian",
    "Node",
    "NodeResult",
    "Outcome",
    "SymbolicGradient",
    "SymbolicHessian",
    "UsageError",
    "blank_sheet",
    "build_page",
    "compile",
    "draw",
    "evaluate",
    "evaluate_gradient_graph",
    "evaluate_on_dask",
    "example_data",
    "explain",
    "explain_forward",
    "forward",
    "grade",
    "grade_class",
    "gradient_graph",
    "hessian",
    "parse",
    "read_sheet",
    "symbolic_gradient",
    "symbolic_hessian",
    "train",
    "train_on_dask",
]

LIBRARY_TWINS = {
    "eval": "evaluate",
    "graph": "draw",
    "explain": "explain",
    "grad": "symbolic_gradient",
    "train": "train",
    "page": "build_page",
    "example-data": "example_data",
    "check": "grade_class",
    "sheet": "blank_sheet",
    "hessian": "hessian",
}
"""Each command of the CLI and the library function it calls."""

if TYPE_CHECKING:
    from .backprop_graph import GradientGraph, gradient_graph
    from .compiled import ArrayResult, CompiledProgram, compile
    from .dask_engine import DaskEvaluation, evaluate_on_dask
    from .dask_training import train_on_dask
    from .datasets import example_data
    from .drawing import Drawing, draw
    from .errors import CgError, CgMathError, CgSyntaxError, UsageError
    from .evaluation import Evaluation, NodeResult, evaluate
    from .explanation import Explanation, explain
    from .forward_explanation import ForwardExplanation, explain_forward
    from .forward_mode import ForwardEvaluation, forward
    from .gradient_evaluation import GradientGraphEvaluation, evaluate_gradient_graph
    from .grading import grade, grade_class, read_sheet
    from .grading.blank import blank_sheet
    from .ir import Graph, Node
    from .page import build_page
    from .parser import parse
    from .second_order import Hessian, hessian
    from .symbolic_grad import SymbolicGradient, symbolic_gradient
    from .symbolic_second import SymbolicHessian, symbolic_hessian
    from .training import Outcome, train


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'cgcli' has no attribute {name!r}")
