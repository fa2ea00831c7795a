"""The course loop: a variant per student (cg sheet --roster --vary --seed), each sheet
graded at its student's own values (cg check --variants).

The draws are checked against the rule docs/teachers.md states, recomputed here with
hashlib; the right answers of the sheets are worked out by hand (f = w*x + b:
df/dw = x, df/dx = w, df/db = 1)."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cgcli
from cgcli.core.errors import UsageError
from cgcli.grading.variants import (
    parse_vary,
    read_variants,
    safe_file_name,
    variant_sheets,
    why_bad,
)

PROGRAM = "f = w*x + b"
ROSTER = "id,name,section\nada,Ada Lovelace,A\nalan,Alan Turing,B\ngrace,Grace Hopper,A\n"


def make_class(cg, folder: Path, roster: str = ROSTER, *extra: str, seed: str = "2026"):
    (folder / "roster.csv").write_text(roster, encoding="utf-8")
    return cg(
        "sheet", PROGRAM, "b=1", "--vary", "x=-3..3", "--vary", "w=0.5..2:0.5",
        "--roster", str(folder / "roster.csv"), "--seed", seed, "-o", str(folder / "sheets"),
        *extra,
    )  # fmt: skip


def variants_of(folder: Path) -> list[dict[str, str]]:
    text = (folder / "sheets" / "variants.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_vary_ranges_are_exact_decimal_grids():
    assert [parse_vary("x=-3..3").point(k) for k in range(7)] == [
        "-3", "-2", "-1", "0", "1", "2", "3",
    ]  # fmt: skip
    w = parse_vary("w=0.5..2:0.5")
    assert w.size == 4 and [w.point(k) for k in range(4)] == ["0.5", "1", "1.5", "2"]
    t = parse_vary("t=0.1..0.3:0.1")
    assert [t.point(k) for k in range(t.size)] == ["0.1", "0.2", "0.3"]  # no 0.30000000000000004
    for bad in (
        "x",
        "x=1",
        "x=3..1",
        "x=0..1:0",
        "x=0..1:-1",
        "x=a..b",
        "x=0..1e9:1e-3",
        "x=0..1:1e-999999",
    ):
        with pytest.raises(UsageError):
            parse_vary(bad)


def test_a_sheet_per_student_and_the_variants_file(cg, tmp_path):
    result = make_class(cg, tmp_path)
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "sheets").iterdir())
    assert files == ["ada.md", "alan.md", "grace.md", "variants.csv"]
    rows = variants_of(tmp_path)
    assert [r["student"] for r in rows] == ["ada", "alan", "grace"]
    assert list(rows[0]) == ["student", "seed", "sheet", "w", "x", "b"]
    for row in rows:
        # the rule of docs/teachers.md, recomputed: the student's seed, then the draw
        digest = hashlib.sha256(f"cg-variant\0{2026}\0{row['student']}".encode()).digest()
        seed = int.from_bytes(digest[:4], "big")
        assert int(row["seed"]) == seed

        def drawn(name, size, lo, step, attempt=0, seed=seed):
            d = hashlib.sha256(f"{seed}:{attempt}:{name}".encode()).digest()
            return Decimal(lo) + Decimal(step) * (int.from_bytes(d[:8], "big") % size)

        attempt = 0  # the first good draw: f = w*x + 1 with w*x + 1 = 0 allowed, all fine
        assert Decimal(row["x"]) == drawn("x", 7, "-3", "1", attempt)
        assert Decimal(row["w"]) == drawn("w", 4, "0.5", "0.5", attempt)
        assert row["b"] == "1"
        sheet = (tmp_path / "sheets" / row["sheet"]).read_text(encoding="utf-8")
        assert f"Student: `{row['student']}`" in sheet
        assert f"At: w={row['w']} x={row['x']} b=1" in sheet


def test_same_seed_and_roster_same_files_byte_for_byte(cg, tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder in (first, second, other):
        folder.mkdir()
    assert make_class(cg, first).exit_code == 0
    assert make_class(cg, second).exit_code == 0
    assert make_class(cg, other, seed="2027").exit_code == 0
    names = sorted(p.name for p in (first / "sheets").iterdir())
    for name in names:
        assert (first / "sheets" / name).read_bytes() == (second / "sheets" / name).read_bytes()
    assert variants_of(first) != variants_of(other)
    # the library twin gives the same files
    twin = variant_sheets(PROGRAM, {"b": 1}, ["x=-3..3", "w=0.5..2:0.5"], first / "roster.csv",
                          seed=2026)  # fmt: skip
    for name, text in twin.files.items():
        assert (first / "sheets" / name).read_text(encoding="utf-8") == text


def test_every_sheet_format_per_student(cg, tmp_path):
    for fmt, suffix in (("csv", ".csv"), ("json", ".json"), ("latex", ".tex"), ("tsv", ".tsv")):
        folder = tmp_path / fmt
        folder.mkdir()
        assert make_class(cg, folder, ROSTER, "--format", fmt).exit_code == 0
        for row in variants_of(folder):
            assert row["sheet"] == row["student"] + suffix
            sheet = cgcli.read_sheet(folder / "sheets" / row["sheet"])
            assert sheet.student == row["student"]  # the sheet names its student


HOSTILE = (
    "id\n../../etc/passwd\n/abs/path\n.hidden\nCON\nAda_\nada!\n"  # Ada_.md, ada_.md
    '"new\nline"\n=HYPERLINK(""x"")\nJosé\n\u202eevil\n' + "x" * 100 + "\n"
)


def test_hostile_ids_make_safe_file_names_inside_the_folder(cg, tmp_path):
    result = make_class(cg, tmp_path, HOSTILE)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "sheets"
    names = [p.name for p in folder.iterdir()]
    assert set(os.listdir(tmp_path)) == {"roster.csv", "sheets"}  # nothing outside
    assert len({n.lower() for n in names}) == len(names)  # no two differ only by case
    for name in names:
        assert all(c.isascii() and (c.isalnum() or c in "._-") for c in name), name
        assert not name.startswith(".") and len(name) <= 90
        assert name.split(".")[0].upper() not in ("CON", "NUL", "PRN", "AUX")
    rows = variants_of(tmp_path)
    assert len(rows) == 11 == len(names) - 1
    assert rows[7]["student"].startswith("'=HYPERLINK")  # the spreadsheet-safe cell
    assert "\n" not in (folder / rows[6]["sheet"]).read_text(encoding="utf-8").splitlines()[1]


def test_safe_file_names_never_repeat():
    taken: set[str] = set()
    names = [safe_file_name(s, ".md", taken) for s in ("a/b", "a_b", "A_B", "", "variants")]
    assert names == ["a_b.md", "a_b-2.md", "A_B-3.md", "student.md", "variants.md"]
    assert safe_file_name("variants", ".csv", set()) == "variants-2.csv"


def test_never_overwrites_silently(cg, tmp_path):
    assert make_class(cg, tmp_path).exit_code == 0
    sheets = tmp_path / "sheets"
    before = {p.name: p.read_bytes() for p in sheets.iterdir()}
    again = make_class(cg, tmp_path)  # the same sheets: nothing changes, no error
    assert again.exit_code == 0 and "0 written" in again.output
    (sheets / "alan.md").write_text("Alan's own notes\n", encoding="utf-8")
    refused = make_class(cg, tmp_path, ROSTER, seed="7")
    assert refused.exit_code == 2
    assert "does not overwrite" in refused.stderr
    assert (sheets / "alan.md").read_text(encoding="utf-8") == "Alan's own notes\n"
    assert (sheets / "ada.md").read_bytes() == before["ada.md"]  # nothing written at all


def test_a_link_in_the_folder_is_not_written_through(cg, tmp_path):
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep\n", encoding="utf-8")
    (sheets / "ada.md").symlink_to(outside)
    result = make_class(cg, tmp_path)
    assert result.exit_code == 2 and "link" in result.stderr
    assert outside.read_text(encoding="utf-8") == "keep\n"


@pytest.mark.parametrize(
    "program, values, why",
    [
        ("relu(x)*y", {"x": 0, "y": 2}, "a kink at"),
        ("abs(x - 1)", {"x": 1}, "a kink at"),
        ("1/(x - 1)", {"x": "1.005"}, "a divisor near zero"),
        ("log(x)", {"x": "0.001"}, "a logarithm's argument near zero"),
        ("x^-2", {"x": "0.005"}, "the base of a negative power near zero"),
        ("exp(x)", {"x": 800}, "math error"),
        ("x*y", {"x": "1e200", "y": "1e200"}, "overflow"),
        ("relu(x) + relu(y)", {"x": -1, "y": -2}, "every gradient is zero"),
        ("exp(x)", {"x": -10}, "needs more than 6 digits"),  # e^-10 = 4.5e-5
        ("x*y", {"x": 2000, "y": 1000}, "needs more than 6 digits"),  # 2e6
        ("1/x", {"x": 0}, "math error"),
    ],
)
def test_bad_draws(program, values, why):
    assert why in why_bad(cgcli.parse(program), {k: str(v) for k, v in values.items()})


def test_good_draws_pass():
    assert why_bad(cgcli.parse("relu(x)*y"), {"x": "1", "y": "2"}) is None
    assert why_bad(cgcli.parse("sigmoid(w*x + b)"), {"w": "2", "x": "-1", "b": "0.5"}) is None


def test_bad_draws_are_redrawn(tmp_path):
    roster = [f"s{i}" for i in range(40)]
    made = variant_sheets("y = relu(x) / (x - 1)", None, ["x=-3..3"], roster, seed=1)
    xs = [v.values["x"] for v in made.variants]
    assert "0" not in xs and "1" not in xs  # kink at 0, division by zero at 1
    assert all(x in {"-3", "-2", "-1", "2", "3"} for x in xs)
    redrawn = [why for v in made.variants for why in v.redrawn]
    assert redrawn and all(("kink" in w) or ("math error" in w) or ("zero" in w) for w in redrawn)
    for variant in made.variants:
        assert why_bad(cgcli.parse("y = relu(x) / (x - 1)"), variant.values) is None


def test_no_good_draw_is_a_clear_error():
    with pytest.raises(UsageError, match="no good variant for student 'a'"):
        variant_sheets("relu(x)", None, ["x=-3..0"], ["a"], seed=1)  # grad 0 or a kink


@pytest.mark.parametrize(
    "args, message",
    [
        (["--vary", "x=1..2"], "give --roster"),
        (["--roster", "r.csv"], "needs --seed"),
        (["--roster", "r.csv", "--seed", "1"], "needs -o FOLDER"),
    ],
)
def test_sheet_option_errors(cg, args, message):
    result = cg("sheet", PROGRAM, "b=1", "w=1", "x=1", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_roster_errors(cg, tmp_path):
    for roster, message in (
        ("id,name\nada,A\nada,B\n", "line 3: the student id 'ada' is also on line 2"),
        (  # a sheet names its student in any case: their sheets could not be told apart
            "id,name\nalice,A\nAlice,B\n",
            "line 3: the student id 'Alice' is also on line 2 as 'alice' (a sheet names its "
            "student in any case); each student once",
        ),
        ("id,name\n,A\n", "line 2: no student id"),
        ("id,name\n", "lists no student"),
        ("id\n" + "b" * 101 + "\n", "line 2: a student id of 101 characters (at most 100)"),
        ("id\n" + "c" * 200_000 + "\n", "line 2: not readable as CSV (field larger"),
    ):
        result = make_class(cg, tmp_path, roster)
        assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert not (tmp_path / "sheets").exists()


def fill(path: Path, variant: dict[str, str], wrong: bool = False) -> None:
    """Fill a student's blank Markdown sheet with the right numbers, worked by hand."""
    w, x, b = (Decimal(variant[n]) for n in ("w", "x", "b"))
    answers = {"v1": w * x, "f": w * x + b, "df/dv1": 1, "df/db": 1, "df/dw": x, "df/dx": w}
    if wrong:
        answers["df/dw"] = w  # the factor swapped
    lines = [f"Student: {variant['student']}"] + [f"{k} = {v}" for k, v in answers.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_each_student_graded_at_their_own_values(cg, tmp_path):
    assert make_class(cg, tmp_path).exit_code == 0
    rows = variants_of(tmp_path)
    assert len({(r["w"], r["x"]) for r in rows}) > 1  # the class does not share one point
    answers = tmp_path / "answers"
    answers.mkdir()
    for row in rows:
        fill(answers / f"{row['student']}.txt", row, wrong=row["student"] == "alan")
    variants = str(tmp_path / "sheets" / "variants.csv")
    result = cg("check", PROGRAM, "--variants", variants, "--answers", str(answers),
                "--format", "json")  # fmt: skip
    doc = __import__("json").loads(result.stdout)
    scores = {s["student"]: (s["right"], s["asked"]) for s in doc["students"]}
    assert scores["ada"] == (6, 6) and scores["grace"] == (6, 6)
    assert scores["alan"][0] == 5 or math.isclose(float(rows[1]["w"]), float(rows[1]["x"]))
    # without the variants, at one point for all, the same sheets are mostly wrong
    plain = cg("check", PROGRAM, "w=1", "x=1", "b=1", "--answers", str(answers))
    assert plain.exit_code == 1


def test_a_student_not_in_the_variants_or_another_students_sheet(cg, tmp_path):
    assert make_class(cg, tmp_path).exit_code == 0
    rows = {r["student"]: r for r in variants_of(tmp_path)}
    answers = tmp_path / "answers"
    answers.mkdir()
    fill(answers / "ada.txt", rows["ada"])
    fill(answers / "mallory.txt", {**rows["ada"], "student": "mallory"})
    changed = Decimal(rows["grace"]["x"]) + 1  # not grace's own x: another student's sheet
    (answers / "grace.txt").write_text(f"Student: grace\nx = {changed}\nf = 1\n", encoding="utf-8")
    variants = str(tmp_path / "sheets" / "variants.csv")
    result = cg("check", PROGRAM, "--variants", variants, "--answers", str(answers))
    assert result.exit_code == 2
    assert "mallory.txt: the student 'mallory' is not in the variants file" in result.stderr
    assert f"grace.txt: the sheet gives x = {changed}, but the variant of 'grace'" in result.stderr
    assert "ada " in result.stdout  # ada is graded all the same
    graded = cgcli.grade_class(PROGRAM, None, [answers], variants=variants)
    assert graded.sheets[0].student == "ada" and graded.sheets[0].ok
    assert any("mallory" in e for _, e in graded.errors)


def test_read_variants_refuses_other_files(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("student,score\nada,3\n", encoding="utf-8")
    with pytest.raises(UsageError, match="not a variants file"):
        read_variants(path)
    path.write_text("student,seed,sheet,x\nada,1,ada.md,__import__('os')\n", encoding="utf-8")
    with pytest.raises(UsageError, match="line 2"):
        read_variants(path)
    path.write_text("student,seed,sheet,x\n", encoding="utf-8")
    with pytest.raises(UsageError, match="lists no student"):
        read_variants(path)


# --- Grades where the course keeps them ---------------------------------------------

# Gradescope, "Autograder Specifications" (gradescope-autograders.readthedocs.io/en/latest/
# specs/, the version with "Test case status" and "Output String Formatting"): every field
# results.json may hold, and what each may be.
GRADESCOPE_TOP = {
    "score", "execution_time", "output", "output_format", "test_output_format",
    "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard",
}  # fmt: skip
GRADESCOPE_TEST = {
    "score", "max_score", "status", "name", "name_format", "number", "output",
    "output_format", "tags", "visibility", "extra_data",
}  # fmt: skip
GRADESCOPE_FORMATS = {"text", "html", "simple_format", "md", "ansi"}
GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
GRADESCOPE_STATUS = {"passed", "failed"}

# PrairieLearn, "External Grading", section "Grading results" (prairielearn.readthedocs.io/
# en/latest/externalGrading/, docs/externalGrading.md of PrairieLearn): the fields the
# <pl-external-grader-results> element renders.
PRAIRIELEARN_TOP = {"gradable", "score", "message", "output", "images", "tests", "format_errors"}
PRAIRIELEARN_TEST = {"name", "description", "points", "max_points", "message", "output", "images"}

CLASS = Path(__file__).parent.parent / "examples" / "class"
OLAH = ["c = a + b; d = b + 1; e = c * d", "a=2", "b=1"]


def test_gradescope_results_json_follows_the_specification(cg):
    result = cg("check", *OLAH, "--answers", str(CLASS / "alan.csv"), "--format", "gradescope")
    assert result.exit_code == 1  # one answer wrong
    doc = __import__("json").loads(result.stdout)
    assert set(doc) <= GRADESCOPE_TOP
    assert {"score", "output", "tests"} <= set(doc)
    assert doc["output_format"] in GRADESCOPE_FORMATS
    assert doc["test_output_format"] in GRADESCOPE_FORMATS
    assert doc["test_name_format"] in GRADESCOPE_FORMATS
    assert doc["visibility"] in GRADESCOPE_VISIBILITY
    assert doc["stdout_visibility"] in GRADESCOPE_VISIBILITY
    assert isinstance(doc["output"], str) and isinstance(doc["extra_data"], dict)
    # Alan's sheet (examples/class/alan.csv): 7 asked, ∂e/∂b = 2 where 5 is right
    names = [t["name"] for t in doc["tests"]]
    assert names == ["c", "d", "e", "∂e/∂d", "∂e/∂c", "∂e/∂b", "∂e/∂a"]
    assert doc["score"] == 6 == sum(t["score"] for t in doc["tests"])
    for test in doc["tests"]:
        assert set(test) <= GRADESCOPE_TEST
        assert isinstance(test["score"], (int, float)) and isinstance(
            test["max_score"], (int, float)
        )
        assert test["status"] in GRADESCOPE_STATUS
        assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")
        assert test["output_format"] == "md" and test["name_format"] in GRADESCOPE_FORMATS
        assert test["visibility"] in GRADESCOPE_VISIBILITY
        assert isinstance(test["number"], str) and isinstance(test["output"], str)
        assert all(isinstance(tag, str) for tag in test["tags"])
    wrong = doc["tests"][5]
    assert wrong["score"] == 0 and wrong["max_score"] == 1 and wrong["tags"] == ["missing term"]
    assert "You wrote `2`" in wrong["output"] and "The right number is 5." in wrong["output"]
    assert all(t["tags"] == [] for i, t in enumerate(doc["tests"]) if i != 5)


def test_prairielearn_results_json_follows_the_specification(cg):
    result = cg("check", *OLAH, "--answers", str(CLASS / "alan.csv"), "--format", "prairielearn")
    doc = __import__("json").loads(result.stdout)
    assert set(doc) <= PRAIRIELEARN_TOP
    assert doc["gradable"] is True
    assert isinstance(doc["score"], float) and 0.0 <= doc["score"] <= 1.0
    assert doc["score"] == pytest.approx(6 / 7)
    assert isinstance(doc["message"], str) and isinstance(doc["output"], str)
    for test in doc["tests"]:
        assert set(test) <= PRAIRIELEARN_TEST
        assert {"name", "points", "max_points", "message", "output"} <= set(test)
        assert 0 <= test["points"] <= test["max_points"]
    assert sum(t["points"] for t in doc["tests"]) / sum(t["max_points"] for t in doc["tests"]) == (
        pytest.approx(doc["score"])
    )
    wrong = next(t for t in doc["tests"] if t["name"] == "∂e/∂b")
    assert wrong["points"] == 0 and wrong["message"].startswith("wrong: missing term at b")
    assert wrong["output"] == "given: 2\ncorrect: 5"


@pytest.mark.parametrize("lms", ["gradescope", "prairielearn"])
def test_one_submission_is_graded_whole_rows_left_out_count(cg, tmp_path, lms):
    """A sheet with one right row of seven scored 100% (each sheet asked what it showed);
    a submission answers the whole program now, whatever its own asks: line says (a
    student's line 'asks: values' scored 3 of 3)."""
    one = tmp_path / "one.csv"
    one.write_text("node,value\nc,3\n", encoding="utf-8")
    forged = tmp_path / "forged.csv"
    forged.write_text("# cg sheet; asks: values\nnode,value,grad\nc,3,\nd,2,\ne,6,\n")
    key = "score" if lms == "gradescope" else "points"
    for sheet, scores in ((one, [1, 0, 0, 0, 0, 0, 0]), (forged, [1, 1, 1, 0, 0, 0, 0])):
        doc = __import__("json").loads(
            cg("check", *OLAH, "--answers", str(sheet), "--format", lms).stdout
        )
        assert [t[key] for t in doc["tests"]] == scores
    blank = tmp_path / "blank.csv"  # cg sheet --ask gradients, graded with its own --require
    blank.write_text(cg("sheet", *OLAH, "--ask", "gradients", "--format", "csv").stdout)
    doc = __import__("json").loads(
        cg(
            "check", *OLAH, "--answers", str(blank), "--format", lms, "--require", "gradients"
        ).stdout
    )
    assert [t["name"] for t in doc["tests"]] == ["∂e/∂d", "∂e/∂c", "∂e/∂b", "∂e/∂a"]


def test_an_unreadable_sheet_is_reported_to_the_course(cg, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    pl = cg("check", *OLAH, "--answers", str(bad), "--format", "prairielearn")
    assert pl.exit_code == 2
    doc = __import__("json").loads(pl.stdout)
    assert set(doc) <= PRAIRIELEARN_TOP and doc["gradable"] is False
    assert doc["format_errors"] and isinstance(doc["format_errors"][0], str)
    gs = cg("check", *OLAH, "--answers", str(bad), "--format", "gradescope")
    doc = __import__("json").loads(gs.stdout)
    assert set(doc) <= GRADESCOPE_TOP and doc["score"] == 0 and doc["tests"] == []
    assert "could not be graded" in doc["output"]


def test_a_class_is_not_one_submission(cg):
    result = cg("check", *OLAH, "--answers", str(CLASS), "--format", "gradescope")
    assert result.exit_code == 2 and "grades one submission" in result.stderr


def test_a_students_text_stays_text_in_the_results(cg, tmp_path):
    sheet = tmp_path / "s.txt"
    sheet.write_text("Student: <img src=x onerror=alert(1)>\nc = 3\nd = 2*1\n", encoding="utf-8")
    result = cg("check", *OLAH, "--answers", str(sheet), "--format", "gradescope")
    doc = __import__("json").loads(result.stdout)
    assert "<img" not in doc["output"]
    for test in doc["tests"]:
        assert "<" not in test["output"].replace("\\<", "")


# Canvas, "How do I import grades in the Gradebook?" (community.canvaslms.com, Instructor
# Guide): the CSV needs the columns Student, ID, SIS User ID, SIS Login ID and Section
# (Canvas matches a row by ID or the SIS ids), then one column per assignment; the
# export's second row "Points Possible" is not a student.
CANVAS_REQUIRED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_EXPORT = (
    "Student,ID,SIS User ID,SIS Login ID,Section\n"
    "    Points Possible,,,,\n"
    '"Turing, Alan",101,s101,alan,A\n'
    '"Lovelace, Ada",102,s102,ada,B\n'
    '=HYPERLINK("http://x"),103,s103,mallory,B\n'
    '"Hopper, Grace",104,s104,grace,A\n'
)


def test_canvas_gradebook_import(cg, tmp_path):
    roster = tmp_path / "canvas.csv"
    roster.write_text(CANVAS_EXPORT, encoding="utf-8")
    summary = tmp_path / "canvas-import.csv"
    result = cg(
        "check", *OLAH, "--answers", str(CLASS), "--summary", str(summary),
        "--summary-format", "canvas", "--roster", str(roster), "--assignment", "HW 3 (555)",
    )  # fmt: skip
    assert result.exit_code == 1, result.stderr  # three of four sheets have a mistake
    rows = list(csv.reader(io.StringIO(summary.read_text(encoding="utf-8"))))
    assert rows[0] == [*CANVAS_REQUIRED, "HW 3 (555)"]
    # examples/class: Ada 7 of 7, Alan and Grace 6 of 7; Mallory handed nothing in
    assert rows[1:] == [
        ["Turing, Alan", "101", "s101", "alan", "A", "6"],
        ["Lovelace, Ada", "102", "s102", "ada", "B", "7"],
        ['\'=HYPERLINK("http://x")', "103", "s103", "mallory", "B", ""],
        ["Hopper, Grace", "104", "s104", "grace", "A", "6"],
    ]
    assert "'Edsger Dijkstra' is graded but not on the roster" in result.stderr
    assert (
        "cg: warning: --roster: 1 student on the roster has no graded sheet (an empty cell): "
        """'=HYPERLINK("http://x")'\n"""
    ) in result.stderr


def test_canvas_names_every_student_of_the_roster_without_a_graded_sheet(cg, tmp_path):
    roster = tmp_path / "canvas.csv"
    roster.write_text(CANVAS_EXPORT + "Noether,105,s105,emmy,A\n", encoding="utf-8")
    summary = tmp_path / "canvas-import.csv"
    result = cg(
        "check", *OLAH, "--answers", str(CLASS), "--summary", str(summary),
        "--summary-format", "canvas", "--roster", str(roster), "--assignment", "HW 3",
    )  # fmt: skip
    assert (
        "cg: warning: --roster: 2 students on the roster have no graded sheet (an empty "
        """cell): '=HYPERLINK("http://x")', 'Noether'\n"""
    ) in result.stderr
    assert list(csv.reader(io.StringIO(summary.read_text(encoding="utf-8"))))[-1] == [
        "Noether", "105", "s105", "emmy", "A", "",
    ]  # fmt: skip


def test_canvas_leaves_empty_the_cells_of_two_students_one_sheet_names(cg, tmp_path):
    """Two students of one name on the roster, one sheet by that name: it is no more one's
    than the other's, so neither gets its points (both did)."""
    roster = tmp_path / "canvas.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section\n"
        '"Zhang, Wei",2001,s1,wz1,A\n"Zhang, Wei",2002,s2,wz2,B\n"Zhang, Li",2003,s3,lz,A\n',
        encoding="utf-8",
    )
    sheets = tmp_path / "class"
    sheets.mkdir()
    (sheets / "wei.txt").write_text("student: Wei Zhang\nc = 3\n", encoding="utf-8")
    (sheets / "li.txt").write_text("student: 2003\nc = 3\n", encoding="utf-8")
    summary = tmp_path / "canvas-import.csv"
    result = cg(
        "check", *OLAH, "--answers", str(sheets), "--summary", str(summary),
        "--summary-format", "canvas", "--roster", str(roster),
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(summary.read_text(encoding="utf-8"))))
    assert [r[1:2] + r[-1:] for r in rows[1:]] == [["2001", ""], ["2002", ""], ["2003", "1"]]
    assert result.stderr == (
        f"cg: warning: --roster: the sheet {sheets / 'wei.txt'} names 2 students of the roster "
        "('Zhang, Wei' (ID 2001), 'Zhang, Wei' (ID 2002)); their cells are left empty: put the "
        "student's ID on the sheet\n"
    )


def test_canvas_needs_the_roster(cg, tmp_path):
    result = cg("check", *OLAH, "--answers", str(CLASS), "--summary", str(tmp_path / "g.csv"),
                "--summary-format", "canvas")  # fmt: skip
    assert result.exit_code == 2 and "give both" in result.stderr
    assert not (tmp_path / "g.csv").exists()


# --- What the class got wrong ----------------------------------------------------------


def test_first_mistakes_gate_by_gate(cg, tmp_path):
    from cgcli.grading.gates import first_mistakes

    grades = cgcli.grade_class(OLAH[0], {"a": 2, "b": 1}, [CLASS])
    gates = {g.gate: (g.students, g.of, g.kinds) for g in first_mistakes(grades.sheets)}
    # examples/class, worked by hand: Alan forgot b's second use, Edsger added at e,
    # Grace added a term at a; Ada is right
    assert gates == {
        "b": (1, 4, {"missing term": 1}),
        "e": (1, 4, {"wrong operation": 1}),
        "a": (1, 4, {"extra term": 1}),
    }
    result = cg("check", *OLAH, "--answers", str(CLASS), "--summary", str(tmp_path / "g.csv"))
    assert "first mistake at  students  share  kinds\nb                   1 of 4    25%" in (
        result.stdout
    )


def test_a_carried_mistake_counts_where_it_was_made():
    from cgcli.grading.gates import first_mistakes

    sheets = [
        cgcli.grade(OLAH[0], {"a": 2, "b": 1}, {"c": 4, "e": 8, "de/dd": 4}),  # c wrong, carried
        cgcli.grade(OLAH[0], {"a": 2, "b": 1}, {"c": 4, "e": 8}),
        cgcli.grade(OLAH[0], {"a": 2, "b": 1}, {"c": 3, "e": 6, "de/db": 2}),
    ]
    gates = first_mistakes(sheets)
    assert [(g.gate, g.students) for g in gates] == [("c", 2), ("b", 1)]  # most students first
    assert gates[0].share == pytest.approx(2 / 3)


def svg_fills(svg: str) -> dict[str, str]:
    """The fill of each node of a Graphviz SVG, by the node's id (cg-node-ID)."""
    import xml.etree.ElementTree as ET

    fills = {}
    for group in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g"):
        if group.get("id", "").startswith("cg-node-"):
            shapes = (e for e in group.iter() if e.tag.endswith(("ellipse", "polygon")))
            shape = next(shapes, None)
            fills[group.get("id")[8:]] = shape.get("fill") if shape is not None else None
    return fills


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="needs Graphviz")
def test_class_drawing_shaded_by_share(cg, tmp_path):
    drawing = tmp_path / "class.svg"
    result = cg("check", *OLAH, "--answers", str(CLASS), "--class-drawing", str(drawing))
    assert result.exit_code == 1
    svg = drawing.read_text(encoding="utf-8")
    graph = cgcli.parse(OLAH[0])
    fills = svg_fills(svg)
    by_label = {graph.label(n): fills.get(n.id) for n in graph.nodes if n.id in fills}
    # a quarter of the class at e, a and b: 255 - 175/4 = 211 = d3
    assert by_label["e"] == "#ffd3d3" and by_label["c"] in (None, "none", "white")
    assert "1 of 4: wrong operation" in svg


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="needs Graphviz")
def test_graded_drawing_marks_made_and_carried(cg, tmp_path):
    sheet = tmp_path / "mallory.txt"
    sheet.write_text("Student: <b>Mallory</b>\nc = 4\ne = 8\nde/dd = 4\n", encoding="utf-8")
    result = cg("check", *OLAH, "--answers", str(sheet), "--drawings", str(tmp_path / "out"))
    assert result.exit_code == 1
    svg = (tmp_path / "out" / "b_Mallory_b.svg").read_text(encoding="utf-8")
    page = (tmp_path / "out" / "b_Mallory_b.html").read_text(encoding="utf-8")
    graph = cgcli.parse(OLAH[0])
    fills = svg_fills(svg)
    by_label = {graph.label(n): fills.get(n.id) for n in graph.nodes if n.id in fills}
    assert by_label["c"] == "#f4a3a3"  # made here: c = 4 for 3
    assert by_label["e"] == "#fde2a7" and by_label["d"] == "#fde2a7"  # carried: e, ∂e/∂d
    assert "✗ c: 4, not 3" in svg and "carried e: 8, not 6" in svg
    assert "<b>Mallory" not in page and "&lt;b&gt;Mallory&lt;/b&gt;" in page
    assert page.count("<svg") == 1 and "0 of 3 asked right" in page


