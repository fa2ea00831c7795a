"""Grading matrix answers: entry by entry, with credit per entry, in every sheet format,
and the mistakes of vectorised backpropagation planted in sheets.

Every right and wrong array below is computed here with NumPy by hand (the matrix rules
a course teaches, ``dW = dD·Xᵀ``, ``dX = Wᵀ·dD``, and each mistake as a student makes
it), never with cg's own passes.
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

import cgcli
from cgcli.grading.array_mistakes import ARRAY_KINDS
from cgcli.grading.blank import blank_sheet
from cgcli.grading.mistakes import KINDS
from cgcli.grading.sheets import parse_sheet

PRODUCT = "D = W @ X; L = sum(D * G)"
W = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
X = np.array([[1.0, 0.0], [2.0, 1.0], [-1.0, 2.0]])
G = np.array([[0.5, -1.0], [2.0, 0.1]])
PRODUCT_VALUES = {"W": W.tolist(), "X": X.tolist(), "G": G.tolist()}
DW = G @ X.T  # ∂L/∂D = G: dW = dD·Xᵀ
DX = W.T @ G  # dX = Wᵀ·dD

SQUARE_W = np.array([[1.0, 2.0], [0.0, -1.0]])
SQUARE_X = np.array([[1.0, 0.0], [2.0, 1.0]])
SQUARE_VALUES = {"W": SQUARE_W.tolist(), "X": SQUARE_X.tolist(), "G": G.tolist()}

BATCH = "D = W @ X + b; L = mean(D * D)"
BW = np.array([[1.0, -1.0], [0.0, 2.0], [1.0, 1.0]])
BX = np.array([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.0]])
BB = np.array([[0.5], [-1.0], [0.0]])
BATCH_VALUES = {"W": BW.tolist(), "X": BX.tolist(), "b": BB.tolist()}
BD = BW @ BX + BB
B_DD = 2 * BD / BD.size  # ∂mean(D²)/∂D

SOFTMAX = "s = W @ x + b; p = softmax(s); L = -sum(y * log(p))"
SW = np.array([[0.5, -1.0], [2.0, 0.1], [0.0, 1.0]])
SX = np.array([1.0, -2.0])
SB = np.array([0.1, 0.2, 0.3])
SY = np.array([0.0, 1.0, 0.0])
SOFTMAX_VALUES = {"W": SW.tolist(), "x": SX.tolist(), "b": SB.tolist(), "y": SY.tolist()}
S = SW @ SX + SB
P = np.exp(S) / np.exp(S).sum()
DP = -SY / P


def text(array) -> str:
    """An array as a student writes it, to 6 decimals."""
    return json.dumps(np.round(np.asarray(array, dtype=float), 6).tolist())


def graded(program, values, answers):
    report = cgcli.grade(program, values, answers)
    return report, {a.key: a for a in report.answers}


def test_a_right_matrix_answer_is_right_entry_by_entry():
    report, answers = graded(PRODUCT, PRODUCT_VALUES, {"dL/dW": text(DW), "dL/dX": text(DX)})
    assert answers["dL/dW"].verdict == "right"
    assert answers["dL/dX"].entries == (6, 6)
    assert report.score == "2 of 2 asked"
    assert report.points == 2


def test_credit_per_entry_in_the_grade_json_and_text(cg):
    wrong = DX.copy()
    wrong[2, 1] += 0.1  # one entry of six
    report, answers = graded(PRODUCT, PRODUCT_VALUES, {"dL/dW": text(DW), "dL/dX": text(wrong)})
    answer = answers["dL/dX"]
    assert answer.verdict == "wrong" and answer.entries == (5, 6)
    assert answer.diagnosis.text == "5 of 6 entries right; wrong: [3,2]"
    assert report.points == pytest.approx(1 + 5 / 6)
    doc = answer.as_dict()
    assert (doc["entries_right"], doc["entries"]) == (5, 6)
    values = [f"{k}={json.dumps(v).replace(' ', '')}" for k, v in PRODUCT_VALUES.items()]
    out = cg("check", PRODUCT, *values, "--expect", f"dL/dX={text(wrong)}")
    assert out.exit_code == 1
    assert "5 of 6 entries right; wrong: [3,2]" in out.stdout
    assert out.stdout.splitlines()[-1] == "0 of 1 asked right; 0.833333 of 1 points"


def test_a_transposed_answer_is_wrong_not_an_error(cg):
    _, answers = graded(PRODUCT, PRODUCT_VALUES, {"dL/dW": text(DW.T)})
    answer = answers["dL/dW"]
    assert answer.verdict == "wrong" and answer.entries == (0, 6)
    assert answer.diagnosis.mistake == "transposed"
    assert answer.diagnosis.text.startswith("shape 3×2, expected 2×3: transposed?")
    values = [f"{k}={json.dumps(v).replace(' ', '')}" for k, v in PRODUCT_VALUES.items()]
    out = cg("check", PRODUCT, *values, "--expect", f"dL/dW={text(DW.T)}")
    assert out.exit_code == 1 and "shape 3×2, expected 2×3: transposed?" in out.stdout


def test_another_wrong_shape_says_the_shapes():
    _, answers = graded(PRODUCT, PRODUCT_VALUES, {"dL/dW": "[1, 2, 3]"})
    assert answers["dL/dW"].diagnosis.text == "shape 3, expected 2×3"
    assert answers["dL/dW"].diagnosis.mistake == "wrong shape"


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("[[1, 2], [3]]", "ragged list"),
        ("[[1, 2], [3, x]]", "dL/dD[2,2]"),
        ("[[1, 2], [3, true]]", "dL/dD[2,2]"),
    ],
)
def test_ragged_or_non_numeric_answers_get_a_note(written, words):
    _, answers = graded(PRODUCT, PRODUCT_VALUES, {"dL/dD": written, "dL/dW": text(DW)})
    answer = answers["dL/dD"]
    assert answer.verdict == "wrong" and answer.diagnosis.mistake == "not an array"
    assert words in answer.diagnosis.text
    assert answers["dL/dW"].verdict == "right"


@pytest.mark.parametrize(
    ("key", "planted", "kind"),
    [
        ("dL/dW", SQUARE_X.T @ G, "product in the wrong order"),  # Xᵀ·dD for dD·Xᵀ
        ("dL/dX", G @ SQUARE_W.T, "product in the wrong order"),  # dD·Wᵀ for Wᵀ·dD
        ("dL/dW", G @ SQUARE_X, "transposed"),  # dD·X: the transpose left out
        ("dL/dX", SQUARE_W @ G, "transposed"),
    ],
)
def test_matrix_product_mistakes(key, planted, kind):
    _, answers = graded(PRODUCT, SQUARE_VALUES, {key: text(planted)})
    assert answers[key].verdict == "wrong"
    assert answers[key].diagnosis.mistake == kind


def test_the_sum_over_the_batch_left_out():
    right = B_DD.sum(axis=1, keepdims=True)
    _, answers = graded(BATCH, BATCH_VALUES, {"dL/db": text(right)})
    assert answers["dL/db"].verdict.startswith("right")
    _, answers = graded(BATCH, BATCH_VALUES, {"dL/db": text(B_DD)})  # not summed: 3×3
    assert answers["dL/db"].diagnosis.mistake == "sum over the batch left out"
    assert answers["dL/db"].diagnosis.text.startswith("shape 3×3, expected 3×1 (")
    _, answers = graded(BATCH, BATCH_VALUES, {"dL/db": text(B_DD[:, [1]])})  # one example
    assert answers["dL/db"].diagnosis.mistake == "sum over the batch left out"
    assert "example 2" in answers["dL/db"].diagnosis.text


def test_the_softmax_jacobian_diagonal_only_and_what_is_carried_from_it():
    right = P * (DP - np.sum(DP * P))
    assert np.allclose(right, P - SY)  # the rule every course derives
    wrong = P * (1 - P) * DP
    _, answers = graded(
        SOFTMAX, SOFTMAX_VALUES, {"dL/ds": text(wrong), "dL/dW": text(np.outer(wrong, SX))}
    )
    assert answers["dL/ds"].diagnosis.mistake == "softmax diagonal only"
    assert answers["dL/ds"].entries == (1, 3)
    carried = answers["dL/dW"].diagnosis
    assert carried.mistake == "carried" and carried.root == "softmax diagonal only"
    assert carried.carried_from == ("dL/ds",)
    _, answers = graded(SOFTMAX, SOFTMAX_VALUES, {"dL/dW": text(np.outer(P - SY, SX))})
    assert answers["dL/dW"].verdict.startswith("right")


def test_value_answers_and_the_array_kinds_in_the_catalogue():
    _, answers = graded(PRODUCT, PRODUCT_VALUES, {"D": text(W @ X), "L": str(np.sum(W @ X * G))})
    assert answers["D"].verdict == "right" and answers["L"].verdict == "right"
    assert set(ARRAY_KINDS) <= set(KINDS)


def _filled(program, values, fmt, answers):
    """A blank sheet of ``fmt``, filled in: the cell of each node's value or gradient."""
    sheet = blank_sheet(program, values, sheet_format=fmt)
    out_lines: list[str] = []
    if fmt == "json":
        doc = json.loads(sheet)
        for node in doc["nodes"]:
            for kind, column in (("value", "value"), ("grad", "grad")):
                if (node["label"], kind) in answers:
                    node[column] = answers[(node["label"], kind)].tolist()
        return json.dumps(doc)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(sheet)))
        header = rows.index(["node", "op", "inputs", "text", "shape", "value", "grad"])
        for row in rows[header + 1 :]:
            for kind, column in (("value", 5), ("grad", 6)):
                if (row[0], kind) in answers:
                    row[column] = text(answers[(row[0], kind)])
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue()
    for line in sheet.splitlines():
        if fmt == "markdown" and line.startswith("| ") and not line.startswith("| node"):
            cells = line.split(" | ")
            label = cells[0][2:]
            for kind, column in (("value", 5), ("grad", 6)):
                if (label, kind) in answers:
                    cells[column] = text(answers[(label, kind)])
            line = " | ".join(cells)
            if cells[-1] != "" and not line.endswith(" |"):
                line += " |"
        if fmt == "latex" and line.startswith("$") and line.endswith(r"\\"):
            cells = line[:-2].split(" & ")
            label = cells[0].strip("$")
            for kind, column in (("value", 3), ("grad", 4)):
                if (label, kind) in answers:
                    cells[column] = text(answers[(label, kind)])
            line = " & ".join(cells) + r" \\"
        out_lines.append(line)
    return "\n".join(out_lines) + "\n"


