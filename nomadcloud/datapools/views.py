"""Pages of data pools: the pools (public once open), a pool with its charter, dataset
versions and the moves the asker may make, contributing under consent, and a person's own
contributions. Views fetch through ``access``, parse with a form, call one service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.consent import dpv
from nomadcloud.core.errors import Forbidden, InvalidInput, NotFound
from nomadcloud.core.inputs import draft_from_form, parse_draft
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.datapools import (
    access,
    aggregates,
    charters,
    connectors,
    downloads,
    negotiation,
    queries,
    registration,
    rewards,
    scenarios,
    services,
    transitions,
    validation,
)
from nomadcloud.datapools.forms import (
    EXAMPLE_COLUMNS,
    MODE_CHOICES,
    AccessRequestForm,
    AggregateForm,
    CharterForm,
    ContributionForm,
    DistributionForm,
    NegotiationMoveForm,
    ProposalForm,
    ReasonForm,
    RegistrationForm,
    ScenarioForm,
)
from nomadcloud.datapools.inputs import CharterDraft, PoolDraft, ScenarioDraft
from nomadcloud.datapools.models import IN_FORCE, AgreementConfirmation, Negotiation, Pool
from nomadcloud.datapools.transitions import Side


@require_GET
def pool_list(request: HttpRequest) -> HttpResponse:
    principal = Principal.of(request)
    pools = queries.pools_visible_to(principal)[:200]
    may_propose = bool(access.editor_organisations(principal, *access.STEWARD_KINDS))
    return render(
        request, "datapools/list.html", {"pools": list(pools), "may_propose": may_propose}
    )


def _charter_terms(pool: Pool) -> dict[str, object]:
    charter = charters.current_charter(pool)
    return {
        "charter": charter,
        "purposes": [dpv.label(dpv.PURPOSES, p) for p in charter.purposes],
        "categories": [dpv.label(dpv.DATA_CATEGORIES, c) for c in charter.data_categories],
    }


def _last_month() -> str:
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


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
            "registration_form": RegistrationForm(initial={"code": pool.registration_code}),
            "distribution_form": DistributionForm(
                initial={"period": _last_month()},
                budgets=access.steward_budgets(pool) if Side.STEWARD in sides else [],
            ),
            "runs": list(pool.distribution_runs.order_by("-period")[:24]),
            "scenarios": list(pool.scenarios.select_related("enterprise")[:50]),
            "releasable_batches": connectors.agreeable_batches(principal, pool)
            if pool.status == Pool.Status.OPEN
            else [],
            "batch_releases": list(pool.batch_releases.select_related("batch")[:100])
            if pool.kind == Pool.Kind.LABELLED
            else [],
            "may_request": pool.status == Pool.Status.OPEN
            and bool(access.editor_organisations(principal, Organisation.Kind.ENTERPRISE)),
        },
    )


@login_required
@domain_errors
def contribute(request: HttpRequest, pool_id: str) -> HttpResponse:
    principal = Principal.of(request)
    require_person(principal)
    pool = access.pool_for(principal, pool_id)
    charter = charters.current_charter(pool)
    form = ContributionForm(
        request.POST or None, request.FILES or None, provenance=charter.requires_provenance
    )
    if request.method == "POST" and form.is_valid():
        try:
            contribution = services.contribute(
                principal=principal,
                pool=pool,
                data=form.cleaned_data["file"],
                consent_notice_version=charter.consent_notice_version,
                give_consent=form.cleaned_data["consent"],
                asset=form.provenance(),
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
    if move not in (
        *transitions.ACTIONS,
        *("release", "import", "import_work", "agree_batch", "distribute", "register"),
    ):
        raise NotFound(_("No such page."))
    pool = access.pool_for(principal, pool_id)
    if move == "register":
        try:
            registration.register(principal=principal, pool=pool, code=request.POST.get("code", ""))
        except InvalidInput as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The registration query code was recorded."))
    elif move == "release":
        version = services.release_version(principal=principal, pool=pool)
        messages.success(
            request, _("Version %(number)s was released.") % {"number": version.number}
        )
    elif move == "distribute":
        form = DistributionForm(request.POST, budgets=access.steward_budgets(pool))
        if not form.is_valid():
            messages.error(request, str(next(iter(form.errors.values()))[0]))
            return redirect("datapools:pool", pool.public_id)
        run = rewards.distribute(
            principal=principal,
            pool=pool,
            period=form.cleaned_data["period"],
            fees=form.cleaned_data["fees"],
            budget=access.reward_budget(pool, form.cleaned_data["budget"] or None),
        )
        messages.success(
            request,
            _("The rewards of %(period)s were paid: %(points)s points.")
            % {"period": run.period, "points": run.total_points},
        )
        if run.total_amount:
            messages.success(
                request,
                _(
                    "%(amount)s CNY were approved for payment to the contributors; the finance "
                    "officer sends and confirms the payouts."
                )
                % {"amount": run.total_amount},
            )
    elif move == "import_work":
        made = connectors.import_accepted_work(principal=principal, pool=pool)
        messages.success(
            request,
            _("%(count)s contributions were read from accepted labelling work.")
            % {"count": len(made)},
        )
    elif move == "agree_batch":
        from nomadcloud.datatasks import access as batches

        batch = batches.batch_for(principal, request.POST.get("batch", ""), batches.Action.EDIT)
        connectors.agree_release(principal=principal, pool=pool, batch=batch)
        messages.success(request, _("The batch's accepted outputs may now be read into this pool."))
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
    contributions = list(queries.contributions_of(principal)[:200])
    for contribution in contributions:  # a finding's kind in words, never its code
        contribution.findings = [
            {**f, "kind": validation.FINDING_KINDS.get(f.get("kind", ""), f.get("kind", ""))}
            for f in contribution.findings
        ]
    rewards = queries.rewards_of(principal)[:200]
    return render(
        request,
        "datapools/mine.html",
        {"contributions": list(contributions), "rewards": list(rewards)},
    )


# --- proposing a pool, access negotiations and aggregates ----------------------------------


def _apply_draft_error(form: forms.Form, exc: InvalidInput) -> None:
    """A draft's errors name nested fields (``charter.columns``): show them on the field."""
    for field, messages_ in exc.fields.items():
        name = field.removeprefix("charter.").split(".")[0]
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.message)


