"""The dashboard's demo data: plan 004's six targets, today's snapshots of the platform's
indicators, and official 2026 figures reported by the statistics bureau and the tourism
bureau (approved and published by the zone operator). Idempotent."""

from __future__ import annotations

from django.utils import timezone

from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.dashboard import official, services
from nomadcloud.dashboard.models import Observation

FIGURES = [
    # indicator, area, value, reporting unit
    ("dashboard.hotel_visits", "DZ", "18400", "lvwen"),
    ("dashboard.hotel_visits", "YP", "5200", "lvwen"),
    ("dashboard.hotel_visits", "HXY", "7600", "lvwen"),
    ("dashboard.hotel_visits", "HHD", "3900", "lvwen"),
    ("dashboard.hotel_visits", "GYY", "700", "lvwen"),
    ("dashboard.hotel_visits", "ND", "1000", "lvwen"),
    ("dashboard.incubated_enterprises", "DZ", "3", "kegongxin"),
    ("dashboard.super_individuals", "DZ", "2", "tongji"),
    ("dashboard.settled_migrants", "DZ", "640", "gongan"),
    ("dashboard.core_revenue", "DZ", "512000000.00", "tongji"),
    ("dashboard.tax", "DZ", "41500000.00", "tongji"),
]


def _member(code: str) -> User | None:
    unit = Organisation.objects.filter(code=code).first()
    found = Membership.objects.filter(organisation=unit).select_related("user").first()
    return found.user if found else None


def seed() -> dict[str, int]:
    counts = {"dashboard_targets": official.seed_targets()}
    counts["dashboard_snapshots"] = services.snapshot_year(timezone.localdate().year)
    operator = User.objects.filter(
        memberships__organisation__kind=Organisation.Kind.OPERATOR
    ).first()
    made = 0
    today = timezone.localdate()
    # (incentives' demo reports a community's 纳统 figure before this runs)
    if operator is None or Observation.objects.filter(indicator__startswith="dashboard.").exists():
        return counts | {"dashboard_figures": 0}
    for code, area, value, unit_code in FIGURES:
        reporter = _member(unit_code)
        if reporter is None:
            continue
        from nomadcloud.core import indicators

        found = indicators.get(code)
        observation = services.submit(
            services.Figure(
                indicator=code,
                period=str(today.year),
                area=area,
                value=value,
                unit=found.unit,
                finality="P",
                as_of=today.isoformat(),
                source="演示数据 demo figures",
            ),
            actor=reporter,
        )
        services.approve(observation, actor=operator)
        services.publish(observation, actor=operator)
        made += 1
    return counts | {"dashboard_figures": made}
