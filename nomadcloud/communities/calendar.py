"""The community's events calendar and its iCalendar (RFC 5545) export, written with the
``icalendar`` package (docs/decisions/0024-communities.md).

The export holds no personal data: the community's events (a weekly series as one event
with ``RRULE:FREQ=WEEKLY;COUNT=n``, n ≤ 52, so a reader never expands without bound) and,
per unit type, an all-day "fully booked" block for every night of the next
``EXPORT_NIGHTS`` on which no unit is free (held and booked units count), so that an
external channel can close those nights."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vRecur

from nomadcloud.accounts.principal import Principal
from nomadcloud.communities.models import CalendarEvent, Community, NightInventory
from nomadcloud.communities.schemas import EventDraft
from nomadcloud.communities.text import tr
from nomadcloud.core import audit
from nomadcloud.core.errors import invalid_field

EXPORT_NIGHTS = 180
PRODID = "-//NomadCloud//communities//EN"


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


@transaction.atomic
def add_event(*, principal: Principal, community: Community, draft: EventDraft) -> CalendarEvent:
    starts, ends = _aware(draft.starts_at), _aware(draft.ends_at)
    if ends <= starts:
        raise invalid_field(
            "ends_at", _("The end must be after the start."), code="end_before_start"
        )
    if ends - starts > timedelta(days=14):
        raise invalid_field("ends_at", _("An event lasts at most 14 days."), code="too_long")
    event = CalendarEvent.objects.create(
        community=community,
        title=draft.title,
        starts_at=starts,
        ends_at=ends,
        weekly_count=draft.weekly_count,
    )
    audit.record(
        actor=principal.user,
        action="communities.event.create",
        obj=event,
        organisation=community.organisation,
        after={"starts_at": starts.isoformat(), "weekly_count": draft.weekly_count},
        token=principal.token,
    )
    return event


def upcoming_events(community: Community, now: datetime | None = None) -> list[CalendarEvent]:
    now = now or timezone.now()
    horizon = now - timedelta(weeks=52)  # a series that started within a year may still run
    return list(community.events.filter(starts_at__gte=horizon).order_by("starts_at"))


def _full_nights(community: Community, start: date, end: date) -> dict[int, list[date]]:
    rows = NightInventory.objects.filter(
        unit_type__community=community,
        night__gte=start,
        night__lt=end,
        capacity__lte=F("held") + F("booked"),
    ).values_list("unit_type_id", "night")
    out: dict[int, list[date]] = {}
    for unit_id, night in rows:
        out.setdefault(unit_id, []).append(night)
    return out


def export_ics(community: Community, *, language: str = "en", today: date | None = None) -> bytes:
    today = today or timezone.localdate()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", tr(community.name, language))
    host = getattr(settings, "NOMADCLOUD_ICAL_DOMAIN", "nomadcloud.example")
    stamp = timezone.now()
    for event in upcoming_events(community):
        item = Event()
        item.add("uid", f"event-{event.public_id}@{host}")
        item.add("dtstamp", stamp)
        item.add("summary", tr(event.title, language))
        item.add("dtstart", event.starts_at)
        item.add("dtend", event.ends_at)
        if event.weekly_count > 1:
            item.add("rrule", vRecur({"FREQ": "WEEKLY", "COUNT": event.weekly_count}))
        cal.add_component(item)
    units = {u.pk: u for u in community.unit_types.all()}
    for unit_id, nights in sorted(
        _full_nights(community, today, today + timedelta(days=EXPORT_NIGHTS)).items()
    ):
        unit = units[unit_id]
        for night in sorted(nights):
            block = Event()
            block.add("uid", f"full-{unit.public_id}-{night.isoformat()}@{host}")
            block.add("dtstamp", stamp)
            block.add("summary", f"{tr(unit.name, language)}: " + _("fully booked"))
            block.add("dtstart", night)
            block.add("dtend", night + timedelta(days=1))
            block.add("transp", "OPAQUE")
            cal.add_component(block)
    body: bytes = cal.to_ical()
    return body
