"""A real notebook, run by nbclient on a real IPython kernel: what a student's cells show."""

from __future__ import annotations

import html
import re

import pytest
from real_parts import python_part, require_program
from test_page_browser import browser, open_page  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.xdist_group("browser")  # one Chromium, on one worker

CELLS = [
    "import cgcli\n"
    "result = cgcli.evaluate('q = x + y; f = q * z', {'x': 1, 'y': 3, 'z': -3})\n"
    "result",
    "result.show_page()",
]


def run_notebook(cells: list[str]):
    """Each cell's outputs, once a real kernel has run the notebook."""
    return [cell.outputs for cell in executed_notebook(cells).cells]


STOPPED_CLOCK = "import cgcli.core.clock\ncgcli.core.clock.now = lambda: 0.0"
"""Run first in the kernel, and taken out after: cg's budgets there stand still, as in every
test (tests/conftest.py), so the check is SymPy's however long the kernel takes to
import it on a busy machine."""


def executed_notebook(cells: list[str]):
    """The notebook of ``cells`` after a real kernel has run it."""
    try:
        import nbformat
        from jupyter_client.kernelspec import NoSuchKernel
        from nbclient import NotebookClient
    except ImportError:
        python_part("nbclient, nbformat or ipykernel", "nbclient, nbformat, ipykernel")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in [STOPPED_CLOCK, *cells]]
    try:
        NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    except NoSuchKernel:
        python_part("a Jupyter kernel (python3)", "ipykernel")
    assert notebook.cells[0].outputs == []
    notebook.cells = notebook.cells[1:]
    return notebook


def test_a_cell_shows_the_table_and_the_drawing_and_the_page():
    require_program("dot")
    table, page = run_notebook(CELLS)
    (shown,) = table
    data = shown["data"]
    assert data["text/plain"] == (
        "<Evaluation f = -12; ∂f/∂x = -3, ∂f/∂y = -3, ∂f/∂z = 4; check: sympy, all agree>"
    )
    rows = re.findall(r"<tr>(.*?)</tr>", data["text/html"])
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in rows]
    assert [[c[0], c[4], html.unescape(c[5])] for c in cells] == [
        ["node", "value", "∂f/∂node"],
        ["x", "1", "-3"],
        ["y", "3", "-3"],
        ["q", "4", "-3"],
        ["z", "-3", "4"],
        ["f", "-12", "1"],
    ]
    assert data["text/html"].count("<svg") == 1 and 'id="cg&#45;node&#45;n5"' in data["text/html"]
    assert data["text/markdown"].startswith("| node | op | inputs | text | value | ∂f/∂node |")
    (frame,) = page
    shown_page = frame["data"]["text/html"]
    assert shown_page.startswith('<iframe srcdoc="&lt;!doctype html&gt;')
    assert "cg-data" in html.unescape(shown_page) and 'sandbox="allow-scripts"' in shown_page


@pytest.mark.parametrize("template", ["lab", "classic"])
def test_the_page_works_in_a_notebook_exported_to_html(browser, tmp_path, template):  # noqa: F811
    """nbconvert's HTML of the notebook, opened in a real browser: the frame holds the
    page, drawn, and its steps go."""
    require_program("dot")
    try:
        from nbconvert import HTMLExporter
    except ImportError:
        python_part("nbconvert", "nbconvert")
    notebook = executed_notebook(CELLS)
    body, _ = HTMLExporter(template_name=template).from_notebook_node(notebook)
    exported = tmp_path / f"notebook-{template}.html"
    exported.write_text(body, encoding="utf-8")
    open_page(browser, exported)
    (frame,) = browser.find_elements("tag name", "iframe")
    assert frame.size["height"] >= 600 and frame.size["width"] >= 600
    browser.switch_to.frame(frame)
    try:
        shown = browser.execute_script(
            "const svg = document.querySelector('#graph svg').getBoundingClientRect();"
            "return [document.getElementById('progress').textContent, svg.width, svg.height,"
            " document.querySelectorAll('#node-rows tr').length]"
        )
        assert shown[0] == "step 0 of 10" and shown[1] > 200 and shown[2] > 100 and shown[3] == 5
        browser.find_element("id", "step").click()
        assert browser.find_element("id", "progress").text == "step 1 of 10"
    finally:
        browser.switch_to.default_content()
