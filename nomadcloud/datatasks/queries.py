"""Reads, always scoped to who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import is_zone_operator
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.datatasks.models import (
    AcceptedWork,
    Answer,
    Assignment,
    Batch,
    BatchWorker,
    GoldAppeal,
    Item,
)


def batches_visible_to(principal: Principal) -> QuerySet[Batch]:
    """Every batch of the principal's own organisations (all of them for the zone
    operator), open batches, and the batches the person worked on."""
    key_org = principal.key_organisation
    if key_org is not None:
        scope = Q(organisation=key_org)
    elif principal.user is None:
        return Batch.objects.none()
    elif is_zone_operator(principal.user):
        scope = Q()
    else:
        scope = (
            Q(organisation__memberships__user=principal.user)
            | Q(status=Batch.Status.OPEN)
            | Q(workers__worker=principal.user)
        )
    return Batch.objects.filter(scope).distinct().select_related("organisation")


def batches_of(organisation: Organisation) -> QuerySet[Batch]:
    return Batch.objects.filter(organisation=organisation).order_by("-id")


def open_batches_for(user: User) -> QuerySet[Batch]:
    """Open batches a person may work on: not their own organisations'."""
    today = timezone.localdate()
    return (
        Batch.objects.filter(status=Batch.Status.OPEN)
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
        .exclude(organisation__memberships__user=user)
        .select_related("organisation")
        .order_by("-opened_at", "-id")
    )


def batches_worked_by(user: User) -> QuerySet[BatchWorker]:
    return (
        BatchWorker.objects.filter(worker=user)
        .select_related("batch", "batch__organisation")
        .order_by("-id")
    )


def worker_state(batch: Batch, user: User | None) -> BatchWorker | None:
    if user is None:
        return None
    return BatchWorker.objects.filter(batch=batch, worker=user).first()


def current_assignment(batch: Batch, user: User) -> Assignment | None:
    """The worker's active, unexpired assignment, if any."""
    return (
        Assignment.objects.filter(
            batch=batch,
            worker=user,
            status=Assignment.Status.ACTIVE,
            expires_at__gt=timezone.now(),
        )
        .select_related("item")
        .first()
    )


def answers_of(batch: Batch, user: User) -> QuerySet[Answer]:
    """A worker's own answers on a batch."""
    return Answer.objects.filter(batch=batch, worker=user).select_related("item")


def assignments_of(batch: Batch, user: User) -> QuerySet[Assignment]:
    return Assignment.objects.filter(batch=batch, worker=user).select_related("item")


def workers_of(batch: Batch) -> QuerySet[BatchWorker]:
    return BatchWorker.objects.filter(batch=batch).select_related("worker").order_by("id")


@dataclass(frozen=True)
class ItemFilters:
    kind: str = ""  # "", "gold", "regular", "overridden", "unanswered"
    max_confidence: float | None = None
    q: str = ""


def items_for_review(batch: Batch, filters: ItemFilters | None = None) -> QuerySet[Item]:
    items = Item.objects.filter(batch=batch)
    filters = filters or ItemFilters()
    if filters.kind == "gold":
        items = items.filter(is_gold=True)
    elif filters.kind == "regular":
        items = items.filter(is_gold=False)
    elif filters.kind == "overridden":
        items = items.filter(override__isnull=False)
    elif filters.kind == "unanswered":
        items = items.filter(answer_count=0)
    if filters.max_confidence is not None:
        items = items.filter(confidence__lte=filters.max_confidence)
    if filters.q:
        items = items.filter(Q(external_id__icontains=filters.q) | Q(text__icontains=filters.q))
    return items


@dataclass(frozen=True)
class Progress:
    items: int
    regular: int
    complete: int  # regular items with as many answers as the overlap asks for
    answers: int
    workers: int
    qualified: int
    blocked: int

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.regular) if self.regular else 0


