"""Working days (工作日, with 调休) and the clocks that count them (cross-cutting §3.2).

A day is a working day when the ``Holiday`` table says so, else when it is Monday to
Friday. Only loaded years (``HolidayYear``) are counted: the State Council publishes next
year's holidays late in the year, so a deadline past the last loaded year is refused with
``CalendarNotLoaded`` rather than guessed. The package ``chinese-calendar`` seeds the table
(``nomadcloud load_holidays``, decision 0021); the zone operator corrects it on a page.

Counting: ``add_working_days(d, n)`` is the n-th working day after ``d`` (``d`` itself is not
counted), and ``working_days_between(a, b)`` counts the working days in ``(a, b]``, so
``working_days_between(d, add_working_days(d, n)) == n``.

A ``Clock`` runs ``limit`` working days (due at the end of the last one, local time) or
``limit`` hours (wall-clock). Pausing stops it; resuming moves the due time on by the working
days (or the time) it was paused.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, DomainError, InvalidInput, invalid_field
from nomadcloud.core.models import Clock, Holiday, HolidayYear

# Looking further than this for the next working day means the calendar is wrong.
_MAX_SCAN_DAYS = 3 * 366


class CalendarNotLoaded(DomainError):
    code = "calendar_not_loaded"

    def __init__(self, day: dt.date) -> None:
        super().__init__(
            _(
                "Working days cannot be counted for %(day)s: the holidays of %(year)s are "
                "not loaded yet. The zone operator loads them when the State Council "
                "publishes them."
            )
            % {"day": day.isoformat(), "year": day.year}
        )
        self.day = day


@dataclass(frozen=True)
class _Calendar:
    years: frozenset[int]
    special: dict[dt.date, bool]


# The calendar is read once a minute per process (a few hundred rows); editing or loading
# holidays forgets it at once in this process. Tests forget it before each test
# (tests/conftest.py), so query counts do not depend on the order tests run in.
CACHE_SECONDS = 60.0
_cache: dict[str, tuple[float, _Calendar]] = {}


def _calendar() -> _Calendar:
    cached = _cache.get("calendar")
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    years = frozenset(HolidayYear.objects.values_list("year", flat=True))
    special = dict(Holiday.objects.values_list("date", "is_working_day"))
    calendar = _Calendar(years, special)
    _cache["calendar"] = (time.monotonic(), calendar)
    return calendar


def calendar_changed() -> None:
    """Forget the cached calendar (after loading or editing holidays)."""
    _cache.pop("calendar", None)


def loaded_years() -> list[int]:
    return sorted(_calendar().years)


def last_loaded_year() -> int | None:
    years = _calendar().years
    return max(years) if years else None


def is_working_day(day: dt.date) -> bool:
    cal = _calendar()
    if day.year not in cal.years:
        raise CalendarNotLoaded(day)
    if day in cal.special:
        return cal.special[day]
    return day.weekday() < 5


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` (``n`` ≥ 0; 0 gives ``start``)."""
    if n < 0:
        raise InvalidInput(_("The number of working days cannot be negative."))
    day = start
    remaining = n
    scanned = 0
    while remaining:
        day += dt.timedelta(days=1)
        scanned += 1
        if scanned > _MAX_SCAN_DAYS + n * 7:
            raise CalendarNotLoaded(day)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: dt.date, b: dt.date) -> int:
    """The working days in ``(a, b]``; negative when ``b`` is before ``a``."""
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a
    while day < b:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


# Loading -----------------------------------------------------------------------------------


def package_calendar(year: int) -> list[tuple[dt.date, bool, str, str]]:
    """The exceptional days of ``year`` in the ``chinese-calendar`` package: (date, is
    working day, Chinese name, English name). ``CalendarNotLoaded`` if the package does not
    know the year."""
    import chinese_calendar
    from chinese_calendar import constants

    first = dt.date(year, 1, 1)
    try:
        chinese_calendar.is_workday(first)
    except NotImplementedError as exc:
        raise CalendarNotLoaded(first) from exc
    chinese_names = {h.value: h.chinese for h in constants.Holiday}
    days: list[tuple[dt.date, bool, str, str]] = []
    for table, working in ((constants.holidays, False), (constants.workdays, True)):
        for day, english in table.items():
            if day.year == year:
                days.append((day, working, chinese_names.get(english, ""), str(english)))
    return sorted(days)


def package_years() -> list[int]:
    from chinese_calendar import constants

    return sorted({day.year for day in constants.holidays})


