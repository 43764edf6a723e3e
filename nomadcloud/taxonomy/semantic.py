"""The vocabulary's concepts as sentence vectors, for search by meaning (图像标注 → image
annotation, "jr baristar" → barista) and cross-lingual job profiles.

Every name of every active concept (both labels and all aliases) is encoded once; a concept
is as close to a query as its closest name. The vectors are stored, float16, in
``DATA_DIR/embeddings/`` under the backend's name, so a restart and every other process
reuse them; when the vocabulary changes (the lookup index's stamp moves) only names not yet
stored are encoded. ``refresh()`` is called at the end of each import, so a query never pays
for the whole vocabulary.

Which backend: ``MATCHING_EMBEDDINGS`` (docs/matching.md). With none (or one that cannot be
loaded) :func:`neighbours` returns nothing and search is lexical only.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from nomadcloud.taxonomy import embedding, lookup
from nomadcloud.taxonomy.models import Alias, Concept

logger = logging.getLogger(__name__)

# A neighbour below this cosine is not offered (tuned on a sample of the JobBERT titles and
# the Chinese demands of benchmarks/matching: below it, most neighbours were unrelated).
MIN_SIMILARITY = 0.45
_WORD = re.compile(r"\w", re.UNICODE)


def status() -> embedding.Status:
    return embedding.active(settings.MATCHING_EMBEDDINGS, settings.MATCHING_EMBEDDING_MODEL)


def encoder() -> embedding.Encoder | None:
    return status().encoder


@dataclass
class _Vectors:
    stamp: tuple[object, ...]
    backend: str
    vectors: np.ndarray  # one row per name, float16, normalised
    concept: np.ndarray  # index into lookup's concepts, per row
    names: list[str]
    concepts: list[tuple[str, str, str, str]]  # lookup's: code, kind, label_zh, label_en


_lock = threading.Lock()
_current: _Vectors | None = None


def _store_path(backend: str) -> Path:
    safe = re.sub(r"[^\w.-]+", "_", backend)
    return Path(settings.DATA_DIR) / "embeddings" / f"taxonomy-{safe}.npz"


def _stored(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            return dict(zip(data["names"].tolist(), data["vectors"], strict=True))
    except (OSError, KeyError, ValueError):
        return {}


def _names(found: lookup._Index) -> list[tuple[str, int]]:
    position = {code: i for i, (code, *_rest) in enumerate(found.concepts)}
    rows: list[tuple[str, int]] = []
    for i, (_code, _kind, zh, en) in enumerate(found.concepts):
        rows += [(label, i) for label in (zh, en) if label]
    aliases = Alias.objects.filter(concept__is_active=True).values_list("concept__code", "label")
    for code, label in aliases.iterator():
        if code in position and label:
            rows.append((label, position[code]))
    return rows


def vectors(enc: embedding.Encoder | None = None) -> _Vectors | None:
    """The vocabulary's vectors for the active backend, built or brought up to date."""
    global _current
    enc = enc or encoder()
    if enc is None:
        return None
    found = lookup.index()
    current = _current
    if current is not None and current.stamp == found.stamp and current.backend == enc.name:
        return current
    with _lock:
        if _current is None or _current.stamp != found.stamp or _current.backend != enc.name:
            _current = _build(found, enc)
        return _current


def _build(found: lookup._Index, enc: embedding.Encoder) -> _Vectors:
    rows = _names(found)
    path = _store_path(enc.name)
    known = _stored(path)
    names = list(dict.fromkeys(name for name, _i in rows))
    missing = [n for n in names if n not in known or known[n].shape != (enc.dim,)]
    if missing:
        fresh = embedding.encode_all(enc, missing)
        for name, vector in zip(missing, fresh, strict=True):
            known[name] = vector.astype(np.float16)
        kept = {n: known[n] for n in names}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".tmp.npz")
            np.savez(
                partial,
                names=np.array(list(kept), dtype=str),
                vectors=np.stack(list(kept.values())) if kept else np.zeros((0, enc.dim)),
            )
            partial.replace(path)
        except OSError as exc:  # a read-only data directory: keep them in memory only
            logger.warning("taxonomy vectors not stored at %s: %s", path, exc)
        logger.info("taxonomy vectors: %d names encoded, %d reused", len(missing), len(names))
    matrix = (
        np.stack([known[name] for name, _i in rows]).astype(np.float16)
        if rows
        else np.zeros((0, enc.dim), dtype=np.float16)
    )
    return _Vectors(
        stamp=found.stamp,
        backend=enc.name,
        vectors=matrix,
        concept=np.array([i for _n, i in rows], dtype=np.int64),
        names=[name for name, _i in rows],
        concepts=found.concepts,
    )


def refresh() -> int:
    """Bring the stored vectors up to date (after an import); the number of names held."""
    lookup.forget()
    found = vectors()
    return 0 if found is None else len(found.names)


@dataclass(frozen=True)
class Neighbour:
    hit: lookup.Hit
    similarity: float


