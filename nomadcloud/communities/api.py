"""/api/v1/communities: listings and availability (public), the community operator's listing,
unit types, rates, bookings, check-in, walk-in and stay imports, the guest's bookings and
reviews, public security's registrations and the visit count. Amounts are decimal strings
in CNY. Handlers only translate HTTP to service calls."""

from datetime import date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import Action as OrgAction
from nomadcloud.accounts.access import (
    organisation_for,
    require_person,
    require_zone_operator,
)
from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import (
    access,
    authorities,
    designation,
    inventory,
    ota,
    queries,
    services,
    statistics,
    stays,
    visits,
)
from nomadcloud.communities.access import Action
from nomadcloud.communities.models import (
    Authority,
    Booking,
    CalendarFeed,
    Community,
    ForeignRegistration,
    UnitType,
)
from nomadcloud.communities.schemas import (
    AvailabilityOut,
    BookingDraft,
    CommunityCreateIn,
    CommunityDraft,
    CommunityOut,
    ExtendDraft,
    ForeignRegistrationOut,
    RatePlanDraft,
    RatePlanOut,
    RegistrationDraft,
    ReviewDraft,
    ReviewOut,
    StayImportOut,
    UnitTypeDraft,
    UnitTypeOut,
    VisitCountOut,
    WalkInDraft,
)
from nomadcloud.communities.text import is_machine, tr
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import NotFound, invalid_field
from nomadcloud.core.schemas import Input, IsoDate
from nomadcloud.core.uploads import decode_base64_file

router = Router(tags=["communities"])
MAX_AVAILABILITY_NIGHTS = 92


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


# ---- serialisation ------------------------------------------------------------------------


def _unit(unit: UnitType) -> dict[str, Any]:
    return {
        "id": unit.public_id,
        "kind": unit.kind,
        "name": tr(unit.name),
        "names": unit.name,
        "count": unit.count,
        "active": unit.active,
        "rate_plans": [
            {
                "id": p.public_id,
                "name": tr(p.name),
                "names": p.name,
                "per": p.per,
                "price": str(p.price),
                "min_nights": p.min_nights,
                "active": p.active,
            }
            for p in unit.rate_plans.all()
        ],
    }


def _community(community: Community, *, public: bool = False) -> dict[str, Any]:
    units = community.unit_types.prefetch_related("rate_plans").order_by("id")
    return {
        "id": community.public_id,
        "organisation": community.organisation.public_id,
        "kind": community.kind,
        "name": tr(community.name),
        "names": community.name,
        "summary": tr(community.summary),
        "house_rules": tr(community.house_rules),
        "machine_translated": is_machine(community.name) or is_machine(community.summary),
        "address": community.address,
        "admin_code": community.admin_code,
        "amenities": community.amenities,
        "international_internet": community.international_internet,
        "internet_mbps": community.internet_mbps,
        "accessibility": community.accessibility,
        "decision_hours": community.decision_hours,
        "listed": community.listed,
        "designation": community.designation,
        "designated_from": community.designated_from,
        "designated_until": community.designated_until,
        "unit_types": [_unit(u) for u in units if u.active or not public],
    }


class CommunityRowOut(Schema):
    id: UUID = Field(..., alias="public_id")
    name: str
    kind: str
    address: str
    admin_code: str
    international_internet: bool
    designation: str

    @staticmethod
    def resolve_name(obj: Community) -> str:
        return tr(obj.name)


class BookingRowOut(Schema):
    id: UUID = Field(..., alias="public_id")
    code: str
    community: UUID
    community_name: str
    unit_type: UUID
    guest: UUID
    guest_name: str
    start: date
    end: date
    status: str
    source: str
    total: str

    @staticmethod
    def resolve_community(obj: Booking) -> UUID:
        return obj.community.public_id

    @staticmethod
    def resolve_community_name(obj: Booking) -> str:
        return tr(obj.community.name)

    @staticmethod
    def resolve_unit_type(obj: Booking) -> UUID:
        return obj.unit_type.public_id

    @staticmethod
    def resolve_guest(obj: Booking) -> UUID:
        return obj.guest.public_id

    @staticmethod
    def resolve_guest_name(obj: Booking) -> str:
        return str(obj.guest)

    @staticmethod
    def resolve_total(obj: Booking) -> str:
        return str(obj.total)


class BookingDetailOut(BookingRowOut):
    rate_plan: UUID
    nights: int
    note: str
    hold_expires_at: datetime | None = None
    moves: list[str]

    @staticmethod
    def resolve_rate_plan(obj: Booking) -> UUID:
        return obj.rate_plan.public_id


