"""Saying why something is hidden (issue 14 items 3 and 5): near misses are stored with the
hard filters they fail; recommendations and candidate lists count them per filter, show them
on request and explain an empty list; a tool never counts as the required skill; candidate
cards show what a person decides from, compare side by side, and name no one until the nomad
accepts an invitation."""

from __future__ import annotations

import pytest
from django.test import Client

from nomadcloud.accounts.principal import Principal
from nomadcloud.matching import matcher, services
from nomadcloud.matching.engine.model import (
    DemandFeatures,
    Holding,
    ProfileFeatures,
    Requirement,
    Weights,
)
from nomadcloud.matching.engine.scoring import Links, score_pair
from nomadcloud.matching.models import Match
from nomadcloud.talent import services as talent_services
from nomadcloud.talent.models import Profile
from nomadcloud.talent.schemas import ProfileChanges
from nomadcloud.taxonomy import lookup
from tests.builders.demands import make_concepts, published
from tests.conftest import World, client_for


def _client(user: object, language: str = "en") -> Client:
    client = client_for(user)
    client.cookies["nomadcloud_language"] = language
    return client


@pytest.fixture
def nomad(world: World) -> Profile:
    """Bob: Python at level 3 (certified), SQL self-declared, English C1 and native Chinese,
    in Danzhou, 800 CNY a day."""
    lookup.forget()
    concepts = make_concepts()
    me = Principal.for_user(world.bob)
    talent_services.declare_skill(
        principal=me,
        concept=concepts["python"],
        level=3,
        evidence=talent_services.EvidenceInput(source="Python Institute", reference="PCAP-1"),
    )
    talent_services.declare_skill(principal=me, concept=concepts["sql"], level=4)
    talent_services.set_language(principal=me, language="en", level="C1")
    talent_services.set_language(principal=me, language="zh", level="native")
    talent_services.update_profile(
        principal=me,
        changes=ProfileChanges(
            headline_en="Python data engineer",
            headline_zh="Python 数据工程师",
            location="海南省儋州市",
            time_zone="Asia/Shanghai",
            rate_amount="800",
            rate_unit="day",
            visibility=dict.fromkeys(("about", "rate", "languages", "skills"), "members"),
        ),
    )
    matcher.reset()
    return Profile.objects.get(user=world.bob)


def test_a_language_filter_hides_a_near_miss_and_both_sides_are_told(
    world: World, nomad: Profile
) -> None:
    demand = published(world, languages=["ja"])  # Bob speaks no Japanese
    assert services.refresh_demand(demand.pk) == 0
    services.refresh_profile(nomad.pk)
    match = Match.objects.get(demand=demand, profile=nomad)
    assert match.near_miss and match.hidden_by == ["language:ja"]
    assert not match.in_candidates and not match.in_recommendations
    assert match.notified_at is None  # a hidden match notifies no one

    page = _client(world.bob).get("/matching/recommended/").content.decode()
    assert "1 demand hidden: it requires Japanese at B1 or above." in page
    assert 'data-testid="show-near"' in page and 'data-testid="empty"' in page
    near = _client(world.bob).get("/matching/recommended/?near=1").content.decode()
    assert 'data-testid="near-miss"' in near and "It requires Japanese at B1 or above." in near

    url = f"/matching/demands/{demand.public_id}/candidates/"
    page = _client(world.olivia).get(url).content.decode()
    assert "1 nomad hidden: no Japanese at B1 or above given." in page
    assert "Edit the demand" in page
    near = _client(world.olivia).get(url + "?near=1").content.decode()
    assert "Near miss 1" in near and "No Japanese at B1 or above given." in near
    zh = _client(world.olivia, "zh-hans").get(url).content.decode()
    assert "日语" in zh.split('data-testid="hidden-reasons"')[1].split("</section>")[0]

    # Lifting the filter lifts the near miss.
    talent_services.set_language(principal=Principal.for_user(world.bob), language="ja", level="B2")
    services.refresh_profile(nomad.pk)
    match.refresh_from_db()
    assert not match.near_miss and match.hidden_by == [] and match.in_recommendations


