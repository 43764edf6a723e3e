"""Use cases of communities: listings, unit types, rate plans and bookings. Check-in, stays,
registrations, reviews and imports are in ``stays.py``; visits in ``visits.py``; the
designation in ``designation.py``.

Every function takes keyword arguments, runs in one transaction, records an audit event and
raises ``DomainError``s. Every change of inventory goes through ``inventory.py`` inside the
same transaction, so a refusal leaves nothing behind."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write, role_in
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import access, inventory
from nomadcloud.communities import transitions as t
from nomadcloud.communities.models import (
    Booking,
    BookingEvent,
    Community,
    RatePlan,
    UnitType,
)
from nomadcloud.communities.schemas import (
    BookingDraft,
    CommunityDraft,
    ExtendDraft,
    RatePlanDraft,
    UnitCountDraft,
    UnitTypeDraft,
)
from nomadcloud.communities.text import tr
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, DomainError, Forbidden, NotFound, invalid_field
from nomadcloud.core.money import CENT
from nomadcloud.notifications.services import notify

DEFAULT_MAX_NIGHTS = 366
MONTH_NIGHTS = 30


def max_nights() -> int:
    return int(getattr(settings, "COMMUNITIES_MAX_NIGHTS", DEFAULT_MAX_NIGHTS))


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# ---- listings -------------------------------------------------------------------------------


def _listing_fields(draft: CommunityDraft) -> dict[str, Any]:
    return {
        "kind": draft.kind,
        "name": draft.name,
        "summary": draft.summary,
        "house_rules": draft.house_rules,
        "address": draft.address,
        "admin_code": draft.admin_code,
        "amenities": sorted(set(draft.amenities)),
        "international_internet": draft.international_internet,
        "internet_mbps": draft.internet_mbps,
        "accessibility": draft.accessibility,
        "decision_hours": draft.decision_hours,
        "listed": draft.listed,
    }


@transaction.atomic
def create_community(
    *, principal: Principal, organisation: Organisation, draft: CommunityDraft
) -> Community:
    """The listing of a community organisation (its owner or admin; one per organisation)."""
    user = require_person(principal)
    require_write(principal)
    if organisation.kind != Organisation.Kind.COMMUNITY:
        raise invalid_field(
            "organisation",
            _("Only an organisation of kind “community operator” can list a community."),
            code="not_a_community",
        )
    if role_in(principal, organisation) not in access.MANAGERS:
        raise Forbidden(_("Only the organisation's owner or an admin can do this."))
    if Community.objects.filter(organisation=organisation).exists():
        raise Conflict(_("This organisation already has a community."), code="already_listed")
    community = Community.objects.create(organisation=organisation, **_listing_fields(draft))
    audit.record(
        actor=user,
        action="communities.community.create",
        obj=community,
        organisation=organisation,
        after={"name": str(draft.name.get("en", ""))},
        token=principal.token,
    )
    return community


@transaction.atomic
def update_community(
    *, principal: Principal, community: Community, draft: CommunityDraft
) -> Community:
    new = _listing_fields(draft)
    before, after = audit.changes(community, new)
    for key, value in new.items():
        setattr(community, key, value)
    community.save()
    audit.record(
        actor=principal.user,
        action="communities.community.update",
        obj=community,
        organisation=community.organisation,
        before=before,
        after=after,
        token=principal.token,
    )
    return community


@transaction.atomic
def add_unit_type(*, principal: Principal, community: Community, draft: UnitTypeDraft) -> UnitType:
    unit_type = UnitType.objects.create(
        community=community, kind=draft.kind, name=draft.name, count=draft.count
    )
    audit.record(
        actor=principal.user,
        action="communities.unit_type.create",
        obj=unit_type,
        organisation=community.organisation,
        after={"kind": draft.kind, "count": draft.count},
        token=principal.token,
    )
    return unit_type


@transaction.atomic
def set_unit_count(
    *, principal: Principal, unit_type: UnitType, draft: UnitCountDraft, today: date | None = None
) -> UnitType:
    """A new count from today on; refused when some night already uses more units."""
    locked = UnitType.objects.select_for_update().get(pk=unit_type.pk)
    inventory.set_capacity(locked, draft.count, from_night=today or timezone.localdate())
    before = {"count": locked.count, "active": locked.active}
    locked.count, locked.active = draft.count, draft.active
    locked.save(update_fields=["count", "active"])
    audit.record(
        actor=principal.user,
        action="communities.unit_type.count",
        obj=locked,
        organisation=locked.community.organisation,
        before=before,
        after={"count": draft.count, "active": draft.active},
        token=principal.token,
    )
    return locked


@transaction.atomic
def add_rate_plan(*, principal: Principal, unit_type: UnitType, draft: RatePlanDraft) -> RatePlan:
    if draft.per == "month" and draft.min_nights < MONTH_NIGHTS:
        raise invalid_field(
            "min_nights",
            _("A monthly rate needs a minimum stay of at least %(n)s nights.")
            % {"n": MONTH_NIGHTS},
            code="monthly_minimum",
        )
    plan = RatePlan.objects.create(
        unit_type=unit_type,
        name=draft.name,
        per=draft.per,
        price=draft.price,
        min_nights=draft.min_nights,
    )
    audit.record(
        actor=principal.user,
        action="communities.rate_plan.create",
        obj=plan,
        organisation=unit_type.community.organisation,
        after={"per": draft.per, "price": str(draft.price), "min_nights": draft.min_nights},
        token=principal.token,
    )
    return plan


@transaction.atomic
def retire_rate_plan(*, principal: Principal, plan: RatePlan) -> RatePlan:
    plan.active = False
    plan.save(update_fields=["active"])
    audit.record(
        actor=principal.user,
        action="communities.rate_plan.retire",
        obj=plan,
        organisation=plan.unit_type.community.organisation,
        token=principal.token,
    )
    return plan


def price_of(plan: RatePlan, nights: int) -> Decimal:
    """The exact total: per night × nights, or per month × nights / 30 (to the cent, half
    up); never a float."""
    price = Decimal(plan.price)
    if plan.per == RatePlan.Per.MONTH:
        return (price * nights / MONTH_NIGHTS).quantize(CENT, rounding=ROUND_HALF_UP)
    return (price * nights).quantize(CENT)


# ---- bookings -------------------------------------------------------------------------------


def _unit_and_plan(
    community: Community, unit_id: uuid.UUID | str, plan_id: uuid.UUID | str
) -> tuple[UnitType, RatePlan]:
    unit_type = UnitType.objects.filter(public_id=unit_id, community=community, active=True).first()
    if unit_type is None:
        raise invalid_field("unit_type", _("No such unit type here."), code="unknown_unit_type")
    plan = RatePlan.objects.filter(public_id=plan_id, unit_type=unit_type, active=True).first()
    if plan is None:
        raise invalid_field("rate_plan", _("No such rate for this unit type."), code="unknown_rate")
    return unit_type, plan


def _check_dates(start: date, end: date, plan: RatePlan, *, today: date, walk_in: bool) -> None:
    if end <= start:
        raise invalid_field(
            "end", _("The departure must be after the arrival."), code="end_before_start"
        )
    if start < today:
        raise invalid_field("start", _("The arrival is in the past."), code="in_the_past")
    nights = (end - start).days
    if nights > max_nights():
        raise invalid_field(
            "end",
            _("At most %(n)s nights can be booked at once.") % {"n": max_nights()},
            code="too_long",
        )
    if nights < plan.min_nights and not walk_in:
        raise invalid_field(
            "end",
            _("This rate needs at least %(n)s nights.") % {"n": plan.min_nights},
            code="below_minimum_stay",
        )


ACTIVE = (Booking.Status.REQUESTED, Booking.Status.CONFIRMED, Booking.Status.CHECKED_IN)


def _no_overlap(guest: User, start: date, end: date, *, exclude: int | None = None) -> None:
    own = Booking.objects.filter(guest=guest, status__in=ACTIVE, start__lt=end, end__gt=start)
    if exclude is not None:
        own = own.exclude(pk=exclude)
    if own.exists():
        raise invalid_field(
            "start", _("You already have a booking on some of these nights."), code="overlapping"
        )


def _event(
    booking: Booking, action: str, source: str, actor: User | None, reason: str = ""
) -> None:
    BookingEvent.objects.create(
        booking=booking,
        action=action,
        source=source,
        target=booking.status,
        actor=actor,
        reason=reason,
    )


def _notify_hosts(community: Community, kind: str, booking: Booking) -> None:
    url = reverse("communities:booking", args=[booking.public_id])
    for membership in community.organisation.memberships.filter(
        role__in=access.HOSTS
    ).select_related("user"):
        notify(
            membership.user,
            kind,
            params={
                "code": booking.code,
                "community": str(community),
                "start": booking.start.isoformat(),
            },
            url=url,
        )


def _notify_guest(booking: Booking, kind: str, reason: str = "") -> None:
    notify(
        booking.guest,
        kind,
        params={
            "code": booking.code,
            "community": str(booking.community),
            "start": booking.start.isoformat(),
            "reason": reason,
        },
        url=reverse("communities:booking", args=[booking.public_id]),
    )


@transaction.atomic
def request_booking(
    *, principal: Principal, community: Community, draft: BookingDraft, now: datetime | None = None
) -> Booking:
    """A nomad asks for nights: one unit is HELD on each night for the host's decision window
    (the community's ``decision_hours``); no free unit on some night → ``no_capacity``."""
    user = require_person(principal)
    require_write(principal)
    now = _now(now)
    if not community.listed:
        raise NotFound(_("No such community."))
    unit_type, plan = _unit_and_plan(community, draft.unit_type, draft.rate_plan)
    _check_dates(draft.start, draft.end, plan, today=timezone.localdate(now), walk_in=False)
    _no_overlap(user, draft.start, draft.end)
    inventory.take(unit_type, draft.start, draft.end, hold=True)
    booking = Booking.objects.create(
        community=community,
        unit_type=unit_type,
        rate_plan=plan,
        guest=user,
        start=draft.start,
        end=draft.end,
        status=Booking.Status.REQUESTED,
        total=price_of(plan, (draft.end - draft.start).days),
        note=draft.note,
        hold_expires_at=now + timedelta(hours=community.decision_hours),
        created_by=user,
    )
    _event(booking, "request", "", user)
    audit.record(
        actor=user,
        action="communities.booking.request",
        obj=booking,
        organisation=community.organisation,
        after={
            "start": draft.start.isoformat(),
            "end": draft.end.isoformat(),
            "total": str(booking.total),
        },
        token=principal.token,
    )
    _notify_hosts(community, "communities.requested", booking)
    return booking


def _lock(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update()
        .select_related("community__organisation", "unit_type", "guest")
        .get(pk=booking.pk)
    )


def _move(
    principal: Principal | None,
    booking: Booking,
    action: str,
    *,
    now: datetime,
    reason: str = "",
) -> tuple[Booking, str]:
    """Lock the booking, check the move, set the new status; returns it and the old one."""
    locked = _lock(booking)
    if principal is None:
        roles: list[t.Role] = [t.Role.SYSTEM]
    else:
        require_write(principal)
        roles = access.booking_roles(principal, locked)
    move = t.check(
        t.BOOKING, locked, locked.status, action, roles, t.Context(now=now, reason=reason)
    )
    source = locked.status
    locked.status = move.target
    return locked, source


def _finish(
    principal: Principal | None, booking: Booking, action: str, source: str, reason: str = ""
) -> None:
    actor = principal.user if principal is not None else None
    _event(booking, action, source, actor, reason)
    audit.record(
        actor=actor,
        action=f"communities.booking.{action}",
        obj=booking,
        organisation=booking.community.organisation,
        before={"status": source},
        after={"status": booking.status, **({"reason": reason} if reason else {})},
        token=principal.token if principal is not None else None,
    )


@transaction.atomic
def decide_booking(
    *,
    principal: Principal,
    booking: Booking,
    accept: bool,
    reason: str = "",
    now: datetime | None = None,
) -> Booking:
    """The host confirms (the hold becomes a booking: capacity was taken at request time and
    is revalidated by the conversion) or declines (the hold is released)."""
    now = _now(now)
    action = "confirm" if accept else "decline"
    locked, source = _move(principal, booking, action, now=now, reason=reason)
    if accept:
        inventory.convert_hold(locked.unit_type, locked.start, locked.end)
    else:
        inventory.release(locked.unit_type, locked.start, locked.end, hold=True)
    locked.decided_at, locked.hold_expires_at = now, None
    locked.save(update_fields=["status", "decided_at", "hold_expires_at"])
    _finish(principal, locked, action, source, reason)
    _notify_guest(locked, f"communities.{'confirmed' if accept else 'declined'}", reason)
    return locked


@transaction.atomic
def cancel_booking(
    *, principal: Principal, booking: Booking, reason: str = "", now: datetime | None = None
) -> Booking:
    now = _now(now)
    locked, source = _move(principal, booking, "cancel", now=now, reason=reason)
    hold = source == Booking.Status.REQUESTED
    inventory.release(locked.unit_type, locked.start, locked.end, hold=hold)
    locked.closed_at, locked.hold_expires_at = now, None
    locked.save(update_fields=["status", "closed_at", "hold_expires_at"])
    _finish(principal, locked, "cancel", source, reason)
    if locked.guest_id != (principal.user.pk if principal.user else None):
        _notify_guest(locked, "communities.cancelled", reason)
    return locked


@transaction.atomic
def record_no_show(
    *, principal: Principal, booking: Booking, now: datetime | None = None
) -> Booking:
    now = _now(now)
    locked, source = _move(principal, booking, "no_show", now=now)
    inventory.release(locked.unit_type, locked.start, locked.end, hold=False)
    locked.closed_at = now
    locked.save(update_fields=["status", "closed_at"])
    _finish(principal, locked, "no_show", source)
    return locked


def expire_holds(*, now: datetime | None = None) -> int:
    """Requests whose decision window passed: expired, their holds released (the job)."""
    now = _now(now)
    due = list(
        Booking.objects.filter(
            status=Booking.Status.REQUESTED, hold_expires_at__lte=now
        ).values_list("pk", flat=True)
    )
    done = 0
    for pk in due:
        with transaction.atomic():
            booking = Booking.objects.get(pk=pk)
            try:
                locked, source = _move(None, booking, "expire", now=now)
            except DomainError:
                continue  # decided meanwhile
            inventory.release(locked.unit_type, locked.start, locked.end, hold=True)
            locked.closed_at, locked.hold_expires_at = now, None
            locked.save(update_fields=["status", "closed_at", "hold_expires_at"])
            _finish(None, locked, "expire", source)
            _notify_guest(locked, "communities.expired")
            done += 1
    return done


@transaction.atomic
def extend_booking(
    *, principal: Principal, booking: Booking, draft: ExtendDraft, now: datetime | None = None
) -> Booking:
    """A longer stay: the added nights are booked at once (capacity re-checked) and priced
    by the booking's rate."""
    now = _now(now)
    locked, source = _move(principal, booking, "extend", now=now)
    if draft.end <= locked.end:
        raise invalid_field(
            "end", _("The new departure must be after the current one."), code="not_longer"
        )
    if (draft.end - locked.start).days > max_nights():
        raise invalid_field(
            "end",
            _("At most %(n)s nights can be booked at once.") % {"n": max_nights()},
            code="too_long",
        )
    _no_overlap(locked.guest, locked.end, draft.end, exclude=locked.pk)
    inventory.take(locked.unit_type, locked.end, draft.end, hold=False)
    old_end = locked.end
    locked.end = draft.end
    locked.total = price_of(locked.rate_plan, locked.nights)
    locked.save(update_fields=["end", "total"])
    reason = f"{old_end.isoformat()} → {draft.end.isoformat()}"
    _finish(principal, locked, "extend", source, reason)
    return locked


def resolve_guest(text: str) -> User:
    """A walk-in guest named by e-mail, mobile number or public id."""
    value = text.strip()
    found: User | None
    if "@" in value:
        found = User.objects.filter(email__iexact=value, is_active=True).first()
    elif value.startswith("+"):
        found = User.objects.filter(phone=value, is_active=True).first()
    else:
        try:
            found = User.objects.filter(public_id=value, is_active=True).first()
        except (ValueError, Exception):
            found = None
    if found is None:
        raise invalid_field(
            "guest",
            _("No registered person with this e-mail address, mobile number or id."),
            code="unknown_person",
        )
    return found


def booking_moves(principal: Principal, booking: Booking) -> set[str]:
    return t.moves_for(t.BOOKING, booking.status, access.booking_roles(principal, booking))


def community_label(community: Community) -> str:
    return tr(community.name) or str(community.organisation)
