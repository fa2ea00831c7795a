"""cg train with matrix weights: a 2-layer network trained on the shipped XOR data as the
seed's loop ``W = W - lr * gradient`` written with matrices. One step is checked against
the backward pass worked with NumPy by hand (the matrix rules of a course)."""

from __future__ import annotations

import json
from itertools import pairwise

import numpy as np
import pytest

import cgcli
from cgcli.core.errors import CgError

MODEL = "H = tanh(W1 @ [x1, x2] + b1); out = sigmoid(W2 @ H + b2)"
W1 = np.array([[1.0, -1.0], [-1.0, 1.0], [0.5, 0.5]])
B1 = np.zeros((3, 1))
W2 = np.array([[1.0, 1.0, -1.0]])
B2 = 0.0
PARAMS = "W1=[[1,-1],[-1,1],[0.5,0.5]],b1=[[0],[0],[0]],W2=[[1,1,-1]],b2=0"


def xor():
    rows = [line.split(",") for line in cgcli.example_data("xor").splitlines()[1:]]
    x1, x2, y = (np.array([float(r[k]) for r in rows]) for k in range(3))
    return {"x1": x1, "x2": x2, "y": y}


def test_one_step_is_the_matrix_rules_by_hand():
    data = xor()
    x = np.vstack([data["x1"], data["x2"]])  # 2×4: the examples as columns
    y = data["y"]
    lr = 0.7
    h = np.tanh(W1 @ x + B1)
    z = W2 @ h + B2
    p = 1 / (1 + np.exp(-z))
    dz = (p - y) / y.size  # the mean of bce over the batch, through the sigmoid
    dw2 = dz @ h.T
    db2 = dz.sum()
    dz1 = (W2.T @ dz) * (1 - h**2)
    dw1 = dz1 @ x.T
    db1 = dz1.sum(axis=1, keepdims=True)
    outcome = cgcli.train(
        MODEL, data, target="y", loss="bce", lr=lr, epochs=1,
        params={"W1": W1, "b1": B1, "W2": W2, "b2": B2},
    )  # fmt: skip
    assert np.allclose(outcome.params["W1"], W1 - lr * dw1, rtol=1e-12, atol=1e-14)
    assert np.allclose(outcome.params["b1"], B1 - lr * db1, rtol=1e-12, atol=1e-14)
    assert np.allclose(outcome.params["W2"], W2 - lr * dw2, rtol=1e-12, atol=1e-14)
    assert outcome.params["b2"] == pytest.approx(B2 - lr * db2, rel=1e-12, abs=1e-14)
    assert outcome.params["W1"].shape == (3, 2)
    loss0 = np.mean(np.logaddexp(0, z) - y * z)
    assert outcome.history[0] < loss0


def test_the_network_learns_xor_on_the_command_line(cg, tmp_path):
    (tmp_path / "xor.csv").write_text(cgcli.example_data("xor"))
    args = ["train", MODEL, "--data", str(tmp_path / "xor.csv"), "--target", "y"]
    args += ["--loss", "bce", "--params", PARAMS, "--lr", "1", "--epochs", "500"]
    out = cg(*args, "--format", "json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["accuracy"] == 1 and doc["loss"] < 0.01
    assert np.shape(doc["params"]["W1"]) == (3, 2) and doc["check"]["ok"]
    history = tmp_path / "h.csv"
    cg(*args, "--history", str(history))
    losses = [float(line.split(",")[1]) for line in history.read_text().splitlines()[1:]]
    assert all(b < a for a, b in pairwise(losses))


def test_a_shape_error_is_found_before_training():
    with pytest.raises(CgError, match="@ needs the columns"):
        cgcli.train(MODEL, xor(), target="y", loss="bce", params={
            "W1": np.ones((3, 3)), "b1": B1, "W2": W2, "b2": B2,
        })  # fmt: skip


def test_array_parameters_need_their_starting_values():
    with pytest.raises(CgError, match=r"--params W1, W2: a program over vectors and matrices"):
        cgcli.train(MODEL, xor(), target="y", loss="bce", params={
            "W1": None, "b1": B1, "W2": None, "b2": B2,
        })  # fmt: skip


def test_the_dask_engine_says_it_trains_scalar_programs():
    with pytest.raises(CgError, match="--engine dask trains scalar programs"):
        cgcli.train(MODEL, "data.parquet", target="y", engine="dask", params={
            "W1": W1, "b1": B1, "W2": W2, "b2": B2,
        })  # fmt: skip


def test_the_outcome_shows_matrices_and_numbers():
    outcome = cgcli.train(
        MODEL, xor(), target="y", loss="bce", lr=0.1, epochs=1,
        params={"W1": W1, "b1": B1, "W2": W2, "b2": B2},
    )  # fmt: skip
    shown = repr(outcome)
    assert shown.startswith("<Outcome W1=[[") and ", b2=" in shown
    assert f"b2={outcome.params['b2']:.6g};" in shown


def test_a_gradient_that_overflows_stops_training_as_diverged():
    """log'(1e-320) = 1e320 overflows float64 while the loss is finite: the step is nan
    and training stops as diverged, as a scalar program's does, not with a math error."""
    from cgcli.core.errors import TrainingDiverged

    data = {"x1": np.array([1.0, 2.0]), "y": np.array([0.0, 1.0])}
    with pytest.raises(TrainingDiverged, match="the loss became nan by epoch 1"):
        cgcli.train("out = log(W @ [x1])", data, target="y", loss="mse", lr=0.1, epochs=3,
                    params={"W": np.array([[1e-320]])})  # fmt: skip


def test_a_diverging_run_suggests_the_rate_the_scalar_program_would():
    """The suggested --lr is 1/λ (the loss's largest curvature), found over every entry
    of the matrix parameters as over numbers; it was a tenth of --lr, itself diverging."""
    from cgcli.core.errors import TrainingDiverged

    rows = [line.split(",") for line in cgcli.example_data("line").splitlines()[1:]]
    data = {name: np.array([float(r[k]) for r in rows]) for k, name in enumerate(["x", "y"])}
    x = data["x"]  # the mean squared error's Hessian in (w, b): 2/n [[Σx², Σx], [Σx, n]]
    curvature = np.linalg.eigvalsh(2 * np.array([[x @ x, x.sum()], [x.sum(), len(x)]]) / len(x))
    with pytest.raises(TrainingDiverged) as matrix:
        cgcli.train("out = W @ [x] + b", data, target="y", lr=50,
                    params={"W": np.zeros((1, 1)), "b": 0.0})  # fmt: skip
    with pytest.raises(TrainingDiverged) as scalar:
        cgcli.train("w*x + b", data, target="y", lr=50, params={"w": 0.0, "b": 0.0})
    assert matrix.value.lr == scalar.value.lr  # 1/λ rounded down to 1, 2 or 5 times 10^k
    assert matrix.value.lr <= 1 / curvature.max() < 2.5 * matrix.value.lr
