"""B. Demand → nomads: JobBERT vacancy titles (tuning split) against a pool of nomads built
from ESCO occupations (pool.py). Relevant: the nomads built from the title's occupation.

The product turns the title into a job profile with the skill suggester (occupation
titles, alternative titles and occupation–skill relations of the ESCO taxonomy an operator
imports) and ranks nomads with the matching index (skills with levels and evidence, plus
BM25 of the title in the nomad's headline). The baseline is BM25 of the title over each
nomad's headline and skill labels.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from benchmarks.matching import data, pool
from benchmarks.matching.metrics import bootstrap, ndcg, recall, reciprocal_rank
from nomadcloud.matching.engine.bm25 import BM25
from nomadcloud.matching.engine.index import ProfileIndex
from nomadcloud.matching.engine.model import DemandFeatures, Filters, Requirement, Weights
from nomadcloud.matching.engine.scoring import Links
from nomadcloud.matching.engine.suggest import Occupation, OccupationModel, SkillSuggester
from nomadcloud.matching.engine.tokens import tokenize

SEED = 2026
SUGGESTED = 30  # skills of the job profile
K = 10


def run(
    limit: int | None = None,
    log: Callable[[str], None] = print,
    *,
    semantic: bool = False,
    meaning_weights: tuple[float, ...] = (),
    seed: int = SEED,
) -> dict[str, dict[str, tuple[float, float, float]]]:
    """With ``semantic``, the packaged model is on: the suggester's occupation ranking is
    fused (as in E), each nomad's vector is its headline's (an ESCO label, so read from the
    label vectors; a nomad without a headline has none — the product also encodes bio, skills
    and projects, which the pool does not have as text) and each demand's the title's; the
    component "close in meaning" counts with ``Weights().meaning``, and with each of
    ``meaning_weights`` as extra systems."""
    occupations = data.occupations()
    labels = sorted({s for o in occupations for s in (*o.essential, *o.optional)})
    skill_id = {label: i for i, label in enumerate(labels)}
    nomads = pool.build(occupations, skill_id)
    index_of = {o.uri: i for i, o in enumerate(occupations)}
    titles = [(t, index_of[u]) for t, u in data.jobbert_titles() if u in index_of]
    if limit:
        titles = random.Random(seed).sample(titles, min(limit, len(titles)))
    log(f"B: {len(nomads)} nomads from {len(occupations)} occupations, {len(titles)} titles")

    members: dict[int, list[int]] = {}
    for nomad in nomads:
        members.setdefault(nomad.occupation, []).append(nomad.features.key)
    weights = Weights()
    model_kwargs: dict[str, Any] = {}
    title_vector: dict[str, Any] = {}
    if semantic:
        nomads, model_kwargs, title_vector = _semantic(occupations, nomads, [t for t, _o in titles])
    index = ProfileIndex(Links(weights=weights), weights)
    index.add_many(n.features for n in nomads)
    extra = {}
    for w in meaning_weights:
        other = Weights(meaning=w)
        extra[w] = ProfileIndex(Links(weights=other), other)
        extra[w].add_many(n.features for n in nomads)
    occupation_list = [
        Occupation(
            key=i,
            title=o.title,
            alternative_titles=o.alternative_titles,
            description=o.description,
            skills=[(skill_id[s], 2.0) for s in o.essential]
            + [(skill_id[s], 1.0) for s in o.optional if s not in o.essential],
        )
        for i, o in enumerate(occupations)
    ]
    suggester = SkillSuggester(OccupationModel(occupation_list, **model_kwargs))
    baseline_index = BM25()
    for nomad in nomads:
        baseline_index.add(tokenize(" ".join((nomad.features.text, *nomad.skill_labels))))
    keys = [n.features.key for n in nomads]

    product: dict[str, list[float]] = {"mrr": [], "ndcg10": [], "recall10": []}
    baseline: dict[str, list[float]] = {"mrr": [], "ndcg10": [], "recall10": []}
    others: dict[float, dict[str, list[float]]] = {
        w: {"mrr": [], "ndcg10": [], "recall10": []} for w in meaning_weights
    }
    no_filters = Filters(available_only=False)
    for title, occupation in titles:
        relevant = dict.fromkeys(members[occupation], 1)
        demand = DemandFeatures(
            key=0,
            requirements=tuple(
                Requirement(s.skill, 5, "suggested", weights.suggested * s.score)
                for s in suggester.suggest(title, SUGGESTED)
            ),
            text=title,
            filters=no_filters,
            vector=title_vector.get(title),
        )
        ranking = [hit.key for hit in index.search(demand, 100)]
        _score(product, ranking, relevant)
        for w, other_index in extra.items():
            _score(others[w], [hit.key for hit in other_index.search(demand, 100)], relevant)
        scores = baseline_index.scores(baseline_index.query(tokenize(title)), len(keys))
        order = scores.argsort()[::-1][:100]
        _score(baseline, [keys[i] for i in order if scores[i] > 0], relevant)
    return {
        "product": {name: bootstrap(values) for name, values in product.items()},
        "baseline": {name: bootstrap(values) for name, values in baseline.items()},
        **{
            f"product_meaning_{w}": {name: bootstrap(v) for name, v in values.items()}
            for w, values in others.items()
        },
    }


def _semantic(
    occupations: list[data.EscoOccupation], nomads: list[Any], titles: list[str]
) -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
    import dataclasses

    import numpy as np

    from benchmarks.matching import vectors
    from nomadcloud.matching.engine import fusion
    from nomadcloud.matching.engine.model import quantize
    from nomadcloud.taxonomy import embedding

    encoder = embedding.load(*vectors.backend()).encoder
    assert encoder is not None, "the packaged model is not installed"
    labels: list[str] = []
    starts: list[int] = []
    for o in occupations:
        starts.append(len(labels))
        labels += list(dict.fromkeys([o.title, *o.alternative_titles]))
    label_vectors = vectors.encode(encoder, labels)
    row_of = {label: i for i, label in enumerate(labels)}
    descriptions = vectors.encode(
        encoder, [fusion.description_text(o.title, o.description) for o in occupations]
    )
    queries = list(dict.fromkeys(fusion.semantic_query(t) for t in titles))
    roles = list(
        dict.fromkeys(
            fusion.semantic_query(fusion.role_phrase(t))
            for t in titles
            if fusion.role_phrase(t) != t.strip()
        )
    )
    known = dict(zip(queries + roles, vectors.encode(encoder, queries + roles), strict=True))

    def encode(text: str) -> np.ndarray:
        found = known.get(text)
        return found if found is not None else embedding.encode_all(encoder, [text])[0]

    with_vectors = [
        dataclasses.replace(
            n,
            features=dataclasses.replace(
                n.features,
                vector=quantize(label_vectors[row_of[n.features.text]])
                if n.features.text in row_of
                else None,
            ),
        )
        for n in nomads
    ]
    model_kwargs = {
        "vectors": label_vectors,
        "vector_owners": np.array(starts, dtype=np.intp),
        "description_vectors": descriptions,
        "encode": encode,
    }
    title_vector = {t: quantize(known[fusion.semantic_query(t)]) for t in titles}
    return with_vectors, model_kwargs, title_vector


def _score(into: dict[str, list[float]], ranking: list[int], relevant: dict[int, int]) -> None:
    into["mrr"].append(reciprocal_rank(ranking, relevant))
    into["ndcg10"].append(ndcg(ranking, relevant, K))
    into["recall10"].append(recall(ranking, relevant, K))
