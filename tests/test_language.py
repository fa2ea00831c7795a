"""The language of DESIGN.md: precedence, statements, names, numbers, constants."""

from __future__ import annotations

import functools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cgcli import CgSyntaxError, UsageError, evaluate, parse


def value(program: str, **values) -> float:
    return evaluate(program, values, check=False).value


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        ("2-3-4", -5),
        ("8/2/2", 2),
        ("2^3^2", 512),
        ("2**3**2", 512),
        ("2^-1", 0.5),
        ("-2^2", -4),
        ("(-2)^2", 4),
        ("-x^2", -9),
        ("2*3+4", 10),
        ("2+3*4", 14),
        ("2*3^2", 18),
        ("-3*2", -6),
        ("--3", 3),
        ("+3", 3),
        ("-+-3", 3),
        ("2^-x", 0.125),
        ("12/3*2", 8),
        ("1-2+3", 2),
        (".5", 0.5),
        ("1e-3", 0.001),
        ("2.5E2", 250),
        ("3.", 3),
        ("pow(2, 10)", 1024),
        ("max(1, x) - min(1, x)", 2),
    ],
)
def test_precedence_and_numbers(program, expected):
    assert value(program, x=3) == expected


def test_statements_by_newline_semicolon_and_comments():
    program = "# a comment line\np = x + y  # p is 4\n\n; g = p * z;\n"
    result = evaluate(program, {"x": 1, "y": 3, "z": -3})
    assert result.output == "g"
    assert result.value == -12
    assert [(r.label, r.value, r.grad) for r in result.nodes] == [
        ("x", 1, -3),
        ("y", 3, -3),
        ("p", 4, -3),
        ("z", -3, 4),
        ("g", -12, 1),
    ]


def test_reassignment_makes_new_versions():
    result = evaluate("x = x * 2; x = x + 1; x", {"x": 5})
    assert [r.label for r in result.nodes] == ["x#1", "2", "x#2", "1", "x#3"]
    assert result.value == 11
    assert result.gradient == {"x": 2.0}
    assert result.output == "x#3"


@pytest.mark.parametrize(
    ("program", "expected", "grad"),
    [
        ("y = x; y += 2; y", 5, 1),
        ("y = x; y -= 2; y", 1, 1),
        ("y = x; y *= x; y", 9, 6),
        ("y = x; y /= 2; y", 1.5, 0.5),
    ],
)
def test_augmented_assignment(program, expected, grad):
    result = evaluate(program, {"x": 3})
    assert (result.value, result.gradient["x"]) == (expected, grad)


def test_copy_assignment_is_its_own_node():
    result = evaluate("p = x; q = p; q * 2", {"x": 3})
    assert [(r.label, r.node.op) for r in result.nodes] == [
        ("x", "input"),
        ("p", "copy"),
        ("q", "copy"),
        ("2", "const"),
        ("f", "mul"),
    ]
    assert [r.grad for r in result.nodes] == [2, 2, 2, None, 1]


def test_a_name_used_several_times_accumulates_gradient():
    assert evaluate("x*x", {"x": 3}).gradient == {"x": 6.0}
    assert evaluate("x*x*x + x", {"x": 2}).gradient == {"x": 13.0}


def test_unicode_names():
    result = evaluate("θ₁ = θ * 2; θ₁ + λ", {"θ": 1, "λ": 2})
    assert result.value == 4
    assert result.gradient == {"θ": 2.0, "λ": 1.0}


def test_pi_and_e_are_constants_unless_assigned_or_given():
    assert value("pi") == math.pi
    assert value("e") == math.e
    assert value("e = 2; e * pi") == 2 * math.pi
    assert evaluate("e * x", {"e": 3, "x": 2}).gradient == {"e": 2.0, "x": 3.0}
    assert evaluate("pi * x", {"x": 2}).gradient == {"x": math.pi}


def test_output_picks_another_name():
    result = evaluate("p = x + y; g = p * z", {"x": 1, "y": 3, "z": -3}, output="p")
    assert (result.output, result.value, result.gradient) == ("p", 4, {"x": 1, "y": 1, "z": 0})


def test_inputs_the_output_does_not_use_have_zero_gradient():
    result = evaluate("a = w * 2; x + 1", {"w": 1, "x": 1})
    assert result.gradient == {"w": 0.0, "x": 1.0}


