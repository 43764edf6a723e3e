"""Background jobs of the datapools app (run by `nomadcloud db_worker`; schedule hourly)."""

from __future__ import annotations

from django_tasks import task

from nomadcloud.datapools import negotiation


@task(queue_name="pools")
def expire_negotiations() -> int:
    """End every access negotiation waiting past its deadline, with the reason."""
    return negotiation.expire_overdue()
