"""Background jobs that keep stored matches current (``nomadcloud db_worker``)."""

from __future__ import annotations

from django_tasks import task

from nomadcloud.matching import services


@task(queue_name="compute")
def refresh_profile(profile_id: int) -> int:
    return services.refresh_profile(profile_id)


@task(queue_name="compute")
def refresh_demand(demand_id: int) -> int:
    return services.refresh_demand(demand_id)
