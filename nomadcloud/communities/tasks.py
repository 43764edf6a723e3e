"""Background jobs of communities (run by ``nomadcloud db_worker``; schedule daily)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="adapters")
def sync_calendar_feeds() -> dict[str, int]:
    """Sync every external channel's calendar feed that has an address."""
    from nomadcloud.communities import ota

    return ota.sync_all()
