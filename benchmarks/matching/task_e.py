"""E. Vacancy title → ESCO occupation, on the JobBERT validation titles (tuning split).

Systems: TF-IDF over character 3–5-grams max-pooled over each occupation's labels (the
baseline the issue names); the product's lexical ranking (BM25 over title, alternative titles
and description: ``engine/suggest.OccupationModel``); the embedding model alone (cosine,
max-pooled over labels); and the product fused (``engine/fusion``), whose weight is tuned on
the even rows and reported on the odd rows (all of it validation data; the test split is
kept back). Also: encoding throughput and the one-off cost of embedding every label.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from benchmarks.matching import data
from benchmarks.matching.metrics import bootstrap
from nomadcloud.matching.engine import fusion
from nomadcloud.matching.engine.suggest import Occupation, OccupationModel
from nomadcloud.taxonomy import embedding

WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
CHARACTER_WEIGHTS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0)


def _ranks(scores: np.ndarray, gold: np.ndarray) -> np.ndarray:
    own = scores[np.arange(len(gold)), gold][:, None]
    return (scores > own).sum(axis=1) + 1


def _figures(ranks: np.ndarray) -> dict[str, tuple[float, float, float]]:
    return {
        "r1": bootstrap((ranks <= 1).astype(float)),
        "r5": bootstrap((ranks <= 5).astype(float)),
        "r10": bootstrap((ranks <= 10).astype(float)),
        "mrr": bootstrap(1.0 / ranks),
    }


def run(backend: str = "packaged", limit: int | None = None) -> dict[str, Any]:
    occupations = data.occupations()
    position = {o.uri: i for i, o in enumerate(occupations)}
    pairs = [(t, position[u]) for t, u in data.jobbert_titles() if u in position]
    if limit:
        pairs = pairs[:limit]
    titles = [t for t, _g in pairs]
    gold = np.array([g for _t, g in pairs])
    labels: list[str] = []
    starts: list[int] = []
    for o in occupations:
        starts.append(len(labels))
        labels += list(dict.fromkeys([o.title, *o.alternative_titles]))
    owner_starts = np.array(starts, dtype=np.intp)

    # Baseline: TF-IDF char 3–5 max-pooled over labels.
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    label_matrix = vectorizer.fit_transform(labels)
    query_matrix = vectorizer.transform(titles)
    tfidf = np.zeros((len(titles), len(occupations)), dtype=np.float32)
    for start in range(0, len(titles), 500):
        block = (query_matrix[start : start + 500] @ label_matrix.T).toarray()
        tfidf[start : start + 500] = fusion.max_pool(block, owner_starts)

    # The product's lexical ranking.
    model = OccupationModel(
        Occupation(i, o.title, o.alternative_titles, o.description)
        for i, o in enumerate(occupations)
    )
    lexical = np.zeros_like(tfidf)
    for row, title in enumerate(titles):
        query = model.text.query(_tokens(title))
        if query:
            lexical[row] = model.text.scores(query, len(occupations))

    status = embedding.load(backend)
    result: dict[str, Any] = {"backend": status.active, "n": len(titles)}
    ranks = {"tfidf": _ranks(tfidf, gold), "lexical": _ranks(lexical, gold)}
    if status.encoder is not None:
        encoder = status.encoder
        began = time.perf_counter()
        label_vectors = embedding.encode_all(encoder, labels)
        result["labels_encoded"] = len(labels)
        result["labels_s"] = round(time.perf_counter() - began, 1)
        began = time.perf_counter()
        title_vectors = embedding.encode_all(encoder, titles)
        result["short_texts_per_s"] = round(len(titles) / (time.perf_counter() - began), 1)
        long_texts = [o.description[:300] for o in occupations[:300]]
        began = time.perf_counter()
        embedding.encode_all(encoder, long_texts)
        result["texts_300_per_s"] = round(len(long_texts) / (time.perf_counter() - began), 1)
        semantic = np.zeros_like(tfidf)
        for start in range(0, len(titles), 500):
            block = title_vectors[start : start + 500] @ label_vectors.T
            semantic[start : start + 500] = fusion.max_pool(block, owner_starts)
        ranks["semantic"] = _ranks(semantic, gold)
        even, odd = np.arange(0, len(titles), 2), np.arange(1, len(titles), 2)

        def fused(rows: np.ndarray, w: float, c: float) -> np.ndarray:
            return fusion.fuse(
                lexical[rows], semantic[rows], w, characters=tfidf[rows], character_weight=c
            )

        tuning = {
            (w, c): float((1.0 / _ranks(fused(even, w, c), gold[even])).mean())
            for w in WEIGHTS
            for c in CHARACTER_WEIGHTS
        }
        best_w, best_c = max(tuning, key=lambda wc: tuning[wc])
        result["tuning_mrr_by_weight"] = {f"w{w}_c{c}": round(m, 4) for (w, c), m in tuning.items()}
        result["weight"] = best_w
        result["character_weight"] = best_c
        ranks["fused"] = _ranks(fused(odd, best_w, best_c), gold[odd])
        ranks["fused_words_only"] = _ranks(fused(odd, best_w, 0.0), gold[odd])
        lexical_only = {
            c: float((1.0 / _ranks(fused(even, 0.0, c), gold[even])).mean())
            for c in CHARACTER_WEIGHTS
        }
        ranks["lexical_chars"] = _ranks(
            fused(odd, 0.0, max(lexical_only, key=lambda c: lexical_only[c])), gold[odd]
        )
        ranks["tfidf_odd"] = ranks["tfidf"][odd]
    result["figures"] = {name: _figures(r) for name, r in ranks.items()}
    return result


def _tokens(text: str) -> list[str]:
    from nomadcloud.matching.engine.tokens import tokenize

    return tokenize(text)


if __name__ == "__main__":
    import json
    import sys

    out = run(limit=int(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(json.dumps(out, indent=1))
