"""The demo demands: seeded for the demo enterprises, bilingual, in every state."""

from __future__ import annotations

import pytest

from nomadcloud.accounts import demo as accounts_demo
from nomadcloud.demands import demo
from nomadcloud.demands.models import Demand


@pytest.mark.django_db
def test_demo_demands_are_seeded_once() -> None:
    accounts_demo.seed(nomads=2)
    assert demo.seed() == {"demands": 20}
    assert demo.seed() == {"demands": 0}
    statuses = set(Demand.objects.values_list("status", flat=True))
    assert statuses == {"draft", "published", "paused", "filled"}
    assert set(Demand.objects.values_list("kind", flat=True)) == {
        "job",
        "project",
        "data_task",
        "training",
    }
    assert Demand.objects.filter(status="published").count() >= 14
    assert not Demand.objects.filter(title_en="").exists()
