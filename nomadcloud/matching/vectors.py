"""Sentence vectors of profiles and demands for the matching index (issue 19): the profile's
headline, bio, skills and projects, and the demand's title and description, encoded with the
active embedding backend and held as int8 (``engine.model.quantize``). None without a model
(lexical matching only) or for an empty text.

Each distinct text is encoded once, ever, per backend: a vector is looked up in this
process's LRU cache (keyed by the backend and the text), then in the store (``TextVector``:
the backend's name, the SHA-256 digest of the prepared text, the int8 vector; one query per
chunk of digests), and only what neither holds is encoded — and written to the store, so a
worker's build after a restart reads its nomads' vectors instead of encoding them again
(docs/decisions/0067). The build asks for many at once (``text_vectors``): the distinct
texts missing are encoded in batches of the backend's size, not one call each
(docs/decisions/0066). No text is stored; rows no current profile or demand needs are
deleted by ``prune`` (``nomadcloud prune_text_vectors``, daily).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import datetime
from threading import Lock

import numpy as np
from django.db import connection
from django.utils import timezone

from nomadcloud.matching.engine.fusion import semantic_query
from nomadcloud.matching.engine.model import Vector, quantize
from nomadcloud.matching.models import TextVector
from nomadcloud.taxonomy import embedding, semantic

# A 100 KB bio says no more to a sentence encoder than its beginning (the models read a few
# hundred tokens at most); cut before encoding so that a huge text stays cheap.
MAX_CHARS = 2_000


CACHE_SIZE = 50_000  # texts kept per process (a million nomads' build encodes each once)

_cache: OrderedDict[tuple[str, str], Vector | None] = OrderedDict()
_cache_lock = Lock()


def _prepared(text: str) -> str | None:
    """What is encoded for ``text`` (casefolded, as occupation ranking encodes; cut); None
    for a text with no words."""
    text = semantic_query(text)[:MAX_CHARS]
    return text if any(ch.isalnum() for ch in text) else None


def _remember(key: tuple[str, str], vector: Vector | None) -> None:
    with _cache_lock:
        _cache[key] = vector
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def _cached(key: tuple[str, str]) -> tuple[bool, Vector | None]:
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return True, _cache[key]
    return False, None


def digest(prepared: str) -> bytes:
    """The store's key of a prepared text (SHA-256, 32 bytes)."""
    return hashlib.sha256(prepared.encode("utf-8")).digest()


def _chunk_size() -> int:
    """Digests per query: within the database's limit on parameters (SQLite's may be 999;
    PostgreSQL has none that a build's batch reaches). One parameter is the backend's name."""
    limit = connection.features.max_query_params
    return 4_096 if limit is None else max(1, min(4_096, limit - 1))


def _from_store(backend: str, texts: list[str]) -> dict[str, Vector | None]:
    """The stored vectors of ``texts`` (prepared) under ``backend``, by text."""
    by_digest = {digest(text): text for text in texts}
    keys = list(by_digest)
    size = _chunk_size()
    found: dict[str, Vector | None] = {}
    for start in range(0, len(keys), size):
        rows = TextVector.objects.filter(
            backend=backend, digest__in=keys[start : start + size]
        ).values_list("digest", "vector")
        for key, vector in rows:
            data = bytes(vector)
            found[by_digest[bytes(key)]] = np.frombuffer(data, dtype=np.int8) if data else None
    return found


def _store(backend: str, encoded: dict[str, Vector | None]) -> None:
    """Write newly encoded vectors; a row another process wrote meanwhile is left as is (the
    same text under the same backend gives the same vector)."""
    now = timezone.now()
    TextVector.objects.bulk_create(
        (
            TextVector(
                backend=backend,
                digest=digest(text),
                vector=b"" if vector is None else vector.tobytes(),
                created_at=now,
            )
            for text, vector in encoded.items()
        ),
        batch_size=1_000,
        ignore_conflicts=True,
    )


def text_vector(text: str) -> Vector | None:
    """The int8 vector of ``text``; None without a model or for a text with no words."""
    return text_vectors([text])[0]


def text_vectors(texts: Sequence[str]) -> list[Vector | None]:
    """``text_vector`` of each text: the distinct texts neither cached nor stored are encoded
    together, in the backend's batches (``embedding.encode_all``), and stored. Without a model
    nothing is read or written."""
    enc = semantic.encoder()
    if enc is None:
        return [None] * len(texts)
    prepared = [_prepared(text) for text in texts]
    found: dict[str, Vector | None] = {}
    missing = []
    for text in dict.fromkeys(t for t in prepared if t is not None):
        hit, vector = _cached((enc.name, text))
        if hit:
            found[text] = vector
        else:
            missing.append(text)
    if missing:
        stored = _from_store(enc.name, missing)
        for text, vector in stored.items():
            found[text] = vector
            _remember((enc.name, text), vector)
        missing = [text for text in missing if text not in stored]
    if missing:
        encoded: dict[str, Vector | None] = {}
        for text, row in zip(missing, embedding.encode_all(enc, missing), strict=True):
            found[text] = encoded[text] = quantize(row)
            _remember((enc.name, text), found[text])
        _store(enc.name, encoded)
    return [None if text is None else found[text] for text in prepared]


def prune(live_texts: Iterable[str], *, before: datetime) -> int:
    """Delete the stored vectors nothing needs: every row of a backend other than the active
    one (all rows without a model), and the active backend's rows written before ``before``
    whose text is not among ``live_texts`` (the texts of every current profile and demand,
    read after ``before``: a row written since is kept, its text may be newer than the read).
    Returns the number of rows deleted."""
    enc = semantic.encoder()
    if enc is None:
        deleted, _ = TextVector.objects.all().delete()
        return deleted
    deleted, _ = TextVector.objects.exclude(backend=enc.name).delete()
    live = {digest(t) for t in (_prepared(text) for text in live_texts) if t is not None}
    stale = [
        pk
        for pk, key in TextVector.objects.filter(backend=enc.name, created_at__lt=before)
        .values_list("pk", "digest")
        .iterator(chunk_size=10_000)
        if bytes(key) not in live
    ]
    size = _chunk_size()
    for start in range(0, len(stale), size):
        deleted += TextVector.objects.filter(pk__in=stale[start : start + size]).delete()[0]
    return deleted
