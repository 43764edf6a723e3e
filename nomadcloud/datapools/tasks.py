"""Background jobs of the datapools app (run by `nomadcloud db_worker`; schedule hourly)."""

from __future__ import annotations

from django_tasks import task

from nomadcloud.datapools import dsp, negotiation


@task(queue_name="pools")
def expire_negotiations() -> int:
    """End every access negotiation waiting past its deadline, with the reason, and the
    Dataspace Protocol transfers of agreements that ended."""
    ended = negotiation.expire_overdue()
    dsp.end_transfers_of_ended_agreements()
    return ended
