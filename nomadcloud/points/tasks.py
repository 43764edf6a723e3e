"""Background jobs of the points programme (run by `nomadcloud db_worker` in production, or
directly by `nomadcloud points_jobs` from cron). Idempotent; schedule every few minutes."""

from __future__ import annotations

from django_tasks import task


@task()
def run_points_jobs() -> dict[str, int]:
    """Time out payment holds, release locked points whose lock period ended, expire lots."""
    from nomadcloud.points.wallet import services as exchange

    return exchange.run_jobs()
