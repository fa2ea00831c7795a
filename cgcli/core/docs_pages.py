"""The docs pages, shipped in the package (``cg docs``): a pip user has them offline.

The wheel carries ``docs/*.md`` as ``cgcli/docs``; a source checkout reads ``docs/``.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .errors import UsageError
from .untrusted import visible


def _folder() -> Traversable:
    shipped = resources.files("cgcli") / "docs"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[2] / "docs"


def _pages() -> dict[str, Traversable]:
    return {
        entry.name[: -len(".md")]: entry
        for entry in sorted(_folder().iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".md")
    }


def _title(text: str) -> str:
    first = next((line for line in text.splitlines() if line.startswith("# ")), "")
    return first[2:].strip()


def docs_pages() -> list[tuple[str, str]]:
    """Every page of the docs: (name, title), by name."""
    return [(name, _title(page.read_text(encoding="utf-8"))) for name, page in _pages().items()]


def docs_page(name: str) -> str:
    """The page ``name`` (``output``, or ``output.md``) as its Markdown text."""
    pages = _pages()
    key = name.lower().removesuffix(".md")
    if key not in pages:
        raise UsageError(
            f"no docs page {visible(name)!r}; the pages are {', '.join(pages)} (cg docs lists them)"
        )
    return pages[key].read_text(encoding="utf-8")
