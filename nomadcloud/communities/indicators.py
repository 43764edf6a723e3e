"""The communities app's indicators (core/indicators.py, docs/dashboard.md): visits to the
zone (plan 004's 50,000 a year, counted by the visit definition of ``visits.py``) and the
designated communities."""

from __future__ import annotations

from collections.abc import Mapping

from nomadcloud.communities.models import Community, Visit
from nomadcloud.core import indicators
from nomadcloud.core.indicators import Period


def visits(period: Period, dimensions: Mapping[str, str]) -> int:
    rows = Visit.objects.filter(arrived_on__range=(period.start, period.end))
    nationality = dimensions.get("nationality", "")
    if nationality == "foreign":
        rows = rows.exclude(nationality__in=["CN", ""])
    elif nationality:
        rows = rows.filter(nationality=nationality.upper())
    return rows.count()


def designated(period: Period, dimensions: Mapping[str, str]) -> int:
    return Community.objects.filter(designated_from__lte=period.end).count()


def register() -> None:
    indicators.indicator(
        "communities.visits",
        unit="count",
        definition={
            "zh-Hans": "数字游民到访人次（平台住宿合并为到访，按到达年份计）",
            "en": "Nomad visits (the platform's stays merged into visits, counted by year of"
            " arrival)",
        },
        period="year",
        dimensions=("nationality",),
        compute=visits,
        order=10,
    )
    indicators.indicator(
        "communities.designated",
        unit="count",
        definition={
            "zh-Hans": "已认定的数字游民社区示范点（累计）",
            "en": "Designated nomad communities (cumulative)",
        },
        period="year",
        compute=designated,
        aggregation="last",
        cumulative=True,
        order=11,
    )
