"""A catalogue of bad and tricky inputs, each with its exact output and exit code.

Each row is a decision, documented in docs/testing.md (conventions at kinks): an error
with its position (exit 2), a math error naming the node (exit 3), or a value
(exit 0), following PyTorch's conventions at non-differentiable points.
"""

from __future__ import annotations

import os

import pytest

CATALOGUE = [
    (
        "empty program",
        [""],
        2,
        "",
        "cg: syntax error: 1:1: empty program: write an expression such as (x+y)*z\n  \n  ^\n",
    ),
    (
        "only a comment",
        ["# nothing"],
        2,
        "",
        "cg: syntax error: 1:1: empty program: write an expression such as (x+y)*z\n  # nothing\n  ^\n",
    ),
    (
        "unbalanced (",
        ["(x+1", "x=1"],
        2,
        "",
        "cg: syntax error: 1:5: unexpected end of input: expected ')'\n  (x+1\n      ^\n",
    ),
    (
        "unbalanced )",
        ["x+1)", "x=1"],
        2,
        "",
        "cg: syntax error: 1:4: unexpected ')': expected an operator\n  x+1)\n     ^\n",
    ),
    (
        "dangling operator",
        ["x*", "x=1"],
        2,
        "",
        "cg: syntax error: 1:3: unexpected end of input: expected a number, a name or '('\n  x*\n    ^\n",
    ),
    (
        "operator first",
        ["*x", "x=1"],
        2,
        "",
        "cg: syntax error: 1:1: unexpected '*': expected a number, a name or '('\n  *x\n  ^\n",
    ),
    (
        "2x",
        ["2x", "x=1"],
        2,
        "",
        "cg: syntax error: 1:2: unexpected name 'x'; missing operator: did you mean 2*x?\n  2x\n   ^\n",
    ),
    (
        "x y",
        ["x y", "x=1", "y=2"],
        2,
        "",
        "cg: syntax error: 1:3: unexpected name 'y'; missing operator between 'x' and 'y'\n  x y\n    ^\n",
    ),
    (
        "2(x+1)",
        ["2(x+1)", "x=1"],
        2,
        "",
        "cg: syntax error: 1:2: unexpected '('; missing operator: did you mean 2*(...)?\n  2(x+1)\n   ^\n",
    ),
    (
        "(a)(b)",
        ["(a)(b)", "a=1", "b=2"],
        2,
        "",
        "cg: syntax error: 1:4: unexpected '('; missing operator: did you mean (...)*(...)?\n  (a)(b)\n     ^\n",
    ),
    (
        "1e",
        ["1e"],
        2,
        "",
        "cg: syntax error: 1:2: unexpected name 'e'; a number's exponent needs digits, as in 1e3 (for a product write 1*e)\n  1e\n   ^\n",
    ),
    (
        "1..2",
        ["1..2"],
        2,
        "",
        "cg: syntax error: 1:3: unexpected number '.2'; a number has at most one decimal point\n  1..2\n    ^\n",
    ),
    (
        "0x10",
        ["0x10"],
        2,
        "",
        "cg: syntax error: 1:2: unexpected name 'x10'; only decimal numbers are supported\n  0x10\n   ^\n",
    ),
    (
        "1_000",
        ["1_000"],
        2,
        "",
        "cg: syntax error: 1:2: unexpected name '_000'; digit separators '_' are not allowed in numbers\n  1_000\n   ^\n",
    ),
    (
        "1e309",
        ["1e309"],
        2,
        "",
        "cg: syntax error: 1:1: number 1e309 is too large for a float64\n  1e309\n  ^\n",
    ),
    (
        "unicode minus",
        ["x − 1", "x=1"],
        2,
        "",
        "cg: syntax error: 1:3: unexpected character '−' (U+2212 MINUS SIGN); did you mean '-'?\n  x − 1\n    ^\n",
    ),
    (
        "times sign",
        ["x × 2", "x=1"],
        2,
        "",
        "cg: syntax error: 1:3: unexpected character '×' (U+00D7 MULTIPLICATION SIGN); did you mean '*'?\n  x × 2\n    ^\n",
    ),
    (
        "non-breaking space",
        ["x\xa0+ 1", "x=1"],
        2,
        "",
        "cg: syntax error: 1:2: unexpected character '\\xa0' (U+00A0 NO-BREAK SPACE); did you mean a space?\n  x\xa0+ 1\n   ^\n",
    ),
    (
        "zero-width space",
        ["x +\u200b1", "x=1"],
        2,
        "",
        "cg: syntax error: 1:4: unexpected character '\\u200b' (U+200B ZERO WIDTH SPACE); it is invisible: delete it\n  x +\\u200b1\n     ^\n",
    ),
    (
        "cyrillic x",
        ["х + 1", "x=1"],
        2,
        "",
        "cg: usage error: missing value for х (give х=...); in х, 'х' is U+0445 CYRILLIC SMALL LETTER HA, not 'x'\n",
    ),
    (
        "function as value",
        ["exp + 1"],
        2,
        "",
        "cg: syntax error: 1:1: exp is a function: call it as exp(...)\n  exp + 1\n  ^\n",
    ),
    (
        "unknown function",
        ["sine(x)", "x=1"],
        2,
        "",
        "cg: syntax error: 1:1: unknown function sine; did you mean sin?\n  sine(x)\n  ^\n",
    ),
    (
        "wrong arity",
        ["max(x)", "x=1"],
        2,
        "",
        "cg: syntax error: 1:1: max takes 2 arguments, got 1\n  max(x)\n  ^\n",
    ),
    (
        "assign to function",
        ["sin = 2"],
        2,
        "",
        "cg: syntax error: 1:1: cannot assign to sin: it is a function name\n  sin = 2\n  ^\n",
    ),
    (
        "inf as a name",
        ["inf * x", "x=1"],
        2,
        "",
        "cg: usage error: missing value for inf (give inf=...); inf is a name here: cg has no literal for it\n",
    ),
    (
        "nan as a name",
        ["nan + 1"],
        2,
        "",
        "cg: usage error: missing value for nan (give nan=...); nan is a name here: cg has no literal for it\n",
    ),
    (
        "missing values",
        ["x*y + z", "x=1"],
        2,
        "",
        "cg: usage error: missing values for y, z (give y=... z=...)\n",
    ),
    (
        "unused value",
        ["x + 1", "x=1", "w=2", "--no-check"],
        0,
        "node  op     inputs  text   value  ∂f/∂node  check\nx     input          x          1         1  -\nf     add    x, 1    x + 1      2         1  -\n\nf = 2  -\n∂f/∂x = 1  -\ncheck: skipped (--no-check)\n",
        "cg: warning: w is not used by the program; its value is ignored\n",
    ),
    (
        "duplicate value",
        ["x", "x=1", "x=2"],
        2,
        "",
        "cg: usage error: x is given twice\n",
    ),
    (
        "value nan",
        ["x", "x=nan"],
        2,
        "",
        "cg: usage error: the value of x must be a constant expression, but 'nan' uses the name 'nan'\n",
    ),
    (
        "value inf",
        ["x", "x=inf"],
        2,
        "",
        "cg: usage error: the value of x must be a constant expression, but 'inf' uses the name 'inf'\n",
    ),
    (
        "arabic digits",
        ["x", "x=١٢"],
        2,
        "",
        "cg: syntax error in the value of x: 1:1: unexpected character '١' (U+0661 ARABIC-INDIC DIGIT ONE); numbers are written with the digits 0-9\n  ١٢\n  ^\n",
    ),
    (
        "value with spaces",
        ["x * 2", "x= 1 ", "--no-check", "--format", "json", "--grad"],
        0,
        '{"x": 2.0}\n',
        "",
    ),
    (
        "value expression",
        ["x", "x=pi/4", "--grad", "--no-check"],
        0,
        "x 1\n",
        "",
    ),
    (
        "value not NAME=VALUE",
        ["x", "1=2"],
        2,
        "",
        "cg: usage error: expected NAME=VALUE, got '1=2'\n",
    ),
    (
        "program starts with minus",
        ["-x^2", "x=3", "--grad"],
        0,
        "x -6\n",
        "",
    ),
    (
        "1000 unary minuses",
        ["-" * 1000 + "x", "x=2", "--grad", "--no-check"],
        0,
        "x 1\n",
        "",
    ),
    (
        "log(0)",
        ["log(x)", "x=0"],
        3,
        "",
        "cg: math error: 1:1: node f = log(x): log of zero in log(0)\n",
    ),
    (
        "log(-1)",
        ["log(x)", "x=-1"],
        3,
        "",
        "cg: math error: 1:1: node f = log(x): log of a negative number in log(-1)\n",
    ),
    (
        "sqrt(-1)",
        ["sqrt(x)", "x=-1"],
        3,
        "",
        "cg: math error: 1:1: node f = sqrt(x): square root of a negative number in sqrt(-1)\n",
    ),
    (
        "1/0",
        ["1/x", "x=0"],
        3,
        "",
        "cg: math error: 1:1: node f = 1/x: division by zero in div(1, 0)\n",
    ),
    (
        "0^-1",
        ["x^-1", "x=0"],
        3,
        "",
        "cg: math error: 1:1: node f = x^-1: zero raised to a negative power in pow(0, -1)\n",
    ),
    (
        "(-8)^(1/3)",
        ["x^(1/3)", "x=-8"],
        3,
        "",
        "cg: math error: 1:1: node f = x^(1/3): negative base raised to a non-integer power in pow(-8, 0.3333333333333333)\n",
    ),
    (
        "exp(1000)",
        ["exp(x)", "x=1000"],
        3,
        "",
        "cg: math error: 1:1: node f = exp(x): result overflows a float64 in exp(1000)\n",
    ),
    (
        "asin(2)",
        ["asin(x)", "x=2"],
        3,
        "",
        "cg: math error: 1:1: node f = asin(x): asin of a value outside [-1, 1] in asin(2)\n",
    ),
    (
        "0^0",
        ["x^y", "x=0", "y=0", "--grad"],
        0,
        "x 0\ny 0\n",
        "",
    ),
    (
        "x^y at x=0",
        ["x^y", "x=0", "y=2", "--grad"],
        0,
        "x 0\ny 0\n",
        "",
    ),
    (
        "relu at 0",
        ["relu(x)", "x=0", "--grad"],
        0,
        "x 0\n",
        "",
    ),
    (
        "abs at 0",
        ["abs(x)", "x=0", "--grad"],
        0,
        "x 0\n",
        "",
    ),
    (
        "max tie",
        ["max(x, y)", "x=1", "y=1", "--grad"],
        0,
        "x 0.5\ny 0.5\n",
        "",
    ),
    (
        "sqrt at 0",
        ["sqrt(x)", "x=0", "--grad"],
        0,
        "x inf\n",
        "",
    ),
    (
        "log(1+exp(x)) at 1000",
        ["log(1+exp(x))", "x=1000"],
        3,
        "",
        "cg: math error: 1:7: node v1 = exp(x): result overflows a float64 in exp(1000)\n",
    ),
    (
        "log(1+exp(x)) at -1000",
        ["log(1+exp(x))", "x=-1000", "--grad"],
        0,
        "x 0\n",
        "",
    ),
    (
        "log(1+exp(x)) at -40",
        ["log(1+exp(x))", "x=-40", "--grad"],
        0,
        "x 4.248354255291589e-18\n",
        "",
    ),
    (
        "softplus at 1000",
        ["softplus(x)", "x=1000", "--grad"],
        0,
        "x 1\n",
        "",
    ),
    (
        "sigmoid at -1000",
        ["sigmoid(x)", "x=-1000", "--grad"],
        0,
        "x 0\n",
        "",
    ),
    (
        "import attack",
        ["__import__('os').system('touch /tmp/cg-pwned')"],
        2,
        "",
        "cg: syntax error: 1:12: unexpected character \"'\" (U+0027 APOSTROPHE)\n  __import__('os').system('touch /tmp/cg-pwned')\n             ^\n",
    ),
    (
        "import in value",
        ["x", "x=__import__('os')"],
        2,
        "",
        "cg: syntax error in the value of x: 1:12: unexpected character \"'\" (U+0027 APOSTROPHE)\n  __import__('os')\n             ^\n",
    ),
    (
        "quote",
        ["'x'"],
        2,
        "",
        "cg: syntax error: 1:1: unexpected character \"'\" (U+0027 APOSTROPHE)\n  'x'\n  ^\n",
    ),
    (
        "equals in expression",
        ["x + y = 3", "x=1", "y=2"],
        2,
        "",
        "cg: syntax error: 1:7: unexpected '=': only a name can be assigned to\n  x + y = 3\n        ^\n",
    ),
    (
        "assignment without value",
        ["x ="],
        2,
        "",
        "cg: syntax error: 1:4: unexpected end of input: expected a number, a name or '('\n  x =\n     ^\n",
    ),
    (
        "bad output name",
        ["p = x", "x=1", "--output", "q"],
        2,
        "",
        "cg: usage error: --output q: no such name in the program (names: p, x)\n",
    ),
    (
        "overflow in product",
        ["x*x*x", "x=1e200"],
        3,
        "",
        "cg: math error: 1:1: node v1 = x*x: result overflows a float64 in mul(1e+200, 1e+200)\n",
    ),
    (
        "tab in program",
        ["x\t+\t", "x=1"],
        2,
        "",
        "cg: syntax error: 1:4: unexpected end of input: expected a number, a name or '('\n  x + \n     ^\n",
    ),
    (
        "second line error",
        ["a = x\nb = a +* 2", "x=1"],
        2,
        "",
        "cg: syntax error: 2:8: unexpected '*': expected a number, a name or '('\n  b = a +* 2\n         ^\n",
    ),
    (
        "semicolons only",
        [";;;"],
        2,
        "",
        "cg: syntax error: 1:1: empty program: write an expression such as (x+y)*z\n  ;;;\n  ^\n",
    ),
    (
        "long literal",
        ["1" * 1001],
        2,
        "",
        "cg: syntax error: 1:1: number literal longer than 1,000 characters (raise the limit with --max-literal)\n  111111111111111111111111111111111111111111111111111111111111111111111111…\n  ^\n",
    ),
    (
        "over --max-size",
        ["x+1+2", "x=1", "--max-size", "3"],
        2,
        "",
        "cg: usage error: the program has 5 characters, over the limit of 3 (raise it with --max-size)\n",
    ),
    (
        "over --max-depth",
        ["((((x))))", "x=1", "--max-depth", "3"],
        2,
        "",
        "cg: syntax error: 1:3: the program nests deeper than the limit of 3 (raise it with --max-depth)\n  ((((x))))\n    ^\n",
    ),
    (
        "a 10 MB program",
        ["x+" * 5_000_000 + "x", "x=1"],
        2,
        "",
        "cg: usage error: the program has 10,000,001 characters, over the limit of 8,388,608 (raise it with --max-size)\n",
    ),
    (
        "nesting 100,000 deep",
        ["(" * 100_000 + "x" + "+1)" * 100_000, "x=1", "--grad", "--no-check"],
        0,
        "x 1\n",
        "",
    ),
]


def test_the_catalogue_is_large_enough():
    assert len(CATALOGUE) >= 50


@pytest.mark.parametrize(
    ("args", "code", "stdout", "stderr"),
    [row[1:] for row in CATALOGUE],
    ids=[row[0] for row in CATALOGUE],
)
def test_catalogue(cg, args, code, stdout, stderr):
    result = cg("eval", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (code, stdout, stderr)


def test_no_side_effect_from_code_in_programs_or_values(cg, tmp_path):
    target = tmp_path / "pwned"
    attacks = [
        f"__import__('os').system('touch {target}')",
        f'__import__("os").system("touch {target}")',
        "exec('x=1')",
        "eval(x)",
        "open(x)",
        "lambda: 1",
        "x.__class__",
        "[x for x in y]",
    ]
    for attack in attacks:
        result = cg("eval", attack, "x=1", "y=2")
        assert result.exit_code == 2, attack
        assert result.stderr.startswith("cg: syntax error"), attack
        result = cg("eval", "x", f"x={attack}")
        assert result.exit_code == 2, attack
    assert not target.exists()
    assert not os.path.exists("/tmp/cg-pwned")
