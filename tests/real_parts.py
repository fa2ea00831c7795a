"""Tests that need real outside parts (a browser, a Jupyter kernel): they skip with a clear
message when a part is absent on a developer's machine, and fail instead when CI is set,
so that CI never passes without having run them."""

from __future__ import annotations

import os

import pytest


def missing(part: str, how_to_install: str) -> None:
    """Skip the test (locally) or fail it (in CI): ``part`` is not there."""
    message = f"{part} is not available: {how_to_install}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must run this test)", pytrace=False)
    pytest.skip(message)
