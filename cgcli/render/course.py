"""The drawings and tables of a graded class: the gates where students went wrong (a
table, and the circuit shaded by the share of students), and one student's graded
circuit (their wrong answers marked where made, carried ones told apart) as SVG and
HTML. The drawings need Graphviz's dot."""

from __future__ import annotations

import html

from ..api.evaluation import Evaluation
from ..core.untrusted import visible
from ..grading.gates import GateSummary
from ..grading.report import SheetGrade
from .graph import Annotations, _dot_text, to_dot
from .graphviz import refuse_large, run_dot
from .table import Column, plain

MADE = "#f4a3a3"
"""The fill of a gate where a student's mistake was made."""
CARRIED = "#fde2a7"
"""The fill of a gate whose wrong answer was carried from an earlier mistake."""


def gates_table(gates: list[GateSummary]) -> str:
    """Per gate: how many students made their first mistake there, and which kinds."""
    if not gates:
        return "first mistakes: none, every sheet is right\n"
    rows = [
        [
            visible(g.gate),
            f"{g.students} of {g.of}",
            f"{g.share:.0%}",
            ", ".join(f"{kind} ({n})" for kind, n in g.kinds.items()),
        ]
        for g in gates
    ]
    columns = [Column("first mistake at"), Column("students", True), Column("share", True),
               Column("kinds")]  # fmt: skip
    return plain(columns, rows) + "\n"


def _shade(share: float) -> str:
    """White for no student, full red for every student."""
    level = round(255 - 175 * max(0.0, min(1.0, share)))
    return f"#ff{level:02x}{level:02x}"


def _notes(result: Evaluation, digits: int | None) -> Annotations:
    return Annotations(
        [r.value for r in result.nodes], [r.grad for r in result.nodes], result.output, digits
    )


def _index(result: Evaluation) -> dict[str, int]:
    graph = result.graph
    return {graph.label(n): n.index for n in graph.nodes}


def class_drawing(
    result: Evaluation, gates: list[GateSummary], digits: int | None = 6, numbers: bool = True
) -> str:
    """The circuit (with ``numbers``, those of ``result``'s point; a class of variants
    has no one point), each gate shaded by the share of students whose first mistake
    was there, and that share beside it, as SVG."""
    refuse_large(result.graph, "the class drawing")
    marks = class_marks(result, gates)
    notes = _notes(result, digits) if numbers else None
    dot = to_dot(result.graph, notes, "circuit", marks)
    return run_dot(dot, "svg", "the class drawing").decode()


def class_marks(result: Evaluation, gates: list[GateSummary]) -> dict[int, str]:
    """DOT attributes of each gate where students made their first mistake: a fill by
    their share, their count and most common kind beside it, every kind in its tooltip."""
    labels = _index(result)
    marks = {}
    for g in gates:
        if g.gate in labels:
            note = _dot_text(f"{g.students} of {g.of}: {next(iter(g.kinds))}")
            marks[labels[g.gate]] = (
                f'style=filled, fillcolor="{_shade(g.share)}", xlabel="{note}", '
                f'tooltip="{_dot_text(_kinds(g))}"'
            )
    return marks


def class_page(svg: str, gates: list[GateSummary], title: str) -> str:
    """The class drawing in a self-contained HTML page, above the table of gates."""
    title = visible(" ".join(title.split()))
    rows = "".join(
        f"<tr><td>{html.escape(visible(g.gate))}</td><td>{g.students} of {g.of}</td>"
        f"<td>{g.share:.0%}</td><td>{html.escape(_kinds(g).split(': ', 1)[1])}</td></tr>"
        for g in gates
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:Helvetica,sans-serif;margin:1.5em}"
        "td,th{padding:2px 8px;text-align:left}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>Each gate is shaded by the share of students "
        "whose first mistake was made there (white: none, red: all).</p>"
        f"{svg[svg.index('<svg') :]}<table><tr><th>first mistake at</th><th>students</th>"
        f"<th>share</th><th>kinds</th></tr>{rows}</table></body></html>\n"
    )


def _kinds(g: GateSummary) -> str:
    return f"{g.gate}: " + ", ".join(f"{kind} ({n})" for kind, n in g.kinds.items())


