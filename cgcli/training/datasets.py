"""Small data sets for cg train: a noisy line, two separable clusters, XOR, and a noisy
sine wave cut into windows (a sequence for a recurrent model).

``cg example-data NAME -o FILE`` writes one as CSV. Every set is drawn from
numpy's generator with a fixed seed, so the files are the same on every machine.
"""

from __future__ import annotations

import numpy as np

from ..core.numbers import machine_number


def noisy_line(n: int = 50, slope: float = 2.0, intercept: float = -1.0, seed: int = 0):
    """y = slope*x + intercept + noise, x in [0, 5]."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 5, n)
    return {"x": x, "y": slope * x + intercept + rng.normal(0, 0.3, n)}


def clusters(n: int = 100, seed: int = 1):
    """Two Gaussian clusters around (-1.5, -1.5) (label 0) and (1.5, 1.5) (label 1)."""
    rng = np.random.default_rng(seed)
    label = np.arange(n) % 2
    centre = np.where(label == 1, 1.5, -1.5)
    return {
        "x1": centre + rng.normal(0, 0.6, n),
        "x2": centre + rng.normal(0, 0.6, n),
        "y": label.astype(float),
    }


def xor():
    """The four points of XOR."""
    return {
        "x1": np.array([0.0, 0.0, 1.0, 1.0]),
        "x2": np.array([0.0, 1.0, 0.0, 1.0]),
        "y": np.array([0.0, 1.0, 1.0, 0.0]),
    }


def noisy_sine(n: int = 60, window: int = 5, step: float = 0.4, seed: int = 2):
    """A noisy sine wave s[i] = sin(step*i) + noise, cut into ``n`` windows: the columns
    x[1] .. x[window] hold ``window`` values in a row, y the value that follows them."""
    rng = np.random.default_rng(seed)
    wave = np.sin(step * np.arange(n + window)) + rng.normal(0, 0.05, n + window)
    columns = {f"x[{t}]": wave[t - 1 : t - 1 + n] for t in range(1, window + 1)}
    columns["y"] = wave[window : window + n]
    return columns


DATASETS = {"line": noisy_line, "clusters": clusters, "xor": xor, "sine": noisy_sine}
"""Each data set by name, as ``cg example-data NAME`` knows it."""


def as_csv(columns: dict[str, np.ndarray]) -> str:
    """CSV text with a header, each float as every CSV of cg writes it (``0``, ``1``,
    ``0.1``: the shortest digits that read back as the same float)."""
    names = list(columns)
    rows = zip(*(columns[n] for n in names), strict=True)
    lines = [",".join(names)] + [",".join(machine_number(float(v)) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


def example_data(name: str) -> str:
    """The data set ``name`` (line, clusters, xor or sine) as CSV text."""
    from ..core.errors import UsageError

    if name not in DATASETS:
        raise UsageError(f"no data set {name!r} (there are: {', '.join(DATASETS)})")
    return as_csv(DATASETS[name]())
