"""One typed input per use case: the page form and the API refuse the same bad value with
the same field and message (both end in ``DemandDraft`` and the same service), a draft cannot
change once made, and a partial update keeps what it does not name."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from pydantic import ValidationError

from nomadcloud.accounts.principal import Principal
from nomadcloud.demands import services
from nomadcloud.demands.models import Demand
from nomadcloud.demands.schemas import DemandDraft, DemandPatch
from tests.builders.datatasks import english
from tests.builders.demands import draft, make_concepts
from tests.conftest import World

FORM = {
    "kind": "job",
    "title_zh": "测试",
    "work_mode": "remote",
    "pay_period": "month",
    "headcount": "1",
}
BODY: dict[str, Any] = {"kind": "job", "title_zh": "测试"}

# form fields, API members, the field the API names, the message
CASES = [
    pytest.param(
        {"title_en": "x" * 201},
        {"title_en": "x" * 201},
        "title_en",
        "Too long: at most 200.",
        id="too long",
    ),
    pytest.param(
        {"years_experience": "61"},
        {"years_experience": 61},
        "years_experience",
        "Must be at most 60.",
        id="above the range",
    ),
    pytest.param(
        {"headcount": "0"}, {"headcount": 0}, "headcount", "Must be at least 1.", id="below"
    ),
    pytest.param(
        {"budget_min": "1.234"},
        {"budget_min": "1.234"},
        "budget_min",
        "At most 2 decimal places.",
        id="three decimals",
    ),
    pytest.param(
        {"languages": "zh, english!"},
        {"languages": ["zh", "english!"]},
        "languages.1",
        "No language is called “english!”.",
        id="bad language",
    ),
    pytest.param(
        {"skills": "nc.python 7"},
        {"skills": [{"code": "nc.python", "min_level": 7}]},
        "skills.0.min_level",
        "Must be at most 5.",
        id="bad level",
    ),
    pytest.param(
        {"title_zh": ""},
        {"title_zh": ""},
        "title_zh",
        "Give a title in Chinese or English.",
        id="no title",
    ),
    pytest.param(
        {"work_mode": "onsite"},
        {"work_mode": "onsite"},
        "location",
        "Say where the work is done.",
        id="no location",
    ),
    pytest.param(
        {"budget_min": "10", "budget_max": "5"},
        {"budget_min": "10", "budget_max": "5"},
        "budget_max",
        "The upper end of the range is below its lower end.",
        id="upside-down range",
    ),
]


@pytest.mark.parametrize(("form_fields", "members", "field", "message"), CASES)
def test_the_form_and_the_api_refuse_alike(
    world: World, form_fields: dict[str, str], members: dict[str, Any], field: str, message: str
) -> None:
    make_concepts()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {world.org_key_secret}", HTTP_ACCEPT_LANGUAGE="en")
    answer = api.post(
        "/api/v1/demands", json.dumps({**BODY, **members}), content_type="application/json"
    )
    assert answer.status_code == 422, answer.content
    assert answer.json()["fields"] == {field: [message]}

    page = english(world.olivia)
    response = page.post(
        f"/demands/organisations/{world.acme.public_id}/new/", {**FORM, **form_fields}
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {field.split(".")[0]: [message]}
    assert not Demand.objects.exists()


def test_a_draft_is_frozen_and_names_only_its_fields() -> None:
    made = DemandDraft(kind="job", title_zh=" 测试 ", languages=("EN", "zh_Hans", "en"))
    assert (made.title_zh, made.languages) == ("测试", ("en", "zh"))
    with pytest.raises(ValidationError):
        made.title_zh = "别的"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        DemandDraft.model_validate({"kind": "job", "titel_zh": "typo"})


def test_a_partial_update_keeps_what_it_does_not_name(world: World) -> None:
    demand = draft(world, work_mode="onsite", location="洋浦")
    services.update_demand(
        principal=Principal.for_user(world.olivia),
        demand=demand,
        changes=DemandPatch(title_en="Renamed"),
    )
    demand.refresh_from_db()
    assert (demand.title_en, demand.work_mode, demand.location) == ("Renamed", "onsite", "洋浦")
    assert [s.concept.code for s in demand.skills.all()] == ["nc.python"]
    assert demand.budget_min is not None