TANH = ["p = w*x; z = p + b; h = tanh(z); e = h - t; L = e^2", "w=0.7", "x=-1.2", "b=0.3",
        "t=0.5"]  # fmt: skip


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="needs Graphviz")
@pytest.mark.parametrize(
    ("answers", "gate", "unmarked"),
    [
        # ∂L/∂w = x·∂L/∂p = -1.2·(-1.50331) = 1.80397 and ∂L/∂x = 0.7·(-1.50331) = -1.05232,
        # swapped: the mistake is made at the gate p = w * x, not at the inputs w and x
        ("dL/dp = -1.503\ndL/dw = -1.052\ndL/dx = 1.804\n", "p", ("w", "x", "z", "h")),
        # ∂e/∂h = 1 taken as -1 at e = h - t: ∂L/∂h = +1.986 for -1.98598
        ("dL/de = -1.986\ndL/dh = 1.986\n", "e", ("h", "z", "p")),
    ],
)
def test_graded_drawing_marks_the_gate_of_the_mistake(cg, tmp_path, answers, gate, unmarked):
    sheet = tmp_path / "s.txt"
    sheet.write_text(answers, encoding="utf-8")
    result = cg("check", *TANH, "--answers", str(sheet), "--drawings", str(tmp_path / "d"))
    assert result.exit_code == 1
    svg = (tmp_path / "d" / "s.svg").read_text(encoding="utf-8")
    graph = cgcli.parse(TANH[0])
    fills = svg_fills(svg)
    by_label = {graph.label(n): fills.get(n.id) for n in graph.nodes if n.id in fills}
    assert by_label[gate] == "#f4a3a3"
    assert all(by_label[label] in (None, "none", "white") for label in unmarked)
    assert "\\n" not in svg  # two answers beside one gate: two lines, not a literal \\n


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="needs Graphviz")
def test_prairielearn_shows_the_graded_drawing(cg, tmp_path):
    import base64

    result = cg("check", *OLAH, "--answers", str(CLASS / "alan.csv"), "--format", "prairielearn",
                "--drawings", str(tmp_path / "drawn"))  # fmt: skip
    doc = __import__("json").loads(result.stdout)
    assert set(doc) <= PRAIRIELEARN_TOP
    (image,) = doc["images"]
    assert set(image) == {"label", "url"} and image["url"].startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(image["url"].split(",", 1)[1]).decode()
    assert svg == (tmp_path / "drawn" / "Alan_Turing.svg").read_text(encoding="utf-8")
    assert "✗ ∂e/∂b: 2, not 5" in svg


