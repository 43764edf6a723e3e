"""Incentives' recorded facts (issue 17): a community's fixed-asset investments counted up to
the statistics bureau's 纳统 figure imported through the dashboard, and an organiser's
conferences and exhibitions; both computed as entitlements and claimed through the same
经核定 review. Bad input is refused with a localized error naming the field, nothing stored."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from nomadcloud.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from nomadcloud.core.inputs import parse_draft
from nomadcloud.incentives import services
from nomadcloud.incentives.models import Claim, Conference, Entitlement, Investment
from nomadcloud.incentives.schemas import ConferenceDraft, InvestmentDraft
from tests.builders.incentives import (
    PDF,
    as_,
    community,
    conference,
    conference_officer,
    evidence,
    investment,
    last_year,
    policy,
    statistics_figure,
)
from tests.conftest import World
from tests.helpers import api_get, api_post, assert_error


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def entitlement(org_id: int, code: str) -> Entitlement:
    return Entitlement.objects.get(organisation_id=org_id, policy__code=code, year=last_year())


def test_investments_count_up_to_the_statistics_figure_and_are_claimed(world: World) -> None:
    year = last_year()
    site = community(world)
    investment(world, site, date(year, 3, 1), "4000000.00")
    investment(world, site, date(year, 9, 1), "2000000.00")
    services.compute_entitlements(year, organisations=[site], notify_organisations=False)
    found = entitlement(site.pk, "community_investment")
    assert not found.eligible  # no 纳统 figure yet: nothing confirmed
    with pytest.raises(Conflict) as missing:
        services.start_claim(
            principal=as_(world.olivia),
            organisation=site,
            policy=policy("community_investment"),
            year=year,
        )
    assert missing.value.code == "statistics_figure_missing"
    assert "year" in missing.value.fields

    statistics_figure(world, site, year, "6000000.00")
    services.compute_entitlements(year, organisations=[site], notify_organisations=False)
    found = entitlement(site.pk, "community_investment")
    assert found.eligible and found.amount == Decimal("300000.00")  # 5 % in 2025
    claim = services.start_claim(
        principal=as_(world.olivia),
        organisation=site,
        policy=policy("community_investment"),
        year=year,
    )
    assert claim.claimed_amount == Decimal("300000.00")
    assert claim.items.count() == 2
    claim = services.submit_claim(principal=as_(world.olivia), claim=claim, declaration="True.")
    officer = as_(world.wendy)  # 市科工信局 verifies the investment policy
    for item in claim.items.all():
        services.verify_item(principal=officer, claim=claim, reference=item.reference, counted=True)
    claim = services.complete_verification(principal=officer, claim=claim)
    assert claim.status == Claim.Status.VERIFIED and claim.amount == Decimal("300000.00")


def test_investments_above_the_statistics_figure_are_flagged_and_the_claim_refused(
    world: World,
) -> None:
    year = last_year()
    site = community(world, "Harbour Lights Community")
    investment(world, site, date(year, 2, 1), "5000000.00")
    late = investment(world, site, date(year, 11, 1), "900000.00")
    statistics_figure(world, site, year, "5500000.00")
    services.compute_entitlements(year, organisations=[site], notify_organisations=False)
    found = entitlement(site.pk, "community_investment")
    assert f"excluded:{late.public_id}:not_statistics_confirmed" in found.reasons
    assert found.amount == Decimal("250000.00")  # only the first, within the figure
    with pytest.raises(Conflict) as above:
        services.start_claim(
            principal=as_(world.olivia),
            organisation=site,
            policy=policy("community_investment"),
            year=year,
        )
    assert above.value.code == "above_statistics_figure"
    assert "¥5,900,000.00" in above.value.message and "¥5,500,000.00" in above.value.message
    assert not Claim.objects.filter(organisation=site).exists()


BAD_INVESTMENTS = [
    ({"amount": "-1.00"}, "amount", "invalid_input"),
    ({"amount": 1200.5}, "amount", "invalid_input"),
    ({"amount": "12.345"}, "amount", "invalid_input"),
    ({"invested_on": date(2024, 12, 31)}, "invested_on", "outside_validity"),
    ({"invested_on": "tomorrow"}, "invested_on", "future_date"),
    ({"evidence": None}, "evidence", "missing_evidence"),
]


@pytest.mark.parametrize(("change", "field", "code"), BAD_INVESTMENTS)
def test_bad_investments_are_refused_naming_the_field(
    world: World, change: dict[str, object], field: str, code: str
) -> None:
    site = community(world, "Refusing Community")
    fields: dict[str, object] = {
        "invested_on": date(last_year(), 5, 1),
        "amount": "1000.00",
        "category": "equipment",
        "description": "Desks",
        "evidence": evidence(),
    }
    fields.update(change)
    if fields["invested_on"] == "tomorrow":
        fields["invested_on"] = timezone.localdate() + timedelta(days=1)
    upload = fields.pop("evidence")
    with pytest.raises(InvalidInput) as refused:
        draft = parse_draft(InvestmentDraft, fields)
        services.record_investment(
            principal=as_(world.olivia), organisation=site, draft=draft, evidence=upload
        )
    assert refused.value.code == code and field in refused.value.fields
    assert not Investment.objects.filter(organisation=site).exists()


def test_only_community_operators_record_investments_and_outsiders_see_nothing(
    world: World,
) -> None:
    draft = parse_draft(
        InvestmentDraft,
        {
            "invested_on": date(last_year(), 5, 1),
            "amount": "1000",
            "category": "other",
            "description": "x",
        },
    )
    with pytest.raises(Forbidden) as refused:
        services.record_investment(
            principal=as_(world.olivia), organisation=world.acme, draft=draft, evidence=evidence()
        )
    assert refused.value.code == "not_a_community"
    site = community(world, "Hidden Community")
    response = api_get(
        world.charlie, f"/api/v1/incentives/organisations/{site.public_id}/investments"
    )
    assert_error(response, "not_found", status=404)
    page = api_get(world.charlie, f"/incentives/organisations/{site.public_id}/investments/")
    assert page.status_code == 404


def test_the_api_records_an_investment_and_refuses_a_float(world: World) -> None:
    site = community(world, "API Community")
    path = f"/api/v1/incentives/organisations/{site.public_id}/investments"
    body = {
        "invested_on": date(last_year(), 6, 1).isoformat(),
        "amount": "2500000.00",
        "category": "network",
        "description": "Fibre and Wi-Fi",
        "evidence_name": "invoice.pdf",
        "evidence_base64": base64.b64encode(PDF).decode(),
    }
    assert_error(
        api_post(world.olivia, path, {**body, "amount": 2500000.5}), "invalid_input", "amount"
    )
    assert_error(
        api_post(world.olivia, path, {**body, "evidence_name": "x.exe"}), "file_type", "evidence"
    )
    assert not Investment.objects.filter(organisation=site).exists()
    made = api_post(world.olivia, path, body)
    assert made.status_code == 201, made.content
    assert made.json()["amount"] == "2500000.00" and made.json()["evidence"] == "invoice.pdf"
    listed = api_get(world.olivia, path)
    assert [i["id"] for i in listed.json()["items"]] == [made.json()["id"]]


def test_conferences_compute_an_entitlement_verified_by_the_department(world: World) -> None:
    year = last_year()
    conference(world, world.acme, date(year, 5, 10), 250, international=True)
    small = conference(world, world.acme, date(year, 8, 10), 120)
    services.compute_entitlements(year, organisations=[world.acme], notify_organisations=False)
    found = entitlement(world.acme.pk, "conference")
    assert found.eligible and found.amount == Decimal("80000.00")  # 50,000 + 30,000 in 2025
    assert f"excluded:{small.public_id}:below_participants" in found.reasons
    claim = services.start_claim(
        principal=as_(world.olivia), organisation=world.acme, policy=policy("conference"), year=year
    )
    claim = services.submit_claim(principal=as_(world.olivia), claim=claim, declaration="True.")
    officer = as_(conference_officer())
    pending = claim.items.filter(state="pending")
    assert pending.count() == 1
    services.verify_item(
        principal=officer, claim=claim, reference=pending.get().reference, counted=True
    )
    claim = services.complete_verification(principal=officer, claim=claim)
    assert claim.amount == Decimal("80000.00")


BAD_CONFERENCES = [
    ({"participants": -5}, "participants", "invalid_input"),
    ({"participants": 10.5}, "participants", "invalid_input"),
    ({"ends_on": "before"}, "ends_on", "invalid_input"),
    ({"starts_on": date(2024, 6, 1), "ends_on": date(2024, 6, 2)}, "starts_on", "outside_validity"),
    ({"ends_on": "tomorrow"}, "ends_on", "not_held_yet"),
    ({"evidence": None}, "evidence", "missing_evidence"),
]


@pytest.mark.parametrize(("change", "field", "code"), BAD_CONFERENCES)
def test_bad_conferences_are_refused_naming_the_field(
    world: World, change: dict[str, object], field: str, code: str
) -> None:
    start = date(last_year(), 4, 1)
    fields: dict[str, object] = {
        "title_zh": "会展",
        "title_en": "Expo",
        "starts_on": start,
        "ends_on": start + timedelta(days=2),
        "venue": "Hall A",
        "participants": 300,
        "evidence": evidence(),
    }
    fields.update(change)
    if fields["ends_on"] == "before":
        fields["ends_on"] = start - timedelta(days=1)
    if fields["ends_on"] == "tomorrow":
        fields["ends_on"] = timezone.localdate() + timedelta(days=1)
    upload = fields.pop("evidence")
    with pytest.raises(InvalidInput) as refused:
        draft = parse_draft(ConferenceDraft, fields)
        services.record_conference(
            principal=as_(world.olivia), organisation=world.acme, draft=draft, evidence=upload
        )
    assert refused.value.code == code and field in refused.value.fields
    assert not Conference.objects.exists()


def test_the_pages_record_both_facts_in_both_languages(world: World) -> None:
    from tests.conftest import client_for

    site = community(world, "Page Community")
    client = client_for(world.olivia)
    page = client.get(f"/incentives/organisations/{site.public_id}/investments/")
    assert page.status_code == 200 and b'data-testid="investment-form"' in page.content
    posted = client.post(
        f"/incentives/organisations/{site.public_id}/investments/",
        {
            "invested_on": date(last_year(), 2, 2).isoformat(),
            "amount": "-3",
            "category": "building",
            "description": "Roof",
        },
    )
    assert posted.status_code == 422
    assert not Investment.objects.filter(organisation=site).exists()
    done = client.post(
        f"/incentives/organisations/{site.public_id}/conferences/",
        {
            "title_zh": "会展",
            "title_en": "Expo",
            "starts_on": date(last_year(), 2, 2).isoformat(),
            "ends_on": date(last_year(), 2, 3).isoformat(),
            "venue": "Hall B",
            "participants": "210",
            "evidence": evidence(),
        },
    )
    assert done.status_code == 302
    zh = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="zh-hans").get(
        f"/incentives/organisations/{site.public_id}/conferences/"
    )
    assert "会议会展".encode() in zh.content and b"Hall B" in zh.content


def test_recorded_facts_are_no_longer_refused_as_not_platform_facts(world: World) -> None:
    for code in ("community_investment", "conference"):
        with pytest.raises(DomainError) as refused:
            services.start_claim(
                principal=as_(world.olivia),
                organisation=world.acme,
                policy=policy(code),
                year=last_year(),
            )
        assert refused.value.code != "not_platform_facts"
