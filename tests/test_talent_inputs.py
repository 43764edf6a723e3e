"""One typed input per profile use case: the profile forms and the API refuse the same bad
value with the same message (the limits are stated once, in ProfileChanges and
ProjectDraft), and a draft cannot be changed once made."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from nomadcloud.talent.models import SECTIONS, Profile, Project
from nomadcloud.talent.schemas import ProfileChanges
from tests.conftest import World, client_for

PROFILE_PAGE = {
    "time_zone": "Asia/Shanghai",
    "availability": "available",
    **{f"{section}_visibility": "members" for section in SECTIONS},
}


def english(user: Any) -> Any:
    client = client_for(user)
    client.cookies["nomadcloud_language"] = "en"
    return client


@pytest.mark.parametrize(
    ("page_path", "context", "page", "api_path", "method", "api", "field"),
    [
        (
            "/talent/profile/",
            "profile_form",
            {**PROFILE_PAGE, "headline_en": "x" * 201},
            "/api/v1/talent/me/profile",
            "PATCH",
            {"headline_en": "x" * 201},
            "headline_en",
        ),
        (
            "/talent/profile/",
            "profile_form",
            {**PROFILE_PAGE, "rate_amount": "12.345", "rate_unit": "hour"},
            "/api/v1/talent/me/profile",
            "PATCH",
            {"rate_amount": "12.345", "rate_unit": "hour"},
            "rate_amount",
        ),
        (
            "/talent/profile/projects/",
            "project_form",
            {"title_en": "Chatbot", "role": "r" * 101, "started_on": "2024-01-01"},
            "/api/v1/talent/me/projects",
            "POST",
            {"title_en": "Chatbot", "role": "r" * 101, "started_on": "2024-01-01"},
            "role",
        ),
    ],
)
def test_the_forms_and_the_api_refuse_a_bad_value_alike(
    world: World,
    page_path: str,
    context: str,
    page: dict[str, Any],
    api_path: str,
    method: str,
    api: dict[str, Any],
    field: str,
) -> None:
    client = english(world.rita)
    posted = client.post(page_path, page)
    sent = client.generic(method, api_path, json.dumps(api), content_type="application/json")
    assert posted.status_code == 422 and sent.status_code == 422
    assert sent.json()["code"] == "invalid_input"
    messages = sent.json()["fields"][field]
    assert posted.context[context].errors[field] == messages
    assert not Project.objects.exists()
    assert not Profile.objects.filter(rate_unit="hour").exists()


def test_a_draft_is_frozen() -> None:
    changes = ProfileChanges(headline_en="Data analyst")
    with pytest.raises(ValidationError):
        changes.headline_en = "Someone else"
    assert changes.model_fields_set == {"headline_en"}


def test_certifying_without_the_evidence_check_is_refused_alike(world: World) -> None:
    """The evidence check is required to certify, by the page and by the API alike (one
    typed input, CertificationDecisionDraft); nothing is recorded."""
    from nomadcloud.talent.models import Application
    from tests.builders.talent import talent_zone

    application = talent_zone(world).application
    client = english(world.wendy)
    page = f"/talent/reviews/{application.public_id}/"
    api = f"/api/v1/talent/reviews/applications/{application.public_id}/decision"
    posted = client.post(page, {"approve": "1", "reason": "Looks fine."})
    sent = client.post(
        api,
        json.dumps({"approve": True, "reason": "Looks fine."}),
        content_type="application/json",
    )
    assert posted.status_code == 422 and sent.status_code == 422
    messages = sent.json()["fields"]["checked_evidence"]
    assert posted.context["form"].errors["checked_evidence"] == messages
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not application.decisions.exists()
    certified = client.post(
        page, {"approve": "1", "reason": "Tax records checked.", "checked_evidence": "on"}
    )
    assert certified.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    decision = application.decisions.get()
    assert decision.evidence["checked_evidence"] is True
