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
    limit: int | None = None, log: Callable[[str], None] = print
) -> dict[str, dict[str, tuple[float, float, float]]]:
    occupations = data.occupations()
    labels = sorted({s for o in occupations for s in (*o.essential, *o.optional)})
    skill_id = {label: i for i, label in enumerate(labels)}
    nomads = pool.build(occupations, skill_id)
    index_of = {o.uri: i for i, o in enumerate(occupations)}
    titles = [(t, index_of[u]) for t, u in data.jobbert_titles() if u in index_of]
    if limit:
        titles = random.Random(SEED).sample(titles, min(limit, len(titles)))
    log(f"B: {len(nomads)} nomads from {len(occupations)} occupations, {len(titles)} titles")

    members: dict[int, list[int]] = {}
    for nomad in nomads:
        members.setdefault(nomad.occupation, []).append(nomad.features.key)
    weights = Weights()
    index = ProfileIndex(Links(weights=weights), weights)
    index.add_many(n.features for n in nomads)
    suggester = SkillSuggester(
        OccupationModel(
            Occupation(
                key=i,
                title=o.title,
                alternative_titles=o.alternative_titles,
                description=o.description,
                skills=[(skill_id[s], 2.0) for s in o.essential]
                + [(skill_id[s], 1.0) for s in o.optional if s not in o.essential],
            )
            for i, o in enumerate(occupations)
        )
    )
    baseline_index = BM25()
    for nomad in nomads:
        baseline_index.add(tokenize(" ".join((nomad.features.text, *nomad.skill_labels))))
    keys = [n.features.key for n in nomads]

    product: dict[str, list[float]] = {"mrr": [], "ndcg10": [], "recall10": []}
    baseline: dict[str, list[float]] = {"mrr": [], "ndcg10": [], "recall10": []}
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
        )
        ranking = [hit.key for hit in index.search(demand, 100)]
        _score(product, ranking, relevant)
        scores = baseline_index.scores(baseline_index.query(tokenize(title)), len(keys))
        order = scores.argsort()[::-1][:100]
        _score(baseline, [keys[i] for i in order if scores[i] > 0], relevant)
    return {
        "product": {name: bootstrap(values) for name, values in product.items()},
        "baseline": {name: bootstrap(values) for name, values in baseline.items()},
    }


def _score(into: dict[str, list[float]], ranking: list[int], relevant: dict[int, int]) -> None:
    into["mrr"].append(reciprocal_rank(ranking, relevant))
    into["ndcg10"].append(ndcg(ranking, relevant, K))
    into["recall10"].append(recall(ranking, relevant, K))
