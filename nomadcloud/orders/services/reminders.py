"""Reminders of coming deadlines, sent by the scheduled job."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from nomadcloud.orders.models import (
    Milestone,
)
from nomadcloud.orders.services._common import REMINDER_DAYS_BEFORE, S, enterprise_people, tell

# --- reminders ------------------------------------------------------------------------------------


def send_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Remind the nomad of milestones due within two days, and both parties of overdue ones
    (those with no deliverable yet), once each: the milestone is claimed with a conditional
    UPDATE, so two runs never send the same reminder."""
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    working = Milestone.objects.filter(
        order__status__in=(S.ASSIGNED, S.IN_PROGRESS), deliverables__isnull=True
    ).select_related("order__organisation", "order__nomad")
    counts = {"due_soon": 0, "overdue": 0}
    soon = working.filter(
        due_on__gte=today,
        due_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE),
        due_soon_notified_at__isnull=True,
    )
    for milestone in soon:
        if not Milestone.objects.filter(pk=milestone.pk, due_soon_notified_at__isnull=True).update(
            due_soon_notified_at=moment
        ):
            continue
        order = milestone.order
        if order.nomad is not None:
            tell(
                [order.nomad],
                "orders.due_soon",
                order,
                milestone=milestone.title,
                due=milestone.due_on.isoformat(),
            )
        counts["due_soon"] += 1
    late = working.filter(due_on__lt=today, overdue_notified_at__isnull=True)
    for milestone in late:
        if not Milestone.objects.filter(pk=milestone.pk, overdue_notified_at__isnull=True).update(
            overdue_notified_at=moment
        ):
            continue
        order = milestone.order
        people = [*([order.nomad] if order.nomad else []), *enterprise_people(order)]
        tell(
            people,
            "orders.overdue",
            order,
            milestone=milestone.title,
            due=milestone.due_on.isoformat(),
        )
        counts["overdue"] += 1
    return counts
