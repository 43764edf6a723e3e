"""What the platform itself knows about a data pool asset, read from the datapools app (read
only): its released versions and their quality, its agreements and logged uses, and the
points paid to its contributors. Collected into the valuation as evidence and shown in the
snapshot's information sources."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from nomadcloud.datapools.models import (
    IN_FORCE,
    DatasetVersion,
    DistributionRun,
    Negotiation,
    UsageEvent,
)
from nomadcloud.valuation.models import DataAsset


def facts(asset: DataAsset) -> dict[str, Any]:
    pool = asset.pool
    if pool is None:
        return {}
    latest = DatasetVersion.objects.filter(pool=pool).order_by("-number").first()
    return {
        "pool": str(pool.public_id),
        "versions": DatasetVersion.objects.filter(pool=pool).count(),
        "latest_version": None
        if latest is None
        else {
            "number": latest.number,
            "rows": latest.row_count,
            "contributors": latest.contributor_count,
            "quality_score": latest.quality_score,
            "quality": latest.quality,
        },
        "agreements": Negotiation.objects.filter(pool=pool, state__in=IN_FORCE).count(),
        "uses": UsageEvent.objects.filter(negotiation__pool=pool).count(),
        "contributor_points_paid": int(
            DistributionRun.objects.filter(pool=pool).aggregate(t=Sum("total_points"))["t"] or 0
        ),
    }
