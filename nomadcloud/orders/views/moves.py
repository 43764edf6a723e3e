"""The moves on an order (transitions, milestones, settlement, applications, deliverables,
disputes, messages, ratings) and the operators' dispute queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.core import uploads
from nomadcloud.core.errors import DomainError, InvalidInput, NotFound
from nomadcloud.core.money import format_cny
from nomadcloud.core.pages import (
    apply_error,
    confirm_page,
    domain_errors,
    require_confirmation,
)
from nomadcloud.orders import access, queries, services, transitions
from nomadcloud.orders.forms import (
    ApplyForm,
    DeliverableForm,
    MessageForm,
    RatingForm,
    ReasonForm,
    ResolveForm,
    TransitionForm,
)
from nomadcloud.orders.models import (
    Order,
)
from nomadcloud.orders.views.common import S, _back, _principal
from nomadcloud.orders.views.page import CONFIRMED, _detail_page

# --- moves ----------------------------------------------------------------------------------------


@login_required
@require_POST
@domain_errors
def transition(request: HttpRequest, order_id: str) -> HttpResponse:
    principal = _principal(request)
    order = access.order_for(principal, order_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("Choose what to do."))
    target = form.cleaned_data["to"]
    if target in CONFIRMED:  # accepting and settling are confirmed on their own page
        require_confirmation(request)
    before = order.status
    services.transition(
        principal=principal, order=order, to=target, reason=form.cleaned_data["reason"]
    )
    if target == S.IN_PROGRESS and before == S.DELIVERED:
        messages.success(request, _("A revision is requested; the nomad has been told."))
    else:
        messages.success(request, _("The order is now “%(state)s”.") % {"state": S(target).label})
    return _back(order)


@login_required
@domain_errors
def accept_milestone(request: HttpRequest, order_id: str, position: int) -> HttpResponse:
    """GET: what accepting the milestone does (the amount owed, the proof of work, whether
    the order completes); POST with the confirmation: accept it."""
    principal = _principal(request)
    order = access.order_for(principal, order_id)
    if request.method == "POST":
        require_confirmation(request)
        services.accept_milestone(principal=principal, order=order, position=position)
        order = Order.objects.get(pk=order.pk)
        if order.status == S.ACCEPTED:
            messages.success(request, _("The last milestone is accepted: the order is complete."))
        else:
            messages.success(
                request,
                _("Milestone %(n)d is accepted; the nomad goes on with the next one.")
                % {"n": position},
            )
        return _back(order)
    preview = services.preview_acceptance(principal=principal, order=order, position=position)
    milestone = preview.milestone
    amount = format_cny(milestone.amount)
    consequences = [
        _("%(amount)s is owed to %(nomad)s for this milestone.")
        % {"amount": amount, "nomad": order.nomad},
        _("A proof of work carrying %(units)s work units is issued to %(nomad)s.")
        % {"units": milestone.amount, "nomad": order.nomad},
    ]
    if preview.completes_order:
        consequences.append(
            _("It is the last milestone: the order is complete and its total of %(total)s is owed.")
            % {"total": format_cny(order.total)}
        )
    else:
        consequences.append(
            _("The order goes back to work on the next milestone; the others are not accepted.")
        )
    return confirm_page(
        request,
        title=_("Accept milestone %(n)d?") % {"n": milestone.position},
        action=request.path,
        button=_("Accept milestone %(n)d (%(amount)s)")
        % {"n": milestone.position, "amount": amount},
        back=reverse("orders:detail", args=[order.public_id]),
        summary=[
            (_("Order"), str(order)),
            (_("Milestone"), f"{milestone.position}. {milestone.title}"),
            (_("Amount"), amount),
            (_("Nomad"), str(order.nomad)),
            (_("Accepted before"), format_cny(preview.accepted_before)),
            (_("Order total"), format_cny(order.total)),
        ],
        consequences=consequences,
    )


@login_required
@domain_errors
def settle(request: HttpRequest, order_id: str) -> HttpResponse:
    """GET: what the settlement records (the amounts per milestone); POST with the
    confirmation: record it."""
    principal = _principal(request)
    order = access.order_for(principal, order_id)
    if request.method == "POST":
        require_confirmation(request)
        services.settle(principal=principal, order=order)
        messages.success(request, _("The settlement is recorded."))
        return _back(order)
    roles = access.roles_in(principal, order)
    transitions.check(order, S.SETTLED, roles, transitions.Context(now=timezone.now()))
    summary = [(_("Order"), str(order)), (_("Nomad"), str(order.nomad))]
    summary += [(f"{m.position}. {m.title}", format_cny(m.amount)) for m in order.milestones.all()]
    summary.append((_("Owed to the nomad"), format_cny(order.total)))
    return confirm_page(
        request,
        title=_("Record the settlement?"),
        action=request.path,
        button=_("Record the settlement (%(total)s)") % {"total": format_cny(order.total)},
        back=reverse("orders:detail", args=[order.public_id]),
        summary=summary,
        consequences=[
            _(
                "The settlement records that %(total)s is owed to %(nomad)s; payment is made "
                "outside NomadCloud."
            )
            % {"total": format_cny(order.total), "nomad": order.nomad},
            _("The order becomes “Settled” and its terms can no longer change."),
        ],
    )


@login_required
@require_POST
@domain_errors
def apply(request: HttpRequest, order_id: str) -> HttpResponse:
    principal = _principal(request)
    order = access.order_for(principal, order_id)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, principal, order, apply_form=form)
    services.apply_for_order(principal=principal, order=order, note=form.cleaned_data["note"])
    messages.success(request, _("You have applied; the enterprise will decide."))
    return _back(order)


@login_required
@require_POST
@domain_errors
def withdraw_application(request: HttpRequest, order_id: str, application_id: int) -> HttpResponse:
    principal = _principal(request)
    order = access.order_for(principal, order_id)
    application = access.application_for(principal, order, application_id)
    services.withdraw_application(principal=principal, application=application)
    messages.success(request, _("Your application is withdrawn."))
    return _back(order)


@login_required
@require_POST
@domain_errors
def assign(request: HttpRequest, order_id: str, application_id: int) -> HttpResponse:
    principal = _principal(request)
    order = access.order_for(principal, order_id)
    application = access.application_for(principal, order, application_id)
    services.assign(principal=principal, order=order, application=application)
    messages.success(
        request, _("The order is assigned to %(nomad)s.") % {"nomad": application.applicant}
    )
    return _back(order)


@login_required
@require_POST
@domain_errors
def add_deliverable(request: HttpRequest, order_id: str) -> HttpResponse:
    principal = _principal(request)
    order = access.order_for(principal, order_id)
    form = DeliverableForm(request.POST, request.FILES, order=order)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_deliverable(
                principal=principal,
                order=order,
                note=data["note"],
                url=data["url"],
                file=data["file"],
                milestone=data["milestone"],
            )
        except DomainError as exc:
            if exc.status != 422:
                raise
            apply_error(form, exc)
        else:
            messages.success(request, _("Added. Deliver the work when everything is there."))
            return _back(order)
    return _detail_page(request, principal, order, deliverable_form=form)


@login_required
def deliverable(request: HttpRequest, order_id: str, deliverable_id: int) -> HttpResponseBase:
    principal = _principal(request)
    try:
        order = access.order_for(principal, order_id)
        item = access.deliverable_for(principal, order, deliverable_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not item.file:
        return redirect(item.url)
    return uploads.download(item)


@login_required
@require_POST
@domain_errors
def dispute(request: HttpRequest, order_id: str) -> HttpResponse:
    principal = _principal(request)
    order = access.order_for(principal, order_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("Give a reason."))
    services.open_dispute(principal=principal, order=order, reason=form.cleaned_data["reason"])
    messages.success(request, _("The dispute is open; the zone operator will decide."))
    return _back(order)


@login_required
@require_POST
@domain_errors
def resolve(request: HttpRequest, order_id: str) -> HttpResponse:
    principal = _principal(request)
    order = access.order_for(principal, order_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.resolve_dispute(
                principal=principal,
                order=order,
                outcome=data["outcome"],
                reason=data["reason"],
                to_nomad=data["to_nomad"],
                to_enterprise=data["to_enterprise"],
                evidence=data["evidence"],
            )
        except DomainError as exc:
            if exc.status != 422:
                raise
            apply_error(form, exc)
        else:
            messages.success(request, _("The decision is recorded and the settlement follows it."))
            return _back(order)
    return _detail_page(request, principal, order, resolve_form=form)


@login_required
@domain_errors
def disputes(request: HttpRequest) -> HttpResponse:
    access.require_zone_operator(_principal(request))
    return render(
        request,
        "orders/disputes.html",
        {"open": queries.open_disputes(), "decided": queries.decided_disputes()[:50]},
    )


@login_required
@require_POST
@domain_errors
def message(request: HttpRequest, order_id: str) -> HttpResponse:
    principal = _principal(request)
    order = access.order_for(principal, order_id)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, principal, order, message_form=form)
    services.post_message(principal=principal, order=order, body=form.cleaned_data["body"])
    return _back(order)


@login_required
@require_POST
@domain_errors
def rate(request: HttpRequest, order_id: str) -> HttpResponse:
    principal = _principal(request)
    order = access.order_for(principal, order_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("Choose from one to five stars."))
    services.rate(
        principal=principal,
        order=order,
        score=form.cleaned_data["score"],
        comment=form.cleaned_data["comment"],
    )
    messages.success(request, _("Thank you for your rating."))
    return _back(order)