@pytest.mark.parametrize("fmt", ["markdown", "csv", "json", "latex"])
def test_every_sheet_format_takes_a_matrix_answer(fmt):
    wrong = DX.copy()
    wrong[0, 0] = 7
    answers = {("D", "value"): W @ X, ("W", "grad"): DW, ("X", "grad"): wrong, ("D", "grad"): G}
    filled = _filled(PRODUCT, PRODUCT_VALUES, fmt, answers)
    sheet = parse_sheet(filled, f"alice.{fmt}", fmt)
    report, graded_answers = graded(PRODUCT, PRODUCT_VALUES, sheet)
    assert report.problems == []
    assert graded_answers["D"].verdict == "right"
    assert graded_answers["dL/dW"].verdict == "right"
    assert graded_answers["dL/dX"].entries == (5, 6)
    assert graded_answers["dL/dD"].verdict == "right"
    assert graded_answers["W"].verdict == "given"


def test_the_blank_sheet_asks_by_shape():
    sheet = blank_sheet(PRODUCT, PRODUCT_VALUES)
    assert "| node | op | inputs | text | shape | value | ∂L/∂node |" in sheet
    assert "| W | input |  | `W` | 2×3 | [[1, 2, 0], [0, -1, 3]] |  |" in sheet
    assert "| D | matmul | W, X | `W @ X` | 2×2 |  |  |" in sheet
    doc = json.loads(blank_sheet(PRODUCT, PRODUCT_VALUES, sheet_format="json"))
    assert doc["nodes"][0]["shape"] == "2×3"