@transaction.atomic
def load_year(year: int, *, replace_operator_edits: bool = False) -> int:
    """Load ``year`` from the package; days the operator edited are kept unless
    ``replace_operator_edits``. Returns the number of exceptional days written."""
    days = package_calendar(year)
    existing = {
        h.date: h
        for h in Holiday.objects.filter(
            date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
        )
    }
    written = 0
    for day, working, name_zh, name_en in days:
        row = existing.get(day)
        if row is not None and row.source == Holiday.Source.OPERATOR and not replace_operator_edits:
            continue
        Holiday.objects.update_or_create(
            date=day,
            defaults={
                "is_working_day": working,
                "name_zh": name_zh,
                "name_en": name_en,
                "source": Holiday.Source.PACKAGE,
            },
        )
        written += 1
    HolidayYear.objects.update_or_create(year=year, defaults={"source": Holiday.Source.PACKAGE})
    transaction.on_commit(calendar_changed)
    calendar_changed()
    return written


# The zone operator's edits ----------------------------------------------------------------


MayEdit = Callable[[Any], bool]
_editors: list[MayEdit] = []


def register_calendar_editor(may_edit: MayEdit) -> None:
    """accounts registers who may edit the calendar (the zone operator), so core imports no
    app; without a registration nobody may."""
    _editors[:] = [may_edit]


def may_edit_calendar(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and any(f(user) for f in _editors))


@transaction.atomic
def set_day(
    day: dt.date,
    *,
    is_working_day: bool,
    name_zh: str,
    name_en: str,
    actor: AbstractBaseUser | None,
) -> Holiday:
    """Record an exceptional day by hand (a holiday the package lacks, a 调休 Saturday, a
    correction). Clocks already running keep their due dates; new ones count the edit."""
    name_zh, name_en = name_zh.strip(), name_en.strip()
    if not (name_zh and name_en):
        raise invalid_field(
            "name_zh" if not name_zh else "name_en", _("Name the day in both languages.")
        )
    if len(name_zh) > 80 or len(name_en) > 80:
        raise invalid_field("name_en", _("Keep the name under 80 characters."))
    existing = Holiday.objects.filter(date=day).first()
    before = (
        {"is_working_day": existing.is_working_day, "source": existing.source} if existing else {}
    )
    row, _created = Holiday.objects.update_or_create(
        date=day,
        defaults={
            "is_working_day": is_working_day,
            "name_zh": name_zh,
            "name_en": name_en,
            "source": Holiday.Source.OPERATOR,
        },
    )
    audit.record(
        actor=actor,
        action="holiday.set",
        obj=row,
        before=before,
        after={"date": day.isoformat(), "is_working_day": is_working_day},
    )
    calendar_changed()
    transaction.on_commit(calendar_changed)
    return row


@transaction.atomic
def remove_day(day: dt.date, *, actor: AbstractBaseUser | None) -> None:
    """Make ``day`` an ordinary day again (a working day from Monday to Friday)."""
    row = Holiday.objects.filter(date=day).first()
    if row is None:
        return
    audit.record(
        actor=actor,
        action="holiday.remove",
        obj=row,
        before={"date": day.isoformat(), "is_working_day": row.is_working_day},
    )
    row.delete()
    calendar_changed()
    transaction.on_commit(calendar_changed)


@transaction.atomic
def declare_year_loaded(year: int, *, actor: AbstractBaseUser | None) -> HolidayYear:
    """The operator has entered ``year``'s holidays and 调休 days from the State Council's
    notice (with ``set_day``): working days may now be counted in it."""
    if not 2000 <= year <= 2100:
        raise invalid_field("year", _("Give a year between 2000 and 2100."))
    row, created = HolidayYear.objects.get_or_create(
        year=year, defaults={"source": Holiday.Source.OPERATOR}
    )
    if created:
        audit.record(actor=actor, action="holiday.year_loaded", obj=row, after={"year": year})
    calendar_changed()
    transaction.on_commit(calendar_changed)
    return row


# Clocks ------------------------------------------------------------------------------------

ClockUnit = Literal["working_days", "hours"]
Colour = Literal["green", "yellow", "red"]
YELLOW_AT = 0.8


@dataclass(frozen=True)
class ClockState:
    due_at: dt.datetime
    used_fraction: float
    colour: Colour
    overdue: bool
    paused: bool
    stopped: bool
    remaining: int
    """Working days (or whole hours) left; negative when overdue."""


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _due(unit: str, start: dt.datetime, limit: int) -> dt.datetime:
    if unit == Clock.Unit.WORKING_DAYS:
        return end_of_day(add_working_days(timezone.localdate(start), limit))
    return start + dt.timedelta(hours=limit)


