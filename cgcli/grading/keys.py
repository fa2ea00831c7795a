"""The answer notation: which number of which node a key such as ``dg/dx`` names.

* ``NODE``: the value of a node, by its label (``p``, ``x#2``, ``v1`` for an unnamed node);
  also ``NODE.data`` or ``NODE.value`` (micrograd's spelling).
* ``dOUT/dNODE`` or ``∂OUT/∂NODE``: the gradient of the output OUT with respect
  to NODE; also ``dNODE`` when that is not itself a label, and ``NODE.grad``.
  OUT may be any name that is not another node's (``dL/dw`` for an output ``loss``).

Constants written inline (the ``1`` of ``b + 1``) are no nodes a key can name; only
the rows of a node table that lists them (``cg eval --format csv``) name them, and
those are given numbers, never answers.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import NamedTuple

from ..core.errors import UsageError
from ..core.ir import Graph, Node
from ..core.untrusted import shortened

VALUE, GRAD = "value", "grad"
_GRADIENT = re.compile(r"[d∂]\s*(?P<out>.+?)\s*/\s*[d∂]\s*(?P<node>.+)")


class Question(NamedTuple):
    """One number a sheet can ask for: the value or the gradient of a node."""

    kind: str
    node: Node

    def key(self, graph: Graph) -> str:
        """The key in plain ASCII notation: ``p`` or ``dg/dp`` (gradebook columns)."""
        label = graph.label(self.node)
        if self.kind == VALUE:
            return label
        return f"d{graph.output_label()}/d{label}"

    def shown(self, graph: Graph) -> str:
        """The key as tables show it: ``p`` or ``∂g/∂p``."""
        label = graph.label(self.node)
        if self.kind == VALUE:
            return label
        return f"∂{graph.output_label()}/∂{label}"


def resolve(graph: Graph, key: str, kind: str | None = None) -> Question:
    """The question a key names; ``kind`` is given for the cells of a node table,
    where the key is the node's label. Raises a one-line :class:`UsageError`."""
    named = node_labels(graph)
    labels = _Labels(named)
    # the output by the name ∂L/∂w gives it: L for L#3, the latest version
    labels.setdefault(graph.output_label(), graph.nodes[graph.output])
    key = " ".join(key.split())
    shown = shortened(key, 40)
    if not key:
        raise UsageError("an answer without a key: write KEY=NUMBER, such as p=4 or dg/dx=-3")
    if kind is not None:
        if key in labels:
            return Question(kind, labels[key])
        constant = _inline_constant(graph, key)
        if constant is None:
            raise UsageError(f"answer {shown}: no node is called {shown} ({_known(named)})")
        return Question(kind, constant)
    if key in labels:
        return Question(VALUE, labels[key])
    name, dot, field = key.rpartition(".")
    if dot and name in labels and field in ("data", "value", "grad"):
        return Question(GRAD if field == "grad" else VALUE, labels[name])
    target = _gradient_target(graph, key, labels)
    if target is None or target not in labels:
        missing = shortened(target, 40) if target else shown
        if target and "/" not in key and "∂" not in key:  # daemon: d + aemon, or a name
            missing = f"{shown}, nor {missing} (reading {shown} as ∂/∂{missing})"
        raise UsageError(f"answer {shown}: no node is called {missing} ({_known(named)})")
    return Question(GRAD, labels[target])


class _Labels(dict):
    """The nodes by label; a key that is no label is also looked up as a LaTeX sheet
    reads a label back (``w_{0}`` as ``w₀``, ``h_{2}`` as ``h₂``), worked out on first
    need, so that a sheet of plain labels pays nothing for it."""

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or key in self._as_latex_reads_them

    def __getitem__(self, key: str) -> Node:
        if super().__contains__(key):
            return super().__getitem__(key)
        return self._as_latex_reads_them[key]

    @cached_property
    def _as_latex_reads_them(self) -> dict[str, Node]:
        from ..core.notation import latex_name
        from .latex_cells import label_from_latex

        read = ((label_from_latex(f"${latex_name(label)}$"), node) for label, node in self.items())
        return {text: node for text, node in read if not dict.__contains__(self, text)}


def node_labels(graph: Graph) -> dict[str, Node]:
    """Every node a key can name, by its label: all but the constants written inline."""
    return {graph.label(n): n for n in graph.nodes if not graph.inline(n)}


def _inline_constant(graph: Graph, label: str) -> Node | None:
    """The constant written inline as ``label`` (a row of a table that lists them)."""
    return next((n for n in graph.nodes if graph.inline(n) and graph.label(n) == label), None)


def _gradient_target(graph: Graph, key: str, labels: dict[str, Node]) -> str | None:
    """The node label of a gradient key (``dg/dx``, ``∂g/∂x``, ``dx``), or None."""
    output = graph.output_label()
    match = _GRADIENT.fullmatch(key)
    if match:
        out = match["out"]
        if out in labels and labels[out].index != graph.output:
            raise UsageError(
                f"answer {shortened(key, 40)}: cg grades gradients of the output {output}, "
                f"so write d{output}/d{shortened(match['node'], 40)}"
            )
        return match["node"]
    if key[:1] in ("d", "∂") and len(key) > 1:
        return key[1:].strip()
    return None


def _known(labels: dict[str, Node]) -> str:
    shown = list(labels)
    more = f", … ({len(shown)} in all)" if len(shown) > 30 else ""
    return "nodes: " + ", ".join(shown[:30]) + more


_NEXT_ANSWER = re.compile(r"(?<![,\s/])[,\s]+(?=[^,\s=/]+(?:\s*/\s*[^,\s=/]+)?\s*=)")
"""Where one ``--expect`` answer ends: commas or spaces before the next ``KEY =``, where
a key may have spaces around its ``/`` (``dg / dx = -3``)."""


def split_expectations(texts: list[str]) -> list[tuple[str, str]]:
    """``--expect`` arguments as (key, text) pairs: answers separated by commas or spaces,
    with or without spaces around ``=``."""
    pairs = []
    for text in texts:
        for item in _NEXT_ANSWER.split(text.strip()):
            item = item.strip().rstrip(",")
            if not item:
                continue
            key, sep, number = item.partition("=")
            if not sep or not key.strip() or not number.strip():
                raise UsageError(f"--expect {item}: write KEY=NUMBER, such as p=4 or dg/dx=-3")
            pairs.append((key.strip(), number.strip()))
    return pairs
