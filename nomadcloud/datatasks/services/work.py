"""Work on a batch: joining it, assignment under a lease, answers and skips.

Assignment (``next_assignment``) runs with the batch's row locked (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's IMMEDIATE transactions serialise writers already), so two workers asking
at once never over-fill an item: an item's *load* is its answers plus the unexpired leases of
others, and a regular item is handed out only while its load is below the overlap.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write, role_in
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.datatasks import aggregation
from nomadcloud.datatasks.models import Answer, Assignment, Batch, BatchWorker, Item
from nomadcloud.datatasks.queries import blocked_message
from nomadcloud.datatasks.services._common import Status, lease_seconds
from nomadcloud.datatasks.services.quality import (
    Feedback,
    check_blocking,
    feedback_for,
    is_miss,
    judge_qualification,
    warn,
    warning_message,
)
from nomadcloud.datatasks.services.rules import clean_answer


def _require_worker(principal: Principal, batch: Batch) -> User:
    user = require_person(principal)
    require_write(principal)
    if role_in(principal, batch.organisation) is not None:
        raise Forbidden(
            _("Members of %(organisation)s cannot work on its own data batches.")
            % {"organisation": batch.organisation},
            code="own_enterprise",
        )
    if not user.is_nomad:
        raise Forbidden(
            _(
                "Data batches are worked by digital nomads; say that you are one in your "
                "account settings first."
            ),
            code="not_a_nomad",
        )
    return user


def _require_accepting(batch: Batch) -> None:
    if batch.status != Status.OPEN:
        raise Conflict(_("This batch is not open; answers are not accepted."), code="batch_closed")
    if batch.deadline_passed():
        raise Conflict(
            _("The deadline of this batch has passed; answers are no longer accepted."),
            code="batch_closed",
        )


def _refuse_state(state: BatchWorker) -> None:
    if state.status == BatchWorker.Status.BLOCKED:
        raise Forbidden(blocked_message(state), code="blocked")
    if state.status == BatchWorker.Status.FAILED:
        raise Forbidden(
            _("You did not pass this batch's qualification test."), code="not_qualified"
        )


@transaction.atomic
def join_batch(*, principal: Principal, batch: Batch) -> BatchWorker:
    """Start on a batch: take its qualification test first when it has one. Joining again
    returns the existing state."""
    user = _require_worker(principal, batch)
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    existing = BatchWorker.objects.filter(batch=locked, worker=user).first()
    if existing is not None:
        return existing
    _require_accepting(locked)
    state = BatchWorker.objects.create(
        batch=locked,
        worker=user,
        status=(
            BatchWorker.Status.QUALIFYING
            if locked.has_qualification
            else BatchWorker.Status.QUALIFIED
        ),
        qualified_at=None if locked.has_qualification else timezone.now(),
    )
    audit.record(
        actor=user,
        action="datatasks.worker.join",
        obj=state,
        organisation=locked.organisation,
        after={"batch": str(locked.public_id), "status": state.status},
        token=principal.token,
    )
    return state


def _active_leases(
    item_ids: Iterable[int], now: datetime, exclude: int | None = None
) -> dict[int, int]:
    leases = Assignment.objects.filter(
        item_id__in=list(item_ids), status=Assignment.Status.ACTIVE, expires_at__gt=now
    )
    if exclude is not None:
        leases = leases.exclude(pk=exclude)
    return {row["item_id"]: row["n"] for row in leases.values("item_id").annotate(n=Count("id"))}


def _has_room(batch: Batch, item: Item, now: datetime, exclude: int | None = None) -> bool:
    if item.is_gold:
        return True
    answers = Item.objects.filter(pk=item.pk).values_list("answer_count", flat=True).get()
    return answers + _active_leases([item.pk], now, exclude).get(item.pk, 0) < batch.overlap


def _pick_regular(batch: Batch, user: User, now: datetime) -> Item | None:
    """The item with the fewest answers (then the earliest in the file) that this worker
    has never been given and that still has a free answer slot."""
    mine = Assignment.objects.filter(batch=batch, worker=user).values("item_id")
    candidates = (
        Item.objects.filter(batch=batch, is_gold=False, answer_count__lt=batch.overlap)
        .exclude(pk__in=mine)
        .order_by("answer_count", "position")
    )
    start = 0
    while True:
        chunk = list(candidates[start : start + 200])
        if not chunk:
            return None
        leases = _active_leases([i.pk for i in chunk], now)
        for item in chunk:
            if item.answer_count + leases.get(item.pk, 0) < batch.overlap:
                return item
        start += len(chunk)


def _pick_gold(batch: Batch, user: User) -> Item | None:
    mine = Assignment.objects.filter(batch=batch, worker=user).values("item_id")
    ids = list(
        Item.objects.filter(batch=batch, is_gold=True, is_qualification=False)
        .exclude(pk__in=mine)
        .values_list("pk", flat=True)
    )
    if not ids:
        return None
    return Item.objects.get(pk=random.choice(ids))


@transaction.atomic
def next_assignment(*, principal: Principal, batch: Batch) -> Assignment | None:
    """The worker's current item, or a new one; None when there is nothing left for them.
    Qualification items come first (in file order); then regular items with gold items mixed
    in at the batch's gold share. Each assignment reserves its slot for a short lease."""
    user = _require_worker(principal, batch)
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    _require_accepting(locked)
    state = BatchWorker.objects.select_for_update().filter(batch=locked, worker=user).first()
    if state is None:
        raise Conflict(_("Start on this batch first."), code="not_joined")
    _refuse_state(state)
    now = timezone.now()
    expires = now + timedelta(seconds=lease_seconds())
    current = (
        Assignment.objects.filter(batch=locked, worker=user, status=Assignment.Status.ACTIVE)
        .select_related("item")
        .first()
    )
    if current is not None:
        if current.expires_at > now or _has_room(locked, current.item, now, exclude=current.pk):
            current.expires_at = expires
            current.save(update_fields=["expires_at"])
            return current
        current.status = Assignment.Status.RELEASED
        current.save(update_fields=["status"])
    if state.status == BatchWorker.Status.QUALIFYING:
        answered = Answer.objects.filter(batch=locked, worker=user).values("item_id")
        item = (
            Item.objects.filter(batch=locked, is_qualification=True)
            .exclude(pk__in=answered)
            .order_by("position")
            .first()
        )
        if item is not None:
            # A test item whose lease was released (the batch was closed and opened again)
            # is given back rather than lost.
            released = Assignment.objects.filter(item=item, worker=user).first()
            if released is not None:
                released.status = Assignment.Status.ACTIVE
                released.expires_at = expires
                released.save(update_fields=["status", "expires_at"])
                return released
            return Assignment.objects.create(
                batch=locked,
                item=item,
                worker=user,
                phase=Assignment.Phase.QUALIFICATION,
                expires_at=expires,
            )
        judge_qualification(locked, state, user, force=True)
        if state.status != BatchWorker.Status.QUALIFIED:
            return None
    item = _pick_regular(locked, user, now)
    if (
        item is not None
        and locked.gold_percent
        and (state.gold_answers * 100 < locked.gold_percent * (state.work_answers + 1))
    ):
        item = _pick_gold(locked, user) or item
    if item is None:
        return None
    return Assignment.objects.create(
        batch=locked, item=item, worker=user, phase=Assignment.Phase.WORK, expires_at=expires
    )


