"""cg grad in the program's own terms: named intermediates and σ·(1 - σ); --expand."""

from __future__ import annotations

import json

import pytest
import sympy

from cgcli import parse
from cgcli.api.named_grad import derivatives, for_evaluation
from cgcli.check.symbolic import build


def test_sigmoid_is_written_with_sigma(cg):
    result = cg("grad", "sigmoid(w*x + b)", "w=2", "x=1/2", "b=-1")
    assert result.stdout == (
        "∂f/∂w = x*(1 - σ(b + w*x))*σ(b + w*x) = 1/8 ≈ 0.125\n"
        "∂f/∂x = w*(1 - σ(b + w*x))*σ(b + w*x) = 1/2 ≈ 0.5\n"
        "∂f/∂b = (1 - σ(b + w*x))*σ(b + w*x) = 1/4 ≈ 0.25\n"
    )


def test_named_intermediates_are_used(cg):
    result = cg("grad", "h = tanh(w*x + b); loss = (h - t)^2", "w=0.5", "x=2", "b=-1", "t=1")
    assert result.stdout == (
        "∂loss/∂w = 2*x*(1 - h^2)*(h - t) = -4\n"
        "∂loss/∂x = 2*w*(1 - h^2)*(h - t) = -1\n"
        "∂loss/∂b = 2*(1 - h^2)*(h - t) = -2\n"
        "∂loss/∂t = 2*(-h + t) = 2\n"
    )
    result = cg("grad", "p = sigmoid(z); loss = -log(p)")
    assert result.stdout == "∂loss/∂z = p - 1\n"


def test_expand_writes_the_inputs_alone(cg):
    result = cg("grad", "sigmoid(w*x + b)", "--expand", "--wrt", "b")
    assert result.stdout == "∂f/∂b = 1/(4*cosh(b/2 + w*x/2)^2)\n"


def test_reassigned_names_use_their_labels(cg):
    assert cg("grad", "x = x * x; x += 3*x; x", "x=3").stdout == "∂x#3/∂x#1 = 8*x#1 = 24\n"


def test_latex_names_are_the_same_as_everywhere(cg):
    result = cg("grad", "h1 = tanh(w0*x); h1^2", "--format", "latex", "--wrt", "w0")
    assert r"\frac{\partial f}{\partial w_{0}}" in result.stdout
    assert "h_{1}" in result.stdout
    assert r"\mathit{w0}" not in result.stdout and r"\mathit{h1}" not in result.stdout


def test_relu_at_its_kink_follows_cg(cg):
    assert cg("grad", "relu(x)", "x=0").stdout == "∂f/∂x = [1 if x > 0, else 0] = 0\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["relu(x)"], "∂f/∂x = [1 if x > 0, else 0]\n"),
        (["relu(x)", "--expand"], "∂f/∂x = [1 if x > 0, else 0]\n"),
        (["max(x, y)", "--wrt", "x"], "∂f/∂x = [1 if x > y, ½ if x = y, else 0]\n"),
        (["min(x, 2*y)", "--wrt", "y"], "∂f/∂y = 2*[1 if x > 2*y, ½ if x = 2*y, else 0]\n"),
        (["abs(x) + relu(x)"], "∂f/∂x = [1 if x > 0, else 0] + sign(x)\n"),
        (["relu(x)*y", "--order", "2"],
         "∂²f/∂x² = 0\n∂²f/∂x∂y = [1 if x > 0, else 0]\n∂²f/∂y² = 0\n"),
        (["relu(x)", "--format", "latex"],
         "% cg grad: needs \\usepackage{amsmath}\n\\begin{align*}\n"
         "\\frac{\\partial f}{\\partial x} &= [x > 0] \\\\\n\\end{align*}\n"),
        (["max(x, y)", "--wrt", "x", "--format", "latex"],
         "% cg grad: needs \\usepackage{amsmath}\n\\begin{align*}\n"
         "\\frac{\\partial f}{\\partial x} &= \\left([x > y] + \\tfrac{1}{2}\\,[x = y]\\right)"
         " \\\\\n\\end{align*}\n"),
    ],
)  # fmt: skip
def test_steps_are_written_in_cg_s_notation_with_cg_s_convention(cg, args, expected):
    """relu's, max's and min's derivatives as cg explain writes them, not SymPy's Heaviside;
    a step's derivative is 0 (no DiracDelta)."""
    result = cg("grad", *args)
    assert (result.stdout, result.exit_code) == (expected, 0)


