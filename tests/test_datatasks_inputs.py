"""One typed input per use case: the page form and the API refuse the same bad settings with
the same field and message (both end in ``BatchDraft`` and the same service), and a draft
cannot change once made."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from pydantic import ValidationError

from nomadcloud.datatasks.models import Batch
from nomadcloud.datatasks.schemas import BatchDraft
from tests.builders.datatasks import (
    batch_fields,
    csv_file,
    english,
    form_fields,
    labelling_skill,
)
from tests.conftest import World

# form fields, API members, the field the API names, the message
CASES = [
    pytest.param(
        {"title_zh": "题" * 201},
        {"title_zh": "题" * 201},
        "title_zh",
        "Too long: at most 200.",
        id="too long",
    ),
    pytest.param(
        {"overlap": "51"}, {"overlap": 51}, "overlap", "Must be at most 50.", id="above the range"
    ),
    pytest.param(
        {"min_gold_answers": "0"},
        {"min_gold_answers": 0},
        "min_gold_answers",
        "Must be at least 1.",
        id="below the range",
    ),
    pytest.param(
        {"pay_per_item": "0.355"},
        {"pay_per_item": "0.355"},
        "pay_per_item",
        "At most 2 decimal places.",
        id="three decimals",
    ),
    pytest.param(
        {"skills": "nc.data-annotation 9"},
        {"skills": [{"code": "nc.data-annotation", "level": 9}]},
        "skills.0.level",
        "Must be at most 5.",
        id="bad level",
    ),
    pytest.param(
        {"labels": "only"},
        {"labels": ["only"]},
        "labels",
        "Give at least 2 labels.",
        id="too few labels",
    ),
    pytest.param(
        {"labels": "a|b\nc"},
        {"labels": ["a|b", "c"]},
        "labels",
        "“a|b”: labels cannot contain | or, for spans, :.",
        id="a bar in a label",
    ),
    pytest.param(
        {"instructions_zh": "", "instructions_en": ""},
        {"instructions_zh": "", "instructions_en": ""},
        "instructions_zh",
        "Give the instructions in Chinese or English.",
        id="no instructions",
    ),
]


@pytest.mark.parametrize(("fields", "members", "field", "message"), CASES)
def test_the_form_and_the_api_refuse_alike(
    world: World, fields: dict[str, str], members: dict[str, Any], field: str, message: str
) -> None:
    labelling_skill()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {world.org_key_secret}", HTTP_ACCEPT_LANGUAGE="en")
    answer = api.post(
        "/api/v1/datatasks/batches",
        json.dumps({**batch_fields(), **members}),
        content_type="application/json",
    )
    assert answer.status_code == 422, answer.content
    assert answer.json()["fields"] == {field: [message]}

    response = english(world.olivia).post(
        f"/datatasks/organisations/{world.acme.public_id}/new/",
        {**form_fields(**fields), "file": csv_file()},
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {field.split(".")[0]: [message]}
    assert not Batch.objects.exists()


def test_a_draft_is_frozen_and_names_only_its_fields() -> None:
    made = BatchDraft(task_type="spans", title_en=" Names ", labels=(" PER ", "", "LOC"))
    assert (made.title_en, made.labels, made.pay_per_item) == (
        "Names",
        ("PER", "LOC"),
        Decimal("0.00"),
    )
    with pytest.raises(ValidationError):
        made.overlap = 5  # type: ignore[misc]
    with pytest.raises(ValidationError):
        BatchDraft.model_validate({"task_type": "spans", "overlapp": 5})
