"""The worked solution: forward pass node by node, then the backward pass by the chain rule.

The steps are data (:class:`Solution`); renderers turn them into text,
Markdown or LaTeX, as a lesson (one phrase per gate on what it does to the
gradient) or in brief. Local derivatives are the op table's textbook forms
(σ(1 - σ), 1 - tanh², -a/b², ...) with the numbers filled in, and are always
written ``∂u/∂v (local)``, so they are never read as the total ``∂out/∂v``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple, overload

from ..core import arguments
from ..core.deprecation import renamed
from ..core.errors import UsageError
from ..core.ir import COPY, INPUT, Graph, Node
from ..core.limits import EXACT_TIMEOUT
from ..core.notation import (
    ATOM,
    LANGUAGE,
    LATEX,
    TEXT,
    Notation,
    Piece,
    label_pieces,
    latex_text,
    text_rank,
)
from ..core.ops import op_for

if TYPE_CHECKING:
    from .forward_explanation import ForwardExplanation
    from .step_explanation import StepExplanation


class Shown(NamedTuple):
    """One formula or number, as text and as LaTeX (math mode)."""

    text: str
    latex: str

    def bare(self) -> Shown:
        """An exact number without the float shown beside it (``1/3``, not ``1/3 ≈ 0.33``)."""
        return Shown(self.text.split(" ≈ ")[0], self.latex.split(r" \approx ")[0])


@dataclass(frozen=True)
class Numbers:
    """The numbers a solution shows, already formatted: per node and per (node, input)."""

    value: Callable[[int], Shown]
    grad: Callable[[int], Shown]
    local: Callable[[int, int], Shown]
    """∂node/∂input (local), summed over the slots where that input appears."""
    operand: Callable[[int], Shown]
    """A value where it is substituted into a formula (exact values without the float)."""
    floats: list[float]
    """The float value of every node: where a piecewise op is at its kink."""


def float_numbers(graph: Graph, values: list[float], grads: list, digits: int | None) -> Numbers:
    """The numbers of a float evaluation, from the engine's own local derivatives."""
    from ..core.notation import latex_number
    from ..core.numbers import format_number
    from ..passes.engine import local_partials

    def shown(x: float) -> Shown:
        text = format_number(x, digits)
        return Shown(text, latex_number(text))

    def local(node: int, of: int) -> Shown:
        target = graph.nodes[node]
        partials = local_partials(graph, target, values)
        return shown(sum(p for i, p in zip(target.inputs, partials, strict=True) if i == of))

    return Numbers(
        value=lambda i: shown(values[i]),
        grad=lambda i: shown(grads[i]),
        local=local,
        operand=lambda i: shown(values[i]),
        floats=values,
    )


def exact_numbers(exact, digits: int | None, floats: list[float]) -> Numbers:
    """The numbers of an exact evaluation (:class:`cgcli.api.exact.ExactPass`)."""
    from ..core.notation import exact_latex

    def shown(expr, approximate: bool = True) -> Shown:
        text = exact.shown(expr, digits, approximate)
        approx = text.split(" ≈ ")[1] if " ≈ " in text else None
        return Shown(text, exact_latex(exact.form(expr).latex, approx))

    return Numbers(
        value=lambda i: shown(exact.values[i]),
        grad=lambda i: shown(exact.grads[i]),
        local=lambda node, of: shown(exact.locals[(node, of)]),
        operand=lambda i: shown(exact.values[i], approximate=False),
        floats=floats,
    )


@dataclass(frozen=True)
class ForwardStep:
    """``label = formula = formula with numbers = value``."""

    node: Node
    formula: Shown | None
    """What the node computes from its inputs' labels (None for a named constant)."""
    numbers: Shown | None
    value: Shown


@dataclass(frozen=True)
class Local:
    """``∂node/∂input (local) = textbook formula = numbers filled in = value``."""

    of: Node
    formula: Shown
    numbers: Shown | None
    """None where the numbers would repeat the formula or the value."""
    value: Shown
    slots: int
    """How many of the gate's arguments are this input (x * x: 2)."""


@dataclass(frozen=True)
class LocalStep:
    """A gate: what it computes, what it does to the gradient, and its local derivatives."""

    node: Node
    formula: Shown
    lesson: Shown
    derivatives: list[Local]
    convention: bool
    """Whether the gate sits at a kink, where cg follows PyTorch's convention."""


