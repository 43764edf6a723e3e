"""The demo communities: the three community organisations of the demo zone listed with
their units, nightly and monthly rates and events; the authorities (环湾办 designates, 公安
sees foreign guests' registrations, 旅文局 reads the visit statistics); and stays to show:
past stays imported with evidence (visits counted), a foreign nomad checked in with her
registration to file, a confirmed booking arriving today and a request awaiting the host.
Idempotent: a community already listed is left as it is."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nomadcloud.accounts.demo import DEMO_DOMAIN
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import calendar, ota, services, stays
from nomadcloud.communities.models import Booking, Community, RatePlan
from nomadcloud.communities.schemas import (
    BookingDraft,
    CommunityDraft,
    EventDraft,
    RatePlanDraft,
    UnitTypeDraft,
)
from nomadcloud.core.inputs import parse_draft

# By the names plan 004 uses, resolved through the units registry (codes resolve too).
AUTHORITIES = {"环湾办": "designation", "公安局": "police", "旅文局": "statistics"}
AUTHORITY_CODES = {"huanwan": "designation", "gongan": "police", "lvwen": "statistics"}

LISTINGS = {
    "洋浦数字游民社区（神头港）": {
        "kind": "coliving",
        "summary": {
            "zh-Hans": "神头港边的共居共创社区：共享办公、厨房、健身房和图书角，每周五有游民聚会。",
            "en": "A co-living and co-working house at Shentou Harbour: shared office, kitchen, "
            "gym and a library corner, with a nomad meetup every Friday.",
            "ru": "Коливинг у гавани Шэньтоу: общий офис, кухня, спортзал и библиотека.",
            "_machine": ["ru"],
        },
        "house_rules": {
            "zh-Hans": "22:00 后保持安静；公共区域不吸烟；访客请在前台登记。",
            "en": "Quiet after 22:00; no smoking indoors; visitors sign in at the front desk.",
        },
        "address": "海南省儋州市洋浦经济开发区神头港路 8 号",
        "admin_code": "460400",
        "amenities": ["wifi", "desk", "coworking", "meeting_room", "kitchen", "gym", "library"],
        "international_internet": True,
        "internet_mbps": 500,
        "accessibility": "无障碍入口和一楼无障碍客房 / Step-free entrance and a ground-floor room",
        "units": [
            ("bed", "四人间床位", "Bed in a four-bed room", 16, "95.00", "2000.00"),
            ("room", "独立单间", "Private room", 8, "260.00", "5200.00"),
            ("desk", "共享工位", "Hot desk", 30, "35.00", "600.00"),
        ],
    },
    "海花岛数字游民共创营地": {
        "kind": "hotel",
        "summary": {
            "zh-Hans": "海花岛度假区内的游民营地，酒店客房配共创空间。",
            "en": "A nomad camp inside the Ocean Flower Island resort: hotel rooms with a "
            "co-creation space.",
        },
        "house_rules": {"zh-Hans": "按酒店规定入住。", "en": "Hotel rules apply."},
        "address": "海南省儋州市排浦镇海花岛 2 号岛",
        "admin_code": "460400",
        "amenities": ["wifi", "coworking", "beach", "air_conditioning", "parking"],
        "international_internet": True,
        "internet_mbps": 300,
        "accessibility": "",
        "units": [("room", "海景客房", "Sea-view room", 20, "380.00", "7600.00")],
    },
    "儋州那大老城共享办公社区": {
        "kind": "apartment",
        "summary": {
            "zh-Hans": "那大老城的服务式公寓和共享办公。",
            "en": "Serviced apartments and a shared office in Nada old town.",
        },
        "house_rules": {"zh-Hans": "月租最少 30 晚。", "en": "Monthly stays from 30 nights."},
        "address": "海南省儋州市那大镇人民中路 15 号",
        "admin_code": "460400",
        "amenities": ["wifi", "desk", "kitchen", "laundry", "bicycle"],
        "international_internet": False,
        "internet_mbps": 200,
        "accessibility": "",
        "units": [("room", "一居室公寓", "One-bedroom apartment", 10, "180.00", "3600.00")],
    },
}


def _owner(organisation: Organisation) -> User | None:
    membership = (
        Membership.objects.filter(organisation=organisation, role=Membership.Role.OWNER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _authorities() -> int:
    from nomadcloud.communities import authorities

    return authorities.seed(AUTHORITIES) + authorities.seed(AUTHORITY_CODES)


def _list(organisation: Organisation, spec: dict[str, object], owner: User) -> Community:
    principal = Principal.for_user(owner)
    units = spec["units"]
    data = {k: v for k, v in spec.items() if k != "units"}
    data["name"] = {"zh-Hans": organisation.name_zh, "en": organisation.name_en}
    data["listed"] = True
    community = services.create_community(
        principal=principal, organisation=organisation, draft=parse_draft(CommunityDraft, data)
    )
    assert isinstance(units, list)
    for kind, zh, en, count, nightly, monthly in units:
        unit = services.add_unit_type(
            principal=principal,
            community=community,
            draft=parse_draft(
                UnitTypeDraft, {"kind": kind, "name": {"zh-Hans": zh, "en": en}, "count": count}
            ),
        )
        services.add_rate_plan(
            principal=principal,
            unit_type=unit,
            draft=parse_draft(
                RatePlanDraft,
                {"name": {"zh-Hans": "按晚", "en": "Nightly"}, "per": "night", "price": nightly},
            ),
        )
        services.add_rate_plan(
            principal=principal,
            unit_type=unit,
            draft=parse_draft(
                RatePlanDraft,
                {
                    "name": {"zh-Hans": "包月（30 晚）", "en": "Monthly (30 nights)"},
                    "per": "month",
                    "price": monthly,
                    "min_nights": 30,
                },
            ),
        )
    return community


def _book(community: Community, guest: User, *, days_ahead: int, nights: int) -> Booking:
    plan = RatePlan.objects.filter(unit_type__community=community, per="night").order_by("id")[0]
    start = timezone.localdate() + timedelta(days=days_ahead)
    return services.request_booking(
        principal=Principal.for_user(guest),
        community=community,
        draft=parse_draft(
            BookingDraft,
            {
                "unit_type": str(plan.unit_type.public_id),
                "rate_plan": str(plan.public_id),
                "start": start.isoformat(),
                "end": (start + timedelta(days=nights)).isoformat(),
                "note": "",
            },
        ),
    )


def _stays(community: Community, owner: User) -> int:
    """Past stays of the demo's nomads (imported, with the register book as evidence), a
    foreign nomad checked in, a booking arriving today and a request waiting."""
    host = Principal.for_user(owner)
    nomads = list(User.objects.filter(is_nomad=True).order_by("pk")[:40])
    today = timezone.localdate()
    lines = ["person,arrived_on,departed_on"]
    for index, nomad in enumerate(nomads):
        if nomad.email in (f"nomad@{DEMO_DOMAIN}", f"emma@{DEMO_DOMAIN}"):
            continue
        arrived = today - timedelta(days=20 + (index * 7) % 200)
        lines.append(f"{nomad.public_id},{arrived},{arrived + timedelta(days=2 + index % 9)}")
    body = ("\n".join(lines) + "\n").encode()
    stays.import_stays(
        principal=host,
        community=community,
        file=SimpleUploadedFile("register-book.csv", io.BytesIO(body).read()),
        evidence_note="前台住宿登记簿扫描件 / Front-desk register book, scanned",
    )
    foreign = (
        User.objects.filter(is_nomad=True)
        .exclude(nationality="CN")
        .exclude(passport_number_encrypted="")
        .order_by("pk")
    )
    made = len(lines) - 1
    emma = foreign.first()
    if emma is not None:
        staying = _book(community, emma, days_ahead=0, nights=5)
        services.decide_booking(principal=host, booking=staying, accept=True)
        stays.check_in(principal=host, community=community, code=staying.code)
        made += 1
    domestic = User.objects.filter(email=f"nomad@{DEMO_DOMAIN}").first()
    if domestic is not None:
        if not domestic.nationality:
            domestic.nationality = "CN"
            domestic.save(update_fields=["nationality"])
        arriving = _book(community, domestic, days_ahead=0, nights=3)
        services.decide_booking(principal=host, booking=arriving, accept=True)
        made += 1
    for later in foreign[1:3]:
        _book(community, later, days_ahead=14, nights=30)
        made += 1
    return made


def _events(community: Community, owner: User) -> None:
    friday = timezone.localtime().replace(hour=19, minute=0, second=0, microsecond=0)
    friday += timedelta(days=(4 - friday.weekday()) % 7 or 7)
    calendar.add_event(
        principal=Principal.for_user(owner),
        community=community,
        draft=parse_draft(
            EventDraft,
            {
                "title": {"zh-Hans": "周五游民聚会", "en": "Friday nomad meetup"},
                "starts_at": friday.isoformat(),
                "ends_at": (friday + timedelta(hours=2)).isoformat(),
                "weekly_count": 12,
            },
        ),
    )


def seed() -> dict[str, int]:
    counts = {"community_authorities": _authorities(), "communities": 0, "community_stays": 0}
    for index, (name_zh, spec) in enumerate(LISTINGS.items()):
        organisation = Organisation.objects.filter(
            kind=Organisation.Kind.COMMUNITY, name_zh=name_zh
        ).first()
        if organisation is None or Community.objects.filter(organisation=organisation).exists():
            continue
        owner = _owner(organisation)
        if owner is None:
            continue
        community = _list(organisation, spec, owner)
        counts["communities"] += 1
        if index == 0:
            counts["community_stays"] = _stays(community, owner)
            _events(community, owner)
            counts["ota_blocks"] = _ota_feed(community, owner)
    return counts


def _ota_feed(community: Community, owner: User) -> int:
    """An OTA's calendar for the first unit type: two stays sold on another channel, held."""
    unit = community.unit_types.order_by("id").first()
    if unit is None:
        return 0
    feed = ota.add_feed(principal=Principal.for_user(owner), unit_type=unit, name="Booking.com")
    day = timezone.localdate() + timedelta(days=14)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Booking.com//demo//EN"]
    for n, (start, nights) in enumerate(((day, 3), (day + timedelta(days=10), 7))):
        lines += [
            "BEGIN:VEVENT",
            f"UID:demo-{n}@booking.example",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{start + timedelta(days=nights):%Y%m%d}",
            "SUMMARY:CLOSED - Not available",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    result = ota.sync(feed, data=("\r\n".join(lines) + "\r\n").encode())
    return result.held
