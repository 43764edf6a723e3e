"""External channels' calendars imported as holds (never beyond capacity, deduplicated by
UID, bad feeds refused whole with a localized error, one fetching seam), and the
per-community statistics by month for the tourism bureau (aggregates only)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nomadcloud.communities import inventory, ota, statistics
from nomadcloud.communities.models import NightInventory, OtaBlock
from nomadcloud.core.errors import InvalidInput
from tests.builders.communities import (
    acme_community,
    as_,
    authorities,
    checked_out,
    ics,
    ota_feed,
    unit_of,
)
from tests.conftest import World, client_for
from tests.helpers import api_post, assert_error

pytestmark = pytest.mark.django_db


def _held(unit: Any, night: Any) -> int:
    row = NightInventory.objects.filter(unit_type=unit, night=night).first()
    return row.held if row else 0


def test_a_feed_holds_its_nights_once_and_follows_changes(world: World) -> None:
    feed = ota_feed(world)
    unit = unit_of(acme_community(world))
    day = timezone.localdate() + timedelta(days=10)
    data = ics(("r1@ota", day, day + timedelta(days=2)), ("r2@ota", day, day + timedelta(days=1)))
    result = ota.sync(feed, data=data, principal=as_(world.olivia))
    assert (result.held, result.released, result.conflicts) == (2, 0, 0)
    assert _held(unit, day) == 2 and _held(unit, day + timedelta(days=1)) == 1
    again = ota.sync(feed, data=data)  # the same feed again changes nothing
    assert (again.held, again.released) == (0, 0) and _held(unit, day) == 2
    moved = ics(("r1@ota", day + timedelta(days=5), day + timedelta(days=6)))
    changed = ota.sync(feed, data=moved)
    assert (changed.held, changed.released) == (1, 2)
    assert _held(unit, day) == 0 and _held(unit, day + timedelta(days=5)) == 1
    feed.refresh_from_db()
    assert feed.last_synced_at is not None and feed.last_error == ""


def test_a_full_night_is_never_overbooked_but_shown_as_a_conflict(world: World) -> None:
    feed = ota_feed(world)
    community = acme_community(world)
    unit = unit_of(community)
    day = timezone.localdate() + timedelta(days=20)
    events = [(f"r{i}@ota", day, day + timedelta(days=1)) for i in range(unit.count + 1)]
    result = ota.sync(feed, data=ics(*events))
    assert (result.held, result.conflicts) == (unit.count, 1)
    row = NightInventory.objects.get(unit_type=unit, night=day)
    assert row.held + row.booked == row.capacity
    with pytest.raises(inventory.NoCapacity):
        from django.db import transaction

        with transaction.atomic():
            inventory.take(unit, day, day + timedelta(days=1), hold=True)
    assert OtaBlock.objects.filter(feed=feed, held=False).count() == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not a calendar", "ical_invalid"),
        (None, "ical_rrule_unbounded"),
        (b"SECONDLY", "ical_rrule_unsupported"),
        (b"BADRULE", "ical_rrule_invalid"),
        (b"BACKWARDS", "ical_event_invalid"),
        (b"x" * (ota.MAX_BYTES + 1), "ical_too_large"),
    ],
)
def test_bad_feeds_are_refused_whole(world: World, body: bytes | None, code: str) -> None:
    feed = ota_feed(world)
    unit = unit_of(acme_community(world))
    day = timezone.localdate() + timedelta(days=30)
    good = ("ok@ota", day, day + timedelta(days=1))
    if body is None:
        data = ics(good, rrule="FREQ=DAILY")
    elif body == b"SECONDLY":
        data = ics(good, rrule="FREQ=SECONDLY")
    elif body == b"BADRULE":
        data = ics(good, rrule="FREQ=DAILY;COUNT=many")
    elif body == b"BACKWARDS":
        data = ics(good, ("bad@ota", day + timedelta(days=3), day + timedelta(days=1)))
    else:
        data = body
    with pytest.raises(InvalidInput) as refused:
        ota.sync(feed, data=data)
    assert refused.value.code == code
    assert _held(unit, day) == 0  # nothing held
    feed.refresh_from_db()
    assert feed.last_error


def test_a_bounded_repetition_is_expanded(world: World) -> None:
    feed = ota_feed(world)
    unit = unit_of(acme_community(world))
    day = timezone.localdate() + timedelta(days=2)
    ota.sync(
        feed, data=ics(("weekly@ota", day, day + timedelta(days=1)), rrule="FREQ=WEEKLY;COUNT=3")
    )
    assert [_held(unit, day + timedelta(days=7 * i)) for i in range(4)] == [1, 1, 1, 0]


def test_the_address_goes_through_the_one_seam(world: World, monkeypatch: Any) -> None:
    community = acme_community(world)
    ota.add_feed(
        principal=as_(world.olivia),
        unit_type=unit_of(community),
        name="Airbnb",
        url="https://ota.example/feed.ics",
    )
    day = timezone.localdate() + timedelta(days=40)
    asked: list[str] = []

    def fake(url: str) -> bytes:
        asked.append(url)
        return ics(("a@ota", day, day + timedelta(days=1)))

    monkeypatch.setattr(ota, "FETCHER", fake)
    assert ota.sync_all() == {"synced": 1, "failed": 0}
    assert asked == ["https://ota.example/feed.ics"]


def test_the_page_imports_a_file_and_shows_a_refusal_in_chinese(world: World) -> None:
    community = acme_community(world)
    feed = ota_feed(world)
    host = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="zh-hans")
    path = f"/communities/{community.public_id}/calendars/"
    day = timezone.localdate() + timedelta(days=50)
    upload = SimpleUploadedFile("ota.ics", ics(("p@ota", day, day + timedelta(days=1))))
    ok = host.post(path, {"op": "upload", "feed": str(feed.public_id), "file": upload}, follow=True)
    assert ok.status_code == 200 and 'data-held="1"' in ok.content.decode()
    bad = SimpleUploadedFile("ota.ics", b"garbage")
    refused = host.post(path, {"op": "upload", "feed": str(feed.public_id), "file": bad})
    assert refused.status_code == 422
    assert "iCalendar" in refused.content.decode()
    assert OtaBlock.objects.filter(feed=feed).count() == 1
    readonly = client_for(world.rita)
    assert readonly.post(path, {"op": "sync", "feed": str(feed.public_id)}).status_code == 403


def test_the_api_adds_and_syncs_a_feed(world: World) -> None:
    community = acme_community(world)
    unit = unit_of(community)
    base = f"/api/v1/communities/{community.public_id}/calendar-feeds"
    made = api_post(world.olivia, base, {"unit_type": str(unit.public_id), "name": "Trip"})
    assert made.status_code == 201, made.content
    feed_id = made.json()["id"]
    day = timezone.localdate() + timedelta(days=60)
    body = {"ical": ics(("t@ota", day, day + timedelta(days=2))).decode()}
    synced = api_post(world.olivia, f"{base}/{feed_id}/sync", body)
    assert synced.status_code == 200 and synced.json()["held"] == 1
    assert_error(
        api_post(world.olivia, f"{base}/{feed_id}/sync", {"ical": "nope"}),
        "ical_invalid",
        status=422,
    )
    no_url = api_post(
        world.olivia, base, {"unit_type": str(unit.public_id), "name": "X", "url": "ftp://x"}
    )
    assert_error(no_url, "feed_url_invalid", status=422)


def test_statistics_by_month_for_the_bureau_only_in_aggregate(world: World) -> None:
    booking = checked_out(world)
    community = booking.community
    authorities(world)  # Wendy's department is the statistics authority
    year = timezone.localdate().year
    months = statistics.community_year(community, year)
    total = statistics.totals(months)
    assert total.stays == 1 and total.visits == 1 and total.nights >= 0
    page = client_for(world.wendy, HTTP_ACCEPT_LANGUAGE="en").get(
        f"/communities/{community.public_id}/statistics/"
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="chart-activity"' in body and 'data-testid="statistics-table"' in body
    assert booking.guest.display_name not in body  # aggregates only
    island = re.search(r'id="chart-activity"[^>]*>(.*?)</script>', body, re.S)
    assert island is not None
    assert sum(json.loads(island.group(1))["series"][1]["data"]) == 1
    api = client_for(world.wendy).get(f"/api/v1/communities/{community.public_id}/statistics")
    assert api.status_code == 200 and sum(m["visits"] for m in api.json()["months"]) == 1
    overview_rows = dict(statistics.all_communities(year))
    assert overview_rows[community] == total  # one grouped query per figure, same totals
    overview = client_for(world.wendy).get("/communities/statistics/")
    assert overview.status_code == 200 and 'data-testid="overview-row"' in overview.content.decode()
    outsider = client_for(world.charlie).get(f"/communities/{community.public_id}/statistics/")
    assert outsider.status_code == 404


def test_authorities_are_named_as_plans_name_them_and_resolved_by_the_registry(
    world: World,
) -> None:
    from nomadcloud.accounts.units import add_alias
    from nomadcloud.communities.models import Authority

    add_alias(text="旅文局", organisation=world.department, actor=None)
    operator = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="zh-hans")
    made = operator.post("/communities/authorities/", {"unit": "旅文局", "role": "statistics"})
    assert made.status_code == 302
    assert Authority.objects.filter(organisation=world.department, role="statistics").exists()
    unknown = operator.post("/communities/authorities/", {"unit": "旅文", "role": "police"})
    assert unknown.status_code == 422 and "旅文局" in unknown.content.decode()  # a suggestion
    not_dept = api_post(
        world.oscar, "/api/v1/communities/authorities", {"unit": "Acme", "role": "police"}
    )
    assert not_dept.json()["code"] == "unknown_unit"
    refused = api_post(
        world.olivia, "/api/v1/communities/authorities", {"unit": "旅文局", "role": "police"}
    )
    assert_error(refused, "operator_only")
    listed = client_for(world.oscar).get("/api/v1/communities/authorities")
    assert [r["role"] for r in listed.json()] == ["statistics"]


def test_one_card_items_name_their_responsible_unit_through_the_registry(world: World) -> None:
    from nomadcloud.accounts.units import add_alias
    from nomadcloud.onecard.services import catalogue

    add_alias(text="市科工信局", organisation=world.department, actor=None)
    assert catalogue.responsible_unit("市科工信局") == world.department
    assert catalogue.responsible_unit(world.department.code or "") == world.department
    with pytest.raises(InvalidInput) as refused:
        catalogue.responsible_unit(world.operator_org.code or "")
    assert refused.value.code == "not_a_department"