@dataclass(frozen=True)
class ChainStep:
    """``∂out/∂v = Σ ∂out/∂u · ∂u/∂v (local) = Σ (upstream) · (local) = gradient``."""

    node: Node
    terms: list[tuple[Node, Shown, Shown]]
    """Per user u: u, the upstream gradient ∂out/∂u and the local derivative ∂u/∂v."""
    grad: Shown


@dataclass(frozen=True)
class Solution:
    graph: Graph
    output: str
    inputs: list[tuple[str, Shown]]
    forward: list[ForwardStep]
    backward: list[LocalStep | ChainStep]


COPY_LESSON = Shown("a copy passes the gradient unchanged", "a copy passes the gradient unchanged")


def solve(graph: Graph, numbers: Numbers) -> Solution:
    """The steps of the worked solution for an evaluated graph."""
    pieces = _Pieces(graph, numbers)
    needs = graph.depends_on_input()
    used = graph.used_by_output()
    forward = []
    for node in graph.nodes:
        if node.op == INPUT or graph.inline(node) or not used[node.index]:
            continue
        if not node.inputs:  # a named constant: c = 2
            forward.append(ForwardStep(node, None, None, numbers.value(node.index)))
            continue
        formula = pieces.apply(node, LANGUAGE, LATEX, numbers_too=False)
        shown = pieces.apply(node, LANGUAGE, LATEX, numbers_too=True)
        forward.append(ForwardStep(node, formula, shown, numbers.value(node.index)))
    users: dict[int, list[int]] = {}
    for node in graph.nodes:
        for i in dict.fromkeys(node.inputs):
            if needs[i] and used[node.index]:
                users.setdefault(i, []).append(node.index)
    backward: list[LocalStep | ChainStep] = []
    chains_of_inputs: list[ChainStep] = []
    for node in reversed(graph.nodes[: graph.output + 1]):
        if not needs[node.index] or not used[node.index]:
            continue
        if node.index != graph.output:
            chain = _chain(graph, node, users[node.index], numbers)
            (chains_of_inputs if node.op == INPUT else backward).append(chain)
        if node.inputs:
            backward.append(_local(graph, node, pieces, numbers, needs))
    backward.extend(reversed(chains_of_inputs))
    inputs = [(graph.label(n), numbers.value(n.index)) for n in graph.inputs]
    return Solution(graph, graph.label(graph.nodes[graph.output]), inputs, forward, backward)


class _Pieces:
    """Each node as an operand in text and LaTeX, with its label or its number."""

    def __init__(self, graph: Graph, numbers: Numbers) -> None:
        self.graph = graph
        self.numbers = numbers
        constants = [numbers.floats[n.index] if graph.inline(n) else None for n in graph.nodes]
        self.text = [
            p._replace(constant=c)
            for p, c in zip(label_pieces(graph, TEXT), constants, strict=True)
        ]
        self.latex = [
            p._replace(constant=c)
            for p, c in zip(label_pieces(graph, LATEX), constants, strict=True)
        ]

    def label(self, index: int, notation: Notation) -> Piece:
        return self.latex[index] if notation is LATEX else self.text[index]

    def number(self, index: int, notation: Notation) -> Piece:
        shown = self.numbers.operand(index)
        constant = self.text[index].constant
        if notation is LATEX:
            return Piece(shown.latex, text_rank(shown.text), constant)
        return Piece(shown.text, text_rank(shown.text), constant)

    def operands(self, node: Node, notation: Notation, numbers_too: bool) -> list[Piece]:
        pick = self.number if numbers_too else self.label
        return [pick(i, notation) for i in node.inputs]

    def apply(self, node: Node, text: Notation, latex: Notation, numbers_too: bool) -> Shown:
        """The node's op applied to its operands, in ``text`` and in ``latex``."""
        shown = []
        for notation in (text, latex):
            args = self.operands(node, notation, numbers_too)
            shown.append(args[0] if node.op == COPY else notation.apply(node.op, args))
        return Shown(shown[0].text, shown[1].text)


