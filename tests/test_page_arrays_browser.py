"""The page of a program over arrays, in a real browser (as tests/test_page_browser.py):
stepping reveals each node's array, value then gradient, with the numbers of the matrix
product worked by hand with NumPy, and the matrix rule of each backward step."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_page_browser import browser, open_page, run_cg, state  # noqa: F401

pytestmark = pytest.mark.xdist_group("browser")  # one Chromium, on one worker

PRODUCT = ["D = W @ X; L = sum(D * G)", "W=[[1,2,0],[0,-1,3]]", "X=[[1,0],[2,1],[-1,2]]"]
PRODUCT += ["G=[[0.5,-1],[2,0.1]]"]
W = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
X = np.array([[1.0, 0.0], [2.0, 1.0], [-1.0, 2.0]])
G = np.array([[0.5, -1.0], [2.0, 0.1]])
BY_HAND = {
    "W": (W, G @ X.T),
    "X": (X, W.T @ G),
    "D": (W @ X, G),
    "G": (G, W @ X),
    "v1": (W @ X * G, np.ones((2, 2))),
    "L": (np.sum(W @ X * G), 1.0),
}
BIG = ["L = sum(tanh(W @ x))", f"W={json.dumps(np.arange(30.0).reshape(6, 5).tolist())}"]
BIG += ["x=[1,0,-1,0,1]"]


@pytest.fixture(scope="module")
def product_page(tmp_path_factory):
    target = tmp_path_factory.mktemp("arrays") / "product.html"
    run_cg("page", *PRODUCT, "-o", str(target))
    return target


def test_stepping_reveals_every_array_value_then_gradient(browser, product_page):  # noqa: F811
    open_page(browser, product_page)
    first = state(browser)
    total = int(first["progress"].split()[-1])
    assert total == 2 * len(BY_HAND)
    assert all(not r["value"] and not r["grad"] for r in first["rows"])
    revealed = []
    for k in range(1, total + 1):
        browser.find_element("id", "step").click()
        now = state(browser)
        current = [r for r in now["rows"] if r["current"]]
        assert len(current) == 1
        row = current[0]
        value, grad = BY_HAND[row["label"]]
        kind = "grad" if row["grad"] else "value"
        full = json.loads(row["fullGrad"] if kind == "grad" else row["fullValue"])
        assert np.allclose(full, grad if kind == "grad" else value, rtol=1e-12), (k, row)
        revealed.append((kind, row["label"]))
        if kind == "grad" and row["label"] == "W":
            assert any("∂L/∂W gets ∂L/∂D · Xᵀ, (2×2)(2×3) → 2×3" in line for line in now["now"])
            assert row["grad"] == "[[0.5, 0, -2.5], [2, 4.1, -1.8]]"
    assert [label for kind, label in revealed if kind == "value"] == list(BY_HAND)
    grads = [label for kind, label in revealed if kind == "grad"]
    assert grads[0] == "L" and grads.index("v1") < grads.index("D") < grads.index("W")
    checks = [cell.text for cell in browser.find_elements("css selector", "#node-rows td.check")]
    assert checks == ["✓"] * len(BY_HAND)


def test_a_big_array_is_compact_on_the_page(browser, tmp_path):  # noqa: F811
    target = tmp_path / "big.html"
    run_cg("page", *BIG, "-o", str(target))
    open_page(browser, target)
    for _ in range(20):
        browser.find_element("id", "step").click()
    rows = {r["label"]: r for r in state(browser)["rows"]}
    compact = "[[0, 1, …, 3, 4], [5, 6, …, 8, 9], …, [20, 21, …, 23, 24], [25, 26, …, 28, 29]]"
    assert rows["W"]["value"] == compact
    assert np.array_equal(json.loads(rows["W"]["fullValue"]), np.arange(30.0).reshape(6, 5))
