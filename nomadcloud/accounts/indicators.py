"""The accounts app's indicators (core/indicators.py): verified enterprises on the platform."""

from __future__ import annotations

from collections.abc import Mapping

from nomadcloud.accounts.models import Organisation
from nomadcloud.core import indicators
from nomadcloud.core.indicators import Period


def enterprises(period: Period, dimensions: Mapping[str, str]) -> int:
    return Organisation.objects.filter(
        kind=Organisation.Kind.ENTERPRISE,
        verification_status=Organisation.Verification.VERIFIED,
        created_at__date__lte=period.end,
    ).count()


def register() -> None:
    indicators.indicator(
        "accounts.enterprises",
        unit="count",
        definition={
            "zh-Hans": "平台上已核验的企业（累计）",
            "en": "Verified enterprises on the platform (cumulative)",
        },
        period="month",
        compute=enterprises,
        aggregation="last",
        cumulative=True,
        order=30,
    )
