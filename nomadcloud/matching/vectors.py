"""Sentence vectors of profiles and demands for the matching index (issue 19): the profile's
headline, bio, skills and projects, and the demand's title and description, encoded with the
active embedding backend and held as int8 (``engine.model.quantize``). None without a model
(lexical matching only) or for an empty text.

Each distinct text is encoded once per process (an LRU cache keyed by the backend and the
text): the index build encodes every nomad once, an edit encodes only the edited text.
"""

from __future__ import annotations

from functools import lru_cache

from nomadcloud.matching.engine.fusion import semantic_query
from nomadcloud.matching.engine.model import Vector, quantize
from nomadcloud.taxonomy import semantic

# A 100 KB bio says no more to a sentence encoder than its beginning (the models read a few
# hundred tokens at most); cut before encoding so that a huge text stays cheap.
MAX_CHARS = 2_000


def text_vector(text: str) -> Vector | None:
    """The int8 vector of ``text``; None without a model or for a text with no words."""
    enc = semantic.encoder()
    if enc is None:
        return None
    text = semantic_query(text)[:MAX_CHARS]  # casefolded, as occupation ranking encodes
    if not any(ch.isalnum() for ch in text):
        return None
    return _encoded(enc.name, text)


@lru_cache(maxsize=50_000)
def _encoded(backend: str, text: str) -> Vector | None:
    return quantize(semantic.encode_text(text))
