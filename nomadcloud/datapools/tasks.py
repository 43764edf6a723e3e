"""Background jobs of the datapools app (run by `nomadcloud db_worker`; schedule hourly)."""

from __future__ import annotations

from django_tasks import task

from nomadcloud.datapools import dsp, negotiation, uploads, uploads_check


@task(queue_name="pools")
def expire_negotiations() -> int:
    """End every access negotiation waiting past its deadline, with the reason, and the
    Dataspace Protocol transfers of agreements that ended; upload slots never completed
    are discarded with their stored file (decision 0058)."""
    ended = negotiation.expire_overdue()
    dsp.end_transfers_of_ended_agreements()
    uploads.discard_expired()
    return ended


@task(queue_name="adapters")
def deliver_dsp_callback(pk: int) -> int:
    """Send a Dataspace Protocol message to the other connector (and any waiting before it
    in the same process); a failure is retried by ``retry_dsp_callbacks`` (decision 0062)."""
    from nomadcloud.datapools import dsp_callbacks

    return dsp_callbacks.deliver(pk)


@task(queue_name="adapters")
def retry_dsp_callbacks() -> int:
    """Every minute: the Dataspace Protocol messages whose next attempt is due."""
    from nomadcloud.datapools import dsp_callbacks

    return dsp_callbacks.deliver_due()


@task(queue_name="pools")
def validate_upload(contribution_id: str) -> str:
    """Check a large uploaded contribution against its pool's schema and for undeclared
    personal data, streaming the file (decision 0064); its new status."""
    return uploads_check.validate(contribution_id)
