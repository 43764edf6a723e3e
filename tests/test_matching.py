"""Matching: the engine's vectorised scores equal the explained pair scores; stored matches
follow profile and demand changes; explanations, filters, invitations and bad input."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from django.test import Client

from nomadcloud.accounts.principal import Principal
from nomadcloud.demands import services as demand_services
from nomadcloud.demands.schemas import DemandDraft
from nomadcloud.matching import matcher, services
from nomadcloud.matching.engine.index import ProfileIndex
from nomadcloud.matching.engine.model import (
    DemandFeatures,
    Filters,
    Holding,
    ProfileFeatures,
    Requirement,
    Weights,
)
from nomadcloud.matching.engine.scoring import Links
from nomadcloud.matching.models import Invitation, Match
from nomadcloud.talent import services as talent_services
from nomadcloud.talent.models import Profile
from nomadcloud.taxonomy.models import Concept
from tests.builders.demands import make_concepts, published
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import assert_error

# --- the engine ----------------------------------------------------------------------------


WORDS = ["python", "data", "标注", "剪辑", "design", "video", "sql", "cloud"]


def _random_profile(rng: random.Random, key: int) -> ProfileFeatures:
    return ProfileFeatures(
        key=key,
        skills=tuple(
            Holding(
                c,
                rng.randint(1, 5),
                rng.choice(["self", "certified", "verified"]),
                rng.randint(0, 3000),
            )
            for c in rng.sample(range(60), 6)
        ),
        tools=tuple(Holding(c, rng.randint(1, 5), "self", 0) for c in rng.sample(range(60), 2)),
        projects=frozenset(rng.sample(range(60), 3)),
        languages={"en": rng.randint(0, 7)},
        availability=rng.choice([0, 1, 2]),
        location=rng.choice(["儋州", "Lisbon", ""]),
        rate_per_day=rng.choice([None, 400.0, 2000.0]),
        text=" ".join(
            rng.sample(["python", "data", "标注", "剪辑", "design", "video", "sql", "cloud"], 4)
        ),
    )


def test_vectorised_scores_equal_the_explained_scores_and_filters_hold() -> None:
    rng = random.Random(7)
    weights = Weights()
    links = Links(broader=[(i, i // 6) for i in range(6, 60)], related=[(1, 2)], weights=weights)
    index = ProfileIndex(links, weights)
    profiles = {k: _random_profile(rng, k) for k in range(400)}
    index.add_many(profiles.values())
    for key in range(0, 400, 5):  # updates replace the old data
        profiles[key] = _random_profile(rng, key)
        index.upsert(profiles[key])
    demand = DemandFeatures(
        key=1,
        requirements=(Requirement(3, 3), Requirement(10, 5, "optional", 1.0), Requirement(2, 2)),
        tools=(7,),
        text="python 标注 engineer",
        filters=Filters(languages=(("en", 3),), max_rate_per_day=1000.0),
    )
    scores = index.scores(demand)
    for profile in profiles.values():
        explained = index.explain(profile, demand)
        assert scores[index.slot_of[profile.key]] == pytest.approx(explained.score, abs=1e-3)
        assert sum(explained.points.values()) == pytest.approx(explained.score)
    hits = index.search(demand, 20)
    assert hits and [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert index.explain(profiles[hit.key], demand).failed_filters == []


def test_weights_are_validated() -> None:
    assert Weights.from_mapping({"text": 0.5}).text == 0.5
    for bad in ({"colour": 1}, {"text": -1}, {"text": "x"}, {"skills": 0, "tools": 0,
                                                            "projects": 0, "text": 0}):  # fmt: skip
        with pytest.raises(ValueError):
            Weights.from_mapping(bad)
    assert Weights().version != Weights(text=0.3).version


# --- stored matches ------------------------------------------------------------------------


@pytest.fixture
def nomad(world: World) -> Profile:
    """Bob, a nomad with Python at level 3 (certified) and SQL self-declared."""
    concepts = make_concepts()
    me = Principal.for_user(world.bob)
    talent_services.declare_skill(
        principal=me,
        concept=concepts["python"],
        level=3,
        evidence=talent_services.EvidenceInput(source="Python Institute", reference="PCAP-1"),
    )
    talent_services.declare_skill(principal=me, concept=concepts["sql"], level=4)
    talent_services.set_tool(principal=me, concept=concepts["docker"], proficiency=4)
    talent_services.set_language(principal=me, language="en", level="C1")
    talent_services.set_language(principal=me, language="zh", level="native")
    matcher.reset()
    return Profile.objects.get(user=world.bob)


def test_a_demand_gets_ranked_candidates_with_explanations(world: World, nomad: Profile) -> None:
    demand = published(world)
    assert services.refresh_demand(demand.pk) == 1
    match = Match.objects.get(demand=demand, profile=nomad)
    assert match.in_candidates and 0 < match.score <= 100
    items = {i["code"]: i for i in match.explanation["items"]}
    assert items["nc.python"]["status"] == "met"
    assert items["nc.python"]["via"]["evidence"] == "certified"
    assert items["nc.docker"]["kind"] == "tool" and items["nc.docker"]["points"] > 0
    assert sum(match.explanation["points"].values()) == pytest.approx(match.score, abs=0.05)
    assert (match.required_met, match.required_total) == (1, 1)

    page = client_for(world.olivia).get(f"/matching/demands/{demand.public_id}/candidates/")
    assert page.status_code == 200
    assert "Python" in page.content.decode() and 'data-status="met"' in page.content.decode()


def test_a_profile_edit_changes_the_ranking(world: World, nomad: Profile) -> None:
    demand = published(world)
    services.refresh_profile(nomad.pk)
    before = Match.objects.get(demand=demand, profile=nomad)
    assert before.in_recommendations
    me = Principal.for_user(world.bob)
    talent_services.declare_skill(
        principal=me, concept=Concept.objects.get(code="nc.python"), level=5
    )
    services.stamp_profile(nomad.pk)  # the signal does this; on_commit jobs do not run here
    services.refresh_profile(nomad.pk)
    after = Match.objects.get(demand=demand, profile=nomad)
    assert after.score < before.score
    python = next(i for i in after.explanation["items"] if i["code"] == "nc.python")
    assert python["status"] == "partial"  # level 5 is below the required 3


def test_hard_filters_exclude_and_private_sections_are_not_used(
    world: World, nomad: Profile
) -> None:
    demand = published(world, languages=["ja"])  # Bob speaks no Japanese
    assert services.refresh_demand(demand.pk) == 0
    other = published(world, title_zh="另一个", title_en="Another")
    nomad.skills_visibility = nomad.tools_visibility = "private"
    nomad.save()
    matcher.reset()
    services.refresh_demand(other.pk)
    match = Match.objects.filter(demand=other, profile=nomad).first()
    assert match is None or all(i["status"] == "missing" for i in match.explanation["items"])


def test_demands_without_skills_or_with_odd_text_still_rank(world: World, nomad: Profile) -> None:
    make_concepts()
    owner = Principal.for_user(world.olivia)
    for text in ("🚀🚀🚀", "数据 Python " * 1_800, "Ünïcödé ℌ𝔢𝔩𝔩𝔬 混合 scripts Python"):
        demand = demand_services.create_demand(
            principal=owner,
            organisation=world.acme,
            status="published",
            draft=DemandDraft(kind="job", title_zh="测试", title_en="test", description_en=text),
        )
        services.refresh_demand(demand.pk)  # never raises
        for match in Match.objects.filter(demand=demand):
            assert 0 <= match.score <= 100
    # 100 KB of text straight to the engine: cut to its first 20,000 characters, still ranked.
    state = matcher.current()
    python = Concept.objects.get(code="nc.python").pk
    huge = DemandFeatures(
        key=0, requirements=(Requirement(python),), text="python sql " * 10_000, filters=Filters()
    )
    assert [hit.key for hit in state.index.search(huge, 5)] == [nomad.pk]


def test_invite_and_answer(world: World, nomad: Profile) -> None:
    demand = published(world)
    services.refresh_demand(demand.pk)
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    response = olivia.post(
        f"/api/v1/matching/demands/{demand.public_id}/invitations",
        json.dumps({"profile": str(nomad.public_id), "message": "Join us"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    again = olivia.post(
        f"/api/v1/matching/demands/{demand.public_id}/invitations",
        json.dumps({"profile": str(nomad.public_id)}),
        content_type="application/json",
    )
    assert_error(again, "conflict")
    invitation = Invitation.objects.get()
    bob = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="en")
    assert bob.get("/api/v1/matching/invitations").json()[0]["message"] == "Join us"
    answer = bob.post(
        f"/api/v1/matching/invitations/{invitation.pk}/answer",
        json.dumps({"accept": True}),
        content_type="application/json",
    )
    assert answer.json()["status"] == "accepted"


def test_impossible_filters_are_refused_and_change_nothing(world: World, nomad: Profile) -> None:
    demand = published(world)
    services.refresh_demand(demand.pk)
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    bob = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="en")
    before = database_fingerprint()
    response = olivia.get(f"/api/v1/matching/demands/{demand.public_id}/candidates?min_score=150")
    assert assert_error(response, "invalid_filter", status=422)["fields"] == {
        "min_score": ["The minimum score must be between 0 and 100."]
    }
    bad_kind = bob.get("/api/v1/matching/recommendations?kind=party")
    assert_error(bad_kind, "invalid_filter", field="kind", status=422)
    assert database_fingerprint() == before


def test_candidates_page_is_paged_by_score(world: World, nomad: Profile) -> None:
    demand = published(world)
    services.refresh_demand(demand.pk)
    page = Client().get(f"/api/v1/matching/demands/{demand.public_id}/candidates")
    assert_error(page, "not_authenticated")  # anonymous
    listing = client_for(world.rita).get(
        f"/api/v1/matching/demands/{demand.public_id}/candidates?limit=1"
    )
    assert listing.status_code == 200
    assert [item["profile"] for item in listing.json()["items"]] == [str(nomad.public_id)]


def test_bad_weights_in_the_environment_fail_the_system_checks(settings: object) -> None:
    from nomadcloud.matching.checks import check_weights

    settings.MATCHING_WEIGHTS = {"text": -1}  # type: ignore[attr-defined]
    assert [e.id for e in check_weights()] == ["nomadcloud.E007"]
    settings.MATCHING_WEIGHTS = {"text": 0.3}  # type: ignore[attr-defined]
    assert check_weights() == []


def test_a_new_strong_match_notifies_the_nomad_once(
    world: World, nomad: Profile, settings: Any
) -> None:
    from nomadcloud.notifications.models import Notification

    settings.MATCHING_STRONG_SCORE = 30
    demand = published(world)
    services.refresh_demand(demand.pk)
    services.refresh_profile(nomad.pk)  # the same match again: no second notification
    sent = Notification.objects.filter(recipient=world.bob, kind="matching.strong_match")
    assert sent.count() == 1
    assert Match.objects.get(demand=demand, profile=nomad).notified_at is not None
