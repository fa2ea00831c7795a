"""The graph a program builds: nodes appended as the parser's rules reduce.

The builder keeps the program's names (each assignment a new version), its indexed
names (given or computed, docs/language.md), the values of named constants for indexes
and bounds, and unrolls each loop or sum once its body has been read
(:mod:`cgcli.core.loops`).
"""

from __future__ import annotations

import re
from functools import cache, cached_property
from types import MappingProxyType

from .errors import CgSyntaxError
from .ir import COPY, INPUT, NUMBER, TEXT_LIMIT, Graph
from .node_table import NodeTable
from .sink import FOR, ONCE, Ref

TYPE_CHECKING = False
if TYPE_CHECKING:
    from fractions import Fraction

    from .indexing import Subscript
    from .limits import Limits
    from .loops import Bounds, LoopSteps, Template

_NO_VARIABLES: dict[str, int] = {}


class _Sequence:
    """What the parse knows of an indexed name so far."""

    __slots__ = ("arity", "computed", "given", "highest", "lowest")

    def __init__(self, arity: int | None) -> None:
        self.arity = arity
        """How many indexes its elements have (None until the first element is seen)."""
        self.computed = False
        """Whether the program assigns elements of it (then every element read must have
        been assigned before)."""
        self.given: str | None = None
        """The first element read as an input, if any."""
        self.lowest: tuple[int, ...] | None = None
        self.highest: tuple[int, ...] | None = None
        """The smallest and largest indexes assigned so far."""


