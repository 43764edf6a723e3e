"""Background jobs of the crossborder app (run by `nomadcloud jobs worker`; the scheduler in
core/schedule.py enqueues the renewal reminders daily)."""

from __future__ import annotations

from django_tasks import task

from nomadcloud.crossborder import services


@task(queue_name="notifications")
def remind_renewals() -> int:
    """Mark whitelist entries ending within 60 working days and tell their exporters."""
    return services.remind_renewals()
