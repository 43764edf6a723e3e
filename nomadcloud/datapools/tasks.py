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


@task(queue_name="pools")
def validate_upload(contribution_id: str) -> str:
    """Check a large uploaded contribution against its pool's schema and for undeclared
    personal data, streaming the file (decision 0064); its new status."""
    return uploads_check.validate(contribution_id)
