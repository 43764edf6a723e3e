"""Pages for incentives: the public policy library, each policy's page and the 公示 list;
an organisation's entitlements, claims and introductions; a claim's page (items, trace,
moves); the department's review queue, the recalculation diff and the simulation. Views
fetch through access.py, read the form and call one service."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nomadcloud.accounts.access import is_zone_operator, require_person, role_in
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import rules
from nomadcloud.core.errors import Forbidden, InvalidInput, invalid_field
from nomadcloud.core.models import PublicNotice
from nomadcloud.core.pages import domain_errors
from nomadcloud.incentives import (
    access,
    notices,
    policies,
    queries,
    services,
    transitions,
)
from nomadcloud.incentives import recalculation as recalc
from nomadcloud.incentives.models import Claim, ClaimItem, Introduction, Policy
from nomadcloud.incentives.moves import run_move
from nomadcloud.payouts import access as payout_access

PAGE_SIZE = 30


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


def _policy(code: str) -> Policy:
    found = Policy.objects.filter(code=code).first()
    if found is None:
        raise Http404
    return found


@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = [(p, services.parameters_of(p, today)) for p in queries.policies()]
    return render(request, "incentives/policies.html", {"rows": rows, "today": today})


@require_GET
def policy_detail(request: HttpRequest, code: str) -> HttpResponse:
    policy = _policy(code)
    today = timezone.localdate()
    params = [(p, p.values) for p, _value in services.parameters_of(policy, today)]
    cases = [c for c in rules.book_cases(policies.BOOK) if policy.rule in c.outputs]
    principal = _principal(request)
    return render(
        request,
        "incentives/policy.html",
        {
            "policy": policy,
            "params": params,
            "cases": cases,
            "may_simulate": principal.user is not None and access.may_simulate(principal, policy),
        },
    )


@require_GET
def publicity(request: HttpRequest) -> HttpResponse:
    page = Paginator(services.claims_for_publicity(), PAGE_SIZE).get_page(request.GET.get("page"))
    notices_by_claim = dict(
        PublicNotice.objects.filter(
            subject_kind=services.NOTICE_KIND,
            subject_id__in=[str(c.public_id) for c in page.object_list],
        ).values_list("subject_id", "pk")
    )
    rows = [(claim, notices_by_claim.get(str(claim.public_id))) for claim in page.object_list]
    return render(request, "incentives/publicity.html", {"page": page, "rows": rows})


@login_required
@domain_errors
def organisation(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org = access.organisation_for(principal, org_id, access.Action.VIEW)
    year = timezone.localdate().year - 1
    return render(
        request,
        "incentives/organisation.html",
        {
            "org": org,
            "entitlements": queries.entitlements_of(org),
            "claims": queries.claims_of(org),
            "introductions": queries.introductions_of(org)[:50],
            "claimed": set(
                queries.claims_of(org)
                .exclude(status=Claim.Status.WITHDRAWN)
                .values_list("policy_id", "year")
            ),
            "may_claim": principal.can_write and str(role_in(principal, org)) in access.CLAIMANTS,
            "may_record": principal.can_write and str(role_in(principal, org)) in access.RECORDERS,
            "channels": Introduction.Channel.choices,
            "last_year": year,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
@domain_errors
def claim_start(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org = access.organisation_for(principal, org_id, access.Action.CLAIM)
    policy = Policy.objects.filter(code=request.POST.get("policy", "")).first()
    if policy is None:
        raise invalid_field("policy", _("Choose a policy."))
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        raise invalid_field("year", _("Choose a year.")) from None
    claim = services.start_claim(principal=principal, organisation=org, policy=policy, year=year)
    messages.success(
        request, _("Claim prepared with the computation and its facts. Check and submit it.")
    )
    return redirect("incentives:claim", claim.public_id)


@login_required
@require_POST
@domain_errors
def introduction_add(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org = access.organisation_for(principal, org_id, access.Action.RECORD)
    contact = (request.POST.get("nomad") or "").strip().lower()
    nomad = User.objects.filter(email__iexact=contact).first() if contact else None
    if nomad is None:
        raise invalid_field("nomad", _("No registered nomad with this e-mail address."))
    try:
        on = date.fromisoformat(request.POST.get("introduced_on", ""))
    except ValueError:
        raise invalid_field("introduced_on", _("Enter a date (YYYY-MM-DD).")) from None
    introduction = services.record_introduction(
        principal=principal,
        organisation=org,
        nomad=nomad,
        introduced_on=on,
        channel=request.POST.get("channel", ""),
        evidence=request.POST.get("evidence", ""),
    )
    messages.success(
        request,
        _("Introduction recorded: %(status)s.") % {"status": introduction.get_status_display()},
    )
    return redirect("incentives:organisation", org.public_id)


def claim_context(principal: Principal, claim: Claim) -> dict[str, Any]:
    claimant = access.is_claimant(principal, claim)
    officer = (
        principal.can_write
        and access.is_officer(principal, claim.policy)
        and role_in(principal, claim.organisation) is None
    )
    items = list(claim.items.all())
    reasons = [
        notices.REASON_TEXTS.get(r, r) for r in claim.decision.get("reasons", []) if ":" not in r
    ]
    return {
        "claim": claim,
        "items": items,
        "moves": transitions.moves_for(claim, claimant=claimant, officer=officer),
        "events": list(claim.events.select_related("actor")),
        "appeals": list(claim.appeals.all()),
        "reasons": reasons,
        "params_used": sorted(claim.decision.get("params_used", {}).items()),
        "officer_reasons": sorted(notices.OFFICER_REASONS.items()),
        "pending_items": sum(1 for i in items if i.state == ClaimItem.State.PENDING),
        "remaining": claim.amount - claim.clawed_back,
        # the finance officer goes from the claim to its payout (payouts' own page and moves)
        "may_pay": claim.payout is not None
        and payout_access.may_move(principal, claim.payout.budget.owner),
    }


@login_required
@require_GET
@domain_errors
def claim_detail(request: HttpRequest, claim_id: str) -> HttpResponse:
    principal = _principal(request)
    claim = access.claim_for(principal, claim_id)
    return render(request, "incentives/claim.html", claim_context(principal, claim))


@login_required
@require_POST
@domain_errors
def claim_move(request: HttpRequest, claim_id: str, move: str) -> HttpResponse:
    principal = _principal(request)
    claim = access.claim_for(principal, claim_id)
    messages.success(request, run_move(principal, claim, move, request.POST))
    return redirect("incentives:claim", claim.public_id)


@login_required
@require_GET
@domain_errors
def review(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    user = require_person(principal)
    codes = None if is_zone_operator(user) else access.officer_departments(user)
    if codes is not None and not codes:
        raise Forbidden(_("Only departments and the zone operator may do this."))
    page = Paginator(queries.review_queue(codes), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "incentives/review.html", {"page": page})


@login_required
@require_GET
@domain_errors
def recalculation(request: HttpRequest) -> HttpResponse:
    rows = recalc.recalculation_diff(principal=_principal(request))
    return render(request, "incentives/recalculation.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def simulate(request: HttpRequest, code: str) -> HttpResponse:
    principal = _principal(request)
    policy = _policy(code)
    if not access.may_simulate(principal, policy):
        raise Forbidden(_("Only the verifying department and the zone operator may simulate."))
    today = timezone.localdate()
    params = services.parameters_of(policy, today)
    result = None
    errors: dict[str, list[str]] = {}
    year = today.year - 1
    effective = date(year, 1, 1)
    if request.method == "POST":
        changes = {
            p.name: request.POST[p.name].strip()
            for p, _value in params
            if request.POST.get(p.name, "").strip()
        }
        try:
            year = int(request.POST.get("year", year))
            effective = date.fromisoformat(
                request.POST.get("effective", "") or effective.isoformat()
            )
            result = recalc.simulate(
                principal=principal, policy=policy, year=year, changes=changes, effective=effective
            )
        except ValueError:
            errors = {"year": [_("Enter a year and a date (YYYY-MM-DD).")]}
        except InvalidInput as exc:
            errors = exc.fields or {"__all__": [exc.message]}
    return render(
        request,
        "incentives/simulate.html",
        {
            "policy": policy,
            "params": params,
            "result": result,
            "errors": errors,
            "year": year,
            "effective": effective,
            "posted": request.POST,
        },
        status=422 if errors else 200,
    )
