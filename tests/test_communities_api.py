"""The communities API: public listing and availability, the operator's listing, units and
rates, booking and its moves, check-in, walk-in, imports, registrations and the visit
count."""

from __future__ import annotations

import base64
from datetime import timedelta

from django.utils import timezone

from nomadcloud.communities.models import Booking, Community
from tests.builders.communities import (
    LISTING,
    acme_community,
    authorities,
    checked_in,
    checked_out,
    confirmed,
    guest,
    nightly,
    requested,
)
from tests.conftest import World
from tests.helpers import api_get, api_post, assert_error

API = "/api/v1/communities"
TODAY = timezone.localdate


def test_public_list_detail_and_availability(world: World) -> None:
    community = acme_community(world)
    requested(world, start=TODAY() + timedelta(days=2))
    listing = api_get(None, API)
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["items"]] == [str(community.public_id)]
    detail = api_get(None, f"{API}/{community.public_id}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert detail["name"] == "Yangpu Nomad House" and detail["machine_translated"] is False
    assert detail["names"]["_machine"] == ["ru"]
    assert detail["unit_types"][0]["rate_plans"][0]["price"] == "120.00"
    start = TODAY() + timedelta(days=2)
    free = api_get(
        None,
        f"{API}/{community.public_id}/availability?start={start}&end={start + timedelta(days=4)}",
    ).json()
    assert [row["free"] for row in free] == [3, 3, 3, 4]
    bad = api_get(None, f"{API}/{community.public_id}/availability?start={start}&end={start}")
    assert_error(bad, "invalid_input", "end", status=422)


def test_create_a_listing_units_and_rates(world: World) -> None:
    from nomadcloud.accounts.models import Organisation

    Organisation.objects.filter(pk=world.acme.pk).update(kind="community")
    response = api_post(world.olivia, API, {**LISTING, "organisation": str(world.acme.public_id)})
    assert response.status_code == 201, response.content
    cid = response.json()["id"]
    unit = api_post(
        world.olivia,
        f"{API}/{cid}/unit-types",
        {"kind": "room", "name": {"zh-Hans": "单间", "en": "Private room"}, "count": 2},
    )
    assert unit.status_code == 201
    plan = api_post(
        world.olivia,
        f"{API}/{cid}/unit-types/{unit.json()['id']}/rate-plans",
        {
            "name": {"zh-Hans": "月租", "en": "Monthly"},
            "per": "month",
            "price": "3000.00",
            "min_nights": 30,
        },
    )
    assert plan.status_code == 201 and plan.json()["price"] == "3000.00"
    floats = api_post(
        world.olivia,
        f"{API}/{cid}/unit-types/{unit.json()['id']}/rate-plans",
        {"name": {"zh-Hans": "x", "en": "y"}, "price": 12.5},
    )
    assert_error(floats, "invalid_input", "price", status=422)
    twice = api_post(world.olivia, API, {**LISTING, "organisation": str(world.acme.public_id)})
    assert_error(twice, "already_listed", status=409)
    assert Community.objects.filter(organisation=world.acme).count() == 1


def test_book_confirm_check_in_check_out_review_by_api(world: World) -> None:
    community = acme_community(world)
    plan = nightly(community)
    nomad = guest()
    start = TODAY()
    made = api_post(
        nomad,
        f"{API}/{community.public_id}/bookings",
        {
            "unit_type": str(plan.unit_type.public_id),
            "rate_plan": str(plan.public_id),
            "start": start.isoformat(),
            "end": (start + timedelta(days=2)).isoformat(),
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (
        body["status"] == "requested" and body["total"] == "240.00" and body["moves"] == ["cancel"]
    )
    bid = body["id"]
    host = api_post(world.olivia, f"{API}/bookings/{bid}/actions", {"action": "confirm"})
    assert host.json()["status"] == "confirmed"
    checked = api_post(
        world.olivia, f"{API}/{community.public_id}/check-ins", {"code": body["code"]}
    )
    assert checked.status_code == 201 and checked.json()["status"] == "checked_in"
    extended = api_post(
        nomad, f"{API}/bookings/{bid}/extension", {"end": (start + timedelta(days=3)).isoformat()}
    )
    assert extended.json()["nights"] == 3
    out = api_post(world.olivia, f"{API}/bookings/{bid}/actions", {"action": "check_out"})
    assert out.json()["status"] == "checked_out"
    review = api_post(nomad, f"{API}/bookings/{bid}/reviews", {"rating": 5, "comment": "Great"})
    assert review.status_code == 201 and review.json()["side"] == "guest"
    again = api_post(nomad, f"{API}/bookings/{bid}/reviews", {"rating": 5})
    assert_error(again, "already_reviewed", status=409)
    mine = api_get(nomad, f"{API}/bookings/mine").json()["items"]
    assert [row["id"] for row in mine] == [bid]


def test_last_bed_refusal_by_api(world: World) -> None:
    community = acme_community(world, beds=1)
    booking = requested(world)
    plan = nightly(community)
    late = api_post(
        guest(),
        f"{API}/{community.public_id}/bookings",
        {
            "unit_type": str(plan.unit_type.public_id),
            "rate_plan": str(plan.public_id),
            "start": booking.start.isoformat(),
            "end": booking.end.isoformat(),
        },
    )
    assert_error(late, "no_capacity", status=409)


def test_operator_lists_bookings_and_walks_in(world: World) -> None:
    community = acme_community(world)
    requested(world)
    rows = api_get(world.olivia, f"{API}/{community.public_id}/bookings?status=requested").json()[
        "items"
    ]
    assert len(rows) == 1 and rows[0]["status"] == "requested"
    plan = nightly(community)
    walker = guest()
    walked = api_post(
        world.olivia,
        f"{API}/{community.public_id}/walk-ins",
        {
            "guest": walker.email,
            "unit_type": str(plan.unit_type.public_id),
            "rate_plan": str(plan.public_id),
            "end": (TODAY() + timedelta(days=1)).isoformat(),
        },
    )
    assert walked.status_code == 201 and walked.json()["status"] == "checked_in"
    assert_error(
        api_get(world.charlie, f"{API}/{community.public_id}/bookings"), "not_found", status=404
    )


def test_import_registrations_and_visit_count(world: World) -> None:
    authorities(world)
    community = acme_community(world)
    booking = checked_in(world)
    who = guest()
    d = TODAY() - timedelta(days=10)
    csv = f"person,arrived_on,departed_on\n{who.email},{d},{d + timedelta(days=2)}\n"
    imported = api_post(
        world.olivia,
        f"{API}/{community.public_id}/stay-imports",
        {
            "file_name": "stays.csv",
            "content_base64": base64.b64encode(csv.encode()).decode(),
            "evidence_note": "Register book",
        },
    )
    assert imported.status_code == 201 and imported.json()["rows"] == 1
    queue = api_get(world.wendy, f"{API}/registrations").json()["items"]
    assert [r["full_name"] for r in queue] == [booking.guest.display_name]
    assert set(queue[0]) == {
        "id",
        "community",
        "community_address",
        "full_name",
        "nationality",
        "passport_number",
        "arrived_at",
        "due_at",
        "status",
        "overdue",
        "reference",
    }
    done = api_post(world.wendy, f"{API}/registrations/{queue[0]['id']}", {"reference": "GA-7"})
    assert done.json()["status"] == "registered"
    count = api_get(world.oscar, f"{API}/visits/count?start={d}&end={TODAY()}").json()
    assert count["visits"] == 1 and count["people"] == 1
    assert_error(api_get(world.olivia, f"{API}/visits/count"), "statistics_only", status=403)
    assert_error(api_get(world.olivia, f"{API}/registrations"), "police_only", status=403)


def test_host_only_moves_are_forbidden_to_the_guest(world: World) -> None:
    booking = requested(world)
    response = api_post(
        booking.guest, f"{API}/bookings/{booking.public_id}/actions", {"action": "confirm"}
    )
    assert_error(response, "forbidden", status=403)
    assert Booking.objects.get(pk=booking.pk).status == "requested"
    done = checked_out(world)
    assert api_get(world.charlie, f"{API}/bookings/{done.public_id}").status_code == 404
    assert confirmed(world).status == "confirmed"
