"""Background jobs of the one card (run by ``nomadcloud db_worker`` in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_submission(submission_id: int) -> None:
    from nomadcloud.onecard.services import delivery

    delivery.deliver(submission_id)
