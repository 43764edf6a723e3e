"""Quality control of the workers, made fair: the qualification test's verdict with feedback
on each answer, a warning after the first missed gold item, and a block only after the
batch's grace (``ban_after_misses`` misses, accuracy below the threshold over the latest
``accuracy_window`` gold answers). What happens to the answers given before a block is the
batch's rule (``pay_before_ban``). ``recompute_standing`` rebuilds a worker's standing from
their answers (after an upheld appeal corrects a gold item) and restores a worker whom the
corrected item had blocked or failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

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


# A gold answer that is not entirely right (partial credit included) is a miss.
FULL_MARKS = 1.0 - 1e-9


def is_miss(score: float | None) -> bool:
    return score is not None and score < FULL_MARKS


@dataclass(frozen=True)
class Feedback:
    """What a worker is told right after answering a qualification item."""

    correct: bool
    score: float
    expected: Any
    explanation: str


def feedback_for(item: Item, score: float | None) -> Feedback:
    return Feedback(
        correct=not is_miss(score),
        score=round(score or 0.0, 4),
        expected=item.gold,
        explanation=item.explanation,
    )


def window_accuracy(batch: Batch, state: BatchWorker) -> float | None:
    """Accuracy on the gold items mixed into the work: over all of them, or over the latest
    ``accuracy_window`` when the batch sets one."""
    if not batch.accuracy_window:
        return state.accuracy
    scores = list(
        Answer.objects.filter(
            batch=batch,
            worker_id=state.worker_id,
            phase=Assignment.Phase.WORK,
            score__isnull=False,
        )
        .order_by("-id")
        .values_list("score", flat=True)[: batch.accuracy_window]
    )
    values = [float(score or 0.0) for score in scores]
    return sum(values) / len(values) if values else None


def should_block(batch: Batch, state: BatchWorker) -> tuple[bool, float | None]:
    """Whether the batch's rule blocks the worker now, and the accuracy it measured: enough
    gold answers, at least ``ban_after_misses`` misses, and accuracy below the threshold."""
    threshold = batch.min_accuracy_percent
    if not threshold or state.gold_answers < batch.min_gold_answers:
        return False, None
    if state.gold_misses < max(1, batch.ban_after_misses):
        return False, None
    accuracy = window_accuracy(batch, state)
    if accuracy is None or accuracy * 100 >= threshold - 1e-9:
        return False, accuracy
    return True, accuracy


def warning_message(batch: Batch, state: BatchWorker) -> str:
    """The warning a worker sees after missing a gold item, while not blocked."""
    left = max(1, batch.ban_after_misses) - state.gold_misses
    accuracy = window_accuracy(batch, state)
    return _(
        "Careful: %(misses)d of your answers on items with known answers were not right "
        "(accuracy %(accuracy)s%%; this batch asks for %(threshold)d%%). %(left)s You can see "
        "the expected answers on the batch's page and appeal one you think is wrong."
    ) % {
        "misses": state.gold_misses,
        "accuracy": f"{100 * (accuracy or 0.0):.0f}",
        "threshold": batch.min_accuracy_percent,
        "left": (
            _("A block comes only after %(n)d more miss(es) with accuracy below the mark.")
            % {"n": left}
            if left > 0
            else _("Another miss with accuracy below the mark blocks you.")
        ),
    }


def warn(batch: Batch, state: BatchWorker, user: User) -> None:
    """Tell the worker, once, after their first missed gold item."""
    if state.warned_at is not None or not batch.min_accuracy_percent:
        return
    state.warned_at = timezone.now()
    state.save(update_fields=["warned_at"])
    accuracy = window_accuracy(batch, state)
    audit.record(
        actor=None,
        action="datatasks.worker.warn",
        obj=state,
        organisation=batch.organisation,
        after={"gold_misses": state.gold_misses, "accuracy": round(accuracy or 0.0, 4)},
    )
    notify(
        user,
        "datatasks.warning",
        params={
            "batch": title(batch),
            "accuracy": f"{100 * (accuracy or 0.0):.0f}",
            "threshold": batch.min_accuracy_percent,
            "misses": max(1, batch.ban_after_misses),
        },
        url=url(batch),
    )


def check_blocking(batch: Batch, state: BatchWorker, user: User) -> None:
    block, accuracy = should_block(batch, state)
    if not block or accuracy is None:
        return
    threshold = batch.min_accuracy_percent
    now = timezone.now()
    state.status = BatchWorker.Status.BLOCKED
    state.blocked_at = now
    state.block_reason = {
        "accuracy": round(accuracy, 4),
        "threshold": threshold,
        "gold_answers": state.gold_answers,
        "misses": state.gold_misses,
        "window": batch.accuracy_window,
    }
    state.save(update_fields=["status", "blocked_at", "block_reason"])
    discarded = 0
    if batch.pay_before_ban == Batch.PayBeforeBan.DISCARDED:
        # The batch's rule: their answers no longer count and the items go back to others.
        answers = Answer.objects.filter(batch=batch, worker=user, discarded=False)
        item_ids = list(answers.values_list("item_id", flat=True))
        answers.update(discarded=True)
        Item.objects.filter(pk__in=item_ids).update(answer_count=F("answer_count") - 1)
        discarded = len(item_ids)
    Assignment.objects.filter(batch=batch, worker=user, status=Assignment.Status.ACTIVE).update(
        status=Assignment.Status.RELEASED
    )
    audit.record(
        actor=None,
        action="datatasks.worker.block",
        obj=state,
        organisation=batch.organisation,
        after={**state.block_reason, "answers_discarded": discarded},
    )
    notify(
        user,
        "datatasks.blocked" if discarded else "datatasks.blocked_paid",
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


def recompute_standing(batch: Batch, state: BatchWorker, *, actor: User | None) -> str:
    """Rebuild the worker's scores from their answers (after a gold item was corrected), then
    apply the rules again: a failed test that now passes qualifies; a block that no longer
    holds is lifted (answers set aside by it count again); a worker the correction puts
    below the mark is blocked as anyone else would be. Returns what changed: "restored",
    "qualified", "blocked" or ""."""
    answers = Answer.objects.filter(batch=batch, worker_id=state.worker_id, score__isnull=False)
    qualification = [a.score or 0.0 for a in answers if a.phase == Assignment.Phase.QUALIFICATION]
    work = [a.score or 0.0 for a in answers if a.phase == Assignment.Phase.WORK]
    state.qualification_answers = len(qualification)
    state.qualification_score = sum(qualification)
    state.gold_answers = len(work)
    state.gold_score = sum(work)
    state.gold_misses = sum(1 for score in work if is_miss(score))
    state.save(
        update_fields=[
            "qualification_answers",
            "qualification_score",
            "gold_answers",
            "gold_score",
            "gold_misses",
        ]
    )
    user = state.worker
    before = state.status
    if before == BatchWorker.Status.FAILED:
        accuracy = state.qualification_accuracy or 0.0
        if accuracy * 100 >= batch.qualification_min_percent - 1e-9:
            state.status = BatchWorker.Status.QUALIFIED
            state.qualified_at = timezone.now()
            state.save(update_fields=["status", "qualified_at"])
            audit.record(
                actor=actor,
                action="datatasks.worker.qualify",
                obj=state,
                organisation=batch.organisation,
                before={"status": before},
                after={"status": state.status, "accuracy": round(accuracy, 4), "appeal": True},
            )
            return "qualified"
        return ""
    if before == BatchWorker.Status.BLOCKED:
        if should_block(batch, state)[0]:
            return ""
        set_aside = Answer.objects.filter(batch=batch, worker_id=state.worker_id, discarded=True)
        item_ids = list(set_aside.values_list("item_id", flat=True))
        set_aside.update(discarded=False)
        Item.objects.filter(pk__in=item_ids).update(answer_count=F("answer_count") + 1)
        state.status = BatchWorker.Status.QUALIFIED
        state.blocked_at = None
        state.block_reason = {}
        state.save(update_fields=["status", "blocked_at", "block_reason"])
        audit.record(
            actor=actor,
            action="datatasks.worker.restore",
            obj=state,
            organisation=batch.organisation,
            before={"status": before},
            after={"status": state.status, "answers_restored": len(item_ids)},
        )
        return "restored"
    if before == BatchWorker.Status.QUALIFIED:
        check_blocking(batch, state, user)
        return "blocked" if state.status == BatchWorker.Status.BLOCKED else ""
    return ""
