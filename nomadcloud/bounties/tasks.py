"""Background jobs of challenges (run by `nomadcloud db_worker`); schedule daily."""

from __future__ import annotations

from django_tasks import task


@task()
def send_challenge_reminders() -> dict[str, int]:
    """Escalate unreviewed milestones and remind the role that must act (docs/bounties.md)."""
    from nomadcloud.bounties.services import reminders

    return reminders.send_reminders()