def _local(graph: Graph, node: Node, pieces: _Pieces, numbers: Numbers, needs) -> LocalStep:
    formula = pieces.apply(node, LANGUAGE, LATEX, numbers_too=False)
    if node.op == COPY:
        one = Shown("1", "1")
        local = Local(graph.nodes[node.inputs[0]], one, None, one, 1)
        return LocalStep(node, formula, COPY_LESSON, [local], False)
    op = op_for(node.op)
    derivatives = []
    for i in dict.fromkeys(node.inputs):
        if not needs[i]:
            continue
        slots = [k for k, j in enumerate(node.inputs) if j == i]
        symbolic = _textbook(op, node, slots, pieces, numbers_too=False)
        plugged = _textbook(op, node, slots, pieces, numbers_too=True)
        value = numbers.local(node.index, i)
        repeats = plugged.text in (symbolic.text, value.bare().text)
        local = Local(graph.nodes[i], symbolic, None if repeats else plugged, value, len(slots))
        derivatives.append(local)
    side = op.side(*(numbers.floats[i] for i in node.inputs)) if op.side else None
    lesson = Shown(*op.textbook.lesson)
    return LocalStep(node, formula, lesson, derivatives, side == 0)


def _textbook(op, node: Node, slots: list[int], pieces: _Pieces, numbers_too: bool) -> Shown:
    """The textbook's local derivative for the given slots (summed), in text and LaTeX."""
    shown = []
    for notation in (TEXT, LATEX):
        args = pieces.operands(node, notation, numbers_too)
        y = pieces.number(node.index, notation) if numbers_too else None
        shown.append(op.textbook_local(notation, slots, args, y).text)
    return Shown(*shown)


def _chain(graph: Graph, node: Node, users: list[int], numbers: Numbers) -> ChainStep:
    terms = [
        (graph.nodes[u], numbers.grad(u).bare(), numbers.local(u, node.index).bare()) for u in users
    ]
    return ChainStep(node, terms, numbers.grad(node.index))


def _parenthesise(number: str) -> str:
    return f"({number})" if number.startswith("-") or " " in number else number


# --- text and Markdown -------------------------------------------------------------


def _uses(count: int) -> str:
    return "twice" if count == 2 else f"{count} times"


def _inputs(count: int) -> str:
    return "both inputs" if count == 2 else f"{count} inputs"


def _paths(count: int) -> str:
    return "both paths" if count == 2 else f"all {count} paths"


class _TextLines:
    """The lines of a solution as text; Markdown marks code and nests the lists."""

    def __init__(self, solution: Solution, markdown: bool) -> None:
        self.graph = solution.graph
        self.out = solution.output
        self.markdown = markdown

    def code(self, text: str) -> str:
        return f"`{text}`" if self.markdown else text

    def item(self, text: str, depth: int = 0) -> str:
        if self.markdown:
            return "  " * depth + f"- {text}"
        return "  " * (depth + 1) + text

    def label(self, node: Node) -> str:
        return self.graph.label(node)

    def local_symbol(self, user: Node, of: Node) -> str:
        return f"∂{self.label(user)}/∂{self.label(of)} (local)"

    def local(self, step: LocalStep, local: Local) -> str:
        parts = [self.local_symbol(step.node, local.of), local.formula.text]
        if local.numbers is not None:
            parts.append(local.numbers.text)
        if local.value.text != local.formula.text:
            parts.append(local.value.text)
        return " = ".join(parts)

    def chain(self, step: ChainStep) -> str:
        label = self.label(step.node)
        symbolic = " + ".join(
            f"∂{self.out}/∂{self.label(u)} · {self.local_symbol(u, step.node)}"
            for u, _, _ in step.terms
        )
        numeric = " + ".join(
            f"{_parenthesise(g.text)} · {_parenthesise(v.text)}" for _, g, v in step.terms
        )
        return f"∂{self.out}/∂{label} = {symbolic} = {numeric} = {step.grad.text}"


