"""The competitions app's indicators (core/indicators.py, docs/dashboard.md): winning projects
industrialised (a follow-up recorded an order, an investment or a business registered in the
zone) and the businesses registered in the zone from competitions (each also an
orders.Conversion of kind ``business``), counted by the date the outcome was recorded."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from nomadcloud.competitions.models import FollowUp
from nomadcloud.core import indicators
from nomadcloud.core.indicators import Period

LANDED = ("order", "investment", "registered_in_zone")


def industrialised(period: Period, dimensions: Mapping[str, str]) -> int:
    """Winning projects whose first landed outcome was recorded in the period."""
    firsts: dict[int, date] = {}
    for award_id, at in (
        FollowUp.objects.filter(outcome__in=LANDED, recorded_at__isnull=False)
        .order_by("recorded_at")
        .values_list("introduction__award_id", "recorded_at__date")
    ):
        firsts.setdefault(award_id, at)
    return len([at for at in firsts.values() if period.start <= at <= period.end])


def conversions(period: Period, dimensions: Mapping[str, str]) -> int:
    return FollowUp.objects.filter(
        outcome="registered_in_zone",
        recorded_at__date__range=(period.start, period.end),
    ).count()


def register() -> None:
    indicators.indicator(
        "competitions.projects_industrialised",
        unit="count",
        definition={
            "zh-Hans": "实现产业化的获奖项目（订单、投资或在园区注册，按首次记录日期计）",
            "en": "Winning projects industrialised (an order, an investment or a business "
            "registered in the zone; by the date first recorded)",
        },
        period="month",
        compute=industrialised,
        order=60,
    )
    indicators.indicator(
        "competitions.conversions",
        unit="count",
        definition={
            "zh-Hans": "赛事获奖项目在区内注册的企业（落地转化）",
            "en": "Businesses registered in the zone from competition winners (conversions)",
        },
        period="month",
        compute=conversions,
        order=61,
    )
