"""One typed input for a scenario: the scenario form and the API refuse the same bad value
with the same message (the limits are stated once, in ScenarioDraft), and a draft cannot be
changed once made."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from pydantic import ValidationError

from nomadcloud.core.inputs import parse_draft
from nomadcloud.training.models import Scenario
from nomadcloud.training.schemas import ScenarioDraft
from tests.builders.demands import make_concepts
from tests.conftest import World, client_for

TODAY = timezone.localdate()
DATES = {
    "enrol_from": str(TODAY),
    "enrol_until": str(TODAY + timedelta(days=10)),
    "runs_from": str(TODAY),
    "runs_until": str(TODAY + timedelta(days=30)),
}


def english(user: Any) -> Any:
    client = client_for(user)
    client.cookies["nomadcloud_language"] = "en"
    return client


@pytest.mark.parametrize(
    ("page", "api", "form_field", "api_field"),
    [
        ({"title_en": "x" * 201}, {"title_en": "x" * 201}, "title_en", "title_en"),
        ({"capacity": "0"}, {"capacity": 0}, "capacity", "capacity"),
        ({"pass_score": "100.5"}, {"pass_score": "100.5"}, "pass_score", "pass_score"),
        (
            {"criteria": "2 | 1001 | 部署可用"},
            {"criteria": [{"title_zh": "部署可用", "weight": 2, "max_points": 1001}]},
            "criteria",
            "criteria.0.max_points",
        ),
    ],
)
def test_the_form_and_the_api_refuse_a_bad_value_alike(
    world: World, page: dict[str, Any], api: dict[str, Any], form_field: str, api_field: str
) -> None:
    make_concepts()
    client = english(world.olivia)
    base = {"title_zh": "实训", "capacity": 5, "pass_score": "60", **DATES}
    posted = client.post(f"/training/organisations/{world.acme.public_id}/new/", {**base, **page})
    sent = client.post(
        "/api/v1/training/scenarios",
        json.dumps({"organisation": str(world.acme.public_id), **base, **api}),
        content_type="application/json",
    )
    assert posted.status_code == 422 and sent.status_code == 422
    assert sent.json()["code"] == "invalid_input"
    messages = sent.json()["fields"][api_field]
    assert posted.context["form"].errors[form_field] == messages
    assert not Scenario.objects.exists()


def test_a_draft_is_frozen() -> None:
    draft = parse_draft(ScenarioDraft, {"title_zh": "实训", "capacity": 5, **DATES})
    with pytest.raises(ValidationError):
        draft.capacity = 50
    assert draft.pass_score == 60
