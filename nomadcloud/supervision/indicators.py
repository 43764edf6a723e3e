"""Supervision's indicators (core/indicators.py): the health of the plan's tasks."""

from __future__ import annotations

from collections.abc import Mapping

from nomadcloud.core import indicators
from nomadcloud.core.indicators import Period
from nomadcloud.supervision.models import Task


def overdue(period: Period, dimensions: Mapping[str, str]) -> int:
    return Task.objects.filter(status=Task.Status.OVERDUE).count()


def closed(period: Period, dimensions: Mapping[str, str]) -> int:
    return Task.objects.filter(
        status=Task.Status.CLOSED, events__action="close", events__at__date__lte=period.end
    ).count()


def register() -> None:
    indicators.indicator(
        "supervision.tasks_overdue",
        unit="count",
        definition={"zh-Hans": "逾期的方案任务（当前数）", "en": "Plan tasks overdue (now)"},
        period="month",
        compute=overdue,
        aggregation="last",
        order=90,
    )
    indicators.indicator(
        "supervision.tasks_closed",
        unit="count",
        definition={"zh-Hans": "已销号的方案任务（累计）", "en": "Plan tasks closed (cumulative)"},
        period="month",
        compute=closed,
        aggregation="last",
        cumulative=True,
        order=91,
    )
