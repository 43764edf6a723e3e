"""Conversions with their documents, the operators' report and the CSV export."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts.access import is_zone_operator, require_person, role_in
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import uploads
from nomadcloud.core.errors import DomainError, InvalidInput, NotFound
from nomadcloud.core.pages import (
    apply_error,
    domain_errors,
    form_status,
)
from nomadcloud.orders import access, conversions, queries
from nomadcloud.orders.access import Action
from nomadcloud.orders.forms import (
    ConversionForm,
    DocumentForm,
    ReportForm,
)
from nomadcloud.orders.models import (
    Conversion,
    ConversionDocument,
    Order,
)
from nomadcloud.orders.views.common import PAGE_SIZE, _principal
from nomadcloud.training.models import Enrolment

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
