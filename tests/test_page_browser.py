"""The page in a real browser: Debian's headless Chromium driven by Selenium.

Each page is written by ``cg page`` and opened from a file:// URL with networking off.
The tests press the controls and read the DOM: every value, then every gradient,
appears one node at a time, in a valid order, with the numbers of
``cg eval --format json``. Screenshots go to build/screenshots/ (or $CG_SCREENSHOTS).
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from pathlib import Path

import pytest
from real_parts import python_part, require_program

from cgcli.cli.group import cg as main

pytestmark = pytest.mark.xdist_group("browser")  # one Chromium, on one worker

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CG_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]

SEED = ["q = x + y; f = q * z", "x=1", "y=3", "z=-3"]
NEURON = ["f = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))", "w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3"]
"""The sigmoid neuron of the CS231n notes, whose gradients they work out by hand."""
REUSE = ["a = x*x; b = a + 2*x; b = b*a; sin(b) / y", "x=0.5", "y=pi/4"]
"""A value used by several nodes, a reassigned name, constants, and an inexact input."""


def run_cg(*args: str):
    from click.testing import CliRunner

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        python_part("Selenium", "selenium")
    require_program("chromium", CHROMIUM)
    require_program("chromedriver", CHROMEDRIVER)
    require_program("dot")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Each example's page (a file) and its ``cg eval --format json`` document."""
    folder = tmp_path_factory.mktemp("pages")
    made = {}
    for name, example in [("seed", SEED), ("neuron", NEURON), ("reuse", REUSE)]:
        target = folder / f"{name}.html"
        run_cg("page", *example, "-o", str(target))
        made[name] = (target, json.loads(run_cg("eval", *example, "--format", "json")))
    return made


def open_page(browser, page: Path, width: int = 1280, scheme: str = "light") -> None:
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    browser.get(page.as_uri())


STATE = """
const owner = (text) => {  // the node whose numbers a text of the drawing shows
  for (let g = text.closest("g"); g; g = g.parentElement.closest("g")) {
    if (g.id.startsWith("cg-node-")) return g.id.slice(8);
    const of = [...g.classList].find((c) => c.startsWith("cg-of-"));
    if (of) return of.slice(6);
  }
  return null;
};
return {
  progress: document.getElementById("progress").textContent,
  rows: [...document.querySelectorAll("#node-rows tr")].map((tr) => ({
    node: tr.dataset.node, label: tr.children[0].textContent,
    value: tr.children[2].textContent, fullValue: tr.children[2].dataset.value,
    grad: tr.children[3].textContent, fullGrad: tr.children[3].dataset.value ?? null,
    current: tr.classList.contains("current"), selected: tr.classList.contains("selected"),
  })),
  svg: [...document.querySelectorAll("#graph svg text.cg-value, #graph svg text.cg-grad")].map(
    (t) => ({ node: owner(t), text: t.textContent,
              kind: t.classList.contains("cg-value") ? "value" : "grad",
              pending: t.classList.contains("cg-pending") })),
  now: [...document.querySelectorAll("#now-lines code")].map((c) => c.textContent),
  steps: [...document.querySelectorAll("#steps li:not([hidden])")].map((li) => ({
    node: li.dataset.node, selected: li.classList.contains("selected"),
    lines: [...li.querySelectorAll("code")].map((c) => c.textContent) })),
};
"""


def state(browser) -> dict:
    return browser.execute_script(STATE)


def close(shown: str, exact: float) -> bool:
    """A number shown with 6 significant digits is the exact one, rounded."""
    return abs(float(shown) - exact) <= 5e-6 * abs(exact)


def test_stepping_shows_every_value_then_every_gradient(browser, pages):
    for name, (page, doc) in pages.items():
        open_page(browser, page)
        check_stepping(browser, doc, name)


