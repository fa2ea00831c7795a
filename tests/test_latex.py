"""Every LaTeX output compiles with a real engine (pdfLaTeX), inside the preamble the
docs document (docs/teaching.md, LaTeX), and fits an article page.

Without pdflatex the tests are skipped, saying so; in CI (CI=true) they fail instead,
since .ci/run installs it.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess

import pytest
from real_parts import require_program
from test_readme import console_examples

PREAMBLE = "\\documentclass{article}\n\\usepackage{amsmath,amssymb,longtable}\n"
ENGINE = shutil.which("pdflatex")


def _require_engine() -> None:
    require_program("pdflatex")


def compile_latex(body: str, folder) -> str:
    """Compile ``body`` in an article with the documented packages; returns the log."""
    _require_engine()
    source = folder / "doc.tex"
    source.write_text(f"{PREAMBLE}\\begin{{document}}\n{body}\\end{{document}}\n", "utf-8")
    done = subprocess.run(
        [ENGINE, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=folder,
        capture_output=True,
        timeout=60,
    )
    log = (folder / "doc.log").read_text("utf-8", errors="replace")
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert done.returncode == 0, f"pdflatex failed: {errors}\n{body}"
    return log


def assert_compiles_and_fits(body: str, folder) -> None:
    log = compile_latex(body, folder)
    assert "Overfull \\hbox" not in log, body
    assert "Unicode character" not in log


def readme_latex_commands() -> list[list[str]]:
    """The eval, explain and grad examples of the README and the docs, with --format latex."""
    commands = []
    for command, expected in console_examples():
        args = shlex.split(command)[1:]
        if expected.startswith("cg: ") or "✗" in expected:  # an error, or a failed check
            continue
        # text and Markdown only: forward mode, and the matrix rules of a program over arrays
        text_only = args[0] == "explain" and "forward" in args
        if args[0] in ("eval", "explain", "grad") and not {"--grad", "--points"} & set(args):
            if text_only:
                continue
            args = [a for a in args if a not in ("--format", "csv", "json")]
            commands.append([*args, "--format", "latex"])
    return commands


@pytest.mark.parametrize("args", readme_latex_commands(), ids=lambda a: " ".join(a[:2]))
def test_readme_examples_compile(cg, tmp_path, args):
    result = cg(*args)
    assert result.exit_code == 0, result.stderr
    assert_compiles_and_fits(result.stdout, tmp_path)


NAMES = [
    ["x = x * x; x += 3*x; x", "x=3"],  # reassignments: x#1, x#2, x#3
    ["my_var = a_b * c_1; my_var += a_b; my_var", "a_b=2", "c_1=3"],  # underscores
    ["θ = x * x; θ += 3*x; λ₁ = θ^(1/2)", "x=3"],  # Greek and a subscript digit
    ["Δw = η * grad; w2 = w - Δw", "η=0.1", "grad=2", "w=1"],
    ["café = x + 1; café * 2", "x=2"],  # a Latin letter with an accent
    ["h = tanh(w*x + b); loss = (h - t)^2", "w=0.5", "x=2", "b=-1", "t=1"],
    ["max(x, y) + relu(x) + abs(y) + 1/x + x^y + sigmoid(x)", "x=2", "y=2"],
    ["exp(-x) * 2*pi + e^x + sqrt(x)", "x=1/3"],
]


@pytest.mark.parametrize("command", ["eval", "explain", "grad", "sheet"])
@pytest.mark.parametrize("args", NAMES, ids=lambda a: a[0])
def test_names_compile(cg, tmp_path, command, args):
    result = cg(command, *args, "--format", "latex")
    assert result.exit_code == 0, result.stderr
    assert_compiles_and_fits(result.stdout, tmp_path)


@pytest.mark.parametrize("command", ["eval", "explain"])
def test_exact_numbers_compile(cg, tmp_path, command):
    result = cg(command, "x*y + sqrt(x)", "x=1/3", "y=2", "--exact", "--format", "latex")
    assert_compiles_and_fits(result.stdout, tmp_path)


def test_a_long_table_breaks_across_pages(cg, tmp_path):
    program = "; ".join(f"a{i} = sin(a{i - 1}) + x" for i in range(1, 90))
    result = cg("eval", f"a0 = x; {program}", "x=0.5", "--format", "latex")
    log = compile_latex(result.stdout, tmp_path)
    assert "Overfull" not in log
    pages = int(log.split("Output written on doc.pdf (")[1].split(" page")[0])
    assert pages >= 2


def test_brief_explain_compiles(cg, tmp_path):
    result = cg("explain", "(a+b)*(b+1)", "a=2", "b=1", "--format", "latex", "--brief")
    assert "\\intertext" not in result.stdout
    assert_compiles_and_fits(result.stdout, tmp_path)


LATEX_OUTPUTS = {
    "eval": ["eval"],
    "eval --mode forward": ["eval", "--mode", "forward", "--wrt", "w0"],
    "eval --grad-graph": ["eval", "--grad-graph"],
    "explain": ["explain"],
    "explain --brief": ["explain", "--brief"],
    "grad": ["grad"],
    "grad --order 2": ["grad", "--order", "2"],
    "hessian": ["hessian"],
    "sheet": ["sheet"],
    "sheet --ask gradients": ["sheet", "--ask", "gradients"],
}
"""Every command and mode that writes LaTeX, and the name its first line gives it."""
NETWORK = ["h1 = relu(w0*x1 + b); y = sigmoid(w1*h1) + max(h1, x1)", "w0=2", "x1=3", "b=-1",
           "w1=1/2"]  # fmt: skip


def packages_named(fragment: str) -> str:
    """The \\usepackage line that the fragment's first line says it needs."""
    first = fragment.splitlines()[0]
    match = re.fullmatch(r"% cg [a-z0-9 -]+: needs (\\usepackage\{[a-z,]+\})", first)
    assert match, first
    return match[1]


