"""Acceptance, by the enterprise or automatically after the review window, and a nomad's
record of accepted orders. ``accepted`` is the one place an order becomes accepted and
``events.order_accepted`` is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.orders import events, transitions
from nomadcloud.orders.models import (
    Order,
    Rating,
)
from nomadcloud.orders.services._common import S, context, enterprise_people, lock, move, tell
from nomadcloud.talent.services import record_verified_work


def _accepted(order: Order) -> None:
    """What follows the acceptance of an order's work (``move`` to accepted has recorded
    it, with ``accepted_automatically``): skill evidence, notices, and ``order_accepted``
    (proofs of work issue the nomad's credential)."""
    assert order.nomad is not None and order.accepted_at is not None
    skills = [(s.concept, s.level) for s in order.skills.select_related("concept")]
    if skills:
        record_verified_work(
            user=order.nomad,
            skills=skills,
            source="order",
            reference=order.reference,
            occurred_at=order.accepted_at,
        )
    if order.accepted_automatically:
        people = [order.nomad, *enterprise_people(order)]
        tell(people, "orders.auto_accepted", order, days=transitions.review_window().days)
    else:
        tell([order.nomad], "orders.accepted", order)
    rating = (
        order.ratings.filter(side=Rating.Side.ENTERPRISE).values_list("score", flat=True).first()
    )
    events.order_accepted.send(
        events.payload(
            order,
            assigned_at=events.first_assigned([order.pk]).get(order.pk),
            rating=rating,
            skills=[concept for concept, _level in skills],
        )
    )


@transaction.atomic
def accept_delivery(*, principal: Principal, order: Order) -> Order:
    order = lock(order)
    order.accepted_automatically = False
    move(principal, order, S.ACCEPTED, context(order), also=("accepted_automatically",))
    _accepted(order)
    return order


def auto_accept_due(*, now: datetime | None = None) -> list[Order]:
    """Accept every delivered order whose review window has passed (run by the
    ``accept_overdue_orders`` command or task). Each order in its own transaction; an order
    someone else moved meanwhile is skipped."""
    moment = now or timezone.now()
    cutoff = moment - transitions.review_window()
    accepted = []
    due = Order.objects.filter(status=S.DELIVERED, delivered_at__lte=cutoff).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            order = (
                Order.objects.select_for_update(of=("self",))
                .select_related("organisation", "nomad")
                .get(pk=pk)
            )
            if order.status != S.DELIVERED:
                continue
            order.accepted_automatically = True
            move(
                Principal(user=None),
                order,
                S.ACCEPTED,
                context(order, now=moment),
                system=True,
                also=("accepted_automatically",),
            )
            _accepted(order)
            accepted.append(order)
    return accepted


# --- accepted work (a nomad's record; proofs of work get it through events.order_accepted) -------


@dataclass(frozen=True)
class AcceptedOrder:
    """Accepted work on an order, as the nomad's record lists it."""

    reference: str  # "order:<order uuid>", the same as on the skill evidence
    order_id: UUID
    title_zh: str
    title_en: str
    organisation_id: UUID
    organisation_name_zh: str
    organisation_name_en: str
    total: Decimal
    owed_to_nomad: Decimal | None  # from the settlement, once recorded
    accepted_at: datetime
    accepted_automatically: bool
    revisions: int
    rating_by_enterprise: int | None
    skills: tuple[tuple[str, int], ...]  # (concept code, national level 5…1)


def accepted_orders_for(user: User) -> list[AcceptedOrder]:
    """The person's orders whose work was accepted (by the enterprise or automatically),
    oldest first."""
    orders = (
        Order.objects.filter(
            nomad=user, accepted_at__isnull=False, status__in=(S.ACCEPTED, S.SETTLED)
        )
        .select_related("organisation", "settlement")
        .prefetch_related("skills__concept", "ratings")
        .order_by("accepted_at", "id")
    )
    result = []
    for order in orders:
        assert order.accepted_at is not None
        settlement = getattr(order, "settlement", None)
        rating = next(
            (r.score for r in order.ratings.all() if r.side == Rating.Side.ENTERPRISE), None
        )
        result.append(
            AcceptedOrder(
                reference=order.reference,
                order_id=order.public_id,
                title_zh=order.title_zh,
                title_en=order.title_en,
                organisation_id=order.organisation.public_id,
                organisation_name_zh=order.organisation.name_zh,
                organisation_name_en=order.organisation.name_en,
                total=order.total,
                owed_to_nomad=settlement.to_nomad if settlement is not None else None,
                accepted_at=order.accepted_at,
                accepted_automatically=order.accepted_automatically,
                revisions=order.revision_count,
                rating_by_enterprise=rating,
                skills=tuple((s.concept.code, s.level) for s in order.skills.all()),
            )
        )
    return result