def check_stepping(browser, doc: dict, name: str) -> None:
    out = doc["output"]
    first = state(browser)
    rows = {r["node"] for r in first["rows"]}  # constants written inline have no row
    nodes = {n["id"]: n for n in doc["nodes"] if n["id"] in rows}
    users = {i: [n["id"] for n in doc["nodes"] if i in n["inputs"]] for i in nodes}
    constants = {i for i, n in nodes.items() if n["op"] != "input" and not n["inputs"]}
    total = int(first["progress"].split()[-1])
    assert first["progress"] == f"step 0 of {total}"
    shown_values = {r["node"] for r in first["rows"] if r["value"]}
    shown_grads = {r["node"] for r in first["rows"] if r["grad"]}
    assert shown_values == constants  # known before the forward pass starts
    assert shown_grads == {i for i in nodes if nodes[i]["grad"] is None}  # shown as "-"
    value_order, grad_order = [], []
    for k in range(1, total + 1):
        browser.find_element("id", "step").click()
        now = state(browser)
        assert now["progress"] == f"step {k} of {total}"
        rows = {r["node"]: r for r in now["rows"]}
        values = {i for i, r in rows.items() if r["value"]}
        grads = {i for i, r in rows.items() if r["grad"]}
        new = [("value", i) for i in values - shown_values] + [
            ("grad", i) for i in grads - shown_grads
        ]
        assert len(new) == 1 and values >= shown_values and grads >= shown_grads, (name, k, new)
        kind, node = new[0]
        row, label = rows[node], rows[node]["label"]
        assert [i for i, r in rows.items() if r["current"]] == [node]
        if kind == "value":
            assert float(row["fullValue"]) == nodes[node]["value"]
            assert close(row["value"], nodes[node]["value"])
            assert any(
                line.startswith(f"{label} = ")
                and line.endswith((f"= {row['value']}", f"= {row['value']} (given)"))
                for line in now["now"]
            ), now["now"]
            value_order.append(node)
        else:
            assert not grad_order or len(value_order) == len(nodes) - len(constants)
            assert float(row["fullGrad"]) == nodes[node]["grad"]
            assert close(row["grad"], nodes[node]["grad"])
            assert any(
                line.startswith(f"∂{out}/∂{label} = ") and f"= {row['grad']}" in line
                for line in now["now"]
            ), now["now"]
            waiting = [
                u for u in users[node] if nodes[u]["grad"] is not None and u not in grad_order
            ]
            assert not waiting, f"{name}: the gradient of {label} came before that of {waiting}"
            grad_order.append(node)
        for text in now["svg"]:  # the drawing shows the same numbers as the table
            revealed = text["node"] in (values if text["kind"] == "value" else grads)
            assert text["pending"] == (not revealed), (name, k, text)
        shown_values, shown_grads = values, grads
    assert value_order == [i for i in nodes if i not in constants]
    assert nodes[grad_order[0]]["label"] == out and rows[grad_order[0]]["grad"] == "1"
    assert {i for i in nodes if nodes[i]["grad"] is not None} == set(grad_order)
    assert browser.find_element("id", "step").get_attribute("disabled") == "true"
    explained = run_cg(
        "explain", *{"seed": SEED, "neuron": NEURON, "reuse": REUSE, "rnn": RNN}[name]
    )
    items = [line.strip() for line in explained.splitlines() if line.startswith("  ")]
    lines = [line for step in now["steps"] for line in step["lines"]]
    known = {nodes[i]["label"] for i in constants}  # a named constant: known from the start
    items = [i for i in items if not (i.count(" = ") == 1 and i.split(" = ")[0] in known)]
    assert all(item in lines for item in items if not item.startswith("inputs:")), name


