"""Counted loops and sums: a body recorded once while it is parsed, unrolled step by step.

The parser's callbacks build nodes through a *sink*: the graph builder itself, or, inside
``for t in a..b:`` or ``sum(EXPR for t in a..b)``, a :class:`Template` that records each
call as one instruction. When the outermost loop or sum is complete, :func:`unroll` runs
its template once per value of the loop variable against the builder, so a loop makes
exactly the nodes its steps written out by hand would make (one per step, named
``h[2]``). Nested loops are instructions of their parent's template; the runs are kept on
an explicit stack, never by recursion.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from fractions import Fraction
from typing import Any, NamedTuple

from .indexing import IndexExpr, Subscript
from .sink import FOR, MEAN, Ref


class LoopSteps(NamedTuple):
    """Where each step of a top-level loop put its nodes: step ``k`` (the loop variable
    ``first + k``) made the nodes ``starts[k]`` to ``starts[k + 1] - 1``."""

    variable: str
    first: int
    starts: array
    start: int
    """Source span of the loop's ``for ... :`` line."""
    end: int

    @property
    def count(self) -> int:
        return len(self.starts) - 1

    def step_of(self, index: int) -> int | None:
        """The step (from 0) that made node ``index``, or None when no step did."""
        from bisect import bisect_right

        if not self.starts or not self.starts[0] <= index < self.starts[-1]:
            return None
        return bisect_right(self.starts, index) - 1


_ADD, _READ, _ELEMENT, _BIND, _BIND_ELEMENT, _OUTPUT, _STATEMENT, _RUN = range(8)


class Template:
    """The body of a loop or sum, recorded as instructions; it has the sink's interface."""

    __slots__ = (
        "assigned",
        "code",
        "end",
        "first",
        "kind",
        "last",
        "result",
        "slots",
        "start",
        "variable",
    )

    def __init__(self, kind: str, start: int, end: int, variable: str | None = None) -> None:
        self.kind = kind
        self.code: list[tuple] = []
        self.slots = 0
        self.variable = variable
        self.first: IndexExpr | None = None
        self.last: IndexExpr | None = None
        self.result: int | None = None
        """For a sum or mean: the slot that holds the summed expression."""
        self.start = start
        self.end = end
        self.assigned: set[str] = set()
        """The bases of the elements the body assigns, nested loops included."""

    def _slot(self, start: int, end: int) -> Ref:
        self.slots += 1
        return Ref(self.slots - 1, start, end)

    def add(
        self, op: str, inputs: tuple[int, ...], start: int, end: int, literal: str | None = None
    ) -> Ref:
        ref = self._slot(start, end)
        self.code.append((_ADD, ref.index, op, inputs, start, end, literal))
        return ref

    def read(self, name: str, start: int, end: int) -> Ref:
        ref = self._slot(start, end)
        self.code.append((_READ, ref.index, name, start, end))
        return ref

    def read_subscript(self, sub: Subscript) -> Ref:
        ref = self._slot(sub.start, sub.end)
        self.code.append((_ELEMENT, ref.index, sub))
        return ref

    def bind(self, name: str, ref: Ref, pos: int) -> None:
        self.code.append((_BIND, name, ref.index, ref.start, ref.end, pos))

    def bind_subscript(self, sub: Subscript, ref: Ref) -> None:
        self.assigned.add(sub.base)
        self.code.append((_BIND_ELEMENT, sub, ref.index, ref.start, ref.end))

    def set_output(self, ref: Ref) -> None:
        self.code.append((_OUTPUT, ref.index))

    def count_statement(self) -> None:
        self.code.append((_STATEMENT,))

    def nest(self, inner: Template) -> Ref:
        """Record a complete inner loop or sum; its value's slot (a sum's) or a dummy."""
        self.assigned |= inner.assigned
        ref = self._slot(inner.start, inner.end)
        self.code.append((_RUN, ref.index, inner))
        return ref


class _Run:
    """One loop or sum being unrolled: its template, the steps left, the current step's
    registers and position."""

    __slots__ = ("dst", "last_value", "next_value", "pc", "regs", "steps", "sum", "template")

    def __init__(self, template: Template, first: int, last: int, dst: int | None) -> None:
        self.template = template
        self.next_value = first
        self.last_value = last
        self.dst = dst
        self.pc = len(template.code)  # at the end of a (not yet begun) step
        self.regs: list[Any] = []
        self.sum: Ref | None = None
        self.steps = 0


class Bounds(NamedTuple):
    first: int
    last: int