def test_text_sheets_and_a_class(tmp_path):
    (tmp_path / "ann.txt").write_text(f"dL/dW = {text(DW)}\ndL/dX = {text(DX)}\n")
    (tmp_path / "bob.txt").write_text(f"dL/dW = {text(DW.T)}\ndL/dX = {text(DX)}\n")
    grades = cgcli.grade_class(
        PRODUCT, PRODUCT_VALUES, [tmp_path / "ann.txt", tmp_path / "bob.txt"]
    )
    ann, bob = grades.sheets
    assert ann.ok and not bob.ok
    assert bob.points == 1


def test_the_gradebook_credits_entries(cg, tmp_path):
    wrong = DX.copy()
    wrong[0, 0] = 7
    (tmp_path / "ann.txt").write_text(f"dL/dW = {text(DW)}\ndL/dX = {text(wrong)}\n")
    values = [f"{k}={json.dumps(v).replace(' ', '')}" for k, v in PRODUCT_VALUES.items()]
    book = tmp_path / "book.csv"
    out = cg(
        "check", PRODUCT, *values, "--answers", str(tmp_path / "ann.txt"), "--summary", str(book)
    )
    assert out.exit_code == 1
    rows = list(csv.DictReader(book.open()))
    assert float(rows[0]["points"]) == pytest.approx(1 + 5 / 6)
    assert rows[0]["dL/dX"] == "wrong (5 of 6 entries, no common mistake)"


