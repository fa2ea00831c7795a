"""Tests that need real outside parts (Graphviz, pdflatex, a browser, a Jupyter kernel, Dask):
they skip with a clear message when a part is absent on a developer's machine, and fail
instead when CI is set, so that CI never passes without having run them.

Every hint says one way to install, as the README does: ``pip install ".[test]"`` for the
Python parts, ``apt-get install ...`` (Debian's packages, as ``.ci/run`` installs them) for
the programs.
"""

from __future__ import annotations

import os
import shutil

import pytest

PIP = 'pip install ".[test]"'
"""The one install hint for a Python part: the README's test extras."""

PROGRAMS = {
    "dot": ("Graphviz", "graphviz"),
    "pdflatex": ("pdfLaTeX", "texlive-latex-base"),
    "chromium": ("Chromium", "chromium"),
    "chromedriver": ("chromedriver", "chromium-driver"),
}
"""Each outside program the tests run: its name, and the Debian package that brings it."""


def missing(part: str, how_to_install: str) -> None:
    """Skip the test (locally) or fail it (in CI): ``part`` is not there."""
    message = f"{part} is not available: {how_to_install}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must run this test)", pytrace=False)
    pytest.skip(message)


def python_part(part: str, modules: str = "") -> None:
    """Skip or fail: a Python package of the test extras (``modules``, named) is missing."""
    missing(part, f"{PIP} ({modules})" if modules else PIP)


def require_program(command: str, path: str | None = None) -> None:
    """Skip or fail unless ``command`` (or the program at ``path``) can be run."""
    found = os.access(path, os.X_OK) if path else shutil.which(command) is not None
    if not found:
        name, package = PROGRAMS[command]
        where = f" ({path})" if path else ""
        missing(f"{name}{where}", f"apt-get install {package}")
