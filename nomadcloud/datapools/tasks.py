"""Background jobs of the datapools app (run by `nomadcloud db_worker`; schedule hourly)."""

from __future__ import annotations

from django_tasks import task

from nomadcloud.datapools import dsp, dsp_callbacks, negotiation, uploads
from nomadcloud.datapools.dsp_callbacks import deliver_dsp_callback
from nomadcloud.datapools.uploads_check import validate_upload

# Queued by the modules that define them; named here too, with every job of the app.
__all__ = ["deliver_dsp_callback", "expire_negotiations", "retry_dsp_callbacks", "validate_upload"]


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
def retry_dsp_callbacks() -> int:
    """Every minute: the Dataspace Protocol messages whose next attempt is due."""
    return dsp_callbacks.deliver_due()