@login_required
@domain_errors
def propose(request: HttpRequest) -> HttpResponse:
    """A steward proposes a pool with its first charter to the kind's lead department."""
    principal = Principal.of(request)
    require_person(principal)
    stewards = access.editor_organisations(principal, *access.STEWARD_KINDS)
    if not stewards:
        raise Forbidden(
            _("Only an editor of an organisation can propose a pool."), code="steward_only"
        )
    form = ProposalForm(request.POST or None, stewards=stewards)
    if request.method == "POST" and form.is_valid():
        try:
            department = services.lead_department(Pool.Kind(form.cleaned_data["kind"]))
            draft = parse_draft(PoolDraft, form.draft_data())
            pool = services.propose_pool(
                principal=principal,
                steward=access.steward_organisation(principal, form.cleaned_data["steward"]),
                department=department,
                draft=draft,
            )
        except InvalidInput as exc:
            _apply_draft_error(form, exc)
        else:
            messages.success(
                request, _("The pool was proposed to %(department)s.") % {"department": department}
            )
            return redirect("datapools:pool", pool.public_id)
    context = {"form": form, "example_columns": EXAMPLE_COLUMNS}
    return render(request, "datapools/propose.html", context, status=form_status(form))


@login_required
@domain_errors
def request_access(request: HttpRequest, pool_id: str) -> HttpResponse:
    """An enterprise asks for access to an open pool for one of the charter's purposes."""
    principal = Principal.of(request)
    require_person(principal)
    pool = access.pool_for(principal, pool_id)
    charter = charters.current_charter(pool)
    consumers = access.editor_organisations(principal, Organisation.Kind.ENTERPRISE)
    if not consumers:
        raise Forbidden(
            _("Only an editor of an enterprise can request access."), code="consumer_only"
        )
    form = AccessRequestForm(
        request.POST or None,
        consumers=consumers,
        purposes=[(p, dpv.label(dpv.PURPOSES, p)) for p in charter.purposes],
        modes=list(charter.access_modes),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        consumer = Organisation.objects.get(public_id=data["consumer"])
        try:
            made = negotiation.request_access(
                principal=principal,
                pool=pool,
                consumer=consumer,
                purpose=data["purpose"],
                access_mode=data["access_mode"],
                duration_days=data["duration_days"],
                spatial=data["spatial"],
            )
        except InvalidInput as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Your request was sent to the steward."))
            return redirect("datapools:negotiation", made.public_id)
    return render(
        request,
        "datapools/request.html",
        {"pool": pool, **_charter_terms(pool), "form": form},
        status=form_status(form),
    )


@login_required
@require_GET
def negotiation_list(request: HttpRequest) -> HttpResponse:
    principal = Principal.of(request)
    negotiations = queries.negotiations_of(principal)
    awaiting = request.GET.get("state") == Negotiation.State.CONFIRMING
    if awaiting:
        negotiations = negotiations.filter(state=Negotiation.State.CONFIRMING)
    return render(
        request,
        "datapools/negotiations.html",
        {"negotiations": list(negotiations[:200]), "awaiting": awaiting},
    )


def _uses(made: Negotiation) -> list[Any]:
    """The uses logged under the agreement, each with its access mode in words."""
    labels = dict(MODE_CHOICES)
    uses = list(made.uses.order_by("-at")[:50])
    for use in uses:
        use.mode_label = labels.get(use.mode, use.mode)  # type: ignore[attr-defined]
    return uses


def _links(principal: Principal, made: Negotiation) -> list[dict[str, Any]]:
    """The agreement's download links with their state and whether the reader may revoke
    each (decision 0064)."""
    now = timezone.now()
    steward = access.is_steward(principal, made.pool)
    return [
        {
            "link": link,
            "state": downloads.link_state(link, now),
            "may_revoke": link.revoked_at is None
            and link.expires_at > now
            and downloads.may_revoke(principal, link, steward=steward),
        }
        for link in downloads.links_of(made)
    ]


def _negotiation_page(
    request: HttpRequest,
    made: Negotiation,
    *,
    aggregate_form: AggregateForm | None = None,
    result: dict[str, Any] | None = None,
) -> HttpResponse:
    principal = Principal.of(request)
    sides = negotiation.sides_of(principal, made)
    moves = [
        action
        for (state, action), (_target, side) in negotiation.MOVES.items()
        if state == made.state
        and (side in sides or (side == "either" and sides & {"steward", "consumer"}))
    ]
    version = made.pool.versions.order_by("-number").select_related("charter").first()
    columns = aggregates.groupable_columns(version.charter.columns) if version else []
    may_aggregate = (
        "consumer" in sides
        and made.state in IN_FORCE
        and made.policy.get("nc:accessMode") == "aggregate"
        and version is not None
    )
    budget, spent = aggregates.budget(made)
    summable = aggregates.summable_columns(version.charter.columns) if version else []
    if may_aggregate and aggregate_form is None:
        aggregate_form = AggregateForm(columns=columns, summable=summable, noisy=budget is not None)
    consumer_agreed = "consumer" in sides and made.state in IN_FORCE
    return render(
        request,
        "datapools/negotiation.html",
        {
            "negotiation": made,
            "terms": negotiation.terms(made),
            "purpose": dpv.label(dpv.PURPOSES, negotiation.terms(made)["purpose"]),
            "moves": moves,
            "move_form": NegotiationMoveForm(),
            "events": list(made.events.select_related("actor").order_by("pk")),
            "uses": _uses(made),
            "transfers": list(made.transfers.order_by("-created_at")[:50]),
            "confirmation": AgreementConfirmation.objects.filter(negotiation=made)
            .select_related("department", "decided_by")
            .first(),
            "callbacks": list(made.callbacks.order_by("-id")[:20])
            if made.callback_address and sides & {"steward", "consumer"}
            else [],
            "aggregate_form": aggregate_form if may_aggregate else None,
            "result": result,
            "k": aggregates.K,
            "budget": budget,
            "budget_left": None if budget is None else budget - spent,
            "may_run_templates": consumer_agreed
            and made.policy.get("nc:accessMode") == "query_template",
            "may_download": consumer_agreed and made.policy.get("nc:accessMode") == "download",
            "download_links": _links(principal, made) if sides else None,
            "sides": sides,
        },
        status=form_status(aggregate_form) if aggregate_form else 200,
    )


@login_required
@require_GET
@domain_errors
def negotiation_detail(request: HttpRequest, negotiation_id: str) -> HttpResponse:
    principal = Principal.of(request)
    return _negotiation_page(request, access.negotiation_for(principal, negotiation_id))


@require_POST
@login_required
@domain_errors
def negotiation_move(request: HttpRequest, negotiation_id: str, action: str) -> HttpResponse:
    principal = Principal.of(request)
    if action not in {a for _state, a in negotiation.MOVES}:
        raise NotFound(_("No such page."))
    made = access.negotiation_for(principal, negotiation_id)
    form = NegotiationMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some fields are not valid."))
        return redirect("datapools:negotiation", made.public_id)
    made = negotiation.move(
        principal=principal,
        negotiation=made,
        action=action,
        reason=form.cleaned_data["reason"] or "",
        access_mode=form.cleaned_data["access_mode"] or None,
        duration_days=form.cleaned_data["duration_days"],
        fee=form.cleaned_data["fee"],
    )
    if made.state == Negotiation.State.TERMINATED and action not in ("terminate", "refuse"):
        messages.error(request, made.reason)
    else:
        messages.success(request, _("Done."))
    return redirect("datapools:negotiation", made.public_id)


@require_POST
@login_required
@domain_errors
def run_aggregate(request: HttpRequest, negotiation_id: str) -> HttpResponse:
    principal = Principal.of(request)
    made = access.negotiation_for(principal, negotiation_id)
    version = made.pool.versions.order_by("-number").select_related("charter").first()
    columns = aggregates.groupable_columns(version.charter.columns) if version else []
    summable = aggregates.summable_columns(version.charter.columns) if version else []
    budget, _spent = aggregates.budget(made)
    form = AggregateForm(request.POST, columns=columns, summable=summable, noisy=budget is not None)
    result = None
    if form.is_valid():
        try:
            result = aggregates.aggregate(
                principal=principal,
                negotiation=made,
                group_by=form.cleaned_data["group_by"],
                sum_of=form.cleaned_data.get("sum_of") or None,
                epsilon=form.cleaned_data.get("epsilon"),
            )
        except InvalidInput as exc:
            apply_error(form, exc)
    return _negotiation_page(request, made, aggregate_form=form, result=result)


# --- the scenario library (应用场景库) ---------------------------------------------------------


@require_GET
def scenario_list(request: HttpRequest) -> HttpResponse:
    principal = Principal.of(request)
    return render(
        request,
        "datapools/scenarios.html",
        {
            "scenarios": list(scenarios.published()[:200]),
            "may_add": bool(scenarios.enterprises_with_agreements(principal)),
        },
    )


@require_GET
@domain_errors
def scenario_detail(request: HttpRequest, scenario_id: str) -> HttpResponse:
    return render(
        request, "datapools/scenario.html", {"scenario": scenarios.scenario_for(scenario_id)}
    )


@login_required
@domain_errors
def scenario_add(request: HttpRequest) -> HttpResponse:
    """An enterprise's editor adds what it made with pool data it holds an agreement for."""
    principal = Principal.of(request)
    require_person(principal)
    enterprises = scenarios.enterprises_with_agreements(principal)
    if not enterprises:
        raise Forbidden(
            _("Only an editor of an enterprise holding an agreement can add a scenario."),
            code="consumer_only",
        )
    form = ScenarioForm(
        request.POST or None, enterprises=enterprises, pools=scenarios.pools_agreed_by(principal)
    )
    if request.method == "POST" and form.is_valid():
        draft = draft_from_form(form, ScenarioDraft)
        if draft is not None:
            try:
                made = scenarios.add_scenario(principal=principal, draft=draft)
            except InvalidInput as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("The scenario is in the public library."))
                return redirect("datapools:scenario", made.public_id)
    return render(request, "datapools/scenario_form.html", {"form": form}, status=form_status(form))


@login_required
@domain_errors
def charter_edit(request: HttpRequest, pool_id: str) -> HttpResponse:
    """The steward writes a new version of the pool's charter (the form starts from the
    current one); contributors consent again when the notice version changes."""
    principal = Principal.of(request)
    require_person(principal)
    pool = access.pool_for(principal, pool_id, access.Action.STEWARD)
    current = charters.current_charter(pool)
    form = CharterForm(request.POST or None, initial=CharterForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        try:
            draft = parse_draft(CharterDraft, form.charter_data(current.distribution_period))
            charter = services.revise_charter(principal=principal, pool=pool, draft=draft)
        except InvalidInput as exc:
            _apply_draft_error(form, exc)
        else:
            messages.success(
                request,
                _("Charter version %(version)s was written.") % {"version": charter.version},
            )
            return redirect("datapools:pool", pool.public_id)
    return render(
        request,
        "datapools/charter.html",
        {"pool": pool, "charter": current, "form": form, "example_columns": EXAMPLE_COLUMNS},
        status=form_status(form),
    )