def _booking(principal: Principal, booking: Booking) -> Any:
    booking.moves = sorted(services.booking_moves(principal, booking))  # type: ignore[attr-defined]
    return booking


def _registration(r: ForeignRegistration) -> dict[str, Any]:
    return {
        "id": r.public_id,
        "community": tr(r.stay.community.name),
        "community_address": r.stay.community.address,
        "full_name": r.full_name,
        "nationality": r.nationality,
        "passport_number": stays.passport_of(r),
        "arrived_at": r.arrived_at,
        "due_at": r.due_at,
        "status": r.status,
        "overdue": stays.is_overdue(r),
        "reference": r.reference,
    }


# ---- bookings -----------------------------------------------------------------------------


@router.get("/bookings/mine", response=_errors({200: list[BookingRowOut]}))
@paginate(CursorPagination)
def my_bookings(request: HttpRequest, **kwargs: Any) -> Any:
    user = require_person(Principal.of(request))
    return queries.bookings_of_guest(user).select_related("guest").order_by("-id")


@router.get("/bookings/{booking_id}", response=_errors({200: BookingDetailOut}))
def get_booking(request: HttpRequest, booking_id: UUID) -> Any:
    principal = Principal.of(request)
    return _booking(principal, access.booking_for(principal, booking_id))


class BookingActionIn(Input):
    action: Literal["confirm", "decline", "cancel", "no_show", "check_out"]
    reason: str = Field("", max_length=500)


@router.post("/bookings/{booking_id}/actions", response=_errors({200: BookingDetailOut}))
def booking_action(request: HttpRequest, booking_id: UUID, payload: BookingActionIn) -> Any:
    """Move a booking: the host confirms or declines a request, records a no-show or checks
    the guest out; the guest (or the host, once confirmed) cancels."""
    principal = Principal.of(request)
    booking = access.booking_for(principal, booking_id)
    if payload.action in ("confirm", "decline"):
        services.decide_booking(
            principal=principal,
            booking=booking,
            accept=payload.action == "confirm",
            reason=payload.reason,
        )
    elif payload.action == "cancel":
        services.cancel_booking(principal=principal, booking=booking, reason=payload.reason)
    elif payload.action == "no_show":
        services.record_no_show(principal=principal, booking=booking)
    else:
        stays.check_out(principal=principal, booking=booking)
    return _booking(principal, access.booking_for(principal, booking_id))


@router.post("/bookings/{booking_id}/extension", response=_errors({200: BookingDetailOut}))
def extend_booking(request: HttpRequest, booking_id: UUID, payload: ExtendDraft) -> Any:
    principal = Principal.of(request)
    booking = access.booking_for(principal, booking_id)
    services.extend_booking(principal=principal, booking=booking, draft=payload)
    return _booking(principal, access.booking_for(principal, booking_id))


@router.post("/bookings/{booking_id}/reviews", response=_errors({201: ReviewOut}))
def review(request: HttpRequest, booking_id: UUID, payload: ReviewDraft) -> Status[Any]:
    principal = Principal.of(request)
    booking = access.booking_for(principal, booking_id)
    created = stays.review(principal=principal, booking=booking, draft=payload)
    return Status(
        201,
        {
            "side": created.side,
            "rating": created.rating,
            "comment": created.comment,
            "created_at": created.created_at,
        },
    )


# ---- public security, statistics ----------------------------------------------------------


class ForeignRegistrationRowOut(Schema):
    """The minimum fields public security sees."""

    id: UUID = Field(..., alias="public_id")
    community: str
    community_address: str
    full_name: str
    nationality: str
    passport_number: str
    arrived_at: datetime
    due_at: datetime
    status: str
    overdue: bool
    reference: str

    @staticmethod
    def resolve_community(obj: ForeignRegistration) -> str:
        return tr(obj.stay.community.name)

    @staticmethod
    def resolve_community_address(obj: ForeignRegistration) -> str:
        return obj.stay.community.address

    @staticmethod
    def resolve_passport_number(obj: ForeignRegistration) -> str:
        return stays.passport_of(obj)

    @staticmethod
    def resolve_overdue(obj: ForeignRegistration) -> bool:
        return stays.is_overdue(obj)


@router.get("/registrations", response=_errors({200: list[ForeignRegistrationRowOut]}))
@paginate(CursorPagination)
def registrations(request: HttpRequest, **kwargs: Any) -> Any:
    """Foreign guests' accommodation registrations: only the minimum fields (public
    security)."""
    access.require_police(Principal.of(request))
    return queries.police_queue()


