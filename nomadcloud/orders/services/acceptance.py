"""Acceptance, milestone by milestone, by the enterprise or automatically after the review
window, and a nomad's record of accepted orders. ``_accept`` is the one place a milestone is
accepted (``events.milestone_accepted``) and an order becomes accepted with its last
milestone (``events.order_accepted``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, NotFound
from nomadcloud.orders import access, events, transitions
from nomadcloud.orders.models import Milestone, Order, Rating, Role
from nomadcloud.orders.services._common import S, context, enterprise_people, lock, move, tell
from nomadcloud.talent.services import record_verified_work


def _milestone_accepted(order: Order, milestone: Milestone, *, completes: bool) -> None:
    """What follows the acceptance of one milestone (``move`` has recorded the order's
    move): skill evidence (once per order), notices, ``milestone_accepted`` (proofs of work
    issue the nomad's credential for the milestone's amount) and, when it was the last,
    ``order_accepted``."""
    assert order.nomad is not None and milestone.accepted_at is not None
    skills = [(s.concept, s.level) for s in order.skills.select_related("concept")]
    if skills:
        record_verified_work(
            user=order.nomad,
            skills=skills,
            source="order",
            reference=order.reference,
            occurred_at=milestone.accepted_at,
        )
    params = {"milestone": milestone.title, "amount": milestone.amount}
    if milestone.accepted_automatically:
        people = [order.nomad, *enterprise_people(order)]
        days = transitions.review_window().days
        if completes:
            tell(people, "orders.auto_accepted", order, days=days)
        else:
            tell(people, "orders.milestone_auto_accepted", order, days=days, **params)
    elif completes:
        tell([order.nomad], "orders.accepted", order)
    else:
        tell([order.nomad], "orders.milestone_accepted", order, **params)
    assigned_at = events.first_assigned([order.pk]).get(order.pk)
    concepts = [concept for concept, _level in skills]
    events.milestone_accepted.send(
        events.milestone_payload(order, milestone, assigned_at=assigned_at, skills=concepts)
    )
    if completes:
        rating = (
            order.ratings.filter(side=Rating.Side.ENTERPRISE)
            .values_list("score", flat=True)
            .first()
        )
        events.order_accepted.send(
            events.payload(order, assigned_at=assigned_at, rating=rating, skills=concepts)
        )


def _refuse_unless_delivered(principal: Principal, order: Order, milestone: Milestone) -> None:
    """Only a delivered milestone is accepted: asked by someone who may accept, a milestone
    that is not delivered is refused with ``milestone_not_delivered``; anyone else is
    refused by the table for their role."""
    roles = access.roles_in(principal, order)
    ready = milestone.status == Milestone.Status.DELIVERED and order.status == S.DELIVERED
    if Role.ENTERPRISE not in roles or (
        milestone.status == Milestone.Status.DELIVERED and not ready
    ):
        transitions.check(order, S.ACCEPTED, roles, context(order, accepting=True))
    if ready:
        return
    raise Conflict(
        _(
            "Milestone %(n)d “%(title)s” cannot be accepted: it is “%(state)s”. "
            "Only a delivered milestone is accepted."
        )
        % {
            "n": milestone.position,
            "title": milestone.title,
            "state": Milestone.Status(milestone.status).label,
        },
        code="milestone_not_delivered",
    )


def _accept(
    principal: Principal,
    order: Order,
    milestone: Milestone,
    *,
    now: datetime,
    system: bool = False,
) -> Order:
    """Accept ``milestone`` (delivered) of the locked ``order``: the order goes back to
    work while other milestones are left, and becomes accepted with the last."""
    left = order.milestones.exclude(pk=milestone.pk).exclude(status=Milestone.Status.ACCEPTED)
    others = left.count()
    target = S.IN_PROGRESS if others else S.ACCEPTED
    ctx = context(order, now=now, accepting=True, milestones_left=others)
    also: tuple[str, ...] = ()
    if target == S.ACCEPTED:
        order.accepted_automatically = system
        also = ("accepted_automatically",)
    move(principal, order, target, ctx, system=system, also=also)
    if target == S.IN_PROGRESS:  # the next milestone's review window starts on its delivery
        order.delivered_at = None
        order.save(update_fields=["delivered_at"])
    milestone.status = Milestone.Status.ACCEPTED
    milestone.accepted_at = now
    milestone.accepted_automatically = system
    milestone.save(update_fields=["status", "accepted_at", "accepted_automatically"])
    audit.record(
        actor=None if system else principal.user,
        action="orders.milestone.accept",
        obj=order,
        organisation=order.organisation,
        before={"milestone": milestone.position, "status": Milestone.Status.DELIVERED},
        after={
            "milestone": milestone.position,
            "status": Milestone.Status.ACCEPTED,
            "amount": str(milestone.amount),
            "automatically": system,
        },
        token=None if system else principal.token,
    )
    _milestone_accepted(order, milestone, completes=target == S.ACCEPTED)
    return order


def delivered_milestone(order: Order) -> Milestone | None:
    """The milestone that awaits review, if any."""
    return order.milestones.filter(status=Milestone.Status.DELIVERED).first()


@dataclass(frozen=True)
class AcceptancePreview:
    """What accepting a milestone will do (the confirmation page states it)."""

    milestone: Milestone
    completes_order: bool
    accepted_before: Decimal  # the amounts of milestones accepted earlier


def preview_acceptance(*, principal: Principal, order: Order, position: int) -> AcceptancePreview:
    """Check, without changing anything, that the asker may accept the milestone at
    ``position`` now (the same refusals as ``accept_milestone``)."""
    milestone = order.milestones.filter(position=position).first()
    if milestone is None:
        raise NotFound(_("There is no milestone %(n)d.") % {"n": position}, code="not_found")
    _refuse_unless_delivered(principal, order, milestone)
    others = list(order.milestones.exclude(pk=milestone.pk))
    return AcceptancePreview(
        milestone=milestone,
        completes_order=all(m.status == Milestone.Status.ACCEPTED for m in others),
        accepted_before=sum(
            (m.amount for m in others if m.status == Milestone.Status.ACCEPTED), Decimal(0)
        ),
    )


@transaction.atomic
def accept_milestone(*, principal: Principal, order: Order, position: int) -> Order:
    """Accept the delivered milestone at ``position`` (its amount is owed to the nomad and a
    proof of work is issued for it); accepting the last milestone completes the order. A
    milestone that is not delivered: 409 ``milestone_not_delivered``, nothing changed."""
    order = lock(order)
    milestone = order.milestones.filter(position=position).first()
    if milestone is None:
        raise NotFound(_("There is no milestone %(n)d.") % {"n": position}, code="not_found")
    _refuse_unless_delivered(principal, order, milestone)
    return _accept(principal, order, milestone, now=timezone.now())


@transaction.atomic
def accept_delivery(*, principal: Principal, order: Order) -> Order:
    """Accept the milestone that awaits review (``POST …/transitions {"to": "accepted"}``);
    the order is accepted when it was the last one."""
    order = lock(order)
    if order.status != S.DELIVERED:  # the table says why nothing can be accepted now
        roles = access.roles_in(principal, order)
        transitions.check(order, S.ACCEPTED, roles, context(order, accepting=True))
    milestone = delivered_milestone(order)
    if milestone is None:
        milestone = order.milestones.exclude(status=Milestone.Status.ACCEPTED).first()
    if milestone is None:
        raise Conflict(_("There is nothing to accept."), code="milestone_not_delivered")
    _refuse_unless_delivered(principal, order, milestone)
    return _accept(principal, order, milestone, now=timezone.now())


def auto_accept_due(*, now: datetime | None = None) -> list[Order]:
    """Accept every delivered milestone whose review window has passed (run by the
    ``accept_overdue_orders`` command or task); the order completes with its last. Each
    order in its own transaction; an order someone else moved meanwhile is skipped."""
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
            milestone = delivered_milestone(order)
            if order.status != S.DELIVERED or milestone is None:
                continue
            _accept(Principal(user=None), order, milestone, now=moment, system=True)
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