@pytest.mark.parametrize("command", LATEX_OUTPUTS.values(), ids=list(LATEX_OUTPUTS))
def test_every_fragment_names_its_packages_first_and_compiles_with_them(cg, tmp_path, command):
    fragment = cg(command[0], *NETWORK, *command[1:], "--format", "latex").stdout
    _require_engine()
    source = tmp_path / "doc.tex"
    body = f"\\documentclass{{article}}\n{packages_named(fragment)}\n\\begin{{document}}\n"
    source.write_text(f"{body}{fragment}\\end{{document}}\n", encoding="utf-8")
    done = subprocess.run([ENGINE, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, (tmp_path / "doc.log").read_text("utf-8", errors="replace")


@pytest.mark.parametrize(("name", "command"), LATEX_OUTPUTS.items(), ids=list(LATEX_OUTPUTS))
def test_standalone_is_a_whole_document_that_compiles_as_it_is(cg, tmp_path, name, command):
    """pdflatex on the output alone, as a user would run it: no preamble of ours."""
    result = cg(command[0], *NETWORK, *command[1:], "--format", "latex", "--standalone")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    shown = name if name in ("eval --mode forward", "eval --grad-graph") else command[0]
    assert text.splitlines()[:4] == [
        f"% cg {shown} --standalone: a whole document; pdflatex compiles it as it is",
        r"\documentclass{article}",
        r"\usepackage{amsmath,amssymb,longtable}",
        r"\begin{document}",
    ]
    assert text.endswith("\\end{document}\n")
    _require_engine()
    (tmp_path / "whole.tex").write_text(text, encoding="utf-8")
    done = subprocess.run([ENGINE, "-interaction=nonstopmode", "-halt-on-error", "whole.tex"],
                          cwd=tmp_path, capture_output=True, timeout=60)  # fmt: skip
    log = (tmp_path / "whole.log").read_text("utf-8", errors="replace")
    assert done.returncode == 0, log
    assert (tmp_path / "whole.pdf").stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "x", "x=1", "--standalone"], "--standalone is for --format latex"),
        (["sheet", "x", "x=1", "--format", "csv", "--standalone"],
         "--standalone is for --format latex"),
        (["eval", "x", "x=1", "--format", "latex", "--grad", "--standalone"],
         "--standalone writes the table as a document: drop --grad"),
    ],
)  # fmt: skip
def test_standalone_needs_latex(cg, args, message):
    result = cg(*args)
    expected = (2, "", f"cg: usage error: {message}\n")
    assert (result.exit_code, result.stdout, result.stderr) == expected


