"""One typed input for an order's terms: the order form and the API refuse the same bad
value with the same message (the limits are stated once, in OrderDraft), and a draft
cannot be changed once made."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from pydantic import ValidationError

from nomadcloud.orders.models import Order
from nomadcloud.orders.schemas import MilestoneIn, OrderDraft
from tests.builders.demands import make_concepts
from tests.builders.orders import milestone_rows
from tests.conftest import World, client_for

DUE = str(timezone.localdate() + timedelta(days=9))


def english(user: Any) -> Any:
    client = client_for(user)
    client.cookies["nomadcloud_language"] = "en"
    return client


@pytest.mark.parametrize(
    ("page", "api", "form_field", "api_field"),
    [
        ({"title_zh": "长" * 201}, {"title_zh": "长" * 201}, "title_zh", "title_zh"),
        (
            milestone_rows(("初稿", "0.001", DUE)),
            {"milestones": [{"title": "初稿", "amount": "0.001", "due_on": DUE}]},
            "rows.0.amount",
            "milestones.0.amount",
        ),
        (
            {"skills": "nc.python 6"},
            {"skills": [{"code": "nc.python", "level": 6}]},
            "skills",
            "skills.0.level",
        ),
    ],
)
def test_the_form_and_the_api_refuse_a_bad_value_alike(
    world: World, page: dict[str, Any], api: dict[str, Any], form_field: str, api_field: str
) -> None:
    make_concepts()
    client = english(world.olivia)
    posted = client.post(
        f"/orders/organisations/{world.acme.public_id}/new/",
        {"title_zh": "海报", **milestone_rows(("初稿", "100.00", DUE)), **page},
    )
    sent = client.post(
        "/api/v1/orders",
        json.dumps(
            {
                "organisation": str(world.acme.public_id),
                "title_zh": "海报",
                "milestones": [{"title": "初稿", "amount": "100.00", "due_on": DUE}],
                **api,
            }
        ),
        content_type="application/json",
    )
    assert posted.status_code == 422 and sent.status_code == 422
    assert sent.json()["code"] == "invalid_input"
    messages = sent.json()["fields"][api_field]
    if form_field.startswith("rows."):  # a milestone row's field
        _rows, index, name = form_field.split(".")
        assert posted.context["rows"].forms[int(index)].errors[name] == messages
    else:
        assert posted.context["form"].errors[form_field] == messages
    assert not Order.objects.exists()


def test_a_draft_is_frozen() -> None:
    draft = OrderDraft(
        title_zh="海报",
        milestones=[
            MilestoneIn(title="初稿", amount=Decimal("100.00"), due_on=date.fromisoformat(DUE))
        ],
    )
    with pytest.raises(ValidationError):
        draft.title_zh = "别的"
    assert draft.milestones[0].amount == 100
