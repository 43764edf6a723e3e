"""Background jobs of the crossborder app (run by `nomadcloud db_worker`; schedule daily)."""

from __future__ import annotations

from django_tasks import task

from nomadcloud.crossborder import services


@task()
def remind_renewals() -> int:
    """Mark whitelist entries ending within 60 working days and tell their exporters."""
    return services.remind_renewals()