def test_a_standalone_sheet_reads_back(cg, tmp_path):
    """The whole document grades as the fragment does: every node asked, none answered."""
    graded = []
    for extra in ([], ["--standalone"]):
        path = tmp_path / f"sheet{len(extra)}.tex"
        path.write_text(cg("sheet", *NETWORK, "--format", "latex", *extra).stdout, "utf-8")
        result = cg("check", *NETWORK, "--answers", str(path), "--format", "json")
        doc = json.loads(result.stdout)
        graded.append((doc["right"], doc["asked"], doc["problems"]))
    assert graded == [(0, 17, []), (0, 17, [])]


@pytest.mark.parametrize("command", ["eval", "explain", "grad", "sheet", "hessian"])
def test_a_letter_and_digits_is_a_subscript_everywhere(cg, command):
    """w0 is w_{0} and x1 is x_{1} in every LaTeX output; a longer name stays whole."""
    text = cg(command, "ab1 = w0*x1; ab1^2", "w0=2", "x1=3", "--format", "latex").stdout
    assert "w_{0}" in text and "x_{1}" in text
    assert r"\mathit{w0}" not in text and r"\mathit{x1}" not in text
    if command in ("eval", "explain", "sheet"):
        assert r"\mathit{ab1}" in text


@pytest.mark.parametrize(
    "args",
    [
        ["h[0] = 0\nfor t in 1..3: h[t] = wx*x[t] + wh*h[t-1]\nL = sum(h[t]^2 for t in 1..3)",
         "wx=0.5", "wh=0.8", "x=[1,-1,2]"],
        ["v1 = w0*x1; v1 + x1*x1", "w0=2", "x1=3"],
    ],
    ids=["elements", "letters and digits"],
)  # fmt: skip
def test_subscripted_names_read_back_from_latex(cg, tmp_path, args):
    """h[2] and w0 are both written with a subscript (h_{2}, w_{0}); a LaTeX table or
    sheet still names the nodes it was written for."""
    table = cg("eval", *args, "--format", "latex", "--no-check").stdout
    assert "_{" in table
    (tmp_path / "table.tex").write_text(table, encoding="utf-8")
    doc = json.loads(cg("check", *args, "--answers", str(tmp_path / "table.tex"),
                        "--format", "json").stdout)  # fmt: skip
    assert (doc["right"], doc["problems"]) == (doc["asked"], [])
    (tmp_path / "sheet.tex").write_text(cg("sheet", *args, "--format", "latex").stdout, "utf-8")
    doc = json.loads(cg("check", *args, "--answers", str(tmp_path / "sheet.tex"),
                        "--format", "json").stdout)  # fmt: skip
    assert (doc["right"], doc["problems"]) == (0, [])
    assert doc["asked"] > 0


def test_an_array_is_a_matrix_with_the_json_numbers(cg, tmp_path):
    """Each array cell is a matrix (a vector as a column) whose entries are the numbers
    of cg eval --format json, row by row; a big array keeps its corners with dots."""
    args = ["eval", "L = sum(W @ x)", "W=[[1,2],[3,4.5],[5,6]]", "x=[0.5,-1]"]
    doc = json.loads(cg(*args, "--format", "json").stdout)
    body = cg(*args, "--format", "latex").stdout
    matrices = re.findall(r"\\begin\{smallmatrix\}(.*?)\\end\{smallmatrix\}", body)
    cells = [[[float(e) for e in row.split("&")] for row in m.split(r"\\")] for m in matrices]
    by_name = {n["name"]: n for n in doc["nodes"] if n.get("name")}
    assert cells[0] == by_name["W"]["value"] and cells[1] == by_name["W"]["grad"]
    assert cells[2] == [[v] for v in by_name["x"]["value"]]
    assert cells[3] == [[g] for g in by_name["x"]["grad"]]
    big = cg("eval", "L = sum(W)", "W=" + str([[i * 10 + j for j in range(8)] for i in range(8)]),
             "--format", "latex").stdout  # fmt: skip
    assert r"\vdots" in big and r"\cdots" in big and r"\ddots" in big
    assert "0 & 1 & \\cdots & 6 & 7" in big and "70 & 71 & \\cdots & 76 & 77" in big
    assert_compiles_and_fits(big, tmp_path)


