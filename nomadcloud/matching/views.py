"""Pages: recommended work for a nomad, a demand's candidates with explanations, and
invitations. Views fetch through ``access``, filter through ``queries`` and change through
``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.access import parse_public_id
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError, InvalidInput
from nomadcloud.core.pages import domain_errors
from nomadcloud.matching import access, cards, hidden, queries, services
from nomadcloud.matching.forms import CandidateFilterForm, InviteForm, RecommendationFilterForm
from nomadcloud.matching.models import Invitation

PAGE_SIZE = 20


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
@domain_errors
def recommended(request: HttpRequest) -> HttpResponse:
    profile = access.own_profile(Principal.of(request))
    form = RecommendationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = queries.recommendations(
        profile,
        queries.RecommendationFilters(
            min_score=data.get("min_score") or 0,
            kind=data.get("kind", ""),
            remote_only=bool(data.get("remote_only")),
            skill=data.get("skill", ""),
        ),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    near = list(queries.near_recommendations(profile))
    return render(
        request,
        "matching/recommended.html",
        {
            "form": form,
            "page": page,
            "profile": profile,
            "query": _query_without_page(request),
            "reasons": hidden.for_nomad(near),
            "show_near": bool(data.get("near")),
            "near": [(match, hidden.why_for_nomad(match)) for match in near]
            if data.get("near")
            else [],
            "near_url": _with(request, near="1"),
            "has_skills": profile is not None and profile.skills.exists(),
        },
        status=422 if form.is_bound and form.errors else 200,
    )


def _with(request: HttpRequest, **values: str) -> str:
    """This page's address with ``values`` set in its query (and the first page)."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in values.items():
        query[name] = value
    return f"?{query.urlencode()}"


@login_required
@require_GET
@domain_errors
def candidates(request: HttpRequest, demand_id: str) -> HttpResponse:
    principal = Principal.of(request)
    demand = access.demand_for_candidates(principal, demand_id)
    form = CandidateFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = queries.candidates(
        demand,
        queries.CandidateFilters(
            min_score=data.get("min_score") or 0,
            certified_only=bool(data.get("certified_only")),
            all_required_met=bool(data.get("all_required_met")),
            available_only=bool(data.get("available_only")),
            skill=data.get("skill", ""),
        ),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    invited = set(Invitation.objects.filter(demand=demand).values_list("profile_id", flat=True))
    can_invite = principal.can_write and _may_invite(principal, demand_id)
    near = list(queries.near_candidates(demand))
    first = (page.number - 1) * PAGE_SIZE + 1
    return render(
        request,
        "matching/candidates.html",
        {
            "demand": demand,
            "form": form,
            "page": page,
            "cards": cards.cards(principal, list(page), first_place=first),
            "invited": invited,
            "can_invite": can_invite,
            "query": _query_without_page(request),
            "reasons": hidden.for_enterprise(demand, near),
            "show_near": bool(data.get("near")),
            "near_cards": cards.cards(principal, near, first_place=1) if data.get("near") else [],
            "near_url": _with(request, near="1"),
        },
        status=422 if form.is_bound and form.errors else 200,
    )


COMPARE_MIN, COMPARE_MAX = 2, 3


@login_required
@require_GET
@domain_errors
def compare(request: HttpRequest, demand_id: str) -> HttpResponse:
    """Two or three candidates (or near misses) of a demand side by side."""
    principal = Principal.of(request)
    demand = access.demand_for_candidates(principal, demand_id)
    chosen = list(dict.fromkeys(request.GET.getlist("p")))
    if not COMPARE_MIN <= len(chosen) <= COMPARE_MAX:
        messages.error(request, _("Choose two or three candidates to compare."))
        return redirect("matching:candidates", demand.public_id)
    ids = [parse_public_id(p, message=_("No such nomad.")) for p in chosen]
    rows = queries.compared(demand, ids)
    listed = queries.candidates(demand, queries.CandidateFilters()).values_list(
        "profile_id", flat=True
    )
    places = {profile_id: place for place, profile_id in enumerate(listed, start=1)}
    near = queries.near_candidates(demand).values_list("profile_id", flat=True)
    places.update({profile_id: place for place, profile_id in enumerate(near, start=1)})
    return render(
        request,
        "matching/compare.html",
        {"demand": demand, "cards": cards.cards(principal, rows, places=places)},
    )


def _may_invite(principal: Principal, demand_id: str) -> bool:
    try:
        access.demand_for_candidates(principal, demand_id, invite=True)
    except DomainError:  # any refusal just hides the button
        return False
    return True


@login_required
@require_POST
@domain_errors
def invite(request: HttpRequest, demand_id: str, profile_id: str) -> HttpResponse:
    principal = Principal.of(request)
    demand = access.demand_for_candidates(principal, demand_id, invite=True)
    profile = access.candidate_profile(demand, profile_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("The message is too long."))
    services.invite(
        principal=principal, demand=demand, profile=profile, message=form.cleaned_data["message"]
    )
    messages.success(request, _("Invitation sent."))
    return redirect("matching:candidates", demand.public_id)


@login_required
@require_GET
@domain_errors
def invitations(request: HttpRequest) -> HttpResponse:
    profile = access.own_profile(Principal.of(request))
    return render(
        request, "matching/invitations.html", {"invitations": queries.invitations_for(profile)}
    )


@login_required
@require_POST
@domain_errors
def respond(request: HttpRequest, invitation_id: int) -> HttpResponse:
    principal = Principal.of(request)
    invitation = access.invitation_for(principal, invitation_id)
    accept = request.POST.get("answer") == "accept"
    services.respond(principal=principal, invitation=invitation, accept=accept)
    messages.success(request, _("Answer sent."))
    return redirect("matching:invitations")
