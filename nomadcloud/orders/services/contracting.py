"""An order made for one nomad: from an application to a demand that the enterprise
shortlisted, or from an invitation the nomad accepted. The order is prefilled from the demand
by the caller, keeps links to the demand and to the application or invitation, and goes from
draft straight to assigned (a row of the transition table). One order per application or
invitation: a second is refused with ``already_converted`` before anything is written."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.demands import applications
from nomadcloud.demands.models import Demand, DemandApplication
from nomadcloud.orders.models import Order
from nomadcloud.orders.schemas import OrderDraft
from nomadcloud.orders.services._common import S, context, lock, move, tell
from nomadcloud.orders.services.creation import create_order


def _already_converted(order: Order) -> Conflict:
    return Conflict(
        _("An order was already made from this: %(order)s.") % {"order": str(order)},
        code="already_converted",
    )


def _made_from(application: DemandApplication | None, invitation: Model | None) -> Order | None:
    if application is not None:
        return Order.objects.filter(application=application).first()
    assert invitation is not None
    return Order.objects.filter(invitation__pk=invitation.pk).first()


def contract_nomad(
    *,
    principal: Principal,
    demand: Demand,
    nomad: User,
    draft: OrderDraft,
    application: DemandApplication | None = None,
    invitation: Model | None = None,
) -> Order:
    """Access (an editor of the demand's enterprise) is checked by the caller. ``invitation``
    is a ``matching.Invitation`` (matching is beside orders in the layers, so it is typed as a
    model here; the foreign key names it)."""
    if (application is None) == (invitation is None):
        raise ValueError("name exactly one of application and invitation")
    existing = _made_from(application, invitation)
    if existing is not None:
        raise _already_converted(existing)
    if application is not None and application.status != DemandApplication.Status.SHORTLISTED:
        raise Conflict(
            _("Shortlist the application before turning it into an order."),
            code="not_shortlisted",
        )
    if nomad.pk is None or not nomad.is_active:
        raise invalid_field("nomad", _("This nomad can no longer take orders."))
    try:
        with transaction.atomic():
            order = create_order(
                principal=principal, organisation=demand.organisation, draft=draft, demand=demand
            )
            order.application = application
            order.invitation_id = invitation.pk if invitation is not None else None
            order.nomad = nomad
            order.save(update_fields=["application", "invitation", "nomad"])
            order = lock(order)
            move(principal, order, S.ASSIGNED, context(order), also=("nomad",))
            if application is not None:
                applications.mark_ordered(principal=principal, application=application)
            tell([nomad], "orders.assigned", order)
    except IntegrityError:  # a twin request made the order first
        again = _made_from(application, invitation)
        if again is None:
            raise
        raise _already_converted(again) from None
    return order
