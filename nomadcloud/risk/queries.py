"""Reads of the risk engine scoped to who asks: the zone operator's review queue."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from nomadcloud.accounts.principal import Principal
from nomadcloud.risk import engine
from nomadcloud.risk.access import require_operator
from nomadcloud.risk.models import HeldIssuance


def queue_for(
    principal: Principal, status: str = HeldIssuance.Status.HELD
) -> QuerySet[HeldIssuance]:
    """Held issuances (by default those awaiting a decision), oldest first. Zone operator
    only (404 for anyone else)."""
    require_operator(principal)
    rows = HeldIssuance.objects.select_related(
        "assessment", "assessment__organisation", "assessment__holder", "decided_by"
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("id")


def reasons(held: HeldIssuance) -> list[dict[str, Any]]:
    """Each finding with its rule id, weight, parameters and localized reason."""
    return [
        {
            "rule": str(f.get("rule", "")),
            "weight": int(f.get("weight", 0)),
            "params": {str(k): str(v) for k, v in (f.get("params") or {}).items()},
            "reason": engine.reason(f),
        }
        for f in held.assessment.findings
    ]
