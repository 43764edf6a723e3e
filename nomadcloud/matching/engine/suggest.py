"""Skills a demand probably needs, learnt from the occupation–skill relations of the
imported taxonomies (ESCO, O*NET): the job profile's "suggested" part.

The demand's text is compared (BM25) with each occupation's title, alternative titles and
description; the skills of the most similar occupations vote, weighted by similarity
(essential counts 2, optional 1). Skills whose own labels appear in the text add a lexical
vote. Nothing here reads a demand's own relations: the relations come from occupations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from nomadcloud.matching.engine import fusion
from nomadcloud.matching.engine.bm25 import BM25
from nomadcloud.matching.engine.tokens import tokenize

TITLE_REPEAT = 3  # a title says more than a sentence of the description
# Texts up to this length (a vacancy title) are also compared by character 3–5-grams with the
# occupations' labels, which forgive misspellings ("jr baristar"); a longer text's n-grams
# are mostly noise against short labels.
CHARACTER_MAX_CHARS = 80


@dataclass(frozen=True)
class Occupation:
    key: int
    title: str
    alternative_titles: Sequence[str] = ()
    description: str = ""
    skills: Sequence[tuple[int, float]] = ()  # (skill, 2 essential / 1 optional)


@dataclass(frozen=True)
class Suggestion:
    skill: int
    score: float  # 0–1, relative to the best suggestion


class OccupationModel:
    """Occupations by similarity to a text: BM25 over their titles and descriptions, fused
    (engine/fusion.py) with the cosine of sentence vectors when ``vectors`` (one normalised
    row per occupation, in order) and ``encode`` (text → normalised vector) are given, so that
    a purely Chinese demand finds English-only ESCO occupations.

    ``vectors`` holds one row per occupation, or, with ``vector_owners`` (the first row of each
    occupation, in order), one row per label, max-pooled per occupation;
    ``description_vectors`` (one row per occupation, of ``fusion.description_text``) joins
    the semantic side (``fusion.pool_semantic``)."""

    def __init__(
        self,
        occupations: Iterable[Occupation],
        *,
        vectors: npt.NDArray[np.floating] | None = None,
        vector_owners: npt.NDArray[np.intp] | None = None,
        description_vectors: npt.NDArray[np.floating] | None = None,
        encode: Callable[[str], npt.NDArray[np.float32]] | None = None,
        semantic_weight: float = fusion.OCCUPATION_SEMANTIC_WEIGHT,
        character_weight: float = fusion.OCCUPATION_CHARACTER_WEIGHT,
    ) -> None:
        self.vectors = vectors
        self.vector_owners = vector_owners
        self.description_vectors = description_vectors
        self.encode = encode if vectors is not None else None
        self.semantic_weight = semantic_weight
        self.character_weight = character_weight
        self._characters: tuple[Any, Any, npt.NDArray[np.intp]] | None = None
        self.occupations: list[Occupation] = []
        self.text = BM25()
        for occupation in occupations:
            words = tokenize(occupation.title) * TITLE_REPEAT
            for title in occupation.alternative_titles:
                words += tokenize(title)
            words += tokenize(occupation.description)
            self.text.add(words)
            self.occupations.append(occupation)

    def similar(self, text: str, k: int = 20) -> list[tuple[Occupation, float]]:
        """The ``k`` occupations most like ``text``, with BM25 similarity, best first."""
        if not self.occupations:
            return []
        query = self.text.query(tokenize(text))
        lexical = (
            self.text.scores(query, len(self.occupations))
            if query
            else np.zeros(len(self.occupations), dtype=np.float32)
        )
        semantic = self.semantic_similarity(text)
        characters = self.character_similarity(text)
        if not query and semantic is None and characters is None:
            return []
        scores = fusion.fuse(
            lexical,
            semantic,
            self.semantic_weight,
            characters=characters,
            character_weight=(
                self.character_weight if semantic is not None else fusion.LEXICAL_CHARACTER_WEIGHT
            ),
            lexical_share=fusion.latin_share(text),
        )
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.occupations[i], float(scores[i])) for i in top if scores[i] > 0]

    def semantic_similarity(self, text: str) -> npt.NDArray[np.float32] | None:
        """The mean cosine of the text, and of its role phrase when it is a longer demand
        (``fusion.role_phrase``), with each occupation's closest name and its description
        text; None without a model or for an empty text."""
        if self.encode is None or self.vectors is None or not text.strip():
            return None
        queries = [fusion.semantic_query(text)]
        role = fusion.role_phrase(text)
        if role != text.strip():
            queries.append(fusion.semantic_query(role))
        cosines: list[npt.NDArray[np.float32]] = []
        for query in queries:
            wanted = self.encode(query)
            if not np.any(wanted):
                continue
            labels = np.asarray(self.vectors @ wanted, dtype=np.float32)
            if self.vector_owners is not None:
                labels = fusion.max_pool(labels, self.vector_owners)
            cosines.append(labels)
            if self.description_vectors is not None:
                cosines.append(np.asarray(self.description_vectors @ wanted, dtype=np.float32))
        return fusion.mean_cosine(cosines) if cosines else None

    def character_similarity(self, text: str) -> npt.NDArray[np.float32] | None:
        """TF-IDF cosine of character 3–5-grams between a short text and each occupation's
        best label (its title or an alternative title); None for a long or empty text. The
        index is built on first use."""
        text = text.strip()
        if not text or len(text) > CHARACTER_MAX_CHARS or self.character_weight <= 0:
            return None
        if self._characters is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            labels: list[str] = []
            starts: list[int] = []
            for occupation in self.occupations:
                starts.append(len(labels))
                labels += list(dict.fromkeys([occupation.title, *occupation.alternative_titles]))
            vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
            matrix = vectorizer.fit_transform(labels)
            self._characters = (vectorizer, matrix.T.tocsr(), np.array(starts, dtype=np.intp))
        vectorizer, label_columns, starts_array = self._characters
        row = (vectorizer.transform([text]) @ label_columns).toarray()[0]
        if not np.any(row):
            return None
        return fusion.max_pool(row, starts_array)

    def votes(self, text: str, k: int = 20, sharpness: float = 2.0) -> dict[int, float]:
        """Skill → vote in 0–1 from the ``k`` most similar occupations."""
        similar = self.similar(text, k)
        if not similar:
            return {}
        best = similar[0][1]
        votes: dict[int, float] = defaultdict(float)
        total = 0.0
        for occupation, score in similar:
            weight = (score / best) ** sharpness
            total += 2 * weight
            for skill, relation in occupation.skills:
                votes[skill] += weight * relation
        return {skill: vote / total for skill, vote in votes.items()}


class SkillLexicon:
    """BM25 of a text against each skill's labels: skills the text names outright."""

    def __init__(self, skills: Iterable[tuple[int, Sequence[str]]]) -> None:
        self.keys: list[int] = []
        self.text = BM25()
        for key, labels in skills:
            words: list[str] = []
            for label in labels:
                words += tokenize(label)
            self.text.add(words)
            self.keys.append(key)

    def scores(self, text: str) -> dict[int, float]:
        query = self.text.query(tokenize(text))
        if not query:
            return {}
        scores = self.text.scores(query, len(self.keys))
        best = float(scores.max()) if len(scores) else 0.0
        if best <= 0:
            return {}
        hits = np.nonzero(scores)[0]
        return {self.keys[i]: float(scores[i]) / best for i in hits}


class SkillSuggester:
    def __init__(
        self,
        occupations: OccupationModel,
        lexicon: SkillLexicon | None = None,
        *,
        neighbours: int = 20,
        lexical_weight: float = 0.3,
    ) -> None:
        self.occupations = occupations
        self.lexicon = lexicon
        self.neighbours = neighbours
        self.lexical_weight = lexical_weight

    def suggest(self, text: str, limit: int = 50) -> list[Suggestion]:
        combined: dict[int, float] = defaultdict(float)
        for skill, vote in self.occupations.votes(text, self.neighbours).items():
            combined[skill] += vote
        if self.lexicon is not None and self.lexical_weight > 0:
            for skill, score in self.lexicon.scores(text).items():
                combined[skill] += self.lexical_weight * score
        ranked = sorted(combined.items(), key=lambda item: (-item[1], item[0]))[:limit]
        if not ranked:
            return []
        best = ranked[0][1]
        return [Suggestion(skill, score / best) for skill, score in ranked]
