"""The zone operator's points page: outstanding liability per asset, the expiry forecast,
shortfalls from revoked proofs of work, scenarios, rates (publish, history), earning rules and
campaigns (new versions), and the organisations authorised to post batch transfers. Each
form posts to its own URL; a refused form is shown again on the page with its errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError
from nomadcloud.core.pages import apply_error, confirm_page, domain_errors, require_confirmation
from nomadcloud.points import access
from nomadcloud.points.programme import queries
from nomadcloud.points.programme import services as programme
from nomadcloud.points.programme.forms import (
    CampaignForm,
    ProgrammeForm,
    RateForm,
    RuleForm,
    ScenarioEditForm,
    ScenarioForm,
)


def _page(request: HttpRequest, *, status: int = 200, **bound: forms.Form) -> HttpResponse:
    access.operator(Principal.of(request))
    scenarios = queries.scenarios(active_only=False)
    rates = dict(queries.with_rates(scenarios))
    labels = programme.asset_labels()
    context: dict[str, Any] = {
        "liability": queries.liability(),
        "forecast": queries.forecast(),
        "shortfalls": [
            {
                "credit": c,
                "amount": programme.format_amount(c.amount, 2),
                "reclaimed": programme.format_amount(c.reclaimed, 2),
                "shortfall": programme.format_amount(c.shortfall, 2),
            }
            for c in queries.shortfalls()
        ],
        "scenarios": [
            {
                "scenario": s,
                "rate": rates.get(s),
                "asset_label": labels.get(s.asset_id, s.asset_id),
            }
            for s in scenarios
        ],
        "rates": queries.rate_history()[:50],
        "rules": queries.rule_history(),
        "campaigns": queries.current_campaigns(),
        "campaign_history": queries.campaign_history()[:50],
        "programmes": queries.programme_operators(),
        "scenario_form": bound.get("scenario_form") or ScenarioForm(),
        "rate_form": bound.get("rate_form") or RateForm(),
        "rule_form": bound.get("rule_form") or RuleForm(),
        "campaign_form": bound.get("campaign_form") or CampaignForm(),
        "programme_form": bound.get("programme_form") or ProgrammeForm(),
    }
    return render(request, "points/operator.html", context, status=status)


@login_required
@require_GET
@domain_errors
def operator_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _submit(
    request: HttpRequest, name: str, form: forms.Form, action: Any, done: str
) -> HttpResponse:
    principal = Principal.of(request)
    access.operator(principal, write=True)
    if form.is_valid():
        try:
            action(principal, form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("points:operator")
    return _page(request, status=422, **{name: form})


@login_required
@require_POST
@domain_errors
def create_scenario(request: HttpRequest) -> HttpResponse:
    def action(principal: Principal, data: dict[str, Any]) -> None:
        programme.create_scenario(principal=principal, **data)

    return _submit(
        request, "scenario_form", ScenarioForm(request.POST), action, _("Scenario created.")
    )


@login_required
@require_POST
@domain_errors
def publish_rate(request: HttpRequest) -> HttpResponse:
    def action(principal: Principal, data: dict[str, Any]) -> None:
        programme.publish_rate(
            principal=principal,
            scenario=queries.scenario_for(data["scenario"], active_only=False),
            points_per_work_unit=data["points_per_work_unit"],
            valid_from=data["valid_from"],
            note=data["note"],
        )

    return _submit(request, "rate_form", RateForm(request.POST), action, _("Rate published."))


@login_required
@require_POST
@domain_errors
def publish_rule(request: HttpRequest) -> HttpResponse:
    def action(principal: Principal, data: dict[str, Any]) -> None:
        programme.publish_rule(
            principal=principal,
            asset_code=data["asset"],
            valid_from=data["valid_from"],
            day_cap=data["day_cap"],
            week_cap=data["week_cap"],
            month_cap=data["month_cap"],
            lock_days=data["lock_days"],
            expiry_months=data["expiry_months"],
            expiry_days=data["expiry_days"],
            expiry_at_end_of=data["expiry_at_end_of"] or "",
            note=data["note"],
        )

    return _submit(
        request, "rule_form", RuleForm(request.POST), action, _("New rule version published.")
    )


@login_required
@require_POST
@domain_errors
def publish_campaign(request: HttpRequest) -> HttpResponse:
    def action(principal: Principal, data: dict[str, Any]) -> None:
        code = data["scenario"]
        programme.publish_campaign(
            principal=principal,
            code=data["code"],
            name_zh=data["name_zh"],
            name_en=data["name_en"],
            kind=data["kind"],
            percent=data["percent"],
            fixed_amount=data["fixed_amount"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            scenario=queries.scenario_for(code, active_only=False) if code else None,
            asset_code=data["asset"] or "",
            active=data["active"],
        )

    return _submit(
        request, "campaign_form", CampaignForm(request.POST), action, _("Campaign published.")
    )


@login_required
@domain_errors
def authorise_programme(request: HttpRequest) -> HttpResponse:
    """GET (the operator page's form): what authorising or withdrawing does, to confirm;
    POST with the form and the confirmation: save the authority."""
    if request.method == "POST":
        access.operator(Principal.of(request), write=True)  # a refusal before the question
        require_confirmation(request)

        def action(principal: Principal, data: dict[str, Any]) -> None:
            programme.authorise_programme(
                principal=principal,
                organisation=programme.organisation_by_id(data["organisation"]),
                asset_code=data["asset"],
                active=data["active"],
            )

        return _submit(
            request, "programme_form", ProgrammeForm(request.POST), action, _("Authority saved.")
        )
    access.operator(Principal.of(request), write=False)
    form = ProgrammeForm(request.GET)
    if form.is_valid():
        try:
            organisation = programme.organisation_by_id(form.cleaned_data["organisation"])
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _programme_confirmation(request, form.cleaned_data, str(organisation))
    return _page(request, status=422, programme_form=form)


def _programme_confirmation(
    request: HttpRequest, data: dict[str, Any], organisation: str
) -> HttpResponse:
    points = programme.asset_label(data["asset"])
    names = {"organisation": organisation, "points": points}
    fields = {"organisation": str(data["organisation"]), "asset": data["asset"]}
    if data["active"]:
        fields["active"] = "on"
        title = _("Authorise %(organisation)s for %(points)s?") % names
        consequences = [
            _(
                "The API keys of %(organisation)s may post batch transfers of %(points)s from its "
                "own account or the issuance account, never out of a holder's account."
            )
            % names,
        ]
    else:
        title = _("Withdraw the authority of %(organisation)s for %(points)s?") % names
        consequences = [
            _(
                "The API keys of %(organisation)s can no longer post batch transfers of "
                "%(points)s; transfers already posted stay."
            )
            % names,
        ]
    consequences.append(_("The change is recorded in the audit log; it can be changed back."))
    return confirm_page(
        request,
        title=title,
        action=request.path,
        button=_("Authorise") if data["active"] else _("Withdraw the authority"),
        back=f"{reverse('points:operator')}#programmes",
        summary=[(_("Organisation"), organisation), (_("Points"), points)],
        consequences=consequences,
        fields=fields,
        irreversible=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def edit_scenario(request: HttpRequest, code: str) -> HttpResponse:
    principal = Principal.of(request)
    access.operator(principal, write=request.method == "POST")
    scenario = queries.scenario_by_code(code)
    form = ScenarioEditForm(
        request.POST or None,
        initial={
            "name_zh": scenario.name_zh,
            "name_en": scenario.name_en,
            "category": scenario.category,
            "active": scenario.active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme.update_scenario(principal=principal, scenario=scenario, **form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Scenario saved."))
            return redirect("points:operator")
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "points/operator_scenario.html",
        {"scenario": scenario, "form": form},
        status=status,
    )
