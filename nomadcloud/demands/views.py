"""Pages for demands: the public list (需求清单) with its JSON and RSS feeds, each demand's
page with its JSON-LD and job profile, the enterprise's demands, feeds and webhook, the
operators' CSV export, and the webhook receiver. Views fetch objects through the access
chokepoints, parse input with a form and call one service."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from nomadcloud.accounts.access import role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError, InvalidInput
from nomadcloud.core.inputs import draft_from_form, errors_by_field
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.demands import (
    access,
    applications,
    export,
    queries,
    services,
    syncing,
    transitions,
)
from nomadcloud.demands.access import Action
from nomadcloud.demands.forms import (
    ApplicationForm,
    DecisionForm,
    DemandForm,
    FeedForm,
    FilterForm,
    StatusForm,
    TagForm,
)
from nomadcloud.demands.models import Demand, WebhookEndpoint
from nomadcloud.demands.schemas import ApplicationDraft, DemandDraft, DemandPatch, DemandPushIn

PAGE_SIZE = 20
FEED_SIZE = 100


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


def _filters(request: HttpRequest) -> tuple[FilterForm, queries.DemandFilters]:
    form = FilterForm(request.GET or None)
    valid = form.is_valid()
    # An unknown skill name is shown with the closest names; the other filters still apply.
    data = form.cleaned_data if valid or set(form.errors) == {"skill"} else {}
    skill = next(iter(data.get("skill") or []), "")
    if "skill" in form.errors:
        skill = str(form.data.get("skill", "")).strip()  # matches nothing, as before
    remote = data.get("remote", "")
    budget_min, budget_max = data.get("budget_min"), data.get("budget_max")
    return form, queries.DemandFilters(
        skill=skill,
        kind=data.get("kind", ""),
        remote=None if remote == "" else remote == "1",
        budget_min=Decimal(budget_min) if budget_min is not None else None,
        budget_max=Decimal(budget_max) if budget_max is not None else None,
        language=data.get("language", "").strip(),
    )


def _published(request: HttpRequest) -> tuple[FilterForm, Any]:
    form, filters = _filters(request)
    demands = queries.filter_demands(queries.published_demands(), filters)
    return form, demands.order_by("-published_at", "-id")


# --- public -----------------------------------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    form, demands = _published(request)
    page = Paginator(demands, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "demands/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
def feed_json(request: HttpRequest) -> HttpResponse:
    """Published demands as a JSON list of schema.org JobPosting objects (the same format
    an enterprise feed may use)."""
    _form, demands = _published(request)
    postings = [export.jobposting(d) for d in demands[:FEED_SIZE]]
    return JsonResponse(postings, safe=False, json_dumps_params={"ensure_ascii": False})


@require_GET
def feed_rss(request: HttpRequest) -> HttpResponse:
    _form, demands = _published(request)
    body = export.rss(
        demands[:FEED_SIZE],
        title=_("NomadCloud demand list"),
        link=settings.SITE_URL + reverse("demands:list"),
        description=_("Published demands of the enterprises in the digital nomad zone."),
    )
    return HttpResponse(body, content_type="application/rss+xml; charset=utf-8")


@domain_errors
def detail(request: HttpRequest, demand_id: str) -> HttpResponse:
    principal = _principal(request)
    demand = access.demand_for(principal, demand_id, Action.VIEW)
    editable = request.user.is_authenticated and access.can_edit(principal, demand)
    member = request.user.is_authenticated and role_in(principal, demand.organisation) is not None
    tags = list(demand.profile_tags.select_related("concept").order_by("-score", "id"))
    context = {
        "demand": demand,
        "json_ld": export.json_ld(export.jobposting(demand)) if demand.is_public else "",
        "editable": editable,
        "member": member,
        "tags": [t for t in tags if not t.removed],
        "removed_tags": [t for t in tags if t.removed],
        "history": demand.events.select_related("actor") if member else [],
        "next_statuses": [
            (s, Demand.Status(s).label) for s in sorted(transitions.demand_targets(demand.status))
        ],
        # What the demand's state lets the asker do (transitions.DEMAND_ACTIONS).
        "demand_moves": transitions.demand_actions(
            demand.status, [transitions.Role.ENTERPRISE if member else transitions.Role.NOMAD]
        ),
        "tag_form": TagForm(),
        "applying": demand.kind in applications.APPLYING_KINDS,
        "my_application": (
            queries.applications_of(request.user).filter(demand=demand).first()
            if request.user.is_authenticated and not member
            else None
        ),
    }
    return render(request, "demands/detail.html", context)


# --- the enterprise's demands -----------------------------------------------------------------


@login_required
@domain_errors
def organisation_demands(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    organisation = access.enterprise_for(principal, org_id, Action.VIEW)
    role = role_in(principal, organisation)
    page = Paginator(queries.demands_of(organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "org": organisation,
        "page": page,
        "can_edit": role in access.EDITORS,
        "can_manage": role in access.MANAGERS,
        "feeds": list(queries.feeds_of(organisation)),
        "feed_form": FeedForm(),
        "webhook": WebhookEndpoint.objects.filter(organisation=organisation).first(),
        "webhook_url": settings.SITE_URL
        + reverse("demands:webhook", args=[organisation.public_id]),
        "new_secret": request.session.pop("demands_webhook_secret", ""),
    }
    return render(request, "demands/organisation.html", context)


@login_required
@domain_errors
def create(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    organisation = access.enterprise_for(principal, org_id, Action.EDIT)
    form = DemandForm(request.POST or None, initial={"headcount": 1, "work_mode": "remote"})
    draft = draft_from_form(form, DemandDraft) if form.is_valid() else None
    if draft is not None:
        try:
            demand = services.create_demand(
                principal=principal, organisation=organisation, draft=draft
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The demand is saved as a draft."))
            return redirect("demands:detail", demand.public_id)
    return render(
        request,
        "demands/form.html",
        {"form": form, "org": organisation, "demand": None},
        status=form_status(form),
    )


@login_required
@domain_errors
def edit(request: HttpRequest, demand_id: str) -> HttpResponse:
    principal = _principal(request)
    demand = access.demand_for(principal, demand_id, Action.EDIT)
    form = DemandForm(request.POST or None, initial=DemandForm.initial_for(demand))
    changes = draft_from_form(form, DemandPatch) if form.is_valid() else None
    if changes is not None:
        try:
            services.update_demand(principal=principal, demand=demand, changes=changes)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("demands:detail", demand.public_id)
    return render(
        request,
        "demands/form.html",
        {"form": form, "org": demand.organisation, "demand": demand},
        status=form_status(form),
    )


@login_required
@require_POST
@domain_errors
def change_status(request: HttpRequest, demand_id: str) -> HttpResponse:
    principal = _principal(request)
    demand = access.demand_for(principal, demand_id, Action.EDIT)
    form = StatusForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("Choose a status."))
    services.change_status(
        principal=principal,
        demand=demand,
        status=form.cleaned_data["status"],
        note=form.cleaned_data["note"],
    )
    messages.success(
        request,
        _("The status is now: %(status)s.")
        % {"status": Demand.Status(form.cleaned_data["status"]).label},
    )
    return redirect("demands:detail", demand.public_id)


@login_required
@require_POST
@domain_errors
def add_tag(request: HttpRequest, demand_id: str) -> HttpResponse:
    principal = _principal(request)
    demand = access.demand_for(principal, demand_id, Action.EDIT)
    form = TagForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("Give the code of a skill or tool."))
    services.add_profile_tag(principal=principal, demand=demand, code=form.cleaned_data["code"])
    messages.success(request, _("Tag added."))
    return redirect("demands:detail", demand.public_id)


@login_required
@require_POST
@domain_errors
def remove_tag(request: HttpRequest, demand_id: str, tag_id: int) -> HttpResponse:
    principal = _principal(request)
    demand = access.demand_for(principal, demand_id, Action.EDIT)
    services.remove_profile_tag(principal=principal, demand=demand, tag_id=tag_id)
    messages.success(request, _("Tag removed; it will not come back when the text changes."))
    return redirect("demands:detail", demand.public_id)


# --- connectors -------------------------------------------------------------------------------


@login_required
@require_POST
@domain_errors
def create_webhook(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    organisation = access.enterprise_for(principal, org_id, Action.MANAGE_CONNECTORS)
    secret = services.create_webhook_secret(principal=principal, organisation=organisation)
    request.session["demands_webhook_secret"] = secret  # shown once, on the next page
    return redirect("demands:organisation", organisation.public_id)


@login_required
@require_POST
@domain_errors
def add_feed(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    organisation = access.enterprise_for(principal, org_id, Action.MANAGE_CONNECTORS)
    form = FeedForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("Give the feed's URL and format."))
    feed = services.add_feed(
        principal=principal,
        organisation=organisation,
        url=form.cleaned_data["url"],
        format=form.cleaned_data["format"],
    )
    messages.success(request, _("The feed is registered; it will be pulled shortly."))
    return redirect("demands:feed", feed.pk)


@login_required
@domain_errors
def feed(request: HttpRequest, feed_id: int) -> HttpResponse:
    principal = _principal(request)
    the_feed = access.feed_for(principal, feed_id, Action.VIEW)
    page = Paginator(queries.syncs_of(the_feed), PAGE_SIZE).get_page(request.GET.get("page"))
    role = role_in(principal, the_feed.organisation)
    return render(
        request,
        "demands/feed.html",
        {"feed": the_feed, "page": page, "can_edit": role in access.EDITORS},
    )


@login_required
@require_POST
@domain_errors
def sync_now(request: HttpRequest, feed_id: int) -> HttpResponse:
    principal = _principal(request)
    the_feed = access.feed_for(principal, feed_id, Action.EDIT)
    syncing.request_feed_sync(principal=principal, feed=the_feed)
    messages.success(request, _("The feed is being pulled; its report appears below."))
    return redirect("demands:feed", the_feed.pk)


@login_required
@domain_errors
def export_csv(request: HttpRequest) -> HttpResponse:
    access.require_zone_operator(_principal(request))
    _form, filters = _filters(request)
    demands = queries.filter_demands(queries.demands_visible_to(_principal(request)), filters)
    response = HttpResponse(
        export.csv_rows(demands.order_by("id")), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="nomadcloud-demands.csv"'
    return response


def _json_error(exc: DomainError) -> JsonResponse:
    return JsonResponse(
        {"code": exc.code, "message": exc.message, "fields": exc.fields}, status=exc.status
    )


def _uuid_or_none(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, org_id: str) -> HttpResponse:
    """Signed pushes from the enterprise's system: the body is one demand in the push schema
    (with ``external_id``); ``X-NomadCloud-Signature: sha256=<hex>`` is the HMAC-SHA256 of
    ``"{X-NomadCloud-Timestamp}.{body}"`` with the organisation's webhook secret."""
    body = request.body
    try:
        with transaction.atomic():
            organisation = services.verify_webhook(
                organisation_public_id=_uuid_or_none(org_id),
                timestamp=request.headers.get("X-NomadCloud-Timestamp", ""),
                signature=request.headers.get("X-NomadCloud-Signature", ""),
                body=body,
            )
            try:
                payload = DemandPushIn.model_validate_json(body)
            except ValidationError as exc:
                raise InvalidInput(
                    _("Some fields are not valid."), fields=errors_by_field(exc)
                ) from None
            demand, outcome = services.upsert_demand(
                principal=Principal(user=None),
                organisation=organisation,
                external_id=payload.external_id,
                source=Demand.Source.WEBHOOK,
                draft=payload.draft(),
                status=payload.status,
            )
    except DomainError as exc:
        return _json_error(exc)
    return JsonResponse(
        {"id": str(demand.public_id), "outcome": outcome, "status": demand.status},
        status=201 if outcome == "created" else 200,
    )


