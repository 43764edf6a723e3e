"""Import of external channels' (OTAs') iCalendar feeds as holds (RFC 5545, spec 4.2
"import of external OTA blocks as holds"; decision 0032).

- **One seam for fetching**: ``fetch_feed(url)`` is the only place that goes to the
  network, through the demands app's safe client (public addresses only, size and time
  limits); tests replace ``FETCHER``.
- **Never overbook**: every imported night is taken with ``inventory.take(hold=True)`` —
  the same one conditional update as bookings. A block that finds no free unit is kept
  with ``held=False`` and shown as a conflict (the channel sold a night we no longer have);
  it is retried at every sync, never forced.
- **Deduplicated by UID** (and start, for repeated events): a sync releases blocks that
  left the feed or moved, and holds new ones; the last sync and its error are recorded.
- **Bad feeds are refused whole**, with a localized error naming the problem and nothing
  changed: not iCalendar, too big, too many events, an event without UID or dates, an end
  before its start, a malformed RRULE, or a repetition that could expand without bound
  (sub-daily frequencies, neither COUNT nor UNTIL, more than ``MAX_OCCURRENCES``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar

from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import inventory
from nomadcloud.communities.models import CalendarFeed, OtaBlock, UnitType
from nomadcloud.core import audit
from nomadcloud.core.errors import DomainError, InvalidInput

MAX_BYTES = 1_000_000
MAX_EVENTS = 2_000
MAX_OCCURRENCES = 400  # of one repeated event, and of a whole feed's occurrences × 5
HORIZON_DAYS = 730  # events starting further ahead are not held
MAX_NIGHTS = 366  # one block holds at most this many nights
STEP = {"DAILY": 1, "WEEKLY": 7}


def _http_fetch(url: str) -> bytes:
    from nomadcloud.demands.fetch import FetchError, fetch

    try:
        return fetch(url).body
    except FetchError as exc:
        raise DomainError(
            _("The calendar could not be fetched: %(reason)s") % {"reason": exc.message},
            code="feed_unreachable",
            fields={"url": [exc.message]},
        ) from exc


FETCHER: Callable[[str], bytes] = _http_fetch


def fetch_feed(url: str) -> bytes:
    """The feed's bytes from its address (the one network seam)."""
    return FETCHER(url)


@dataclass(frozen=True)
class Block:
    uid: str
    start: date
    end: date


def _bad(message: str, code: str = "ical_invalid") -> InvalidInput:
    return InvalidInput(message, code=code, fields={"file": [message]})


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    raise TypeError


def _occurrences(uid: str, start: date, rule: Any) -> list[date]:
    """The starts of a repeated event: DAILY or WEEKLY with INTERVAL and COUNT or UNTIL."""
    if not rule:
        return [start]
    try:
        parts = {str(k).upper(): v for k, v in dict(rule).items()}
        freq = str(parts["FREQ"][0]).upper()
        interval = int(parts.get("INTERVAL", [1])[0])
        count = int(parts["COUNT"][0]) if "COUNT" in parts else None
        until = _day(parts["UNTIL"][0]) if "UNTIL" in parts else None
    except (KeyError, IndexError, TypeError, ValueError):
        raise _bad(
            _("The repetition (RRULE) of event %(uid)s is malformed.") % {"uid": uid},
            "ical_rrule_invalid",
        ) from None
    if freq not in STEP or set(parts) - {"FREQ", "INTERVAL", "COUNT", "UNTIL"}:
        raise _bad(
            _(
                "Event %(uid)s repeats in a way that is not accepted (%(freq)s): use daily or "
                "weekly repetitions with COUNT or UNTIL."
            )
            % {"uid": uid, "freq": freq},
            "ical_rrule_unsupported",
        )
    if interval < 1 or (count is None and until is None) or (count is not None and count < 1):
        raise _bad(
            _("Event %(uid)s repeats without end: give COUNT or UNTIL.") % {"uid": uid},
            "ical_rrule_unbounded",
        )
    step = timedelta(days=STEP[freq] * interval)
    limit = count if count is not None else MAX_OCCURRENCES + 1
    starts: list[date] = []
    current = start
    while len(starts) < limit and (until is None or current <= until):
        starts.append(current)
        if len(starts) > MAX_OCCURRENCES:
            raise _bad(
                _("Event %(uid)s repeats more than %(n)s times.")
                % {"uid": uid, "n": MAX_OCCURRENCES},
                "ical_rrule_too_many",
            )
        current += step
    return starts


