"""Background jobs of the competitions app (run by `nomadcloud db_worker`; schedule daily)."""

from __future__ import annotations

from django_tasks import task

from nomadcloud.competitions import matchmaking


@task()
def create_follow_ups() -> list[int]:
    """Create the 30/90/180-day follow-ups of accepted introductions that fell due."""
    return [f.pk for f in matchmaking.create_follow_ups()]
