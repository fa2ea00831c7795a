"""cg train on a sequence: a small recurrent model predicts the next value of the noisy
sine wave that ``cg example-data sine`` ships; its gradient step checked against
backpropagation through time written by hand in numpy."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from cgcli.training.datasets import example_data

RNN = "h[0] = 0\nfor t in 1..5: h[t] = tanh(w*h[t-1] + u*x[t] + b)\nv*h[5] + c\n"
START = {"w": 0.5, "u": 0.8, "b": 0.1, "v": 1.2, "c": -0.2}


@pytest.fixture(scope="module")
def sine(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "sine.csv"
    path.write_text(example_data("sine"), encoding="utf-8")
    return path


def columns(path) -> dict[str, np.ndarray]:
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
    return {name: np.array([float(r[name]) for r in rows]) for name in rows[0]}


def test_the_sine_data_set_is_windows_of_one_noisy_wave(sine):
    data = columns(sine)
    assert list(data) == ["x[1]", "x[2]", "x[3]", "x[4]", "x[5]", "y"]
    assert len(data["y"]) == 60
    for t in range(1, 5):  # each window is the one before, moved on by one value
        assert np.array_equal(data[f"x[{t}]"][1:], data[f"x[{t + 1}]"][:-1])
    assert np.array_equal(data["x[5]"][1:], data["y"][:-1])
    wave = np.sin(0.4 * np.arange(65))
    noise = np.concatenate([data["x[1]"], data["y"][-5:]]) - wave
    assert 0.02 < noise.std() < 0.08 and abs(noise.mean()) < 0.03
    assert example_data("sine") == sine.read_text("utf-8")  # the same every time


def by_hand(data: dict[str, np.ndarray], p: dict[str, float]) -> tuple[float, dict[str, float]]:
    """The mean squared error and its gradient: backpropagation through time in numpy."""
    x = np.stack([data[f"x[{t}]"] for t in range(1, 6)])
    n = x.shape[1]
    h = [np.zeros(n)]
    for t in range(5):
        h.append(np.tanh(p["w"] * h[t] + p["u"] * x[t] + p["b"]))
    out = p["v"] * h[5] + p["c"]
    error = out - data["y"]
    loss = float(np.mean(error**2))
    d_out = 2 * error / n
    grads = {"v": float(np.sum(d_out * h[5])), "c": float(np.sum(d_out))}
    dh = d_out * p["v"]
    gw = gu = gb = 0.0
    for t in range(5, 0, -1):
        dz = dh * (1 - h[t] ** 2)
        gw += float(np.sum(dz * h[t - 1]))
        gu += float(np.sum(dz * x[t - 1]))
        gb += float(np.sum(dz))
        dh = dz * p["w"]
    grads |= {"w": gw, "u": gu, "b": gb}
    return loss, grads


def train(cg, path, *args):
    result = cg("train", RNN, "--data", str(path), "--target", "y", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_one_step_is_backpropagation_through_time_by_hand(cg, sine):
    start = ",".join(f"{k}={v}" for k, v in START.items())
    doc = train(cg, sine, "--params", start, "--lr", "0.1", "--epochs", "1")
    _, grads = by_hand(columns(sine), START)
    expected = {k: START[k] - 0.1 * grads[k] for k in START}
    assert doc["params"] == pytest.approx(expected, rel=1e-12, abs=1e-14)
    loss, _ = by_hand(columns(sine), doc["params"])
    assert doc["loss"] == pytest.approx(loss, rel=1e-12)


def test_the_loss_falls_and_a_seed_gives_the_same_run(cg, sine, tmp_path):
    args = ["--params", "w,u,b,v,c", "--lr", "0.2", "--epochs", "300", "--seed", "0"]
    history = tmp_path / "history.csv"
    doc = train(cg, sine, *args, "--history", str(history))
    losses = [float(row["loss"]) for row in csv.DictReader(history.open(encoding="utf-8"))]
    assert len(losses) == 300
    assert losses[-1] < losses[0] / 5
    assert doc["loss"] == pytest.approx(losses[-1], rel=1e-12)
    assert doc["loss"] == pytest.approx(by_hand(columns(sine), doc["params"])[0], rel=1e-12)
    assert doc["check"]["ok"]
    assert train(cg, sine, *args) == doc
