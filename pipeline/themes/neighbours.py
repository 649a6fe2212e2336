"""Each passage's nearest neighbours by cosine, found exactly, for UMAP to build its graph from.

UMAP finds neighbours exactly below 4,096 points and with pynndescent above. pynndescent's core
(`nn_descent`) uses dynamic globals, so Numba cannot keep its machine code on disk
(pipeline.themes.compiled) and every new process compiles it again: 14 s of a 24 s UMAP fit at
5,163 passages. An exact search is one matrix product per block of rows, 0.4 s at 5,000 and 5 s
at 20,000 on 2 cores (quadratic: 27 s at 50,000, where pynndescent is cheaper), and it is what
pynndescent approximates. So from UMAP's threshold up to `EXACT_UP_TO` the fit is given exact
neighbours; below it UMAP's own exact search is kept (same themes as before), above it
pynndescent's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UMAP_EXACT_BELOW = 4096  # UMAP's own small-data threshold (umap_.py, `_small_data`)
EXACT_UP_TO = 20_000
_BLOCK_CELLS = 2**25  # similarities held at once: 128 MB of float32


@dataclass(frozen=True)
class Neighbours:
    """Row i's k nearest rows (itself first) and their cosine distances, nearest first."""

    indices: np.ndarray  # (n, k) int32, as pynndescent gives them
    distances: np.ndarray  # (n, k) float32


def exact_neighbours(vectors: np.ndarray, k: int) -> Neighbours:
    """The `k` nearest rows of each row by cosine distance (1 - cosine), the row itself first.

    Among the chosen, equal distances keep row order.
    """
    n = len(vectors)
    k = min(k, n)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)
    indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)
    block = max(1, _BLOCK_CELLS // max(n, 1))
    for start in range(0, n, block):
        rows = np.arange(start, min(start + block, n))
        sims = unit[rows] @ unit.T
        # A passage's nearest is itself, even beside an identical passage.
        sims[np.arange(len(rows)), rows] = np.inf
        if k < n:
            candidates = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            candidates.sort(axis=1)
        else:
            candidates = np.broadcast_to(np.arange(n), (len(rows), n)).copy()
        ranked = np.argsort(-np.take_along_axis(sims, candidates, axis=1), axis=1, kind="stable")
        order = np.take_along_axis(candidates, ranked, axis=1)
        chosen = np.take_along_axis(sims, order, axis=1)
        chosen[:, 0] = 1.0
        indices[rows] = order
        distances[rows] = np.clip(1.0 - chosen, 0.0, 2.0)
    return Neighbours(indices, distances)


def neighbours_for_umap(vectors: np.ndarray, k: int) -> Neighbours | None:
    """Exact neighbours where they spare UMAP a pynndescent compile; None leaves it to UMAP."""
    if not UMAP_EXACT_BELOW <= len(vectors) <= EXACT_UP_TO:
        return None
    return exact_neighbours(vectors, k)
