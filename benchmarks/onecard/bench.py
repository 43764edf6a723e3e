"""One-card benchmark (docs/onecard.md, issue 16 "Real parts and checks").

Seeds a throwaway PostgreSQL server with the 24 catalogue items and ``APPLICATIONS``
applications spread over the items' departments, states and dates (bulk inserts), then
requests through Django's test client, ``REQUESTS`` times each after a warm-up: a window
officer's queue page for the busiest department, an item page and the whole catalogue as
CPSV-AP JSON-LD. Prints the p50/p95 of each and ends with one line of JSON, e.g.
``{"applications": 200000, "queue_p95_ms": …, "item_p95_ms": …, "export_p95_ms": …,
"p95_ms_max": …}``. Target: every p95 ≤ 300 ms."""

from __future__ import annotations

import json
import os
import random
import secrets
import statistics
import time
from datetime import timedelta
from typing import Any

from benchmarks.points import common

APPLICATIONS = int(os.environ.get("ONECARD_BENCH_APPLICATIONS", "200000"))
REQUESTS = int(os.environ.get("ONECARD_BENCH_REQUESTS", "40"))
BATCH = 5000


def _seed() -> dict[str, Any]:
    from django.utils import timezone

    from nomadcloud.accounts.models import Membership, Organisation, User
    from nomadcloud.onecard import demo
    from nomadcloud.onecard.models import Application, ServiceItem

    demo.seed()
    officer = User.objects.create_user(email="officer@bench.example", password=None)
    officer.display_name = "Bench Officer"
    officer.save()
    kegongxin = Organisation.objects.get(code="kegongxin", kind="department")
    Membership.objects.create(user=officer, organisation=kegongxin, role="member")
    applicants = [
        User(email=f"applicant{i}@bench.example", display_name=f"Applicant {i}")
        for i in range(2000)
    ]
    for user in applicants:
        user.set_unusable_password()
    User.objects.bulk_create(applicants, batch_size=1000)
    applicants = list(User.objects.filter(email__endswith="@bench.example").exclude(pk=officer.pk))
    items = [
        i for i in ServiceItem.objects.select_related("current_version") if i.handler != "deep_link"
    ]
    rng = random.Random(2026)
    statuses = [s for s, _label in Application.Status.choices]
    now = timezone.now()
    made = 0
    while made < APPLICATIONS:
        rows = []
        for _ in range(min(BATCH, APPLICATIONS - made)):
            item = rng.choice(items)
            status = rng.choice(statuses)
            received = now - timedelta(days=rng.randint(0, 400))
            received_at = received if status not in ("draft", "submitted") else None
            rows.append(
                Application(
                    reference=f"BJ{secrets.token_hex(8).upper()}",
                    item=item,
                    version=item.current_version,
                    department_id=item.department_id,
                    applicant=rng.choice(applicants),
                    status=status,
                    answers={"note": "bench"},
                    received_at=received_at,
                    due_at=received_at + timedelta(days=7) if received_at else None,
                    decided_at=received_at + timedelta(days=rng.randint(1, 20))
                    if received_at and status in ("approved", "rejected", "result_issued", "closed")
                    else None,
                )
            )
        Application.objects.bulk_create(rows, batch_size=BATCH)
        made += len(rows)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"officer": officer, "department": kegongxin}


def _time(client: Any, path: str) -> list[float]:
    for _ in range(3):
        assert client.get(path).status_code == 200, path
    samples = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    return samples


def _p95(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=20)[18], 1)


def main() -> None:
    with common.postgres() as cluster, common.workdir() as tmp:
        common.setup_django(cluster.url, tmp)
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        world = _seed()
        seeded = time.perf_counter() - started
        officer_client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        officer_client.force_login(world["officer"])
        public = Client(HTTP_ACCEPT_LANGUAGE="en")
        figures = {
            "queue": _time(
                officer_client, f"/services/departments/{world['department'].public_id}/queue/"
            ),
            "item": _time(public, "/services/KGX-GF-002/"),
            "export": _time(public, "/services/catalog.jsonld"),
        }
        for name, samples in figures.items():
            print(
                f"{name:7} p50 {statistics.median(samples):7.1f} ms   p95 {_p95(samples):7.1f} ms"
            )
        result = {
            "applications": APPLICATIONS,
            "seed_seconds": round(seeded, 1),
            **{f"{name}_p95_ms": _p95(samples) for name, samples in figures.items()},
        }
        result["p95_ms_max"] = max(v for k, v in result.items() if k.endswith("_p95_ms"))
        from benchmarks.baseline import indexed_lookup_ms, ratio

        lookup = indexed_lookup_ms()
        result["baseline_lookup_ms"] = lookup
        result["p95_ms_max_to_lookup_ratio"] = ratio(result["p95_ms_max"], lookup)
        print(f"baseline: an indexed lookup {lookup} ms (median); largest p95 ÷ lookup"
              f" {result['p95_ms_max_to_lookup_ratio']}")  # fmt: skip
        print(json.dumps(result))


if __name__ == "__main__":
    main()
