"""Communities: listings, inventory that never overbooks, the booking state machine, check-in,
the foreign guest's registration, reviews, imports and visits (services level)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from nomadcloud.communities import inventory, services, stays, visits
from nomadcloud.communities.models import (
    Booking,
    ForeignRegistration,
    NightInventory,
    Stay,
    Visit,
)
from nomadcloud.communities.schemas import (
    ExtendDraft,
    RegistrationDraft,
    ReviewDraft,
    UnitCountDraft,
    WalkInDraft,
)
from nomadcloud.communities.text import is_machine, tr
from nomadcloud.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from nomadcloud.core.inputs import parse_draft
from nomadcloud.onecard import qr
from tests.builders.communities import (
    acme_community,
    as_,
    booking_draft,
    checked_in,
    checked_out,
    confirmed,
    guest,
    nightly,
    papers,
    requested,
    unit_of,
)
from tests.conftest import World

TODAY = timezone.localdate


def _row(community, night: date) -> NightInventory:  # type: ignore[no-untyped-def]
    return NightInventory.objects.get(unit_type=unit_of(community), night=night)


def test_listing_text_per_language_with_machine_translation_flagged(world: World) -> None:
    community = acme_community(world)
    assert tr(community.name, "en") == "Yangpu Nomad House"
    assert tr(community.name, "zh-hans") == "洋浦游民之家"
    assert tr(community.name, "ru") == "Дом" and is_machine(community.name, "ru")
    assert tr(community.name, "fr") == "Yangpu Nomad House"  # falls back to English
    assert not is_machine(community.name, "en")


def test_a_listing_needs_both_languages_and_a_region_code(world: World) -> None:
    from nomadcloud.communities.schemas import CommunityDraft
    from tests.builders.communities import LISTING

    with pytest.raises(InvalidInput) as exc:
        parse_draft(CommunityDraft, {**LISTING, "name": {"en": "Only English"}})
    assert "name" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        parse_draft(CommunityDraft, {**LISTING, "admin_code": "46040"})
    assert "admin_code" in exc.value.fields
    with pytest.raises(InvalidInput):
        parse_draft(CommunityDraft, {**LISTING, "amenities": ["sauna"]})


def test_a_request_holds_a_bed_and_confirmation_books_it(world: World) -> None:
    booking = requested(world, nights=3)
    first = _row(booking.community, booking.start)
    assert (first.held, first.booked) == (1, 0)
    assert booking.total == Decimal("360.00")
    assert booking.hold_expires_at is not None
    services.decide_booking(principal=as_(world.olivia), booking=booking, accept=True)
    first.refresh_from_db()
    assert (first.held, first.booked) == (0, 1)
    assert NightInventory.objects.filter(unit_type=booking.unit_type, booked=1).count() == 3


def test_decline_and_expiry_release_the_hold(world: World) -> None:
    booking = requested(world)
    services.decide_booking(
        principal=as_(world.olivia), booking=booking, accept=False, reason="Full"
    )
    assert _row(booking.community, booking.start).held == 0
    other = requested(world)
    assert services.expire_holds(now=timezone.now()) == 0
    assert services.expire_holds(now=timezone.now() + timedelta(hours=49)) == 1
    other.refresh_from_db()
    assert other.status == Booking.Status.EXPIRED
    assert _row(other.community, other.start).held == 0
    with pytest.raises(Conflict) as exc:
        services.decide_booking(principal=as_(world.olivia), booking=other, accept=True)
    assert exc.value.code == "invalid_transition"


def test_a_late_confirmation_after_the_window_is_refused(world: World) -> None:
    booking = requested(world)
    with pytest.raises(Conflict) as exc:
        services.decide_booking(
            principal=as_(world.olivia),
            booking=booking,
            accept=True,
            now=timezone.now() + timedelta(hours=49),
        )
    assert exc.value.code == "not_allowed_now"


def test_never_overbook_the_last_bed(world: World) -> None:
    community = acme_community(world)
    start = TODAY() + timedelta(days=20)
    for _n in range(4):
        services.request_booking(
            principal=as_(guest()), community=community, draft=booking_draft(community, start)
        )
    late = guest()
    with pytest.raises(Conflict) as exc:
        services.request_booking(
            principal=as_(late), community=community, draft=booking_draft(community, start)
        )
    assert exc.value.code == "no_capacity"
    assert not Booking.objects.filter(guest=late).exists()
    # A stay that touches only the night after the full ones still fits.
    services.request_booking(
        principal=as_(late),
        community=community,
        draft=booking_draft(community, start + timedelta(days=3)),
    )


def test_the_database_refuses_an_overbooked_night(world: World) -> None:
    community = acme_community(world)
    unit = unit_of(community)
    with transaction.atomic():
        inventory.ensure_nights(unit, TODAY(), TODAY() + timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        NightInventory.objects.filter(unit_type=unit, night=TODAY()).update(booked=5)


def test_bad_bookings_are_refused_and_hold_nothing(world: World) -> None:
    community = acme_community(world)
    who = guest()
    cases = [
        (TODAY() + timedelta(days=5), 0, "end"),
        (TODAY() - timedelta(days=1), 2, "start"),
        (TODAY() + timedelta(days=5), 400, "end"),
    ]
    for start, nights, field in cases:
        with pytest.raises(InvalidInput) as exc:
            services.request_booking(
                principal=as_(who),
                community=community,
                draft=booking_draft(community, start, nights=nights)
                if nights
                else booking_draft(community, start, 0),
            )
        assert field in exc.value.fields
    monthly = community.unit_types.first().rate_plans.get(per="month")  # type: ignore[union-attr]
    with pytest.raises(InvalidInput) as exc:
        services.request_booking(
            principal=as_(who),
            community=community,
            draft=booking_draft(community, TODAY() + timedelta(days=5), nights=10, plan=monthly),
        )
    assert exc.value.code == "below_minimum_stay"
    services.request_booking(
        principal=as_(who),
        community=community,
        draft=booking_draft(community, TODAY() + timedelta(days=5)),
    )
    with pytest.raises(InvalidInput) as exc:
        services.request_booking(
            principal=as_(who),
            community=community,
            draft=booking_draft(community, TODAY() + timedelta(days=6)),
        )
    assert exc.value.code == "overlapping"
    assert Booking.objects.filter(guest=who).count() == 1
    assert NightInventory.objects.filter(unit_type=unit_of(community), held__gt=0).count() == 3


def test_monthly_price_is_exact(world: World) -> None:
    community = acme_community(world)
    monthly = unit_of(community).rate_plans.get(per="month")
    assert services.price_of(monthly, 30) == Decimal("2000.00")
    assert services.price_of(monthly, 45) == Decimal("3000.00")
    assert services.price_of(monthly, 31) == Decimal("2066.67")


def test_only_the_host_decides_and_the_guest_may_cancel(world: World) -> None:
    booking = requested(world)
    with pytest.raises(Forbidden):
        services.decide_booking(principal=as_(booking.guest), booking=booking, accept=True)
    with pytest.raises(Forbidden):
        services.decide_booking(principal=as_(world.rita), booking=booking, accept=True)
    services.cancel_booking(principal=as_(booking.guest), booking=booking)
    assert _row(booking.community, booking.start).held == 0


def test_check_in_by_code_creates_the_stay_and_the_foreign_registration(world: World) -> None:
    booking = checked_in(world)
    stay = Stay.objects.get(booking=booking)
    assert booking.status == Booking.Status.CHECKED_IN and stay.method == "code"
    registration = ForeignRegistration.objects.get(stay=stay)
    assert registration.nationality == "GB"
    assert stays.passport_of(registration) == "P1234567"
    assert registration.due_at - registration.arrived_at == timedelta(hours=24)
    assert not stays.is_overdue(registration)
    assert stays.is_overdue(registration, timezone.now() + timedelta(hours=25))
    stays.file_registration(
        principal=as_(world.olivia),
        registration=registration,
        draft=RegistrationDraft(reference=""),
    )
    registration.refresh_from_db()
    assert registration.status == "registering"
    stays.file_registration(
        principal=as_(world.olivia),
        registration=registration,
        draft=RegistrationDraft(reference="YP-2026-0001"),
    )
    registration.refresh_from_db()
    assert registration.status == "registered" and not stays.is_overdue(
        registration, timezone.now() + timedelta(days=3)
    )


def test_a_domestic_guest_needs_no_registration(world: World) -> None:
    booking = checked_in(world, guest("Dan Domestic", country="CN", passport=""))
    assert not ForeignRegistration.objects.filter(stay__booking=booking).exists()


def test_check_in_refusals(world: World) -> None:
    community = acme_community(world)
    early = confirmed(world, start=TODAY() + timedelta(days=5))
    with pytest.raises(Conflict) as exc:
        stays.check_in(principal=as_(world.olivia), community=community, code=early.code)
    assert exc.value.code == "not_allowed_now"
    cancelled = requested(world)
    services.cancel_booking(principal=as_(cancelled.guest), booking=cancelled)
    with pytest.raises(Conflict):
        stays.check_in(principal=as_(world.olivia), community=community, code=cancelled.code)
    nopass = confirmed(world, guest("Paul Nopass", country="FR", passport=""), start=TODAY())
    with translation.override("en"), pytest.raises(Conflict) as exc:
        stays.check_in(principal=as_(world.olivia), community=community, code=nopass.code)
    assert exc.value.code == "papers_missing" and "passport" in exc.value.message
    nopass.refresh_from_db()
    assert nopass.status == Booking.Status.CONFIRMED
    with pytest.raises(InvalidInput):
        stays.check_in(principal=as_(world.olivia), community=community, code="ZZZZZZZZ")


def test_check_in_by_the_guests_one_card_qr(world: World) -> None:
    community = acme_community(world)
    booking = confirmed(world, start=TODAY())
    token = qr.issue_token(booking.guest, "checkin").token
    stay = stays.check_in(principal=as_(world.olivia), community=community, code=token)
    assert stay.booking == booking and stay.method == "qr"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN
    # The same code a second time, and a code shown for another purpose, change nothing.
    with pytest.raises(InvalidInput) as exc:
        stays.check_in(principal=as_(world.olivia), community=community, code=token)
    assert exc.value.code == "qr_used" and list(exc.value.fields) == ["code"]
    other = confirmed(world, guest("Quinn Qr", country="CN", passport=""), start=TODAY())
    with pytest.raises(InvalidInput) as exc:
        stays.check_in(
            principal=as_(world.olivia),
            community=community,
            code=qr.issue_token(other.guest, "points").token,
        )
    assert exc.value.code == "qr_wrong_purpose" and list(exc.value.fields) == ["code"]
    other.refresh_from_db()
    assert other.status == Booking.Status.CONFIRMED
    assert not Stay.objects.filter(booking=other).exists()


def test_walk_in_extend_and_check_out(world: World) -> None:
    community = acme_community(world)
    plan = nightly(community)
    who = guest()
    booking = stays.walk_in(
        principal=as_(world.olivia),
        community=community,
        draft=WalkInDraft(
            guest=who.email or "",
            unit_type=plan.unit_type.public_id,
            rate_plan=plan.public_id,
            end=TODAY() + timedelta(days=2),
        ),
    )
    assert booking.status == Booking.Status.CHECKED_IN and booking.source == "walk_in"
    services.extend_booking(
        principal=as_(who), booking=booking, draft=ExtendDraft(end=TODAY() + timedelta(days=4))
    )
    booking.refresh_from_db()
    assert booking.nights == 4 and booking.total == Decimal("480.00")
    assert _row(community, TODAY() + timedelta(days=3)).booked == 1
    with pytest.raises(InvalidInput):
        services.extend_booking(
            principal=as_(who), booking=booking, draft=ExtendDraft(end=TODAY() + timedelta(days=1))
        )
    # Leaving today gives back the nights not used.
    stay = stays.check_out(principal=as_(world.olivia), booking=booking)
    assert stay.departed_on == TODAY() + timedelta(days=1)
    assert _row(community, TODAY() + timedelta(days=1)).booked == 0
    assert _row(community, TODAY()).booked == 1


def test_extension_over_capacity_is_refused(world: World) -> None:
    community = acme_community(world)
    booking = checked_in(world)
    end = booking.end
    for _n in range(4):
        services.request_booking(
            principal=as_(guest()),
            community=community,
            draft=booking_draft(community, end, nights=1),
        )
    with pytest.raises(Conflict) as exc:
        services.extend_booking(
            principal=as_(world.olivia),
            booking=booking,
            draft=ExtendDraft(end=end + timedelta(days=1)),
        )
    assert exc.value.code == "no_capacity"
    booking.refresh_from_db()
    assert booking.end == end


def test_reviews_only_after_a_real_stay_once_per_side(world: World) -> None:
    booking = confirmed(world)
    with pytest.raises(Conflict) as exc:
        stays.review(principal=as_(booking.guest), booking=booking, draft=ReviewDraft(rating=5))
    assert exc.value.code == "invalid_transition" or exc.value.code == "no_stay"
    done = checked_out(world)
    stays.review(
        principal=as_(done.guest), booking=done, draft=ReviewDraft(rating=5, comment="Great")
    )
    stays.review(principal=as_(world.olivia), booking=done, draft=ReviewDraft(rating=4))
    with pytest.raises(Conflict) as exc:
        stays.review(principal=as_(done.guest), booking=done, draft=ReviewDraft(rating=1))
    assert exc.value.code == "already_reviewed"
    with pytest.raises(Forbidden):
        stays.review(principal=as_(world.charlie), booking=done, draft=ReviewDraft(rating=1))


def test_check_out_counts_a_visit_with_provenance(world: World) -> None:
    done = checked_out(world)
    visit = Visit.objects.get(guest=done.guest)
    assert visit.nights == 3 and visit.nationality == "GB"
    assert visit.sources[0]["source"] == "check_in"
    assert visit.rule_version.startswith("communities.visits/1:")
    year = TODAY().replace(month=1, day=1)
    figures = visits.count(year, TODAY())
    assert figures["visits"] >= 1 and figures["foreign"] >= 1


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("stays.csv", text.encode("utf-8"), content_type="text/csv")


def test_import_merges_with_check_ins_and_dedupes_per_person(world: World) -> None:
    community = acme_community(world)
    who = papers(guest("Iris Import"), "JP", "J999")
    d = TODAY() - timedelta(days=40)
    body = (
        "person,arrived_on,departed_on\n"
        f"{who.email},{d},{d + timedelta(days=5)}\n"
        f"{who.public_id},{d + timedelta(days=7)},{d + timedelta(days=10)}\n"
        f"{who.email},{d + timedelta(days=20)},{d + timedelta(days=22)}\n"
    )
    batch = stays.import_stays(
        principal=as_(world.olivia),
        community=community,
        file=_csv(body),
        evidence_note="Register book p. 12",
    )
    assert batch.rows == 3 and batch.sha256
    rows = list(Visit.objects.filter(guest=who).order_by("arrived_on"))
    # 5 nights, a gap of 2 days (≤ 3: merged) with 3 more, then a gap of 10 days: two visits.
    assert [(v.arrived_on, v.nights, len(v.sources)) for v in rows] == [
        (d, 8, 2),
        (d + timedelta(days=20), 2, 1),
    ]


def test_bad_imports_are_line_numbered_and_store_nothing(world: World) -> None:
    community = acme_community(world)
    who = guest()
    d = TODAY() - timedelta(days=30)
    body = (
        "person,arrived_on,departed_on\n"
        f"nobody@example.com,{d},{d + timedelta(days=2)}\n"
        f"{who.email},{d},{d + timedelta(days=2)}\n"
        f"{who.email},{d},{d + timedelta(days=2)}\n"
        f"{who.email},{d + timedelta(days=1)},{d + timedelta(days=4)}\n"
        f"{who.email},{TODAY()},{TODAY() + timedelta(days=3)}\n"
        f"{who.email},2026-13-01,2026-13-05\n"
    )
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        stays.import_stays(
            principal=as_(world.olivia), community=community, file=_csv(body), evidence_note="x"
        )
    errors = exc.value.fields["file"]
    assert [e.split(":")[0] for e in errors] == ["Line 2", "Line 4", "Line 5", "Line 6", "Line 7"]
    assert not Stay.objects.filter(guest=who).exists()
    latin = SimpleUploadedFile("stays.csv", "person,arrived_on,departed_on\né".encode("latin-1"))
    with pytest.raises(DomainError):
        stays.import_stays(
            principal=as_(world.olivia), community=community, file=latin, evidence_note="x"
        )


def test_visit_definition_reads_parameters_at_arrival() -> None:
    params = visits.parameters()
    assert params.at("visit_min_nights", date(2026, 6, 1))[1] == Decimal(1)
    assert params.at("visit_merge_gap_days", date(2026, 6, 1))[1] == Decimal(3)


def test_capacity_cannot_drop_below_what_is_taken(world: World) -> None:
    booking = requested(world)
    with pytest.raises(Conflict) as exc:
        services.set_unit_count(
            principal=as_(world.olivia), unit_type=booking.unit_type, draft=UnitCountDraft(count=0)
        )
    assert exc.value.code == "capacity_in_use"
    services.set_unit_count(
        principal=as_(world.olivia), unit_type=booking.unit_type, draft=UnitCountDraft(count=6)
    )
    assert _row(booking.community, booking.start).capacity == 6