@pytest.mark.parametrize("point", [("x=0", "y=0"), ("x=0", "y=2"), ("x=1", "y=1"), ("x=-1", "y=2")])
def test_steps_at_and_off_their_breaks_give_what_cg_eval_gives(cg, point):
    program = "relu(x)*y + max(x, y) + abs(x - y) + min(x, 0)"
    doc = json.loads(cg("grad", program, *point, "--format", "json").stdout)
    evaluated = json.loads(cg("eval", program, *point, "--format", "json").stdout)
    assert {n: g["value"] for n, g in doc["gradient"].items()} == evaluated["gradient"]
    assert not any(word in g["formula"] + g["latex"] for g in doc["gradient"].values()
                   for word in ("Heaviside", "theta", "DiracDelta", "Max", "Abs"))  # fmt: skip


PROGRAMS = [
    "sigmoid(w*x + b)",
    "h = tanh(w*x + b); loss = (h - t)^2",
    "a = x*y; b = a + x; f = sin(b) * a",
    "x = x * x; x += 3*x; x",
    "h = relu(w*x + b); o = sigmoid(w*h + t); loss = (o - t)^2 / 2",
    "q = x / y; q = q ^ 2 + exp(q); r = sqrt(q) * max(q, x); r + q",
    "c = 2; p = c * x; p = p * p; -p",
]


@pytest.mark.parametrize("program", PROGRAMS)
def test_named_derivatives_equal_sympy(program):
    """Substituting every name's definition gives SymPy's derivative of the whole program."""
    graph = parse(program).bind_constants(())
    names = list(graph.input_names)
    found, symbols = derivatives(graph, names)
    inputs = {n.name: symbols[n.index] for n in graph.inputs}
    exprs = build(graph, inputs)
    whole = exprs[graph.output]
    definitions = {s: exprs[i] for i, s in symbols.items()}
    points = [
        {"x": "3/10", "y": "-6/5", "w": "7/10", "b": "2", "t": "1/3"},
        {"x": "19/10", "y": "2/5", "w": "-2", "b": "1/2", "t": "-1"},
    ]
    for name in names:
        reference = sympy.diff(whole, inputs[name])
        ours = for_evaluation(found[name]).xreplace(definitions)
        for point in points:
            at = {inputs[n]: sympy.Rational(point[n]) for n in inputs}
            difference = sympy.N((ours - reference).xreplace(at), 30)
            assert abs(difference) < 1e-25, (program, name)


@pytest.mark.parametrize(
    ("program", "values", "message"),
    [
        ("log(x)", ["x=-1"], "log of a negative number"),
        ("sqrt(x)", ["x=-1"], "square root of a negative number"),
        ("1/x", ["x=0"], "division by zero"),
        ("exp(x)", ["x=1000"], "overflows"),
        ("asin(x)", ["x=2"], "outside [-1, 1]"),
    ],
)
def test_grad_at_a_point_outside_the_domain_is_a_math_error(cg, program, values, message):
    """cg grad never prints a number at a point where cg eval says math error."""
    result = cg("grad", program, *values)
    assert (result.exit_code, result.stdout) == (3, "")
    assert message in result.stderr


def test_grad_at_a_kink_gives_cg_s_convention_and_names_sympy_s(cg):
    """relu'(0) = 0 and max at a tie splits evenly, as cg eval; SymPy's own value is named."""
    result = cg("grad", "x^y", "x=0", "y=0")
    assert result.exit_code == 0
    assert result.stdout == (
        "∂f/∂x = x^y*y/x = 0  (at a kink cg follows PyTorch's convention; SymPy's value "
        "there is nan)\n"
        "∂f/∂y = x^y*log(x) = 0  (at a kink cg follows PyTorch's convention; SymPy's value "
        "there is zoo)\n"
    )
    tie = cg("grad", "max(x, y)", "x=1", "y=1", "--format", "json")
    doc = json.loads(tie.stdout)
    assert [doc["gradient"][n]["value"] for n in "xy"] == [0.5, 0.5]
    evaluated = json.loads(cg("eval", "max(x, y)", "x=1", "y=1", "--format", "json").stdout)
    assert evaluated["gradient"] == {"x": 0.5, "y": 0.5}


