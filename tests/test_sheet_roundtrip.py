"""Every sheet format reads back for every program, comments included (issue 23): a
property test over generated programs whose comments hold commas, quotes, semicolons,
``#``, pipes and backticks. The blank sheet of each format is graded as it is written
(nothing right, every question asked, no problem), and the program line a sheet shows
is the same program: statements joined by ``;``, the comments after them all (or, when
a loop has an indented body, the program's own lines).
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

import cgcli
from cgcli.grading.blank import SHEET_FORMATS, program_lines

SUFFIX = {"markdown": ".md", "csv": ".csv", "tsv": ".tsv", "json": ".json", "latex": ".tex"}
INPUTS = ("x", "y", "w")
COMMENT = st.text(
    alphabet=st.sampled_from([*"ab xyz,;#|`'\"=*+-()[]{}\\%&_$~^<>.:!?", "é", "∂", "σ"]),
    max_size=20,
)


@st.composite
def programs(draw):
    """A program of two to four statements, each maybe with a comment after it, and
    maybe comment lines between them."""
    names = list(INPUTS)
    lines = []
    for n in range(draw(st.integers(2, 4))):
        if draw(st.booleans()):
            lines.append(f"# {draw(COMMENT)}")
        a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        form = draw(st.sampled_from(["{a} + {b}", "{a} * {b}", "{a} - {b}", "tanh({a}) * {b}"]))
        statement = f"v{n}_ = {form.format(a=a, b=b)}"
        if draw(st.booleans()):
            statement += f"  # {draw(COMMENT)}"
        lines.append(statement)
        names.append(f"v{n}_")
        if draw(st.integers(0, 3)) == 0:  # a loop with an indented body, statements after it
            lines.append(f"for t in 1..2:  # {draw(COMMENT)}")
            lines.append(f"    v{n}_ += {draw(st.sampled_from(names))} * w  # {draw(COMMENT)}")
    return "\n".join(lines) + "\n"


def shape(program: str) -> list[tuple[str, str, tuple[int, ...]]]:
    graph = cgcli.parse(program)
    return [(graph.label(n), n.op, n.inputs) for n in graph.nodes]


VALUES = {"x": 0.5, "y": -2, "w": 3}


@settings(max_examples=40)
@given(programs())
def test_the_program_line_is_the_same_program(program):
    lines = program_lines(program)
    assert len(lines) == 1 or "for t" in program  # one line unless a loop has a body below
    assert shape("\n".join(lines)) == shape(program)


@settings(max_examples=25)
@given(programs())
def test_every_blank_sheet_reads_back(tmp_path_factory, program):
    folder = tmp_path_factory.mktemp("sheets")
    grader = cgcli.grading.grader_for(program, VALUES)
    asked = len(grader.questions("all"))
    for fmt in SHEET_FORMATS:
        path = folder / f"blank{SUFFIX[fmt]}"
        path.write_text(cgcli.blank_sheet(program, VALUES, sheet_format=fmt), encoding="utf-8")
        report = cgcli.grade(program, VALUES, path)
        assert (report.right, report.asked, report.problems) == (0, asked, []), (fmt, program)


def test_a_comment_with_a_comma_reads_back_from_csv(tmp_path):
    program = "q = x + y  # the sum, then the product\nf = q * w\n"
    text = cgcli.blank_sheet(program, VALUES, sheet_format="csv")
    assert "q = x + y; f = q * w  # the sum, then the product" in text
    (tmp_path / "blank.csv").write_text(text, encoding="utf-8")
    report = cgcli.grade(program, VALUES, tmp_path / "blank.csv")
    assert (report.right, report.asked, report.problems) == (0, 6, [])
    doc = json.loads(cgcli.blank_sheet(program, VALUES, sheet_format="json"))
    assert doc["program"] == "q = x + y; f = q * w  # the sum, then the product"


def test_a_loop_with_a_body_below_keeps_its_lines(tmp_path):
    program = "h[0] = 0\nfor t in 1..2:\n    h[t] = tanh(w*h[t-1] + x)  # step, t\nL = h[2]^2\n"
    markdown = cgcli.blank_sheet(program, VALUES, sheet_format="markdown")
    assert "```\nh[0] = 0\nfor t in 1..2:\n    h[t] = tanh(w*h[t-1] + x)  # step, t\n" in markdown
    doc = json.loads(cgcli.blank_sheet(program, VALUES, sheet_format="json"))
    assert doc["program"] == program.rstrip()
    csv_text = cgcli.blank_sheet(program, VALUES, sheet_format="csv")
    assert "# program: h[0] = 0\n#          for t in 1..2:\n" in csv_text
