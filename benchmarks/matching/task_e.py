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

from benchmarks.matching import data, vectors
from benchmarks.matching.metrics import bootstrap
from nomadcloud.matching.engine import fusion
from nomadcloud.matching.engine.suggest import Occupation, OccupationModel
from nomadcloud.taxonomy import embedding

WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
CHARACTER_WEIGHTS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def _ranks(scores: np.ndarray, gold: np.ndarray) -> np.ndarray:
    own = scores[np.arange(len(gold)), gold][:, None]
    return (scores > own).sum(axis=1) + 1


def _rrf(signals: list[np.ndarray], k: int = 60) -> np.ndarray:
    """Reciprocal-rank fusion (unweighted), for comparison."""
    out = np.zeros_like(signals[0])
    for scores in signals:
        order = np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1) + 1
        out += 1.0 / (k + order)
    return out


def _figures(ranks: np.ndarray) -> dict[str, tuple[float, float, float]]:
    return {
        "r1": bootstrap((ranks <= 1).astype(float)),
        "r5": bootstrap((ranks <= 5).astype(float)),
        "r10": bootstrap((ranks <= 10).astype(float)),
        "mrr": bootstrap(1.0 / ranks),
    }


def run(limit: int | None = None) -> dict[str, Any]:
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

    status = embedding.load(*vectors.backend())
    result: dict[str, Any] = {"backend": status.active, "n": len(titles)}
    ranks = {"tfidf": _ranks(tfidf, gold), "lexical": _ranks(lexical, gold)}
    if status.encoder is not None:
        encoder = status.encoder
        began = time.perf_counter()
        label_vectors = vectors.encode(encoder, labels)
        result["labels_encoded"] = len(labels)
        result["labels_s"] = round(time.perf_counter() - began, 1)  # ~0 when cached
        descriptions = [fusion.description_text(o.title, o.description) for o in occupations]
        description_vectors = vectors.encode(encoder, descriptions)
        began = time.perf_counter()
        embedding.encode_all(encoder, titles[:500])
        result["short_texts_per_s"] = round(500 / (time.perf_counter() - began), 1)
        long_texts = [o.description[:300] for o in occupations[:300]]
        began = time.perf_counter()
        embedding.encode_all(encoder, long_texts)
        result["texts_300_per_s"] = round(len(long_texts) / (time.perf_counter() - began), 1)
        semantic, described, pooled = vectors.occupation_semantic(
            encoder, titles, label_vectors, owner_starts, description_vectors
        )
        ranks["semantic_labels"] = _ranks(semantic, gold)
        ranks["semantic_descriptions"] = _ranks(described, gold)
        ranks["semantic_pooled"] = _ranks(pooled, gold)
        even, odd = np.arange(0, len(titles), 2), np.arange(1, len(titles), 2)
        shares = np.array([fusion.latin_share(t) for t in titles], dtype=np.float32)

        def fused(rows: np.ndarray, w: float, c: float, sem: np.ndarray = pooled) -> np.ndarray:
            return fusion.fuse(
                lexical[rows],
                sem[rows],
                w,
                characters=tfidf[rows],
                character_weight=c,
                lexical_share=shares[rows],
            )

        def tune(sem: np.ndarray) -> tuple[float, float, dict[tuple[float, float], float]]:
            grid = {
                (w, c): float((1.0 / _ranks(fused(even, w, c, sem), gold[even])).mean())
                for w in WEIGHTS
                for c in CHARACTER_WEIGHTS
            }
            best_w, best_c = max(grid, key=lambda wc: grid[wc])
            return best_w, best_c, grid

        best_w, best_c, tuning = tune(pooled)
        result["tuning_mrr_by_weight"] = {f"w{w}_c{c}": round(m, 4) for (w, c), m in tuning.items()}
        result["weight"] = best_w
        result["character_weight"] = best_c
        ranks["fused"] = _ranks(fused(odd, best_w, best_c), gold[odd])
        shipped = (fusion.OCCUPATION_SEMANTIC_WEIGHT, fusion.OCCUPATION_CHARACTER_WEIGHT)
        ranks["fused_shipped_weights"] = _ranks(fused(odd, *shipped), gold[odd])
        ranks["fused_words_only"] = _ranks(fused(odd, best_w, 0.0), gold[odd])
        labels_w, labels_c, _grid = tune(semantic)
        result["labels_only_weights"] = [labels_w, labels_c]
        ranks["fused_labels_only"] = _ranks(fused(odd, labels_w, labels_c, semantic), gold[odd])
        lexical_only = {
            c: float((1.0 / _ranks(fused(even, 0.0, c), gold[even])).mean())
            for c in CHARACTER_WEIGHTS
        }
        ranks["lexical_chars"] = _ranks(
            fused(odd, 0.0, max(lexical_only, key=lambda c: lexical_only[c])), gold[odd]
        )
        ranks["rrf_k60"] = _ranks(_rrf([tfidf[odd], lexical[odd], pooled[odd]]), gold[odd])
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
