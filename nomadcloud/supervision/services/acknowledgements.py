"""签收 (acknowledgement), unit by unit: assigning a task opens a row for each lead and
responsible unit, due ``ACK_DAYS`` working days later (core/workdays.py). A unit
acknowledges on its own (or by its first progress report); the task becomes
``acknowledged`` once every lead unit has. Responsible units acknowledge too and are reminded
and noticed like the leads, but do not hold the task back. The daily sweep reminds a unit on
the last working day or the day before, and raises a yellow notice once that day has passed;
acknowledging answers that notice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.core import workdays
from nomadcloud.core.errors import Conflict
from nomadcloud.supervision import access, notices
from nomadcloud.supervision.models import Acknowledgement, Notice, Task
from nomadcloud.supervision.services._common import check, locked, move
from nomadcloud.supervision.services.dispatch import raise_notices, tell_unit
from nomadcloud.supervision.transitions import RUNNING

ACK_DAYS = 3


def open_for(task: Task, day: dt.date) -> list[Acknowledgement]:
    """One pending row per unit on the task (leads first), each due ``ACK_DAYS`` working days
    after ``day``."""
    made = []
    leads = list(task.leads.all())
    units = [(u, True) for u in leads] + [
        (u, False) for u in task.responsibles.all() if u not in leads
    ]
    by = workdays.add_working_days(day, ACK_DAYS)
    for unit, lead in units:
        row, _created = Acknowledgement.objects.get_or_create(
            task=task, unit=unit, defaults={"lead": lead, "due_by": by}
        )
        made.append(row)
    return made


def record(task: Task, *, units: Iterable[Organisation], actor: User) -> list[Acknowledgement]:
    """The pending rows of ``units`` acknowledged now by ``actor`` (their notices about
    acknowledging answered)."""
    rows = list(
        Acknowledgement.objects.select_for_update().filter(
            task=task, unit__in=list(units), acknowledged_at__isnull=True
        )
    )
    now = timezone.now()
    for row in rows:
        row.acknowledged_at = now
        row.acknowledged_by = actor
        row.save(update_fields=["acknowledged_at", "acknowledged_by"])
        Notice.objects.filter(
            task=task,
            unit=row.unit_id,
            cause=Notice.Cause.ACKNOWLEDGEMENT,
            responded_at__isnull=True,
        ).update(response=_("Acknowledged."), responded_at=now)
    return rows


@transaction.atomic
def acknowledge(task: Task, *, actor: User) -> Task:
    """签收 for each of the actor's units on the task that has not acknowledged yet."""
    mine = access.units_on_task(actor, task)
    task = locked(task)
    check(task, "acknowledge")
    rows = record(task, units=mine, actor=actor)
    if not rows:
        raise Conflict(
            _("Your unit has already acknowledged this task."), code="already_acknowledged"
        )
    waiting = Acknowledgement.objects.filter(
        task=task, lead=True, acknowledged_at__isnull=True
    ).exists()
    for n, row in enumerate(rows, start=1):
        last = n == len(rows)
        target = (
            Task.Status.ACKNOWLEDGED
            if last and not waiting and task.status == Task.Status.ASSIGNED
            else None
        )
        move(task, "acknowledge", actor=actor, unit=row.unit, target=target)
    return task


def sweep(day: dt.date) -> dict[str, int]:
    """Remind units whose day to acknowledge is today or the next working day; a yellow
    notice to those whose day has passed."""
    counts = {"reminded": 0, "notices": 0}
    pending = (
        Acknowledgement.objects.select_for_update()
        .select_related("task", "unit")
        .filter(acknowledged_at__isnull=True, due_by__isnull=False, task__status__in=RUNNING)
        .order_by("pk")
    )
    for row in pending:
        by = row.due_by
        assert by is not None
        if day > by:
            reason = _("Not acknowledged (签收) by %(day)s.") % {"day": by.isoformat()}
            counts["notices"] += len(
                raise_notices(
                    row.task,
                    [row.unit],
                    colour=Notice.Colour.YELLOW,
                    reason=reason,
                    day=day,
                    cause=Notice.Cause.ACKNOWLEDGEMENT,
                    due=by,
                )
            )
        elif workdays.working_days_between(day, by) <= 1 and row.reminded_at is None:
            tell_unit(row.unit, row.task, notices.ACK_REMINDER, due=by)
            row.reminded_at = timezone.now()
            row.save(update_fields=["reminded_at"])
            counts["reminded"] += 1
    return counts
