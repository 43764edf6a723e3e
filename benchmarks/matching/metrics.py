"""Ranking metrics and bootstrap confidence intervals."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np


def reciprocal_rank(ranking: Sequence[int], relevant: Mapping[int, int]) -> float:
    for position, item in enumerate(ranking, start=1):
        if relevant.get(item, 0) > 0:
            return 1.0 / position
    return 0.0


def ndcg(ranking: Sequence[int], relevant: Mapping[int, int], k: int = 10) -> float:
    """Graded nDCG@k with gain = grade (essential 2, optional 1) and log2 discount."""
    dcg = sum(relevant.get(item, 0) / math.log2(i + 2) for i, item in enumerate(ranking[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall(ranking: Sequence[int], relevant: Mapping[int, int], k: int = 10) -> float:
    wanted = {item for item, grade in relevant.items() if grade > 0}
    return len(wanted.intersection(ranking[:k])) / len(wanted) if wanted else 0.0


def bootstrap(
    values: Sequence[float], rounds: int = 2000, seed: int = 7
) -> tuple[float, float, float]:
    """Mean and its 95 % percentile bootstrap interval (queries resampled with replacement)."""
    data = np.asarray(values, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), size=(rounds, len(data)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(data.mean()), float(low), float(high)
