"""What the supervision use cases share: today's date (a parameter in tests and the sweep),
the state check of transitions.py, the move that writes a TaskEvent (the history) and an audit
event, and the row lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict
from nomadcloud.supervision.models import Task, TaskEvent
from nomadcloud.supervision.transitions import TRANSITIONS, allowed

HUNDRED = Decimal("100")


def today_or(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def check(task: Task, action: str) -> None:
    if not allowed(action, task.status):
        raise Conflict(
            _("This cannot be done while the task is “%(status)s”.")
            % {"status": task.get_status_display()},
            code="wrong_status",
        )


def move(
    task: Task,
    action: str,
    *,
    actor: User | None,
    unit: Organisation | None = None,
    target: str | None = None,
    progress: Decimal | None = None,
    note: str = "",
    evidence: str = "",
    new_due: dt.date | None = None,
    period: str = "",
) -> TaskEvent:
    """The task's state after ``action`` (its transition's target, or ``target``), with the
    TaskEvent and the audit event that record it."""
    before = task.status
    to = target or TRANSITIONS[action].target or before
    task.status = to
    task.save()
    made = TaskEvent.objects.create(
        task=task,
        action=action,
        from_status=before,
        to_status=to,
        actor=actor,
        unit=unit,
        progress=progress,
        note=note,
        evidence=evidence,
        new_due=new_due,
        period=period,
    )
    audit.record(
        actor=actor,
        action=f"supervision.task.{action}",
        obj=task,
        organisation=unit,
        before={"status": before},
        after={"status": to},
    )
    return made


def locked(task: Task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)
