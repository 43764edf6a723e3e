"""Seed 100,000 stays (and their bookings and visits) on a throwaway PostgreSQL server, then
measure the p95 of the zone's visit count for a year (``visits.count``, one query) and of the
community operator's bookings page (a signed-in GET of ``/communities/<id>/bookings/``).

Rows are written in bulk (``bulk_create``), the visits by the same merge as the product
(``visits.merge`` per person). Ends with one JSON line:
``{"stays": …, "visits": …, "visits_year_p95_ms": …, "bookings_page_p95_ms": …,
"p95_ms_max": …}``."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from benchmarks.points.common import postgres, setup_django, workdir


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2)


def seed(stays: int, people: int) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password

    from nomadcloud.accounts.models import Membership, Organisation, User
    from nomadcloud.communities import visits
    from nomadcloud.communities.models import (
        Booking,
        Community,
        RatePlan,
        Stay,
        UnitType,
        Visit,
    )

    rng = random.Random(2026)
    host = User.objects.create(
        email="host@bench.example", display_name="Host", password=make_password("x")
    )
    communities = []
    for i in range(10):
        org = Organisation.objects.create(
            kind="community", name_en=f"Community {i}", name_zh=f"社区{i}"
        )
        Membership.objects.create(user=host, organisation=org, role="owner")
        community = Community.objects.create(
            organisation=org,
            name={"zh-Hans": f"社区{i}", "en": f"Community {i}"},
            summary={"zh-Hans": "简介", "en": "About"},
            house_rules={"zh-Hans": "须知", "en": "Rules"},
            address="洋浦",
            admin_code="460400",
            listed=True,
        )
        unit = UnitType.objects.create(
            community=community, kind="bed", name={"zh-Hans": "床", "en": "Bed"}, count=200
        )
        plan = RatePlan.objects.create(
            unit_type=unit, name={"zh-Hans": "晚", "en": "Night"}, price=Decimal("100.00")
        )
        communities.append((community, unit, plan))
    countries = ["CN"] * 7 + ["DE", "FR", "JP", "US", "RU", "GB"]
    guests = User.objects.bulk_create(
        [
            User(
                email=f"guest{i}@bench.example",
                display_name=f"Guest {i}",
                nationality=rng.choice(countries),
                password="!",  # noqa: S106 (an unusable password)
            )
            for i in range(people)
        ],
        batch_size=5000,
    )
    per_person: dict[int, list[Stay]] = {}
    start_day = date(2025, 1, 1)
    batch_bookings: list[Booking] = []
    plans: list[tuple[int, Any, Any, Any]] = []
    for i in range(stays):
        guest = guests[i % people]
        community, unit, plan = communities[rng.randrange(len(communities))]
        arrived = start_day + timedelta(days=rng.randrange(700))
        nights = rng.randint(1, 20)
        batch_bookings.append(
            Booking(
                code=f"B{i:07d}",
                community=community,
                unit_type=unit,
                rate_plan=plan,
                guest=guest,
                start=arrived,
                end=arrived + timedelta(days=nights),
                status="checked_out",
                total=Decimal(100 * nights),
                created_by=host,
            )
        )
        plans.append((guest.pk, community, arrived, nights))
    bookings = Booking.objects.bulk_create(batch_bookings, batch_size=5000)
    stay_rows = [
        Stay(
            community=community,
            guest_id=guest_id,
            booking=booking,
            source="check_in",
            arrived_on=arrived,
            departed_on=arrived + timedelta(days=nights),
            method="code",
        )
        for booking, (guest_id, community, arrived, nights) in zip(bookings, plans, strict=True)
    ]
    made = Stay.objects.bulk_create(stay_rows, batch_size=5000)
    for stay in made:
        per_person.setdefault(stay.guest_id, []).append(stay)
    snapshot = visits.parameters().snapshot
    by_pk = {g.pk: g for g in guests}
    visit_rows = []
    for guest_id, rows in per_person.items():
        for run, _used in visits.merge(rows):
            visit_rows.append(
                Visit(
                    guest_id=guest_id,
                    community_id=run.community_id,
                    arrived_on=run.arrived_on,
                    departed_on=run.departed_on,
                    nights=run.nights,
                    nationality=by_pk[guest_id].nationality.code,
                    sources=run.sources,
                    rule_version=f"{visits.RULE}:{snapshot}",
                )
            )
    Visit.objects.bulk_create(visit_rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"host": host, "community": communities[0][0], "visits": len(visit_rows)}


def measure(world: dict[str, Any], rounds: int) -> dict[str, float]:
    from django.test import Client

    from nomadcloud.communities import visits

    year_samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        figures = visits.count(date(2025, 1, 1), date(2025, 12, 31))
        year_samples.append((time.perf_counter() - began) * 1000)
    assert figures["visits"] > 0
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST="localhost")
    client.force_login(world["host"])
    path = f"/communities/{world['community'].public_id}/bookings/"
    page_samples = []
    for i in range(rounds):
        began = time.perf_counter()
        response = client.get(path, {"page": 1 + i % 5})
        page_samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    return {
        "visits_year_p95_ms": _p95(year_samples),
        "visits_year_median_ms": round(statistics.median(year_samples), 2),
        "bookings_page_p95_ms": _p95(page_samples),
        "bookings_page_median_ms": round(statistics.median(page_samples), 2),
        "visits_year_count": figures["visits"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stays", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args(argv)
    with postgres() as cluster, workdir() as data:
        setup_django(cluster.url, data)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        began = time.perf_counter()
        world = seed(args.stays, args.people)
        seeded = time.perf_counter() - began
        figures = measure(world, args.rounds)
        from benchmarks.baseline import indexed_lookup_ms

        lookup = indexed_lookup_ms()
    result = {
        "stays": args.stays,
        "visits": world["visits"],
        "seed_s": round(seeded, 1),
        **figures,
        "p95_ms_max": max(figures["visits_year_p95_ms"], figures["bookings_page_p95_ms"]),
    }
    from benchmarks.baseline import ratio

    result["baseline_lookup_ms"] = lookup
    result["p95_ms_max_to_lookup_ratio"] = ratio(float(result["p95_ms_max"]), lookup)
    print(f"baseline: an indexed lookup {lookup} ms (median); largest p95 ÷ lookup"
          f" {result['p95_ms_max_to_lookup_ratio']}", flush=True)  # fmt: skip
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
