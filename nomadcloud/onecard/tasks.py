"""Background jobs of the one card (run by ``nomadcloud db_worker`` in production)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="adapters")
def deliver_submission(submission_id: int) -> None:
    from nomadcloud.onecard.services import delivery

    delivery.deliver(submission_id)


@task()
def escalate_overdue() -> list[str]:
    """The daily escalation of overdue applications to their departments' supervisors."""
    from nomadcloud.onecard.services import escalation

    return [e.application.reference for e in escalation.escalate_overdue()]