def test_the_autograder_loop_with_variants(cg, tmp_path):
    """What run_autograder does (docs/teachers.md): one submission, graded at its
    student's variant, written as results.json."""
    assert make_class(cg, tmp_path).exit_code == 0
    row = next(r for r in variants_of(tmp_path) if r["student"] == "grace")
    submission = tmp_path / "submission"
    submission.mkdir()
    fill(submission / "sheet.txt", row)
    variants = str(tmp_path / "sheets" / "variants.csv")
    for fmt in ("gradescope", "prairielearn"):
        result = cg("check", PROGRAM, "--variants", variants, "--answers",
                    str(submission / "sheet.txt"), "--format", fmt)  # fmt: skip
        assert result.exit_code == 0, result.stderr
        doc = __import__("json").loads(result.stdout)
        assert doc["score"] == (6 if fmt == "gradescope" else 1.0)


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="needs Graphviz")
def test_a_class_of_variants_is_drawn_without_one_students_numbers(cg, tmp_path):
    assert make_class(cg, tmp_path).exit_code == 0
    answers = tmp_path / "answers"
    answers.mkdir()
    for row in variants_of(tmp_path):
        fill(answers / f"{row['student']}.txt", row, wrong=True)
    drawing = tmp_path / "class.svg"
    result = cg("check", PROGRAM, "--variants", str(tmp_path / "sheets" / "variants.csv"),
                "--answers", str(answers), "--class-drawing", str(drawing))  # fmt: skip
    assert result.exit_code == 1
    svg = drawing.read_text(encoding="utf-8")
    assert 'class="node wire' not in svg  # no numbers on the wires
    assert "3 of 3: " in svg or "2 of 3: " in svg  # df/dw = w for x: made at the gate *


