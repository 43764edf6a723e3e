"""The talent API: profiles as others see them, the level rule, eligibility, applications
with evidence, decisions and public certificate verification."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from nomadcloud.talent.models import Application, Certificate, ProfileSkill
from tests.builders.talent import PDF, talent_zone
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import assert_error

API = "/api/v1/talent"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


def in_language(user: Any, language: str) -> Client:
    """A signed-in client reading in ``language`` (the cookie overrides the saved choice)."""
    client = client_for(user)
    client.cookies["nomadcloud_language"] = language
    return client


def send(client: Client, method: str, path: str, body: Any = None) -> Any:
    return client.generic(
        method, path, json.dumps(body) if body is not None else "", content_type="application/json"
    )


def test_the_public_profile_shows_only_shared_sections_and_no_contact_details(
    world: World,
) -> None:
    zone = talent_zone(world)
    rita = in_language(world.rita, "en")
    send(rita, "PATCH", f"{API}/me/profile", {"visibility": {"tools": "private"}})
    anonymous = Client().get(f"{API}/nomads/{zone.profile.public_id}").json()
    assert anonymous["visible_sections"] == ["about", "skills"]
    assert anonymous["headline_en"] == "Data analyst"
    assert anonymous["skills"][0]["concept"]["code"] == "nc.sql"
    assert anonymous["tools"] is None and anonymous["rate_amount"] is None
    member = client_for(world.charlie).get(f"{API}/nomads/{zone.profile.public_id}").json()
    assert "projects" in member["visible_sections"] and "tools" not in member["visible_sections"]
    text = json.dumps(member) + Client().get(f"/talent/nomads/{zone.profile.public_id}/").text
    assert "rita@example.com" not in text


def test_bad_input_is_named_and_localized(world: World) -> None:
    en = send(
        in_language(world.rita, "en"),
        "PATCH",
        f"{API}/me/profile",
        {"time_zone": "Nowhere/Town"},
    )
    zh = send(
        in_language(world.rita, "zh-hans"),
        "PATCH",
        f"{API}/me/profile",
        {"time_zone": "Nowhere/Town"},
    )
    assert en.status_code == zh.status_code == 422
    assert list(en.json()["fields"]) == ["time_zone"] == list(zh.json()["fields"])
    assert en.json()["code"] == "invalid_input"
    level_en = send(
        in_language(world.rita, "en"),
        "POST",
        f"{API}/me/skills",
        {"skill": "nc.sql", "level": 9},
    )
    level_zh = send(
        in_language(world.rita, "zh-hans"),
        "POST",
        f"{API}/me/skills",
        {"skill": "nc.sql", "level": 9},
    )
    assert list(assert_error(level_en, "invalid_input")["fields"]) == ["level"]
    assert level_en.json()["fields"]["level"] != level_zh.json()["fields"]["level"]


def test_a_raise_without_evidence_is_refused_and_a_certificate_allows_it(world: World) -> None:
    talent_zone(world)
    rita = in_language(world.rita, "en")
    refused = send(rita, "POST", f"{API}/me/skills", {"skill": "nc.sql", "level": 2})
    assert refused.status_code == 422
    assert refused.json()["code"] == "level_needs_evidence"
    assert "level" in refused.json()["fields"]
    allowed = send(
        rita,
        "POST",
        f"{API}/me/skills",
        {"skill": "nc.sql", "level": 2, "evidence": {"source": "人社部", "reference": "Z-9"}},
    )
    assert allowed.status_code == 201, allowed.content
    body = allowed.json()
    assert (body["level"], body["supported_level"]) == (2, 2)
    assert body["evidence"][0]["kind"] == "certified"
    assert "二级" in body["level_label"] or "Level 2" in body["level_label"]


def test_eligibility_explains_each_criterion(world: World) -> None:
    talent_zone(world)
    response = in_language(world.rita, "en").get(
        f"{API}/eligibility?track=domestic&remote_income_cny_12m=1000&planned_stay_days=120"
        "&clients_outside_city=1"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["rule_version"] == "domestic-v1" and body["qualifies"] is False
    earnings = next(r for r in body["results"] if r["key"] == "earnings")
    assert earnings["met"] is False and "¥1,000.00" in earnings["en"] and earnings["zh"]


def test_apply_review_verify_revoke(world: World) -> None:
    talent_zone(world)
    charlie = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en")
    evidence = [
        {"kind": "income", "file_name": "tax.pdf", "content_base64": base64.b64encode(PDF).decode()}
    ]
    body = {
        "track": "domestic",
        "remote_income_cny_12m": "90000.00",
        "clients_outside_city": 1,
        "planned_stay_days": 100,
        "evidence": evidence,
    }
    created = send(charlie, "POST", f"{API}/applications", body)
    assert created.status_code == 201, created.content
    application_id = created.json()["id"]
    assert created.json()["evidence_files"][0]["content_type"] == "application/pdf"

    wendy = client_for(world.wendy)
    queue = wendy.get(f"{API}/reviews/applications").json()["items"]
    assert application_id in {item["id"] for item in queue}
    assert client_for(world.olivia).get(f"{API}/reviews/applications").json()["items"] == []
    unchecked = send(
        wendy,
        "POST",
        f"{API}/reviews/applications/{application_id}/decision",
        {"approve": True, "reason": "Tax statement checked."},
    )
    assert_error(unchecked, "invalid_input", "checked_evidence")
    decided = send(
        wendy,
        "POST",
        f"{API}/reviews/applications/{application_id}/decision",
        {"approve": True, "reason": "Tax statement checked.", "checked_evidence": True},
    )
    assert decided.status_code == 200, decided.content
    code = decided.json()["certificate_code"]
    assert decided.json()["rule_version"] == "domestic-v1"

    public = Client().get(f"{API}/certificates/{code}").json()
    assert public["state"] == "valid" and public["holder_name"] == "Charlie Outsider"
    assert "email" not in json.dumps(public)
    revoked = send(
        client_for(world.oscar),
        "POST",
        f"{API}/certificates/{code}/revoke",
        {"reason": "Statement was forged."},
    )
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert Client().get(f"{API}/certificates/{code}").json()["state"] == "revoked"
    assert_error(Client().get(f"{API}/certificates/not-a-code"), "not_found")


def test_a_refused_upload_through_the_api_changes_nothing(world: World, settings: Any) -> None:
    talent_zone(world)
    settings.TALENT_EVIDENCE_MAX_BYTES = 1024
    charlie = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en")
    before = database_fingerprint()
    response = send(
        charlie,
        "POST",
        f"{API}/applications",
        {
            "track": "domestic",
            "evidence": [
                {
                    "kind": "income",
                    "file_name": "big.pdf",
                    "content_base64": base64.b64encode(PDF + b"0" * 4096).decode(),
                }
            ],
        },
    )
    assert response.status_code == 422
    assert response.json()["code"] == "file_too_large"
    assert "big.pdf" in response.json()["fields"]["evidence"][0]
    assert database_fingerprint() == before
    assert not Application.objects.filter(applicant=world.charlie).exists()


def test_rule_sets_are_public_and_paged(world: World) -> None:
    talent_zone(world)
    page = Client().get(f"{API}/rule-sets?limit=1").json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = Client().get(f"{API}/rule-sets?limit=1&cursor={page['next_cursor']}").json()
    assert rest["items"][0]["version"] != page["items"][0]["version"]


def test_removing_a_skill_of_someone_else_is_not_found(world: World) -> None:
    zone = talent_zone(world)
    response = send(client_for(world.charlie), "DELETE", f"{API}/me/skills/{zone.skill.pk}")
    assert_error(response, "not_found")
    assert ProfileSkill.objects.filter(pk=zone.skill.pk).exists()
    assert Certificate.objects.count() == 1
