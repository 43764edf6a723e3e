"""What the order use cases share: the statuses they test, who is told, and ``move``,
the one way an order changes state (the transition table asks, an ``OrderEvent`` and an
audit event record)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation

from nomadcloud.accounts.access import require_write
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.i18n import localized
from nomadcloud.core.money import format_cny
from nomadcloud.notifications.services import notify
from nomadcloud.orders import access, transitions
from nomadcloud.orders.models import (
    Milestone,
    Order,
    OrderApplication,
    OrderEvent,
    Role,
)
from nomadcloud.orders.transitions import Context
from nomadcloud.training import cleaning

S = Order.Status
MAX_DELIVERABLES = 50
REMINDER_DAYS_BEFORE = 2
DISPUTE_RULES_VERSION = "orders-disputes-2026.1"
EDITABLE = (S.DRAFT, S.OPEN)
RATABLE = (S.ACCEPTED, S.SETTLED, S.RESOLVED)
THREAD_OPEN = (S.ASSIGNED, S.IN_PROGRESS, S.DELIVERED, S.ACCEPTED, S.SETTLED, S.DISPUTED)
SCALAR_FIELDS = ("title_zh", "title_en", "description_zh", "description_en")
LIST_FIELDS = ("skills", "milestones")


# --- people to tell -------------------------------------------------------------------------------


def enterprise_people(order: Order, *, except_user: User | None = None) -> list[User]:
    people = [
        m.user
        for m in Membership.objects.filter(
            organisation=order.organisation, role__in=access.EDITORS, user__is_active=True
        ).select_related("user")
    ]
    return [p for p in people if except_user is None or p.pk != except_user.pk]


def operators() -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation__kind=Organisation.Kind.OPERATOR, user__is_active=True
        ).select_related("user")
    ]


def tell(people: list[User], kind: str, order: Order, **params: Any) -> None:
    """Notify each person, with the order's title and the enterprise's name in their own
    language; amounts are formatted, texts passed through."""
    url = f"/orders/{order.public_id}/"
    seen: set[int] = set()
    for person in people:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        language = person.preferred_language
        with translation.override(language):
            values = {
                "order": localized(order, "title", language),
                "organisation": localized(order.organisation, "name", language),
                **{
                    k: format_cny(v) if isinstance(v, Decimal) else str(v)
                    for k, v in params.items()
                },
            }
        notify(person, kind, params=values, url=url)


# --- the one way state changes --------------------------------------------------------------------


def context(
    order: Order,
    *,
    reason: str = "",
    now: datetime | None = None,
    milestone: Milestone | None = None,
    milestones_left: int = 0,
    **extra: bool,
) -> Context:
    """What the table's guards look at. ``milestone``: the one being delivered (its own
    deliverables of this round, or deliverables for no milestone, count)."""
    deliverables = order.deliverables.filter(round=order.revision_count)
    if milestone is not None:
        deliverables = deliverables.filter(Q(milestone=milestone) | Q(milestone__isnull=True))
    return Context(
        now=now or timezone.now(),
        reason=reason,
        milestones_left=milestones_left,
        has_milestones=order.milestones.exists(),
        has_deliverable_this_round=deliverables.exists(),
        has_pending_applications=order.applications.filter(
            status=OrderApplication.Status.PENDING
        ).exists(),
        **extra,
    )


def lock(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("organisation", "nomad")
        .get(pk=order.pk)
    )


def move(
    principal: Principal,
    order: Order,
    target: str,
    ctx: Context,
    *,
    system: bool = False,
    also: tuple[str, ...] = (),
) -> transitions.Transition:
    """Check the move against the table and record it (with the fields in ``also``, set by
    the caller beforehand). Call with the order locked."""
    roles = [Role.SYSTEM] if system else access.roles_in(principal, order)
    if not system:
        require_write(principal)
    row = transitions.check(order, target, roles, ctx)
    reason = cleaning.text(ctx.reason, "reason", 5000)
    before = order.status
    order.status = target
    now = ctx.now
    stamps: dict[str, str] = {
        S.OPEN: "published_at",
        S.DELIVERED: "delivered_at",
        S.ACCEPTED: "accepted_at",
        S.SETTLED: "settled_at",
        S.CANCELLED: "closed_at",
        S.RESOLVED: "closed_at",
    }
    update = ["status", "updated_at", *also]
    if target in stamps and (target != S.OPEN or order.published_at is None):
        setattr(order, stamps[target], now)
        update.append(stamps[target])
    order.save(update_fields=update)
    OrderEvent.objects.create(
        order=order,
        from_status=before,
        to_status=target,
        role=row.role,
        actor=None if system else principal.user,
        api_token=None if system else principal.token,
        reason=reason,
    )
    audit.record(
        actor=None if system else principal.user,
        action="orders.order.transition",
        obj=order,
        organisation=order.organisation,
        before={"status": before},
        after={"status": target, "role": str(row.role), **({"reason": reason} if reason else {})},
        token=None if system else principal.token,
    )
    return row