def test_variants_of_an_indexed_input(tmp_path):
    program = "loss = sum(w*x[t] for t in 1..3)^2"
    made = variant_sheets(program, {"x": [1, 2, 3]}, ["x[2]=-2..2", "w=1..3"], ["a", "b", "c"],
                          seed=5)  # fmt: skip
    assert made.names == ["w", "x[1]", "x[2]", "x[3]"]
    made.write(tmp_path / "sheets")
    answers = []
    for v in made.variants:
        w, x2 = int(v.values["w"]), int(v.values["x[2]"])
        s = w * (1 + x2 + 3)  # by hand: loss = s², dloss/dw = 2s·(x1 + x2 + x3)
        answers.append({"student": v.student, "loss": s * s, "dloss/dw": 2 * s * (4 + x2)})
    graded = cgcli.grade_class(
        program, None, answers, variants=tmp_path / "sheets" / "variants.csv"
    )
    assert [g.ok for g in graded.sheets] == [True, True, True], graded.errors


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="needs Graphviz")
def test_class_drawing_as_a_page(cg, tmp_path):
    page = tmp_path / "class.html"
    result = cg("check", *OLAH, "--answers", str(CLASS), "--class-drawing", str(page))
    assert result.exit_code == 1
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.count("<svg") == 1
    assert "<tr><td>b</td><td>1 of 4</td><td>25%</td><td>missing term (1)</td></tr>" in text


