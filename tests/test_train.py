"""cg train: gradient descent as the worked example describes, on small data sets."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from cgcli.training.datasets import DATASETS, example_data

XOR_NET = (
    "h1 = tanh(a11*x1 + a12*x2 + c1); h2 = tanh(a21*x1 + a22*x2 + c2); sigmoid(v1*h1 + v2*h2 + d)"
)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    for name in DATASETS:
        (folder / f"{name}.csv").write_text(example_data(name), encoding="utf-8")
    (folder / "tiny.csv").write_text("x,y\n1,2\n2,3\n", encoding="utf-8")
    return folder


def train(cg, *args):
    result = cg("train", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_one_full_batch_step_by_hand(cg, data):
    """mse on (1, 2), (2, 3) from w = b = 0: ∂L/∂w = mean(2(wx+b-y)x) = -8, ∂L/∂b = -5."""
    doc = train(cg, "w*x + b", "--data", str(data / "tiny.csv"), "--target", "y",
                "--params", "w=0,b=0", "--lr", "0.1", "--epochs", "1")  # fmt: skip
    assert doc["params"]["w"] == pytest.approx(0.8, abs=1e-12)
    assert doc["params"]["b"] == pytest.approx(0.5, abs=1e-12)
    loss = ((0.8 * 1 + 0.5 - 2) ** 2 + (0.8 * 2 + 0.5 - 3) ** 2) / 2
    assert doc["loss"] == pytest.approx(loss, abs=1e-12)
    assert doc["epochs"] == 1


def test_per_point_updates_follow_the_seed(cg, data):
    """--batch 1 without shuffling: one update per point, in order."""
    doc = train(cg, "w*x + b", "--data", str(data / "tiny.csv"), "--target", "y",
                "--params", "w=0,b=0", "--lr", "0.1", "--epochs", "1", "--batch", "1",
                "--no-shuffle")  # fmt: skip
    w, b = 0.0, 0.0
    for x, y in [(1, 2), (2, 3)]:
        r = w * x + b - y
        w, b = w - 0.1 * 2 * r * x, b - 0.1 * 2 * r
    assert (doc["params"]["w"], doc["params"]["b"]) == pytest.approx((w, b), abs=1e-12)


def test_linear_regression_matches_least_squares(cg, data):
    doc = train(cg, "w*x + b", "--data", str(data / "line.csv"), "--target", "y",
                "--params", "w=0,b=0", "--lr", "0.05", "--epochs", "5000",
                "--tol", "1e-15")  # fmt: skip
    rows = list(csv.DictReader((data / "line.csv").open()))
    x = np.array([float(r["x"]) for r in rows])
    y = np.array([float(r["y"]) for r in rows])
    slope, intercept = np.polyfit(x, y, 1)
    assert doc["params"]["w"] == pytest.approx(slope, abs=1e-3)
    assert doc["params"]["b"] == pytest.approx(intercept, abs=1e-3)
    assert doc["check"]["ok"] is True


def test_logistic_regression_separates_the_clusters(cg, data):
    doc = train(cg, "sigmoid(w1*x1 + w2*x2 + b)", "--data", str(data / "clusters.csv"),
                "--target", "y", "--loss", "bce", "--params", "w1=0,w2=0,b=0", "--lr", "0.5",
                "--epochs", "200")  # fmt: skip
    assert doc["accuracy"] >= 0.95


def test_xor_network_learns(cg, data):
    doc = train(cg, XOR_NET, "--data", str(data / "xor.csv"), "--target", "y", "--loss", "bce",
                "--params", "a11,a12,a21,a22,c1,c2,v1,v2,d", "--lr", "0.5", "--epochs", "3000",
                "--seed", "1")  # fmt: skip
    assert doc["accuracy"] == 1.0
    assert doc["loss"] < 0.05


def test_minibatches_are_deterministic_for_a_seed(cg, data):
    args = ["w*x + b", "--data", str(data / "line.csv"), "--target", "y", "--params", "w=0,b=0",
            "--lr", "0.02", "--epochs", "20", "--batch", "8"]  # fmt: skip
    first = train(cg, *args, "--seed", "3")
    assert train(cg, *args, "--seed", "3") == first
    assert train(cg, *args, "--seed", "4") != first


def test_stop_criteria_and_history(cg, data, tmp_path):
    history = tmp_path / "history.csv"
    doc = train(cg, "w*x + b", "--data", str(data / "line.csv"), "--target", "y",
                "--params", "w=0,b=0", "--lr", "0.05", "--epochs", "5000", "--target-loss", "0.5",
                "--history", str(history))  # fmt: skip
    assert doc["stopped"] == "loss reached --target-loss 0.5"
    lines = history.read_text().splitlines()
    assert lines[0] == "epoch,loss"
    assert len(lines) == doc["epochs"] + 1
    assert float(lines[-1].split(",")[1]) == doc["loss"] <= 0.5


def test_custom_loss(cg, data):
    doc = train(cg, "w*x + b", "--data", str(data / "tiny.csv"), "--target", "y",
                "--params", "w=0,b=0", "--lr", "0.1", "--epochs", "1",
                "--loss", "(out - target)^2 / 2")  # fmt: skip
    assert (doc["params"]["w"], doc["params"]["b"]) == pytest.approx((0.4, 0.25), abs=1e-12)


def test_bce_is_stable_with_saturated_sigmoid(cg, tmp_path):
    path = tmp_path / "far.csv"
    path.write_text("x,y\n1000,0\n-1000,1\n", encoding="utf-8")
    doc = train(cg, "sigmoid(w*x)", "--data", str(path), "--target", "y", "--loss", "bce",
                "--params", "w=1", "--lr", "1e-12", "--epochs", "1")  # fmt: skip
    # both points are wrong by a logit of 1000: the loss is 1000, not inf or nan
    assert doc["loss"] == pytest.approx(1000.0, rel=1e-6)


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["--data", "{bad}"], "cg: error in the data: row 2, column y: 'abc' is not a number", 2),
        (["--data", "{empty}"], "is empty", 2),
        (["--data", "{header}"], "has no rows", 2),
        (["--data", "{tiny}", "--params", "x=0,b=0"], "parameter x is also a column", 2),
        (["--data", "{tiny}", "--target", "z"], "--target z: no such column", 2),
        (["--data", "{tiny}", "--lr", "3", "--epochs", "200"], "training diverged", 5),
        (
            ["--data", "{tiny}", "--loss", "out*target +"],
            "cg: syntax error in the loss: 1:13: unexpected end of input",
            2,
        ),
    ],
)
def test_bad_data_and_divergence(cg, tmp_path, args, message, code):
    files = {
        "bad": "x,y\n1,2\n2,abc\n",
        "empty": "",
        "header": "x,y\n",
        "tiny": "x,y\n1,2\n2,3\n",
    }
    paths = {}
    for name, text in files.items():
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    args = [a.format(**{k: str(v) for k, v in paths.items()}) for a in args]
    defaults = {"--target": "y", "--params": "w=0,b=0"}
    for option, value in defaults.items():
        if option not in args:
            args += [option, value]
    result = cg("train", "w*x + b", *args)
    assert result.exit_code == code
    assert message in result.stderr
    if code == 3:
        assert "try a smaller learning rate" in result.stderr


def test_the_final_check_does_not_flag_a_right_gradient_of_a_curved_loss():
    """sin(w*x) at w = 1000: one step's difference quotient is off by 2e-4 relative, which
    the old check called a mismatch; comparing two steps bounds the quotient's own error."""
    import cgcli

    data = {"x": [1.0, 2.0], "y": [0.3, 0.1]}
    outcome = cgcli.train("sin(w*x)", data, target="y", params={"w": 1000}, lr=1e-12, epochs=1)
    assert outcome.check_ok, outcome.check
    w = outcome.params["w"]  # the gradient by hand: mean of 2(sin(wx) - y)·cos(wx)·x
    by_hand = np.mean(
        [2 * (np.sin(w * x) - y) * np.cos(w * x) * x for x, y in [(1, 0.3), (2, 0.1)]]
    )
    assert by_hand == pytest.approx(-0.31370585473731444, rel=1e-6)


