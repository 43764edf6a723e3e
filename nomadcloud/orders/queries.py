"""Reads, always scoped to who is asking."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet

from nomadcloud.accounts.access import is_zone_operator
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.orders.access import MARKET
from nomadcloud.orders.models import Dispute, Order, OrderApplication


def _with_relations(rows: QuerySet[Order]) -> QuerySet[Order]:
    return rows.select_related("organisation", "nomad").prefetch_related(
        "milestones", "skills__concept"
    )


def orders_visible_to(principal: Principal) -> QuerySet[Order]:
    """Orders in the market (open, or with applications), plus the principal's own: their
    organisations' orders and the orders assigned to them (all orders for the operator)."""
    market = Q(status__in=MARKET)
    key_org = principal.key_organisation
    if key_org is not None:
        scope = market | Q(organisation=key_org)
    elif principal.user is None:
        return Order.objects.none()
    elif is_zone_operator(principal):
        scope = Q()
    else:
        scope = market | Q(nomad=principal.user) | Q(organisation__memberships__user=principal.user)
    return _with_relations(Order.objects.filter(scope).distinct())


def market() -> QuerySet[Order]:
    return _with_relations(Order.objects.filter(status__in=MARKET)).order_by("-published_at", "-id")


def orders_of(organisation: Organisation) -> QuerySet[Order]:
    return _with_relations(Order.objects.filter(organisation=organisation)).order_by("-id")


def orders_taken_by(user: User) -> QuerySet[Order]:
    return _with_relations(Order.objects.filter(nomad=user)).order_by("-id")


def applications_of(user: User) -> QuerySet[OrderApplication]:
    return (
        OrderApplication.objects.filter(applicant=user)
        .select_related("order__organisation")
        .order_by("-id")
    )


def application_of(order: Order, user: User) -> OrderApplication | None:
    """The person's own application to the order, if they applied."""
    return OrderApplication.objects.filter(order=order, applicant=user).first()


def open_disputes() -> QuerySet[Dispute]:
    return (
        Dispute.objects.filter(decided_at__isnull=True)
        .select_related("order__organisation", "order__nomad", "opened_by")
        .order_by("opened_at", "id")
    )


def decided_disputes() -> QuerySet[Dispute]:
    return (
        Dispute.objects.filter(decided_at__isnull=False)
        .select_related("order__organisation", "decided_by")
        .order_by("-decided_at")
    )


def enterprises_of(user: User, *, roles: Collection[str] | None = None) -> QuerySet[Organisation]:
    """The enterprises the person is a member of (with one of ``roles``, if given)."""
    # One filter() call, so that the user and the role are those of the same membership.
    member = Q(memberships__user=user)
    if roles is not None:
        member &= Q(memberships__role__in=roles)
    return Organisation.objects.filter(member, kind=Organisation.Kind.ENTERPRISE).distinct()


# ---- workspace figures (orders/workspace.py) ----------------------------------------------

ACTIVE = (Order.Status.ASSIGNED, Order.Status.IN_PROGRESS)


def nomad_order_counts(user: User) -> dict[str, int]:
    """The nomad's open applications, orders to work on and orders delivered and awaiting
    the enterprise's acceptance (two queries)."""
    orders = Order.objects.filter(nomad=user).aggregate(
        active=Count("pk", filter=Q(status__in=ACTIVE)),
        delivered=Count("pk", filter=Q(status=Order.Status.DELIVERED)),
    )
    applications = OrderApplication.objects.filter(
        applicant=user, status=OrderApplication.Status.PENDING
    ).count()
    return {
        "applications": applications,
        "active": int(orders["active"] or 0),
        "delivered": int(orders["delivered"] or 0),
    }


def enterprise_order_counts(organisation: Organisation) -> dict[str, int]:
    """The organisation's orders awaiting acceptance, with applications to decide, and in
    progress (one query)."""
    row = Order.objects.filter(organisation=organisation).aggregate(
        delivered=Count("pk", filter=Q(status=Order.Status.DELIVERED), distinct=True),
        applied=Count("pk", filter=Q(status=Order.Status.APPLIED), distinct=True),
        active=Count("pk", filter=Q(status__in=ACTIVE), distinct=True),
        disputed=Count("pk", filter=Q(status=Order.Status.DISPUTED), distinct=True),
    )
    return {key: int(value or 0) for key, value in row.items()}


def dispute_queue_summary() -> tuple[int, datetime | None]:
    """Open disputes and when the oldest was opened (one query)."""
    row = Dispute.objects.filter(decided_at__isnull=True).aggregate(
        n=Count("pk"), oldest=Min("opened_at")
    )
    return int(row["n"] or 0), row["oldest"]
