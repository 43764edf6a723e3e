"""Fusing lexical and semantic similarity (pure, no Django).

Each signal is scaled to 0–1 by its best value for the query (so BM25's open scale and a
cosine meet on one footing), then mixed: fused = (1 − w) · s · lexical + w · semantic, with
``w`` for rankings of occupations (``OCCUPATION_SEMANTIC_WEIGHT``) tuned on validation data
only (benchmarks/matching task E), and ``s`` the share of the query's letters that are Latin
(:func:`latin_share`): the occupations' words are English, so BM25 over a Chinese text
matches only its few Latin words (a brand, a tool) and must not outvote its meaning.

The semantic side of an occupation (:func:`mean_cosine`) is the mean of raw cosines: the
query (casefolded: :func:`semantic_query`) and, for a longer demand, its role phrase
(:func:`role_phrase`), each against the closest of the occupation's labels (preferred and
alternative: max-pooled) and against one short description ("label: first sentence of the
description"). :func:`pool_semantic` (two scaled cosines) was the earlier form (0046).
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

Scores = npt.NDArray[np.float32]

# Tuned together on the even rows of the first 2,000 JobBERT validation titles (benchmarks/
# matching task E, USE-multilingual, queries casefolded; the odd rows report). Grid over the
# semantic weight w (0–1) and the character share c (0–1) of the lexical side: w =
# 0.8, c = 0.5 (odd rows: MRR 0.317 = 1.29 × TF-IDF, R@10 0.547). docs/decisions/0053
# (before: w = 0.5, c = 0.8, docs/decisions/0046).
OCCUPATION_SEMANTIC_WEIGHT = 0.8
# Share of character 3–5-gram similarity (over occupation labels) in the lexical side, for
# short texts such as a vacancy title ("jr baristar" still shares "barista"'s n-grams).
OCCUPATION_CHARACTER_WEIGHT = 0.5
# Without a model (lexical only), the share tuned for that case on the same rows (0046).
LEXICAL_CHARACTER_WEIGHT = 0.8

_LETTER = re.compile(r"\w", re.UNICODE)
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def latin_share(text: str) -> float:
    """The share of the text's letters and digits that are Latin letters (1 for an empty
    text, so that lexical matching keeps its weight when there is nothing to judge by)."""
    letters = len(_LETTER.findall(text))
    if not letters:
        return 1.0
    return min(1.0, len(_LATIN.findall(text)) / letters)


def scaled(scores: npt.NDArray[np.floating], axis: int = -1) -> Scores:
    """Scores divided by the best of their query (rows when 2-D); all zero stays zero."""
    values = np.maximum(np.asarray(scores, dtype=np.float32), 0.0)
    best = values.max(axis=axis, keepdims=True) if values.size else values
    best = np.where(best > 0, best, 1.0)
    return np.asarray(values / best, dtype=np.float32)


def pool_semantic(
    labels: npt.NDArray[np.floating], descriptions: npt.NDArray[np.floating] | None
) -> Scores:
    """The semantic score of each occupation: the mean of its scaled label and description
    cosines; the label cosine alone without descriptions."""
    if descriptions is None:
        return scaled(labels)
    return np.asarray(0.5 * (scaled(labels) + scaled(descriptions)), dtype=np.float32)


def mean_cosine(cosines: list[npt.NDArray[np.floating]]) -> Scores:
    """The mean of raw cosines (the text and its role phrase, each against an occupation's
    closest name and its description): averaged before scaling, so that a signal with a
    clear winner is not flattened to the others' range (docs/decisions/0053)."""
    return np.asarray(np.mean(np.stack(cosines), axis=0), dtype=np.float32)


def fuse(
    lexical: npt.NDArray[np.floating],
    semantic: npt.NDArray[np.floating] | None,
    weight: float = OCCUPATION_SEMANTIC_WEIGHT,
    *,
    characters: npt.NDArray[np.floating] | None = None,
    character_weight: float = OCCUPATION_CHARACTER_WEIGHT,
    lexical_share: float | npt.NDArray[np.floating] = 1.0,
) -> Scores:
    """The fused scores; lexical alone when there is no semantic signal (no model). With
    ``characters`` (character n-gram similarity), the lexical side is
    (1 − c) · words + c · characters. ``lexical_share`` (a number, or one per row: see
    :func:`latin_share`) scales the lexical side's weight when a semantic signal exists."""
    lex = scaled(lexical)
    if characters is not None and character_weight > 0:
        lex = np.asarray(
            (1.0 - character_weight) * lex + character_weight * scaled(characters),
            dtype=np.float32,
        )
    if semantic is None or weight <= 0:
        return lex
    share = np.asarray(lexical_share, dtype=np.float32)
    if share.ndim == 1 and lex.ndim == 2:
        share = share[:, None]
    return np.asarray((1.0 - weight) * share * lex + weight * scaled(semantic), dtype=np.float32)


def max_pool(similarity: npt.NDArray[np.floating], owner_starts: npt.NDArray[np.intp]) -> Scores:
    """Per owner, the best similarity of its rows (columns grouped contiguously by owner;
    ``owner_starts`` are the first column of each owner)."""
    return np.asarray(np.maximum.reduceat(similarity, owner_starts, axis=-1), dtype=np.float32)


# A demand's first clause names the role ("招聘亚马逊运营专员，负责…" → 亚马逊运营专员): encoded on
# its own beside the whole text, it keeps the role from being drowned by the duties. The
# leading hiring words are dropped (they say nothing about the occupation).
_CLAUSE = re.compile(r"[，。：:；;,！!？?（(\n]")
_HIRING = re.compile(
    r"^(?:高薪招聘|招聘|诚聘|急招|急聘|招募|招|寻找|需要|we are hiring|hiring|wanted)[\s:：]*",
    re.IGNORECASE,
)


def semantic_query(text: str) -> str:
    """What is encoded for a query: casefolded ("MARKETING EXECUTIVE" and "marketing executive"
    are one title; the model is case-sensitive and the occupations' labels are lower case)."""
    return " ".join(text.split()).casefold()


def role_phrase(text: str) -> str:
    """The first clause of a demand without its leading hiring words; the text itself when
    it is one clause (a title) or the clause is empty."""
    text = text.strip()
    first = _CLAUSE.split(text, maxsplit=1)[0].strip()
    role = _HIRING.sub("", first).strip()
    return role if role and len(role) >= 2 else text


def first_sentence(text: str, limit: int = 200) -> str:
    """The first sentence of a description, at most ``limit`` characters."""
    text = " ".join(text.split())
    for stop in (". ", "。"):
        if stop in text:
            text = text.split(stop, 1)[0]
    return text[:limit]


def description_text(title: str, description: str) -> str:
    """What is encoded for an occupation's description vector."""
    sentence = first_sentence(description)
    return f"{title}: {sentence}" if sentence else title
