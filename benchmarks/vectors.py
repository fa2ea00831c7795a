"""Array programs against the same computation written directly in NumPy, in one run.

Two cases, each timed in this process, in turns, the median of ``--repeat`` runs:

* a 2-layer network on a batch, value and every gradient (weights, biases, the batch):

      H = relu(W1 @ X + b1)
      S = W2 @ H + b2
      L = mean(logsumexp(S, axis=0) - sum(S * Y, axis=0))

  by ``cgcli.evaluate(program, values, check=False)`` (parsing, shapes, the forward and
  backward passes, the result) and by the same forward and backward passes written by
  hand in NumPy; the ratio cg / NumPy is the number docs/speed.md reports (goal: 3×);
* one ``A @ B`` node of two N×N matrices against ``A @ B``: the node's forward pass
  (``cgcli.passes.arrays.forward``) and NumPy's product.

Both sides' gradients are compared before anything is timed. Prints a Markdown table.

    python benchmarks/vectors.py                         # the table of docs/speed.md
    python benchmarks/vectors.py --width 32 --size 100 --repeat 1   # a quick smoke run
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from cgcli import evaluate
from cgcli.core.parser import parse
from cgcli.passes.arrays import forward

NETWORK = """\
H = relu(W1 @ X + b1)
S = W2 @ H + b2
L = mean(logsumexp(S, axis=0) - sum(S * Y, axis=0))
"""


def network_values(width: int, batch: int, classes: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(scale=width**-0.5, size=(width, width)),
        "b1": rng.normal(size=(width, 1)),
        "W2": rng.normal(scale=width**-0.5, size=(classes, width)),
        "b2": rng.normal(size=(classes, 1)),
        "X": rng.normal(size=(width, batch)),
        "Y": np.eye(classes)[:, rng.integers(0, classes, size=batch)],
    }


def by_numpy(v: dict) -> tuple[float, dict]:
    """The network's loss and gradients, forward and backward written by hand."""
    pre = v["W1"] @ v["X"] + v["b1"]
    h = np.maximum(pre, 0.0)
    s = v["W2"] @ h + v["b2"]
    top = s.max(axis=0, keepdims=True)
    e = np.exp(s - top)
    total = e.sum(axis=0, keepdims=True)
    lse = np.log(total) + top
    batch = s.shape[1]
    loss = float(np.mean(lse[0] - (s * v["Y"]).sum(axis=0)))
    ds = (e / total - v["Y"]) / batch
    dh = v["W2"].T @ ds
    dpre = dh * (pre > 0)
    grads = {
        "W2": ds @ h.T,
        "b2": ds.sum(axis=1, keepdims=True),
        "W1": dpre @ v["X"].T,
        "b1": dpre.sum(axis=1, keepdims=True),
        "X": v["W1"].T @ dpre,
        "Y": -s / batch,
    }
    return loss, grads


def by_cg(v: dict) -> tuple[float, dict]:
    result = evaluate(NETWORK, v, check=False)
    return result.value, result.gradient


def median_seconds(function, argument, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(argument)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--width", type=int, default=256, help="hidden units and inputs")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--size", type=int, default=1000, help="N of the N×N product")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    values = network_values(args.width, args.batch, args.classes)
    ours, theirs = by_cg(values), by_numpy(values)
    assert abs(ours[0] - theirs[0]) <= 1e-12 * abs(theirs[0]) + 1e-12, (ours[0], theirs[0])
    for name, grad in theirs[1].items():
        np.testing.assert_allclose(ours[1][name], grad, rtol=1e-9, atol=1e-12)

    rows = []
    cg_times, numpy_times = [], []
    for _ in range(args.repeat):  # in turns, so that a change of load touches both
        cg_times.append(median_seconds(by_cg, values, 1))
        numpy_times.append(median_seconds(by_numpy, values, 1))
    cg_s, np_s = statistics.median(cg_times), statistics.median(numpy_times)
    shape = f"{args.width}×{args.width}, batch {args.batch}"
    rows.append((f"2-layer network ({shape}): value and all gradients", cg_s, np_s))

    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(args.size, args.size)), rng.normal(size=(args.size, args.size))
    graph = parse("A @ B")
    point = {"A": a, "B": b}
    np.testing.assert_allclose(forward(graph, point)[graph.output], a @ b)
    node_times, product_times = [], []
    for _ in range(args.repeat):
        node_times.append(median_seconds(lambda p: forward(graph, p), point, 1))
        product_times.append(median_seconds(lambda p: p["A"] @ p["B"], point, 1))
    node_s, product_s = statistics.median(node_times), statistics.median(product_times)
    rows.append((f"one `A @ B` node, {args.size}×{args.size}", node_s, product_s))

    print("| case | cg | NumPy | cg / NumPy |")
    print("| --- | ---: | ---: | ---: |")
    for name, ours_s, numpy_s in rows:
        ratio = ours_s / numpy_s
        print(f"| {name} | {ours_s * 1000:.1f} ms | {numpy_s * 1000:.1f} ms | {ratio:.2f}× |")


if __name__ == "__main__":
    main()
