"""The registration query code (登记查询码) of a pool's data product and the public scenario
library (应用场景库): validated, shown on the public pages and exported in the catalogue
(DCAT-AP, checked with pyshacl; CKAN extras; the Dataspace Protocol dataset)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pyshacl
import pytest
from django.utils import translation
from rdflib import Graph
from rdflib.namespace import DCTERMS, SKOS

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, InvalidInput
from nomadcloud.datapools import registration
from nomadcloud.datapools.models import ApplicationScenario
from tests.builders import datapools as b
from tests.conftest import World, client_for
from tests.helpers import api_get, api_post, assert_error, shared_data

CODE = "460000-2026-DP000123"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _conforms(graph: Graph) -> None:
    shapes = Graph().parse(shared_data("standards", "dcat-ap", "dcat-ap-SHACL.ttl"))
    conforms, _report, text = pyshacl.validate(graph, shacl_graph=shapes, inference="rdfs")
    assert conforms, text


def _scenario(world: World, **change: Any) -> dict[str, Any]:
    pool = b.negotiation(world, "agreed").pool
    return {
        "title": {"zh-Hans": "园区通勤路线优化", "en": "Commuter route planning", "ja": "通勤"},
        "summary": {
            "zh-Hans": "用出行聚合数据规划班车线路。",
            "en": "Shuttle routes planned from trip aggregates.",
        },
        "outcome": {"zh-Hans": "通勤时间缩短12%。", "en": "Commutes 12% shorter."},
        "enterprise": str(world.globex.public_id),
        "pools": [str(pool.public_id)],
        **change,
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("46-2026-1", "like 460000-2026-DP000123"),
        ("110000-2026-DP000123", "not issued in Hainan"),
        ("460000-2099-DP000123", "in the future"),
    ],
)
def test_a_malformed_code_is_refused_with_a_localized_reason(raw: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        registration.normalise(raw)
    assert message in refused.value.fields["code"][0]
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as chinese:
        registration.normalise("bad")
    assert "登记查询码" in chinese.value.fields["code"][0]
    assert registration.normalise(" 460100-2026-dp000123 ") == "460100-2026-DP000123"


def test_registration_is_shown_and_exported(world: World) -> None:
    fresh = b.traffic_pool(world, "closed")
    with pytest.raises(Conflict) as early:
        registration.register(principal=Principal.for_user(world.olivia), pool=fresh, code=CODE)
    assert early.value.code == "nothing_released"
    pool = b.busy_pool(world)
    path = f"/api/v1/datapools/pools/{pool.public_id}/registration"
    assert_error(api_post(world.olivia, path, {"code": "nope"}), "invalid_input", field="code")
    assert_error(api_post(world.charlie, path, {"code": CODE}), "steward_only")
    made = api_post(world.olivia, path, {"code": CODE.lower()})
    assert made.status_code == 200 and made.json()["registration_code"] == CODE
    page = client_for(None, HTTP_ACCEPT_LANGUAGE="en").get(f"/datapools/{pool.public_id}/")
    assert CODE.encode() in page.content
    package = client_for(None).get("/api/3/action/package_show", {"id": str(pool.public_id)})
    extras = {e["key"]: e["value"] for e in package.json()["result"]["extras"]}
    assert extras["registration_code"] == CODE
    turtle = client_for(None).get(f"/dataset/{pool.public_id}.ttl").content
    graph = Graph().parse(data=turtle, format="turtle")
    assert CODE in {str(o) for o in graph.objects(None, SKOS.notation)}
    _conforms(graph)


def test_the_scenario_library(world: World) -> None:
    pool = b.negotiation(world, "agreed").pool
    api = "/api/v1/datapools/scenarios"
    # Only an enterprise holding an agreement, about the pools it holds one for.
    assert_error(
        api_post(world.olivia, api, _scenario(world, enterprise=str(world.acme.public_id))),
        "invalid_input",
        field="pools",
    )
    no_english = _scenario(world, title={"zh-Hans": "只有中文"})
    assert_error(api_post(world.charlie, api, no_english), "invalid_input", field="title")
    made = api_post(world.charlie, api, _scenario(world))
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["title"]["ja"] == "通勤" and body["pools"] == [str(pool.public_id)]
    listed = api_get(None, api).json()["items"]
    assert [s["id"] for s in listed] == [body["id"]]
    english = client_for(None, HTTP_ACCEPT_LANGUAGE="en")
    assert b"Commuter route planning" in english.get("/datapools/scenarios/").content
    detail = english.get(f"/datapools/scenarios/{body['id']}/").content
    assert b"Commutes 12% shorter." in detail
    chinese = client_for(None, HTTP_ACCEPT_LANGUAGE="zh-Hans").get(f"/datapools/{pool.public_id}/")
    assert "园区通勤路线优化" in chinese.content.decode()
    turtle = client_for(None).get(f"/dataset/{pool.public_id}.ttl").content
    graph = Graph().parse(data=turtle, format="turtle")
    referenced = {str(o) for o in graph.objects(None, DCTERMS.isReferencedBy)}
    assert any(r.endswith(f"/datapools/scenarios/{body['id']}/") for r in referenced)
    package = client_for(None).get("/api/3/action/package_show", {"id": str(pool.public_id)})
    extras = {e["key"]: e["value"] for e in package.json()["result"]["extras"]}
    assert extras["application_scenarios"].endswith(f"/datapools/scenarios/{body['id']}/")
    # The form: shown to the enterprise's editor; a pool without agreement is not offered.
    charlie = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en")
    form = charlie.get("/datapools/scenarios/new/")
    assert form.status_code == 200 and str(pool.public_id).encode() in form.content
    posted = charlie.post(
        "/datapools/scenarios/new/",
        {
            "enterprise": str(world.globex.public_id),
            "title_zh-Hans": "第二个场景",
            "title_en": "",
            "summary_zh-Hans": "说明",
            "summary_en": "Summary",
            "outcome_zh-Hans": "结果",
            "outcome_en": "Outcome",
            "pools": [str(pool.public_id)],
        },
    )
    assert posted.status_code == 422 and ApplicationScenario.objects.count() == 1
    assert client_for(world.bob).get("/datapools/scenarios/new/").status_code == 403
    _conforms(graph)  # last: skipped where the shared data folder is absent


def test_the_steward_writes_a_new_charter_version_on_the_page(world: World) -> None:
    pool = b.traffic_pool(world, "closed")  # a pool of its own: the others keep their charter
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    page = olivia.get(f"/datapools/{pool.public_id}/charter/")
    assert page.status_code == 200 and b"dpv:ResearchAndDevelopment" in page.content
    assert client_for(world.charlie).get(f"/datapools/{pool.public_id}/charter/").status_code == 403
    fields = {
        "purposes": ["dpv:ResearchAndDevelopment"],
        "data_categories": ["pd:Location"],
        "classification": "general",
        "grade": "pi",
        "consent_notice_version": "2027-01",
        "access_modes": ["aggregate"],
        "points_per_row": "3",
        "fee_share_percent": "40",
        "retention_days": "365",
        "columns": '[{"name": "day", "type": "date", "required": true}]',
        "dp_epsilon_budget": "2.5",
    }
    bad = olivia.post(f"/datapools/{pool.public_id}/charter/", {**fields, "columns": "[{}]"})
    assert bad.status_code == 422 and pool.charters.count() == 1
    done = olivia.post(f"/datapools/{pool.public_id}/charter/", fields)
    assert done.status_code == 302
    newest = pool.charters.order_by("-version").first()
    assert newest is not None and newest.version == 2
    assert (newest.points_per_row, newest.fee_share_percent) == (3, 40)
    assert newest.consent_notice_version == "2027-01"
    # the privacy budget is a charter term like the others: a revision keeps what was entered
    assert newest.dp_epsilon_budget == Decimal("2.5")
