"""The options for the check's SymPy method (issue 16, part 4), measured side by side.

On the random and deep ("chain") programs of benchmarks/run.py's section 4, at 100 and
1,000 nodes, the time (in a forked worker, SymPy already imported, capped at
``--limit`` seconds) of the reference value and gradient of every node by:

* whole program: SymPy differentiates the program as one expression tree, a symbol ε
  added to every node, and evaluates each derivative with evalf (the check before);
* DAG + lambdify: SymPy on the DAG, common subexpressions kept: each node's adjoint
  built from SymPy's derivative of its op, compiled by ``lambdify(cse=True)`` to
  mpmath and evaluated at 50 digits;
* SymEngine: the whole-program derivatives by SymEngine, evaluated at 170 bits
  (SymPy would then evaluate exactly); "not installed" without symengine;
* intervals: SymPy's derivative of each op, accumulated over the node list in mpmath
  interval arithmetic (:mod:`cgcli.check.intervals`, the check now).

    python benchmarks/check_options.py [--limit 30]
"""

from __future__ import annotations

import argparse
import sys
import time
from fractions import Fraction

import mpmath
import sympy
from run import check_program

from cgcli import parse
from cgcli.check.intervals import reference_at
from cgcli.check.run import call_with_timeout
from cgcli.check.symbolic import build, input_symbols, reference
from cgcli.core.ir import COPY, Graph
from cgcli.core.ops import op_for

POINT = {"a": Fraction(1, 3), "b": Fraction(2), "c": Fraction(-3, 2), "d": Fraction(1, 2)}


def whole_program(graph: Graph):
    sys.setrecursionlimit(100_000)
    return reference(graph, [POINT], graph.depends_on_input())


def dag_lambdify(graph: Graph):
    symbols = input_symbols(graph)
    exprs = build(graph, symbols)
    needs = graph.depends_on_input()
    adjoints = [sympy.S.Zero] * len(graph.nodes)
    adjoints[graph.output] = sympy.S.One
    a, b = sympy.symbols("a b", real=True)
    for node in reversed(graph.nodes[: graph.output + 1]):
        if not node.inputs or not needs[node.index]:
            continue
        if node.op == COPY:
            adjoints[node.inputs[0]] += adjoints[node.index]
            continue
        args = [a, b][: len(node.inputs)]
        expr = op_for(node.op).sympy(sympy, *args)
        at = dict(zip(args, [exprs[i] for i in node.inputs], strict=True))
        for symbol, i in zip(args, node.inputs, strict=True):
            if needs[i]:
                local = sympy.diff(expr, symbol).xreplace(at)
                adjoints[i] = adjoints[i] + adjoints[node.index] * local
    wanted = [exprs[graph.output]] + [adjoints[i] for i, need in enumerate(needs) if need]
    compiled = sympy.lambdify(list(symbols.values()), wanted, modules="mpmath", cse=True)
    mpmath.mp.dps = 50
    return compiled(*(mpmath.mpf(POINT[n].numerator) / POINT[n].denominator for n in symbols))


def symengine_tree(graph: Graph):
    import symengine

    symbols = input_symbols(graph)
    needs = graph.depends_on_input()
    eps = {n.index: sympy.Symbol(f"eps_{n.index}") for n in graph.nodes if needs[n.index]}
    output = symengine.sympify(build(graph, symbols, eps)[graph.output])
    at = {
        symengine.Symbol(n): symengine.Rational(POINT[n].numerator, POINT[n].denominator)
        for n in symbols
    }
    at.update({symengine.Symbol(str(s)): 0 for s in eps.values()})
    return [
        output.diff(symengine.Symbol(str(s))).subs(at).n(prec=170, real=True) for s in eps.values()
    ]


def intervals(graph: Graph):
    return reference_at(graph, POINT, graph.depends_on_input())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=30.0, help="seconds per measurement")
    limit = parser.parse_args().limit
    try:
        import symengine  # noqa: F401
    except ImportError:
        has_symengine = False
    else:
        has_symengine = True
    options = [whole_program, dag_lambdify, symengine_tree, intervals]
    print("| program | nodes | whole program s | DAG + lambdify s | SymEngine s | intervals s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for nodes in (100, 1000):
        for shape in ("random", "chain"):
            graph = parse(check_program(nodes, shape, seed=5))
            row = [shape, f"{nodes:,}"]
            for option in options:
                if option is symengine_tree and not has_symengine:
                    row.append("not installed")
                    continue
                start = time.perf_counter()
                try:
                    call_with_timeout(option, (graph,), limit)
                except TimeoutError:
                    row.append(f"> {limit:g}")
                else:
                    row.append(f"{time.perf_counter() - start:.2f}")
            print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
