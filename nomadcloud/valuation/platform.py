"""What the platform itself knows about a data pool asset, read from the datapools app (read
only): its released versions and their quality, its agreements and logged uses, the revenue
its agreements in force bring (their fees, the ``odrl:compensate`` duty of each agreement's
policy; decision 0063), and the points paid to its contributors. Collected into the
valuation as evidence, shown in the snapshot's information sources, and proposed as the
income approach's cash flows (``proposed_income``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum

from nomadcloud.core.money import CENT
from nomadcloud.datapools import fees
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.models import (
    IN_FORCE,
    DatasetVersion,
    DistributionRun,
    Negotiation,
    Pool,
    UsageEvent,
)
from nomadcloud.valuation.models import DataAsset

FORECAST_YEARS = 3


def agreement_revenue(pool: Pool, on: date) -> dict[str, Any]:
    """The fees of the pool's agreements in force that were agreed by ``on``: each agreement
    (consumer, dates, fee), the total, the sum per calendar year of agreement and over the
    twelve months up to ``on``. All CNY, exact."""
    rows = []
    total = trailing = Decimal(0)
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    year_ago = on - timedelta(days=365)
    for made in (
        Negotiation.objects.filter(pool=pool, state__in=IN_FORCE, agreed_at__isnull=False)
        .select_related("consumer")
        .order_by("agreed_at", "id")
    ):
        assert made.agreed_at is not None
        agreed_on = made.agreed_at.date()
        fee = fees.fee_of(made.policy)
        if agreed_on > on or not fee:
            continue
        total += fee
        by_year[agreed_on.year] += fee
        if agreed_on > year_ago:
            trailing += fee
        rows.append(
            {
                "agreement": str(made.public_id),
                "consumer": str(made.consumer),
                "agreed_on": agreed_on.isoformat(),
                "ends_on": made.expires_at.date().isoformat() if made.expires_at else None,
                "fee": str(fee),
            }
        )
    return {
        "currency": "CNY",
        "agreements": rows,
        "total": str(total.quantize(CENT)),
        "trailing_year": str(trailing.quantize(CENT)),
        "by_year": {str(y): str(v.quantize(CENT)) for y, v in sorted(by_year.items())},
    }


def proposed_income(valuation: Any) -> dict[str, str]:
    """The compute form's income rows from the pool's real revenue, when it has any: the fees
    of the twelve months up to the valuation date as each forecast year's cash flow, the
    holder's part after the contributors' charter share of fees as the data-attributable
    share (incremental income: the agreements pay for the data itself). The valuer keeps,
    changes or clears them."""
    revenue = (valuation.collected.get("platform") or {}).get("revenue") or {}
    trailing = Decimal(revenue.get("trailing_year") or 0)
    if trailing <= 0:
        return {}
    contributors = Decimal(revenue.get("contributor_share_percent") or 0)
    share = ((100 - contributors) / Decimal(100)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return {
        "use_income": "on",
        "income-attribution": "incremental",
        "income-cash_flows": ", ".join([str(trailing)] * FORECAST_YEARS),
        "income-share": str(share),
    }


def facts(asset: DataAsset, on: date | None = None) -> dict[str, Any]:
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
        "revenue": {
            **agreement_revenue(pool, on or date.max),
            "contributor_share_percent": current_charter(pool).fee_share_percent or 0,
            "fees_recorded_in_distribution_runs": str(
                DistributionRun.objects.filter(pool=pool).aggregate(t=Sum("fees"))["t"]
                or Decimal("0.00")
            ),
        },
        "uses": UsageEvent.objects.filter(negotiation__pool=pool).count(),
        "contributor_points_paid": int(
            DistributionRun.objects.filter(pool=pool).aggregate(t=Sum("total_points"))["t"] or 0
        ),
    }
