"""Old public names kept for one release: each warns and calls the name that replaced it."""

from __future__ import annotations

import warnings


def renamed(old: str, new: str) -> None:
    """Warn (DeprecationWarning, pointing at the caller's line) that ``old`` is now ``new``."""
    warnings.warn(
        f"cgcli.{old} is deprecated and will be removed in the next release: use {new}",
        DeprecationWarning,
        stacklevel=3,
    )
