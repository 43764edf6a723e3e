"""Never overbook, under real concurrency (PostgreSQL): 50 parallel requests for the last bed
make exactly one booking; the others are refused with ``no_capacity`` and hold nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from nomadcloud.communities import services
from nomadcloud.communities.models import Booking, NightInventory
from nomadcloud.core.errors import DomainError
from tests.builders.communities import acme_community, as_, booking_draft, guest, unit_of
from tests.conftest import World

PARALLEL = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_requests_for_the_last_bed_make_one_booking(
    request: pytest.FixtureRequest,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency runs on PostgreSQL; SQLite serialises writers")
    world: World = request.getfixturevalue("world")
    community = acme_community(world, beds=1)
    start = timezone.localdate() + timedelta(days=30)
    draft = booking_draft(community, start, nights=2)
    guests = [guest(f"Racer {i}") for i in range(PARALLEL)]
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(PARALLEL)

    def run(i: int) -> None:
        try:
            barrier.wait()
            services.request_booking(principal=as_(guests[i]), community=community, draft=draft)
            result = "ok"
        except DomainError as exc:
            result = exc.code
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["no_capacity"] * (PARALLEL - 1) + ["ok"]
    assert Booking.objects.filter(community=community).count() == 1
    rows = NightInventory.objects.filter(unit_type=unit_of(community)).order_by("night")
    assert [(r.capacity, r.held, r.booked) for r in rows] == [(1, 1, 0), (1, 1, 0)]
