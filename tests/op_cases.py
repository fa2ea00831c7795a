"""Shared test data: points inside each op's domain, and a program per op."""

from __future__ import annotations

from fractions import Fraction

from cgcli.core.ops import FUNCTIONS

# Points inside each op's domain, away from kinks.
UNARY_POINTS = {
    "sin": [-2.0, 0.3, 4.0],
    "cos": [-2.0, 0.3, 4.0],
    "tan": [-1.2, 0.3, 1.0],
    "asin": [-0.9, 0.0, 0.5],
    "acos": [-0.9, 0.0, 0.5],
    "atan": [-3.0, 0.0, 2.5],
    "sinh": [-2.0, 0.1, 3.0],
    "cosh": [-2.0, 0.1, 3.0],
    "tanh": [-2.0, 0.1, 3.0],
    "exp": [-2.0, 0.0, 3.0],
    "log": [0.2, 1.0, 30.0],
    "sqrt": [0.2, 1.0, 30.0],
    "abs": [-2.0, 0.5],
    "sigmoid": [-5.0, 0.0, 2.0],
    "relu": [-2.0, 0.5],
    "softplus": [-5.0, 0.0, 2.0],
    "neg": [-2.0, 0.0, 1.5],
}
BINARY_POINTS = {
    "add": [(1.5, -2.0)],
    "sub": [(1.5, -2.0)],
    "mul": [(1.5, -2.0), (0.0, 3.0)],
    "div": [(1.5, -2.0), (-3.0, 0.5)],
    "pow": [(1.5, -2.0), (2.0, 0.5), (3.0, 2.0)],
    "max": [(1.5, -2.0), (-1.0, 2.0)],
    "min": [(1.5, -2.0), (-1.0, 2.0)],
}
SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "^"}


def program_for(op: str) -> str:
    if op == "neg":
        return "-x"
    if op in SYMBOLS:
        return f"x {SYMBOLS[op]} y"
    return f"{op}(x, y)" if FUNCTIONS[op].arity == 2 else f"{op}(x)"


# Points at each op's domain edges and kinks: where its derivative is infinite, one-sided,
# a convention, or where the op is not defined at all (the SymPy builder must still build).
EDGE_POINTS = {
    "sin": [(0,)],
    "cos": [(0,)],
    "tan": [(0,)],
    "asin": [(1,), (-1,)],
    "acos": [(1,), (-1,)],
    "atan": [(0,)],
    "sinh": [(0,)],
    "cosh": [(0,)],
    "tanh": [(0,), (40,)],
    "exp": [(0,)],
    "log": [(0,), (1,)],
    "sqrt": [(0,)],
    "abs": [(0,)],
    "sigmoid": [(0,)],
    "relu": [(0,)],
    "softplus": [(0,)],
    "neg": [(0,)],
    "add": [(0, 0)],
    "sub": [(0, 0)],
    "mul": [(0, 0)],
    "div": [(0, 1), (1, 0)],
    "pow": [(0, 0), (0, 1), (0, Fraction(1, 2)), (2, 0), (-2, 2), (0, -1), (-8, Fraction(1, 3))],
    "max": [(1, 1), (0, 0)],
    "min": [(1, 1), (0, 0)],
}
KINKS = {
    ("abs", (0,)),
    ("relu", (0,)),
    ("max", (1, 1)),
    ("max", (0, 0)),
    ("min", (1, 1)),
    ("min", (0, 0)),
}
"""(op, point) where the derivative does not exist: the one-sided derivatives differ."""
