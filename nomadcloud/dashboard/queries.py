"""What the screens read: one JSON document per screen, built from the snapshots and the
official observations only (never by computing indicators on a request). The public sees
only published official figures and the platform's aggregates; a department sees every
figure of the indicators it may see, with its status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language

from nomadcloud.core import indicators
from nomadcloud.dashboard.models import Observation, Snapshot, Target
from nomadcloud.dashboard.official import AREAS

AMBER = Decimal("0.8")
TREND_POINTS = 12


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 50000, 0.5, 512000000."""
    return format(value.normalize(), "f")


def _tr(value: dict[str, str]) -> str:
    zh = (get_language() or "zh-hans").lower().startswith("zh")
    return (value.get("zh-Hans") if zh else value.get("en")) or value.get("en") or ""


def current_targets(today: dt.date) -> list[Target]:
    """The version of each target in force on ``today``."""
    seen: dict[str, Target] = {}
    for target in Target.objects.filter(effective_from__lte=today).order_by(
        "order", "code", "-effective_from"
    ):
        seen.setdefault(target.code, target)
    return list(seen.values())


def expected(target: Target, today: dt.date) -> Decimal:
    """The trajectory's value for ``today``: within a year, linear from the previous year's
    point (cumulative targets) or from zero (yearly targets) to this year's point."""
    path = {int(year): Decimal(value) for year, value in target.trajectory.items()}
    if not path:
        return target.value
    year = today.year
    if year > max(path):
        return path[max(path)]
    if year < min(path):
        return Decimal("0")
    point = path.get(year, target.value)
    start = path.get(year - 1, Decimal("0")) if target.cumulative else Decimal("0")
    days = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
    share = Decimal((today - dt.date(year, 1, 1)).days + 1) / days
    return (start + (point - start) * share).quantize(Decimal("1"))


def _statuses(public: bool) -> list[str]:
    if public:
        return [Observation.Status.PUBLISHED]
    return [
        Observation.Status.SUBMITTED,
        Observation.Status.APPROVED,
        Observation.Status.PUBLISHED,
    ]


def _figure(obs: Observation | None) -> dict[str, Any] | None:
    if obs is None:
        return None
    found = indicators.get(obs.indicator)
    return {
        "value": str(found.quantize(obs.value)),
        "period": obs.period,
        "area": obs.area,
        "status": obs.status,
        "status_label": str(obs.get_status_display()),
        "finality": str(obs.get_finality_display()),
        "as_of": obs.as_of.isoformat(),
        "source": obs.source,
        "id": str(obs.public_id),
    }


def screen(
    *, public: bool, today: dt.date | None = None, codes: list[str] | None = None
) -> dict[str, Any]:
    """The leadership screen's (or the public view's) whole data in one document."""
    day = today or timezone.localdate()
    statuses = _statuses(public)
    targets = current_targets(day)
    wanted = {t.indicator for t in targets} | {t.platform_indicator for t in targets}
    observations = list(
        Observation.objects.filter(status__in=statuses, indicator__in=wanted).order_by("-id")
    )
    latest: dict[tuple[str, str, str], Observation] = {}
    for obs in observations:
        latest.setdefault((obs.indicator, obs.period, obs.area), obs)
    snapshots = list(Snapshot.objects.filter(dimensions="").order_by("indicator", "period_end"))
    by_indicator: dict[str, list[Snapshot]] = {}
    for snap in snapshots:
        by_indicator.setdefault(snap.indicator, []).append(snap)
    year = str(day.year)

    shown_targets = []
    for target in targets:
        if codes is not None and target.indicator not in codes:
            continue
        found = indicators.get(target.indicator)
        official = latest.get((target.indicator, year, "DZ"))
        platform = None
        if target.platform_indicator:
            this_year = next(
                (s for s in by_indicator.get(target.platform_indicator, []) if s.period == year),
                None,
            )
            platform = plain(this_year.value) if this_year else None
        due = expected(target, day)
        actual = official.value if official else None
        if actual is None:
            rag = "none"
        elif actual >= due:
            rag = "green"
        elif due and actual >= due * AMBER:
            rag = "amber"
        else:
            rag = "red"
        yearly = []
        for path_year, path_value in sorted(target.trajectory.items()):
            past = latest.get((target.indicator, path_year, "DZ"))
            yearly.append(
                {
                    "year": path_year,
                    "trajectory": plain(Decimal(path_value)),
                    "actual": str(found.quantize(past.value)) if past else None,
                }
            )
        shown_targets.append(
            {
                "code": target.code,
                "title": _tr(target.title),
                "definition": _tr(target.definition),
                "indicator": target.indicator,
                "unit": found.unit,
                "target": plain(target.value),
                "due_year": target.due_year,
                "effective_from": target.effective_from.isoformat(),
                "expected": str(due),
                "official": _figure(official),
                "platform": platform,
                "platform_indicator": target.platform_indicator,
                "rag": rag,
                "years": yearly,
            }
        )

    leading = []
    for found in indicators.platform():
        series = by_indicator.get(found.code, [])[-TREND_POINTS:]
        if codes is not None and found.code not in codes and not public:
            continue
        last = series[-1] if series else None
        leading.append(
            {
                "code": found.code,
                "title": found.text(),
                "unit": found.unit,
                "period": found.period,
                "value": plain(last.value) if last else None,
                "as_of": last.provenance.get("as_of") if last else None,
                "computed_at": last.computed_at.isoformat() if last else None,
                "series": [[s.period, plain(s.value)] for s in series],
            }
        )

    zh = (get_language() or "zh-hans").lower().startswith("zh")
    areas = []
    for code, (name_zh, name_en) in AREAS.items():
        if code == "DZ":
            continue
        in_area = latest.get(("dashboard.hotel_visits", year, code))
        areas.append(
            {
                "code": code,
                "name": name_zh if zh else name_en,
                "value": plain(in_area.value) if in_area else None,
            }
        )
    return {
        "generated_at": timezone.now().isoformat(),
        "today": day.isoformat(),
        "public": public,
        "targets": shown_targets,
        "leading": leading,
        "areas": areas,
    }


def observations_for(codes: list[str], *, public: bool) -> list[Observation]:
    """The drill-down list: the figures of the indicators the viewer may see."""
    rows = Observation.objects.filter(indicator__in=codes).select_related("unit")
    if public:
        rows = rows.filter(status=Observation.Status.PUBLISHED)
    return list(rows.order_by("indicator", "-period_end", "-id")[:500])


def official_codes() -> list[str]:
    return [i.code for i in indicators.registered() if i.compute is None]


def pending_for(codes: list[str]) -> list[Observation]:
    return list(
        Observation.objects.filter(
            Q(status=Observation.Status.SUBMITTED) | Q(status=Observation.Status.APPROVED),
            indicator__in=codes,
        ).select_related("unit")[:200]
    )
