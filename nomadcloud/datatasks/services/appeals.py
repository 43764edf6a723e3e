"""Appeals of gold items: a worker who missed an item with a known answer may say why they
think the known answer is wrong; a reviewer of the enterprise decides. Upholding corrects the
gold item, scores every answer to it again and recomputes the standing of each worker who
answered it (``quality.recompute_standing``): a worker blocked or failed because of the item
is restored. Both steps are audited; the worker is told the decision."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import Role, require_person, require_write
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.datatasks import aggregation
from nomadcloud.datatasks.models import Answer, Batch, BatchWorker, GoldAppeal, Item
from nomadcloud.datatasks.services._common import Status, title, url
from nomadcloud.datatasks.services.quality import is_miss, recompute_standing
from nomadcloud.datatasks.services.rules import clean_answer
from nomadcloud.notifications.services import notify

# While results can still change: an accepted batch's work and pay are fixed.
APPEALABLE = frozenset({Status.OPEN, Status.CLOSED})


def _require_appealable(batch: Batch) -> None:
    if batch.status not in APPEALABLE:
        raise Conflict(
            _("This batch is accepted; its gold items can no longer be appealed."),
            code="batch_accepted",
        )


@transaction.atomic
def appeal_gold(*, principal: Principal, answer: Answer, reason: str) -> GoldAppeal:
    """The worker's appeal of the known answer of a gold item they missed. Refused: an item
    that is not a gold item (``not_gold``), an answer that was right (``not_missed``), a
    second appeal of the same answer (``already_appealed``), an accepted batch."""
    user = require_person(principal)
    require_write(principal)
    batch = Batch.objects.select_for_update().get(pk=answer.batch_id)
    locked = Answer.objects.select_related("item").get(pk=answer.pk)
    if locked.worker_id != user.pk:
        raise Forbidden(_("You can appeal only your own answers."), code="not_yours")
    if not locked.item.is_gold:
        raise Conflict(
            _("Only items with a known answer (gold items) can be appealed."), code="not_gold"
        )
    if GoldAppeal.objects.filter(answer=locked).exists():
        raise Conflict(_("You have already appealed this item."), code="already_appealed")
    if not is_miss(locked.score):
        raise Conflict(
            _("Your answer to this item was right; there is nothing to appeal."),
            code="not_missed",
        )
    _require_appealable(batch)
    appeal = GoldAppeal.objects.create(
        batch=batch, item=locked.item, answer=locked, worker=user, reason=reason.strip()[:1000]
    )
    audit.record(
        actor=user,
        action="datatasks.appeal.create",
        obj=appeal,
        organisation=batch.organisation,
        after={"item": locked.item.external_id, "answer": locked.value, "reason": appeal.reason},
        token=principal.token,
    )
    reviewers = batch.organisation.memberships.filter(
        role__in=[Role.OWNER, Role.ADMIN, Role.REVIEWER]
    ).select_related("user")
    for membership in reviewers:
        notify(
            membership.user,
            "datatasks.appeal_received",
            params={
                "batch": title(batch),
                "item": locked.item.external_id,
                "reason": appeal.reason[:200],
            },
            url=url(batch) + "appeals/",
        )
    return appeal


def _rescore(batch: Batch, item: Item) -> list[int]:
    """Score every answer to the gold item against its (corrected) known answer; the ids of
    the workers whose answers changed score."""
    changed = []
    for answer in Answer.objects.filter(item=item).order_by("id"):
        score = aggregation.score(batch.task_type, answer.value, item.gold, item.text)
        if answer.score is None or abs(answer.score - score) > 1e-12:
            answer.score = score
            answer.save(update_fields=["score"])
            changed.append(answer.worker_id)
    return changed


@transaction.atomic
def decide_appeal(
    *,
    principal: Principal,
    appeal: GoldAppeal,
    uphold: bool,
    note: str = "",
    corrected: Any = None,
) -> GoldAppeal:
    """A reviewer's decision. Upholding sets the gold item's known answer to ``corrected``
    (or, when None, to the appellant's answer), scores every answer to it again and
    recomputes the standing of the workers it changes. Refused: a decided appeal
    (``already_decided``), an accepted batch, a correction that does not fit the task."""
    user = require_person(principal)
    require_write(principal)
    batch = Batch.objects.select_for_update().get(pk=appeal.batch_id)
    locked = (
        GoldAppeal.objects.select_for_update()
        .select_related("item", "answer", "worker")
        .get(pk=appeal.pk)
    )
    if locked.status != GoldAppeal.Status.PENDING:
        raise Conflict(_("This appeal has already been decided."), code="already_decided")
    _require_appealable(batch)
    item = Item.objects.select_for_update().get(pk=locked.item_id)
    now = timezone.now()
    locked.decided_by = user
    locked.decided_at = now
    locked.decision_note = note.strip()[:1000]
    changes: dict[str, str] = {}
    if uphold:
        value = corrected if corrected is not None else locked.answer.value
        clean = clean_answer(batch, item, value)
        locked.previous_gold = item.gold
        locked.corrected_gold = clean
        item.gold = clean
        item.save(update_fields=["gold"])
        locked.status = GoldAppeal.Status.UPHELD
        for worker_id in dict.fromkeys(_rescore(batch, item)):
            state = BatchWorker.objects.select_for_update().get(batch=batch, worker_id=worker_id)
            outcome = recompute_standing(batch, state, actor=user)
            if outcome:
                changes[str(state.worker)] = outcome
    else:
        locked.status = GoldAppeal.Status.REJECTED
    locked.save()
    audit.record(
        actor=user,
        action="datatasks.appeal.decide",
        obj=locked,
        organisation=batch.organisation,
        before={"status": GoldAppeal.Status.PENDING, "gold": locked.previous_gold}
        if uphold
        else {"status": GoldAppeal.Status.PENDING},
        after={
            "status": locked.status,
            "gold": locked.corrected_gold,
            "note": locked.decision_note,
            "standings": changes,
        },
        token=principal.token,
    )
    notify(
        locked.worker,
        "datatasks.appeal_upheld" if uphold else "datatasks.appeal_rejected",
        params={
            "batch": title(batch),
            "item": item.external_id,
            "note": locked.decision_note[:300],
        },
        url=url(batch),
    )
    return locked
