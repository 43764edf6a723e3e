"""What orders tell the apps above them, as named events with typed payloads
(``core.events``; docs/decisions/0004). Work is accepted milestone by milestone (by the
enterprise or automatically): each acceptance sends ``milestone_accepted`` once, in the
accepting transaction, and proofs of work issue the nomad's credential for that milestone's
amount from the payload alone; accepting the last milestone also sends ``order_accepted``
(the order is complete; its total is owed to the nomad).

``accepted_milestones`` and ``accepted_orders`` yield the same payloads for work accepted
earlier (the proofs backfill reads the first)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db.models import Min

from nomadcloud.core.events import Event
from nomadcloud.orders.models import Milestone, Order, OrderEvent, Rating
from nomadcloud.taxonomy.labels import SkillLabel
from nomadcloud.taxonomy.models import Concept


@dataclass(frozen=True)
class OrderAccepted:
    """An order's work was accepted. ``reference`` is ``order:<order uuid>`` (as on the skill
    evidence); the work ran from ``assigned_at`` (when the nomad was first assigned; None
    for orders with no such record) to ``accepted_at``; ``total`` is owed to the nomad in
    full on acceptance."""

    reference: str
    order_id: UUID
    nomad_id: int
    nomad_public_id: UUID
    title_zh: str
    title_en: str
    enterprise_id: UUID
    enterprise_name_zh: str
    enterprise_name_en: str
    assigned_at: datetime | None
    accepted_at: datetime
    automatically: bool
    total: Decimal
    revisions: int
    rating_by_enterprise: int | None
    skills: tuple[SkillLabel, ...]


order_accepted: Event[OrderAccepted] = Event("orders.order_accepted")


@dataclass(frozen=True)
class MilestoneAccepted:
    """One milestone of an order was accepted. ``reference`` is
    ``order:<order uuid>:milestone:<position>`` (the milestone's proof of work);
    ``order_reference`` is the order's (as on the skill evidence). The work ran from
    ``assigned_at`` (or the previous milestone's acceptance) to ``accepted_at``; ``amount``
    is owed to the nomad. ``completes_order``: it was the last milestone."""

    reference: str
    order_reference: str
    order_id: UUID
    position: int
    milestone_count: int
    milestone_title: str
    amount: Decimal
    nomad_id: int
    nomad_public_id: UUID
    title_zh: str
    title_en: str
    enterprise_id: UUID
    enterprise_name_zh: str
    enterprise_name_en: str
    assigned_at: datetime | None
    accepted_at: datetime
    automatically: bool
    revisions: int
    completes_order: bool
    skills: tuple[SkillLabel, ...]


milestone_accepted: Event[MilestoneAccepted] = Event("orders.milestone_accepted")


def milestone_payload(
    order: Order,
    milestone: Milestone,
    *,
    assigned_at: datetime | None,
    skills: Iterable[Concept],
    milestones: list[Milestone] | None = None,
) -> MilestoneAccepted:
    """The payload of an accepted milestone (the order's organisation and nomad loaded;
    ``milestones``: all of the order's, when already at hand)."""
    assert order.nomad is not None and milestone.accepted_at is not None
    every = milestones if milestones is not None else list(order.milestones.all())
    earlier = [
        m.accepted_at
        for m in every
        if m.position < milestone.position and m.accepted_at is not None
    ]
    start = max(earlier, default=None) or assigned_at
    org = order.organisation
    return MilestoneAccepted(
        reference=f"{order.reference}:milestone:{milestone.position}",
        order_reference=order.reference,
        order_id=order.public_id,
        position=milestone.position,
        milestone_count=len(every),
        milestone_title=milestone.title,
        amount=milestone.amount,
        nomad_id=order.nomad.pk,
        nomad_public_id=order.nomad.public_id,
        title_zh=order.title_zh,
        title_en=order.title_en,
        enterprise_id=org.public_id,
        enterprise_name_zh=org.name_zh,
        enterprise_name_en=org.name_en,
        assigned_at=start,
        accepted_at=milestone.accepted_at,
        automatically=milestone.accepted_automatically,
        revisions=order.revision_count,
        completes_order=all(
            m.status == Milestone.Status.ACCEPTED or m.pk == milestone.pk for m in every
        ),
        skills=tuple(SkillLabel.of(concept) for concept in skills),
    )


def accepted_milestones(chunk: int = 500) -> Iterator[MilestoneAccepted]:
    """The payload of every accepted milestone of an order with a nomad, oldest order
    first, read in chunks."""
    orders = (
        Order.objects.filter(nomad__isnull=False, milestones__status=Milestone.Status.ACCEPTED)
        .distinct()
        .select_related("organisation", "nomad")
        .prefetch_related("skills__concept", "milestones")
        .order_by("id")
    )
    for start in range(0, orders.count(), chunk):
        page = list(orders[start : start + chunk])
        starts = first_assigned(o.pk for o in page)
        for order in page:
            every = list(order.milestones.all())
            concepts = [s.concept for s in order.skills.all()]
            for milestone in every:
                if milestone.status != Milestone.Status.ACCEPTED:
                    continue
                yield milestone_payload(
                    order,
                    milestone,
                    assigned_at=starts.get(order.pk),
                    skills=concepts,
                    milestones=every,
                )


def payload(
    order: Order,
    *,
    assigned_at: datetime | None,
    rating: int | None,
    skills: Iterable[Concept],
) -> OrderAccepted:
    """The payload of an accepted order (organisation and nomad loaded)."""
    assert order.nomad is not None and order.accepted_at is not None
    org = order.organisation
    return OrderAccepted(
        reference=order.reference,
        order_id=order.public_id,
        nomad_id=order.nomad.pk,
        nomad_public_id=order.nomad.public_id,
        title_zh=order.title_zh,
        title_en=order.title_en,
        enterprise_id=org.public_id,
        enterprise_name_zh=org.name_zh,
        enterprise_name_en=org.name_en,
        assigned_at=assigned_at,
        accepted_at=order.accepted_at,
        automatically=order.accepted_automatically,
        total=order.total,
        revisions=order.revision_count,
        rating_by_enterprise=rating,
        skills=tuple(SkillLabel.of(concept) for concept in skills),
    )


def first_assigned(order_ids: Iterable[int]) -> dict[int, datetime]:
    """When each order was first assigned (one query)."""
    rows = (
        OrderEvent.objects.filter(order_id__in=list(order_ids), to_status=Order.Status.ASSIGNED)
        .values("order_id")
        .annotate(first=Min("at"))
        .values_list("order_id", "first")
    )
    return dict(rows)


def accepted_orders(chunk: int = 500) -> Iterator[OrderAccepted]:
    """The payload of every order whose work was accepted, oldest first, read in chunks."""
    orders = (
        Order.objects.filter(
            accepted_at__isnull=False,
            nomad__isnull=False,
            status__in=(Order.Status.ACCEPTED, Order.Status.SETTLED),
        )
        .select_related("organisation", "nomad")
        .prefetch_related("skills__concept", "ratings")
        .order_by("accepted_at", "id")
    )
    for start in range(0, orders.count(), chunk):
        page = list(orders[start : start + chunk])
        starts = first_assigned(o.pk for o in page)
        for order in page:
            rating = next(
                (r.score for r in order.ratings.all() if r.side == Rating.Side.ENTERPRISE), None
            )
            yield payload(
                order,
                assigned_at=starts.get(order.pk),
                rating=rating,
                skills=[s.concept for s in order.skills.all()],
            )