# --- applications -----------------------------------------------------------------------------


@login_required
@domain_errors
def apply(request: HttpRequest, demand_id: str) -> HttpResponse:
    """The nomad's application form (GET) and its submission (POST)."""
    principal = _principal(request)
    demand = access.demand_for(principal, demand_id, Action.VIEW)
    assert request.user.is_authenticated
    existing = queries.applications_of(request.user).filter(demand=demand).first()
    if existing is not None:
        messages.info(request, _("You have already applied to this demand."))
        return redirect("demands:application", existing.public_id)
    proofs = applications.proof_labels(request.user, None)
    form = ApplicationForm(request.POST or None, proofs=proofs)
    draft = draft_from_form(form, ApplicationDraft) if form.is_valid() else None
    if draft is not None:
        try:
            application = applications.apply(principal=principal, demand=demand, draft=draft)
        except DomainError as exc:
            if exc.status in (403, 404):  # not a refusal of what was typed: the error page
                raise
            apply_error(form, exc)
        else:
            messages.success(request, _("Your application is sent."))
            return redirect("demands:application", application.public_id)
    return render(
        request,
        "demands/apply.html",
        {"form": form, "demand": demand},
        status=form_status(form),
    )


@login_required
@require_GET
@domain_errors
def my_applications(request: HttpRequest) -> HttpResponse:
    assert request.user.is_authenticated
    page = Paginator(queries.applications_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "demands/my_applications.html", {"page": page})


