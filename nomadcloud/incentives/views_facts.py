"""Pages where an organisation records the facts incentives holds itself: a community's
fixed-asset investments (checked against the 纳统 figure) and an organiser's conferences and
exhibitions. Reached from the organisation's incentives page and its workspace tool."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import role_in
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError, NotFound
from nomadcloud.core.inputs import Draft, draft_from_form
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.incentives import access, recorded_facts, services
from nomadcloud.incentives.forms import ConferenceForm, InvestmentForm
from nomadcloud.incentives.schemas import ConferenceDraft, InvestmentDraft


def _may_record(principal: Principal, org: Organisation) -> bool:
    return principal.can_write and str(role_in(principal, org)) in access.RECORDERS


def _record(
    request: HttpRequest,
    form: forms.Form,
    org_id: str,
    draft_type: type[Draft],
    record: Callable[..., object],
    done: str,
    url_name: str,
) -> HttpResponse | None:
    """The posting half both pages share: only a recorder goes on; the form becomes its draft,
    the use case records it with the evidence file, and the page is shown again (or the
    errors stay on the form, and None is returned)."""
    principal = Principal.of(request)
    org = access.organisation_for(principal, org_id, access.Action.RECORD)
    draft = draft_from_form(form, draft_type, omit=["evidence"]) if form.is_valid() else None
    if draft is None:
        return None
    try:
        record(
            principal=principal,
            organisation=org,
            draft=draft,
            evidence=form.cleaned_data.get("evidence"),
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        apply_error(form, exc)
        return None
    messages.success(request, done)
    return redirect(url_name, org.public_id)


@login_required
@domain_errors
def investments(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = Principal.of(request)
    org = access.organisation_for(principal, org_id, access.Action.VIEW)
    form = InvestmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        done = _record(
            request,
            form,
            org_id,
            InvestmentDraft,
            services.record_investment,
            _("The investment is recorded."),
            "incentives:investments",
        )
        if done is not None:
            return done
    year = timezone.localdate().year - 1
    figures = {y: recorded_facts.statistics_figure(org, y) for y in (year, year + 1)}
    return render(
        request,
        "incentives/investments.html",
        {
            "org": org,
            "form": form,
            "investments": services.investments_of(org)[:100],
            "figures": sorted(figures.items(), reverse=True),
            "may_record": _may_record(principal, org) and org.kind == Organisation.Kind.COMMUNITY,
        },
        status=form_status(form),
    )


@login_required
@domain_errors
def conferences(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = Principal.of(request)
    org = access.organisation_for(principal, org_id, access.Action.VIEW)
    form = ConferenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        done = _record(
            request,
            form,
            org_id,
            ConferenceDraft,
            services.record_conference,
            _("The event is recorded."),
            "incentives:conferences",
        )
        if done is not None:
            return done
    return render(
        request,
        "incentives/conferences.html",
        {
            "org": org,
            "form": form,
            "conferences": services.conferences_of(org)[:100],
            "may_record": _may_record(principal, org),
        },
        status=form_status(form),
    )
