"""``transition``: the moves that need nothing but a reason, sent to their use case by
target."""

from __future__ import annotations

from django.db import transaction

from nomadcloud.accounts.principal import Principal
from nomadcloud.orders.models import (
    Order,
)
from nomadcloud.orders.services._common import S, context, lock, move
from nomadcloud.orders.services.acceptance import accept_delivery
from nomadcloud.orders.services.delivery import deliver, request_revision, start_work
from nomadcloud.orders.services.market import publish_order
from nomadcloud.orders.services.money import cancel, open_dispute, settle


def transition(
    *, principal: Principal, order: Order, to: str, reason: str = "", milestone: int | None = None
) -> Order:
    """The moves that need nothing but a reason, by target: open, in_progress (start work,
    or a revision when delivered), delivered (one milestone: ``milestone``, else the first
    not accepted), accepted (the delivered milestone; the order with the last), settled,
    cancelled, disputed. Others (applied, assigned, resolved) have their own services; asked
    for here, the table refuses them with its reason."""
    current = Order.objects.get(pk=order.pk).status
    if to == S.OPEN and current == S.DRAFT:
        return publish_order(principal=principal, order=order)
    if to == S.IN_PROGRESS and current == S.DELIVERED:
        return request_revision(principal=principal, order=order, reason=reason)
    if to == S.IN_PROGRESS:
        return start_work(principal=principal, order=order)
    if to == S.DELIVERED:
        return deliver(principal=principal, order=order, note=reason, milestone=milestone)
    if to == S.ACCEPTED:
        return accept_delivery(principal=principal, order=order)
    if to == S.SETTLED:
        settle(principal=principal, order=order)
        return Order.objects.get(pk=order.pk)
    if to == S.CANCELLED:
        return cancel(principal=principal, order=order, reason=reason)
    if to == S.DISPUTED:
        open_dispute(principal=principal, order=order, reason=reason)
        return Order.objects.get(pk=order.pk)
    with transaction.atomic():
        locked = lock(order)
        move(principal, locked, to, context(locked, reason=reason))  # refuses, by the table
    return locked  # pragma: no cover  (every other target fails a guard)
