"""Pages of data pools: the pools (public once open), a pool with its charter, dataset
versions and the moves the asker may make, contributing under consent, and a person's own
contributions. Views fetch through ``access``, parse with a form, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.consent import dpv
from nomadcloud.core.errors import InvalidInput, NotFound
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.datapools import access, charters, queries, services, transitions
from nomadcloud.datapools.forms import ContributionForm, ReasonForm
from nomadcloud.datapools.models import Pool
from nomadcloud.datapools.transitions import Side


@require_GET
def pool_list(request: HttpRequest) -> HttpResponse:
    pools = queries.pools_visible_to(Principal.of(request))[:200]
    return render(request, "datapools/list.html", {"pools": list(pools)})


def _charter_terms(pool: Pool) -> dict[str, object]:
    charter = charters.current_charter(pool)
    return {
        "charter": charter,
        "purposes": [dpv.label(dpv.PURPOSES, p) for p in charter.purposes],
        "categories": [dpv.label(dpv.DATA_CATEGORIES, c) for c in charter.data_categories],
    }


@require_GET
@domain_errors
def pool_detail(request: HttpRequest, pool_id: str) -> HttpResponse:
    principal = Principal.of(request)
    pool = access.pool_for(principal, pool_id)
    sides = access.sides_of(principal, pool)
    return render(
        request,
        "datapools/pool.html",
        {
            "pool": pool,
            **_charter_terms(pool),
            "versions": list(queries.versions_of(pool)),
            "moves": transitions.moves_for(pool, sides),
            "steward": Side.STEWARD in sides,
            "may_contribute": pool.status == Pool.Status.OPEN,
            "events": list(pool.events.all()),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@domain_errors
def contribute(request: HttpRequest, pool_id: str) -> HttpResponse:
    principal = Principal.of(request)
    require_person(principal)
    pool = access.pool_for(principal, pool_id)
    form = ContributionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            contribution = services.contribute(
                principal=principal,
                pool=pool,
                data=form.cleaned_data["file"],
                consent_notice_version=charters.current_charter(pool).consent_notice_version,
                give_consent=form.cleaned_data["consent"],
            )
        except InvalidInput as exc:
            apply_error(form, exc)
        else:
            if contribution.status == contribution.Status.QUARANTINED:
                messages.warning(
                    request,
                    _(
                        "The file holds personal data the charter does not declare; it is "
                        "quarantined and not used. Remove it and contribute again."
                    ),
                )
            else:
                messages.success(request, _("Thank you: your contribution was accepted."))
            return redirect("datapools:mine")
    return render(
        request,
        "datapools/contribute.html",
        {"pool": pool, **_charter_terms(pool), "form": form},
        status=form_status(form),
    )


@require_POST
@login_required
@domain_errors
def act(request: HttpRequest, pool_id: str, move: str) -> HttpResponse:
    """A move of the pool (transitions.py), a release or a connector import."""
    principal = Principal.of(request)
    if move not in (*transitions.ACTIONS, "release", "import"):
        raise NotFound(_("No such page."))
    pool = access.pool_for(principal, pool_id)
    if move == "release":
        version = services.release_version(principal=principal, pool=pool)
        messages.success(
            request, _("Version %(number)s was released.") % {"number": version.number}
        )
    elif move == "import":
        made = services.import_points_payments(principal=principal, pool=pool)
        messages.success(
            request,
            _("%(count)s contributions were read from points payments.") % {"count": len(made)},
        )
    else:
        services.move(
            principal=principal, pool=pool, action=move, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Done."))
    return redirect("datapools:pool", pool.public_id)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    principal = Principal.of(request)
    contributions = queries.contributions_of(principal)[:200]
    rewards = queries.rewards_of(principal)[:200]
    return render(
        request,
        "datapools/mine.html",
        {"contributions": list(contributions), "rewards": list(rewards)},
    )
