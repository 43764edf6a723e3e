"""Escalation of overdue applications (spec 4.1 "Clocks": red when overdue, escalation to
the department head). The daily job finds applications whose promised time limit has
passed while the department holds them, records one ``Escalation`` per due date, adds an
event to the application's history and notifies the department's owners and
administrators. Idempotent: running it twice escalates nothing twice."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from nomadcloud.accounts.access import MANAGERS
from nomadcloud.accounts.models import Membership
from nomadcloud.core import workdays
from nomadcloud.notifications.services import notify
from nomadcloud.onecard import content
from nomadcloud.onecard.models import Application, ApplicationEvent, Escalation

SUBJECT = "onecard.application"  # the clocks' subject (services/applications.py)

# The states in which the department holds the application and its clock runs.
RUNNING = (
    Application.Status.RECEIVED,
    Application.Status.UNDER_REVIEW,
    Application.Status.FORWARDING,
    Application.Status.FORWARDED,
)


def _overdue(application: Application, now: datetime) -> bool:
    """The stored due time is passed and the promised clock agrees (not paused, not
    stopped): the clock is the truth, ``due_at`` the index that finds candidates."""
    clocks = workdays.clocks_for(SUBJECT, str(application.public_id))
    promised = next((c for c in clocks if c.name == "promised"), None)
    if promised is None:
        return False
    state = workdays.clock_state(promised, now)
    return bool(state.overdue and not state.paused and not state.stopped)


def escalate_overdue(*, now: datetime | None = None) -> list[Escalation]:
    """Escalate every overdue application not yet escalated for its due time."""
    now = now or timezone.now()
    candidates = (
        Application.objects.filter(status__in=RUNNING, due_at__lt=now)
        .exclude(escalations__due_at=F("due_at"))
        .select_related("item", "version", "department")
        .order_by("due_at", "id")
    )
    made: list[Escalation] = []
    for application in candidates.iterator(chunk_size=200):
        assert application.due_at is not None
        if not _overdue(application, now):
            continue
        escalation = _escalate(application, application.due_at, now)
        if escalation is not None:
            made.append(escalation)
    return made


def _escalate(application: Application, due: datetime, now: datetime) -> Escalation | None:
    supervisors = list(
        Membership.objects.filter(organisation=application.department, role__in=MANAGERS)
        .select_related("user")
        .order_by("id")
    )
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                application=application,
                due_at=due,
                escalated_at=now,
                notified=len(supervisors),
            )
            ApplicationEvent.objects.create(
                application=application,
                actor=None,
                action="escalate",
                from_status=application.status,
                to_status=application.status,
                reason=f"overdue since {timezone.localtime(due):%Y-%m-%d %H:%M}",
                at=now,
            )
            for membership in supervisors:
                notify(
                    membership.user,
                    "onecard.escalated",
                    params={
                        "reference": application.reference,
                        "item": content.text(
                            application.version.content.get("name"),
                            membership.user.preferred_language,
                        ),
                        "due": f"{timezone.localtime(due):%Y-%m-%d}",
                    },
                    url=f"/services/applications/{application.public_id}/",
                )
    except IntegrityError:  # escalated meanwhile by another run
        return None
    return escalation


def resolve(application: Application, at: datetime) -> None:
    """A decision (or withdrawal, termination) closes the application's open escalations."""
    Escalation.objects.filter(application=application, resolved_at__isnull=True).update(
        resolved_at=at
    )
