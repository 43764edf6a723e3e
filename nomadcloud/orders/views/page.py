"""The order's page: milestones, applications, deliverables, thread, history, and the moves
the asker may make now."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nomadcloud.accounts.access import is_zone_operator, role_in
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import uploads
from nomadcloud.core.money import format_cny
from nomadcloud.core.pages import (
    domain_errors,
    form_status,
)
from nomadcloud.orders import access, queries, services, transitions
from nomadcloud.orders.forms import (
    ApplyForm,
    DeliverableForm,
    MessageForm,
    RatingForm,
    ReasonForm,
    ResolveForm,
)
from nomadcloud.orders.models import (
    ROLE_LABELS,
    Order,
    OrderApplication,
    Rating,
    Role,
)
from nomadcloud.orders.views.common import S, _principal

# --- the order's page -----------------------------------------------------------------------------

CONFIRMED = (S.ACCEPTED, S.SETTLED)  # big actions: confirmed on their own page first

ACTION_LABELS: dict[str, Any] = {
    S.OPEN: gettext_lazy("Open the order to applications"),
    S.IN_PROGRESS: gettext_lazy("Start work"),
    S.DELIVERED: gettext_lazy("Deliver the work for review"),
    S.ACCEPTED: gettext_lazy("Accept the work"),
    S.SETTLED: gettext_lazy("Record the settlement"),
}


@login_required
@domain_errors
def detail(request: HttpRequest, order_id: str) -> HttpResponse:
    principal = _principal(request)
    order = access.order_for(principal, order_id)
    return _detail_page(request, principal, order)


def _application_rows(
    order: Order, roles: list[Role], targets: list[str]
) -> list[tuple[OrderApplication, list[str]]]:
    """Each application with the moves the asker may make on it (transitions.py's application
    table). Selecting one assigns the order, so it is offered only while the order's own table
    allows the move to ``assigned``."""
    rows = []
    for application in order.applications.select_related("applicant"):
        moves = transitions.application_moves(application.status, roles)
        if S.ASSIGNED not in targets:
            moves = [m for m in moves if m != OrderApplication.Status.SELECTED]
        rows.append((application, moves))
    return rows


def _detail_page(
    request: HttpRequest, principal: Principal, order: Order, **forms: Any
) -> HttpResponse:
    roles = access.roles_in(principal, order)
    party = access.is_party(principal, order)
    member = role_in(principal, order.organisation) is not None
    operator = is_zone_operator(principal)
    targets = transitions.targets_from(order.status, roles)
    user = request.user
    own_application = queries.application_of(order, user) if isinstance(user, User) else None
    simple = [
        (t, str(ACTION_LABELS[t]))
        for t in targets
        if t in ACTION_LABELS
        and t not in CONFIRMED
        and not (t == S.IN_PROGRESS and order.status == S.DELIVERED)
    ]
    confirm_links = []  # big actions: a link to their confirmation page
    delivered = services.delivered_milestone(order) if S.ACCEPTED in targets else None
    if delivered is not None:
        confirm_links.append(
            (
                "accepted",
                _("Accept milestone %(n)d “%(title)s” (%(amount)s)…")
                % {
                    "n": delivered.position,
                    "title": delivered.title,
                    "amount": format_cny(delivered.amount),
                },
                reverse("orders:accept_milestone", args=[order.public_id, delivered.position]),
            )
        )
    if S.SETTLED in targets:
        confirm_links.append(
            (
                "settled",
                _("Record the settlement (%(total)s)…") % {"total": format_cny(order.total)},
                reverse("orders:settle", args=[order.public_id]),
            )
        )
    dispute = order.disputes.filter(decided_at__isnull=True).first()
    own_moves = (
        transitions.application_moves(own_application.status, [Role.APPLICANT])
        if own_application is not None
        else []
    )
    applications = _application_rows(order, roles, targets) if member or operator else None
    context = {
        "order": order,
        "roles": [str(ROLE_LABELS[r]) for r in roles],
        "party": party,
        "member": member,
        "operator": operator,
        "milestones": order.milestones.all(),
        "skills": order.skills.select_related("concept"),
        "applications": applications,
        "own_application": own_application,
        "own_application_moves": own_moves,
        "can_apply": Role.APPLICANT in roles
        and order.status in access.MARKET
        and (own_application is None or OrderApplication.Status.PENDING in own_moves),
        "can_edit": Role.ENTERPRISE in roles and order.status in services.EDITABLE,
        "can_record_conversion": Role.ENTERPRISE in roles
        and order.nomad is not None
        and order.status in services.RATABLE,
        "simple_actions": simple,
        "confirm_links": confirm_links,
        "can_revise": order.status == S.DELIVERED and S.IN_PROGRESS in targets,
        "can_cancel": S.CANCELLED in targets,
        "can_dispute": S.DISPUTED in targets,
        "can_resolve": S.RESOLVED in targets and dispute is not None,
        "can_deliver_work": Role.NOMAD in roles and order.status == S.IN_PROGRESS,
        "can_message": party
        and order.status in services.THREAD_OPEN
        and any(r in roles for r in (Role.ENTERPRISE, Role.NOMAD, Role.OPERATOR)),
        "can_rate": order.status in services.RATABLE
        and (
            (Role.NOMAD in roles and not order.ratings.filter(side=Rating.Side.NOMAD).exists())
            or (
                Role.ENTERPRISE in roles
                and not order.ratings.filter(side=Rating.Side.ENTERPRISE).exists()
            )
        ),
        "deliverables": order.deliverables.select_related("milestone") if party else None,
        "thread": order.messages.select_related("author") if party else None,
        "history": order.events.select_related("actor") if party else None,
        "disputes": order.disputes.select_related("opened_by", "decided_by") if party else None,
        "open_dispute": dispute,
        "settlement": getattr(order, "settlement", None) if party else None,
        "ratings": order.ratings.all() if party else None,
        "review_days": transitions.review_window().days,
        # Delivered work the platform itself accepts once the review window passes.
        "accepts_automatically": order.delivered_at is not None
        and S.ACCEPTED in transitions.targets_from(order.status, [Role.SYSTEM]),
        "apply_form": forms.get("apply_form") or ApplyForm(),
        "deliverable_form": forms.get("deliverable_form") or DeliverableForm(order=order),
        "reason_form": ReasonForm(),
        "resolve_form": forms.get("resolve_form") or ResolveForm(),
        "message_form": forms.get("message_form") or MessageForm(),
        "rating_form": RatingForm(),
        "accepted_types": uploads.allowed_extensions(),
    }
    return render(request, "orders/detail.html", context, status=form_status(*forms.values()))
