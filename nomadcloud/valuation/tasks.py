"""Background jobs of the valuation app (run by `nomadcloud jobs worker`; the scheduler in
core/schedule.py enqueues the bubble watch daily)."""

from __future__ import annotations

from django_tasks import task

from nomadcloud.valuation import watch


@task(queue_name="compute")
def run_bubble_watch() -> int:
    """Every category's bubble checks as of today; the alerts go to the departments."""
    return watch.run_scheduled()
