"""The coarse prefilter of the "close in meaning" component (matching/engine/coarse.py,
docs/decisions/0066): recall against the exact search, updates found at once, filters kept,
scores returned exact, deterministic, exact below its thresholds. Pure engine, no database."""

from __future__ import annotations

import random

import numpy as np

from nomadcloud.matching.engine.coarse import CoarseQuantizer, Prefilter, list_count
from nomadcloud.matching.engine.index import ProfileIndex
from nomadcloud.matching.engine.model import (
    DemandFeatures,
    Filters,
    Holding,
    ProfileFeatures,
    Requirement,
    Weights,
    passes,
    quantize,
)
from nomadcloud.matching.engine.scoring import Links

DIM = 64
TOPICS = 40
# Small thresholds, so that a few thousand nomads take the prefiltered path.
SMALL = Prefilter(min_vectors=500, exact_limit=50, min_probe=8, lexical=20)


def _topics() -> np.ndarray:
    return np.random.default_rng(7).standard_normal((TOPICS, DIM)).astype(np.float32)


def _profile(key: int, topic: int, rng: np.random.Generator, **changes: object) -> ProfileFeatures:
    fields: dict[str, object] = {
        "key": key,
        "skills": (Holding(topic, rng.integers(1, 6).item(), "self", 0),),
        "languages": {"en": int(rng.integers(1, 7))},
        "availability": int(rng.choice([0, 0, 0, 2])),
        "location": str(rng.choice(["儋州", "Lisbon"])),
        "vector": quantize(_topics()[topic] + 0.7 * rng.standard_normal(DIM)),
    }
    fields.update(changes)
    return ProfileFeatures(**fields)  # type: ignore[arg-type]


def _index(size: int = 4000, prefilter: Prefilter = SMALL, seed: int = 1) -> ProfileIndex:
    rng = np.random.default_rng(seed)
    weights = Weights()
    index = ProfileIndex(Links(weights=weights), weights, prefilter)
    index.add_many(_profile(key, key % TOPICS, rng) for key in range(size))
    return index


def _demand(key: int, topic: int, *, skills: bool = False, **filters: object) -> DemandFeatures:
    rng = np.random.default_rng(1000 + key)
    return DemandFeatures(
        key=key,
        requirements=(Requirement(topic, 3),) if skills else (),
        vector=quantize(_topics()[topic] + 0.3 * rng.standard_normal(DIM)),
        filters=Filters(**filters),  # type: ignore[arg-type]
    )


def test_the_prefiltered_top_20_recalls_the_exact_one_and_its_scores_are_exact() -> None:
    index = _index()
    assert index.coarse is not None and len(index.coarse.lists) == list_count(4000)
    recalls = []
    for key in range(TOPICS):
        for skills in (False, True):
            demand = _demand(key, key, skills=skills)
            exact = index.search(demand, 20, exact=True)
            hits = index.search(demand, 20)
            assert len(exact) == 20
            recalls.append(len({h.key for h in exact} & {h.key for h in hits}) / 20)
            # Whatever is returned carries its exact score (the explained one).
            by_key = {h.key: h.score for h in exact}
            for hit in hits:
                rng = np.random.default_rng(1)
                profiles = [_profile(k, k % TOPICS, rng) for k in range(hit.key + 1)]
                explained = index.explain(profiles[hit.key], demand).score
                assert abs(hit.score - explained) < 1e-3
                if hit.key in by_key:
                    assert abs(hit.score - by_key[hit.key]) < 1e-4
                break  # rebuilding profiles is slow: the first hit of each demand
    assert float(np.mean(recalls)) >= 0.95, recalls


def test_the_prefilter_keeps_the_hard_filters_and_leaves_removed_nomads_out() -> None:
    index = _index()
    rng = np.random.default_rng(1)
    profiles = {k: _profile(k, k % TOPICS, rng) for k in range(4000)}
    for key in range(0, 4000, 7):
        index.remove(key)
    for topic in range(0, TOPICS, 5):
        demand = _demand(topic, topic, locations=("Lisbon",), languages=(("en", 4),))
        hits = index.search(demand, 20)
        assert hits
        for hit in hits:
            assert hit.key % 7, "a removed nomad was returned"
            assert passes(profiles[hit.key], demand.filters) == []


def test_an_added_or_edited_nomad_is_found_by_meaning_at_once() -> None:
    index = _index()
    demand = _demand(3, 3)
    # A new nomad whose text means exactly what the demand asks: first at once.
    index.upsert(ProfileFeatures(key=99_999, vector=demand.vector))
    assert index.search(demand, 20)[0].key == 99_999
    # An existing nomad of another topic edits their profile into this one: found at once,
    # and no longer found for their old topic.
    edited = 4 * TOPICS + 17  # topic 17
    before = index.search(_demand(17, 17), 40, exact=True)
    assert edited in {h.key for h in before}
    index.upsert(ProfileFeatures(key=edited, vector=_demand(3, 3).vector))
    assert edited in {h.key for h in index.search(demand, 3)}
    assert edited not in {h.key for h in index.search(_demand(17, 17), 40)}


def test_the_prefilter_is_deterministic() -> None:
    one, two = _index(seed=3), _index(seed=3)
    assert one.coarse is not None and two.coarse is not None
    assert np.array_equal(one.coarse.centroids, two.coarse.centroids)
    assert [list(c.array()) for c in one.coarse.lists] == [
        list(c.array()) for c in two.coarse.lists
    ]
    for topic in range(0, TOPICS, 4):
        demand = _demand(topic, topic)
        assert one.search(demand, 20) == two.search(demand, 20)


def test_small_indexes_search_exactly_and_the_quantiser_is_retrained_as_the_index_grows() -> None:
    small = _index(size=400)  # below min_vectors: no quantiser, exact
    assert small.coarse is None
    for topic in range(0, TOPICS, 8):
        demand = _demand(topic, topic)
        assert small.search(demand, 20) == small.search(demand, 20, exact=True)
    # Default thresholds: a few thousand nomads are searched exactly.
    assert _index(size=2000, prefilter=Prefilter()).coarse is None

    grown = _index(size=600)
    assert grown.coarse is not None and grown.coarse.trained_on == 600
    rng = np.random.default_rng(5)
    for key in range(600, 2400):
        grown.upsert(_profile(key, key % TOPICS, rng))
    assert grown.coarse.trained_on == 600  # filed one by one meanwhile
    assert sum(len(c) for c in grown.coarse.lists) == 2400
    grown.ensure_prefilter()  # four times as many: trained again on all of them
    assert grown.coarse.trained_on == 2400 and len(grown.coarse.lists) == list_count(2400)


def test_nomads_without_a_vector_are_filed_nowhere() -> None:
    rows = np.zeros((30, DIM), dtype=np.int8)
    rng = random.Random(2)
    for row in range(0, 30, 3):
        rows[row] = [rng.randint(-127, 127) for _ in range(DIM)]
    slots = np.arange(30)
    coarse = CoarseQuantizer.train(rows, slots[rows.any(axis=1)])
    coarse.add(rows, slots)
    filed = sorted(int(s) for c in coarse.lists for s in c.array())
    assert filed == list(range(0, 30, 3))
    assert (coarse.assign(rows[1:2]) == -1).all()