WRITTEN = {  # as a student types them: whole numbers, negatives, exponents
    ("D", "value"): "[[5, 2], [-5, 5]]",
    ("W", "grad"): "[[5e-1, 0, -2.5], [2, 4.1, -1.8E0]]",
    ("X", "grad"): "[[0.5, -1], [-1, -2.1], [6e0, 0.3]]",
}


def _written(fmt):
    """A blank sheet of ``fmt`` with the matrices of ``WRITTEN`` typed in as text."""
    if fmt != "json":
        marks = {key: np.full((2, 2), 1000.0 + i) for i, key in enumerate(WRITTEN)}
        filled = _filled(PRODUCT, PRODUCT_VALUES, fmt, marks)
        for key, mark in marks.items():
            assert text(mark) in filled
            filled = filled.replace(text(mark), WRITTEN[key])
        return filled
    doc = json.loads(blank_sheet(PRODUCT, PRODUCT_VALUES, sheet_format="json"))
    for node in doc["nodes"]:
        for kind in ("value", "grad"):
            if (node["label"], kind) in WRITTEN:
                node[kind] = f"@{node['label']}.{kind}@"
    filled = json.dumps(doc)
    for (label, kind), written in WRITTEN.items():
        filled = filled.replace(f'"@{label}.{kind}@"', written)
    return filled


@pytest.mark.parametrize("fmt", ["markdown", "csv", "json", "latex"])
def test_whole_numbers_and_exponents_in_a_matrix_answer_of_every_format(fmt):
    filled = _written(fmt)
    assert "[[5, 2], [-5, 5]]" in filled  # the integers as typed, not quoted
    sheet = parse_sheet(filled, f"alice.{fmt}", fmt)
    report, answers = graded(PRODUCT, PRODUCT_VALUES, sheet)
    assert report.problems == []
    assert (W @ X).tolist() == [[5, 2], [-5, 5]]
    assert np.allclose(DW, [[0.5, 0, -2.5], [2, 4.1, -1.8]])
    assert np.allclose(DX, [[0.5, -1], [-1, -2.1], [6, 0.3]])
    for key in ("D", "dL/dW", "dL/dX"):
        assert answers[key].verdict == "right", (key, answers[key])