def test_grad_that_is_not_real_is_a_math_error_after_the_formulas(cg):
    result = cg("grad", "x^y", "x=-2", "y=2")
    assert result.exit_code == 3
    assert result.stdout.splitlines()[1] == (
        "∂f/∂y = x^y*log(x) = 4*log(2) + 4*I*pi = not a real number"
    )
    assert result.stderr == "cg: math error: ∂f/∂y is not a real number at this point\n"


def test_grad_of_a_program_without_inputs_says_so(cg):
    result = cg("grad", "2*3")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "no inputs: there is nothing to differentiate" in result.stderr


def test_grad_that_sympy_cannot_finish_in_time_stops(cg, monkeypatch, stepping_clock):
    """Simplified or not, SymPy gets --timeout; past both budgets cg stops (exit 2). The
    clock moves 1 s per read: each budget of 0.2 s has run out at its first look."""
    import threading

    from cgcli.api import named_grad as symbolic

    monkeypatch.setattr(symbolic, "gradient_formulas", lambda *args: threading.Event().wait())
    result = cg("grad", "x^x", "x=1.5", "--timeout", "0.2")
    assert result.exit_code == 2
    assert result.stderr == (
        "cg: usage error: SymPy did not differentiate the program within 0.2 s more (raise "
        "--timeout, or use cg eval for the numbers)\n"
    )


def test_grad_at_a_point_of_a_large_network_is_quick(cg):
    """Mazur's 2-2-2 network: the values at the point are not simplified exactly (that took
    SymPy minutes); the published ∂E/∂w5 = 0.082167041 and ∂E/∂w1 = 0.000438568."""
    program = (
        "net_h1 = w1*i1 + w2*i2 + b1; out_h1 = sigmoid(net_h1); net_h2 = w3*i1 + w4*i2 + b1; "
        "out_h2 = sigmoid(net_h2); net_o1 = w5*out_h1 + w6*out_h2 + b2; out_o1 = sigmoid(net_o1); "
        "net_o2 = w7*out_h1 + w8*out_h2 + b2; out_o2 = sigmoid(net_o2); "
        "E = 0.5*(t1 - out_o1)^2 + 0.5*(t2 - out_o2)^2"
    )
    values = "i1=0.05 i2=0.10 w1=0.15 w2=0.20 w3=0.25 w4=0.30 b1=0.35 w5=0.40 w6=0.45 w7=0.50 "
    values += "w8=0.55 b2=0.60 t1=0.01 t2=0.99"
    result = cg("grad", program, *values.split(), "--wrt", "w5,w1", "--timeout", "10")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith(" = 0.082167")
    assert lines[1].endswith(" = 0.000438568")


def test_euler_s_number_is_written_e_not_a_name(cg):
    assert cg("grad", "sigmoid(x)", "x=1").stdout == (
        "∂f/∂x = (1 - σ(x))*σ(x) = e/(1 + e)^2 ≈ 0.196612\n"
    )


def test_symbolic_gradient_is_a_library_function():
    from cgcli.api.symbolic import symbolic_gradient

    result = symbolic_gradient("p = x + y; g = p * z", {"x": 1, "y": 3, "z": -3})
    assert [(p.label, p.formula, p.value) for p in result.partials] == [
        ("x", "z", -3.0), ("y", "z", -3.0), ("z", "p", 4.0)
    ]  # fmt: skip


def test_grad_of_a_program_too_large_for_sympy_is_a_usage_error(cg, tmp_path):
    """3,000 nested levels: SymPy's numbers pass Python's 4,300-digit limit (was exit 4)."""
    program = "x"
    for _ in range(3000):
        program = f"({program}*1.0001 + sin(y))"
    path = tmp_path / "deep.txt"
    path.write_text(program)
    result = cg("grad", "-f", str(path), "x=1", "y=2", "--timeout", "30")
    assert result.exit_code == 2
    assert result.stderr.startswith("cg: usage error: the program")


@pytest.mark.parametrize(
    "program",
    [
        "h0 = 0; h1 = tanh(w*h0 + x1); h2 = tanh(w*h1 + x2); L = (h2 - y)^2",
        "k = 1; z = k*x + x*y; z2 = z*k + 0*x",
        "two = 2; a = two*x; b = a + two; b*a",
    ],
)
def test_a_named_constant_stays_itself_in_the_formulas(program):
    """A named node whose value is a number (h0 = 0) is not written back wherever that
    number appears: every formula at a point equals cg eval's gradient there."""
    import cgcli

    values = {"w": 0.5, "x1": 0.3, "x2": -0.2, "y": 0.4, "x": 0.7}
    used = cgcli.parse(program).input_names
    result = cgcli.evaluate(program, {k: v for k, v in values.items() if k in used}, check=False)
    symbolic = cgcli.symbolic_gradient(program, {n: values[n] for n in result.gradient})
    for partial in symbolic.partials:
        assert partial.value == pytest.approx(result.gradient[partial.input], rel=1e-12)