def progress(batch: Batch) -> Progress:
    items = Item.objects.filter(batch=batch).aggregate(
        total=Count("id"),
        regular=Count("id", filter=Q(is_gold=False)),
        complete=Count("id", filter=Q(is_gold=False, answer_count__gte=batch.overlap)),
    )
    workers = BatchWorker.objects.filter(batch=batch).aggregate(
        total=Count("id"),
        qualified=Count("id", filter=Q(status=BatchWorker.Status.QUALIFIED)),
        blocked=Count("id", filter=Q(status=BatchWorker.Status.BLOCKED)),
    )
    return Progress(
        items=items["total"],
        regular=items["regular"],
        complete=items["complete"],
        answers=Answer.objects.filter(batch=batch, discarded=False).count(),
        workers=workers["total"],
        qualified=workers["qualified"],
        blocked=workers["blocked"],
    )


def pending_pay(batch: Batch, user: User) -> Decimal:
    """What the worker's answers so far would earn if accepted (not owed until then)."""
    count = Answer.objects.filter(
        batch=batch, worker=user, phase=Assignment.Phase.WORK, discarded=False
    ).count()
    return Decimal(batch.pay_per_item) * count


def accepted_rows_for(user: User) -> QuerySet[AcceptedWork]:
    return (
        AcceptedWork.objects.filter(worker=user)
        .select_related("batch", "batch__organisation")
        .order_by("-accepted_at", "-id")
    )


def accepted_rows_of(batch: Batch) -> QuerySet[AcceptedWork]:
    return AcceptedWork.objects.filter(batch=batch).select_related("worker").order_by("id")


def total_owed(batch: Batch) -> Decimal:
    total = AcceptedWork.objects.filter(batch=batch).aggregate(total=Sum("amount"))["total"]
    return Decimal(total) if total is not None else Decimal("0.00")


def blocked_message(state: BatchWorker) -> str:
    reason = state.block_reason or {}
    kept = state.batch.pay_before_ban == Batch.PayBeforeBan.KEPT
    return (
        _(
            "You were blocked from this batch: your accuracy on items with known answers was "
            "%(accuracy)s%% after %(n)d of them, below the %(threshold)d%% it asks for. The "
            "answers you gave before are kept and paid if the enterprise accepts the batch; "
            "you can appeal a known answer you think is wrong."
        )
        if kept
        else _(
            "You were blocked from this batch: your accuracy on items with known answers was "
            "%(accuracy)s%% after %(n)d of them, below the %(threshold)d%% it asks for. Your "
            "answers on it will not be used or paid."
        )
    ) % {
        "accuracy": f"{100 * float(reason.get('accuracy', 0)):.0f}",
        "n": int(reason.get("gold_answers", 0)),
        "threshold": int(reason.get("threshold", 0)),
    }


# ---- workspace figures (datatasks/workspace.py) -------------------------------------------


def worker_counts(user: User) -> dict[str, int]:
    """Batches the person works on (qualifying or qualified) and open batches they could
    join (two queries)."""
    working = BatchWorker.objects.filter(
        worker=user,
        status__in=(BatchWorker.Status.QUALIFYING, BatchWorker.Status.QUALIFIED),
        batch__status=Batch.Status.OPEN,
    ).count()
    return {"working": working, "open": open_batches_for(user).count()}


def batch_counts_of(organisation: Organisation) -> dict[str, int]:
    """The organisation's open batches and closed ones awaiting acceptance (one query)."""
    row = Batch.objects.filter(organisation=organisation).aggregate(
        open=Count("pk", filter=Q(status=Batch.Status.OPEN)),
        closed=Count("pk", filter=Q(status=Batch.Status.CLOSED)),
    )
    return {key: int(value or 0) for key, value in row.items()}


def appeals_of(batch: Batch) -> QuerySet[GoldAppeal]:
    """A batch's appeals, pending ones first (oldest first), then the decided ones."""
    return (
        GoldAppeal.objects.filter(batch=batch)
        .select_related("batch", "item", "answer", "worker", "decided_by")
        .order_by(F("decided_at").asc(nulls_first=True), "id")
    )


def pending_appeals(batch: Batch) -> int:
    return GoldAppeal.objects.filter(batch=batch, status=GoldAppeal.Status.PENDING).count()


def gold_answers_of(batch: Batch, user: User) -> QuerySet[Answer]:
    """A worker's answers on gold items, with the expected answer and their appeal: what the
    worker sees once they answered (the item is then no secret to them)."""
    return (
        Answer.objects.filter(batch=batch, worker=user, item__is_gold=True)
        .select_related("item", "appeal")
        .order_by("id")
    )