def test_drawings_folder_errors(cg, tmp_path):
    missing = tmp_path / "no" / "such"
    result = cg("check", *OLAH, "--answers", str(CLASS), "--drawings", str(missing))
    assert result.exit_code == 2 and "does not exist" in result.stderr
    result = cg("check", *OLAH, "--answers", str(CLASS), "--drawings", str(CLASS))
    assert result.exit_code == 2 and "the class's folder" in result.stderr


def test_drawings_never_replace_a_file_cg_did_not_write(cg, tmp_path):
    """A student named 'syllabus' would draw over the teacher's syllabus.html: nothing
    is written, and the file is kept; the same drawings again are left as they are."""
    folder = tmp_path / "drawn"
    folder.mkdir()
    (folder / "syllabus.html").write_text("TEACHER SYLLABUS")
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "s1.txt").write_text("student: syllabus\nc = 3\n")
    args = ["check", *OLAH, "--answers", str(tmp_path / "class")]
    result = cg(*args, "--drawings", str(folder))
    assert result.exit_code == 2
    assert "syllabus.html exists and differs from the file cg would write" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["syllabus.html"]
    assert (folder / "syllabus.html").read_text() == "TEACHER SYLLABUS"
    again = tmp_path / "again"
    for _ in range(2):
        assert cg(*args, "--drawings", str(again)).exit_code == 0
    assert sorted(p.name for p in again.iterdir()) == ["syllabus.html", "syllabus.svg"]


