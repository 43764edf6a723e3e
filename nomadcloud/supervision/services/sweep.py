"""The daily sweep (``nomadcloud supervision sweep``): past due → overdue with a red notice to
each lead unit; behind 序时进度 (from the milestones where the task has them) → at risk with a
yellow notice; due within ``DUE_SOON_DAYS`` working days → a blue notice; 签收 reminders and
notices; progress raised from linked indicators; unanswered notices past their date
escalate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.core import workdays
from nomadcloud.supervision.models import Notice, Task
from nomadcloud.supervision.services._common import move, today_or
from nomadcloud.supervision.services.acknowledgements import sweep as sweep_acknowledgements
from nomadcloud.supervision.services.dispatch import raise_notices
from nomadcloud.supervision.services.progress import expected_progress, indicator_progress
from nomadcloud.supervision.transitions import TRANSITIONS, allowed

DUE_SOON_DAYS = 3  # a blue notice when the due date is this many working days away or fewer
BEHIND_BY = Decimal("10")  # points behind 序时进度 that make a task at risk


@transaction.atomic
def sweep(today: dt.date | None = None) -> dict[str, int]:
    day = today_or(today)
    counts = {"overdue": 0, "at_risk": 0, "notices": 0, "escalated": 0, "reminded": 0}
    running = (
        Task.objects.select_for_update()
        .filter(status__in=TRANSITIONS["mark_overdue"].sources, due__isnull=False)
        .order_by("pk")
    )
    for task in running:
        leads = list(task.leads.all())
        auto = indicator_progress(task, day)
        if auto is not None and auto > task.progress:
            task.progress = auto
            task.save(update_fields=["progress"])
        assert task.due is not None
        expected = expected_progress(task, day)
        if day > task.due:
            if task.status != Task.Status.OVERDUE:
                move(task, "mark_overdue", actor=None)
                counts["overdue"] += 1
            reason = _("Past its due date %(due)s.") % {"due": task.due}
            made = raise_notices(task, leads, colour=Notice.Colour.RED, reason=reason, day=day)
            counts["notices"] += len(made)
        elif allowed("mark_at_risk", task.status) and task.progress < expected - BEHIND_BY:
            move(task, "mark_at_risk", actor=None)
            counts["at_risk"] += 1
            reason = _("Behind schedule: %(done)s %% done, %(expected)s %% expected.") % {
                "done": task.progress,
                "expected": expected,
            }
            made = raise_notices(task, leads, colour=Notice.Colour.YELLOW, reason=reason, day=day)
            counts["notices"] += len(made)
        elif 0 <= workdays.working_days_between(day, task.due) <= DUE_SOON_DAYS:
            reason = _("Due on %(due)s.") % {"due": task.due}
            made = raise_notices(task, leads, colour=Notice.Colour.BLUE, reason=reason, day=day)
            counts["notices"] += len(made)
    acked = sweep_acknowledgements(day)
    counts["reminded"] = acked["reminded"]
    counts["notices"] += acked["notices"]
    counts["escalated"] = Notice.objects.filter(
        responded_at__isnull=True, escalated_at__isnull=True, respond_by__lt=day
    ).update(escalated_at=timezone.now())
    return counts
