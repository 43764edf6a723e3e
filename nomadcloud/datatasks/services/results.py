"""Results: aggregating the answers into each item's result, and a reviewer's corrections."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.datatasks import aggregation
from nomadcloud.datatasks.models import Answer, Batch, BatchWorker, Item, ResultOverride
from nomadcloud.datatasks.services._common import Status, TaskType
from nomadcloud.datatasks.services.rules import clean_answer


def aggregate(batch: Batch) -> Batch:
    answers = list(
        Answer.objects.filter(batch=batch, discarded=False)
        .order_by("id")
        .values_list("item_id", "worker_id", "value")
    )
    states = list(BatchWorker.objects.filter(batch=batch))
    accuracy = {s.worker_id: a for s in states if (a := s.known_accuracy) is not None}
    gold = dict(Item.objects.filter(batch=batch, is_gold=True).values_list("pk", "gold"))
    texts: dict[Any, str] = {}
    if batch.task_type == TaskType.SPANS:
        answered = {item_id for item_id, _w, _v in answers}
        texts = dict(Item.objects.filter(pk__in=answered).values_list("pk", "text"))
    report = aggregation.aggregate(
        batch.task_type,
        answers,
        method=batch.method,
        labels=batch.labels,
        texts=texts,
        gold=gold,
        worker_accuracy=accuracy,
        raters=batch.overlap,
    )
    items = list(Item.objects.filter(batch=batch, is_gold=False).only("pk", "text", "override"))
    confidences = []
    for item in items:
        outcome = report.outcomes.get(item.pk)
        item.result = outcome.value if outcome else None
        item.confidence = round(outcome.confidence, 6) if outcome else None
        item.support = {k: round(v, 6) for k, v in outcome.support.items()} if outcome else {}
        if outcome:
            confidences.append(outcome.confidence)
    Item.objects.bulk_update(items, ["result", "confidence", "support"], batch_size=500)
    finals = {
        item.pk: (item.override if item.override is not None else item.result, item.text)
        for item in items
    }
    scores: dict[int, list[float]] = defaultdict(list)
    for item_id, worker_id, value in answers:
        final = finals.get(item_id)
        if final is not None and final[0] is not None:
            scores[worker_id].append(aggregation.score(batch.task_type, value, final[0], final[1]))
    for state in states:
        mine = scores.get(state.worker_id)
        state.agreement = round(sum(mine) / len(mine), 6) if mine else None
    BatchWorker.objects.bulk_update(states, ["agreement"], batch_size=500)
    batch.quality = {
        "method": batch.method,
        "alpha": report.alpha,
        "kappa": report.kappa,
        "per_label_alpha": report.per_label_alpha,
        "iterations": report.iterations,
        "answers": len(answers),
        "items_with_results": len(confidences),
        "mean_confidence": sum(confidences) / len(confidences) if confidences else None,
    }
    batch.aggregated_at = timezone.now()
    batch.save(update_fields=["quality", "aggregated_at"])
    return batch


@transaction.atomic
def aggregate_batch(*, principal: Principal, batch: Batch) -> Batch:
    """Compute the results again from the answers so far (an accepted batch's results are
    fixed)."""
    require_write(principal)
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    if locked.status not in {Status.OPEN, Status.CLOSED}:
        raise Conflict(
            _("Results are computed for open and closed batches only."), code="not_aggregatable"
        )
    aggregate(locked)
    audit.record(
        actor=principal.user,
        action="datatasks.batch.aggregate",
        obj=locked,
        organisation=locked.organisation,
        after={k: v for k, v in locked.quality.items() if k != "per_label_alpha"},
        token=principal.token,
    )
    return locked


@transaction.atomic
def override_result(*, principal: Principal, item: Item, value: Any, reason: str) -> Item:
    """A reviewer corrects an item's result, saying why; the aggregated result stays as it
    was and every correction is kept."""
    user = require_person(principal)
    require_write(principal)
    batch = Batch.objects.select_for_update().get(pk=item.batch_id)
    if batch.status not in {Status.OPEN, Status.CLOSED}:
        raise Conflict(
            _("Results can be corrected while the batch is open or closed, not after acceptance."),
            code="not_correctable",
        )
    locked = Item.objects.select_for_update().get(pk=item.pk)
    if locked.is_gold:
        raise Conflict(_("A gold item's answer is known; it is not corrected."), code="gold")
    reason = (reason or "").strip()
    if not reason:
        raise invalid_field("reason", _("Say why the result is corrected."))
    if len(reason) > 500:
        raise invalid_field("reason", _("At most %(n)d characters, please.") % {"n": 500})
    clean = clean_answer(batch, locked, value)
    previous = locked.final
    ResultOverride.objects.create(
        item=locked, value=clean, previous=previous, reason=reason, by=user
    )
    locked.override = clean
    locked.save(update_fields=["override"])
    audit.record(
        actor=user,
        action="datatasks.item.override",
        obj=locked,
        organisation=batch.organisation,
        before={"result": previous},
        after={"result": clean, "reason": reason},
        token=principal.token,
    )
    return locked