@router.post("/registrations/{registration_id}", response=_errors({200: ForeignRegistrationOut}))
def file_registration(
    request: HttpRequest, registration_id: UUID, payload: RegistrationDraft
) -> Any:
    """Record that the registration was filed, or its police reference number (the
    community's hosts, or public security)."""
    principal = Principal.of(request)
    registration = stays.registration_for(principal, registration_id)
    done = stays.file_registration(principal=principal, registration=registration, draft=payload)
    return _registration(done)


class VisitQuery(Schema):
    start: IsoDate | None = None
    end: IsoDate | None = None


@router.get("/visits/count", response=_errors({200: VisitCountOut}))
def visit_count(request: HttpRequest, filters: Query[VisitQuery]) -> Any:
    """Visits that arrived in [start, end] (default: this year so far), the people who made
    them and the foreign ones (zone operator, tourism bureau)."""
    access.require_statistics(Principal.of(request))
    today = timezone.localdate()
    start = filters.start or today.replace(month=1, day=1)
    end = filters.end or today
    if end < start:
        raise invalid_field("end", _("The end must not be before the start."))
    if end - start > timedelta(days=3660):
        raise invalid_field("end", _("Ask for at most ten years."))
    return {"start": start, "end": end, **visits.count(start, end)}


# ---- public -------------------------------------------------------------------------------


@router.get("", **PUBLIC, response=_errors({200: list[CommunityRowOut]}))
@paginate(CursorPagination)
def list_communities(request: HttpRequest, **kwargs: Any) -> Any:
    """Listed communities (no personal data)."""
    return queries.listed_communities()


# ---- authorities (the zone operator) ---------------------------------------------------------


class AuthorityIn(Input):
    """A unit named by code, name or alias (``accounts.units``), and its role."""

    unit: str = Field(..., min_length=1, max_length=200)
    role: Literal["designation", "police", "statistics"]


class AuthorityOut(Schema):
    unit: UUID
    unit_name: str
    role: str


def _authority(row: Authority) -> dict[str, Any]:
    org = row.organisation
    return {
        "unit": org.public_id,
        "unit_name": tr({"zh-Hans": org.name_zh, "en": org.name_en}),
        "role": row.role,
    }


@router.get("/authorities", response=_errors({200: list[AuthorityOut]}))
def list_authorities(request: HttpRequest) -> Any:
    """The departments acting towards communities (zone operator only)."""
    require_zone_operator(Principal.of(request))
    rows = Authority.objects.select_related("organisation").order_by("role", "organisation_id")
    return [_authority(r) for r in rows]


@router.post("/authorities", response=_errors({200: AuthorityOut}))
def set_authority(request: HttpRequest, payload: AuthorityIn) -> Any:
    """Give a department a role towards communities; the unit is resolved through the units
    registry (``unknown_unit`` with suggestions, ``not_a_department``)."""
    row = authorities.set_authority(
        principal=Principal.of(request), unit=payload.unit, role=payload.role
    )
    return _authority(row)


@router.get("/{community_id}", **PUBLIC, response=_errors({200: CommunityOut}))
def get_community(request: HttpRequest, community_id: UUID) -> Any:
    """A listed community with its unit types and rates; its members, the designating
    department and the zone operator also see it unlisted."""
    principal = Principal.of(request)
    try:
        return _community(access.public_community(community_id), public=True)
    except NotFound:
        if not principal.is_authenticated:
            raise
    return _community(access.community_for(principal, community_id, Action.VIEW))


class AvailabilityQuery(Schema):
    start: IsoDate
    end: IsoDate


@router.get(
    "/{community_id}/availability", **PUBLIC, response=_errors({200: list[AvailabilityOut]})
)
def availability(
    request: HttpRequest, community_id: UUID, filters: Query[AvailabilityQuery]
) -> Any:
    """Free units per unit type and night of [start, end) (at most 92 nights)."""
    community = access.public_community(community_id)
    if filters.end <= filters.start:
        raise invalid_field("end", _("The departure must be after the arrival."))
    if (filters.end - filters.start).days > MAX_AVAILABILITY_NIGHTS:
        raise invalid_field(
            "end", _("Ask for at most %(n)s nights.") % {"n": MAX_AVAILABILITY_NIGHTS}
        )
    rows = []
    for unit in community.unit_types.filter(active=True).order_by("id"):
        for night, free in inventory.free_by_night(unit, filters.start, filters.end).items():
            rows.append({"unit_type": unit.public_id, "night": night, "free": free})
    return rows


# ---- the community operator ---------------------------------------------------------------