def test_back_reset_and_keys(browser, pages):
    page, _ = pages["seed"]
    open_page(browser, page)
    body = browser.find_element("tag name", "body")
    for _ in range(3):
        body.send_keys("\ue014")  # →
    assert state(browser)["progress"] == "step 3 of 10"
    assert [r["value"] for r in state(browser)["rows"]] == ["1", "3", "4", "", ""]
    body.send_keys("\ue012")  # ←
    assert [r["value"] for r in state(browser)["rows"]] == ["1", "3", "", "", ""]
    browser.find_element("id", "back").click()
    assert state(browser)["progress"] == "step 1 of 10"
    body.send_keys("\ue010")  # End
    now = state(browser)
    assert now["progress"] == "step 10 of 10"
    assert [(r["value"], r["grad"]) for r in now["rows"]] == [
        ("1", "-3"), ("3", "-3"), ("4", "-3"), ("-3", "4"), ("-12", "1")
    ]  # fmt: skip
    body.send_keys("\ue011")  # Home
    now = state(browser)
    assert now["progress"] == "step 0 of 10" and not any(r["value"] for r in now["rows"])
    browser.find_element("id", "step").click()
    browser.find_element("id", "reset").click()
    assert state(browser)["progress"] == "step 0 of 10"


FAKE_TIMERS = """
window.cgTimers = new Map();
let next = 1;
window.setInterval = (run, ms) => (window.cgTimers.set(next, { run, ms }), next++);
window.clearInterval = (id) => window.cgTimers.delete(id);
window.cgTick = () => [...window.cgTimers.values()].forEach((timer) => timer.run());
"""
"""The page's timers on a clock the test moves: ``cgTick()`` is one period of each, so
play's steps never race the machine's real clock."""


def test_play_and_pause(browser, pages):
    page, _ = pages["seed"]
    open_page(browser, page)
    browser.execute_script(FAKE_TIMERS)
    play = browser.find_element("id", "play")
    play.click()
    assert play.get_attribute("aria-pressed") == "true"
    assert state(browser)["progress"] == "step 1 of 10"  # the first step at once
    assert browser.execute_script("return [...cgTimers.values()].map((t) => t.ms)") == [1100]
    browser.execute_script("cgTick(); cgTick()")
    assert state(browser)["progress"] == "step 3 of 10"
    play.click()
    assert play.get_attribute("aria-pressed") == "false"
    assert browser.execute_script("return cgTimers.size") == 0  # pause stops the timer
    browser.execute_script("cgTick()")
    assert state(browser)["progress"] == "step 3 of 10"


def click(browser, element_id: str) -> None:
    element = browser.find_element("id", element_id)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def test_clicking_a_node_highlights_its_row_and_its_steps(browser, pages):
    page, _ = pages["seed"]
    open_page(browser, page)
    click(browser, "cg-node-n5")  # before any step: only the row
    now = state(browser)
    assert [r["label"] for r in now["rows"] if r["selected"]] == ["f"]
    browser.find_element("tag name", "body").send_keys("\ue010")  # End
    click(browser, "cg-node-n3")
    now = state(browser)
    assert [r["label"] for r in now["rows"] if r["selected"]] == ["q"]
    steps_of_q = browser.execute_script(
        "return JSON.parse(document.getElementById('cg-data').textContent)"
        ".steps.filter((s) => s.node === 'n3').map((s) => s.lines)"
    )
    assert len(steps_of_q) == 2  # its value and its gradient
    assert [s["lines"] for s in now["steps"] if s["selected"]] == steps_of_q


def test_the_page_loads_nothing(browser, pages):
    page, _ = pages["neuron"]
    open_page(browser, page)
    loaded = browser.execute_script("return performance.getEntriesByType('resource').length")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert loaded == 0 and errors == []


def test_the_neuron_matches_the_hand_worked_numbers(pages):
    """The CS231n notes' neuron by hand: w0*x0 + w1*x1 + w2 = 1, f = σ(1), and every
    gradient is σ'(1) = f(1 - f) times the other factor of its product (1 for w2)."""
    _, doc = pages["neuron"]
    f = 1 / (1 + math.exp(-1))
    slope = f * (1 - f)
    assert doc["value"] == pytest.approx(f, rel=1e-15)
    expected = {"w0": -1 * slope, "x0": 2 * slope, "w1": -2 * slope, "x1": -3 * slope, "w2": slope}
    assert doc["gradient"] == pytest.approx(expected, rel=1e-14)