def neighbours(
    text: str,
    kinds: tuple[str, ...] = (),
    limit: int = 10,
    min_similarity: float = MIN_SIMILARITY,
) -> list[Neighbour]:
    """The concepts (of these kinds, or any) closest in meaning to ``text``, best first."""
    if not _WORD.search(text):
        return []
    enc = encoder()
    found = vectors(enc)
    if enc is None or found is None or not len(found.names):
        return []
    query = embedding.encode_all(enc, [text])[0]
    if not np.any(query):
        return []
    scores = found.vectors.astype(np.float32) @ query
    best: dict[int, tuple[float, int]] = {}
    for row in np.argsort(-scores)[: max(200, limit * 20)]:
        similarity = float(scores[row])
        if similarity < min_similarity:
            break
        concept = int(found.concept[row])
        if kinds and found.concepts[concept][1] not in kinds:
            continue
        if concept not in best:
            best[concept] = (similarity, int(row))
        if len(best) >= limit:
            break
    result = []
    for concept, (similarity, row) in best.items():
        code, kind, zh, en = found.concepts[concept]
        hit = lookup.Hit(
            code, kind, zh, en, found.names[row], lookup.Match.SEMANTIC, lookup.Via.LABEL
        )
        result.append(Neighbour(hit, round(similarity, 3)))
    return result


def close_pairs(
    concept_ids: set[int], *, min_similarity: float = 0.6, per_concept: int = 5
) -> list[tuple[int, int, float]]:
    """(a, b, cosine) for concepts among ``concept_ids`` whose meanings are close (each
    concept's vector is the mean of its names'), at most ``per_concept`` neighbours each;
    matching gives partial credit through them. Empty without a model."""
    found = vectors()
    if found is None or not concept_ids or not len(found.names):
        return []
    by_id = concept_vectors(concept_ids)
    if len(by_id) < 2:
        return []
    ids = list(by_id)
    means = np.stack([by_id[i] for i in ids])
    similarity = means @ means.T
    np.fill_diagonal(similarity, -1.0)
    pairs: dict[tuple[int, int], float] = {}
    for i in range(len(ids)):
        for j in np.argsort(-similarity[i])[:per_concept]:
            value = float(similarity[i, j])
            if value < min_similarity:
                break
            a, b = sorted((ids[i], ids[j]))
            pairs[a, b] = round(value, 3)
    return [(a, b, value) for (a, b), value in sorted(pairs.items())]


def concept_vectors(concept_ids: set[int] | list[int]) -> dict[int, np.ndarray]:
    """Concept id → the normalised mean of its names' vectors (float32), for the active
    concepts among ``concept_ids``; empty without a model."""
    found = vectors()
    if found is None or not concept_ids or not len(found.names):
        return {}
    codes = dict(
        Concept.objects.filter(pk__in=concept_ids, is_active=True).values_list("code", "pk")
    )
    order = np.argsort(found.concept, kind="stable")
    bounds = np.searchsorted(found.concept[order], np.arange(len(found.concepts) + 1))
    result: dict[int, np.ndarray] = {}
    for position, (code, *_rest) in enumerate(found.concepts):
        if code in codes and bounds[position + 1] > bounds[position]:
            rows = order[bounds[position] : bounds[position + 1]]
            mean = found.vectors[rows].astype(np.float32).mean(axis=0, keepdims=True)
            result[codes[code]] = embedding.normalise(mean)[0]
    return result


def concept_name_vectors(concept_ids: set[int] | list[int]) -> dict[int, np.ndarray]:
    """Concept id → the vectors of its names (float16, one row per name), for the active
    concepts among ``concept_ids``; empty without a model. For max-pooling: a concept is as
    close as its closest name."""
    found = vectors()
    if found is None or not concept_ids or not len(found.names):
        return {}
    codes = dict(
        Concept.objects.filter(pk__in=concept_ids, is_active=True).values_list("code", "pk")
    )
    order = np.argsort(found.concept, kind="stable")
    bounds = np.searchsorted(found.concept[order], np.arange(len(found.concepts) + 1))
    result: dict[int, np.ndarray] = {}
    for position, (code, *_rest) in enumerate(found.concepts):
        if code in codes and bounds[position + 1] > bounds[position]:
            result[codes[code]] = found.vectors[order[bounds[position] : bounds[position + 1]]]
    return result


def text_vectors(texts: list[str]) -> np.ndarray | None:
    """Texts other than names (occupation descriptions) as vectors (float16), stored beside
    the names' (``texts-<backend>.npz``) so that each is encoded once; None without a
    model. The store keeps only the texts of the latest call."""
    enc = encoder()
    if enc is None:
        return None
    safe = re.sub(r"[^\w.-]+", "_", enc.name)
    path = Path(settings.DATA_DIR) / "embeddings" / f"texts-{safe}.npz"
    known = _stored(path)
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    if missing:
        for text, vector in zip(missing, embedding.encode_all(enc, missing), strict=True):
            known[text] = vector.astype(np.float16)
        kept = {t: known[t] for t in dict.fromkeys(texts)}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".tmp.npz")
            np.savez(
                partial,
                names=np.array(list(kept), dtype=str),
                vectors=np.stack(list(kept.values())) if kept else np.zeros((0, enc.dim)),
            )
            partial.replace(path)
        except OSError as exc:
            logger.warning("text vectors not stored at %s: %s", path, exc)
    if not texts:
        return np.zeros((0, enc.dim), dtype=np.float16)
    return np.stack([known[t] for t in texts]).astype(np.float16)


def encode_text(text: str) -> np.ndarray:
    """One text as a normalised vector (zero without a model, or for an empty text)."""
    enc = encoder()
    if enc is None:
        return np.zeros(1, dtype=np.float32)
    vector: np.ndarray = embedding.encode_all(enc, [text])[0]
    return vector
