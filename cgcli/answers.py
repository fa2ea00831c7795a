"""A student's answers: the notation, and answer files in JSON, CSV and Markdown.

Notation (the README documents it):

* ``NODE=NUMBER``: the value of a node, named by its label (``p``, ``x#2``, ``n3``).
* ``dOUT/dNODE=NUMBER`` (or ``∂OUT/∂NODE=NUMBER``): the gradient of the output OUT
  with respect to NODE.
* ``dNODE=NUMBER``: the same, shorter, when ``dNODE`` is not itself a node's label.

NUMBER is a constant expression in the cg language (``-3``, ``1/3``, ``0.731``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .files import read_text
from .ir import Graph, Node
from .values import InputValue, value_from_python, value_from_text

VALUE, GRAD = "value", "grad"


@dataclass(frozen=True)
class Answer:
    """One number a student gave: a node's value or its gradient."""

    kind: str
    node: Node
    given: InputValue
    key: str
    """The answer as the student wrote it, such as ``dg/dx``."""


def _gradient_target(key: str, output: str) -> str | None:
    """The node label of a gradient key (``dg/dx``, ``∂g/∂x``, ``dx``), or None."""
    match = re.fullmatch(r"[d∂](.+?)/[d∂](.+)", key)
    if match:
        if match.group(1) != output:
            raise UsageError(
                f"answer {key}: the output is {output}, so write d{output}/d{match.group(2)}"
            )
        return match.group(2)
    if key[:1] in ("d", "∂") and len(key) > 1:
        return key[1:]
    return None


def resolve(graph: Graph, key: str, given: InputValue) -> Answer:
    """The answer for ``key`` in the notation above."""
    labels = {graph.label(n): n for n in graph.nodes}
    output = graph.label(graph.nodes[graph.output])
    key = key.strip()
    if key in labels:
        return Answer(VALUE, labels[key], given, key)
    target = _gradient_target(key, output)
    if target is None or target not in labels:
        known = ", ".join(labels)
        raise UsageError(f"answer {key}: no node is called {target or key} (nodes: {known})")
    return Answer(GRAD, labels[target], given, key)


def parse_expectations(texts: list[str], graph: Graph) -> list[Answer]:
    """``--expect`` arguments: answers separated by commas or spaces."""
    answers = []
    for text in texts:
        for item in re.split(r"[,\s]+", text.strip()):
            if not item:
                continue
            key, sep, number = item.partition("=")
            if not sep:
                raise UsageError(f"--expect {item}: write KEY=NUMBER, such as p=4 or dg/dx=-3")
            answers.append(resolve(graph, key, value_from_text(key, number)))
    return answers


def read_answer_file(path: str, graph: Graph) -> list[Answer]:
    """Answers from a JSON, CSV or Markdown file (by extension, else by content)."""
    text = read_text(path, "the answers")
    suffix = Path(path).suffix.lower()
    stripped = text.lstrip()
    if suffix == ".json" or (suffix not in (".csv", ".md", ".markdown") and stripped[:1] == "{"):
        return _from_json(text, graph, path)
    if suffix in (".md", ".markdown") or stripped.startswith("|"):
        return _from_markdown(text, graph)
    return _from_csv(text, graph)


def _number(key: str, value: object) -> InputValue:
    return value_from_text(key, value) if isinstance(value, str) else value_from_python(key, value)


def _from_json(text: str, graph: Graph, path: str) -> list[Answer]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(doc, dict):
        raise UsageError(f'{path}: expected an object such as {{"p": 4, "dg/dx": -3}}')
    answers = []
    output = graph.label(graph.nodes[graph.output])
    for key, value in doc.items():
        if key in ("values", "gradients") and isinstance(value, dict):
            for name, number in value.items():
                full = name if key == "values" else f"d{output}/d{name}"
                answers.append(resolve(graph, full, _number(full, number)))
        elif value is not None and value != "":
            answers.append(resolve(graph, key, _number(key, value)))
    return answers


def _from_csv(text: str, graph: Graph) -> list[Answer]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().lower() for c in rows[0][:3]] != ["node", "value", "grad"]:
        raise UsageError("a CSV answer file needs the header node,value,grad")
    return _from_rows(
        [(r[0], r[1] if len(r) > 1 else "", r[2] if len(r) > 2 else "") for r in rows[1:] if r],
        graph,
    )


def _from_rows(rows: list[tuple[str, str, str]], graph: Graph) -> list[Answer]:
    output = graph.label(graph.nodes[graph.output])
    answers = []
    for label, value, grad in rows:
        label = label.strip()
        if value.strip():
            answers.append(resolve(graph, label, value_from_text(label, value)))
        if grad.strip():
            key = f"d{output}/d{label}"
            answers.append(resolve(graph, key, value_from_text(key, grad)))
    return answers


def _from_markdown(text: str, graph: Graph) -> list[Answer]:
    """The tables ``cg eval --format markdown`` prints, with cells filled in by hand."""
    rows: list[tuple[str, str, str]] = []
    header: list[str] | None = None
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip().strip("`").strip() for c in line.strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if all(set(c) <= set(":- ") for c in cells):
            continue
        row = dict(zip(header, cells, strict=False))
        if "node" in header:
            grad = next((row[h] for h in header if h.startswith("∂")), "")
            rows.append((row["node"], row.get("value", ""), grad))
        elif "gradient" in header:
            key, number = row.get("gradient", ""), row.get("value", "")
            if key.startswith("∂"):
                rows.append(
                    (
                        _gradient_target(key, graph.label(graph.nodes[graph.output])) or key,
                        "",
                        number,
                    )
                )
            else:
                rows.append((key, number, ""))
    return _from_rows(rows, graph)