def test_forward_mode_s_direction_compiles(cg, tmp_path):
    """The direction ṽ (v and a combining tilde) is written \\~{v}: pdfLaTeX has no
    combining tilde of its own."""
    args = ("u*v", "u=1", "v=2", "--tangent", "u=1,v=3", "--format", "latex")
    for command in (("eval", *args), ("hessian", "u*v", "u=1", "v=2", "--hvp", "u=1,v=3")):
        fragment = cg(*command, *(() if command[0] == "eval" else ("--format", "latex"))).stdout
        assert "\u0303" not in "".join(
            line for line in fragment.splitlines() if not line.startswith("%")
        )
        compile_latex(fragment, tmp_path)


LETTERS_PDFLATEX_HAS = ["ℓ", "ϕ", "φ", "ϑ", "ϵ", "ℏ", "é", "ő", "crème", "ß", "ṽ"]


@pytest.mark.parametrize("name", LETTERS_PDFLATEX_HAS)
def test_standalone_compiles_with_every_letter_pdflatex_has(cg, tmp_path, name):
    """Greek symbols and letterlike names are their math macros (ℓ → \\ell, ϕ → \\phi),
    a Latin letter with accents its accent command: nothing pdfLaTeX must look up."""
    program = f"{name} = u*u; {name} + 1"
    for command in (("eval",), ("grad",), ("explain",)):
        result = cg(*command, program, "u=2", "--format", "latex", "--standalone")
        assert result.exit_code == 0, result.stderr
        body = "".join(line for line in result.stdout.splitlines() if not line.startswith("%"))
        assert body.isascii(), body
        _require_engine()
        source = tmp_path / "doc.tex"
        source.write_text(result.stdout, encoding="utf-8")
        done = subprocess.run([ENGINE, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                              cwd=tmp_path, capture_output=True, timeout=60)  # fmt: skip
        assert done.returncode == 0, (tmp_path / "doc.log").read_text("utf-8", errors="replace")


@pytest.mark.parametrize(("name", "letter"), [("жук", "ж"), ("損", "損"), ("x_ж2", "ж")])
def test_standalone_refuses_a_name_pdflatex_cannot_typeset_naming_it(cg, name, letter):
    result = cg("eval", f"{name} = u*u; {name} + 1", "u=2", "--format", "latex", "--standalone")
    assert (result.exit_code, result.stderr) == (
        2,
        f"cg: usage error: cg eval --standalone: pdfLaTeX cannot typeset {letter} (in {name}): "
        "it has Latin and Greek letters only; rename it, or leave out --standalone and compile "
        "the fragment with LuaLaTeX or XeLaTeX and a font that has it\n",
    )
    fragment = cg("eval", f"{name} = u*u; {name} + 1", "u=2", "--format", "latex")
    assert fragment.exit_code == 0 and letter in fragment.stdout


def test_greek_letters_and_their_symbol_forms_stay_apart():
    """φ and ϕ, ε and ϵ, θ and ϑ are different names: Unicode's own LaTeX forms."""
    from cgcli.core.notation import latex_name

    pairs = [("φ", "ϕ"), ("ε", "ϵ"), ("θ", "ϑ"), ("ℓ", "l")]
    assert [(latex_name(a), latex_name(b)) for a, b in pairs] == [
        (r"\varphi", r"\phi"),
        (r"\varepsilon", r"\epsilon"),
        (r"\theta", r"\vartheta"),
        (r"\ell", "l"),
    ]


@pytest.mark.parametrize(
    "written", ["$1\\,000$", "1~000", "1\\ 000", "1\\;000", "1\\thinspace 000"]
)
def test_a_latex_number_grouped_by_thousands_is_one_number(written):
    """1\\,000 was read as 1*000 = 0 and graded wrong without a word."""
    from cgcli.grading.latex_cells import number_from_latex

    assert number_from_latex(written) == "1000"
    assert number_from_latex("-" + written.strip("$")) == "-1000"
    assert number_from_latex("1\\,000\\,000") == "1000000"
