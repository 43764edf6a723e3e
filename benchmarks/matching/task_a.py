"""A. Demand text → skill tags, on ESCO occupations (5-fold cross-validation by occupation).

Query: an occupation's title and description. Corpus: every distinct skill label of the
profiles file, with alternative labels from the skill collections where they exist.
Relevant: its essential (grade 2) and optional (grade 1) skills. The product's suggester
learns from the relations of the other four folds' occupations only.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from benchmarks.matching import data
from benchmarks.matching.metrics import bootstrap, ndcg, recall, reciprocal_rank
from nomadcloud.matching.engine.suggest import (
    Occupation,
    OccupationModel,
    SkillLexicon,
    SkillSuggester,
)

FOLDS = 5
SEED = 2026
DEPTH = 1000  # ranks scored for MRR


def run(
    limit: int | None = None, log: Callable[[str], None] = print
) -> dict[str, dict[str, tuple[float, float, float]]]:
    occupations = data.occupations()
    alts = data.skill_alt_labels()
    labels = sorted({s for o in occupations for s in (*o.essential, *o.optional)})
    skill_id = {label: i for i, label in enumerate(labels)}
    log(
        f"A: {len(occupations)} occupations, {len(labels)} skill labels, "
        f"{sum(1 for label in labels if label in alts)} with alternative labels"
    )
    order = list(range(len(occupations)))
    random.Random(SEED).shuffle(order)
    fold_of = {index: position % FOLDS for position, index in enumerate(order)}
    queries = order[:limit] if limit else order

    lexicon = SkillLexicon((skill_id[label], (label, *alts.get(label, ()))) for label in labels)
    product: dict[str, list[float]] = {"mrr": [], "ndcg10": [], "recall10": []}
    for fold in range(FOLDS):
        training = [
            Occupation(
                key=i,
                title=o.title,
                alternative_titles=o.alternative_titles,
                description=o.description,
                skills=[(skill_id[s], 2.0) for s in o.essential]
                + [(skill_id[s], 1.0) for s in o.optional if s not in o.essential],
            )
            for i, o in enumerate(occupations)
            if fold_of[i] != fold
        ]
        suggester = SkillSuggester(OccupationModel(training), lexicon)
        for i in queries:
            if fold_of[i] != fold:
                continue
            occupation = occupations[i]
            ranking = [s.skill for s in suggester.suggest(_query(occupation), limit=DEPTH)]
            _score(product, ranking, _relevant(occupation, skill_id))
    baseline = _baseline(occupations, queries, labels, alts, skill_id)
    return {
        "product": {name: bootstrap(values) for name, values in product.items()},
        "baseline": {name: bootstrap(values) for name, values in baseline.items()},
    }


def _query(occupation: data.EscoOccupation) -> str:
    return f"{occupation.title}\n{occupation.description}"


def _relevant(occupation: data.EscoOccupation, skill_id: dict[str, int]) -> dict[int, int]:
    grades = {skill_id[s]: 1 for s in occupation.optional}
    grades.update({skill_id[s]: 2 for s in occupation.essential})
    return grades


def _score(into: dict[str, list[float]], ranking: list[int], relevant: dict[int, int]) -> None:
    into["mrr"].append(reciprocal_rank(ranking, relevant))
    into["ndcg10"].append(ndcg(ranking, relevant, 10))
    into["recall10"].append(recall(ranking, relevant, 10))


def _baseline(occupations, queries, labels, alts, skill_id) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    """TF-IDF over character 3–5-grams (within word boundaries), cosine similarity."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    documents = [" ; ".join((label, *alts.get(label, ()))) for label in labels]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    matrix = vectorizer.fit_transform(documents)
    result: dict[str, list[float]] = {"mrr": [], "ndcg10": [], "recall10": []}
    for start in range(0, len(queries), 256):
        chunk = queries[start : start + 256]
        vectors = vectorizer.transform([_query(occupations[i]) for i in chunk])
        similarity = (vectors @ matrix.T).toarray()
        for row, i in zip(similarity, chunk, strict=True):
            top = np.argpartition(-row, DEPTH)[:DEPTH]
            ranking = top[np.argsort(-row[top], kind="stable")].tolist()
            _score(result, ranking, _relevant(occupations[i], skill_id))
    return result