def test_a_student_named_like_the_class_drawing_in_the_drawings_folder_gets_another_name(
    cg, tmp_path
):
    """--class-drawing out/class.html beside --drawings out: the student 'class' drew over
    it (exit 2, no gradebook); their drawing is class-2 now, and both are written."""
    (tmp_path / "sheets").mkdir()
    (tmp_path / "sheets" / "x.txt").write_text("student: class\nc = 3\n")
    out = tmp_path / "out"
    out.mkdir()
    result = cg("check", *OLAH, "--answers", str(tmp_path / "sheets"), "--drawings", str(out),
                "--class-drawing", str(out / "class.html"))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["class-2.html", "class-2.svg", "class.html"]
    assert "<table" in (out / "class.html").read_text(encoding="utf-8")  # the class's page


def test_a_canvas_import_in_the_class_folder_is_replaced_not_graded(cg, tmp_path):
    import shutil

    folder = tmp_path / "class"
    shutil.copytree(CLASS, folder)
    roster = tmp_path / "canvas.csv"
    roster.write_text(CANVAS_EXPORT, encoding="utf-8")
    args = ["--summary", str(folder / "import.csv"), "--summary-format", "canvas",
            "--roster", str(roster)]  # fmt: skip
    for _ in range(2):
        result = cg("check", *OLAH, "--answers", str(folder), *args)
        assert result.exit_code == 1, result.stderr
        assert result.stdout.splitlines()[-1] == "4 sheets graded, 1 all right"


