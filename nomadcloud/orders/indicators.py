"""The orders app's indicators (core/indicators.py): remote orders whose work was accepted."""

from __future__ import annotations

from collections.abc import Mapping

from nomadcloud.core import indicators
from nomadcloud.core.indicators import Period
from nomadcloud.orders.models import Order

DONE = (Order.Status.ACCEPTED, Order.Status.SETTLED)


def accepted(period: Period, dimensions: Mapping[str, str]) -> int:
    return Order.objects.filter(
        status__in=DONE, created_at__date__range=(period.start, period.end)
    ).count()


def register() -> None:
    indicators.indicator(
        "orders.accepted",
        unit="count",
        definition={
            "zh-Hans": "工作已验收的远程订单（按下单日期计）",
            "en": "Remote orders whose work was accepted (by the date the order was made)",
        },
        period="month",
        compute=accepted,
        order=50,
    )