def luminance(css_colour: str) -> float:
    red, green, blue = (float(c) for c in re.findall(r"[\d.]+", css_colour)[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


@pytest.mark.parametrize(("width", "scheme"), [(1280, "light"), (390, "dark")])
def test_readable_at_every_width_in_both_schemes(browser, pages, width, scheme, capsys):
    page, _ = pages["seed"]
    open_page(browser, page, width, scheme)
    for _ in range(8):
        browser.find_element("id", "step").click()
    background = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
    text = browser.execute_script("return getComputedStyle(document.body).color")
    if scheme == "dark":
        assert luminance(background) < 0.2 < 0.7 < luminance(text)
    else:
        assert luminance(text) < 0.2 < 0.7 < luminance(background)
    widths = browser.execute_script(
        "const buttons = [...document.querySelectorAll('button')];"
        "return [document.documentElement.scrollWidth, innerWidth,"
        " Math.max(...buttons.map((b) => b.getBoundingClientRect().right))]"
    )
    assert widths[0] <= widths[1] and widths[2] <= widths[1], widths
    time.sleep(0.4)  # the numbers fade in
    folder = Path(os.environ.get("CG_SCREENSHOTS", ROOT / "build" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    full = browser.execute_script("return document.documentElement.scrollHeight")
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": min(full, 3000), "deviceScaleFactor": 1, "mobile": width < 600},
    )
    target = folder / f"page-{width}px-{scheme}.png"
    assert browser.save_screenshot(str(target))
    assert target.stat().st_size > 10_000 and math.isfinite(target.stat().st_mtime)
    with capsys.disabled():
        print(f"\nscreenshot of the page: {target}")


NETWORK = [
    "h1 = tanh(a11*x1 + a12*x2 + c1); h2 = tanh(a21*x1 + a22*x2 + c2); "
    "f = sigmoid(v1*h1 + v2*h2 + d)",
    "a11=0.5", "a12=-1", "c1=0.1", "a21=2", "a22=0.3", "c2=-0.5", "v1=1.5", "v2=-2", "d=0.2",
    "x1=1", "x2=-1",
]  # fmt: skip
"""A 2-layer network (two tanh units, a sigmoid): a drawing wider than a 1,200 px window."""

DRAWING = """
const box = document.getElementById("drawing").getBoundingClientRect();
const svg = document.querySelector("#graph svg");
const texts = [...svg.querySelectorAll("text")].map((t) => t.getBoundingClientRect());
const current = svg.querySelector(".cg-current");
const at = current && current.getBoundingClientRect();
const inside = (r) => r.left >= box.left - 0.5 && r.right <= box.right + 0.5
  && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
return {
  box: [box.left, box.top, box.right, box.bottom], height: innerHeight, width: innerWidth,
  pageWidth: document.documentElement.scrollWidth,
  drawingScrolls: document.getElementById("drawing").scrollWidth
    > document.getElementById("drawing").clientWidth,
  viewBox: svg.getAttribute("viewBox").split(" ").map(Number),
  smallestText: Math.min(...texts.map((r) => r.height)),
  allInside: texts.every(inside),
  currentInside: at === null ? null : inside(at),
  progress: document.getElementById("progress").textContent,
};
"""


@pytest.fixture(scope="module")
def network_page(tmp_path_factory):
    target = tmp_path_factory.mktemp("network") / "network.html"
    run_cg("page", *NETWORK, "-o", str(target))
    return target


def drawing(browser) -> dict:
    return browser.execute_script(DRAWING)


def test_a_wide_network_stays_readable_at_1200_px(browser, network_page):
    """Text about 12 px high, no sideways scrollbar on the page or on the drawing: the
    drawing is a window that zooms and pans instead of shrinking the graph."""
    open_page(browser, network_page, 1200)
    seen = drawing(browser)
    assert seen["smallestText"] >= 11.5, seen
    assert seen["pageWidth"] <= seen["width"] and not seen["drawingScrolls"], seen
    assert not seen["allInside"]  # at a readable size the whole network is wider than this
    browser.find_element("id", "zoom-in").click()
    zoomed = drawing(browser)
    assert zoomed["smallestText"] == pytest.approx(seen["smallestText"] * 1.25, rel=0.02)
    browser.find_element("id", "zoom-out").click()
    assert drawing(browser)["smallestText"] == pytest.approx(seen["smallestText"], rel=0.02)
    browser.find_element("id", "zoom-fit").click()
    whole = drawing(browser)
    assert whole["allInside"] and whole["smallestText"] < seen["smallestText"]
    assert browser.find_element("id", "zoom-out").get_attribute("disabled") == "true"


def test_dragging_pans_the_drawing_and_a_drag_selects_nothing(browser, network_page):
    from selenium.webdriver.common.action_chains import ActionChains

    open_page(browser, network_page, 1200)
    before = drawing(browser)["viewBox"]
    box = browser.find_element("id", "drawing")
    ActionChains(browser).move_to_element(box).click_and_hold().move_by_offset(-200, 0).release(
    ).perform()  # fmt: skip
    after = drawing(browser)["viewBox"]
    scale = (before[2] and box.size["width"] / before[2]) or 1
    assert after[0] == pytest.approx(before[0] + 200 / scale, abs=2)
    assert after[2:] == before[2:]
    assert not any(r["selected"] for r in state(browser)["rows"])
    ActionChains(browser).move_to_element(box).click_and_hold().move_by_offset(450, 0).release(
    ).perform()  # fmt: skip
    assert drawing(browser)["viewBox"][0] == pytest.approx(before[0], abs=0.5)  # not past the edge


def test_stepping_keeps_each_node_in_view_on_the_drawing(browser, network_page):
    """At every step of both passes the node being computed is inside the drawing's
    window, and the drawing inside the browser's window, however far the steps go."""
    open_page(browser, network_page, 1200)
    total = int(state(browser)["progress"].split()[-1])
    assert total > 40
    for k in range(1, total + 1):
        browser.find_element("id", "step").click()
        seen = drawing(browser)
        assert seen["progress"] == f"step {k} of {total}"
        assert seen["currentInside"] is not False, (k, seen)
        top, bottom = seen["box"][1], seen["box"][3]
        assert top >= 0 and bottom <= seen["height"], (k, seen)
        assert seen["smallestText"] >= 11.5


# --- a loop: stepping through time ------------------------------------------------------

RNN = [
    "T = 3\nh[0] = 0\nfor t in 1..T:\n    h[t] = wx*x[t] + wh*h[t-1]\n    o[t] = wq*h[t]\n"
    "L = mean((o[t] - y[t])^2 for t in 1..T)",
    "wx=0.5", "wh=0.8", "wq=2", "x=[1,-1,2]", "y=[1,0,1]",
]  # fmt: skip
"""docs/sequences.md's recurrence, worked by hand there."""

TIME = """
return {
  now: document.getElementById("time-now").textContent,
  progress: document.getElementById("progress").textContent,
  next: !document.getElementById("time-next").disabled,
  inView: [...document.querySelectorAll("#time-rows tr.current")].every((tr) => {
    const box = tr.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
  }),
  rows: [...document.querySelectorAll("#time-rows tr")].map((tr) => ({
    title: tr.children[0].textContent, current: tr.classList.contains("current"),
    values: [...tr.children[1].querySelectorAll("code")].map((c) => c.textContent),
    grads: [...tr.children[2].querySelectorAll("code")].map((c) => c.textContent),
  })),
};
"""


@pytest.fixture(scope="module")
def rnn_page(tmp_path_factory):
    target = tmp_path_factory.mktemp("rnn") / "rnn.html"
    run_cg("page", *RNN, "-o", str(target))
    return target, json.loads(run_cg("eval", *RNN, "--format", "json"))


def test_a_loop_steps_node_by_node_in_a_valid_order(browser, rnn_page):
    page, doc = rnn_page
    open_page(browser, page)
    check_stepping(browser, doc, "rnn")


def shown_numbers(cells: list[str]) -> dict[str, float]:
    """``h[2] = -0.1`` and ``∂L/∂h[2] = 0.629333``, by the name before ``=``."""
    return {cell.split(" = ")[0]: float(cell.split(" = ")[1]) for cell in cells}


def test_the_page_steps_through_time(browser, rnn_page):
    """t ▶ goes a whole step in time: forward t = 1, 2, 3, the loss after the loop, then
    back through time t = 3, 2, 1; each row shows its step's numbers once reached."""
    page, doc = rnn_page
    open_page(browser, page)
    nodes = {n["label"]: n for n in doc["nodes"]}
    first = browser.execute_script(TIME)
    assert [r["title"] for r in first["rows"]] == ["t = 1", "t = 2", "t = 3"]
    assert all(not r["values"] and not r["grads"] and not r["current"] for r in first["rows"])
    visited = []
    while browser.execute_script(TIME)["next"]:
        browser.find_element("id", "time-next").click()
        now = browser.execute_script(TIME)
        visited.append(now["now"])
        phase, _, where = now["now"].partition(" · ")
        current = [r["title"] for r in now["rows"] if r["current"]]
        assert current == ([where] if where.startswith("t = ") else []), now
        assert now["inView"], now  # the row of the current step in time is on the screen
        for row in now["rows"]:
            t = int(row["title"][4:])
            values, grads = shown_numbers(row["values"]), shown_numbers(row["grads"])
            for label, shown in values.items():
                assert close(str(shown), nodes[label]["value"]), (label, shown)
            for label, shown in grads.items():
                assert close(str(shown), nodes[label[4:]]["grad"]), (label, shown)
            reached = phase == "backward" or where == "outside the loop" or t <= int(where[4:])
            assert ({"x", "h", "o"} <= {v[0] for v in values}) == reached, (now["now"], row)
            assert not reached or values.keys() == {f"x[{t}]", f"h[{t}]", f"o[{t}]"}
            back = phase == "backward" and (where == "outside the loop" or t < int(where[4:]))
            assert bool(grads) == (phase == "backward" and not back), (now["now"], row)
            if phase == "backward" and not back:
                assert grads.keys() == {f"∂L/∂h[{t}]", f"∂L/∂o[{t}]", f"∂L/∂x[{t}]"} or (
                    grads.keys() == {f"∂L/∂h[{t}]", f"∂L/∂o[{t}]"}
                )
    assert visited == [
        "forward · t = 1", "forward · t = 2", "forward · t = 3", "forward · outside the loop",
        "backward · outside the loop", "backward · t = 3", "backward · t = 2",
        "backward · t = 1",
    ]  # fmt: skip
    last = browser.execute_script(TIME)
    assert last["progress"].split()[1] == last["progress"].split()[-1]  # every step shown
    assert shown_numbers(last["rows"][1]["grads"])["∂L/∂h[2]"] == 0.629333  # by hand
    browser.find_element("id", "time-back").click()
    assert browser.execute_script(TIME)["now"] == "backward · t = 2"
    browser.find_element("tag name", "body").send_keys("[")
    assert browser.execute_script(TIME)["now"] == "backward · t = 3"
    browser.find_element("tag name", "body").send_keys("]")
    assert browser.execute_script(TIME)["now"] == "backward · t = 2"


def test_a_page_without_a_loop_has_no_time_controls(browser, pages):
    page, _ = pages["seed"]
    open_page(browser, page)
    hidden = browser.execute_script(
        'return ["time-panel", "time-back", "time-next"]'
        ".map((id) => document.getElementById(id).hidden)"
    )
    assert hidden == [True, True, True]