@settings(max_examples=60)
@given(st.lists(st.text(min_size=1, max_size=30).filter(str.strip), min_size=1, max_size=6,
                unique=True))  # fmt: skip
def test_any_roster_gives_safe_distinct_names_and_good_draws(ids):
    from cgcli.grading.variants import draw_variants

    ids = [i for i in ids if i.strip() == i] or ["x"]
    program = cgcli.parse("y = relu(w*x) / (x - 1)")
    first, _ = draw_variants(program, None, ["x=-3..3", "w=-1..1:0.5"], ids, seed=9)
    again, _ = draw_variants(program, None, ["x=-3..3", "w=-1..1:0.5"], ids, seed=9)
    assert first == again
    names = [v.sheet for v in first]
    assert len({n.lower() for n in names}) == len(names)
    for variant in first:
        assert "/" not in variant.sheet and "\\" not in variant.sheet
        assert not variant.sheet.startswith(".") and variant.sheet != "variants.csv"
        assert why_bad(program, variant.values) is None


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="needs Graphviz")
def test_the_page_shades_where_the_class_went_wrong(cg, tmp_path):
    page = tmp_path / "page.html"
    result = cg("page", *OLAH, "-o", str(page), "--answers", str(CLASS))
    assert result.exit_code == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    svg = text[text.index("<svg") : text.index("</svg>") + 6]
    graph = cgcli.parse(OLAH[0])
    fills = svg_fills(svg)
    by_label = {graph.label(n): fills.get(n.id) for n in graph.nodes if n.id in fills}
    assert by_label["e"] == "#ffd3d3"  # a quarter of the class: 255 - 175/4 = 211
    assert "shaded: where the 4 students graded made their first mistake" in text
    plain = tmp_path / "plain.html"
    assert cg("page", *OLAH, "-o", str(plain)).exit_code == 0
    assert "#ffd3d3" not in plain.read_text(encoding="utf-8")


def test_gradescope_visibility(cg):
    result = cg("check", *OLAH, "--answers", str(CLASS / "alan.csv"), "--format", "gradescope",
                "--visibility", "after_due_date")  # fmt: skip
    doc = __import__("json").loads(result.stdout)
    assert doc["visibility"] == "after_due_date"
    assert {t["visibility"] for t in doc["tests"]} == {"after_due_date"}
    assert {doc["visibility"]} <= GRADESCOPE_VISIBILITY


def test_a_student_two_sheets_claim_is_graded_on_neither(cg, tmp_path):
    """Mallory hands in a sheet that says it is Alan's: Alan's grade is not set by it
    (the first file by name used to win), and neither sheet is graded silently."""
    import shutil

    folder = tmp_path / "class"
    shutil.copytree(CLASS, folder)
    (folder / "aaa_mallory.txt").write_text("Student: Alan Turing\nc = 0\nd = 0\ne = 0\n")
    roster = tmp_path / "canvas.csv"
    roster.write_text(CANVAS_EXPORT, encoding="utf-8")
    canvas = tmp_path / "import.csv"
    result = cg("check", *OLAH, "--answers", str(folder), "--summary", str(canvas),
                "--summary-format", "canvas", "--roster", str(roster))  # fmt: skip
    assert result.exit_code == 2
    both = [str(folder / "aaa_mallory.txt"), str(folder / "alan.csv")]
    for sheet, other in (both, both[::-1]):
        assert (
            f"{sheet}: 2 sheets say they are by 'Alan Turing' (also {other}): none of them is "
            "graded; keep the one that is theirs"
        ) in result.stderr
    assert '"Turing, Alan",101,s101,alan,A,\n' in canvas.read_text(encoding="utf-8")
    assert result.stdout.splitlines()[-1] == "3 sheets graded, 1 all right, 2 not graded"