def render_text(solution: Solution, markdown: bool = False, brief: bool = False) -> str:
    """The solution as plain text or Markdown: a lesson, or in brief as one line per gate."""
    lines = _TextLines(solution, markdown)
    out = solution.output
    given = ", ".join(f"{name} = {value.text}" for name, value in solution.inputs)
    text = ["## Forward pass" if markdown else "Forward pass"]
    if markdown:
        text.append("")
    if given:
        text.append(f"Inputs: `{given}`" if markdown else f"  inputs: {given}")
    for step in solution.forward:
        text.append(lines.item(lines.code(_forward_text(solution.graph, step))))
    text += ["", "## Backward pass" if markdown else "Backward pass"]
    if markdown:
        text.append("")
    text.append(lines.item(lines.code(f"∂{out}/∂{out} = 1")))
    for step in solution.backward:
        text += _brief_lines(lines, step) if brief else _lesson_lines(lines, step)
    return "\n".join(text) + "\n"


def step_lines(solution: Solution) -> list[tuple[str, Node, str]]:
    """Each line of the solution's passes as (``"forward"`` or ``"backward"``, its node, text):
    the lines :func:`render_text` lists, for a page that shows them one node at a time."""
    lines = _TextLines(solution, False)
    graph, out = solution.graph, solution.output
    result = [("forward", step.node, _forward_text(graph, step)) for step in solution.forward]
    result.append(("backward", graph.nodes[graph.output], f"∂{out}/∂{out} = 1"))
    for step in solution.backward:
        result += [("backward", step.node, line.strip()) for line in _lesson_lines(lines, step)]
    return result


def _forward_parts(step: ForwardStep) -> list[Shown]:
    """What the node computes, with the numbers filled in, and its value: each once."""
    parts = [step.formula, step.numbers] if step.formula is not None else []
    shown: list[Shown] = []
    for part in [*parts, step.value]:
        if not shown or part.bare().text not in (s.bare().text for s in shown):
            shown.append(part)
    if shown[-1] is not step.value:  # the value (with its float) is always last
        shown[-1] = step.value
    return shown


def _forward_text(graph: Graph, step: ForwardStep) -> str:
    parts = [graph.label(step.node), *(part.text for part in _forward_parts(step))]
    return " = ".join(parts)


def _lesson_lines(lines: _TextLines, step: LocalStep | ChainStep) -> list[str]:
    if isinstance(step, ChainStep):
        out = []
        if len(step.terms) > 1:
            name = lines.label(step.node)
            count = len(step.terms)
            phrase = f"{name} is used {_uses(count)}: its gradient is the sum of {_paths(count)}"
            out.append(lines.item(phrase))
        out.append(lines.item(lines.code(lines.chain(step))))
        return out
    label = lines.label(step.node)
    head = f"{lines.code(f'{label} = {step.formula.text}')}: {step.lesson.text}"
    out = [lines.item(head)]
    for local in step.derivatives:
        line = lines.code(lines.local(step, local))
        if local.slots > 1:
            name = lines.label(local.of)
            line += (
                f" ({name} is {_inputs(local.slots)} of this gate: their local derivatives add up)"
            )
        out.append(lines.item(line, depth=1))
    if step.convention:
        out.append(lines.item("at this point cg follows PyTorch's convention", depth=1))
    return out


def _brief_lines(lines: _TextLines, step: LocalStep | ChainStep) -> list[str]:
    graph = lines.graph
    if isinstance(step, ChainStep):
        only_output = len(step.terms) == 1 and step.terms[0][0].index == graph.output
        if only_output and step.node.op != INPUT:
            return []
        if only_output:
            return [
                lines.item(lines.code(f"∂{lines.out}/∂{lines.label(step.node)} = {step.grad.text}"))
            ]
        return [lines.item(lines.code(lines.chain(step)))]
    label = lines.label(step.node)
    parts = " and ".join(lines.local(step, local) for local in step.derivatives)
    return [lines.item(lines.code(f"{label} = {step.formula.text}, so {parts}"))]


# --- LaTeX -----------------------------------------------------------------------

LATEX_PREAMBLE = r"\usepackage{amsmath}"


def _partial(out: str, of: str) -> str:
    return rf"\frac{{\partial {out}}}{{\partial {of}}}"


def _local_partial(user: str, of: str) -> str:
    return rf"\left.{_partial(user, of)}\right|_{{\text{{local}}}}"


def _latex_group(number: Shown) -> str:
    text = number.latex
    return rf"\left({text}\right)" if text_rank(number.text) < ATOM else text


