"""Builders for communities tests: Acme made a community operator with a listed community
(Olivia its owner and host, Rita read-only), the department (Wendy, reviewer) made the
designation, police and statistics authority, and guests (Gina from abroad, Dan from China,
Charlie the outsider persona as a guest where a case needs one)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import services, stays
from nomadcloud.communities.models import Authority, Booking, Community, RatePlan, UnitType
from nomadcloud.communities.schemas import (
    BookingDraft,
    CommunityDraft,
    RatePlanDraft,
    UnitTypeDraft,
)
from nomadcloud.core.crypto import encrypt_text
from nomadcloud.core.inputs import parse_draft
from tests.builders.world import World, make_person


def as_(user: User) -> Principal:
    return Principal.for_user(user)


LISTING: dict[str, Any] = {
    "kind": "coliving",
    "name": {
        "zh-Hans": "洋浦游民之家",
        "en": "Yangpu Nomad House",
        "ru": "Дом",
        "_machine": ["ru"],
    },
    "summary": {"zh-Hans": "海边的共居社区。", "en": "A co-living house by the sea."},
    "house_rules": {"zh-Hans": "晚上十点后保持安静。", "en": "Quiet after 22:00."},
    "address": "洋浦经济开发区新英湾 1 号",
    "admin_code": "460400",
    "amenities": ["wifi", "coworking", "kitchen"],
    "international_internet": True,
    "internet_mbps": 300,
    "decision_hours": 48,
    "listed": True,
}


def acme_community(w: World, *, beds: int = 4) -> Community:
    found = Community.objects.filter(organisation=w.acme).first()
    if found is not None:
        return found
    Organisation.objects.filter(pk=w.acme.pk).update(
        kind=Organisation.Kind.COMMUNITY, verification_status=Organisation.Verification.VERIFIED
    )
    w.acme.refresh_from_db()
    community = services.create_community(
        principal=as_(w.olivia), organisation=w.acme, draft=parse_draft(CommunityDraft, LISTING)
    )
    unit = services.add_unit_type(
        principal=as_(w.olivia),
        community=community,
        draft=parse_draft(
            UnitTypeDraft,
            {"kind": "bed", "name": {"zh-Hans": "上下铺", "en": "Bunk bed"}, "count": beds},
        ),
    )
    services.add_rate_plan(
        principal=as_(w.olivia),
        unit_type=unit,
        draft=parse_draft(
            RatePlanDraft, {"name": {"zh-Hans": "按晚", "en": "Nightly"}, "price": "120.00"}
        ),
    )
    services.add_rate_plan(
        principal=as_(w.olivia),
        unit_type=unit,
        draft=parse_draft(
            RatePlanDraft,
            {
                "name": {"zh-Hans": "包月", "en": "Monthly"},
                "per": "month",
                "price": "2000.00",
                "min_nights": 30,
            },
        ),
    )
    return community


def unit_of(community: Community) -> UnitType:
    found = community.unit_types.order_by("id").first()
    assert found is not None
    return found


def nightly(community: Community) -> RatePlan:
    found = RatePlan.objects.filter(unit_type__community=community, per="night").first()
    assert found is not None
    return found


def authorities(w: World) -> Organisation:
    """The department (Wendy, reviewer) as 环湾办, 公安 and 旅文局 at once."""
    for role in Authority.Role.values:
        Authority.objects.get_or_create(organisation=w.department, role=role)
    return w.department


def guest(name: str = "Gina Guest", *, country: str = "GB", passport: str = "P1234567") -> User:
    user = make_person(name, f"{name.split()[0].lower()}-{uuid.uuid4().hex[:6]}@example.com")
    user.nationality = country
    user.passport_number_encrypted = encrypt_text(passport) if passport else ""
    user.save(update_fields=["nationality", "passport_number_encrypted"])
    return user


def papers(user: User, country: str = "CN", passport: str = "") -> User:
    user.nationality = country
    user.passport_number_encrypted = encrypt_text(passport) if passport else ""
    user.save(update_fields=["nationality", "passport_number_encrypted"])
    return user


def booking_draft(
    community: Community, start: date, nights: int = 3, plan: RatePlan | None = None
) -> BookingDraft:
    plan = plan or nightly(community)
    return parse_draft(
        BookingDraft,
        {
            "unit_type": str(plan.unit_type.public_id),
            "rate_plan": str(plan.public_id),
            "start": start.isoformat(),
            "end": (start + timedelta(days=nights)).isoformat(),
        },
    )


def requested(
    w: World, who: User | None = None, *, start: date | None = None, nights: int = 3
) -> Booking:
    community = acme_community(w)
    who = who or guest()
    start = start or timezone.localdate() + timedelta(days=10)
    return services.request_booking(
        principal=as_(who), community=community, draft=booking_draft(community, start, nights)
    )


def confirmed(w: World, who: User | None = None, *, start: date | None = None) -> Booking:
    booking = requested(w, who, start=start)
    return services.decide_booking(principal=as_(w.olivia), booking=booking, accept=True)


def checked_in(w: World, who: User | None = None, *, now: datetime | None = None) -> Booking:
    booking = confirmed(w, who, start=timezone.localdate(now))
    stays.check_in(principal=as_(w.olivia), community=booking.community, code=booking.code, now=now)
    booking.refresh_from_db()
    return booking


def checked_out(w: World, who: User | None = None) -> Booking:
    """A stay of three nights that ended today (arrival moved back three days)."""
    booking = checked_in(w, who)
    Booking.objects.filter(pk=booking.pk).update(
        start=booking.start - timedelta(days=3), end=booking.start
    )
    booking.stay.__class__.objects.filter(pk=booking.stay.pk).update(
        arrived_on=booking.start - timedelta(days=3)
    )
    booking.refresh_from_db()
    stays.check_out(principal=as_(w.olivia), booking=booking)
    booking.refresh_from_db()
    return booking


def loaded_years() -> None:
    """Whatever today is, a notice's working days fall in loaded years."""
    from nomadcloud.core import workdays

    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        workdays.declare_year_loaded(year, actor=None)


def designation_at(w: World, state: str) -> Community:
    """Acme's community moved along the designation to ``state`` (submitted, under_review,
    publicity)."""
    from nomadcloud.communities import designation

    community = acme_community(w)
    authorities(w)
    loaded_years()
    steps = [("submit", w.olivia), ("start_review", w.wendy), ("propose", w.wendy)]
    for action, who in steps:
        if community.designation == state:
            break
        community = designation.move(principal=as_(who), community=community, action=action)
    return community


def ota_feed(w: World) -> Any:
    """Acme's community's bunk beds fed by an OTA calendar (no address: files are uploaded)."""
    from nomadcloud.communities import ota
    from nomadcloud.communities.models import CalendarFeed

    community = acme_community(w)
    found = CalendarFeed.objects.filter(unit_type__community=community).first()
    if found is not None:
        return found
    return ota.add_feed(principal=as_(w.olivia), unit_type=unit_of(community), name="Booking.com")


def ics(*events: tuple[str, date, date], rrule: str = "") -> bytes:
    """An OTA calendar with all-day events (uid, first night, day after the last)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//OTA//test//EN"]
    for uid, start, end in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{end:%Y%m%d}",
            "SUMMARY:Reserved",
            *([f"RRULE:{rrule}"] if rrule else []),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()
