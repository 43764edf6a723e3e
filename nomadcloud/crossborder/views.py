"""Pages of cross-border export: the exporter's requests, entries and counters; a new
request and its decision with the cited clauses; evidence; the 网信办 pre-check queue;
whitelist entries with their transfers and reassessment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nomadcloud.accounts.access import is_zone_operator, role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.consent import dpv
from nomadcloud.core import workdays
from nomadcloud.core.errors import DomainError, InvalidInput, NotFound
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.crossborder import access, procedure, queries, services, transitions
from nomadcloud.crossborder.access import Action
from nomadcloud.crossborder.forms import EvidenceForm, RequestForm, ReviewForm, TransferForm
from nomadcloud.crossborder.models import ExportRequest, WhitelistEntry
from nomadcloud.crossborder.schemas import (
    EvidenceDraft,
    ExportRequestDraft,
    ReviewDraft,
    TransferDraft,
    country_name,
)

ACTIONS = {
    "assess": gettext_lazy("route decided"),
    "reassess": gettext_lazy("reassessed"),
    "submit": gettext_lazy("evidence complete"),
    "approve": gettext_lazy("approved"),
    "return": gettext_lazy("returned"),
}


def _history(item: ExportRequest) -> list[dict[str, Any]]:
    states = dict(ExportRequest.State.choices)
    return [
        {
            "at": e.at,
            "action": ACTIONS.get(e.action, e.action),
            "state": states.get(e.to_state, e.to_state),
            "actor": e.actor,
            "reason": e.reason,
        }
        for e in item.events.select_related("actor")
    ]


def _clauses(reasons: list[str]) -> list[tuple[str, str]]:
    return list(
        zip(
            procedure.clause_texts(reasons, "zh"),
            procedure.clause_texts(reasons, "en"),
            strict=True,
        )
    )


@login_required
def whitelist(request: HttpRequest) -> HttpResponse:
    """数据出境白名单 (the one-card hub's item, decision 0064): the person's enterprises,
    each with its whitelist entries and the way to start a cross-border assessment."""
    return render(
        request,
        "crossborder/whitelist.html",
        {"exporters": queries.whitelist_hub(Principal.of(request))},
    )


@login_required
@domain_errors
def exporter(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = Principal.of(request)
    organisation = access.exporter_for(principal, org_id, Action.VIEW)
    return render(
        request,
        "crossborder/exporter.html",
        {
            "organisation": organisation,
            "requests": list(
                ExportRequest.objects.filter(exporter=organisation).order_by("-created_at")[:100]
            ),
            "entries": list(WhitelistEntry.objects.filter(exporter=organisation)[:100]),
            "counters": queries.counters_of(organisation),
            "may_edit": role_in(principal, organisation) in access.ROLES_FOR[Action.EDIT],
        },
    )


def _request_form_page(
    request: HttpRequest, form: RequestForm, title: str, back: str, status: int = 200
) -> HttpResponse:
    return render(
        request, "crossborder/new.html", {"form": form, "title": title, "back": back}, status=status
    )


@login_required
@domain_errors
def new(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = Principal.of(request)
    organisation = access.exporter_for(principal, org_id, Action.EDIT)
    title = _("New cross-border export request")
    back = f"/crossborder/org/{organisation.public_id}/"
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        draft = draft_from_form(form, ExportRequestDraft)
        if draft is not None:
            try:
                item = services.assess_request(
                    principal=principal, exporter=organisation, draft=draft
                )
            except InvalidInput as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request, _("Assessed: %(route)s.") % {"route": procedure.ROUTES[item.route]}
                )
                return redirect("crossborder:request", request_id=item.public_id)
    return _request_form_page(request, form, title, back, form_status(form))


@login_required
@domain_errors
def detail(request: HttpRequest, request_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.request_for(principal, request_id, Action.VIEW)
    sides = set()
    if principal.can_write and role_in(principal, item.exporter) in access.ROLES_FOR[Action.EDIT]:
        sides.add(transitions.EXPORTER)
    if principal.can_write and access.may_review(principal, item):
        sides.add(transitions.REVIEWER)
    return render(
        request,
        "crossborder/request.html",
        {
            "item": item,
            "route": procedure.ROUTES[item.route],
            "country": country_name(item.recipient_country),
            "clauses": _clauses(item.reasons),
            "obligations": list(item.obligations.all()),
            "events": _history(item),
            "entry": WhitelistEntry.objects.filter(request=item).first(),
            "moves": transitions.moves(item.state, sides),
            "evidence_form": EvidenceForm(),
            "review_form": ReviewForm(),
            "consents": services.separate_consents(item) if item.pi_count else 0,
            "clocks": workdays.clocks_for(services.CLOCK_KIND, str(item.public_id)),
        },
    )


def _errors(form: Any) -> str:
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


@login_required
@require_POST
@domain_errors
def evidence(request: HttpRequest, request_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.request_for(principal, request_id, Action.EDIT)
    form = EvidenceForm(request.POST)
    draft = draft_from_form(form, EvidenceDraft, omit=("kind",)) if form.is_valid() else None
    if draft is None:
        raise InvalidInput(_errors(form) or _("Choose the obligation."))
    services.submit_evidence(
        principal=principal, request=item, kind=form.cleaned_data["kind"], draft=draft
    )
    messages.success(request, _("Evidence recorded."))
    return redirect("crossborder:request", request_id=item.public_id)


@login_required
@require_POST
@domain_errors
def decide(request: HttpRequest, request_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.request_for(principal, request_id, Action.REVIEW)
    form = ReviewForm(request.POST)
    draft = draft_from_form(form, ReviewDraft) if form.is_valid() else None
    if draft is None:
        raise InvalidInput(_errors(form) or _("Choose a decision."))
    done = services.review(principal=principal, request=item, draft=draft)
    messages.success(
        request,
        _("The request is now “%(state)s”.") % {"state": ExportRequest.State(done.state).label},
    )
    return redirect("crossborder:request", request_id=item.public_id)


@login_required
@domain_errors
def review(request: HttpRequest) -> HttpResponse:
    principal = Principal.of(request)
    if not (access.is_reviewer(principal) or is_zone_operator(principal)):
        raise NotFound(_("No such page."))
    visible = access.requests_visible_to(principal)
    return render(
        request,
        "crossborder/review.html",
        {
            "waiting": list(visible.filter(state=ExportRequest.State.EVIDENCE_SUBMITTED)[:100]),
            "recent": list(visible.exclude(state=ExportRequest.State.EVIDENCE_SUBMITTED)[:100]),
            "entries": list(access.entries_visible_to(principal)[:200]),
        },
    )


@login_required
@domain_errors
def entry(request: HttpRequest, entry_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.entry_for(principal, entry_id, Action.VIEW)
    may_edit = (
        principal.can_write and role_in(principal, item.exporter) in access.ROLES_FOR[Action.EDIT]
    )
    form = TransferForm(
        initial={
            "purpose": item.purpose,
            "data_categories": item.data_categories,
            "recipient_name": item.recipient_name,
        }
    )
    return render(
        request,
        "crossborder/entry.html",
        {
            "entry": item,
            "route": procedure.ROUTES[item.route],
            "country": country_name(item.recipient_country),
            "transfers": list(item.transfers.select_related("logged_by")[:200]),
            "purpose": dpv.label(dpv.PURPOSES, item.purpose),
            "categories": [dpv.label(dpv.DATA_CATEGORIES, c) for c in item.data_categories],
            "may_edit": may_edit,
            "form": form,
            "pending": services.pending_reassessment(item),
        },
    )


@login_required
@require_POST
@domain_errors
def transfer(request: HttpRequest, entry_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.entry_for(principal, entry_id, Action.EDIT)
    form = TransferForm(request.POST)
    draft = draft_from_form(form, TransferDraft) if form.is_valid() else None
    if draft is None:
        raise InvalidInput(_errors(form) or _("Some fields are not valid."))
    services.log_transfer(principal=principal, entry=item, draft=draft)
    messages.success(request, _("Transfer logged."))
    return redirect("crossborder:entry", entry_id=item.public_id)


@login_required
@domain_errors
def reassess(request: HttpRequest, entry_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.entry_for(principal, entry_id, Action.EDIT)
    old = item.request
    initial = {name: getattr(old, name) for name in RequestForm.base_fields if hasattr(old, name)}
    form = RequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        draft = draft_from_form(form, ExportRequestDraft)
        if draft is not None:
            try:
                made = services.reassess(principal=principal, entry=item, draft=draft)
            except DomainError as exc:
                if not isinstance(exc, InvalidInput):
                    raise
                apply_error(form, exc)
            else:
                return redirect("crossborder:request", request_id=made.public_id)
    return _request_form_page(
        request,
        form,
        _("Reassess the export"),
        f"/crossborder/entries/{item.public_id}/",
        form_status(form),
    )