def test_a_named_zero_is_not_written_into_every_formula():
    """h0 = 0 once made each 0 of a formula an h0 (h0*w*(1 - h1^2) - h1^2 + 1): the
    formulas below are worked by hand from L = (h2 - y)^2, h2 = tanh(w*h1 + x2),
    h1 = tanh(w*h0 + x1)."""
    import cgcli

    program = "h0 = 0; h1 = tanh(w*h0 + x1); h2 = tanh(w*h1 + x2); L = (h2 - y)^2"
    formulas = {p.input: p.formula for p in cgcli.symbolic_gradient(program).partials}
    assert formulas == {
        "w": "2*(1 - h2^2)*(h2 - y)*(h0*w*(1 - h1^2) + h1)",
        "x1": "2*w*(1 - h1^2)*(1 - h2^2)*(h2 - y)",
        "x2": "2*(1 - h2^2)*(h2 - y)",
        "y": "2*(-h2 + y)",
    }


def _under_abs_cases():
    from op_cases import BINARY_POINTS, UNARY_POINTS, program_for

    for op, points in {**UNARY_POINTS, **BINARY_POINTS}.items():
        for point in points[:2]:
            values = [f"x={point}"] if op in UNARY_POINTS else [f"x={point[0]}", f"y={point[1]}"]
            yield pytest.param(f"abs({program_for(op)} - 0.25)", values, id=f"{op}-{point}")


@pytest.mark.parametrize(("program", "values"), list(_under_abs_cases()))
def test_every_op_under_abs_is_written_in_cg_s_notation_and_gives_cg_eval_s_gradient(
    cg, program, values
):
    """cg's values are real: abs' is sign(a)·a', never SymPy's re(a), im(a) forms for an
    argument SymPy cannot tell is real (relu(x), σ(x), log(x)); the printed formula's value
    at the point is cg eval's gradient."""
    evaluated = json.loads(cg("eval", program, *values, "--format", "json").stdout)["gradient"]
    for extra in ([], ["--expand"]):
        doc = json.loads(cg("grad", program, *values, *extra, "--format", "json").stdout)
        for name, partial in doc["gradient"].items():
            assert partial["value"] == pytest.approx(evaluated[name], rel=1e-12, abs=1e-300)
            shown = partial["formula"] + partial["latex"]
            assert not any(
                word in shown for word in ("re(", "im(", "Heaviside", "Abs", "Derivative")
            )
    second = cg("grad", program, "--order", "2").stdout
    assert not any(word in second for word in ("re(", "im(", "Heaviside", "Abs", "Derivative"))


def test_abs_of_relu_and_sigmoid_are_written_with_sign(cg):
    assert (
        cg("grad", "abs(relu(u) - 1)").stdout == "∂f/∂u = [1 if u > 0, else 0]*sign(relu(u) - 1)\n"
    )
    assert cg("grad", "abs(sigmoid(u) - 1)").stdout == "∂f/∂u = (1 - σ(u))*σ(u)*sign(σ(u) - 1)\n"


@pytest.mark.parametrize(
    ("program", "point", "formula"),
    [("sqrt(x)", "x=0", "1/(2*sqrt(x))"), ("asin(x)", "x=1", "1/sqrt(1 - x^2)")],
)
def test_an_infinite_derivative_is_the_one_cg_eval_gives_not_zoo(cg, program, point, formula):
    """At the edge of the domain SymPy's value is zoo (an infinity of no sign), and cg grad
    exited 3 saying "not a real number" where cg eval prints inf ✓ and exits 0."""
    result = cg("grad", program, point)
    assert (result.exit_code, result.stdout) == (
        0,
        f"∂f/∂x = {formula} = inf  (SymPy's value there is zoo, an infinity of either sign; "
        "from where the function is defined it is inf, as cg eval gives)\n",
    )
    evaluated = cg("eval", program, point, "--format", "json")
    assert json.loads(evaluated.stdout)["gradient"] == {"x": "inf"} and evaluated.exit_code == 0