def test_a_rate_above_the_budget_is_named_with_the_budget(world: World, nomad: Profile) -> None:
    demand = published(world, budget_min="100", budget_max="500", pay_period="day")
    services.refresh_demand(demand.pk)
    match = Match.objects.get(demand=demand, profile=nomad)
    assert match.hidden_by == ["rate"]
    services.refresh_profile(nomad.pk)
    near = _client(world.bob).get("/matching/recommended/?near=1").content.decode()
    assert "Your expected rate (¥800 a day) is above its budget of ¥500 a day." in near
    page = _client(world.olivia).get(f"/matching/demands/{demand.public_id}/candidates/")
    assert "their expected rate is above your budget of ¥500 a day" in page.content.decode() or (
        "the expected rate is above your budget of ¥500 a day" in page.content.decode()
    )


def test_a_tool_never_counts_as_the_required_skill() -> None:
    labelling, studio = 1, 2
    links = Links(broader=[(studio, labelling)])  # the tool sits under the skill
    demand = DemandFeatures(key=1, requirements=(Requirement(labelling, 5, "required", 2.0),))
    with_tool = ProfileFeatures(key=1, tools=(Holding(studio, 1, "self"),))
    with_skill = ProfileFeatures(key=2, skills=(Holding(labelling, 4, "verified"),))
    weights = Weights()
    tool_item = score_pair(with_tool, demand, links=links, weights=weights).items[0]
    assert tool_item.via_kind == "tool" and tool_item.credit > 0
    assert tool_item.status == "partial"
    skill_item = score_pair(with_skill, demand, links=links, weights=weights).items[0]
    assert skill_item.status == "met"


def test_candidate_cards_show_what_to_decide_from_and_hide_the_identity(
    world: World, nomad: Profile
) -> None:
    concepts = make_concepts()
    charlie = Principal.for_user(world.charlie)
    talent_services.declare_skill(
        principal=charlie,
        concept=concepts["python"],
        level=3,
        evidence=talent_services.EvidenceInput(source="Python Institute", reference="PCAP-2"),
    )
    talent_services.set_language(principal=charlie, language="zh", level="native")
    talent_services.set_language(principal=charlie, language="en", level="B2")
    matcher.reset()
    demand = published(world)
    assert services.refresh_demand(demand.pk) == 2
    url = f"/matching/demands/{demand.public_id}/candidates/"
    page = _client(world.olivia).get(url).content.decode()
    assert page.count('data-testid="candidate-card"') == 2
    assert "Python data engineer" in page and "海南省儋州市" in page
    assert "Asia/Shanghai (UTC+08:00)" in page
    assert "¥800 per day" in page and "Chinese · " in page and "English · C1" in page
    assert "certified" in page  # Bob's strongest evidence
    assert world.bob.display_name not in page and world.charlie.display_name not in page
    assert f"/talent/nomads/{nomad.public_id}/" not in page

    ids = [str(p.public_id) for p in Profile.objects.filter(matches__demand=demand)]
    compare = _client(world.olivia).get(
        f"/matching/demands/{demand.public_id}/compare/", {"p": ids}
    )
    assert compare.status_code == 200
    table = compare.content.decode()
    assert table.count('data-testid="candidate-name"') == 2
    assert world.bob.display_name not in table and "Candidate 1" in table
    one = _client(world.olivia).get(
        f"/matching/demands/{demand.public_id}/compare/", {"p": ids[:1]}
    )
    assert one.status_code == 302
    outsider = _client(world.charlie).get(
        f"/matching/demands/{demand.public_id}/compare/", {"p": ids}
    )
    assert outsider.status_code in {403, 404}

    invitation = services.invite(
        principal=Principal.for_user(world.olivia), demand=demand, profile=nomad
    )
    page = _client(world.olivia).get(url).content.decode()
    assert world.bob.display_name not in page  # invited is not accepted
    services.respond(principal=Principal.for_user(world.bob), invitation=invitation, accept=True)
    page = _client(world.olivia).get(url).content.decode()
    assert world.bob.display_name in page
    assert f"/talent/nomads/{nomad.public_id}/" in page


def test_an_empty_recommendation_list_suggests_the_next_step(world: World) -> None:
    page = _client(world.rita).get("/matching/recommended/").content.decode()
    assert 'data-testid="empty"' in page and "/talent/profile/" in page
