"""Acceptance: the enterprise accepts a closed batch and each worker's accepted work is fixed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict
from nomadcloud.core.money import format_cny
from nomadcloud.datatasks import events
from nomadcloud.datatasks.models import (
    AcceptedWork as AcceptedWorkRow,
)
from nomadcloud.datatasks.models import Answer, Assignment, Batch, BatchWorker
from nomadcloud.datatasks.services._common import Status, event, title, url
from nomadcloud.datatasks.services.results import aggregate
from nomadcloud.notifications.services import notify


@dataclass(frozen=True)
class AcceptedWork:
    """Accepted work of one worker on one batch: what proofs of work certify and points
    reward. ``accuracy`` is the share right on gold items (qualification included),
    ``agreement`` the mean agreement of their answers with the delivered results; both 0–1
    or None. ``skills`` are (concept code, level) pairs; ``amount`` = items × pay, exact."""

    user: User
    batch: Batch
    items_accepted: int
    accuracy: float | None
    agreement: float | None
    skills: list[tuple[str, int]]
    pay_per_item: Decimal
    amount: Decimal
    accepted_at: datetime


def _as_accepted(row: AcceptedWorkRow) -> AcceptedWork:
    return AcceptedWork(
        user=row.worker,
        batch=row.batch,
        items_accepted=row.items_accepted,
        accuracy=row.accuracy,
        agreement=row.agreement,
        skills=[(s["code"], int(s["level"])) for s in row.skills],
        pay_per_item=row.pay_per_item,
        amount=row.amount,
        accepted_at=row.accepted_at,
    )


def accepted_work(batch: Batch) -> list[AcceptedWork]:
    """The accepted work per worker of an accepted batch (empty before acceptance)."""
    rows = AcceptedWorkRow.objects.filter(batch=batch).select_related("worker", "batch")
    return [_as_accepted(row) for row in rows.order_by("id")]


def accepted_work_for(user: User) -> list[AcceptedWork]:
    """Everything a person's data work has had accepted, newest first."""
    rows = AcceptedWorkRow.objects.filter(worker=user).select_related(
        "worker", "batch", "batch__organisation"
    )
    return [_as_accepted(row) for row in rows.order_by("-accepted_at", "-id")]


def pay_owed(batch: Batch) -> dict[int, Decimal]:
    """Worker id → pay owed for an accepted batch: accepted items × pay per item."""
    return {row.worker_id: row.amount for row in AcceptedWorkRow.objects.filter(batch=batch)}


@transaction.atomic
def accept_batch(*, principal: Principal, batch: Batch) -> list[AcceptedWork]:
    """The enterprise accepts a closed batch: results are computed one last time and fixed,
    and each worker's accepted work (their work answers that were not discarded) is recorded
    with its pay and added as verified work to their skill record; ``batch_accepted`` is sent
    (proofs of work issue each worker's credential)."""
    from nomadcloud.talent.services import record_verified_work

    user = require_person(principal)
    require_write(principal)
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != Status.CLOSED:
        raise Conflict(_("Close the batch before accepting it."), code="not_closed")
    aggregate(locked)
    now = timezone.now()
    skills = list(locked.skills.select_related("concept").order_by("concept__code"))
    skill_json = [{"code": s.concept.code, "level": s.level} for s in skills]
    counts = dict(
        Answer.objects.filter(batch=locked, phase=Assignment.Phase.WORK, discarded=False)
        .values("worker_id")
        .annotate(n=Count("id"))
        .values_list("worker_id", "n")
    )
    # A blocked worker's answers given before the block count when the batch's rule keeps
    # them (``pay_before_ban``); under the other rule they were set aside at the block.
    states = BatchWorker.objects.filter(batch=locked).select_related("worker").order_by("id")
    rows = []
    for state in states:
        items = int(counts.get(state.worker_id, 0))
        if not items:
            continue
        accuracy = state.known_accuracy
        rows.append(
            AcceptedWorkRow(
                batch=locked,
                worker=state.worker,
                items_accepted=items,
                accuracy=round(accuracy, 6) if accuracy is not None else None,
                agreement=state.agreement,
                pay_per_item=locked.pay_per_item,
                amount=locked.pay_per_item * items,
                skills=skill_json,
                accepted_at=now,
            )
        )
    AcceptedWorkRow.objects.bulk_create(rows)
    locked.status = Status.ACCEPTED
    locked.accepted_at = now
    locked.accepted_by = user
    locked.save(update_fields=["status", "accepted_at", "accepted_by"])
    event(locked, Status.CLOSED, Status.ACCEPTED, user)
    for row in rows:
        notify(
            row.worker,
            "datatasks.accepted",
            params={
                "batch": title(locked),
                "enterprise": title(locked.organisation, "name"),
                "items": row.items_accepted,
                "amount": format_cny(row.amount),
            },
            url=url(locked),
        )
        if skills:
            record_verified_work(
                user=row.worker,
                skills=[(s.concept, s.level) for s in skills],
                source="datatask",
                reference=str(locked.public_id),
                occurred_at=now,
            )
    audit.record(
        actor=user,
        action="datatasks.batch.accept",
        obj=locked,
        organisation=locked.organisation,
        before={"status": Status.CLOSED},
        after={
            "status": Status.ACCEPTED,
            "workers": len(rows),
            "items_accepted": sum(r.items_accepted for r in rows),
            "pay_total": str(sum((r.amount for r in rows), Decimal("0.00"))),
        },
        token=principal.token,
    )
    # Proofs of work issue each worker's credential, and points credit the work units.
    events.batch_accepted.send(events.payload(locked, rows, [s.concept for s in skills]))
    return accepted_work(locked)
