"""Reads of communities scoped to who asks, and the small counts the workspaces show."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.communities.models import Booking, Community, ForeignRegistration, Review, Visit

B = Booking.Status


def listed_communities() -> QuerySet[Community]:
    """The public list: listed communities, designated first."""
    return (
        Community.objects.filter(listed=True)
        .select_related("organisation")
        .order_by("-designation", "id")
    )


def bookings_of_guest(user: User) -> QuerySet[Booking]:
    return Booking.objects.filter(guest=user).select_related("community__organisation", "unit_type")


def community_bookings(
    community: Community, *, status: str = "", search: str = ""
) -> QuerySet[Booking]:
    """The operator's bookings page, newest first (filter by status and code)."""
    rows = Booking.objects.filter(community=community).select_related("guest", "unit_type")
    if status:
        rows = rows.filter(status=status)
    if search:
        rows = rows.filter(code__iexact=search.strip())
    return rows.order_by("-id")


def host_counts(community: Community, today: date | None = None) -> dict[str, int]:
    """Requests waiting, arrivals today, guests in house and registrations not done (one
    query for the bookings, one for the registrations)."""
    today = today or timezone.localdate()
    figures = Booking.objects.filter(community=community).aggregate(
        requested=Count("id", filter=Q(status=B.REQUESTED)),
        arriving=Count("id", filter=Q(status=B.CONFIRMED, start__lte=today)),
        in_house=Count("id", filter=Q(status=B.CHECKED_IN)),
    )
    figures["registrations"] = ForeignRegistration.objects.filter(
        stay__community=community, registered_at__isnull=True
    ).count()
    return {k: int(v or 0) for k, v in figures.items()}


def community_of(organisation: Organisation) -> Community | None:
    return Community.objects.filter(organisation=organisation).first()


def guest_counts(user: User) -> dict[str, int]:
    figures = Booking.objects.filter(guest=user).aggregate(
        upcoming=Count("id", filter=Q(status__in=[B.REQUESTED, B.CONFIRMED])),
        staying=Count("id", filter=Q(status=B.CHECKED_IN)),
        stays=Count("id", filter=Q(status=B.CHECKED_OUT)),
    )
    return {k: int(v or 0) for k, v in figures.items()}


def police_queue(now: datetime | None = None) -> QuerySet[ForeignRegistration]:
    """Foreign guests' registrations, not yet registered first, by due time."""
    return ForeignRegistration.objects.select_related("stay__community").order_by(
        "registered_at", "due_at"
    )


def police_counts(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    figures = ForeignRegistration.objects.aggregate(
        open=Count("id", filter=Q(registered_at__isnull=True)),
        overdue=Count("id", filter=Q(registered_at__isnull=True, due_at__lt=now)),
    )
    return {k: int(v or 0) for k, v in figures.items()}


def public_reviews(community: Community) -> QuerySet[Review]:
    return Review.objects.filter(booking__community=community, side=Review.Side.GUEST).order_by(
        "-id"
    )


def designation_queue() -> QuerySet[Community]:
    return (
        Community.objects.exclude(designation=Community.Designation.DRAFT)
        .select_related("organisation")
        .order_by("designation", "id")
    )


def visits_of(user: User) -> QuerySet[Visit]:
    return Visit.objects.filter(guest=user).select_related("community__organisation")
