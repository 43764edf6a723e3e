"""Ratings and the order's message thread."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.orders import access
from nomadcloud.orders.models import (
    Message,
    Order,
    Rating,
    Role,
)
from nomadcloud.orders.services._common import (
    RATABLE,
    THREAD_OPEN,
    S,
    enterprise_people,
    lock,
    tell,
)
from nomadcloud.training import cleaning

# --- ratings and messages -------------------------------------------------------------------------


@transaction.atomic
def rate(*, principal: Principal, order: Order, score: int, comment: str = "") -> Rating:
    """Each side rates the other once, after acceptance."""
    user = require_person(principal)
    require_write(principal)
    order = lock(order)
    roles = access.roles_in(principal, order)
    if Role.NOMAD in roles:
        side = Rating.Side.NOMAD
    elif Role.ENTERPRISE in roles:
        side = Rating.Side.ENTERPRISE
    else:
        raise Forbidden(
            _("Only the enterprise and the assigned nomad rate each other."), code="parties_only"
        )
    if order.status not in RATABLE or order.nomad is None:
        raise Conflict(
            _("Ratings are given after the work is accepted; the order is “%(state)s”.")
            % {"state": S(order.status).label},
            code="not_yet",
        )
    score = cleaning.integer(score, "score", 1, 5)
    comment = cleaning.text(comment, "comment", 2000)
    if Rating.objects.filter(order=order, side=side).exists():
        raise Conflict(_("Your side has already rated this order."), code="already_rated")
    rating = Rating.objects.create(order=order, side=side, rater=user, score=score, comment=comment)
    audit.record(
        actor=user,
        action="orders.rating.create",
        obj=rating,
        organisation=order.organisation,
        after={"side": side, "score": score},
        token=principal.token,
    )
    return rating


@transaction.atomic
def post_message(*, principal: Principal, order: Order, body: str) -> Message:
    user = require_person(principal)
    require_write(principal)
    roles = access.roles_in(principal, order)
    party = [r for r in roles if r in (Role.ENTERPRISE, Role.NOMAD, Role.OPERATOR)]
    if not party:
        raise Forbidden(
            _("Only the enterprise, the assigned nomad and the zone operator write here."),
            code="parties_only",
        )
    if order.status not in THREAD_OPEN:
        raise Conflict(
            _(
                "The thread opens when the order is assigned and closes when it ends; it is "
                "“%(state)s”."
            )
            % {"state": S(order.status).label},
            code="thread_closed",
        )
    body = cleaning.text(body, "body", 5000, required=True)
    message = Message.objects.create(order=order, author=user, author_role=party[0], body=body)
    audit.record(
        actor=user,
        action="orders.message.create",
        obj=message,
        organisation=order.organisation,
        after={"length": len(body)},
        token=principal.token,
    )
    people = [*enterprise_people(order, except_user=user)]
    if order.nomad is not None and order.nomad.pk != user.pk:
        people.append(order.nomad)
    excerpt = body if len(body) <= 120 else body[:119] + "…"
    tell(people, "orders.message", order, author=str(user), excerpt=excerpt)
    return message
