"""``refresh_profile`` ranks a nomad's work with the index (``ProfileIndex.rank_demands``):
on the demo zone it gives exactly what scoring every published demand pair by pair gave."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.inputs import parse_draft
from nomadcloud.demands.models import Demand
from nomadcloud.matching import features, matcher, services
from nomadcloud.matching.engine.index import ProfileIndex
from nomadcloud.matching.engine.model import (
    DemandFeatures,
    Filters,
    Holding,
    ProfileFeatures,
    Requirement,
    Weights,
)
from nomadcloud.matching.engine.scoring import Links, score_pair, text_query
from nomadcloud.matching.models import Match
from nomadcloud.talent import services as talent_services
from nomadcloud.talent.models import Profile
from nomadcloud.talent.schemas import ProfileChanges
from nomadcloud.taxonomy.models import Concept
from tests.conftest import make_person

WORDS = ["python", "data", "标注", "剪辑", "design", "video", "sql", "cloud", "数据"]


def test_skipping_demands_loses_none_on_random_data() -> None:
    """Pure engine: ``rank_demands`` equals scoring every pair, for random nomads and demands
    over a taxonomy with broader and related links, at several minimums."""
    rng = random.Random(11)
    weights = Weights()
    links = Links(
        broader=[(i, i // 8) for i in range(8, 200)],
        related=[(rng.randrange(200), rng.randrange(200)) for _ in range(40)],
        weights=weights,
    )
    index = ProfileIndex(links, weights)
    profiles = [
        ProfileFeatures(
            key=key,
            skills=tuple(
                Holding(c, rng.randint(1, 5), rng.choice(["self", "verified"]), rng.randint(0, 9))
                for c in rng.sample(range(200), rng.randint(0, 4))
            ),
            tools=tuple(Holding(c, rng.randint(1, 5)) for c in rng.sample(range(200), 1)),
            projects=frozenset(rng.sample(range(200), rng.randint(0, 2))),
            languages={"en": rng.randint(0, 7)},
            text=" ".join(rng.sample(WORDS, rng.randint(0, 3))),
        )
        for key in range(60)
    ]
    index.add_many(profiles)
    demands = [
        DemandFeatures(
            key=1000 + key,
            requirements=tuple(
                Requirement(c, rng.randint(1, 5)) for c in rng.sample(range(200), rng.randint(0, 3))
            ),
            tools=tuple(rng.sample(range(200), rng.randint(0, 1))),
            text=" ".join(rng.sample(WORDS, rng.randint(0, 2))),
            filters=Filters(languages=(("en", 3),)) if key % 4 == 0 else Filters(),
        )
        for key in range(150)
    ]
    kept = Counter[float]()
    for minimum in (30.0, 10.0, 0.01, 0.0):
        for profile in profiles:
            expected = []
            for demand in demands:
                result = index.explain(profile, demand)
                if not result.failed_filters and result.score >= minimum:
                    expected.append((demand.key, result.score))
            expected.sort(key=lambda pair: (-pair[1], pair[0]))
            ranked = index.rank_demands(profile, demands, minimum)
            assert [(key, r.score) for key, r in ranked] == expected
            kept[minimum] += len(expected)
    assert 0 < kept[30.0] < kept[10.0] < kept[0.01] < kept[0.0]  # 0-scores exist and are skipped


def pair_by_pair(profile: Profile, minimum: float) -> list[tuple[int, float, dict[str, Any]]]:
    """What ``refresh_profile`` computed before it used the index: every published demand
    scored against the nomad in Python, kept when it passes the filters and the minimum."""
    state = matcher.current()
    index = state.index
    mine = features.profile_features(profile)
    kept = []
    for demand in features.demands_query().filter(status=Demand.Status.PUBLISHED):  # type: ignore[attr-defined]
        wanted = features.demand_features(demand, index.weights, state.suggester)
        result = score_pair(
            mine,
            wanted,
            links=index.links,
            weights=index.weights,
            text=index.text,
            query=text_query(wanted, index.text),
        )
        if not result.failed_filters and result.score >= minimum:
            kept.append((demand.pk, result))
    kept.sort(key=lambda ranked: (-ranked[1].score, ranked[0]))
    return [(key, r.score, services.explanation(r)) for key, r in kept]


def with_the_index(profile: Profile, minimum: float) -> list[tuple[int, float, dict[str, Any]]]:
    state = matcher.current()
    wanted = [
        features.demand_features(d, state.index.weights, state.suggester)
        for d in features.demands_query().filter(status=Demand.Status.PUBLISHED)  # type: ignore[attr-defined]
    ]
    results = state.index.rank_demands(features.profile_features(profile), wanted, minimum)
    return [(key, r.score, services.explanation(r)) for key, r in results]


@pytest.fixture
def zone(db: None) -> list[Profile]:
    """The demo zone (its demands and two nomads) and a nomad for each of its trades, with
    differing levels, languages, availability, places, rates and one private section."""
    from nomadcloud import demo
    from nomadcloud.talent import demo as talent_demo

    demo.seed(nomads=2)
    for index, (zh, en, codes) in enumerate(talent_demo.TRADES):
        me = Principal.for_user(make_person(f"Trade {index}", f"trade{index}@example.org"))
        changes = {
            "headline_zh": zh,
            "headline_en": en,
            "location": ("儋州", "洋浦", "Lisbon")[index % 3],
            "availability": ("available", "partly", "unavailable")[index % 3],
            "rate_amount": str(Decimal(300 * (index + 1))),
            "rate_unit": "day",
            "visibility": {"tools": "private"} if index == 5 else None,
        }
        talent_services.update_profile(principal=me, changes=parse_draft(ProfileChanges, changes))
        english = ("A2", "B1", "C1")[index % 3]
        talent_services.set_language(principal=me, language="en", level=english)
        if index % 4 != 3:
            talent_services.set_language(principal=me, language="zh", level="native")
        for position, concept in enumerate(Concept.objects.filter(code__in=codes)):
            if concept.kind == Concept.Kind.TOOL:
                talent_services.set_tool(principal=me, concept=concept, proficiency=1 + index % 5)
            else:
                talent_services.declare_skill(
                    principal=me, concept=concept, level=4 if (index + position) % 2 else 5
                )
    matcher.reset()
    return list(features.profiles_query().order_by("pk"))  # type: ignore[attr-defined]


def test_refresh_profile_ranks_with_the_index_as_it_did_pair_by_pair(
    zone: list[Profile], settings: Any
) -> None:
    """One test, so that the zone is built once."""
    assert len(zone) >= 10 and Demand.objects.filter(status="published").count() >= 14
    for minimum in (20.0, 5.0, 0.0):  # 0: nothing can be skipped
        ranked = 0
        for profile in zone:
            expected = pair_by_pair(profile, minimum)
            assert with_the_index(profile, minimum) == expected, (minimum, profile.pk)
            ranked += len(expected)
        assert ranked >= len(zone) // 2  # the zone's nomads do match work

    settings.MATCHING_RECOMMENDATIONS = 3
    for profile in zone:
        expected = pair_by_pair(profile, services.minimum_score())
        assert services.refresh_profile(profile.pk) == min(3, len(expected))
        recommended = Match.objects.filter(profile=profile, in_recommendations=True)
        assert sorted(recommended.values_list("demand_id", flat=True)) == sorted(
            key for key, _score, _explanation in expected[:3]
        )
        for key, score, explanation in expected[:3]:
            stored = Match.objects.get(profile=profile, demand_id=key)
            assert stored.score == round(score, 2)
            assert stored.explanation == explanation