def render_latex(solution: Solution, brief: bool = False) -> str:
    """The solution for LaTeX with amsmath: the forward pass in one ``align*``, then the
    backward pass gate by gate, each in an ``align*`` of its own so that it fits the page."""
    graph = solution.graph
    name = [LATEX.name(graph.label(n)).text for n in graph.nodes]
    out = LATEX.name(solution.output).text
    lines = [f"% cg explain: needs {LATEX_PREAMBLE}", r"\noindent\textbf{Forward pass}", ""]
    if solution.inputs:
        given = ", ".join(
            f"${LATEX.name(label).text} = {value.latex}$" for label, value in solution.inputs
        )
        lines += [rf"\noindent Inputs: {given}.", ""]
    rows = []
    for step in solution.forward:
        parts = " = ".join(part.latex for part in _forward_parts(step))
        rows.append(f"{name[step.node.index]} &= {parts}")
    lines += _align(rows)
    lines += [r"\noindent\textbf{Backward pass}", ""]
    lines += _align([rf"{_partial(out, out)} &= 1"])
    for step in solution.backward:
        label = name[step.node.index]
        if isinstance(step, LocalStep):
            if not brief:
                what = f"${label} = {step.formula.latex}$: {_latex_lesson(step.lesson)}"
                lines += [rf"\noindent {what}", ""]
            rows = []
            for local in step.derivatives:
                parts = [local.formula.latex]
                if local.numbers is not None:
                    parts.append(local.numbers.latex)
                if local.value.text != local.formula.text:
                    parts.append(local.value.latex)
                symbol = _local_partial(label, name[local.of.index])
                rows.append(rf"{symbol} &= {' = '.join(parts)}")
            lines += _align(rows)
            notes = [
                f"${name[local.of.index]}$ is {_inputs(local.slots)} of this gate: "
                "their local derivatives add up"
                for local in step.derivatives
                if local.slots > 1
            ]
            if step.convention:
                notes.append("At this point cg follows PyTorch's convention.")
            if not brief:
                lines += [line for note in notes for line in (rf"\noindent {note}", "")]
            continue
        if not brief and len(step.terms) > 1:
            count = len(step.terms)
            phrase = f"${label}$ is used {_uses(count)}: its gradient is the sum of {_paths(count)}"
            lines += [rf"\noindent {phrase}", ""]
        lines += _align(_latex_chain(step, out, label, name))
    return "\n".join(lines) + "\n"


ALIGN_ROWS = 40
"""Rows of one align* at most: TeX keeps a whole align* in memory and on one page."""


def _align(rows: list[str]) -> list[str]:
    """The rows in align* environments of at most :data:`ALIGN_ROWS` rows each."""
    lines = []
    for start in range(0, len(rows), ALIGN_ROWS):
        chunk = rows[start : start + ALIGN_ROWS]
        lines += [r"\begin{align*}", " \\\\\n".join(chunk), r"\end{align*}"]
    return lines


def _latex_chain(step: ChainStep, out: str, label: str, name: list[str]) -> list[str]:
    """The chain rule for one node: one line per term, then the numbers, three terms a line."""
    symbolic = [
        rf"{_partial(out, name[u.index])} \cdot {_local_partial(name[u.index], label)}"
        for u, _, _ in step.terms
    ]
    rows = [rf"{_partial(out, label)} &= {symbolic[0]}"]
    rows += [rf"&\quad + {term}" for term in symbolic[1:]]
    numeric = [rf"{_latex_group(g)} \cdot {_latex_group(v)}" for _, g, v in step.terms]
    chunks = [" + ".join(numeric[k : k + 3]) for k in range(0, len(numeric), 3)]
    chunks[-1] += f" = {step.grad.latex}"
    rows.append(f"&= {chunks[0]}")
    rows += [rf"&\quad + {chunk}" for chunk in chunks[1:]]
    return rows


def _latex_lesson(lesson: Shown) -> str:
    return lesson.latex if lesson.latex != lesson.text else latex_text(lesson.text)


