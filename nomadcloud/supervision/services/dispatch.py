"""Raising 督办单 (notices) and telling the units: each new notice reaches every member of its
unit as a notification (and e-mail, unless they opted out of that kind); a notice must be
answered within ``RESPONSE_DAYS`` working days (core/workdays.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse

from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.queries import members_of
from nomadcloud.core import workdays
from nomadcloud.notifications.kinds import Kind
from nomadcloud.notifications.services import notify
from nomadcloud.supervision import notices
from nomadcloud.supervision.models import Notice, Task

RESPONSE_DAYS = 3


def raise_notices(
    task: Task,
    units: Iterable[Organisation],
    *,
    colour: str,
    reason: str,
    day: dt.date,
    cause: str = Notice.Cause.PROGRESS,
    due: dt.date | None = None,
) -> list[Notice]:
    """A notice of ``colour`` to each unit that has none open of that colour on the task;
    ``due`` is the date the notification names (the task's due date by default)."""
    made = []
    for unit in units:
        if Notice.objects.filter(
            task=task, unit=unit, colour=colour, responded_at__isnull=True
        ).exists():
            continue
        notice = Notice.objects.create(
            task=task,
            unit=unit,
            colour=colour,
            cause=cause,
            reason=reason,
            raised_on=day,
            respond_by=workdays.add_working_days(day, RESPONSE_DAYS),
        )
        kind = (
            notices.UNACKNOWLEDGED
            if cause == Notice.Cause.ACKNOWLEDGEMENT
            else notices.BY_COLOUR[colour]
        )
        tell_unit(notice.unit, task, kind, due=due or task.due, respond_by=notice.respond_by)
        made.append(notice)
    return made


def tell_unit(
    unit: Organisation,
    task: Task,
    kind: Kind,
    *,
    due: dt.date | None,
    respond_by: dt.date | None = None,
) -> None:
    params = {
        "code": task.code,
        "title": task.title,
        "due": due.isoformat() if due else "",
        "respond_by": respond_by.isoformat() if respond_by else "",
    }
    url = reverse("supervision:detail", args=[task.public_id])
    for membership in members_of(unit):
        notify(membership.user, kind.key, params=params, url=url)
