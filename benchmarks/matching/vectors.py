"""Benchmark-side cache of sentence vectors (the whole ESCO label set takes minutes to
encode on these cores): ``$NOMADCLOUD_BENCH_CACHE`` or ``var/benchmarks/vectors``, one file
per backend and list of texts (keyed by a hash of the texts), float16."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nomadcloud.taxonomy import embedding

ROOT = Path(__file__).resolve().parents[2]


def encode(encoder: embedding.Encoder, texts: Sequence[str]) -> np.ndarray:
    """The texts' vectors (float32), read from the cache when encoded before."""
    folder = Path(os.environ.get("NOMADCLOUD_BENCH_CACHE", ROOT / "var" / "benchmarks" / "vectors"))
    digest = hashlib.sha256("\n".join([encoder.name, *texts]).encode()).hexdigest()[:24]
    path = folder / f"{digest}.npy"
    if path.exists():
        cached = np.load(path)
        if cached.shape == (len(texts), encoder.dim):
            return np.asarray(cached, dtype=np.float32)
    vectors = embedding.encode_all(encoder, texts)
    folder.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors.astype(np.float16))
    return vectors