@router.post("", response=_errors({201: CommunityOut}))
def create_community(request: HttpRequest, payload: CommunityCreateIn) -> Status[Any]:
    principal = Principal.of(request)
    organisation = organisation_for(principal, payload.organisation, OrgAction.EDIT)
    draft = CommunityDraft.model_validate(payload.model_dump(exclude={"organisation"}))
    community = services.create_community(
        principal=principal, organisation=organisation, draft=draft
    )
    return Status(201, _community(community))


@router.put("/{community_id}", response=_errors({200: CommunityOut}))
def update_community(request: HttpRequest, community_id: UUID, payload: CommunityDraft) -> Any:
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    return _community(
        services.update_community(principal=principal, community=community, draft=payload)
    )


@router.post("/{community_id}/unit-types", response=_errors({201: UnitTypeOut}))
def add_unit_type(request: HttpRequest, community_id: UUID, payload: UnitTypeDraft) -> Status[Any]:
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    unit = services.add_unit_type(principal=principal, community=community, draft=payload)
    return Status(201, _unit(unit))


@router.post(
    "/{community_id}/unit-types/{unit_type_id}/rate-plans", response=_errors({201: RatePlanOut})
)
def add_rate_plan(
    request: HttpRequest, community_id: UUID, unit_type_id: UUID, payload: RatePlanDraft
) -> Status[Any]:
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    unit = UnitType.objects.filter(public_id=unit_type_id, community=community).first()
    if unit is None:
        raise NotFound(_("No such unit type."))
    plan = services.add_rate_plan(principal=principal, unit_type=unit, draft=payload)
    return Status(
        201,
        {
            "id": plan.public_id,
            "name": tr(plan.name),
            "names": plan.name,
            "per": plan.per,
            "price": str(plan.price),
            "min_nights": plan.min_nights,
            "active": plan.active,
        },
    )


class BookingListQuery(Schema):
    status: Literal[tuple(Booking.Status.values)] | None = None  # type: ignore[valid-type]


@router.get("/{community_id}/bookings", response=_errors({200: list[BookingRowOut]}))
@paginate(CursorPagination)
def community_bookings(
    request: HttpRequest, community_id: UUID, filters: Query[BookingListQuery], **kwargs: Any
) -> Any:
    """The community's bookings, newest first (its members and the zone operator)."""
    community = access.community_for(Principal.of(request), community_id, Action.VIEW)
    return queries.community_bookings(community, status=filters.status or "").select_related(
        "community"
    )


@router.post("/{community_id}/bookings", response=_errors({201: BookingDetailOut}))
def request_booking(request: HttpRequest, community_id: UUID, payload: BookingDraft) -> Status[Any]:
    """Ask for nights: a unit is held for the host's decision window."""
    principal = Principal.of(request)
    require_person(principal)
    community = access.public_community(community_id)
    booking = services.request_booking(principal=principal, community=community, draft=payload)
    return Status(201, _booking(principal, booking))


class CheckInIn(Input):
    code: str = Field(..., min_length=8, max_length=600, description="Booking code or QR token")


@router.post("/{community_id}/check-ins", response=_errors({201: BookingDetailOut}))
def check_in(request: HttpRequest, community_id: UUID, payload: CheckInIn) -> Status[Any]:
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    stay = stays.check_in(principal=principal, community=community, code=payload.code)
    assert stay.booking is not None
    return Status(201, _booking(principal, access.booking_for(principal, stay.booking.public_id)))


@router.post("/{community_id}/walk-ins", response=_errors({201: BookingDetailOut}))
def walk_in(request: HttpRequest, community_id: UUID, payload: WalkInDraft) -> Status[Any]:
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    booking = stays.walk_in(principal=principal, community=community, draft=payload)
    return Status(201, _booking(principal, booking))


class StayImportIn(Input):
    file_name: str = Field(..., min_length=1, max_length=255)
    content_base64: str = Field(..., min_length=1, description="The CSV file, base64-encoded.")
    evidence_note: str = Field(..., min_length=1, max_length=500)


@router.post("/{community_id}/stay-imports", response=_errors({201: StayImportOut}))
def import_stays(request: HttpRequest, community_id: UUID, payload: StayImportIn) -> Status[Any]:
    """Past stays from a CSV (person,arrived_on,departed_on) with evidence: all or nothing."""
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    upload = decode_base64_file(payload.file_name, payload.content_base64, field="content_base64")
    batch = stays.import_stays(
        principal=principal, community=community, file=upload, evidence_note=payload.evidence_note
    )
    return Status(201, {"id": batch.public_id, "rows": batch.rows})


class DesignationIn(Input):
    action: Literal[
        "submit", "start_review", "propose", "designate", "return", "suspend", "reinstate", "revoke"
    ]
    reason: str = Field("", max_length=2000)


