"""Communities pages: the public list and page, booking from the page, the operator's desk
(bookings, check-in by code, walk-in, import, listing, units and rates, events), the booking
page's moves, public security's queue, the visit statistics and the iCalendar export."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from icalendar import Calendar

from nomadcloud.communities.models import Booking, CalendarEvent, ForeignRegistration, UnitType
from tests.builders.communities import (
    acme_community,
    authorities,
    checked_in,
    checked_out,
    confirmed,
    guest,
    nightly,
    requested,
)
from tests.conftest import World, client_for

TODAY = timezone.localdate


def test_public_list_and_page_show_no_personal_data(world: World) -> None:
    community = acme_community(world)
    booking = checked_in(world)
    anonymous = client_for(None)
    listing = anonymous.get("/communities/")
    assert listing.status_code == 200 and "洋浦游民之家" in listing.content.decode()
    page = anonymous.get(f"/communities/{community.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.status_code == 200
    assert booking.guest.display_name not in body and booking.code not in body
    assert "International internet access" in body


def test_booking_from_the_page_then_the_host_accepts(world: World) -> None:
    community = acme_community(world)
    plan = nightly(community)
    nomad = guest()
    client = client_for(nomad)
    start = TODAY() + timedelta(days=12)
    response = client.post(
        f"/communities/{community.public_id}/book/",
        {
            "unit_type": str(plan.unit_type.public_id),
            "rate_plan": str(plan.public_id),
            "start": start.isoformat(),
            "end": (start + timedelta(days=2)).isoformat(),
        },
    )
    booking = Booking.objects.get(guest=nomad)
    assert response.status_code == 302 and response["Location"].endswith(f"{booking.public_id}/")
    host = client_for(world.olivia)
    page = host.get(f"/communities/bookings/{booking.public_id}/")
    assert 'data-testid="booking-confirm"' in page.content.decode()
    assert (
        'data-testid="booking-confirm"'
        not in client.get(f"/communities/bookings/{booking.public_id}/").content.decode()
    )
    host.post(f"/communities/bookings/{booking.public_id}/confirm/")
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_a_bad_booking_from_the_page_is_a_message_and_nothing_held(world: World) -> None:
    community = acme_community(world)
    plan = nightly(community)
    nomad = guest()
    response = client_for(nomad).post(
        f"/communities/{community.public_id}/book/",
        {
            "unit_type": str(plan.unit_type.public_id),
            "rate_plan": str(plan.public_id),
            "start": TODAY().isoformat(),
            "end": TODAY().isoformat(),
        },
    )
    assert response.status_code == 302 and not Booking.objects.filter(guest=nomad).exists()


def test_operator_desk_pages(world: World) -> None:
    community = acme_community(world)
    requested(world)
    host = client_for(world.olivia)
    for path in ("bookings/", "check-in/", "walk-in/", "import/", "manage/", "events/"):
        assert host.get(f"/communities/{community.public_id}/{path}").status_code == 200, path
    assert (
        client_for(world.rita).get(f"/communities/{community.public_id}/bookings/").status_code
        == 200
    )
    assert (
        client_for(world.rita).get(f"/communities/{community.public_id}/check-in/").status_code
        == 403
    )
    assert (
        client_for(world.charlie).get(f"/communities/{community.public_id}/bookings/").status_code
        == 404
    )


def test_check_in_by_code_on_the_page_shows_the_registration_clock(world: World) -> None:
    booking = confirmed(world, start=TODAY())
    host = client_for(world.olivia)
    response = host.post(
        f"/communities/{booking.community.public_id}/check-in/", {"code": booking.code.lower()}
    )
    assert response.status_code == 302
    page = host.get(f"/communities/bookings/{booking.public_id}/").content.decode()
    assert 'data-testid="registration"' in page and 'data-testid="registration-overdue"' not in page
    bad = host.post(f"/communities/{booking.community.public_id}/check-in/", {"code": "NOPE1234"})
    assert bad.status_code == 422


def test_walk_in_and_import_pages(world: World) -> None:
    community = acme_community(world)
    plan = nightly(community)
    walker = guest()
    host = client_for(world.olivia)
    response = host.post(
        f"/communities/{community.public_id}/walk-in/",
        {
            "guest": walker.email,
            "rate_plan": f"{plan.unit_type.public_id}:{plan.public_id}",
            "end": (TODAY() + timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert Booking.objects.get(guest=walker).status == "checked_in"
    d = TODAY() - timedelta(days=20)
    csv = f"person,arrived_on,departed_on\n{walker.email},{d},{d + timedelta(days=3)}\n"
    upload = SimpleUploadedFile("stays.csv", csv.encode(), content_type="text/csv")
    response = host.post(
        f"/communities/{community.public_id}/import/",
        {"file": upload, "evidence_note": "Register book"},
    )
    assert response.status_code == 302
    bad = SimpleUploadedFile(
        "stays.csv", b"person,arrived_on,departed_on\nnobody,2020-01-01,2020-01-02\n"
    )
    response = host.post(
        f"/communities/{community.public_id}/import/", {"file": bad, "evidence_note": "x"}
    )
    assert response.status_code == 422 and "第 2 行" in response.content.decode()


def test_listing_units_and_rates_from_the_pages(world: World) -> None:
    community = acme_community(world)
    host = client_for(world.olivia)
    base = f"/communities/{community.public_id}"
    host.post(f"{base}/units/", {"kind": "desk", "name_zh": "工位", "name_en": "Desk", "count": 10})
    desk = UnitType.objects.get(community=community, kind="desk")
    host.post(
        f"{base}/units/{desk.public_id}/rates/",
        {
            "name_zh": "日租",
            "name_en": "Day pass",
            "per": "night",
            "price": "35.50",
            "min_nights": 1,
        },
    )
    assert str(desk.rate_plans.get().price) == "35.50"
    host.post(
        f"{base}/units/{desk.public_id}/rates/",
        {"name_zh": "x", "name_en": "y", "per": "night", "price": "1.234", "min_nights": 1},
    )
    assert desk.rate_plans.count() == 1


def test_police_see_only_foreign_stays_and_confirm_a_reference(world: World) -> None:
    authorities(world)
    foreign = checked_in(world)
    domestic = checked_in(world, guest("Dan Domestic", country="CN", passport=""))
    page = client_for(world.wendy).get("/communities/registrations/")
    body = page.content.decode()
    assert page.status_code == 200
    assert foreign.guest.display_name in body and domestic.guest.display_name not in body
    assert foreign.guest.email not in body  # minimum fields only
    registration = ForeignRegistration.objects.get(stay__booking=foreign)
    client_for(world.wendy).post(
        f"/communities/registrations/{registration.public_id}/file/",
        {"reference": "GA-1", "next": "police"},
    )
    registration.refresh_from_db()
    assert registration.status == "registered"
    assert client_for(world.charlie).get("/communities/registrations/").status_code == 403


def test_visit_statistics_for_the_operator_and_the_tourism_bureau(world: World) -> None:
    authorities(world)
    checked_out(world)
    for who in (world.oscar, world.wendy):
        page = client_for(who).get("/communities/visits/")
        assert page.status_code == 200 and 'data-testid="visits-total"' in page.content.decode()
    assert client_for(world.olivia).get("/communities/visits/").status_code == 403


def test_review_after_the_stay_from_the_page(world: World) -> None:
    done = checked_out(world)
    client = client_for(done.guest)
    page = client.get(f"/communities/bookings/{done.public_id}/").content.decode()
    assert 'data-testid="review-form"' in page
    client.post(
        f"/communities/bookings/{done.public_id}/review/", {"rating": 5, "comment": "Lovely"}
    )
    assert (
        "Lovely"
        in client_for(None).get(f"/communities/{done.community.public_id}/").content.decode()
    )


def test_icalendar_export_has_events_with_capped_rrule_and_full_nights(world: World) -> None:
    community = acme_community(world, beds=1)
    host = client_for(world.olivia)
    start = timezone.localtime() + timedelta(days=2)
    host.post(
        f"/communities/{community.public_id}/events/",
        {
            "title_zh": "周五聚会",
            "title_en": "Friday meetup",
            "starts_at": start.strftime("%Y-%m-%dT19:00"),
            "ends_at": start.strftime("%Y-%m-%dT21:00"),
            "weekly_count": 4,
        },
    )
    assert CalendarEvent.objects.filter(community=community).count() == 1
    requested(world, start=TODAY() + timedelta(days=5), nights=2)
    response = client_for(None).get(
        f"/communities/{community.public_id}/calendar.ics", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert "Friday meetup" in summaries
    meetup = next(e for e in events if str(e["SUMMARY"]) == "Friday meetup")
    assert meetup["RRULE"]["COUNT"] == [4] and meetup["RRULE"]["FREQ"] == ["WEEKLY"]
    assert sum("fully booked" in s for s in summaries) == 2
    assert b"Gina" not in response.content
