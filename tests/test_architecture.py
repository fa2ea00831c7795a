"""The house: every module of cgcli takes a floor, imports point down, and no import
cycle runs through the package, counting the imports made inside functions.

``lint-imports`` (in the README's test command) enforces the contract of pyproject.toml;
these tests make sure that contract names everything and that nothing slips past it.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cgcli"
LOOSE = {"__init__", "__main__"}
"""The modules that may stay loose at the top of cgcli."""


def contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def floors() -> dict:
    (layers,) = [c for c in contracts() if c["type"] == "layers"]
    return layers


def top_level_entries() -> set[str]:
    """The packages and modules at the top of cgcli (package data folders left out)."""
    entries = {p.stem for p in PACKAGE.glob("*.py")}
    entries |= {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    return entries


def test_every_package_and_module_takes_a_floor():
    named = {
        name.strip("() ")
        for layer in floors()["layers"]
        for name in layer.replace(":", "|").split("|")
    }
    loose = top_level_entries() - named - LOOSE
    assert not loose, f"in no layer of pyproject.toml's import contract: {sorted(loose)}"
    assert named <= top_level_entries() | {"__main__"}, "the contract names a missing module"


def test_at_most_three_modules_are_loose_at_the_top():
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules <= LOOSE, sorted(modules - LOOSE)


def docstring_of(package: Path) -> str:
    return ast.get_docstring(ast.parse((package / "__init__.py").read_text())) or ""


@pytest.mark.parametrize(
    "package",
    sorted(str(p.parent.relative_to(PACKAGE)) for p in PACKAGE.glob("**/__init__.py")),
    ids=str,
)
def test_each_package_opens_with_a_docstring_that_says_what_it_holds_and_imports(package):
    docstring = docstring_of(PACKAGE / package)
    assert len(docstring.split()) >= 8, package
    assert "import" in docstring.lower(), f"{package}'s docstring does not say its floors"


@pytest.mark.parametrize(
    "package", sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")), ids=str
)
def test_each_package_imports_only_the_floors_its_docstring_names(package):
    """The packages a docstring names (``:mod:`cgcli.passes```), and every floor below its
    own when it says "below", hold all that the package imports (the contract's listed
    display methods left out)."""
    docstring = docstring_of(PACKAGE / package)
    named = set(re.findall(r":mod:`~?cgcli\.(\w+)", docstring))
    layers = [set(layer.replace(" ", "").split("|")) for layer in floors()["layers"]]
    level = next(i for i, layer in enumerate(layers) if package in layer)
    below = set().union(*layers[level + 1 :]) if "below" in docstring else set()
    graph = grimp.build_graph("cgcli", cache_dir=None)
    listed = {tuple(i.split(" -> ")) for i in floors()["ignore_imports"]}
    imported = {
        found.split(".")[1]
        for module in graph.find_children(f"cgcli.{package}") | {f"cgcli.{package}"}
        for inner in graph.find_descendants(module) | {module}
        for found in graph.find_modules_directly_imported_by(inner)
        if found != "cgcli" and (inner, found) not in listed
    } - {package}
    assert imported <= named | below, f"{package} imports {sorted(imported - named - below)}"


def strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's components of more than one module, without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_no_import_cycle_but_through_the_listed_display_methods():
    """Every import counts (inside functions and for type checking too); leaving out the
    display methods' lazy imports that the contract lists, no cycle remains."""
    graph = grimp.build_graph("cgcli", cache_dir=None)
    edges = {
        module: set(graph.find_modules_directly_imported_by(module)) - {"cgcli"}
        for module in graph.modules
        if module != "cgcli"
    }
    listed = {tuple(i.split(" -> ")) for i in floors()["ignore_imports"]}
    for importer, imported in listed:
        assert imported in edges[importer], f"a listed import no longer exists: {importer}"
        edges[importer].discard(imported)
    assert strongly_connected(edges) == []


def test_nothing_imports_the_package_root():
    """cgcli/__init__.py names every public function; a module importing it would tie
    every floor to every other."""
    graph = grimp.build_graph("cgcli", cache_dir=None)
    assert graph.find_modules_that_directly_import("cgcli") == set()


def test_the_contract_keeps_every_command_apart():
    """Each command's module is in the independence contract, and nothing else is."""
    from cgcli.cli.group import COMMANDS

    (apart,) = [c for c in contracts() if c["type"] == "independence"]
    assert sorted(apart["modules"]) == sorted(f"cgcli.cli.{m}" for m in COMMANDS.values())
