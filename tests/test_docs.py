"""The documentation: the site builds with MkDocs in strict mode (a broken link, a page
missing from the nav or an unknown anchor fails), and the Markdown links of the README
and of the docs pages lead somewhere, as GitHub shows them.

Without MkDocs installed (it comes with the test extra) the build test skips, saying so;
with CI set it fails instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from real_parts import missing
from test_readme import DOCS, README, ROOT, documents

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+)$", re.M)
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def test_the_site_builds_without_a_warning(tmp_path):
    try:
        import material  # noqa: F401
        import mkdocs  # noqa: F401
    except ImportError:
        missing("MkDocs with the Material theme", 'pip install ".[test]" (mkdocs, mkdocs-material)')
    # NO_MKDOCS_2_WARNING: Material (9.7 and later) prints an end-of-life notice on
    # every build; it is about the theme's future, not about these pages.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert not re.search(r"WARNING|warning", log), log
    pages = sorted(p.stem for p in DOCS.glob("*.md"))
    built = sorted(p.parent.name if p.parent != site else "index" for p in site.rglob("index.html"))
    assert [p for p in pages if p not in built] == []
    assert (site / "circuit.svg").read_bytes() == (DOCS / "circuit.svg").read_bytes()


def slug(heading: str) -> str:
    """The anchor GitHub (and MkDocs' default) gives a heading of these pages."""
    text = re.sub(r"[`*]", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return re.sub(r"[\s-]+", "-", text).strip("-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(h) for h in HEADING.findall(text)}


def links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return [a or b for a, b in LINK.findall(text)]


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.name)
def test_every_link_leads_somewhere(path):
    """Each relative link names a file that exists, and each #anchor a heading in it."""
    broken = []
    for target in links(path):
        if re.match(r"[a-z]+:", target):
            continue  # https://...: not checked here (no network in the tests)
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        if not linked.is_file() or (anchor and anchor not in anchors(linked)):
            broken.append(target)
    assert broken == []


def test_the_readme_links_into_every_page():
    text = README.read_text(encoding="utf-8")
    pages = sorted(p.name for p in DOCS.glob("*.md"))
    assert [page for page in pages if f"(docs/{page}" not in text] == []
    assert len(pages) >= 12


def test_slug_follows_the_heading_rules():
    assert slug("`cg graph`: the circuit") == "cg-graph-the-circuit"
    assert slug("4. Read the summary") == "4-read-the-summary"
    assert slug("`cg explain`: the worked solution, as a lesson") == (
        "cg-explain-the-worked-solution-as-a-lesson"
    )


def test_the_commands_page_is_what_the_commands_say():
    """docs/commands.md's reference part is what tools/generate_commands_doc.py writes
    from the commands themselves: every command, every option, its default and choices."""
    script = ROOT / "tools" / "generate_commands_doc.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_commands_page_has_a_section_and_a_row_per_option():
    """Every command has its section, every option (hidden ones too) its row."""
    import click

    from cgcli.cli import COMMANDS, main

    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    ctx = click.Context(main)
    for name in COMMANDS:
        assert f"\n## cg {name}\n" in text, name
        section = text.split(f"\n## cg {name}\n", 1)[1].split("\n## ", 1)[0]
        command = main.get_command(ctx, name)
        for param in command.params:
            if not isinstance(param, click.Option) or param.name == "help":
                continue
            shared = getattr(param, "help_group", "") in ("Program", "Input limits")
            where = text.split("## Common to every command", 1)[1] if shared else section
            assert re.search(rf"^\| (`|<code>){re.escape(param.opts[0])}\b", where, re.M), (
                name,
                param.opts[0],
            )
