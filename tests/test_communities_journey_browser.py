"""The stay journey of issue 16 in a real browser (headless Chromium, phone sized, against
the live server), in English for a foreign nomad and in Chinese for a domestic one: the nomad
books on the community's page, the community operator accepts, checks the guest in by the
guest's one-card QR code (the foreign nomad) or the booking code (the domestic one), files
the foreign guest's registration within its 24-hour clock, checks the guest out, and the
visit is counted on the nomad's page and in the zone's statistics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nomadcloud.accounts.models import User
from nomadcloud.communities.models import Booking, ForeignRegistration, Visit
from tests.browser_fixtures import Login
from tests.builders.communities import acme_community, guest
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_booking_check_in_registration_check_out_visit(
    login: Login, world: World, language: str
) -> None:
    community = acme_community(world)
    foreign = language == "en"
    nomad = guest("Gina Guest") if foreign else guest("Dan Domestic", country="CN", passport="")
    User.objects.filter(pk__in=[nomad.pk, world.olivia.pk, world.oscar.pk]).update(
        preferred_language=language
    )
    today = timezone.localdate()

    # The nomad books two nights from today on the community's page.
    page = login(nomad.email or "")
    page.goto(f"/communities/{community.public_id}/")
    form = page.get_by_test_id("book-form")
    form.locator("input[name=start]").fill(today.isoformat())
    form.locator("input[name=end]").fill((today + timedelta(days=2)).isoformat())
    form.get_by_test_id("book-submit").click()
    expect(page.get_by_test_id("booking-status")).to_have_attribute("data-status", "requested")
    code = page.get_by_test_id("booking-code").inner_text()
    booking = Booking.objects.get(code=code)

    # The operator accepts; at arrival the guest shows the one-card QR for check-in (the
    # foreign guest) or the booking code (the domestic one), and the operator checks in.
    host = login(world.olivia.email or "")
    host.goto(f"/communities/bookings/{booking.public_id}/")
    host.get_by_test_id("booking-confirm").click()
    expect(host.get_by_test_id("booking-status")).to_have_attribute("data-status", "confirmed")
    shown = code
    if foreign:
        page.goto("/services/card/?purpose=checkin")
        shown = page.get_by_test_id("card-qr").get_attribute("data-token") or ""
        assert shown
    host.goto(f"/communities/{community.public_id}/check-in/")
    host.locator("input[name=code]").fill(shown)
    host.get_by_test_id("check-in-submit").click()
    expect(host.get_by_test_id("booking-status")).to_have_attribute("data-status", "checked_in")

    if foreign:
        # The registration is there, pre-filled, with its clock; filed with its reference.
        expect(host.get_by_test_id("registration")).to_have_attribute("data-status", "required")
        expect(host.get_by_test_id("registration-clock")).to_be_visible()
        host.get_by_test_id("registration-form").locator("input[name=reference]").fill("YP-0042")
        host.get_by_test_id("registration-submit").click()
        expect(host.get_by_test_id("registration")).to_have_attribute("data-status", "registered")
        registration = ForeignRegistration.objects.get(stay__booking=booking)
        assert registration.registered_at is not None
        assert registration.registered_at <= registration.due_at
    else:
        expect(host.get_by_test_id("registration")).to_have_count(0)

    # Check-out; the visit is counted for the nomad and in the zone's figures.
    host.get_by_test_id("booking-check-out").click()
    expect(host.get_by_test_id("booking-status")).to_have_attribute("data-status", "checked_out")
    page.goto("/communities/bookings/")
    expect(page.get_by_test_id("my-visits").locator("li")).to_have_count(1)
    assert Visit.objects.filter(guest=nomad).count() == 1
    operator = login(world.oscar.email or "")
    operator.goto("/communities/visits/")
    expect(operator.get_by_test_id("visits-total")).to_have_text("1")
