"""iCalendar (RFC 5545) of milestones, written with the ``icalendar`` package (decisions
0024 and 0065): per task (its milestones and due date) and per unit (the milestones and due
dates of the assigned tasks it leads or is responsible for). Every entry is an all-day event
(DTSTART a date, DTEND the next day) with a stable UID, so a calendar that subscribes updates
entries instead of duplicating them; the summary is in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import override
from icalendar import Calendar, Event

from nomadcloud.accounts.models import Organisation
from nomadcloud.core.i18n import localized, localized_text
from nomadcloud.supervision import queries
from nomadcloud.supervision.models import Task

PRODID = "-//NomadCloud//supervision//EN"


def _host() -> str:
    return str(getattr(settings, "NOMADCLOUD_ICAL_DOMAIN", "nomadcloud.example"))


def _day_event(uid: str, day: dt.date, summary: str, stamp: dt.datetime) -> Event:
    item = Event()
    item.add("uid", f"{uid}@{_host()}")
    item.add("dtstamp", stamp)
    item.add("summary", summary)
    item.add("dtstart", day)
    item.add("dtend", day + dt.timedelta(days=1))
    item.add("transp", "TRANSPARENT")
    return item


def _entries(cal: Calendar, tasks: Iterable[Task], language: str) -> None:
    with override(language):
        for task in tasks:
            for m in task.milestones.all():
                title = localized_text(m.title, language)
                summary = _("Milestone of %(code)s: %(title)s") % {
                    "code": task.code,
                    "title": title,
                }
                item = _day_event(f"milestone-{m.public_id}", m.due, summary, m.updated_at)
                description = _("序时进度 target %(target)s %%.") % {"target": m.target}
                if m.done_on is not None:
                    description += " " + _("Done on %(day)s.") % {"day": m.done_on.isoformat()}
                item.add("description", description)
                item.add("categories", [_("Milestone")])
                cal.add_component(item)
            if task.due is not None:
                summary = _("Due: %(code)s %(title)s") % {"code": task.code, "title": task.title}
                item = _day_event(f"task-due-{task.public_id}", task.due, summary, task.created_at)
                item.add("categories", [_("Due date")])
                cal.add_component(item)


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    return cal


def task_ics(task: Task, *, language: str) -> bytes:
    cal = _calendar(f"{task.code} {task.title}")
    found = Task.objects.filter(pk=task.pk).prefetch_related(queries.milestones_in_order())
    _entries(cal, found, language)
    body: bytes = cal.to_ical()
    return body


def unit_ics(unit: Organisation, *, language: str) -> bytes:
    with override(language):
        cal = _calendar(_("Plan tasks of %(unit)s") % {"unit": localized(unit, "name", language)})
    tasks = (
        Task.objects.filter(Q(leads=unit) | Q(responsibles=unit))
        .exclude(status=Task.Status.DRAFT)
        .distinct()
        .order_by("code")
        .prefetch_related(queries.milestones_in_order())
    )
    _entries(cal, tasks, language)
    body: bytes = cal.to_ical()
    return body
