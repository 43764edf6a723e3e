"""The market: open an order, apply for it, withdraw an application, assign a nomad."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, NotFound, invalid_field
from nomadcloud.orders import access
from nomadcloud.orders.models import (
    Order,
    OrderApplication,
    Role,
)
from nomadcloud.orders.services._common import S, context, enterprise_people, lock, move, tell
from nomadcloud.orders.transitions import application_moves
from nomadcloud.training import cleaning

# --- the market: open, apply, withdraw, assign ----------------------------------------------------


@transaction.atomic
def publish_order(*, principal: Principal, order: Order) -> Order:
    order = lock(order)
    if order.status == S.DRAFT:
        for milestone in order.milestones.all():
            if milestone.due_on < timezone.localdate():
                raise invalid_field(
                    "milestones",
                    _("The milestone %(title)s is due in the past; change its date.")
                    % {"title": milestone.title},
                )
    move(principal, order, S.OPEN, context(order))
    return order


@transaction.atomic
def apply_for_order(*, principal: Principal, order: Order, note: str = "") -> OrderApplication:
    user = require_person(principal)
    require_write(principal)
    order = lock(order)
    note = cleaning.text(note, "note", 5000)
    if order.status not in access.MARKET:
        raise Conflict(
            _("An order that is “%(state)s” takes no applications.")
            % {"state": S(order.status).label},
            code="not_open",
        )
    if Role.APPLICANT not in access.roles_in(principal, order):
        raise Forbidden(
            _("Members of %(organisation)s cannot apply for its own orders.")
            % {"organisation": order.organisation},
            code="own_organisation",
        )
    existing = OrderApplication.objects.filter(order=order, applicant=user).first()
    again = OrderApplication.Status.PENDING
    if existing is not None and again not in application_moves(existing.status, [Role.APPLICANT]):
        raise Conflict(_("You have already applied for this order."), code="already_applied")
    if order.status == S.OPEN:
        move(principal, order, S.APPLIED, context(order, application_pending=True))
    if existing is not None:
        application = existing
        application.status = OrderApplication.Status.PENDING
        application.note = note
        application.decided_at = None
        application.save(update_fields=["status", "note", "decided_at"])
    else:
        application = OrderApplication.objects.create(order=order, applicant=user, note=note)
    audit.record(
        actor=user,
        action="orders.application.create",
        obj=application,
        organisation=order.organisation,
        after={"order": str(order.public_id)},
        token=principal.token,
    )
    tell(enterprise_people(order), "orders.applied", order, nomad=str(user))
    return application


@transaction.atomic
def withdraw_application(
    *, principal: Principal, application: OrderApplication
) -> OrderApplication:
    user = require_person(principal)
    require_write(principal)
    order = lock(application.order)
    application = OrderApplication.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != user.pk:
        raise Forbidden(_("Only the applicant can withdraw an application."), code="applicant_only")
    if OrderApplication.Status.WITHDRAWN not in application_moves(
        application.status, [Role.APPLICANT]
    ):
        raise Conflict(
            _("An application that is “%(state)s” cannot be withdrawn.")
            % {"state": OrderApplication.Status(application.status).label},
            code="not_pending",
        )
    application.status = OrderApplication.Status.WITHDRAWN
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at"])
    if (
        order.status == S.APPLIED
        and not order.applications.filter(status=OrderApplication.Status.PENDING).exists()
    ):
        move(principal, order, S.OPEN, context(order, reason=_("All applications withdrawn.")))
    audit.record(
        actor=user,
        action="orders.application.withdraw",
        obj=application,
        organisation=order.organisation,
        token=principal.token,
    )
    return application


@transaction.atomic
def assign(*, principal: Principal, order: Order, application: OrderApplication) -> Order:
    """Choose one application: the order is assigned to that nomad; the other applications
    are declined."""
    order = lock(order)
    application = (
        OrderApplication.objects.select_for_update(of=("self",))
        .select_related("applicant")
        .get(pk=application.pk)
    )
    if application.order_id != order.pk:
        raise NotFound(_("No such application."))
    pending = OrderApplication.Status.SELECTED in application_moves(
        application.status, [Role.ENTERPRISE]
    )
    ctx = context(order, application_pending=pending)
    if pending:
        order.nomad = application.applicant  # saved only when the table allows the move
    move(principal, order, S.ASSIGNED, ctx, also=("nomad",))
    now = timezone.now()
    application.status = OrderApplication.Status.SELECTED
    application.decided_at = now
    application.save(update_fields=["status", "decided_at"])
    declined = list(
        order.applications.filter(status=OrderApplication.Status.PENDING).select_related(
            "applicant"
        )
    )
    order.applications.filter(status=OrderApplication.Status.PENDING).update(
        status=OrderApplication.Status.DECLINED, decided_at=now
    )
    audit.record(
        actor=principal.user,
        action="orders.order.assign",
        obj=order,
        organisation=order.organisation,
        after={"nomad": str(application.applicant.public_id), "declined": len(declined)},
        token=principal.token,
    )
    tell([application.applicant], "orders.assigned", order)
    tell([a.applicant for a in declined], "orders.declined", order)
    return order
