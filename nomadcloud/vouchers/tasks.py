"""Background jobs of the vouchers app (run by `nomadcloud db_worker`; schedule daily)."""

from __future__ import annotations

from django_tasks import task

from nomadcloud.vouchers import services


@task()
def expire_vouchers() -> list[str]:
    """Expire issued vouchers whose validity has ended and release their budget."""
    return [str(v.public_id) for v in services.expire_vouchers()]
