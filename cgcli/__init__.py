"""cg: scalar math as a computational graph, with forward pass, backpropagation and a SymPy check.

>>> from cgcli import evaluate
>>> result = evaluate("(x+y)*z", {"x": 1, "y": 3, "z": -3})
>>> result.value, result.gradient
(-12.0, {'x': -3.0, 'y': -3.0, 'z': 4.0})

The names below are imported on first use, so that ``cg`` starts fast.
"""

from __future__ import annotations

_EXPORTS = {
    "CgError": "core.errors",
    "CgMathError": "core.errors",
    "CgSyntaxError": "core.errors",
    "ShapeError": "core.errors",
    "UsageError": "core.errors",
    "TrainingDiverged": "core.errors",
    "ArgumentTypeError": "core.errors",
    "ArgumentValueError": "core.errors",
    "Graph": "core.ir",
    "Node": "core.ir",
    "parse": "core.parser",
    "evaluate": "api.evaluate",
    "Evaluation": "api.evaluation",
    "NodeResult": "api.evaluation",
    "ForwardEvaluation": "api.forward_mode",
    "GradientGraphEvaluation": "api.gradient_evaluation",
    "PointsEvaluation": "data.points",
    "DaskEvaluation": "data.dask_engine",
    "hessian": "api.hessian",
    "Hessian": "api.hessian",
    "symbolic_gradient": "api.symbolic",
    "SymbolicGradient": "api.symbolic",
    "SymbolicHessian": "api.symbolic",
    "gradient_graph": "passes.gradient_graph",
    "GradientGraph": "passes.gradient_graph",
    "compile": "passes.compiled",
    "CompiledProgram": "passes.compiled",
    "ArrayResult": "passes.compiled",
    "explain": "teach.explanation",
    "Explanation": "teach.explanation",
    "ForwardExplanation": "teach.forward_explanation",
    "draw": "render.drawing",
    "Drawing": "render.drawing",
    "train": "training.train",
    "Outcome": "training.gradient_descent",
    "example_data": "training.datasets",
    "docs_page": "core.docs_pages",
    "grade": "grading",
    "grade_class": "grading",
    "read_sheet": "grading",
    "blank_sheet": "grading.blank",
    "variant_sheets": "grading.variants",
    "build_page": "page",
}
"""Each public name and the module that defines it."""

DEPRECATED = {
    "forward": "api.evaluate",
    "evaluate_gradient_graph": "api.evaluate",
    "evaluate_on_dask": "api.evaluate",
    "explain_forward": "teach.explanation",
    "symbolic_hessian": "api.symbolic",
    "train_on_dask": "training.train",
}
"""Names kept for one release: each warns (DeprecationWarning) and calls its replacement
with the keyword that now says the same (CHANGELOG.md lists them)."""

__all__ = [
    "ArgumentTypeError",
    "ArgumentValueError",
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
    "PointsEvaluation",
    "ShapeError",
    "SymbolicGradient",
    "SymbolicHessian",
    "TrainingDiverged",
    "UsageError",
    "blank_sheet",
    "build_page",
    "compile",
    "docs_page",
    "draw",
    "evaluate",
    "example_data",
    "explain",
    "grade",
    "grade_class",
    "gradient_graph",
    "hessian",
    "parse",
    "read_sheet",
    "symbolic_gradient",
    "train",
    "variant_sheets",
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
    "docs": "docs_page",
}
"""Each command of the CLI and the library function it calls."""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .api.evaluate import evaluate
    from .api.evaluation import Evaluation, NodeResult
    from .api.forward_mode import ForwardEvaluation
    from .api.gradient_evaluation import GradientGraphEvaluation
    from .api.hessian import Hessian, hessian
    from .api.symbolic import SymbolicGradient, SymbolicHessian, symbolic_gradient
    from .core.errors import (
        ArgumentTypeError,
        ArgumentValueError,
        CgError,
        CgMathError,
        CgSyntaxError,
        ShapeError,
        TrainingDiverged,
        UsageError,
    )
    from .core.ir import Graph, Node
    from .core.parser import parse
    from .core.version import __version__ as __version__
    from .data.dask_engine import DaskEvaluation
    from .data.points import PointsEvaluation
    from .grading import grade, grade_class, read_sheet
    from .grading.blank import blank_sheet
    from .page import build_page
    from .passes.compiled import ArrayResult, CompiledProgram, compile
    from .passes.gradient_graph import GradientGraph, gradient_graph
    from .render.drawing import Drawing, draw
    from .teach.explanation import Explanation, explain
    from .teach.forward_explanation import ForwardExplanation
    from .training.datasets import example_data
    from .training.gradient_descent import Outcome
    from .training.train import train


def __getattr__(name: str):
    if name == "__version__":  # like the public names, read on first use
        from .core.version import __version__

        return __version__
    module = _EXPORTS.get(name) or DEPRECATED.get(name)
    if module is not None:
        import importlib

        return getattr(importlib.import_module(f".{module}", __name__), name)
    raise AttributeError(f"module 'cgcli' has no attribute {name!r}")
