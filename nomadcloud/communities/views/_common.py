"""What the community pages share: the principal of a request and a community's unit rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import inventory
from nomadcloud.communities.models import Community
from nomadcloud.core.money import format_cny

AVAILABILITY_DAYS = 14


def _p(request: HttpRequest) -> Principal:
    return Principal.of(request)


def _unit_rows(community: Community, *, only_active: bool) -> list[dict[str, Any]]:
    today = timezone.localdate()
    units = community.unit_types.prefetch_related("rate_plans").order_by("id")
    rows = []
    for unit in units:
        if only_active and not unit.active:
            continue
        free = inventory.free_by_night(unit, today, today + timedelta(days=AVAILABILITY_DAYS))
        plans = [p for p in unit.rate_plans.all() if p.active or not only_active]
        rows.append(
            {
                "unit": unit,
                "plans": [{"plan": p, "price": format_cny(p.price)} for p in plans],
                "free": sorted(free.items()),
                "free_tonight": free.get(today, unit.count),
            }
        )
    return rows