def test_a_roster_student_two_sheets_name_differently_gets_no_points(cg, tmp_path):
    """'alan' and 'Alan Turing' are both the roster's Turing, Alan: the cell stays
    empty, and a warning names both files."""
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "one.txt").write_text("Student: alan\nc = 3\n")
    (tmp_path / "class" / "two.txt").write_text("Student: Alan Turing\nc = 4\n")
    roster = tmp_path / "canvas.csv"
    roster.write_text(CANVAS_EXPORT, encoding="utf-8")
    canvas = tmp_path / "import.csv"
    result = cg("check", *OLAH, "--answers", str(tmp_path / "class"), "--summary", str(canvas),
                "--summary-format", "canvas", "--roster", str(roster))  # fmt: skip
    files = f"{tmp_path / 'class' / 'one.txt'}, {tmp_path / 'class' / 'two.txt'}"
    assert (
        f"cg: warning: --roster: 2 sheets are by 'Turing, Alan' ({files}); their cell is left "
        "empty: grade the one that is theirs\n"
    ) in result.stderr
    assert '"Turing, Alan",101,s101,alan,A,\n' in canvas.read_text(encoding="utf-8")


def test_cgs_own_files_left_in_a_class_folder_are_skipped_not_graded(cg, tmp_path):
    """An earlier gradebook, Canvas import or variants file beside the sheets is no
    sheet: a later run (another --summary name, or none) skips it, and says so."""
    import shutil

    folder = tmp_path / "class"
    shutil.copytree(CLASS, folder)
    roster = tmp_path / "canvas.csv"
    roster.write_text(CANVAS_EXPORT, encoding="utf-8")
    assert cg("check", *OLAH, "--answers", str(folder), "--summary", str(folder / "g.csv")
              ).exit_code == 1  # fmt: skip
    assert cg("check", *OLAH, "--answers", str(folder), "--summary", str(folder / "i.csv"),
              "--summary-format", "canvas", "--roster", str(roster)).exit_code == 1  # fmt: skip
    (folder / "variants.csv").write_text("student,seed,sheet,a,b\nada,1,ada.md,2,1\n")
    result = cg("check", *OLAH, "--answers", str(folder))
    assert result.exit_code == 1, result.stderr
    for name, what in [("g.csv", "cg's gradebook (an earlier --summary)"),
                       ("i.csv", "cg's Canvas import (an earlier --summary)"),
                       ("variants.csv", "cg sheet's variants file")]:  # fmt: skip
        assert f"cg: warning: {folder / name}: skipped: {what}, not a sheet\n" in result.stderr
    assert result.stdout.splitlines()[-1] == "4 sheets graded, 1 all right, 3 skipped"


def test_the_assignment_may_not_take_a_column_canvas_needs(cg, tmp_path):
    roster = tmp_path / "canvas.csv"
    roster.write_text(CANVAS_EXPORT, encoding="utf-8")
    summary = tmp_path / "import.csv"
    result = cg("check", *OLAH, "--answers", str(CLASS), "--summary", str(summary),
                "--summary-format", "canvas", "--roster", str(roster),
                "--assignment", "student")  # fmt: skip
    assert (result.exit_code, result.stderr) == (
        2,
        "cg: usage error: --assignment 'student' is the name of Canvas's column Student: name "
        "the assignment\n",
    )
    assert not summary.exists()


@pytest.mark.parametrize("fmt", ["latex", "csv", "markdown", "json"])
def test_every_roster_id_reads_back_from_its_own_sheet(cg, tmp_path, fmt):
    """CORP\\jdoe came back from LaTeX as CORPjdoe, Zoë as Zo" e; j_doe_ and __init__
    lost their underscores in every format (so j_doe and j_doe_ clashed)."""
    ids = ["CORP\\jdoe", "Zoë", "j_doe", "j_doe_", "__init__", "a*b"]
    roster = tmp_path / "roster.csv"
    roster.write_text("id\n" + "\n".join(ids) + "\n", encoding="utf-8")
    out = tmp_path / "sheets"
    made = cg("sheet", "f = x*y", "y=1", "--vary", "x=1..9", "--roster", str(roster),
              "--seed", "7", "-o", str(out), "--format", fmt)  # fmt: skip
    assert made.exit_code == 0, made.stderr
    from cgcli.grading import read_sheet

    found = sorted(read_sheet(p).student for p in out.iterdir() if p.name != "variants.csv")
    assert found == sorted(ids)


def test_the_assignment_may_not_take_a_column_canvas_computes(cg, tmp_path):
    roster = tmp_path / "canvas.csv"
    roster.write_text(CANVAS_EXPORT, encoding="utf-8")
    result = cg("check", *OLAH, "--answers", str(CLASS), "--summary", str(tmp_path / "i.csv"),
                "--summary-format", "canvas", "--roster", str(roster),
                "--assignment", "Final Grade")  # fmt: skip
    assert result.exit_code == 2 and "Canvas's column Final Grade" in result.stderr


def test_the_class_drawing_replaces_only_a_class_drawing(cg, tmp_path):
    """--class-drawing notes.svg wrote over the teacher's notes; an earlier class drawing,
    SVG or page, is still replaced."""
    notes = tmp_path / "notes.svg"
    notes.write_text("teacher notes\n")
    result = cg("check", *OLAH, "--answers", str(CLASS), "--class-drawing", str(notes))
    assert (result.exit_code, result.stderr) == (
        2,
        f"cg: usage error: --class-drawing {notes} exists and is no drawing cg wrote: cg does "
        "not write over it; give a new name\n",
    )
    assert notes.read_text() == "teacher notes\n"
    for name in ("drawing.svg", "page.html"):
        for _ in range(2):
            again = cg("check", *OLAH, "--answers", str(CLASS), "--class-drawing",
                       str(tmp_path / name))  # fmt: skip
            assert again.exit_code == 1  # one sheet has a mistake; the drawing is written
