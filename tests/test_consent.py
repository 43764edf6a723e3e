"""Per-purpose consent records (docs/consent.md): giving, asking, withdrawing (page with a
confirmation, API), expiry, JSON-LD export on ISO/IEC TS 27560 with DPV terms, and the
privacy export and erasure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from nomadcloud.consent import events, jsonld, queries, services
from nomadcloud.consent.models import ConsentRecord
from nomadcloud.core import privacy
from nomadcloud.core.errors import Conflict, InvalidInput, NotFound
from tests.builders.consent import prefill_consent
from tests.conftest import World, client_for
from tests.helpers import api_get, api_post, assert_error


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_consent_is_per_purpose_and_recipient_until_withdrawn(world: World) -> None:
    record = prefill_consent(world.charlie)
    assert queries.has_consent(world.charlie, purpose="dpv:ServiceProvision", recipient="onecard")
    assert not queries.has_consent(
        world.charlie, purpose="dpv:ServiceProvision", recipient="communities"
    )
    assert not queries.has_consent(
        world.charlie, purpose="dpv:ResearchAndDevelopment", recipient="onecard"
    )
    assert not queries.has_consent(world.bob, purpose="dpv:ServiceProvision", recipient="onecard")
    seen: list[events.ConsentWithdrawn] = []
    events.consent_withdrawn.connect(seen.append, uid="test.withdrawn")
    try:
        with pytest.raises(NotFound):
            services.withdraw_consent(record, actor=world.bob)
        services.withdraw_consent(record, actor=world.charlie)
    finally:
        events.consent_withdrawn.disconnect("test.withdrawn")
    assert [(e.purpose, e.recipients) for e in seen] == [("dpv:ServiceProvision", ("onecard",))]
    assert not queries.has_consent(
        world.charlie, purpose="dpv:ServiceProvision", recipient="onecard"
    )
    with pytest.raises(Conflict) as caught:
        services.withdraw_consent(record, actor=world.charlie)
    assert caught.value.code == "already_withdrawn"


def test_expired_consent_does_not_count(world: World) -> None:
    now = timezone.now()
    services.give_consent(
        world.bob,
        purpose="dpv:LegalCompliance",
        data_categories=["pd:Passport", "pd:Nationality"],
        recipients=["gongan"],
        notice_version="2026-12",
        method="web_form",
        legal_basis="dpv:ExplicitlyExpressedConsent",
        expires_at=now + timedelta(days=1),
        at=now,
    )
    assert queries.has_consent(world.bob, purpose="dpv:LegalCompliance", recipient="gongan")
    assert not queries.has_consent(
        world.bob, purpose="dpv:LegalCompliance", recipient="gongan", at=now + timedelta(days=2)
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": "Marketing"}, "purpose"),
        ({"data_categories": ["pd:ShoeSize"]}, "data_categories"),
        ({"data_categories": []}, "data_categories"),
        ({"recipients": [""]}, "recipients"),
        ({"legal_basis": "dpv:LegitimateInterest"}, "legal_basis"),
        ({"method": "telepathy"}, "method"),
        ({"notice_version": " "}, "notice_version"),
    ],
)
def test_give_consent_refuses_unknown_terms(world: World, change: dict, field: str) -> None:
    given = {
        "purpose": "dpv:ServiceProvision",
        "data_categories": ["pd:Name"],
        "recipients": ["onecard"],
        "notice_version": "2026-12",
        "method": "web_form",
    } | change
    with pytest.raises(InvalidInput) as caught:
        services.give_consent(world.bob, **given)
    assert list(caught.value.fields) == [field]


def test_json_ld_follows_iso_27560_with_dpv_terms(world: World) -> None:
    record = prefill_consent(world.charlie)
    document = jsonld.document([record])
    assert document["@context"]["dpv"] == "https://w3id.org/dpv#"
    (node,) = document["@graph"]
    assert node["@type"] == "dpv:ConsentRecord"
    assert node["@id"] == f"urn:uuid:{record.public_id}"
    assert node["dpv:hasDataSubject"]["@id"] == f"urn:uuid:{world.charlie.public_id}"
    assert node["dpv:hasPurpose"]["@id"] == "dpv:ServiceProvision"
    assert node["dpv:hasPersonalData"] == [{"@id": "pd:Name"}, {"@id": "pd:Passport"}]
    assert node["dpv:hasLegalBasis"] == {"@id": "dpv:Consent"}
    assert node["dpv:hasConsentStatus"] == {"@id": "dpv:ConsentGiven"}
    assert node["dpv:hasNotice"] == {"dct:hasVersion": "2026-12"}
    assert "dpv:hasWithdrawalTime" not in node


def test_the_privacy_export_holds_the_records_and_erasure_withdraws_them(world: World) -> None:
    record = prefill_consent(world.charlie)
    assert privacy.registered("consent") and privacy.registered("payouts")
    section = privacy.export_for(world.charlie)["consent"]
    assert [n["@id"] for n in section["@graph"]] == [f"urn:uuid:{record.public_id}"]
    from nomadcloud.consent import personal_data

    personal_data.erase(world.charlie)
    record.refresh_from_db()
    assert record.withdrawn_at is not None


def test_the_owner_lists_and_withdraws_on_the_page_after_confirming(world: World) -> None:
    record = prefill_consent(world.charlie)
    client = client_for(world.charlie)
    page = client.get("/consent/")
    assert page.status_code == 200
    assert "一卡通办 once-only prefill" in page.content.decode()
    confirm = client.get(f"/consent/{record.public_id}/withdraw/")
    assert confirm.status_code == 200
    assert b'data-testid="confirm-button"' in confirm.content
    refused = client.post(f"/consent/{record.public_id}/withdraw/")
    assert refused.status_code == 302
    record.refresh_from_db()
    assert record.withdrawn_at is None
    done = client.post(f"/consent/{record.public_id}/withdraw/", {"confirm": "yes"})
    assert done.status_code == 302
    record.refresh_from_db()
    assert record.withdrawn_at is not None
    download = client.get("/consent/records.jsonld")
    assert download["Content-Type"] == "application/ld+json"
    assert download.json()["@graph"][0]["dpv:hasConsentStatus"] == {"@id": "dpv:ConsentWithdrawn"}
    # Someone else's record is no such consent.
    assert client_for(world.bob).get(f"/consent/{record.public_id}/withdraw/").status_code == 404


def test_the_api_lists_exports_and_withdraws(world: World) -> None:
    record = prefill_consent(world.charlie)
    listed = api_get(world.charlie, "/api/v1/consent/records")
    assert listed.status_code == 200
    (item,) = listed.json()["items"]
    assert (item["purpose"], item["status"]) == ("dpv:ServiceProvision", "dpv:ConsentGiven")
    assert api_get(world.bob, "/api/v1/consent/records").json()["items"] == []
    exported = api_get(world.charlie, "/api/v1/consent/records.jsonld")
    assert exported.json()["@graph"][0]["@type"] == "dpv:ConsentRecord"
    assert_error(
        api_post(world.bob, f"/api/v1/consent/records/{record.public_id}/withdraw"),
        "not_found",
    )
    withdrawn = api_post(world.charlie, f"/api/v1/consent/records/{record.public_id}/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "dpv:ConsentWithdrawn"
    assert_error(
        api_post(world.charlie, f"/api/v1/consent/records/{record.public_id}/withdraw"),
        "already_withdrawn",
        status=409,
    )
    assert ConsentRecord.objects.get(pk=record.pk).withdrawn_by == world.charlie