def test_a_diverging_run_fails_with_exit_5_and_names_a_rate_that_converges(cg, tmp_path):
    """--lr 0.5 on the line data overshoots; the rate it names trains to the least-squares
    line. The rate is 1/λ rounded down, λ the largest eigenvalue of the mean loss's
    Hessian, 2·mean([x 1]ᵀ[x 1]) for the mean squared error of w*x + b."""
    import numpy as np

    from cgcli.training.datasets import example_data

    path = tmp_path / "line.csv"
    path.write_text(example_data("line"), encoding="utf-8")
    args = ["w*x + b", "--data", str(path), "--target", "y", "--params", "w=0,b=0"]
    result = cg("train", *args, "--lr", "0.5")
    assert (result.exit_code, result.stdout) == (5, "")
    assert result.stderr == (
        "cg: training diverged: the loss grew from 27.1568 to 9.94767e+08 by epoch 4 with "
        "--lr 0.5: the learning rate is too large; try --lr 0.05\n"
    )
    x = np.loadtxt(path, delimiter=",", skiprows=1)[:, 0]
    design = np.stack([x, np.ones_like(x)], axis=1)
    largest = np.linalg.eigvalsh(2 * design.T @ design / len(x)).max()
    assert 0.05 <= 1 / largest < 0.1  # rounded down to 1, 2 or 5 times a power of ten
    converged = cg("train", *args, "--lr", "0.05", "--epochs", "5000", "--tol", "1e-15")
    assert converged.exit_code == 0
    assert "w            2.0314" in converged.stdout


def test_nan_and_inf_losses_diverge_too(tmp_path):
    from cgcli import CgMathError, TrainingDiverged, train

    path = tmp_path / "big.csv"
    path.write_text("x,y\n" + "".join(f"{i},{3 * i + 1}\n" for i in range(50)), encoding="utf-8")
    with pytest.raises(TrainingDiverged) as caught:
        train("w*x + b", str(path), target="y", params="w=0,b=0", lr=1e6, epochs=100)
    assert isinstance(caught.value, CgMathError) and caught.value.exit_code == 5
    assert caught.value.lr == 0.0005  # 1/λ with λ = 2·mean(x²+...) ≈ 1,650, rounded down
    assert "try --lr 0.0005" in caught.value.message


@pytest.mark.parametrize(
    ("estimate", "lr", "suggested"),
    [(0.0734, 0.5, 0.05), (0.21, 0.3, 0.1), (0.0006, 5, 0.0005), (None, 0.3, 0.02),
     (0.25, 0.5, 0.2), (2.0, 1.0, 0.5), (1e-9, 1.0, 1e-9)],
)  # fmt: skip
def test_the_suggested_rate_is_below_both_and_round(estimate, lr, suggested):
    from cgcli.training.gradient_descent import stable_lr

    assert stable_lr(estimate, lr) == pytest.approx(suggested, rel=1e-12)
