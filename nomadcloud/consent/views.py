"""The person's consents page: every consent they gave, for which purpose, to whom, under
which notice, and a way to withdraw each one (with a confirmation page)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.consent import access, dpv, jsonld, services
from nomadcloud.consent.models import ConsentRecord
from nomadcloud.core.pages import confirm_page, domain_errors, require_confirmation


def _row(record: ConsentRecord, now: datetime) -> dict[str, Any]:
    return {
        "record": record,
        "purpose": dpv.label(dpv.PURPOSES, record.purpose),
        "categories": [dpv.label(dpv.DATA_CATEGORIES, c) for c in record.data_categories],
        "legal_basis": dpv.label(dpv.LEGAL_BASES, record.legal_basis),
        "method": dpv.label(dpv.METHODS, record.method),
        "status": record.status_at(now),
    }


@login_required
@domain_errors
def mine(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [_row(r, now) for r in access.records_of(Principal.of(request))[:200]]
    return render(
        request,
        "consent/mine.html",
        {
            "rows": rows,
            "given": dpv.STATUS_GIVEN,
            "withdrawn": dpv.STATUS_WITHDRAWN,
        },
    )


@login_required
@domain_errors
def export(request: HttpRequest) -> HttpResponse:
    document = jsonld.document(access.records_of(Principal.of(request)))
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Type"] = "application/ld+json"
    response["Content-Disposition"] = 'attachment; filename="consent-records.jsonld"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@domain_errors
def withdraw(request: HttpRequest, record_id: str) -> HttpResponse:
    """GET: what withdrawing means; POST with the confirmation: withdraw."""
    principal = Principal.of(request)
    user, record = access.record_for(principal, record_id, write=request.method == "POST")
    if request.method == "POST":
        require_confirmation(request)
        services.withdraw_consent(record, actor=user)
        messages.success(request, _("Your consent is withdrawn."))
        return redirect("consent:mine")
    row = _row(record, timezone.now())
    return confirm_page(
        request,
        title=_("Withdraw this consent?"),
        action=request.path,
        button=_("Withdraw my consent"),
        back=reverse("consent:mine"),
        summary=[
            (_("Purpose"), str(row["purpose"])),
            (_("Data"), "、".join(row["categories"])),
            (_("Recipients"), "、".join(record.recipients)),
            (_("Given at"), timezone.localtime(record.given_at).strftime("%Y-%m-%d %H:%M")),
        ],
        consequences=[
            _("From now on your data is no longer used for this purpose by these recipients."),
            _("What was done before you withdrew stays lawful; the record of it is kept."),
            _("To allow it again, you give a new consent where the service asks for it."),
        ],
    )