def parse_blocks(data: bytes, *, today: date | None = None) -> list[Block]:
    """The feed's blocks not yet over (each occurrence of a repeated event is one, with its
    own dates, so that a block is the same from one day's sync to the next), or
    ``InvalidInput`` naming the problem."""
    today = today or timezone.localdate()
    if len(data) > MAX_BYTES:
        raise _bad(_("The calendar is larger than 1 MB."), "ical_too_large")
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError):
        raise _bad(_("This is not an iCalendar (RFC 5545) file.")) from None
    if not isinstance(calendar, Calendar):
        raise _bad(_("This is not an iCalendar (RFC 5545) file."))
    events = list(calendar.walk("VEVENT"))
    if len(events) > MAX_EVENTS:
        raise _bad(
            _("The calendar has more than %(n)s events.") % {"n": MAX_EVENTS}, "ical_too_large"
        )
    horizon = today + timedelta(days=HORIZON_DAYS)
    blocks: dict[tuple[str, date], Block] = {}
    for event in events:
        uid = str(event.get("UID") or "").strip()[:255]
        if not uid:
            raise _bad(_("An event of the calendar has no UID."), "ical_event_invalid")
        try:
            start = _day(event.decoded("DTSTART"))
            if event.get("DTEND") is not None:
                end = _day(event.decoded("DTEND"))
            elif event.get("DURATION") is not None:
                end = start + timedelta(days=max(event.decoded("DURATION").days, 1))
            else:
                end = start + timedelta(days=1)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise _bad(
                _("Event %(uid)s has no valid start or end date.") % {"uid": uid},
                "ical_event_invalid",
            ) from None
        if end <= start:
            raise _bad(
                _("Event %(uid)s ends before it starts.") % {"uid": uid}, "ical_event_invalid"
            )
        length = min(end - start, timedelta(days=MAX_NIGHTS))
        for first in _occurrences(uid, start, event.get("RRULE")):
            last = first + length
            if last <= today or first >= horizon:
                continue
            blocks[(uid, first)] = Block(uid, first, last)
            if len(blocks) > MAX_OCCURRENCES * 5:
                raise _bad(_("The calendar blocks too many periods."), "ical_too_large")
    return sorted(blocks.values(), key=lambda b: (b.start, b.uid))


@dataclass(frozen=True)
class SyncResult:
    held: int
    released: int
    conflicts: int


def add_feed(
    *, principal: Principal, unit_type: UnitType, name: str, url: str = ""
) -> CalendarFeed:
    if url and not url.startswith(("https://", "http://")):
        raise InvalidInput(
            _("Give the feed's http(s) address."),
            code="feed_url_invalid",
            fields={"url": [_("Give the feed's http(s) address.")]},
        )
    feed = CalendarFeed.objects.create(unit_type=unit_type, name=name.strip()[:80], url=url)
    audit.record(
        actor=principal.user,
        action="communities.feed.create",
        obj=feed,
        organisation=unit_type.community.organisation,
        token=principal.token,
    )
    return feed


def sync(
    feed: CalendarFeed, *, data: bytes | None = None, principal: Principal | None = None
) -> SyncResult:
    """Bring the feed's holds in line with its calendar (``data``, or fetched from its
    address). A refused feed changes no hold; its error is recorded on the feed."""
    try:
        if data is None:
            if not feed.url:
                raise _bad(_("This feed has no address: upload its file."), "feed_no_url")
            data = fetch_feed(feed.url)
        blocks = parse_blocks(data)
        result = _apply(feed, blocks, principal)
    except DomainError as exc:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_error=exc.message[:500])
        raise
    return result


@transaction.atomic
def _apply(feed: CalendarFeed, blocks: list[Block], principal: Principal | None) -> SyncResult:
    row = CalendarFeed.objects.select_for_update().select_related("unit_type").get(pk=feed.pk)
    unit_type = row.unit_type
    today = timezone.localdate()
    wanted = {(b.uid, b.start): b for b in blocks}
    released = 0
    for block in list(row.blocks.all()):
        keep = wanted.get((block.uid, block.start))
        if keep is not None and keep.end == block.end and block.held:
            del wanted[(block.uid, block.start)]
            continue
        if block.held:
            inventory.release(unit_type, max(block.start, today), block.end, hold=True)
            released += 1
        block.delete()
    held = conflicts = 0
    for new in wanted.values():
        try:
            with transaction.atomic():
                inventory.take(unit_type, max(new.start, today), new.end, hold=True)
        except inventory.NoCapacity:
            taken = False
            conflicts += 1
        else:
            taken = True
            held += 1
        OtaBlock.objects.create(feed=row, uid=new.uid, start=new.start, end=new.end, held=taken)
    row.last_synced_at = timezone.now()
    row.last_error = ""
    row.save(update_fields=["last_synced_at", "last_error"])
    audit.record(
        actor=principal.user if principal else None,
        action="communities.feed.sync",
        obj=row,
        organisation=unit_type.community.organisation,
        after={"held": held, "released": released, "conflicts": conflicts},
        token=principal.token if principal else None,
    )
    return SyncResult(held=held, released=released, conflicts=conflicts)


def feed_counts(feeds: QuerySet[CalendarFeed]) -> QuerySet[CalendarFeed]:
    """Feeds with ``n_held`` and ``n_conflicts`` (blocks holding a unit, blocks that found
    none)."""
    return feeds.annotate(
        n_held=Count("blocks", filter=Q(blocks__held=True)),
        n_conflicts=Count("blocks", filter=Q(blocks__held=False)),
    ).order_by("id")


def block_counts(feed: CalendarFeed) -> tuple[int, int]:
    """(blocks holding a unit, conflicts) of one feed."""
    row = OtaBlock.objects.filter(feed=feed).aggregate(
        n_held=Count("id", filter=Q(held=True)), n_conflicts=Count("id", filter=Q(held=False))
    )
    return int(row["n_held"] or 0), int(row["n_conflicts"] or 0)


def sync_all() -> dict[str, int]:
    """The daily job: every feed with an address; a refused or unreachable feed is
    recorded on it and the others go on."""
    done = failed = 0
    for feed in CalendarFeed.objects.exclude(url="").select_related("unit_type"):
        try:
            sync(feed)
        except DomainError:
            failed += 1
        else:
            done += 1
    return {"synced": done, "failed": failed}
