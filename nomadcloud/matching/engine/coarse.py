"""A coarse prefilter for the "close in meaning" component at scale (issue 19,
docs/decisions/0066): an inverted file (IVF) over the nomads' int8 sentence vectors.

Spherical k-means centroids (about 2·√n of them: 2,000 at a million nomads, so a list holds
about 500) trained with numpy on a seeded sample of the vectors; every vector is filed in the
posting list of its closest centroid. A query ranks the centroids by cosine with the demand's
vector and takes the slots of the ``nprobe`` closest lists: the nomads whose vectors are
likely to be close to the demand's. ``ProfileIndex`` computes the exact cosine for those (and
for the best by the other components) only; see ``ProfileIndex._add_meaning`` for when.

Deterministic: the sample and the starting centroids come from a fixed seed, so the same
vectors in the same slots give the same lists. Kept current like the rest of the index: a
slot added after training is filed at once (``add_one``); a dead slot stays in its list and
is left out by the caller's mask of live nomads. Slots without a vector (all zeros) are filed
nowhere: their cosine with any demand is 0, below the meaning floor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nomadcloud.matching.engine.growable import Column

SAMPLE = 65_536  # vectors the centroids are trained on (at most)
ITERATIONS = 8  # k-means rounds
SEED = 19
BLOCK = 16_384  # rows compared with the centroids at a time (a block × 2,000 float32 products)


@dataclass(frozen=True)
class Prefilter:
    """When and how widely the index prefilters (docs/matching.md, docs/decisions/0066).

    The quantiser is trained once the index holds ``min_vectors`` vectors and again each time
    their number has grown ``growth``-fold; below that, and for a query whose nomads within
    reach of the top ``k`` are at most ``exact_limit``, the cosine is computed for all of them
    (exact). Otherwise it is computed for those in the ``nprobe`` closest lists (a
    ``probe_share`` of all lists, at least ``min_probe``) and for the ``lexical`` best by the
    other components."""

    min_vectors: int = 50_000
    growth: float = 4.0
    exact_limit: int = 16_384
    probe_share: float = 1 / 128
    min_probe: int = 8
    lexical: int = 1_000


def list_count(vectors: int) -> int:
    """How many centroids (lists) for an index of ``vectors``: about 2·√n, at least 16."""
    return int(max(16, round(2 * vectors**0.5)))


def _unit(rows: np.ndarray) -> np.ndarray:
    values = rows.astype(np.float32)
    norms = np.linalg.norm(values, axis=1, keepdims=True)
    return np.asarray(values / np.where(norms > 0, norms, 1.0), dtype=np.float32)


def _closest(points: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The closest centroid of each row (by dot product), in blocks."""
    labels = np.empty(len(points), dtype=np.int32)
    for start in range(0, len(points), BLOCK):
        block = points[start : start + BLOCK].astype(np.float32)
        labels[start : start + BLOCK] = np.argmax(block @ centroids.T, axis=1)
    return labels


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Spherical k-means: ``k`` unit centroids of unit ``points`` (no more points than ``k``:
    the points themselves, repeated)."""
    if len(points) <= k:
        return points[np.arange(k) % len(points)].copy()
    centroids = points[np.sort(rng.choice(len(points), size=k, replace=False))].copy()
    for _ in range(ITERATIONS):
        labels = _closest(points, centroids)
        order = np.argsort(labels, kind="stable")
        present, starts = np.unique(labels[order], return_index=True)
        sums = np.add.reduceat(points[order], starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centroids[present] = sums / np.where(norms > 0, norms, 1.0)
        # A centroid left without points is moved onto a random point.
        empty = np.setdiff1d(np.arange(k), present)
        if len(empty):
            centroids[empty] = points[rng.choice(len(points), size=len(empty), replace=False)]
    return np.asarray(centroids, dtype=np.float32)


class CoarseQuantizer:
    """Centroids and one posting list of slots per centroid."""

    def __init__(self, centroids: np.ndarray, trained_on: int) -> None:
        self.centroids = centroids  # (lists, dim) unit rows
        self.trained_on = trained_on  # how many vectors the index held when trained
        self.lists = [Column(np.int32) for _ in range(len(centroids))]

    @classmethod
    def train(cls, rows: np.ndarray, slots: np.ndarray) -> CoarseQuantizer:
        """Centroids from (a seeded sample of) ``rows[slots]``; nothing is filed yet."""
        rng = np.random.default_rng(SEED)
        sample = slots if len(slots) <= SAMPLE else np.sort(rng.choice(slots, SAMPLE, False))
        centroids = _kmeans(_unit(rows[sample]), list_count(len(slots)), rng)
        return cls(centroids, len(slots))

    def assign(self, rows: np.ndarray) -> np.ndarray:
        """The list of each int8 row (−1 for an all-zero row: filed nowhere)."""
        if len(rows) == 1:  # one update: no BLAS threads for a handful of products
            similarity = np.einsum("kj,j->k", self.centroids, rows[0].astype(np.float32))
            lists = np.asarray([np.argmax(similarity)], dtype=np.int32)
        else:
            lists = _closest(rows, self.centroids)
        lists[~rows.any(axis=1)] = -1
        return lists

    def add(self, rows: np.ndarray, slots: np.ndarray) -> None:
        """File ``slots`` (whose vectors are ``rows[slots]``), in blocks."""
        for start in range(0, len(slots), BLOCK):
            block = slots[start : start + BLOCK]
            lists = self.assign(rows[block])
            order = np.argsort(lists, kind="stable")
            present, starts = np.unique(lists[order], return_index=True)
            for number, group in zip(present, np.split(block[order], starts[1:]), strict=True):
                if number >= 0:
                    self.lists[number].extend(group.tolist())

    def add_one(self, slot: int, row: np.ndarray) -> None:
        number = int(self.assign(row[None, :])[0])
        if number >= 0:
            self.lists[number].append(slot)

    def probe(self, vector: np.ndarray, nprobe: int) -> np.ndarray:
        """The slots filed in the ``nprobe`` lists whose centroids are closest to ``vector``
        (lists in ascending order, slots ascending within each)."""
        similarity = np.einsum("kj,j->k", self.centroids, vector.astype(np.float32))
        nprobe = min(nprobe, len(similarity))
        chosen = np.sort(np.argpartition(-similarity, nprobe - 1)[:nprobe])
        parts = [self.lists[number].array() for number in chosen]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
