"""The wheel: it ships the grammar and its ``cg`` runs with no source checkout around."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.xdist_group("wheel")  # the wheel is built once, on one worker


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("cgcli-*.whl")
    return path


def test_distribution_is_named_cgcli(wheel):
    """ "cg" on the package index is someone else's project; the wheel is cgcli's."""
    assert wheel.name.startswith("cgcli-")
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        assert "\nName: cgcli\n" in archive.read(metadata).decode()


def test_wheel_ships_grammar_and_entry_point(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "cgcli/grammar/cg.lark" in names
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "cg = cgcli.cli:console" in archive.read(entry_points).decode()
        grammar = archive.read("cgcli/grammar/cg.lark").decode()
    assert grammar == (ROOT / "grammar" / "cg.lark").read_text(encoding="utf-8")


def test_wheel_ships_the_page_template(wheel):
    """cg page reads its HTML, CSS and script from package data."""
    with zipfile.ZipFile(wheel) as archive:
        for name in ["page.html", "page.css", "page.js"]:
            shipped = archive.read(f"cgcli/page/{name}").decode()
            assert shipped == (ROOT / "cgcli" / "page" / name).read_text(encoding="utf-8")


def test_cg_runs_from_the_unpacked_wheel(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = (
        "import sys, cgcli; from cgcli.cli import main; "
        f"assert cgcli.__file__.startswith({str(site)!r}), cgcli.__file__; "
        "main(sys.argv[1:])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "eval", "(x+y)*z", "x=1", "y=3", "z=-3", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["gradient"] == {"x": -3.0, "y": -3.0, "z": 4.0}


def test_wheel_ships_the_docs_and_cg_docs_prints_them(wheel, tmp_path):
    """A pip user has no checkout: the help says ``cg docs output``, which must work."""
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read("cgcli/docs/output.md").decode()
        archive.extractall(tmp_path / "site")
    assert shipped == (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    code = (
        "import sys, cgcli; from cgcli.cli import main; "
        f"assert cgcli.__file__.startswith({str(tmp_path / 'site')!r}), cgcli.__file__; "
        "main(sys.argv[1:])"
    )

    def cg(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
        )

    page = cg("docs", "output")
    assert (page.returncode, page.stdout) == (0, shipped)
    listing = cg("docs").stdout.splitlines()
    assert "output        Output formats" in listing
    assert "language      The language" in listing
    assert "cg docs output" in cg("eval", "--help").stdout
