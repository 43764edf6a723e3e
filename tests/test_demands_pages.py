"""The public demand list (需求清单) with its filters, JSON and RSS feeds, each demand's page
with its JobPosting JSON-LD, the operators' CSV export, and the job profile."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client

from nomadcloud.accounts.principal import Principal
from nomadcloud.demands import services
from nomadcloud.demands.models import Demand, JobProfileTag
from nomadcloud.demands.schemas import DemandPatch
from tests.builders.demands import demand_draft, draft, make_concepts, published
from tests.conftest import World
from tests.helpers import assert_error, assert_page_refused


def _client(user: Any = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def listing(world: World) -> dict[str, Demand]:
    owner = Principal.for_user(world.olivia)
    make_concepts()
    return {
        "python": published(world),
        "labelling": services.create_demand(
            principal=owner,
            organisation=world.acme,
            status="published",
            draft=demand_draft(
                kind="data_task",
                title_zh="图像数据标注",
                title_en="Image labelling",
                skills=[{"code": "nc.data-annotation", "min_level": 1}],
                tools=[],
                languages=["zh"],
                budget_min="3000.00",
                budget_max="5000.00",
                pay_period="total",
            ),
        ),
        "onsite": services.create_demand(
            principal=owner,
            organisation=world.acme,
            status="published",
            draft=demand_draft(
                title_zh="洋浦现场运维",
                title_en="On-site operations in Yangpu",
                work_mode="onsite",
                location="洋浦",
                languages=["zh"],
                budget_min="8000.00",
                budget_max="9000.00",
            ),
        ),
        "draft": draft(world, title_zh="未发布的需求", title_en="Unpublished demand"),
    }


def _titles(response: Any) -> set[str]:
    return set(
        re.findall(
            r'data-testid="demand-card">\s*<h3><a [^>]*>([^<]+)</a>', response.content.decode()
        )
    )


def test_anyone_sees_published_demands_only(listing: dict[str, Demand]) -> None:
    response = _client().get("/demands/")
    assert response.status_code == 200
    assert _titles(response) == {
        "Python data engineer",
        "Image labelling",
        "On-site operations in Yangpu",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("skill=nc.data-annotation", {"Image labelling"}),
        ("skill=nc.docker", {"Python data engineer", "On-site operations in Yangpu"}),
        ("kind=data_task", {"Image labelling"}),
        ("remote=1", {"Python data engineer", "Image labelling"}),
        ("remote=0", {"On-site operations in Yangpu"}),
        ("budget_min=10000", {"Python data engineer"}),
        ("budget_max=8500", {"Image labelling", "On-site operations in Yangpu"}),
        ("language=en", {"Python data engineer"}),
        ("remote=1&language=zh", {"Python data engineer", "Image labelling"}),
    ],
)
def test_the_list_filters(listing: dict[str, Demand], query: str, expected: set[str]) -> None:
    assert _titles(_client().get(f"/demands/?{query}")) == expected


def test_the_json_feed_lists_jobpostings_with_the_same_filters(
    listing: dict[str, Demand],
) -> None:
    response = _client().get("/demands/feed.json?remote=1")
    assert response.status_code == 200
    postings = response.json()
    assert {p["@type"] for p in postings} == {"JobPosting"}
    assert {p["identifier"]["value"] for p in postings} == {
        str(listing["python"].public_id),
        str(listing["labelling"].public_id),
    }


def test_the_rss_feed(listing: dict[str, Demand]) -> None:
    response = _client().get("/demands/feed.rss?kind=data_task")
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # noqa: S314 — our own feed
    channel = root.find("channel")
    assert channel is not None
    items = channel.findall("item")
    assert [i.findtext("link") for i in items] == [
        f"http://127.0.0.1:8000/demands/{listing['labelling'].public_id}/"
    ]


def test_a_demand_page_carries_jobposting_json_ld(listing: dict[str, Demand]) -> None:
    demand = listing["python"]
    page = _client().get(f"/demands/{demand.public_id}/").content.decode()
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["@type"] == "JobPosting"
    assert data["title"] == "Python data engineer"
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["hiringOrganization"]["name"] == "Acme"
    assert data["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "CNY",
        "value": {
            "@type": "QuantitativeValue",
            "unitText": "MONTH",
            "minValue": "15000.00",
            "maxValue": "25000.00",
        },
    }
    assert data["skills"] == ["Python", "Docker"]
    assert data["datePosted"] == demand.published_at.date().isoformat()  # type: ignore[union-attr]


def test_json_ld_cannot_close_its_script(world: World) -> None:
    demand = published(world, title_en="</script><script>alert(1)</script>")
    page = _client().get(f"/demands/{demand.public_id}/").content.decode()
    assert "</script><script>alert(1)" not in page


def test_a_draft_is_hidden_from_outsiders_but_seen_by_members(
    world: World, listing: dict[str, Demand]
) -> None:
    path = f"/demands/{listing['draft'].public_id}/"
    assert _client().get(path).status_code == 404
    assert _client(world.charlie).get(path).status_code == 404
    assert _client(world.rita).get(path).status_code == 200
    assert _client(world.oscar).get(path).status_code == 200
    api = f"/api/v1/demands/{listing['draft'].public_id}"
    assert_error(_client(world.charlie).get(api), "not_found")


def test_the_api_list_shows_published_and_own_demands(
    world: World, listing: dict[str, Demand]
) -> None:
    anonymous = _client().get("/api/v1/demands").json()["items"]
    assert len(anonymous) == 3
    member = _client(world.rita).get("/api/v1/demands").json()["items"]
    assert len(member) == 4
    filtered = _client().get("/api/v1/demands?skill=nc.data-annotation").json()["items"]
    assert [d["title_en"] for d in filtered] == ["Image labelling"]


def test_operators_export_csv(world: World, listing: dict[str, Demand]) -> None:
    published(world, title_en='=HYPERLINK("http://evil")')
    response = _client(world.oscar).get("/demands/export.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 5
    assert {r["status"] for r in rows} == {"published", "draft"}
    assert any(r["title_en"].startswith("'=HYPERLINK") for r in rows)
    assert _client(world.charlie).get("/demands/export.csv").status_code == 403


def test_the_owner_creates_a_demand_in_chinese_on_the_page(world: World) -> None:
    make_concepts()
    client = _client(world.olivia)
    response = client.post(
        f"/demands/organisations/{world.acme.public_id}/new/",
        {
            "kind": "job",
            "title_zh": "C++ 后端工程师",
            "description_zh": "熟悉 C++ 与 Python，负责高性能服务开发。",
            "skills": "nc.python 3\nnc.sql 2 optional",
            "tools": "nc.cpp",
            "languages": "zh，en",
            "work_mode": "remote",
            "pay_period": "month",
            "budget_min": "20000",
            "budget_max": "30000.50",
            "headcount": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    demand = Demand.objects.get(title_zh="C++ 后端工程师")
    assert [(s.concept.code, s.min_level, s.required) for s in demand.skills.all()] == [
        ("nc.python", 3, True),
        ("nc.sql", 2, False),
    ]
    assert str(demand.budget_max) == "30000.50"
    assert sorted(lang.code for lang in demand.languages.all()) == ["en", "zh"]
    client.post(f"/demands/{demand.public_id}/status/", {"status": "published"})
    demand.refresh_from_db()
    assert demand.status == "published"
    assert "C++ 后端工程师" in _client().get("/demands/").content.decode()


def test_an_unknown_skill_on_the_form_is_shown_on_the_field(world: World) -> None:
    make_concepts()
    response = _client(world.olivia).post(
        f"/demands/organisations/{world.acme.public_id}/new/",
        {
            "kind": "job",
            "title_zh": "测试",
            "skills": "nc.nonexistent 2",
            "work_mode": "remote",
            "pay_period": "month",
            "headcount": "1",
        },
    )
    assert_page_refused(response, 422, "nc.nonexistent")
    assert not Demand.objects.exists()


# --- job profile ------------------------------------------------------------------------------


def test_removed_tags_stay_removed_and_manual_tags_stay(world: World) -> None:
    owner = Principal.for_user(world.olivia)
    demand = published(world)
    auto = {t.concept.code: t for t in demand.profile_tags.select_related("concept")}
    assert set(auto) == {"nc.python", "nc.sql"}
    assert auto["nc.sql"].matched == ["SQL"]
    services.remove_profile_tag(principal=owner, demand=demand, tag_id=auto["nc.sql"].pk)
    services.add_profile_tag(principal=owner, demand=demand, code="nc.docker")

    services.update_demand(
        principal=owner,
        demand=demand,
        changes=DemandPatch(description_zh="熟悉 Python、SQL 与 C++，数据标注经验优先。"),
    )
    visible = {
        t.concept.code: t.origin
        for t in JobProfileTag.objects.filter(demand=demand, removed=False).select_related(
            "concept"
        )
    }
    assert visible == {
        "nc.python": "auto",
        "nc.cpp": "auto",
        "nc.data-annotation": "auto",
        "nc.docker": "manual",
    }
    page = _client().get(f"/demands/{demand.public_id}/").content.decode()
    assert "数据标注" in page


def test_a_chinese_demand_gets_tags_with_the_words_they_came_from(world: World) -> None:
    demand = published(world)
    services.update_demand(
        principal=Principal.for_user(world.olivia),
        demand=demand,
        changes=DemandPatch(description_zh="熟悉C++与Docker，有数据标注经验。"),
    )
    tags = {t.concept.code: t.matched for t in demand.profile_tags.select_related("concept")}
    assert tags == {
        "nc.python": ["Python"],  # from the title
        "nc.cpp": ["C++"],
        "nc.docker": ["Docker"],
        "nc.data-annotation": ["数据标注"],
    }


def test_the_enterprise_sees_each_proposed_tags_confidence_before_publishing(world: World) -> None:
    demand = published(world)
    scores = dict(demand.profile_tags.values_list("concept__code", "score"))
    owner_page = _client(world.olivia).get(f"/demands/{demand.public_id}/").content.decode()
    assert owner_page.count('data-testid="tag-confidence"') == len(scores)
    assert f"置信度 {round(scores['nc.python'] * 100)}%" in owner_page  # her language
    # Visitors see the profile, not how sure the proposal was.
    assert (
        'data-testid="tag-confidence"'
        not in _client().get(f"/demands/{demand.public_id}/").content.decode()
    )
