"""Quality control of the workers: the qualification test's verdict and the ban of a worker
whose accuracy on gold items falls below the batch's threshold."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from nomadcloud.accounts.models import User
from nomadcloud.core import audit
from nomadcloud.datatasks.models import Answer, Assignment, Batch, BatchWorker, Item
from nomadcloud.datatasks.services._common import title, url
from nomadcloud.notifications.services import notify


def judge_qualification(
    batch: Batch, state: BatchWorker, user: User, *, force: bool = False
) -> None:
    if state.status != BatchWorker.Status.QUALIFYING:
        return
    if not force and state.qualification_answers < batch.qualification_count:
        return
    accuracy = state.qualification_accuracy or 0.0
    passed = accuracy * 100 >= batch.qualification_min_percent - 1e-9
    state.status = BatchWorker.Status.QUALIFIED if passed else BatchWorker.Status.FAILED
    state.qualified_at = timezone.now() if passed else None
    state.save(update_fields=["status", "qualified_at"])
    audit.record(
        actor=user,
        action="datatasks.worker.qualify",
        obj=state,
        organisation=batch.organisation,
        after={"status": state.status, "accuracy": round(accuracy, 4)},
    )
    notify(
        user,
        "datatasks.qualification",
        params={
            "batch": title(batch),
            "outcome": "✔" if passed else "✘",
            "accuracy": f"{100 * accuracy:.0f}",
            "threshold": batch.qualification_min_percent,
        },
        url=url(batch),
    )


def check_blocking(batch: Batch, state: BatchWorker, user: User) -> None:
    threshold = batch.min_accuracy_percent
    accuracy = state.accuracy
    if not threshold or accuracy is None or state.gold_answers < batch.min_gold_answers:
        return
    if accuracy * 100 >= threshold - 1e-9:
        return
    now = timezone.now()
    state.status = BatchWorker.Status.BLOCKED
    state.blocked_at = now
    state.block_reason = {
        "accuracy": round(accuracy, 4),
        "threshold": threshold,
        "gold_answers": state.gold_answers,
    }
    state.save(update_fields=["status", "blocked_at", "block_reason"])
    # Their answers no longer count: the items go back to others.
    answers = Answer.objects.filter(batch=batch, worker=user, discarded=False)
    item_ids = list(answers.values_list("item_id", flat=True))
    answers.update(discarded=True)
    Item.objects.filter(pk__in=item_ids).update(answer_count=F("answer_count") - 1)
    Assignment.objects.filter(batch=batch, worker=user, status=Assignment.Status.ACTIVE).update(
        status=Assignment.Status.RELEASED
    )
    audit.record(
        actor=None,
        action="datatasks.worker.block",
        obj=state,
        organisation=batch.organisation,
        after={**state.block_reason, "answers_discarded": len(item_ids)},
    )
    notify(
        user,
        "datatasks.blocked",
        params={
            "batch": title(batch),
            "accuracy": f"{100 * accuracy:.0f}",
            "gold": state.gold_answers,
            "threshold": threshold,
        },
        url=url(batch),
    )
    state.notified_at = now
    state.save(update_fields=["notified_at"])