@login_required
@require_GET
@domain_errors
def application(request: HttpRequest, application_id: str) -> HttpResponse:
    principal = _principal(request)
    the_application = access.application_for(principal, application_id)
    proofs = applications.proof_labels(the_application.applicant, the_application.proofs)
    return render(
        request,
        "demands/application.html",
        {
            "application": the_application,
            "demand": the_application.demand,
            "moves": applications.moves_for(principal, the_application),
            "proofs": [(p, proofs.get(p, p)) for p in the_application.proofs],
            "events": the_application.events.select_related("actor"),
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
@domain_errors
def decide(request: HttpRequest, application_id: str) -> HttpResponse:
    principal = _principal(request)
    the_application = access.application_for(principal, application_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("Choose shortlist or decline."))
    applications.decide(
        principal=principal,
        application=the_application,
        decision=form.cleaned_data["decision"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("Decision saved; the nomad is told."))
    return redirect("demands:application", the_application.public_id)


@login_required
@require_POST
@domain_errors
def withdraw(request: HttpRequest, application_id: str) -> HttpResponse:
    principal = _principal(request)
    the_application = access.application_for(principal, application_id)
    applications.withdraw(principal=principal, application=the_application)
    messages.success(request, _("Your application is withdrawn."))
    return redirect("demands:application", the_application.public_id)