def graded_marks(result: Evaluation, sheet: SheetGrade) -> dict[int, str]:
    """DOT attributes of the gates of a student's wrong answers: red at the gate where
    a mistake was made (its diagnosis's gate, as in the class drawing; the answer's own
    node when undiagnosed), amber at the node of a wrong answer only carried; beside
    each, the answers and what the student wrote."""
    labels = _index(result)
    notes: dict[int, list[str]] = {}
    made: set[int] = set()
    for answer in sheet.scored:
        if answer.right or answer.label not in labels:
            continue
        diagnosis = answer.diagnosis
        carried = bool(diagnosis and diagnosis.mistake == "carried")
        index = labels[answer.label]
        if diagnosis and not carried:
            index = labels.get(diagnosis.gate, index)
        written = visible(answer.given.text) if answer.given else "nothing"
        mark = "carried" if carried else "✗"
        kind = f" ({diagnosis.mistake})" if diagnosis and not carried else ""
        notes.setdefault(index, []).append(
            f"{mark} {answer.shown}: {written}, not {answer.correct_text}{kind}"
        )
        if not carried:
            made.add(index)
    marks = {}
    for index, lines in notes.items():
        fill = MADE if index in made else CARRIED
        shown = lines[:4] + ([f"and {len(lines) - 4} more"] if len(lines) > 4 else [])
        text = "\\n".join(_dot_text(line[:150]) for line in shown)
        marks[index] = f'style=filled, fillcolor="{fill}", xlabel="{text}"'
    return marks


def graded_drawing(result: Evaluation, sheet: SheetGrade, digits: int | None = 6) -> str:
    """One student's graded circuit as SVG: the right numbers on the wires, each gate
    where a mistake was made filled red, each node of a carried wrong answer amber,
    each labelled with the answers and what the student wrote."""
    refuse_large(result.graph, "the graded drawing")
    dot = to_dot(result.graph, _notes(result, digits), "circuit", graded_marks(result, sheet))
    return run_dot(dot, "svg", "the graded drawing").decode()


def svg_data_url(svg: str) -> str:
    """An SVG as a ``data:`` URL (PrairieLearn's ``images``, an ``<img>``)."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def graded_page(
    result: Evaluation, sheet: SheetGrade, digits: int | None = 6, svg: str | None = None
) -> str:
    """The graded drawing (``svg``, drawn already, or drawn now) in a self-contained HTML
    page, with a legend and the answers."""
    svg = svg or graded_drawing(result, sheet, digits)
    svg = svg[svg.index("<svg") :]
    rows = "".join(
        f"<tr><td>{html.escape(visible(a.shown))}</td>"
        f"<td>{html.escape(visible(a.given.text)) if a.given else ''}</td>"
        f"<td>{html.escape(a.correct_text)}</td><td>{html.escape(_grade(a))}</td></tr>"
        for a in sheet.scored
    )
    who = html.escape(visible(sheet.student))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{who}: graded</title>"
        "<style>body{font-family:Helvetica,sans-serif;margin:1.5em}"
        "td,th{padding:2px 8px;text-align:left}"
        f".made{{background:{MADE}}}.carried{{background:{CARRIED}}}</style></head><body>"
        f"<h1>{who}</h1><p>{html.escape(f'{sheet.right} of {sheet.asked} asked right')}. "
        f'<span class="made">red</span>: a mistake made at that gate; '
        f'<span class="carried">amber</span>: a wrong answer carried from an earlier '
        "mistake. The wires carry the right values (above) and gradients (below).</p>"
        f"{svg}<table><tr><th>answer</th><th>given</th><th>correct</th><th>grade</th></tr>"
        f"{rows}</table></body></html>\n"
    )


def _grade(answer) -> str:
    if answer.right:
        return "✓ " + answer.verdict
    if answer.diagnosis:
        return "✗ " + answer.diagnosis.text
    return "✗ " + answer.verdict


def _result_at(graph, point) -> Evaluation:
    from ..api.array_evaluation import evaluate_either
    from ..passes.values import expand_sequences

    inputs, _ = expand_sequences(graph, point)
    return evaluate_either(graph, inputs, check=False)


def class_circuit(graph, values, variants, grades, digits: int | None, page: bool) -> str:
    """``--class-drawing``: the circuit shaded by the class's first mistakes, as SVG or
    (``page``) an HTML page with the gates' table. A class of variants is drawn at one
    student's values, for the layout alone, without numbers."""
    from ..grading.gates import first_mistakes
    from ..grading.variants import values_of

    first = next(iter(variants.values())) if variants else None
    result = _result_at(graph, values_of(values, first))
    gates = first_mistakes(grades.sheets)
    svg = class_drawing(result, gates, digits, numbers=variants is None)
    if not page:
        return svg
    return class_page(svg, gates, f"Where the class went wrong: {graph.source.strip()}")


def student_circuits(graph, values, variants, variants_file, grades, digits: int | None):
    """``--drawings``: each graded sheet's circuit at its student's own values, as
    ``(sheet, svg, html page)``."""
    from ..grading.variants import values_of, variant_of

    for sheet in grades.sheets:
        variant = variant_of(sheet, variants, variants_file) if variants is not None else None
        result = _result_at(graph, values_of(values, variant))
        svg = graded_drawing(result, sheet, digits)
        yield sheet, svg, graded_page(result, sheet, digits, svg)
