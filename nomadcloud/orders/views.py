"""Pages for remote orders and conversions: the market and my orders, the enterprise's
orders and the order form, each order's page (milestones, applications, deliverables, the
thread, history, dispute, settlement, ratings) with the moves the asker may make, the
operators' dispute queue, conversions with their documents, the operators' report and CSV
export. Views fetch objects through the access chokepoints, parse input with a form and call
one service."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from nomadcloud.accounts.access import is_zone_operator, require_person, role_in
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import uploads
from nomadcloud.core.errors import DomainError, InvalidInput, NotFound
from nomadcloud.core.inputs import errors_by_field
from nomadcloud.core.money import format_cny
from nomadcloud.core.pages import (
    apply_error,
    confirm_page,
    domain_errors,
    form_status,
    require_confirmation,
)
from nomadcloud.demands.access import Action as DemandAction
from nomadcloud.demands.access import demand_for
from nomadcloud.orders import access, conversions, queries, services, transitions
from nomadcloud.orders.access import Action
from nomadcloud.orders.forms import (
    ADD_ROW,
    ApplyForm,
    ConversionForm,
    DeliverableForm,
    DocumentForm,
    MessageForm,
    OrderForm,
    RatingForm,
    ReasonForm,
    ReportForm,
    ResolveForm,
    TransitionForm,
    initial_rows,
    milestone_rows,
)
from nomadcloud.orders.models import (
    ROLE_LABELS,
    Conversion,
    ConversionDocument,
    Order,
    OrderApplication,
    Rating,
    Role,
)
from nomadcloud.orders.schemas import OrderChanges, OrderDraft
from nomadcloud.training.models import Enrolment

PAGE_SIZE = 20
S = Order.Status


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


def _back(order: Order) -> HttpResponse:
    return redirect("orders:detail", order.public_id)


# --- lists ----------------------------------------------------------------------------------------


@login_required
@domain_errors
def order_list(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    user = require_person(principal)
    page = Paginator(queries.market(), PAGE_SIZE).get_page(request.GET.get("page"))
    organisations = queries.enterprises_of(user)
    return render(
        request,
        "orders/list.html",
        {
            "page": page,
            "taken": queries.orders_taken_by(user)[:50],
            "applications": queries.applications_of(user)[:50],
            "organisations": organisations,
            "operator": is_zone_operator(principal),
        },
    )


@login_required
@domain_errors
def organisation_orders(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    organisation = access.enterprise_for(principal, org_id, Action.VIEW)
    page = Paginator(queries.orders_of(organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/organisation.html",
        {
            "org": organisation,
            "page": page,
            "can_edit": principal.can_write and role_in(principal, organisation) in access.EDITORS,
        },
    )


# --- the order form -------------------------------------------------------------------------------


def _order_form_page(
    request: HttpRequest,
    *,
    organisation: Organisation,
    order: Order | None,
    demand: Any,
    fields: dict[str, Any],
    save: Any,
) -> HttpResponse:
    """The order form: the terms and the milestones as rows (a formset; "add a row" is a
    submit button, so it works without JavaScript). ``save(draft)`` writes and answers."""
    posted = request.method == "POST"
    add_row = posted and ADD_ROW in request.POST
    form = OrderForm(request.POST if posted else None, initial=OrderForm.initial_for(fields))
    rows = milestone_rows(
        request.POST if posted else None, initial=initial_rows(fields), add_row=add_row
    )
    if posted and not add_row and form.is_valid() & rows.is_valid():
        draft = None
        try:
            draft = OrderDraft.model_validate({**form.cleaned_data, "milestones": rows.rows()})
        except ValidationError as exc:  # on the row and field it concerns, else on the form
            for name, problems in errors_by_field(exc).items():
                for problem in problems:
                    if not rows.show_error(name, problem):
                        target = name.split(".")[0]
                        form.add_error(target if target in form.fields else None, problem)
        if draft is not None:
            try:
                return save(form, draft)  # type: ignore[no-any-return]
            except DomainError as exc:
                apply_error(form, exc)
    refused = posted and not add_row and (bool(form.errors) or not rows.is_valid())
    status = 422 if refused or any(f.errors for f in rows.forms if rows.is_bound) else 200
    return render(
        request,
        "orders/form.html",
        {
            "form": form,
            "rows": rows,
            "add_row": ADD_ROW,
            "org": organisation,
            "order": order,
            "demand": demand,
        },
        status=status,
    )


@login_required
@domain_errors
def create(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    organisation = access.enterprise_for(principal, org_id, Action.EDIT)
    demand_id = request.GET.get("demand") or request.POST.get("demand") or ""
    demand = demand_for(principal, demand_id, DemandAction.EDIT) if demand_id else None

    def save(form: OrderForm, draft: OrderDraft) -> HttpResponse:
        order = services.create_order(
            principal=principal, organisation=organisation, demand=demand, draft=draft
        )
        messages.success(request, _("The order is saved as a draft."))
        return _back(order)

    return _order_form_page(
        request,
        organisation=organisation,
        order=None,
        demand=demand,
        fields=services.fields_from_demand(demand) if demand else {},
        save=save,
    )


@login_required
@domain_errors
def edit(request: HttpRequest, order_id: str) -> HttpResponse:
    principal = _principal(request)
    order = access.order_for(principal, order_id, Action.EDIT)

    def save(form: OrderForm, draft: OrderDraft) -> HttpResponse:
        # the form shows all the terms: each of them, and the milestones, are the changes
        changes = OrderChanges.of(draft, [*form.fields, "milestones"])
        services.update_order(principal=principal, order=order, changes=changes)
        messages.success(request, _("Saved."))
        return _back(order)

    return _order_form_page(
        request,
        organisation=order.organisation,
        order=order,
        demand=None,
        fields=services.current_fields(order),
        save=save,
    )


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


# --- conversions ----------------------------------------------------------------------------------


@login_required
@domain_errors
def conversion_list(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    user = require_person(principal)
    rows = conversions.conversions_visible_to(principal).order_by("-occurred_on", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    organisations = queries.enterprises_of(user, roles=access.EDITORS)
    return render(
        request,
        "orders/conversions.html",
        {"page": page, "organisations": organisations, "operator": is_zone_operator(principal)},
    )


def _conversion_enterprise(principal: Principal, org_id: str) -> Organisation:
    """The enterprise a conversion is recorded for: its editors, or the zone operator."""
    if is_zone_operator(principal):
        return access.enterprise_for(principal, org_id, Action.VIEW)
    return access.enterprise_for(principal, org_id, Action.EDIT)


@login_required
@domain_errors
def conversion_create(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    organisation = _conversion_enterprise(principal, org_id)
    nomads = list(conversions.nomad_candidates(organisation))
    orders = Order.objects.filter(organisation=organisation, nomad__isnull=False).order_by("-id")
    enrolments = Enrolment.objects.filter(
        scenario__organisation=organisation, status__in=Enrolment.ACTIVE
    ).select_related("scenario", "nomad")
    form = ConversionForm(
        request.POST or None,
        request.FILES or None,
        nomads=[(str(u.public_id), str(u)) for u in nomads],
        orders=[(str(o.public_id), f"{o} · {o.nomad}") for o in orders[:200]],
        enrolments=[(str(e.public_id), f"{e.scenario} · {e.nomad}") for e in enrolments[:200]],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        nomad = next(u for u in nomads if str(u.public_id) == data["nomad"])
        order = orders.filter(public_id=data["order"]).first() if data["order"] else None
        enrolment = (
            enrolments.filter(public_id=data["enrolment"]).first() if data["enrolment"] else None
        )
        try:
            conversion = conversions.record_conversion(
                principal=principal,
                organisation=organisation,
                nomad=nomad,
                kind=data["kind"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                business_name=data["business_name"],
                credit_code=data["credit_code"],
                registered_on=data["registered_on"],
                order=order,
                enrolment=enrolment,
                note=data["note"],
                documents=data["documents"],
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The conversion is recorded."))
            return redirect("orders:conversion_detail", conversion.public_id)
    initial_order = request.GET.get("order", "")
    if initial_order and not form.is_bound:
        chosen = orders.filter(public_id=initial_order).first() if _is_uuid(initial_order) else None
        if chosen is not None and chosen.nomad is not None:
            form.initial = {"order": str(chosen.public_id), "nomad": str(chosen.nomad.public_id)}
    return render(
        request,
        "orders/conversion_form.html",
        {"form": form, "org": organisation, "has_candidates": bool(nomads)},
        status=form_status(form),
    )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@login_required
@domain_errors
def conversion_detail(request: HttpRequest, conversion_id: str) -> HttpResponse:
    principal = _principal(request)
    conversion = access.conversion_for(principal, conversion_id)
    can_edit = is_zone_operator(principal) or (
        principal.can_write and role_in(principal, conversion.organisation) in access.EDITORS
    )
    return render(
        request,
        "orders/conversion.html",
        {
            "conversion": conversion,
            "documents": conversion.documents.all(),
            "can_edit": can_edit,
            "document_form": DocumentForm(),
        },
    )


@login_required
@require_POST
@domain_errors
def conversion_add_document(request: HttpRequest, conversion_id: str) -> HttpResponse:
    principal = _principal(request)
    conversion = access.conversion_for(principal, conversion_id, Action.EDIT)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        raise InvalidInput(_("Choose a file."))
    conversions.add_document(
        principal=principal, conversion=conversion, file=form.cleaned_data["file"]
    )
    messages.success(request, _("Document added."))
    return redirect("orders:conversion_detail", conversion.public_id)


@login_required
def conversion_document(
    request: HttpRequest, conversion_id: str, document_id: int
) -> HttpResponseBase:
    try:
        conversion = access.conversion_for(_principal(request), conversion_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    row = ConversionDocument.objects.filter(pk=document_id, conversion=conversion).first()
    if row is None:
        raise Http404(_("No such document."))
    return uploads.download(row)


@login_required
@domain_errors
def conversion_report(request: HttpRequest) -> HttpResponse:
    access.require_zone_operator(_principal(request))
    form = ReportForm(request.GET or None)
    period, year = form.values(default_year=timezone.localdate().year)
    rows = conversions.report(period=period, year=year)
    totals = {
        "contracts": sum(r.contracts for r in rows),
        "contracts_one_year_or_more": sum(r.contracts_one_year_or_more for r in rows),
        "flexible": sum(r.flexible for r in rows),
        "businesses": sum(r.businesses for r in rows),
        "total": sum(r.total for r in rows),
    }
    return render(
        request,
        "orders/conversion_report.html",
        {"form": form, "rows": rows, "totals": totals, "period": period, "year": year},
    )


@login_required
@domain_errors
def conversion_export(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    access.require_zone_operator(principal)
    rows = Conversion.objects.select_related(
        "organisation", "nomad", "order", "enrolment"
    ).prefetch_related("documents")
    form = ReportForm(request.GET or None)
    _period, year = form.values(default_year=None)
    if year is not None:
        rows = rows.filter(occurred_on__year=year)
    response = HttpResponse(
        conversions.csv_text(rows.order_by("occurred_on", "id")),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="nomadcloud-conversions.csv"'
    return response