def test_values_are_constant_expressions():
    result = evaluate("x * y", {"x": "1/3", "y": "2^-1"})
    assert result.value == pytest.approx(1 / 6)
    result = evaluate("sin(x)", {"x": "pi/4"})
    assert result.gradient["x"] == pytest.approx(math.sqrt(0.5))


def test_missing_values_are_listed_together():
    with pytest.raises(UsageError, match=r"missing values for y, z \(give y=\.\.\. z=\.\.\.\)"):
        evaluate("(x+y)*z", {"x": 1})


def test_unused_value_is_a_warning():
    result = evaluate("x + 1", {"x": 1, "w": 2})
    assert result.warnings == ["w is not used by the program; its value is ignored"]


@pytest.mark.parametrize("value_text", ["y", "1;2", "a = 1"])
def test_values_must_be_one_constant_expression(value_text):
    with pytest.raises(UsageError):
        evaluate("x", {"x": value_text})


def test_deep_nesting_does_not_recurse():
    depth = 10_000
    program = "(" * depth + "x" + "+1)" * depth
    result = evaluate(program, {"x": 1}, check=False)
    assert result.value == depth + 1
    assert result.gradient == {"x": 1.0}
    result = evaluate("-" * 1000 + "x", {"x": 2}, check=False)
    assert result.value == 2
    result = evaluate("sin(" * 5000 + "x" + ")" * 5000, {"x": 0.5}, check=False)
    assert 0 < result.value < 0.5


def test_one_hundred_thousand_nodes():
    lines = [f"t{i} = t{i - 1} * 0.5 + sin(x)" for i in range(1, 25_001)]
    program = "t0 = x\n" + "\n".join(lines)
    result = evaluate(program, {"x": 0.5}, check=False)
    assert len(result.nodes) >= 100_000
    assert result.value == pytest.approx(2 * math.sin(0.5), rel=1e-9)
    assert result.gradient["x"] == pytest.approx(2 * math.cos(0.5), rel=1e-9)


@pytest.mark.parametrize(
    "program",
    ["", "   ", "# only a comment", "\n;\n"],
)
def test_empty_program(program):
    with pytest.raises(CgSyntaxError, match="empty program"):
        parse(program)


def test_generated_parser_tables_are_up_to_date():
    """cgcli/core/_grammar_tables.py is what tools/generate_parser.py makes of grammar/cg.lark."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "tools" / "generate_parser.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_grammar_builds_with_lark_strict():
    from lark import Lark

    from cgcli.core.parser import grammar_text

    Lark(grammar_text(), parser="lalr", strict=True)  # raises on any conflict


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="xy_for in range1.5e+-*/^()[],:=@;# \t\n", max_size=40))
def test_the_lexer_reads_as_larks_lexer_of_the_grammar(source):
    """cg's lexer (one regular expression over the generated tables) splits any text into
    the terminals Lark's own lexer of the grammar finds, or refuses it where Lark does."""
    from lark.exceptions import UnexpectedCharacters

    from cgcli.core import lalr

    lark = _lark_lexer()
    try:
        theirs = [(t.type, str(t), t.start_pos) for t in lark.lex(source)]
    except UnexpectedCharacters as exc:
        with pytest.raises(lalr.UnexpectedCharacter) as ours:
            list(lalr.tokens(source))
        assert ours.value.pos == exc.pos_in_stream
        return
    ours = [(t.type, t.text, t.start) for t in lalr.tokens(source)]
    assert ours == [*theirs, (lalr.END, "", len(source))]


@functools.cache
def _lark_lexer():
    from lark import Lark

    from cgcli.core.parser import grammar_text

    return Lark(grammar_text(), parser="lalr", lexer="basic")


def test_values_are_one_mapping_so_a_program_may_use_any_name():
    """Options are keyword-only and apart from the values: no variable name collides."""
    from cgcli import UsageError

    result = evaluate("output * check + exact", {"output": 3, "check": 2, "exact": 1})
    assert (result.value, result.gradient) == (7.0, {"output": 2.0, "check": 3.0, "exact": 1.0})
    with pytest.raises(UsageError, match="values must be a mapping"):
        evaluate("x", 5)
    with pytest.raises(UsageError, match=r"output= names the node to differentiate"):
        evaluate("output * 2", output=3)
    with pytest.raises(TypeError):
        evaluate("x", x=1)  # values are not keywords
