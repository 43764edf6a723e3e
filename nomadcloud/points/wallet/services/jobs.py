"""Scheduled jobs: locked points released when their lock period ends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from nomadcloud.points import models as m
from nomadcloud.points.book import history
from nomadcloud.points.ledger import (
    Kind,
    Reason,
    Status,
    TransferRequest,
)

from .base import ledger, log

# ---- scheduled jobs ----------------------------------------------------------------------


def release_locked(*, now: datetime | None = None, limit: int = 500) -> int:
    """Post the pending credits of exchanges whose lock period has ended: the points become
    spendable and form their lots (with the expiry computed at the exchange)."""
    now = now or timezone.now()
    due = list(
        m.Exchange.objects.filter(lock=m.Exchange.Lock.LOCKED, locked_until__lte=now)
        .order_by("locked_until", "id")
        .values_list("pk", flat=True)[:limit]
    )
    lg = ledger(now)
    released = 0
    for pk in due:
        with transaction.atomic():
            ex = (
                m.Exchange.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, lock=m.Exchange.Lock.LOCKED)
                .first()
            )
            if ex is None:
                continue
            holds = [t for t in (ex.points_transfer, ex.bonus_transfer) if t]
            results = lg.submit(
                [
                    TransferRequest(
                        f"{hold}:release",
                        Kind.POST,
                        pending_id=hold,
                        code=history.LOCK_RELEASE,
                        reference=str(ex.public_id),
                    )
                    for hold in holds
                ]
            )
            posted = [r for r in results if r.ok or r.reason == Reason.PENDING_ALREADY_POSTED]
            for r in results:
                if not r.ok and r.reason != Reason.PENDING_ALREADY_POSTED:
                    log.warning("exchange %s: lock not released: %s", ex.public_id, r)
            ex.lock = m.Exchange.Lock.RELEASED if posted else m.Exchange.Lock.CANCELLED
            ex.released_at = now
            ex.save(update_fields=["lock", "released_at"])
            released += 1
    return released


def _drain(run: Any, limit: int = 1000, rounds: int = 1000) -> int:
    done = 0
    for _round in range(rounds):
        results = run(limit=limit)
        done += sum(1 for r in results if r.status == Status.CREATED)
        if len(results) < limit:
            break
    return done


def run_jobs(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduled points jobs, in order: time out holds, release locked points, expire
    lots. Idempotent; safe to run concurrently."""
    lg = ledger(now)
    holds = _drain(lg.expire_holds)
    released = release_locked(now=now)
    lots = _drain(lg.expire_lots)
    return {"holds_timed_out": holds, "exchanges_released": released, "lots_expired": lots}