def start_clock(
    subject_kind: str,
    subject_id: str,
    *,
    limit: int,
    unit: ClockUnit = "working_days",
    at: dt.datetime | None = None,
    name: str = "",
) -> Clock:
    """Start a clock; refused (``CalendarNotLoaded``) if its due date is past the loaded
    years, so that no deadline is guessed."""
    if unit not in Clock.Unit.values:
        raise InvalidInput(_("Unknown clock unit."))
    if limit <= 0:
        raise InvalidInput(_("A clock needs a positive limit."))
    start = at or timezone.now()
    return Clock.objects.create(
        subject_kind=subject_kind,
        subject_id=str(subject_id),
        name=name,
        unit=unit,
        limit=limit,
        started_at=start,
        due_at=_due(unit, start, limit),
    )


def _locked(clock: Clock) -> Clock:
    return Clock.objects.select_for_update().get(pk=clock.pk)


def _refresh(target: Clock, source: Clock) -> Clock:
    for field in ("due_at", "paused_at", "paused_days", "paused_seconds", "stopped_at"):
        setattr(target, field, getattr(source, field))
    return target


@transaction.atomic
def pause_clock(clock: Clock, *, at: dt.datetime | None = None) -> Clock:
    row = _locked(clock)
    if row.stopped_at is not None:
        raise Conflict(_("This clock has stopped."), code="clock_stopped")
    if row.paused_at is not None:
        raise Conflict(_("This clock is already paused."), code="clock_paused")
    row.paused_at = at or timezone.now()
    row.save(update_fields=["paused_at"])
    return _refresh(clock, row)


@transaction.atomic
def resume_clock(clock: Clock, *, at: dt.datetime | None = None) -> Clock:
    """Run again; the due time moves on by the working days (hours clocks: the time) paused.
    A pause that starts and ends on one day moves nothing for a working-day clock."""
    row = _locked(clock)
    if row.paused_at is None:
        raise Conflict(_("This clock is not paused."), code="clock_not_paused")
    now = at or timezone.now()
    if row.unit == Clock.Unit.WORKING_DAYS:
        days = max(
            0,
            working_days_between(timezone.localdate(row.paused_at), timezone.localdate(now)),
        )
        if days:
            row.due_at = end_of_day(add_working_days(timezone.localdate(row.due_at), days))
        row.paused_days += days
    else:
        seconds = max(0, int((now - row.paused_at).total_seconds()))
        row.due_at += dt.timedelta(seconds=seconds)
        row.paused_seconds += seconds
    row.paused_at = None
    row.save(update_fields=["due_at", "paused_at", "paused_days", "paused_seconds"])
    return _refresh(clock, row)


@transaction.atomic
def stop_clock(clock: Clock, *, at: dt.datetime | None = None) -> Clock:
    """Stop for good (the matter is decided); a paused clock stops where it was paused."""
    row = _locked(clock)
    if row.stopped_at is not None:
        return _refresh(clock, row)
    row.stopped_at = row.paused_at or at or timezone.now()
    row.save(update_fields=["stopped_at"])
    return _refresh(clock, row)


def clock_state(clock: Clock, now: dt.datetime | None = None) -> ClockState:
    """Where the clock stands at ``now`` (frozen at its pause or stop): the share of its
    limit used, green below 80 %, yellow from 80 %, red once overdue."""
    moment = clock.stopped_at or clock.paused_at or now or timezone.now()
    if clock.unit == Clock.Unit.WORKING_DAYS:
        # Counted up to the end of the last loaded year at most: a page showing a clock long
        # overdue in a year not loaded yet still renders (red, by the due time).
        counted_to = timezone.localdate(moment)
        last = last_loaded_year()
        if last is not None and counted_to.year > last:
            counted_to = dt.date(last, 12, 31)
        used = (
            working_days_between(timezone.localdate(clock.started_at), counted_to)
            - clock.paused_days
        )
        remaining = clock.limit - used
        fraction = used / clock.limit
    else:
        elapsed = (moment - clock.started_at).total_seconds() - clock.paused_seconds
        fraction = elapsed / (clock.limit * 3600)
        remaining = int((clock.due_at - moment).total_seconds() // 3600)
    overdue = moment > clock.due_at
    colour: Colour = "red" if overdue else ("yellow" if fraction >= YELLOW_AT else "green")
    return ClockState(
        due_at=clock.due_at,
        used_fraction=max(0.0, fraction),
        colour=colour,
        overdue=overdue,
        paused=clock.paused_at is not None and clock.stopped_at is None,
        stopped=clock.stopped_at is not None,
        remaining=remaining,
    )


def clocks_for(subject_kind: str, subject_id: str) -> list[Clock]:
    return list(Clock.objects.filter(subject_kind=subject_kind, subject_id=str(subject_id)))
