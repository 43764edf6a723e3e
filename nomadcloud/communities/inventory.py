"""Night inventory: the only code that changes ``held`` and ``booked``.

Taking units is ONE conditional ``UPDATE`` over the nights asked for::

    UPDATE communities_nightinventory SET held = held + 1
     WHERE unit_type_id = %s AND night >= %s AND night < %s
       AND held + booked + 1 <= capacity

It must change exactly one row per night; otherwise the caller's transaction is rolled back
(``NoCapacity``). On PostgreSQL (READ COMMITTED) a concurrent ``UPDATE`` of the same row waits
for the first to commit and then re-evaluates the ``WHERE`` against the new values, so the
last bed goes to one request only; SQLite runs one writing transaction at a time
(``transaction_mode=IMMEDIATE``). The check constraint ``inventory_never_overbooked`` is the
second wall. Missing night rows are created first (``INSERT … ON CONFLICT DO NOTHING``) with
the unit type's count as capacity.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from nomadcloud.communities.models import NightInventory, UnitType
from nomadcloud.core.errors import Conflict


class NoCapacity(Conflict):
    def __init__(self) -> None:
        super().__init__(
            _("No unit of this kind is free on every night asked for."), code="no_capacity"
        )


def nights(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days)]


def ensure_nights(unit_type: UnitType, start: date, end: date) -> None:
    """Create the missing night rows of [start, end) with the unit type's capacity."""
    wanted = nights(start, end)
    if not wanted:
        return
    have = set(
        NightInventory.objects.filter(
            unit_type=unit_type, night__gte=start, night__lt=end
        ).values_list("night", flat=True)
    )
    missing = [
        NightInventory(unit_type=unit_type, night=n, capacity=unit_type.count)
        for n in wanted
        if n not in have
    ]
    if missing:
        NightInventory.objects.bulk_create(missing, ignore_conflicts=True)


def _must_be_atomic() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("inventory changes must run inside the caller's transaction")


def take(unit_type: UnitType, start: date, end: date, *, hold: bool) -> None:
    """Hold (``hold=True``) or book one unit on every night of [start, end), or raise
    ``NoCapacity`` (the caller's transaction then rolls back whatever else it did)."""
    _must_be_atomic()
    expected = (end - start).days
    if expected <= 0:
        return
    ensure_nights(unit_type, start, end)
    column = "held" if hold else "booked"
    changed = NightInventory.objects.filter(
        unit_type=unit_type,
        night__gte=start,
        night__lt=end,
        capacity__gte=F("held") + F("booked") + 1,
    ).update(**{column: F(column) + 1})
    if changed != expected:
        raise NoCapacity()


def release(unit_type: UnitType, start: date, end: date, *, hold: bool) -> None:
    """Give back one held (or booked) unit on every night of [start, end)."""
    _must_be_atomic()
    if end <= start:
        return
    column = "held" if hold else "booked"
    NightInventory.objects.filter(
        unit_type=unit_type, night__gte=start, night__lt=end, **{f"{column}__gte": 1}
    ).update(**{column: F(column) - 1})


def convert_hold(unit_type: UnitType, start: date, end: date) -> None:
    """A held unit becomes booked on every night (a request confirmed): no capacity is taken
    or given, so this cannot fail for capacity."""
    _must_be_atomic()
    changed = NightInventory.objects.filter(
        unit_type=unit_type, night__gte=start, night__lt=end, held__gte=1
    ).update(held=F("held") - 1, booked=F("booked") + 1)
    if changed != (end - start).days:
        raise Conflict(_("The hold of this request is gone."), code="hold_lost")


def set_capacity(unit_type: UnitType, count: int, *, from_night: date) -> None:
    """The unit type's count from ``from_night`` on: refused when a night already has more
    units held or booked than the new count."""
    _must_be_atomic()
    try:
        with transaction.atomic():
            NightInventory.objects.filter(unit_type=unit_type, night__gte=from_night).update(
                capacity=count
            )
    except IntegrityError as error:
        raise Conflict(
            _("Some nights already have more units held or booked than %(count)s.")
            % {"count": count},
            code="capacity_in_use",
        ) from error


def free_by_night(unit_type: UnitType, start: date, end: date) -> dict[date, int]:
    """Free units per night of [start, end) (nights without a row: the full count)."""
    rows = dict(
        NightInventory.objects.filter(unit_type=unit_type, night__gte=start, night__lt=end)
        .annotate(free=F("capacity") - F("held") - F("booked"))
        .values_list("night", "free")
    )
    return {n: int(rows.get(n, unit_type.count)) for n in nights(start, end)}
