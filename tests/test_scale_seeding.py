"""The load test's seeding (``nomadcloud/testing/scale_rows.py``, run by benchmarks/scale;
decision 0059): stays and foreign guests'
registrations are grown by cloning rows on the server like the other tables, every constraint
holding (one stay per booking, one registration per stay), so the public security persona's
``GET /api/v1/communities/registrations`` answers 200 with rows and is part of the mixed
workload. PostgreSQL only (the seeding reads PostgreSQL's catalogue)."""

from __future__ import annotations

import pytest
from django.db import connection

from nomadcloud.communities.models import Booking, ForeignRegistration, Stay
from nomadcloud.testing import scale_rows as scale
from tests.builders.communities import authorities, checked_in, confirmed, guest
from tests.builders.world import World
from tests.helpers import api_get

API = "/api/v1/communities"


def test_registrations_are_seeded_and_in_the_police_workload(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the load test's seeding runs on PostgreSQL")
    authorities(world)
    checked_in(world)  # a foreign guest checked in: one registration to clone
    for _ in range(3):
        confirmed(world, guest())  # bookings without a stay yet
    assert "communities_foreignregistration" in scale.SPEC_ROWS
    tables = list(scale.SPEC_ROWS)
    assert (
        tables.index("communities_booking")
        < tables.index("communities_stay")
        < tables.index("communities_foreignregistration")
    )  # parents first: each clone takes a parent that has none yet

    assert scale.grow("communities_stay", 4) == 3
    assert Stay.objects.count() == 4
    assert Stay.objects.values("booking").distinct().count() == 4  # one stay per booking
    assert Booking.objects.count() == 4
    assert scale.grow("communities_foreignregistration", 10) == 3  # as many as free stays
    registrations = ForeignRegistration.objects.all()
    assert registrations.count() == 4
    assert registrations.values("stay").distinct().count() == 4
    assert registrations.values("public_id").distinct().count() == 4

    queue = api_get(world.wendy, f"{API}/registrations")  # Wendy's department is 公安 here
    assert queue.status_code == 200
    assert len(queue.json()["items"]) == 4