def unroll(
    builder: Any,
    template: Template,
    bounds: Callable[[Template, dict[str, int]], Bounds],
    budget: Callable[[Template, int], None],
) -> tuple[Ref | None, LoopSteps | None]:
    """Run ``template`` against ``builder``, one step per value of its variable.

    ``bounds(template, variables)`` gives a loop's first and last value (raising on a bad
    range, and counting its steps against the limit); ``budget(template, 0)``, called at
    every step, raises when the nodes made so far outgrow the limit. Returns
    a sum's or mean's node, and, for a loop, where each of its steps put its nodes.
    """
    variables: dict[str, int] = {}
    first, last = bounds(template, variables)
    runs = [_Run(template, first, last, None)]
    starts = array("q") if template.kind == FOR else None
    result: Ref | None = None
    nodes = builder.nodes
    while runs:
        run = runs[-1]
        code = run.template.code
        if run.pc == len(code):
            template_ = run.template
            if run.steps and template_.result is not None:
                run.sum = _accumulate(builder, template_, run.sum, run.regs[template_.result])
            if run.next_value <= run.last_value:  # the next step
                value = run.next_value
                run.next_value += 1
                run.steps += 1
                if template_.variable is not None:
                    variables[template_.variable] = value
                run.regs = [None] * template_.slots
                run.pc = 0
                if starts is not None and len(runs) == 1:
                    starts.append(len(nodes))
                budget(template_, 0)
                continue
            runs.pop()
            variables.pop(template_.variable, None)
            value_ref = _finish(builder, template_, run.sum, run.steps)
            if runs:
                runs[-1].regs[run.dst] = value_ref
            else:
                result = value_ref
            continue
        instruction = code[run.pc]
        run.pc += 1
        kind = instruction[0]
        regs = run.regs
        if kind == _ADD:
            _, dst, op, inputs, start, end, literal = instruction
            ref = builder.add(op, tuple(regs[i].index for i in inputs), start, end, literal)
            regs[dst] = ref
            if literal is None:
                builder.name_constant(ref.index, variables)
        elif kind == _READ:
            _, dst, name, start, end = instruction
            regs[dst] = builder.read(name, start, end, variables)
        elif kind == _ELEMENT:
            _, dst, sub = instruction
            regs[dst] = builder.read_subscript(sub, variables)
        elif kind == _BIND:
            _, name, slot, start, end, pos = instruction
            builder.bind(name, Ref(regs[slot].index, start, end), pos, variables)
        elif kind == _BIND_ELEMENT:
            _, sub, slot, start, end = instruction
            builder.bind_subscript(sub, Ref(regs[slot].index, start, end), variables)
        elif kind == _OUTPUT:
            builder.set_output(regs[instruction[1]])
        elif kind == _STATEMENT:
            builder.count_statement()
        else:  # a nested loop or sum
            _, dst, inner = instruction
            if inner.variable is not None and inner.variable in variables:
                builder.shadowing(inner)
            first, last = bounds(inner, variables)
            runs.append(_Run(inner, first, last, dst))
    steps = None
    if starts is not None:
        starts.append(len(nodes))
        steps = LoopSteps(template.variable, first, starts, template.start, template.end)
    return result, steps


def _accumulate(builder: Any, template: Template, total: Ref | None, term: Ref) -> Ref:
    if total is None:
        return term
    return builder.add("add", (total.index, term.index), template.start, template.end)


def _finish(builder: Any, template: Template, total: Ref | None, steps: int) -> Ref | None:
    if template.kind == FOR:
        return None
    assert total is not None  # bounds() refuses an empty range
    if template.kind == MEAN:
        count = builder.add("const", (), template.start, template.end, str(steps))
        return builder.add("div", (total.index, count.index), template.start, template.end)
    return total


def exact_constant(op: str, args: list[Fraction], literal: str | None) -> Fraction | None:
    """A node's exact value from its inputs' exact values, for the ops a named constant
    such as ``T = 2*N + 1`` is made of; None for any other op."""
    if op == "const":
        return Fraction(literal)
    if op == "copy":
        return args[0]
    if op == "neg":
        return -args[0]
    if op == "add":
        return args[0] + args[1]
    if op == "sub":
        return args[0] - args[1]
    if op == "mul":
        return args[0] * args[1]
    if op == "div" and args[1] != 0:
        return args[0] / args[1]
    if op != "pow":
        return None
    base, exponent = args
    small = base != 0 and max(abs(base.numerator), base.denominator) < 2**64
    if small and exponent.denominator == 1 and abs(exponent) <= 64:
        return args[0] ** int(args[1])
    return None