# --- the library function ------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Explanation:
    """The worked solution of a program at a point, ready to print in any form."""

    solution: Solution
    brief: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Plain text, as ``cg explain`` prints it."""
        return render_text(self.solution, brief=self.brief)

    @property
    def markdown(self) -> str:
        return render_text(self.solution, markdown=True, brief=self.brief)

    @property
    def latex(self) -> str:
        """A LaTeX fragment (needs amsmath)."""
        return render_latex(self.solution, brief=self.brief)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        s = self.solution
        return (
            f"<Explanation of {s.output}: {len(s.forward)} forward steps, "
            f"{len(s.backward)} backward steps>"
        )

    def _repr_markdown_(self) -> str:
        return self.markdown


@overload
def explain(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    mode: Literal["reverse"] = "reverse",
    exact: bool = False,
    exact_timeout: float = EXACT_TIMEOUT,
    digits: int | None = 6,
    brief: bool = False,
    output: str | None = None,
    by_step: Literal[False] = False,
    truncate: None = None,
) -> Explanation: ...


@overload
def explain(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    mode: Literal["reverse"] = "reverse",
    digits: int | None = 6,
    output: str | None = None,
    by_step: bool = False,
    truncate: int | None = None,
) -> StepExplanation: ...


@overload
def explain(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    mode: Literal["forward"],
    wrt: str | None = None,
    tangent: Mapping[str, object] | str | None = None,
    digits: int | None = 6,
    output: str | None = None,
) -> ForwardExplanation: ...


def explain(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    mode: str = "reverse",
    wrt: str | None = None,
    tangent: Mapping[str, object] | str | None = None,
    exact: bool = False,
    exact_timeout: float = EXACT_TIMEOUT,
    digits: int | None = 6,
    brief: bool = False,
    output: str | None = None,
    by_step: bool = False,
    truncate: int | None = None,
) -> Explanation | ForwardExplanation | StepExplanation:
    """The worked chain-rule solution of ``program`` at ``values``, every number filled in.

    ``mode="reverse"``: the forward pass node by node, then the backward pass gate by
    gate (``brief`` leaves out what each gate does; ``exact`` keeps exact numbers, within
    ``exact_timeout`` seconds).
    ``mode="forward"``: every node's tangent along the input ``wrt`` or the direction
    ``tangent``, by the chain rule. ``by_step`` (a program with a loop): backpropagation
    through time step by step, each shared weight's gradient as the sum of its shares
    over the steps; ``truncate=K`` the same, truncated K steps back (checked).
    """
    from ..api.evaluate import evaluate
    from ..api.evaluation import parse_values
    from ..core.parser import parse_program

    mode = arguments.choice(mode, "mode", ("reverse", "forward"))
    digits = arguments.digits(digits)
    exact = arguments.flag(exact, "exact")
    brief = arguments.flag(brief, "brief")
    if mode == "forward" or tangent is not None:
        from .forward_explanation import explain_tangents

        if exact:
            raise UsageError("--mode forward explains in text or markdown, in float64")
        graph = parse_program(program)
        if output is not None:
            graph = graph.with_output_name(output)
        return explain_tangents(
            graph, parse_values(values), wrt=wrt, tangent=tangent, digits=digits
        )
    if wrt is not None:
        raise UsageError("--wrt is for --mode forward (the reverse pass gives every gradient)")
    if by_step or truncate is not None:
        from .step_explanation import StepExplanation

        if exact:
            raise UsageError("--exact is for the gate-by-gate explanation, not by step")
        result = evaluate(program, values, output=output, by_step=True, truncate=truncate)
        return StepExplanation(result, digits, tuple(result.warnings))
    result = evaluate(
        program, values, output=output, check=False, exact=exact, exact_timeout=exact_timeout
    )
    if result.shapes is not None:  # vectors and matrices: the matrix rules, with shapes
        from .array_explanation import ArrayExplanation

        return ArrayExplanation(result, digits, tuple(result.warnings))
    floats = [r.value for r in result.nodes]
    if exact:
        numbers = exact_numbers(result.exact, digits, floats)
    else:
        numbers = float_numbers(result.graph, floats, [r.grad for r in result.nodes], digits)
    return Explanation(solve(result.graph, numbers), brief, tuple(result.warnings))


def explain_forward(
    program: str | Graph,
    values: Mapping[str, object] | None = None,
    *,
    wrt: str | None = None,
    tangent: Mapping[str, object] | None = None,
    digits: int | None = 6,
) -> ForwardExplanation:
    """Deprecated: ``explain(program, values, mode="forward", wrt=...)``."""
    renamed("explain_forward", 'explain(..., mode="forward")')
    return explain(program, values, mode="forward", wrt=wrt, tangent=tangent, digits=digits)
