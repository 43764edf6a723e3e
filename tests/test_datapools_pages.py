"""The pages of data pools beyond the API (docs/datapools.md): proposing a pool with its
charter, requesting access (a term the charter refuses is named on the form), the
negotiation's moves by side, aggregates on the page (a group below k refused on the form),
the reward run from the pool page; and the CKAN search done in SQL (filters, sorts, facets,
``q`` over both languages) with ``group_show``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from nomadcloud.accounts.models import Organisation
from nomadcloud.datapools.models import Negotiation, Pool, RewardLine
from tests.builders import datapools as b
from tests.builders.world import verify_org
from tests.conftest import World, client_for

CKAN = "/api/3/action"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _proposal(world: World, **change: Any) -> dict[str, Any]:
    fields = b.pool_fields()
    charter = fields["charter"]
    return {
        "steward": str(world.acme.public_id),
        "kind": "traffic",
        "title_zh-Hans": fields["title"]["zh-Hans"],
        "title_en": fields["title"]["en"],
        "description_zh-Hans": fields["description"]["zh-Hans"],
        "description_en": fields["description"]["en"],
        "purposes": charter["purposes"],
        "data_categories": charter["data_categories"],
        "classification": "general",
        "grade": "pi",
        "consent_notice_version": b.NOTICE,
        "access_modes": charter["access_modes"],
        "points_per_row": "2",
        "fee_share_percent": "30",
        "retention_days": "730",
        "columns": json.dumps(charter["columns"]),
        **change,
    }


def test_a_steward_proposes_a_pool_on_the_page(world: World) -> None:
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    page = olivia.get("/datapools/propose/")
    assert page.status_code == 200 and str(world.acme.public_id) in page.content.decode()
    bad = olivia.post(
        "/datapools/propose/", _proposal(world, columns='[{"name": "Bad Name", "type": "x"}]')
    )
    assert bad.status_code == 422
    assert "columns" in bad.context["form"].errors
    not_json = olivia.post("/datapools/propose/", _proposal(world, columns="[{"))
    assert not_json.context["form"].errors["columns"] == ["The schema is not valid JSON."]
    assert not Pool.objects.filter(steward=world.acme).exists()
    made = olivia.post("/datapools/propose/", _proposal(world))
    pool = Pool.objects.get(steward=world.acme)
    assert made.status_code == 302 and made["Location"] == f"/datapools/{pool.public_id}/"
    assert pool.status == Pool.Status.PROPOSED and pool.lead_department == world.department
    assert pool.charters.get().columns == b.TRAFFIC_SCHEMA


def test_a_kind_without_its_lead_department_is_refused_on_the_form(world: World) -> None:
    assert not Organisation.objects.filter(code="lvwen").exists()
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    refused = olivia.post("/datapools/propose/", _proposal(world, kind="metaverse"))
    assert refused.status_code == 422
    assert refused.context["form"].errors["kind"] == [
        "The lead department of this kind is not set up."
    ]


def test_request_counter_offer_accept_and_aggregate_on_the_pages(world: World) -> None:
    pool = b.busy_pool(world)
    verify_org(world.globex)
    charlie = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en")
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    terms = {
        "consumer": str(world.globex.public_id),
        "purpose": "dpv:ResearchAndDevelopment",
        "access_mode": "aggregate",
        "duration_days": "120",
        "spatial": "DE",
    }
    abroad = charlie.post(f"/datapools/{pool.public_id}/request/", terms)
    assert abroad.status_code == 422
    assert "'spatial' eq 'CN'" in abroad.context["form"].errors["spatial"][0]
    assert not Negotiation.objects.exists()
    sent = charlie.post(f"/datapools/{pool.public_id}/request/", {**terms, "spatial": "CN"})
    made = Negotiation.objects.get()
    assert sent["Location"] == f"/datapools/negotiations/{made.public_id}/"
    base = f"/datapools/negotiations/{made.public_id}"
    assert "negotiation-offer" in olivia.get(f"{base}/").content.decode()
    assert "negotiation-offer" not in charlie.get(f"{base}/").content.decode()
    assert charlie.post(f"{base}/agree/").status_code == 403
    olivia.post(f"{base}/offer/", {"duration_days": "60", "reason": "start small"})
    made.refresh_from_db()
    assert made.state == "offered" and made.policy["nc:durationDays"] == 60
    charlie.post(f"{base}/accept/")
    made.refresh_from_db()
    assert made.state == "confirming"
    # No use before the department's 核定 (decision 0062).
    early = charlie.post(f"{base}/aggregate/", {"group_by": ["area"]})
    assert early.status_code == 302 and not made.uses.exists()  # refused with a message
    wendy = client_for(world.wendy, HTTP_ACCEPT_LANGUAGE="en")
    awaiting = wendy.get("/datapools/negotiations/?state=confirming").content.decode()
    assert base in awaiting
    page = wendy.get(f"{base}/").content.decode()
    assert "negotiation-confirm" in page and "negotiation-terminate" not in page
    assert "negotiation-confirm" not in olivia.get(f"{base}/").content.decode()
    assert olivia.post(f"{base}/confirm/").status_code == 403
    wendy.post(f"{base}/confirm/", {"reason": "Fits charter v1."})
    made.refresh_from_db()
    assert made.state == "agreed" and made.policy["@type"] == "Agreement"
    shown = charlie.get(f"{base}/").content.decode()
    assert 'data-testid="confirmation"' in shown and "Fits charter v1." in shown
    below_k = charlie.post(f"{base}/aggregate/", {"group_by": ["area"]})
    assert below_k.status_code == 422
    assert "fewer than 10" in below_k.context["aggregate_form"].errors["group_by"][0]
    answered = charlie.post(f"{base}/aggregate/", {"group_by": ["mode", "area"]})
    assert answered.status_code == 422  # bus in Sandu holds 2 rows
    assert olivia.post(f"{base}/aggregate/", {"group_by": ["area"]}).status_code == 404
    assert made.uses.count() == 0


def test_the_reward_run_from_the_pool_page_pays_once(world: World) -> None:
    agreed = b.used_last_month(world)
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    url = f"/datapools/{agreed.pool.public_id}/distribute/"
    assert olivia.post(url, {"period": "last month"}).status_code == 302
    assert not RewardLine.objects.exists()
    olivia.post(url, {"period": b.last_month()})
    paid = {line.contributor_id: line.points for line in RewardLine.objects.all()}
    assert paid[world.bob.pk] == 28 and paid[world.charlie.pk] == 16
    again = olivia.post(
        url,
        {"period": b.last_month()},
        follow=True,
        HTTP_REFERER=f"/datapools/{agreed.pool.public_id}/",
    )
    assert "already been distributed" in again.content.decode()
    assert RewardLine.objects.count() == 2
    page = olivia.get(f"/datapools/{agreed.pool.public_id}/").content.decode()
    assert 'data-testid="runs"' in page


def test_package_search_in_sql(world: World) -> None:
    traffic = b.pool_with_contribution(world)
    consumption = b.consumption_pool(world)
    public = client_for(None)

    def search(**params: Any) -> dict[str, Any]:
        response = public.get(f"{CKAN}/package_search", params)
        assert response.status_code == 200, response.content
        result: dict[str, Any] = response.json()["result"]
        return result

    both = search(**{"facet.field": '["groups","tags","organization","license_id"]'})
    assert both["count"] == 2
    assert both["facets"]["groups"] == {"traffic": 1, "consumption": 1}
    assert both["facets"]["tags"]["aggregate"] == 2
    assert both["facets"]["license_id"] == {"other-closed": 2}
    assert search(q="智慧交通")["count"] == 2  # the builders share the title
    assert search(q="consumption")["count"] == 1
    assert search(fq=f"organization:org-{world.globex.public_id}")["count"] == 1
    assert search(fq="-groups:traffic")["results"][0]["id"] == str(consumption.public_id)
    assert search(fq=f"name:{traffic.public_id}")["count"] == 1
    assert search(fq="tags:query_template +groups:consumption")["count"] == 1
    assert search(fq="res_format:Parquet")["count"] == 0
    by_name = search(sort="name asc")["results"]
    assert [p["name"] for p in by_name] == sorted(p["name"] for p in by_name)
    assert search(rows="1", start="1", sort="metadata_created asc")["results"][0]["id"] == str(
        consumption.public_id
    )


def test_group_show(world: World) -> None:
    b.consumption_pool(world)
    public = client_for(None)
    shown = public.get(f"{CKAN}/group_show", {"id": "consumption", "include_datasets": "true"})
    group = shown.json()["result"]
    assert group["name"] == "consumption" and group["package_count"] == 1
    assert len(group["packages"]) == 1
    missing = public.get(f"{CKAN}/group_show", {"id": "weather"})
    assert missing.status_code == 404
    assert missing.json()["error"] == {"__type": "Not Found Error", "message": "Not found: Group"}
    assert public.get(f"{CKAN}/group_show").status_code == 409
