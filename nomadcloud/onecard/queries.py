"""Reads of the one card scoped to who asks: the public catalogue, an applicant's
applications, a department's queue and the public statistics per item."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.onecard.models import Application, Escalation, Rating, ServiceItem

S = Application.Status
OPEN_FOR_OFFICERS = (
    S.SUBMITTED,
    S.RECEIVED,
    S.SUPPLEMENT_REQUESTED,
    S.UNDER_REVIEW,
    S.APPROVED,
    S.FORWARDING,
    S.FORWARDED,
    S.SUSPENDED,
)
DECIDED = (S.APPROVED, S.REJECTED, S.RESULT_ISSUED, S.CLOSED)


def published_items(
    *, audience: str = "", life_event: str = "", q: str = ""
) -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED).select_related(
        "department", "current_version"
    )
    if audience:
        items = items.filter(audience__icontains=f'"{audience}"')
    if life_event:
        items = items.filter(life_events__icontains=f'"{life_event}"')
    if q:
        items = items.filter(Q(code__icontains=q) | Q(current_version__content__icontains=q))
    return items.order_by("number", "code")


def mine(user: User) -> QuerySet[Application]:
    return (
        Application.objects.filter(Q(applicant=user) | Q(agent=user))
        .select_related("item", "version", "department")
        .order_by("-id")
    )


def queue(department: Organisation, *, status: str = "") -> QuerySet[Application]:
    """The department's open applications, the most urgent first."""
    rows = Application.objects.filter(department=department)
    rows = rows.filter(status=status) if status else rows.filter(status__in=OPEN_FOR_OFFICERS)
    escalated = Escalation.objects.filter(
        application=OuterRef("pk"), resolved_at__isnull=True
    ).values("escalated_at")[:1]
    return (
        rows.select_related("item", "version", "applicant")
        .annotate(escalated_at=Subquery(escalated))
        .order_by("due_at", "id")
    )


def escalated_count(department: Organisation) -> int:
    """The department's open escalations (overdue applications its head was told of)."""
    return Escalation.objects.filter(
        application__department=department, resolved_at__isnull=True
    ).count()


def queue_counts(department: Organisation) -> dict[str, int]:
    rows = (
        Application.objects.filter(department=department, status__in=OPEN_FOR_OFFICERS)
        .values("status")
        .annotate(n=Count("id"))
    )
    return {row["status"]: row["n"] for row in rows}


def applicant_counts(user: User) -> dict[str, int]:
    rows = Application.objects.filter(applicant=user).aggregate(
        drafts=Count("id", filter=Q(status=S.DRAFT)),
        waiting=Count("id", filter=Q(status=S.SUPPLEMENT_REQUESTED)),
        open=Count(
            "id",
            filter=~Q(status__in=[S.DRAFT, *DECIDED, S.WITHDRAWN, S.TERMINATED, S.NOT_ACCEPTED]),
        ),
    )
    return {k: int(v or 0) for k, v in rows.items()}


@dataclass(frozen=True)
class ItemStatistics:
    decided: int
    median_days: float | None
    on_time_percent: float | None
    satisfaction_percent: float | None
    ratings: int


STATISTICS_WINDOW = 1000  # the most recent decisions the public figures are computed over


def item_statistics(item: ServiceItem) -> ItemStatistics:
    """Public figures over the item's last ``STATISTICS_WINDOW`` decisions: median time
    from 受理 to decision (calendar days), % decided within the promised limit, and
    satisfaction (满意 + 非常满意 among all ratings)."""
    rows = list(
        Application.objects.filter(item=item, decided_at__isnull=False, received_at__isnull=False)
        .order_by("-decided_at")
        .values_list("received_at", "decided_at", "due_at")[:STATISTICS_WINDOW]
    )
    durations = [(d - r).total_seconds() / 86400 for r, d, _due in rows if r and d]
    on_time = [d <= due for _r, d, due in rows if d is not None and due is not None]
    ratings = Rating.objects.filter(application__item=item).aggregate(
        n=Count("pk"), good=Count("pk", filter=Q(level__gte=Rating.Level.SATISFIED))
    )
    total = int(ratings["n"] or 0)
    return ItemStatistics(
        decided=len(rows),
        median_days=round(median(durations), 1) if durations else None,
        on_time_percent=round(100 * sum(on_time) / len(on_time), 1) if on_time else None,
        satisfaction_percent=round(100 * int(ratings["good"] or 0) / total, 1) if total else None,
        ratings=total,
    )
