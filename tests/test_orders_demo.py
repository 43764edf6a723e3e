"""The demo data of notifications, training, orders and conversions: seeded once, through the
services, with something in every interesting state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nomadcloud.accounts import demo as accounts_demo
from nomadcloud.accounts.demo import DEMO_DOMAIN
from nomadcloud.accounts.models import User
from nomadcloud.demands import demo as demands_demo
from nomadcloud.notifications import demo as notifications_demo
from nomadcloud.notifications.models import Notification
from nomadcloud.orders import demo as orders_demo
from nomadcloud.orders.models import Conversion, Order
from nomadcloud.talent import demo as talent_demo
from nomadcloud.talent.models import SkillEvidence
from nomadcloud.training import demo as training_demo
from nomadcloud.training.models import Enrolment, Scenario


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


@pytest.mark.django_db
def test_the_demo_is_seeded_once_in_every_state() -> None:
    accounts_demo.seed(nomads=2)
    talent_demo.seed()
    demands_demo.seed()
    assert training_demo.seed() == {"training_scenarios": 3}
    assert orders_demo.seed() == {"orders": 5, "conversions": 3}
    assert notifications_demo.seed()["notifications"] == len(accounts_demo.PERSONAS)
    assert training_demo.seed() == {"training_scenarios": 0}
    assert orders_demo.seed() == {"orders": 0, "conversions": 0}
    assert notifications_demo.seed() == {"notifications": 0}

    assert set(Scenario.objects.values_list("status", flat=True)) == {"draft", "published"}
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"passed", "submitted"}
    assert set(Order.objects.values_list("status", flat=True)) == {
        "open",
        "in_progress",
        "delivered",
        "settled",
        "disputed",
    }
    assert Order.objects.get(status="open").demand is not None
    assert sorted(Conversion.objects.values_list("kind", flat=True)) == [
        "business",
        "contract",
        "flexible",
    ]
    assert Conversion.objects.get(kind="contract").one_year_or_more
    nomad = User.objects.get(email=f"nomad@{DEMO_DOMAIN}")
    sources = set(
        SkillEvidence.objects.filter(skill__profile__user=nomad, kind="verified_work").values_list(
            "source", flat=True
        )
    )
    assert {"training", "order"} <= sources
    assert Notification.objects.filter(recipient=nomad, kind="orders.assigned").exists()