@router.post("/{community_id}/designation", response=_errors({200: CommunityOut}))
def designation_move(request: HttpRequest, community_id: UUID, payload: DesignationIn) -> Any:
    """Move the designation: the community's owner or admin applies; the designation
    authority (环湾办) reviews, opens the public notice (公示), designates once it has ended
    with no objection pending or upheld, returns, suspends, reinstates or revokes."""
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.VIEW)
    moved = designation.move(
        principal=principal, community=community, action=payload.action, reason=payload.reason
    )
    return _community(moved)


# ---- external channels' calendars (OTA feeds) ------------------------------------------------


class FeedIn(Input):
    unit_type: UUID
    name: str = Field(..., min_length=1, max_length=80)
    url: str = Field("", max_length=500)


class FeedSyncIn(Input):
    """Sync from the feed's address, or from the calendar given here (RFC 5545 text)."""

    ical: str = Field("", max_length=1_000_000)


class FeedOut(Schema):
    id: UUID
    unit_type: UUID
    name: str
    url: str
    last_synced_at: datetime | None
    last_error: str
    held: int
    conflicts: int


def _feed(feed: CalendarFeed) -> dict[str, Any]:
    held = getattr(feed, "n_held", None)
    conflicts = getattr(feed, "n_conflicts", None)
    if held is None or conflicts is None:
        held, conflicts = ota.block_counts(feed)
    return {
        "id": feed.public_id,
        "unit_type": feed.unit_type.public_id,
        "name": feed.name,
        "url": feed.url,
        "last_synced_at": feed.last_synced_at,
        "last_error": feed.last_error,
        "held": held,
        "conflicts": conflicts,
    }


@router.get("/{community_id}/calendar-feeds", response=_errors({200: list[FeedOut]}))
def list_feeds(request: HttpRequest, community_id: UUID) -> Any:
    """The community's external calendar feeds with their last sync and conflicts."""
    community = access.community_for(Principal.of(request), community_id, Action.VIEW)
    feeds = ota.feed_counts(
        CalendarFeed.objects.filter(unit_type__community=community).select_related("unit_type")
    )
    return [_feed(f) for f in feeds]


@router.post("/{community_id}/calendar-feeds", response=_errors({201: FeedOut}))
def add_feed(request: HttpRequest, community_id: UUID, payload: FeedIn) -> Status[Any]:
    """Add an external channel's (OTA's) iCalendar feed for one unit type."""
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    unit = UnitType.objects.filter(public_id=payload.unit_type, community=community).first()
    if unit is None:
        raise NotFound(_("No such unit type."))
    feed = ota.add_feed(principal=principal, unit_type=unit, name=payload.name, url=payload.url)
    return Status(201, _feed(feed))


@router.post("/{community_id}/calendar-feeds/{feed_id}/sync", response=_errors({200: FeedOut}))
def sync_feed(request: HttpRequest, community_id: UUID, feed_id: UUID, payload: FeedSyncIn) -> Any:
    """Hold the feed's blocked nights now (never beyond capacity: a night without a free
    unit is reported as a conflict); a malformed calendar is refused whole."""
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    feed = (
        CalendarFeed.objects.filter(public_id=feed_id, unit_type__community=community)
        .select_related("unit_type")
        .first()
    )
    if feed is None:
        raise NotFound(_("No such calendar feed."))
    data = payload.ical.encode("utf-8") if payload.ical else None
    ota.sync(feed, data=data, principal=principal)
    feed.refresh_from_db()
    return _feed(feed)


# ---- statistics (旅文局) -----------------------------------------------------------------------


class MonthOut(Schema):
    month: int
    stays: int
    nights: int
    visits: int
    foreign_visits: int
    booked: int
    available: int
    occupancy: float | None


class StatisticsOut(Schema):
    community: UUID
    year: int
    months: list[MonthOut]


@router.get("/{community_id}/statistics", response=_errors({200: StatisticsOut}))
def community_statistics(request: HttpRequest, community_id: UUID, year: int = 0) -> Any:
    """One community's stays begun, guest nights, visits counted (foreign ones too), booked
    and available unit-nights and occupancy by month of a year: aggregates only, for the
    tourism bureau (旅文局), the zone operator and the community's members."""
    community = access.statistics_for(Principal.of(request), community_id)
    this = timezone.localdate().year
    if year == 0:
        year = this
    if not 2000 <= year <= this + 1:
        raise invalid_field("year", _("Give a year from 2000 to next year."), code="bad_year")
    months = statistics.community_year(community, year)
    return {
        "community": community.public_id,
        "year": year,
        "months": [{**m.__dict__, "occupancy": m.occupancy} for m in months],
    }
