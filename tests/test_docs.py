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
from itertools import pairwise
from pathlib import Path

import pytest
from real_parts import python_part
from test_readme import DOCS, README, ROOT, documents

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+)$", re.M)
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def test_the_site_builds_without_a_warning(tmp_path):
    try:
        import material  # noqa: F401
        import mkdocs  # noqa: F401
    except ImportError:
        python_part("MkDocs with the Material theme", "mkdocs, mkdocs-material")
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

    from cgcli.cli.group import COMMANDS
    from cgcli.cli.group import cg as main

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


CODE = re.compile(r"```(?:sh|console)\n(.*?)```|`(cg [^`\n]+)`", re.S)
WRITES = ("-o", "--out", "--history", "--summary", ">")


def written_files(text: str) -> list[str]:
    """The files the shown commands write: the value of -o, --out, --history, --summary,
    and the target of a shell redirection."""
    import shlex

    targets = []
    for block, inline in CODE.findall(text):
        for line in (block or inline).splitlines():
            line = line.removeprefix("$ ")
            if not re.search(r"(^|\| )cg ", line):
                continue
            try:
                words = shlex.split(line)
            except ValueError:
                continue
            targets += [after for before, after in pairwise(words) if before in WRITES]
    return targets


def test_no_example_writes_into_the_checkout():
    """A command of the README or the docs, run from any folder of a checkout, never
    overwrites a file of it (cg graph ... -o docs/circuit.svg once did)."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    tracked = {Path(line) for line in listed.stdout.splitlines()}
    folders = {Path(".")} | {folder for path in tracked for folder in path.parents}
    clashes = []
    for path in documents():
        for target in written_files(path.read_text(encoding="utf-8")):
            hits = [folder / target for folder in folders if (folder / target) in tracked]
            clashes += [f"{path.name}: {target} overwrites {hit}" for hit in hits]
    assert clashes == []
    readme = written_files(README.read_text(encoding="utf-8"))
    assert {"graph.svg", "clusters.csv", "result.parquet", "seed.html"} <= set(readme)


def test_the_readme_s_parquet_recipe_runs_as_written(tmp_path):
    """The README's many-points example makes its own Parquet file and runs, from an empty
    folder, with the cg and python a user has after installing."""
    import shutil

    block = next(b for b in re.findall(r"```sh\n(.*?)```", README.read_text(), re.S)
                 if "clusters.parquet" in b)  # fmt: skip
    bin_dir = Path(sys.executable).parent
    cg = shutil.which("cg", path=str(bin_dir))
    if cg is None:
        pytest.skip("cg is not installed beside this Python")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    for line in block.strip().splitlines():
        done = subprocess.run(line, shell=True, cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)  # fmt: skip
        assert (done.returncode, done.stderr) == (0, ""), line
    import pyarrow.parquet as pq

    result = pq.read_table(tmp_path / "result.parquet")
    assert result.column_names[:4] == ["y", "x1", "x2", "f"]
    assert result.num_rows == len((tmp_path / "clusters.csv").read_text().splitlines()) - 1
