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


def backend() -> tuple[str, str]:
    """The benchmark's embedding backend: ``$NOMADCLOUD_EMBEDDING`` (packaged, onnx,
    packaged+onnx; default onnx when ``$NOMADCLOUD_EMBEDDING_ONNX`` — a directory made by
    ``make_onnx_model`` — is set, else packaged) and that directory."""
    path = os.environ.get("NOMADCLOUD_EMBEDDING_ONNX", "")
    return os.environ.get("NOMADCLOUD_EMBEDDING", "onnx" if path else "packaged"), path


class _Raw:
    """An ONNX model's vectors before its centre is taken off (cached once, whatever the
    centre: the cache is keyed by the model folder's name, so delete it after changing a
    model's prefix)."""

    def __init__(self, encoder: embedding.OnnxEncoder) -> None:
        self.name, self.dim, self._encoder = encoder.raw_name, encoder.dim, encoder

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._encoder.encode_raw(texts)


def encode(encoder: embedding.Encoder, texts: Sequence[str]) -> np.ndarray:
    """The texts' vectors (float32), read from the cache when encoded before."""
    if isinstance(encoder, embedding.OnnxEncoder):
        return encoder.adjust(encode(_Raw(encoder), texts))
    if isinstance(encoder, embedding.JoinedEncoder):
        first, second = encoder.parts
        return encoder.join(encode(first, texts), encode(second, texts))
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


def occupation_semantic(
    encoder: embedding.Encoder,
    texts: Sequence[str],
    label_vectors: np.ndarray,
    owner_starts: np.ndarray,
    description_vectors: np.ndarray,
    *,
    roles: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What ``engine/suggest.OccupationModel.semantic_similarity`` computes, for many texts
    at once: (labels max-pooled, descriptions, the product's mean of raw cosines over the
    casefolded text and, where it differs, its role phrase). The first two are of the text
    alone."""
    from nomadcloud.matching.engine import fusion

    queries = [fusion.semantic_query(t) for t in texts]
    query_vectors = encode(encoder, queries)
    role_rows = [i for i, t in enumerate(texts) if roles and fusion.role_phrase(t) != t.strip()]
    role_vectors = encode(
        encoder, [fusion.semantic_query(fusion.role_phrase(texts[i])) for i in role_rows]
    )
    n, m = len(texts), len(owner_starts)
    labels = np.zeros((n, m), dtype=np.float32)
    described = np.zeros((n, m), dtype=np.float32)
    for start in range(0, n, 500):
        block = query_vectors[start : start + 500]
        labels[start : start + 500] = fusion.max_pool(block @ label_vectors.T, owner_starts)
        described[start : start + 500] = block @ description_vectors.T
    product = 0.5 * (labels + described)
    for row, vector in zip(role_rows, role_vectors, strict=True):
        role_labels = fusion.max_pool(vector @ label_vectors.T, owner_starts)
        role_described = vector @ description_vectors.T
        product[row] = fusion.mean_cosine(
            [labels[row], described[row], role_labels, role_described]
        )
    return labels, described, product.astype(np.float32)
