"""Visits (年接待人次), counted by a dated definition.

A visit is one person's closed stays (check-ins and operators' imports alike) merged when the
next arrival is at most ``communities.visit_merge_gap_days`` days after the previous
departure (overlapping stays from two sources therefore merge: one person is never counted
twice for the same days), kept when it lasts at least ``communities.visit_min_nights``
nights, and counted in the year (the period) of its ARRIVAL. The parameters are read at the
visit's arrival date — the date the counted fact happened — from the OpenFisca-style YAML
files in ``communities/parameters/`` (``core/rules.py``).

Visits are stored (``Visit``), rebuilt per person whenever one of their stays closes or is
imported, each naming the stays it came from, so that the zone's count for any period is
one aggregate query (``count``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth

from nomadcloud.accounts.models import User
from nomadcloud.communities.models import Stay, Visit
from nomadcloud.core import rules

PARAMETERS_DIR = Path(__file__).resolve().parent / "parameters"
MIN_NIGHTS = "visit_min_nights"
MERGE_GAP = "visit_merge_gap_days"
RULE = "communities.visits/1"


@cache
def parameters() -> rules.Parameters:
    return rules.load_directory(PARAMETERS_DIR, required=[MIN_NIGHTS, MERGE_GAP])


@dataclass
class _Run:
    arrived_on: date
    departed_on: date
    nights: int
    community_id: int
    sources: list[dict[str, Any]]


def _source(stay: Stay) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "stay": str(stay.public_id),
        "source": stay.source,
        "arrived_on": stay.arrived_on.isoformat(),
        "departed_on": stay.departed_on.isoformat() if stay.departed_on else None,
    }
    if stay.stay_import_id is not None:
        entry["import"] = str(stay.stay_import.public_id) if stay.stay_import else None
    return entry


def merge(stays: list[Stay]) -> list[tuple[_Run, dict[str, tuple[date, rules.Value]]]]:
    """The visits made of a person's closed stays (sorted by arrival), each with the
    parameters it used (read at its arrival date)."""
    params = parameters()
    out: list[tuple[_Run, dict[str, tuple[date, rules.Value]]]] = []
    current: _Run | None = None
    used: dict[str, tuple[date, rules.Value]] = {}
    for stay in sorted(stays, key=lambda s: (s.arrived_on, s.pk or 0)):
        assert stay.departed_on is not None
        nights = (stay.departed_on - stay.arrived_on).days
        if current is not None:
            gap = params.decimal(MERGE_GAP, current.arrived_on, used)
            if (stay.arrived_on - current.departed_on).days <= gap:
                # Overlapping days (the same stay from two sources) are not counted twice.
                overlap_end = min(stay.departed_on, current.departed_on)
                overlap = max(0, (overlap_end - stay.arrived_on).days)
                current.nights += nights - overlap
                current.departed_on = max(current.departed_on, stay.departed_on)
                current.sources.append(_source(stay))
                continue
            out.append((current, used))
        used = {}
        current = _Run(
            stay.arrived_on, stay.departed_on, nights, stay.community_id, [_source(stay)]
        )
    if current is not None:
        params.decimal(MERGE_GAP, current.arrived_on, used)
        out.append((current, used))
    kept = []
    for run, run_used in out:
        minimum = params.decimal(MIN_NIGHTS, run.arrived_on, run_used)
        if run.nights >= minimum:
            kept.append((run, run_used))
    return kept


@transaction.atomic
def rebuild_for(guest: User) -> list[Visit]:
    """Recount one person's visits from their closed stays."""
    stays = list(
        Stay.objects.filter(guest=guest, departed_on__isnull=False).select_related("stay_import")
    )
    Visit.objects.filter(guest=guest).delete()
    snapshot = parameters().snapshot
    made = [
        Visit(
            guest=guest,
            community_id=run.community_id,
            arrived_on=run.arrived_on,
            departed_on=run.departed_on,
            nights=run.nights,
            nationality=guest.nationality.code if guest.nationality else "",
            sources=run.sources,
            rule_version=f"{RULE}:{snapshot}:{rules.trace_hash(used)}",
        )
        for run, used in merge(stays)
    ]
    return Visit.objects.bulk_create(made)


def count(start: date, end: date, *, community_id: int | None = None) -> dict[str, int]:
    """Visits that ARRIVED in [start, end] (inclusive), the people who made them and the
    foreign ones: one query."""
    rows = Visit.objects.filter(arrived_on__gte=start, arrived_on__lte=end)
    if community_id is not None:
        rows = rows.filter(community_id=community_id)
    figures = rows.aggregate(
        visits=Count("id"),
        people=Count("guest_id", distinct=True),
        foreign=Count("id", filter=~Q(nationality__in=["", "CN"])),
    )
    return {key: int(value or 0) for key, value in figures.items()}


def by_month(year: int) -> list[tuple[int, int]]:
    """(month, visits) of a year, for the statistics page (one query)."""
    rows = (
        Visit.objects.filter(arrived_on__year=year)
        .annotate(month=ExtractMonth("arrived_on"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    return [(int(r["month"]), int(r["n"])) for r in rows]
