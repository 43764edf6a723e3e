"""Fusing lexical and semantic similarity (pure, no Django).

Each signal is scaled to 0–1 by its best value for the query (so BM25's open scale and a
cosine meet on one footing), then mixed: fused = (1 − w) · lexical + w · semantic, with
``w`` for rankings of occupations (``OCCUPATION_SEMANTIC_WEIGHT``) tuned on validation data
only (benchmarks/matching task E).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Scores = npt.NDArray[np.float32]

# Tuned together on the even rows of the first 2,000 JobBERT validation titles (benchmarks/
# matching task E, USE-multilingual; the odd rows report): MRR 0.213 with BM25 alone, 0.241
# with w = 0.5 and no character n-grams, 0.274 at w = 0.4, c = 0.8 (the best of the grid).
OCCUPATION_SEMANTIC_WEIGHT = 0.4
# Share of character 3–5-gram similarity (over occupation labels) in the lexical side, for
# short texts such as a vacancy title ("jr baristar" still shares "barista"'s n-grams).
OCCUPATION_CHARACTER_WEIGHT = 0.8


def scaled(scores: npt.NDArray[np.floating], axis: int = -1) -> Scores:
    """Scores divided by the best of their query (rows when 2-D); all zero stays zero."""
    values = np.maximum(np.asarray(scores, dtype=np.float32), 0.0)
    best = values.max(axis=axis, keepdims=True) if values.size else values
    best = np.where(best > 0, best, 1.0)
    return np.asarray(values / best, dtype=np.float32)


def fuse(
    lexical: npt.NDArray[np.floating],
    semantic: npt.NDArray[np.floating] | None,
    weight: float = OCCUPATION_SEMANTIC_WEIGHT,
    *,
    characters: npt.NDArray[np.floating] | None = None,
    character_weight: float = OCCUPATION_CHARACTER_WEIGHT,
) -> Scores:
    """The fused scores; lexical alone when there is no semantic signal (no model). With
    ``characters`` (character n-gram similarity), the lexical side is
    (1 − c) · words + c · characters."""
    lex = scaled(lexical)
    if characters is not None and character_weight > 0:
        lex = np.asarray(
            (1.0 - character_weight) * lex + character_weight * scaled(characters),
            dtype=np.float32,
        )
    if semantic is None or weight <= 0:
        return lex
    return np.asarray((1.0 - weight) * lex + weight * scaled(semantic), dtype=np.float32)


def max_pool(similarity: npt.NDArray[np.floating], owner_starts: npt.NDArray[np.intp]) -> Scores:
    """Per owner, the best similarity of its rows (columns grouped contiguously by owner;
    ``owner_starts`` are the first column of each owner)."""
    return np.asarray(np.maximum.reduceat(similarity, owner_starts, axis=-1), dtype=np.float32)