def test_a_formula_answer_over_arrays_is_told_to_be_for_scalar_programs(cg):
    values = [f"{k}={json.dumps(v).replace(' ', '')}" for k, v in PRODUCT_VALUES.items()]
    out = cg(
        "check", PRODUCT, *values, "--expect", "dL/dW = G @ X.T", "--expect", "D=[[5, 2], [W, 2]]"
    )
    assert out.exit_code == 1
    scalar_only = "is a formula; formula answers are graded for scalar programs only"
    assert f"answer dL/dW: 'G @ X.T' {scalar_only}" in out.stderr
    assert f"answer D[2,1]: 'W' {scalar_only}" in out.stdout
    assert "not a node of the program" not in out.stdout + out.stderr
    report, answers = graded(PRODUCT, PRODUCT_VALUES, {"dL/dW": "G @ X.T", "dL/dX": "1 +"})
    assert answers["dL/dW"].verdict == "missing"
    assert report.problems[0].startswith(f"answer dL/dW: 'G @ X.T' {scalar_only}")
    assert report.problems[1].startswith("answer dL/dX: '1 +' is not a number or formula")


def test_a_matrix_answer_longer_than_a_number_is_read():
    w = np.arange(400.0).reshape(20, 20) / 7
    x = np.linspace(-1, 1, 20)
    answer = text(np.outer(np.ones(20), x))  # ∂sum(W x)/∂W = 1 xᵀ
    assert len(answer) > 2000
    _, answers = graded("L = sum(W @ x)", {"W": w, "x": x}, {"dL/dW": answer})
    assert answers["dL/dW"].verdict.startswith("right") and answers["dL/dW"].entries == (400, 400)


def test_a_class_of_matrix_sheets_draws_where_it_went_wrong(cg, graphviz, tmp_path):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ann.txt").write_text(f"dL/dW = {text(DW)}\n")
    (tmp_path / "class" / "bob.txt").write_text(f"dL/dW = {text(DW.T)}\n")
    values = [f"{k}={json.dumps(v).replace(' ', '')}" for k, v in PRODUCT_VALUES.items()]
    drawing = tmp_path / "class.svg"
    args = ["--answers", str(tmp_path / "class"), "--class-drawing", str(drawing)]
    out = cg("check", PRODUCT, *values, *args)
    assert out.exit_code == 1, out.output
    assert "∂L/∂W     1 of 2    50%  transposed (1)" in out.stdout
    assert "<svg" in drawing.read_text()


def test_a_json_sheet_takes_integers_and_number_texts_and_notes_what_is_no_number():
    doc = {
        "dL/dW": [[0.5, 0, -2.5], [2, 4.1, "-18/10"]],  # 0 and 2: integers, read exactly
        "dL/dD": [[0.5, -1], [2, True]],
        "dL/dX": [[0.5, -1], [-1, -2.1], [6, "0.3], [1"]],
    }
    sheet = parse_sheet(json.dumps(doc), "ann.json", "json")
    report, answers = graded(PRODUCT, PRODUCT_VALUES, sheet)
    assert answers["dL/dW"].verdict == "right"
    assert answers["dL/dD"].verdict == answers["dL/dX"].verdict == "missing"
    assert report.problems == [
        "answer dL/dD: an array with an entry that is not a number (true)",
        "answer dL/dX: an array with an entry that is not a number (the text '0.3], [1')",
    ]


def test_a_column_or_a_row_written_flat_is_told_how_to_write_it():
    db = B_DD.sum(axis=1, keepdims=True)  # the bias is broadcast over the batch: summed
    flat = text(db.reshape(-1))
    _, answers = graded(BATCH, BATCH_VALUES, {"dL/db": flat})
    assert answers["dL/db"].verdict == "wrong"
    assert answers["dL/db"].diagnosis.text == (
        "shape 3, expected 3×1: write it as a column [[a],[b],[c]]"
    )
    _, answers = graded(BATCH, BATCH_VALUES, {"dL/db": text(db)})
    assert answers["dL/db"].verdict.startswith("right")  # to 6 decimals
    row = {"W": [[1.0, -1.0]], "x": [1.0, 2.0]}  # ∂sum(W x)/∂W = xᵀ, a 1×2 row
    _, answers = graded("L = sum(W @ x)", row, {"dL/dW": "[1, 2]"})
    assert answers["dL/dW"].diagnosis.text == "shape 2, expected 1×2: write it as a row [[a,b]]"
    _, answers = graded("L = sum(W @ x)", row, {"dL/dW": "[[1, 2]]"})
    assert answers["dL/dW"].verdict == "right"
