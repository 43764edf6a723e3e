"""The proofs app's indicators (core/indicators.py): proofs of work issued."""

from __future__ import annotations

from collections.abc import Mapping

from nomadcloud.core import indicators
from nomadcloud.core.indicators import Period
from nomadcloud.proofs.models import Credential


def issued(period: Period, dimensions: Mapping[str, str]) -> int:
    rows = Credential.objects.filter(issued_at__date__range=(period.start, period.end))
    if dimensions.get("kind"):
        rows = rows.filter(kind=dimensions["kind"])
    return rows.count()


def register() -> None:
    indicators.indicator(
        "proofs.issued",
        unit="count",
        definition={
            "zh-Hans": "签发的工作量证明（按签发日期计）",
            "en": "Proofs of work issued (by date of issue)",
        },
        period="month",
        dimensions=("kind",),
        compute=issued,
        order=40,
    )
