"""Sentence vectors of profiles and demands for the matching index (issue 19): the profile's
headline, bio, skills and projects, and the demand's title and description, encoded with the
active embedding backend and held as int8 (``engine.model.quantize``). None without a model
(lexical matching only) or for an empty text.

Each distinct text is encoded once per process (an LRU cache keyed by the backend and the
text): the index build encodes every nomad once, an edit encodes only the edited text. The
build asks for many at once (``text_vectors``): the distinct texts not cached are encoded in
batches of the backend's size, not one call each (docs/decisions/0066).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from threading import Lock

from nomadcloud.matching.engine.fusion import semantic_query
from nomadcloud.matching.engine.model import Vector, quantize
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


def text_vector(text: str) -> Vector | None:
    """The int8 vector of ``text``; None without a model or for a text with no words."""
    return text_vectors([text])[0]


def text_vectors(texts: Sequence[str]) -> list[Vector | None]:
    """``text_vector`` of each text: the distinct texts not cached are encoded together, in
    the backend's batches (``embedding.encode_all``)."""
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
        for text, row in zip(missing, embedding.encode_all(enc, missing), strict=True):
            found[text] = quantize(row)
            _remember((enc.name, text), found[text])
    return [None if text is None else found[text] for text in prepared]
