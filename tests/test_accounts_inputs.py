"""One typed input for registering an organisation: the organisation form and the API
refuse the same bad value with the same message (the limits are stated once, in
OrganisationDraft), and a draft cannot be changed once made."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.schemas import OrganisationDraft
from tests.conftest import World, client_for


def english(user: Any) -> Any:
    client = client_for(user)
    client.cookies["nomadcloud_language"] = "en"
    return client


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"name_en": "x" * 201}, "name_en"),
        ({"registration_number": "9" * 65, "country": "DE"}, "registration_number"),
        ({"description_zh": "长" * 5001}, "description_zh"),
        ({"credit_code": "91350100M000100Y44"}, "credit_code"),
    ],
)
def test_the_form_and_the_api_refuse_a_bad_value_alike(
    world: World, bad: dict[str, Any], field: str
) -> None:
    before = Organisation.objects.count()
    client = english(world.bob)
    fields = {"kind": "merchant", "name_zh": "椰林餐厅", "country": "CN", **bad}
    posted = client.post("/accounts/organisations/new/", fields)
    sent = client.post("/api/v1/organisations", json.dumps(fields), content_type="application/json")
    assert posted.status_code == 422 and sent.status_code == 422
    messages = sent.json()["fields"][field]
    assert posted.context["form"].errors[field] == messages
    assert Organisation.objects.count() == before


def test_a_draft_is_frozen() -> None:
    draft = OrganisationDraft(kind="merchant", name_zh=" 椰林餐厅 ")
    with pytest.raises(ValidationError):
        draft.name_zh = "别的"
    assert (draft.name_zh, draft.country) == ("椰林餐厅", "CN")


@pytest.mark.parametrize(
    ("bad", "field"),
    [({"display_name": "名" * 101}, "display_name"), ({"phone": "1" * 33}, "phone")],
)
def test_the_settings_form_and_the_api_refuse_a_bad_value_alike(
    world: World, bad: dict[str, Any], field: str
) -> None:
    client = english(world.bob)
    fields = {"display_name": "Bob", "preferred_language": "en", **bad}
    posted = client.post("/accounts/settings/", {"form": "profile", **fields})
    sent = client.patch("/api/v1/me", json.dumps(fields), content_type="application/json")
    assert posted.status_code == 422 and sent.status_code == 422
    assert posted.context["profile"].errors[field] == sent.json()["fields"][field]
    world.bob.refresh_from_db()
    assert world.bob.display_name != fields["display_name"]


def test_approving_a_verification_without_the_registry_check_is_refused_alike(
    world: World,
) -> None:
    """The registry check is required to approve, by the page and by the API alike (one
    typed input, VerificationDecisionDraft); nothing is recorded."""
    client = english(world.wendy)
    page = f"/accounts/reviews/{world.pending.public_id}/"
    api = f"/api/v1/reviews/organisations/{world.pending.public_id}/decision"
    fields = {"approve": True, "reason": "Looks fine."}
    posted = client.post(page, {"approve": "1", "reason": "Looks fine."})
    sent = client.post(api, json.dumps(fields), content_type="application/json")
    assert posted.status_code == 422 and sent.status_code == 422
    messages = sent.json()["fields"]["checked_registry"]
    assert posted.context["form"].errors["checked_registry"] == messages
    assert "registry" in messages[0]
    world.pending.refresh_from_db()
    assert world.pending.verification_status == Organisation.Verification.PENDING
    assert not world.pending.verification_decisions.exists()
    # rejecting needs no registry check
    rejected = client.post(page, {"approve": "0", "reason": "No licence."})
    assert rejected.status_code == 302
    world.pending.refresh_from_db()
    assert world.pending.verification_status == Organisation.Verification.REJECTED
