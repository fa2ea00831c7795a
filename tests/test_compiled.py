"""cgcli.compile: a program as a function of arrays, checked against hand-worked numbers
and SymPy, with its inputs from lists, numpy, pandas; math errors as nan per row."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import sympy

import cgcli


def test_the_worked_example_row_by_row():
    f = cgcli.compile("(x+y)*z")
    assert repr(f) == "<CompiledProgram f(x, y, z) → f, ∂f/∂x, ∂f/∂y, ∂f/∂z>"
    result = f(x=[1, 2], y=3, z=np.array([-3.0, 0.5]))
    assert repr(result) == "<ArrayResult f, ∂f/∂x, ∂f/∂y, ∂f/∂z at 2 rows>"
    assert result.value.tolist() == [-12.0, 2.5]
    assert {k: v.tolist() for k, v in result.grad.items()} == {
        "x": [-3.0, 0.5],
        "y": [-3.0, 0.5],
        "z": [4.0, 5.0],
    }
    assert list(result.columns()) == ["f", "df/dx", "df/dy", "df/dz"]
    assert result.ok and result.rows == 2 and result.error_rows.tolist() == []


def test_values_and_gradients_agree_with_sympy():
    program = "h = sigmoid(w1*x1 + w2*x2 + b); loss = (h - y)^2 + log(1 + x1^2)"
    w1, x1, w2, x2, b, y = sympy.symbols("w1 x1 w2 x2 b y")
    h = 1 / (1 + sympy.exp(-(w1 * x1 + w2 * x2 + b)))
    loss = (h - y) ** 2 + sympy.log(1 + x1**2)
    names = [w1, x1, w2, x2, b, y]
    rng = np.random.default_rng(11)
    columns = {str(s): rng.normal(0, 2, 6) for s in names}
    result = cgcli.compile(program)(columns)
    for r in range(6):
        at = {s: sympy.Float(columns[str(s)][r], 30) for s in names}
        assert result.value[r] == pytest.approx(float(loss.evalf(30, subs=at)), rel=1e-14)
        for s in names:
            exact = float(sympy.diff(loss, s).evalf(30, subs=at))
            assert result.grad[str(s)][r] == pytest.approx(exact, rel=1e-13, abs=1e-300), s


def test_inputs_from_pandas_a_mapping_or_keywords():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "unused": ["a", "b", "c"]}, index=[7, 8, 9])
    f = cgcli.compile("y = a*x^2", wrt=["x"])
    result = f(frame, a=2)
    assert result.value.tolist() == [2.0, 8.0, 18.0]
    assert list(result.grad) == ["x"]
    assert result.grad["x"].tolist() == [4.0, 8.0, 12.0]
    assert f({"x": [1, 2], "a": [1, -1]}).value.tolist() == [1.0, -4.0]
    assert f(x=3, a=1).value.tolist() == [9.0]  # only numbers: one row
    assert f(x=[], a=1).rows == 0


def test_output_names_a_statement_and_constants_can_be_variables():
    f = cgcli.compile("p = x + y; g = p * e", output="p")
    assert f.output == "p" and f.inputs == ("x", "y")
    g = cgcli.compile("p = x + y; g = p * e", variables=["e"])
    assert g.inputs == ("x", "y", "e")
    assert g(x=1, y=2, e=[1, 10]).value.tolist() == [3.0, 30.0]


def test_math_errors_are_nan_in_their_rows_and_say_why():
    f = cgcli.compile("y = log(x) + 1/z")
    result = f(x=[1.0, -1.0, 2.0, 0.0, 5.0], z=[1.0, 1.0, 0.0, 1.0, 2.0])
    assert repr(result) == (
        "<ArrayResult y, ∂y/∂x, ∂y/∂z at 5 rows; math errors in 3 rows (1, 2, 3)>"
    )
    assert result.error_rows.tolist() == [1, 2, 3]
    assert result.value[[0, 4]].tolist() == [1.0, float(np.log(5.0)) + 0.5]
    assert result.grad["z"][[0, 4]].tolist() == [-1.0, -0.25]
    assert np.isnan(result.value[[1, 2, 3]]).all()
    assert all(np.isnan(g[[1, 2, 3]]).all() for g in result.grad.values())
    assert result.why(1) == "math error: 1:5: node v1 = log(x): log of a negative number in log(-1)"
    assert result.why(2) == "math error: 1:14: node v2 = 1/z: division by zero in div(1, 0)"
    with pytest.raises(ValueError, match="row 0 has no math error"):
        result.why(0)


def test_nan_inputs_give_nan_without_a_math_error():
    result = cgcli.compile("2*x")(x=[1.0, np.nan])
    assert result.value[0] == 2.0 and np.isnan(result.value[1])
    assert result.ok


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": [1, 2], "y": [1, 2, 3]}, "the inputs' columns have different lengths "
         r"\(x has 2, y has 3\)"),
        ({"x": ["1"], "y": 1}, "input x: expected numbers, got text"),
        ({"x": [True], "y": 1}, "input x: expected numbers, got true/false values"),
        ({"x": [[1.0]], "y": 1}, r"input x: expected a number or one column, got an array of "
         r"shape \(1, 1\)"),
        ({"x": 1}, r"no values for y \(inputs: x, y\)"),
        ({"x": 1, "y": 2, "q": 3}, r"q: not an input of the program \(inputs: x, y\)"),
    ],
)  # fmt: skip
def test_bad_inputs_are_usage_errors(kwargs, message):
    with pytest.raises(cgcli.UsageError, match=f"^{message}$"):
        cgcli.compile("x*y")(**kwargs)


def test_wrt_names_inputs_and_the_result_arrays_are_the_callers_own():
    with pytest.raises(cgcli.UsageError, match=r"^wrt q: not an input of the program"):
        cgcli.compile("x*y", wrt=["q"])
    x = np.array([1.0, 2.0])
    result = cgcli.compile("x")(x=x)
    result.value[0] = 99.0  # a copy: the input is untouched
    assert x.tolist() == [1.0, 2.0]


def test_a_compiled_program_pickles_for_worker_processes():
    f = pickle.loads(pickle.dumps(cgcli.compile("p = x + y; g = p * z")))
    assert f(x=1, y=3, z=-3).grad["z"].tolist() == [4.0]
