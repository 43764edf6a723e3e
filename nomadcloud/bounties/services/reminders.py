"""The daily reminders, each to the role that must act and once per occasion (claimed with a
conditional UPDATE, so two runs never send the same reminder):

- a milestone due within ``DUE_DAYS`` days (or overdue) with no report: the signed team;
- a report whose review window ends within a working day (or has passed): the issuer, or
  the department once it was escalated (the job escalates overdue reviews first);
- a 公示 ending within a working day: the department, who decides objections and starts
  the signing.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nomadcloud.bounties import notices
from nomadcloud.bounties.models import Application, Challenge, Milestone
from nomadcloud.bounties.services._common import SUBJECT
from nomadcloud.bounties.services.milestones import escalate_overdue
from nomadcloud.core import workdays
from nomadcloud.core.models import PublicNotice

DUE_DAYS = 3
M = Milestone.Status
S = Challenge.Status


def _claim(
    model: type[Milestone] | type[Challenge], pk: int, field: str, moment: dt.datetime
) -> bool:
    return bool(model.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: moment}))


def send_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    counts = {"escalated": escalate_overdue(moment), "due": 0, "review": 0, "publicity": 0}
    due = Milestone.objects.filter(
        challenge__status=S.IN_PROGRESS,
        status__in=(M.PLANNED, M.CHANGES_REQUESTED),
        due_on__lte=today + dt.timedelta(days=DUE_DAYS),
        due_reminded_at__isnull=True,
    ).select_related("challenge")
    for row in due:
        if not _claim(Milestone, row.pk, "due_reminded_at", moment):
            continue
        app = row.challenge.applications.filter(status=Application.Status.SIGNED).first()
        if app is not None:
            notices.tell_team(
                app,
                "bounties.milestone_due",
                row.challenge,
                milestone=row.title,
                due=row.due_on.isoformat(),
            )
            counts["due"] += 1
    horizon = workdays.end_of_day(workdays.add_working_days(today, 1))
    waiting = Milestone.objects.filter(
        challenge__status=S.IN_PROGRESS,
        status__in=(M.SUBMITTED, M.ESCALATED),
        review_due_at__lte=horizon,
        review_reminded_at__isnull=True,
    ).select_related("challenge__issuer", "challenge__department")
    for row in waiting:
        if not _claim(Milestone, row.pk, "review_reminded_at", moment):
            continue
        challenge = row.challenge
        who = challenge.department if row.status == M.ESCALATED else challenge.issuer
        assert row.review_due_at is not None
        notices.tell_organisation(
            who,
            "bounties.review_waiting",
            challenge,
            milestone=row.title,
            due=timezone.localdate(row.review_due_at).isoformat(),
        )
        counts["review"] += 1
    ending = {
        n.subject_id: n
        for n in PublicNotice.objects.filter(subject_kind=SUBJECT, ends_at__lte=horizon)
    }
    for challenge in Challenge.objects.filter(
        status=S.PUBLICITY,
        publicity_reminded_at__isnull=True,
        public_id__in=list(ending),
    ).select_related("department"):
        if not _claim(Challenge, challenge.pk, "publicity_reminded_at", moment):
            continue
        notice = ending[str(challenge.public_id)]
        notices.tell_organisation(
            challenge.department,
            "bounties.publicity_ending",
            challenge,
            due=timezone.localdate(notice.ends_at).isoformat(),
        )
        counts["publicity"] += 1
    return counts
