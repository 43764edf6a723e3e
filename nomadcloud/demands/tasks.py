"""Background jobs of the demands app (run by `nomadcloud db_worker` in production)."""

from __future__ import annotations

from django_tasks import task

from nomadcloud.demands import services


@task(queue_name="adapters")
def sync_feed(feed_id: int) -> dict[str, object]:
    """Pull one enterprise feed and return its sync report."""
    return services.sync_feed(feed_id).report()
