"""cg: scalar math as a computational graph, with forward pass, backpropagation and a SymPy check.

>>> from cgcli import evaluate
>>> result = evaluate("(x+y)*z", x=1, y=3, z=-3)
>>> result.value, result.gradient
(-12.0, {'x': -3.0, 'y': -3.0, 'z': 4.0})
"""

from .errors import CgError, CgMathError, CgSyntaxError, UsageError
from .evaluation import Evaluation, NodeResult, evaluate
from .ir import Graph, Node
from .parser import parse

__version__ = "0.1.0"

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