@dataclass(frozen=True)
class Submitted:
    """The answer and the worker's standing after it; ``feedback`` on a qualification item
    (right or not, the expected answer, why); ``warning`` after a missed gold item in the
    work while the worker is not blocked."""

    answer: Answer
    state: BatchWorker
    feedback: Feedback | None = None
    warning: str = ""


@transaction.atomic
def submit_answer(*, principal: Principal, assignment: Assignment, value: Any) -> Submitted:
    """Record the worker's answer to their assignment. Refused: an item not assigned to
    them (any more), a second answer, an answer once the batch closed or its deadline
    passed, an answer from a blocked worker."""
    user = require_person(principal)
    require_write(principal)
    batch = Batch.objects.select_for_update().get(pk=assignment.batch_id)
    locked = Assignment.objects.select_for_update().select_related("item").get(pk=assignment.pk)
    if locked.worker_id != user.pk:
        raise Forbidden(_("This item is not assigned to you."), code="not_assigned")
    if (
        locked.status == Assignment.Status.ANSWERED
        or Answer.objects.filter(item_id=locked.item_id, worker=user).exists()
    ):
        raise Conflict(_("You have already answered this item."), code="already_answered")
    _require_accepting(batch)
    state = BatchWorker.objects.select_for_update().get(batch=batch, worker=user)
    _refuse_state(state)
    if locked.status != Assignment.Status.ACTIVE:
        raise Conflict(_("This item is no longer assigned to you."), code="not_assigned")
    now = timezone.now()
    if locked.expires_at <= now and not _has_room(batch, locked.item, now, exclude=locked.pk):
        raise Conflict(
            _("Your time for this item ran out and it went to someone else; take the next one."),
            code="lease_expired",
        )
    item = locked.item
    clean = clean_answer(batch, item, value)
    score = (
        aggregation.score(batch.task_type, clean, item.gold, item.text) if item.is_gold else None
    )
    answer = Answer.objects.create(
        assignment=locked,
        batch=batch,
        item=item,
        worker=user,
        phase=locked.phase,
        value=clean,
        score=score,
    )
    locked.status = Assignment.Status.ANSWERED
    locked.answered_at = now
    locked.save(update_fields=["status", "answered_at"])
    Item.objects.filter(pk=item.pk).update(answer_count=F("answer_count") + 1)
    if locked.phase == Assignment.Phase.QUALIFICATION:
        state.qualification_answers += 1
        state.qualification_score += score or 0.0
        state.save(update_fields=["qualification_answers", "qualification_score"])
        judge_qualification(batch, state, user)
        return Submitted(answer=answer, state=state, feedback=feedback_for(item, score))
    state.work_answers += 1
    if score is not None:
        state.gold_answers += 1
        state.gold_score += score
        state.gold_misses += 1 if is_miss(score) else 0
    state.save(update_fields=["work_answers", "gold_answers", "gold_score", "gold_misses"])
    warning = ""
    if score is not None:
        check_blocking(batch, state, user)
        if (
            is_miss(score)
            and state.status != BatchWorker.Status.BLOCKED
            and batch.min_accuracy_percent
        ):
            warn(batch, state, user)
            warning = warning_message(batch, state)
    return Submitted(answer=answer, state=state, warning=warning)


@transaction.atomic
def skip_assignment(*, principal: Principal, assignment: Assignment) -> None:
    """Pass on an item (it will not come back to this worker)."""
    user = require_person(principal)
    require_write(principal)
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.worker_id != user.pk:
        raise Forbidden(_("This item is not assigned to you."), code="not_assigned")
    if locked.status != Assignment.Status.ACTIVE:
        raise Conflict(_("This item is no longer assigned to you."), code="not_assigned")
    if locked.phase == Assignment.Phase.QUALIFICATION:
        raise Conflict(
            _("Items of the qualification test cannot be skipped."), code="qualification"
        )
    locked.status = Assignment.Status.SKIPPED
    locked.save(update_fields=["status"])
