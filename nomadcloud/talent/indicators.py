"""The talent app's indicators (core/indicators.py): certified nomads, with the foreign share
as a dimension."""

from __future__ import annotations

from collections.abc import Mapping

from nomadcloud.core import indicators
from nomadcloud.core.indicators import Period
from nomadcloud.talent.models import Certificate


def certified(period: Period, dimensions: Mapping[str, str]) -> int:
    rows = Certificate.objects.filter(
        issued_at__date__lte=period.end, valid_until__gte=period.end
    ).exclude(revoked_at__date__lte=period.end)
    nationality = dimensions.get("nationality", "")
    if nationality == "foreign":
        rows = rows.exclude(holder__nationality__in=["CN", ""])
    elif nationality:
        rows = rows.filter(holder__nationality=nationality.upper())
    return rows.values("holder").distinct().count()


def register() -> None:
    indicators.indicator(
        "talent.certified_nomads",
        unit="count",
        definition={
            "zh-Hans": "持有效证书的认定数字游民（期末人数）",
            "en": "Certified nomads holding a valid certificate (at the end of the period)",
        },
        period="month",
        dimensions=("nationality",),
        compute=certified,
        aggregation="last",
        cumulative=True,
        order=20,
    )
