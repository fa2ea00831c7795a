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

from .core.version import __version__ as __version__

_EXPORTS = {
    "CgError": "core.errors",
    "CgMathError": "core.errors",
    "CgSyntaxError": "core.errors",
    "UsageError": "core.errors",
    "Evaluation": "api.evaluation",
    "NodeResult": "api.evaluation",
    "evaluate": "api.evaluation",
    "Explanation": "teach.explanation",
    "explain": "teach.explanation",
    "Drawing": "render.drawing",
    "draw": "render.drawing",
    "SymbolicGradient": "api.symbolic_grad",
    "symbolic_gradient": "api.symbolic_grad",
    "Outcome": "training.gradient_descent",
    "train": "training.gradient_descent",
    "build_page": "page",
    "example_data": "training.datasets",
    "Graph": "core.ir",
    "grade": "grading",
    "grade_class": "grading",
    "read_sheet": "grading",
    "blank_sheet": "grading.blank",
    "Node": "core.ir",
    "parse": "core.parser",
    "ForwardEvaluation": "api.forward_mode",
    "forward": "api.forward_mode",
    "GradientGraph": "passes.gradient_graph",
    "gradient_graph": "passes.gradient_graph",
    "GradientGraphEvaluation": "api.gradient_evaluation",
    "evaluate_gradient_graph": "api.gradient_evaluation",
    "Hessian": "api.hessian",
    "ForwardExplanation": "teach.forward_explanation",
    "SymbolicHessian": "api.symbolic_second",
    "symbolic_hessian": "api.symbolic_second",
    "explain_forward": "teach.forward_explanation",
    "hessian": "api.hessian",
    "compile": "passes.compiled",
    "CompiledProgram": "passes.compiled",
    "ArrayResult": "passes.compiled",
    "evaluate_on_dask": "data.dask_engine",
    "DaskEvaluation": "data.dask_engine",
    "train_on_dask": "training.on_dask",
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
    from .api.evaluation import Evaluation, NodeResult, evaluate
    from .api.forward_mode import ForwardEvaluation, forward
    from .api.gradient_evaluation import GradientGraphEvaluation, evaluate_gradient_graph
    from .api.hessian import Hessian, hessian
    from .api.symbolic_grad import SymbolicGradient, symbolic_gradient
    from .api.symbolic_second import SymbolicHessian, symbolic_hessian
    from .core.errors import CgError, CgMathError, CgSyntaxError, UsageError
    from .core.ir import Graph, Node
    from .core.parser import parse
    from .data.dask_engine import DaskEvaluation, evaluate_on_dask
    from .grading import grade, grade_class, read_sheet
    from .grading.blank import blank_sheet
    from .page import build_page
    from .passes.compiled import ArrayResult, CompiledProgram, compile
    from .passes.gradient_graph import GradientGraph, gradient_graph
    from .render.drawing import Drawing, draw
    from .teach.explanation import Explanation, explain
    from .teach.forward_explanation import ForwardExplanation, explain_forward
    from .training.datasets import example_data
    from .training.gradient_descent import Outcome, train
    from .training.on_dask import train_on_dask


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'cgcli' has no attribute {name!r}")
