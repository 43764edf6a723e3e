"""Background jobs of proofs of work (run by `nomadcloud db_worker`). ``publish_checkpoint``
is meant to be enqueued every few minutes (or run as `nomadcloud proofs checkpoint` from
cron); it signs a new checkpoint only when the log has grown."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="compute")
def publish_checkpoint() -> dict[str, int | bool]:
    from nomadcloud.proofs import services

    before = services.latest_checkpoint()
    cp = services.publish_checkpoint()
    return {"size": cp.size, "new": before is None or before.pk != cp.pk}