class GraphBuilder:
    """Appends nodes for one program as the parser reduces its rules.

    It is the *sink* the callbacks build through, except inside a loop or sum, whose
    body a :class:`~cgcli.core.loops.Template` records instead (:attr:`sink`).
    """

    def __init__(self, source: str, limits: Limits, lists: bool = False) -> None:
        self.source = source
        self.limits = limits
        self.nodes = NodeTable(wide=len(source) >= _NARROW)
        self.bindings: dict[str, int] = {}
        self.versions: dict[str, int] = {}
        self.output: int | None = None
        self.statements = 0
        self.literals: dict[str, str] = {}
        """One string per distinct literal text: a program repeats its constants."""
        self.sequences: dict[str, _Sequence] = {}
        self.frames: list[Template] = []
        """The loops and sums open around the parser's position, innermost last."""
        self.loops: list[LoopSteps] = []
        self.constants: dict[int, Fraction | None] = {}
        self.unrolled = 0
        """Nodes and steps made by unrolling so far (limited by ``max_unrolled``)."""
        self._unroll_start = 0
        self.step_texts: dict[int, str] = {}
        self.lists: list[tuple[int, int, list[Ref]]] | None = [] if lists else None
        """With ``lists``: each bracketed list read, its span and its elements (a value of
        an indexed name is one)."""

    @property
    def sink(self):
        """Where the callbacks build: the innermost open loop's template, or the graph."""
        return self.frames[-1] if self.frames else self

    def add(
        self, op: str, inputs: tuple[int, ...], start: int, end: int, literal: str | None = None
    ) -> Ref:
        if literal is not None and len(self.literals) < _LITERALS_SHARED:
            literal = self.literals.setdefault(literal, literal)
        return Ref(self.nodes.append(op, inputs, start, end, literal=literal), start, end)

    def bind(
        self, name: str, ref: Ref, pos: int, variables: dict[str, int] = _NO_VARIABLES
    ) -> None:
        """Give ``name`` a new version holding the value of ``ref``."""
        if name in variables:
            raise self.error(f"cannot assign to {name}: it is the loop's variable", pos)
        if name in self.sequences:
            raise self.error(
                f"{name} is an indexed name: assign one of its elements, such as {name}[1]", pos
            )
        self._bind(name, ref)

    def _bind(self, name: str, ref: Ref) -> None:
        version = self.versions.get(name, 0) + 1
        if self.nodes.names[ref.index] is not None:  # `p = x`: a new node, its own row
            ref = self.add(COPY, (ref.index,), ref.start, ref.end)
        self.nodes.rename(ref.index, name, version)
        self.versions[name] = version
        self.bindings[name] = ref.index
        self.output = ref.index

    def read(
        self, name: str, start: int, end: int, variables: dict[str, int] = _NO_VARIABLES
    ) -> Ref:
        """The current version of ``name``; its first read makes it an input. Inside a
        loop, the loop's variable reads as a number."""
        value = variables.get(name)
        if value is not None:
            return self.add(NUMBER, (), start, end, str(value))
        if name not in self.bindings:
            if name in self.sequences:
                raise self.error(
                    f"{name} is an indexed name: read one of its elements, such as {name}[1]",
                    start,
                )
            index = self.nodes.append(INPUT, (), start, end, name=name, version=1)
            self.versions[name] = 1
            self.bindings[name] = index
        return Ref(self.bindings[name], start, end)

    def read_subscript(self, sub: Subscript, variables: dict[str, int] = _NO_VARIABLES) -> Ref:
        """The element ``sub`` names; its first read makes it an input, unless the program
        assigns elements of that name (then it must have been assigned before)."""
        indexes = self._indexes(sub, variables)
        name = self._indexing.element_name(sub.base, indexes)
        index = self.bindings.get(name)
        if index is not None:
            return Ref(index, sub.start, sub.end)
        whole = self.bindings.get(sub.base)
        if whole is None and sub.base not in self.sequences and sub.base in self.read_whole:
            whole = self.read(sub.base, sub.start, sub.base_end, variables).index
        if whole is not None and sub.base not in self.sequences:  # an entry of an array
            from .array_ops import op_name

            op = op_name("index", indexes)
            return self.add(op, (whole,), sub.start, sub.end)
        sequence = self._sequence(sub, len(indexes), variables)
        if sequence.computed:
            raise self.error(self._unassigned(sub, name, sequence, variables), sub.start)
        if sequence.given is None:
            sequence.given = name
        index = self.nodes.append(INPUT, (), sub.start, sub.end, name=name, version=1)
        self.versions[name] = 1
        self.bindings[name] = index
        return Ref(index, sub.start, sub.end)

    @cached_property
    def read_whole(self) -> frozenset[str]:
        """The names the program writes somewhere without an index or a call after them
        (``W @ x``, ``W.T``): their ``W[1, 2]`` is an entry of the array ``W``, even where
        it comes first; a name only ever indexed is a sequence (``x[t]``)."""
        text = re.sub(_COMMENT, "", self.source)
        return frozenset(m.group(1) for m in re.finditer(_WHOLE_NAME, text))

    def bind_subscript(
        self, sub: Subscript, ref: Ref, variables: dict[str, int] = _NO_VARIABLES
    ) -> None:
        """Assign the element ``sub`` names."""
        indexes = self._indexes(sub, variables)
        name = self._indexing.element_name(sub.base, indexes)
        sequence = self._sequence(sub, len(indexes), variables)
        if sequence.given is not None:
            raise self.error(
                f"{name} is assigned, but {sequence.given} was read before as an input: "
                f"the program either gives all of {sub.base} or assigns its elements, "
                "each before it is read",
                sub.start,
            )
        sequence.computed = True
        if sequence.lowest is None or indexes < sequence.lowest:
            sequence.lowest = indexes
        if sequence.highest is None or indexes > sequence.highest:
            sequence.highest = indexes
        self._bind(name, ref)

    def _sequence(self, sub: Subscript, arity: int, variables: dict[str, int]) -> _Sequence:
        base = sub.base
        sequence = self.sequences.get(base)
        if sequence is None:
            if base in variables:
                raise self.error(f"{base} is the loop's variable, not an indexed name", sub.start)
            if base in self.bindings:
                raise self.error(
                    f"{base} is a plain name here, so {base}[...] is not one of its elements "
                    "(a name is either plain or indexed)",
                    sub.start,
                )
            sequence = self.sequences[base] = _Sequence(arity)
        elif sequence.arity is None:
            sequence.arity = arity
        elif sequence.arity != arity:
            written = f"{base}[{', '.join(['i', 'j', 'k', 'l'][: sequence.arity])}]"
            raise self.error(
                f"{base} has {sequence.arity} index{'es' if sequence.arity > 1 else ''} "
                f"({written}), not {arity}",
                sub.start,
            )
        return sequence

    def _unassigned(
        self, sub: Subscript, name: str, sequence: _Sequence, variables: dict[str, int]
    ) -> str:
        from .indexing import element_name

        written = self.source[sub.start : sub.end]
        at = ", ".join(f"{k} = {v}" for k, v in variables.items())
        where = f" ({written} at {at})" if at and written != name else ""
        message = f"{name}{where} is read before it is assigned"
        if sequence.lowest is None:
            return f"{message}: give it a value first, such as {name} = 0"
        lowest = element_name(sub.base, sequence.lowest)
        highest = element_name(sub.base, sequence.highest)
        so_far = lowest if lowest == highest else f"{lowest} to {highest}"
        return f"{message} (so far {sub.base} has values at {so_far})"

    @cached_property
    def _indexing(self):
        """:mod:`cgcli.core.indexing`, imported once the program indexes a name."""
        from . import indexing

        return indexing

    def _indexes(self, sub: Subscript, variables: dict[str, int]) -> tuple[int, ...]:
        indexing = self._indexing
        try:
            return tuple(
                indexing.integer(expr, variables, self.constant, self.source)
                for expr in sub.indexes
            )
        except indexing.BadIndex as exc:
            raise self.error(exc.message, exc.pos) from None

    def constant(self, name: str, pos: int) -> Fraction:
        """The exact value of a named constant (``T = 3``), for an index or a bound."""
        index = self.bindings.get(name)
        if index is None:
            raise self._indexing.BadIndex(
                f"{name} is not defined here (an input, or set only later): an index or a "
                "range's bound is a number, a loop variable or a name the program sets to a "
                "constant before (T = 3)",
                pos,
            )
        value = self._constant_value(index)
        if value is None:
            kind = "an input" if self.nodes.op(index) == INPUT else "not a constant"
            raise self._indexing.BadIndex(
                f"{name} is {kind}: an index or a range's bound is a number, a loop variable "
                "or a name the program sets to a constant (T = 3)",
                pos,
            )
        return value

    def _constant_value(self, index: int) -> Fraction | None:
        memo = self.constants
        if index in memo:
            return memo[index]
        from .loops import exact_constant

        nodes = self.nodes
        stack = [index]
        while stack:
            i = stack[-1]
            if i in memo:
                stack.pop()
                continue
            inputs = nodes.inputs(i)
            missing = [j for j in inputs if j not in memo]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            op = nodes.op(i)
            args = [memo[j] for j in inputs]
            if op == INPUT or None in args:
                memo[i] = None
            else:
                memo[i] = exact_constant(op, args, nodes.literals[i])  # type: ignore[arg-type]
        return memo[index]

    def name_constant(self, index: int, variables: dict[str, int]) -> None:
        """A step's node made of constants only: its text with the loop variables'
        values (``sin(t)`` → ``sin(2)``), the label it is shown by."""
        nodes = self.nodes
        texts = self.step_texts
        literals = nodes.literals
        names = nodes.names
        for i in nodes.inputs(index):
            if names[i] is not None or (literals[i] is None and i not in texts):
                return
        text = self.source[nodes.starts[index] : nodes.ends[index]]
        if len(text) > TEXT_LIMIT:
            return
        pieces = _name_or_other().findall("".join(text.split()))
        if any(piece in variables for piece in pieces):
            texts[index] = "".join(str(variables.get(piece, piece)) for piece in pieces)

    def set_output(self, ref: Ref) -> None:
        self.output = ref.index

    def count_statement(self) -> None:
        self.statements += 1

    def finish(self, template: Template) -> Ref | None:
        """A loop or sum whose body is complete: recorded into the loop around it, or,
        at the top, unrolled now; a sum's value."""
        from .loops import unroll

        if self.frames:
            return self.frames[-1].nest(template)
        for base in template.assigned:  # the loop assigns them: reads must follow writes
            sequence = self.sequences.get(base)
            if sequence is None and base not in self.bindings:
                sequence = self.sequences[base] = _Sequence(None)
            if sequence is not None and sequence.given is None:
                sequence.computed = True
        before = len(self.nodes)
        self._unroll_start = before
        result, steps = unroll(self, template, self._bounds, self._budget)
        self.unrolled += len(self.nodes) - before
        if steps is not None:
            self.loops.append(steps)
        if result is None:
            return None
        return Ref(result.index, template.start, template.end)

    def _bounds(self, template: Template, variables: dict[str, int]) -> Bounds:
        from .loops import Bounds

        if template.kind == ONCE:
            return Bounds(1, 1)
        indexing = self._indexing
        try:
            first, last = (
                indexing.integer(expr, variables, self.constant, self.source, "range's bound")
                for expr in (template.first, template.last)
            )
        except indexing.BadIndex as exc:
            raise self.error(exc.message, exc.pos) from None
        if last < first:
            assert template.first is not None
            text = self.source[template.first.start : template.last.end]
            shown = f"{first}..{last}"
            shown = text if text == shown else f"{text} ({shown})"
            raise self.error(
                f"the range {shown} is empty: a range counts up and includes both ends",
                template.first.start,
            )
        self._budget(template, last - first + 1)
        return Bounds(first, last)

    def _budget(self, template: Template, steps: int) -> None:
        self.unrolled += steps
        used = self.unrolled + len(self.nodes) - self._unroll_start
        limit = self.limits.max_unrolled
        if used > limit:
            what = "loop" if template.kind == FOR else template.kind
            raise self.error(
                f"unrolling this {what} makes more than {limit:,} nodes and steps "
                "(raise the limit with --max-unrolled)",
                template.start,
            )

    def shadowing(self, template: Template) -> None:
        raise self.error(
            f"{template.variable} is already the variable of a loop around this one: "
            "give this one another name",
            template.start,
        )

    def error(self, message: str, pos: int) -> CgSyntaxError:
        return CgSyntaxError(message, self.source, pos)

    def graph(self) -> Graph:
        if self.output is None:
            raise CgSyntaxError("empty program: write an expression such as (x+y)*z", "", 0)
        ops = self.nodes.op_names
        codes = self.nodes.op_codes
        assigned = frozenset(
            name
            for name, index in self.bindings.items()
            if ops[codes[index]] != INPUT or self.versions[name] > 1
        )
        return Graph(
            self.nodes,
            self.source,
            self.output,
            MappingProxyType(self.bindings),  # the builder is dropped after the parse
            assigned,
            self.statements,
            tuple(self.loops),
            MappingProxyType(self.step_texts),
        )


_COMMENT = r"#[^\n]*"
_WHOLE_NAME = r"(?<![\w.])([^\W\d]\w*)(?!\w)(?!\s*[\[(])"
"""A name not followed by ``[`` or ``(`` (nor part of a number or an attribute)."""


@cache
def _name_or_other() -> re.Pattern:
    """A text cut into names, numbers (kept whole: ``1e3``) and single other characters
    (compiled once a loop's step needs it)."""
    return re.compile(r"[^\W\d]\w*|\d[\w.]*|.", re.DOTALL)


_LITERALS_SHARED = 4096
"""Distinct literal texts shared at most (beyond, each literal keeps its own string)."""
_NARROW = 2**29
"""Programs shorter than this store node offsets in 32 bits (a program has fewer nodes
than twice its characters)."""
