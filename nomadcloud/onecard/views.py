"""Pages of the one card: the public catalogue, item pages (guide, eligibility check,
statistics, schema.org JSON-LD), the CPSV-AP exports and life-event journeys; the person's
QR code and applications; an application's page for applicant, agent and officers; a
department's queue; the window's QR scan; the catalogue editor's overview. Views fetch
through ``access``, parse a form and call one service."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.access import is_zone_operator, require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import uploads, workdays
from nomadcloud.core.errors import DomainError, Forbidden, NotFound
from nomadcloud.core.pages import domain_errors
from nomadcloud.demands.export import json_ld
from nomadcloud.onecard import (
    access,
    content,
    eligibility,
    journeys,
    jsonld,
    qr,
    queries,
    transitions,
)
from nomadcloud.onecard.forms import AnswersForm, RatingForm
from nomadcloud.onecard.models import Application, MaterialFile, ServiceItem
from nomadcloud.onecard.services import applications as svc
from nomadcloud.onecard.services import catalogue, forwarding
from nomadcloud.onecard.transitions import Role

PAGE_SIZE = 30
ITEM_MOVES = {
    "submit_review": gettext_lazy("Submit for review"),
    "publish": gettext_lazy("Publish"),
    "return": gettext_lazy("Return to draft"),
    "suspend": gettext_lazy("Suspend"),
    "resume": gettext_lazy("Resume"),
    "retire": gettext_lazy("Retire"),
    "publish_version": gettext_lazy("Publish the new version"),
}
AUDIENCES = {
    "domestic_nomad": gettext_lazy("Domestic nomads"),
    "foreign_nomad": gettext_lazy("Foreign nomads"),
    "enterprise": gettext_lazy("Enterprises"),
    "community": gettext_lazy("Communities"),
}


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


def deep_link_url(item: ServiceItem) -> str:
    """The flow that handles a deep-linked item, or '' while that flow is not built. The
    link is a URL name, optionally followed by its arguments separated by spaces
    (``incentives:policy contract``: one incentive policy's page)."""
    if not item.deep_link:
        return ""
    name, *args = item.deep_link.split()
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- public ----------------------------------------------------------------------------------


@require_GET
def catalogue_page(request: HttpRequest) -> HttpResponse:
    audience = request.GET.get("audience", "")[:20]
    life_event = request.GET.get("event", "")[:20]
    q = request.GET.get("q", "").strip()[:60]
    items = queries.published_items(audience=audience, life_event=life_event, q=q)
    return render(
        request,
        "onecard/catalogue.html",
        {
            "items": items,
            "audiences": AUDIENCES,
            "events": {k: content.text(v) for k, v in jsonld.LIFE_EVENT_NAMES.items()},
            "audience": audience,
            "event": life_event,
            "q": q,
            "journeys": journeys.JOURNEYS,
        },
    )


@require_GET
@domain_errors
def item_page(request: HttpRequest, code: str) -> HttpResponse:
    principal = _principal(request)
    item = access.item_for(principal, code)
    version = item.current_version
    if version is None:
        raise NotFound(_("No such service item."))
    answers = {k: request.GET.get(k) for k in ("stay_months",) if request.GET.get(k)}
    user = principal.user if principal.user is not None else None
    outcome = eligibility.evaluate(version.conditions, user, answers)
    url = request.build_absolute_uri(reverse("onecard:item", args=[item.code]))
    return render(
        request,
        "onecard/item.html",
        {
            "item": item,
            "version": version,
            "c": {k: content.text(v) for k, v in version.content.items()},
            "materials": [{**m, "label": content.text(m.get("name"))} for m in version.materials],
            "outcome": outcome,
            "asks_stay": any(c.get("field") == "stay_months" for c in version.conditions),
            "stats": queries.item_statistics(item),
            "deep_link": deep_link_url(item),
            "json_ld": json_ld(jsonld.government_service(item, url)),
            "may_apply": item.status == ServiceItem.Status.PUBLISHED
            and item.handler != ServiceItem.Handler.DEEP_LINK
            and bool(version.form_schema),
        },
    )


@require_GET
def catalogue_jsonld(request: HttpRequest) -> HttpResponse:
    data = jsonld.catalogue(queries.published_items())
    return JsonResponse(
        data, content_type="application/ld+json", json_dumps_params={"ensure_ascii": False}
    )


@require_GET
@domain_errors
def item_jsonld(request: HttpRequest, code: str) -> HttpResponse:
    item = access.item_for(_principal(request), code)
    return JsonResponse(
        jsonld.one(item),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
@domain_errors
def journey_page(request: HttpRequest, key: str) -> HttpResponse:
    journey = journeys.JOURNEYS.get(key)
    if journey is None:
        raise NotFound(_("No such journey."))
    user = _principal(request).user
    return render(
        request,
        "onecard/journey.html",
        {"journey": journey, "steps": journeys.steps(journey, user)},
    )


# --- the person ------------------------------------------------------------------------------


@login_required
@domain_errors
def card(request: HttpRequest) -> HttpResponse:
    user = require_person(_principal(request))
    purpose = request.GET.get("purpose", "window")
    if purpose not in qr.PURPOSES:
        purpose = "window"
    token = qr.issue_token(user, purpose)
    return render(
        request,
        "onecard/card.html",
        {"token": token, "purpose": purpose, "purposes": qr.PURPOSES, "holder": user},
    )


@login_required
@domain_errors
def mine(request: HttpRequest) -> HttpResponse:
    user = require_person(_principal(request))
    page = Paginator(queries.mine(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "onecard/mine.html", {"page": page})


@login_required
@require_POST
@domain_errors
def start(request: HttpRequest, code: str) -> HttpResponse:
    principal = _principal(request)
    user = require_person(principal)
    item = access.item_for(principal, code)
    application = svc.start(actor=user, item=item)
    return redirect("onecard:application", application.public_id)


def _clock_states(application: Application) -> list[tuple[str, Any]]:
    now = timezone.now()
    return [(c.name, workdays.clock_state(c, now)) for c in svc.clocks(application)]


@login_required
@domain_errors
def application_page(request: HttpRequest, application_id: str) -> HttpResponse:
    principal = _principal(request)
    user = require_person(principal)
    application, roles = access.application_for(principal, application_id)
    version = application.version
    moves = transitions.moves_for(transitions.APPLICATION, application.status, roles)
    form = AnswersForm(version.form_schema, initial=application.answers)
    problems = svc.answer_problems(version.form_schema, application.answers, partial=False)
    outcome = eligibility.evaluate(version.conditions, application.applicant, application.answers)
    prefill = (
        eligibility.prefill_sources(application.applicant, version.form_schema)
        if Role.APPLICANT in roles and application.status == Application.Status.DRAFT
        else []
    )
    held = svc.held_sources(application.applicant) if Role.APPLICANT in roles else set()
    provided = {m.get("code"): m for m in application.materials}
    files = {f.pk: f for f in MaterialFile.objects.filter(application=application)}
    materials = [
        {
            **m,
            "label": content.text(m.get("name")),
            "provided": provided.get(m["code"]),
            "file": files.get(int((provided.get(m["code"]) or {}).get("file") or 0)),
            "held": m.get("source") in held,
            "gap": m["code"] in application.gaps,
        }
        for m in version.materials
    ]
    notice = application.notices.last()
    rating = getattr(application, "rating", None)
    submission = getattr(application, "submission", None)
    return render(
        request,
        "onecard/application.html",
        {
            "application": application,
            "c": {k: content.text(v) for k, v in version.content.items()},
            "roles": {r.value for r in roles},
            "moves": moves,
            "form": form,
            "problems": problems,
            "outcome": outcome,
            "prefill": [p for p in prefill if application.answers.get(p.field) != p.value],
            "materials": materials,
            "missing": svc.missing_materials(application),
            "notice": notice,
            "notices": application.notices.count(),
            "supervisor": access.is_supervisor(user, application.department),
            "events": application.events.select_related("actor"),
            "clocks": _clock_states(application) if application.received_at else [],
            "rating": rating,
            "rating_form": RatingForm(),
            "submission": submission,
            "four_eyes_blocked": version.four_eyes and application.reviewed_by_id == user.pk,
            "submit_key": f"{application.public_id}:{application.updated_at.timestamp():.0f}",
            "result_json": json.dumps(application.result, ensure_ascii=False, indent=2)
            if application.result
            else "",
        },
    )


def _text(request: HttpRequest, name: str) -> str:
    return str(request.POST.get(name, ""))[:4000]


@login_required
@require_POST
@domain_errors
def act(request: HttpRequest, application_id: str, action: str) -> HttpResponse:
    """Every move on an application: one service call per action."""
    principal = _principal(request)
    user = require_person(principal)
    application, roles = access.application_for(principal, application_id)
    back = redirect("onecard:application", application.public_id)
    try:
        _dispatch(request, user, application, roles, action)
    except DomainError as exc:
        if isinstance(exc, NotFound | Forbidden):
            raise
        details = [m for msgs in exc.fields.values() for m in msgs]
        messages.error(request, " ".join([exc.message, *details]))
        return back
    messages.success(request, _("Saved."))
    return back


def _dispatch(
    request: HttpRequest, user: Any, application: Application, roles: set[Role], action: str
) -> None:
    if action == "save":
        form = AnswersForm(application.version.form_schema, request.POST)
        if not form.is_valid():
            raise DomainError(
                _("Some answers are not accepted."),
                fields={k: [str(e) for e in v] for k, v in form.errors.items()},
            )
        svc.save_answers(application, actor=user, roles=roles, answers=form.answers())
        if request.POST.get("then") == "submit":
            svc.submit(application, actor=user, roles=roles, key=_text(request, "submit_key"))
    elif action == "prefill":
        svc.use_prefill(application, actor=user, roles=roles, fields=request.POST.getlist("field"))
    elif action == "material":
        upload = request.FILES.get("file")
        svc.attach_material(
            application,
            actor=user,
            roles=roles,
            code=_text(request, "code"),
            file=upload,
            use_held=request.POST.get("use_held") == "1",
        )
    elif action == "submit":
        svc.submit(application, actor=user, roles=roles, key=_text(request, "submit_key"))
    elif action == "resubmit":
        svc.resubmit(application, actor=user, roles=roles)
    elif action == "withdraw":
        svc.withdraw(application, actor=user, roles=roles, reason=_text(request, "reason"))
    elif action == "receive":
        svc.receive(application, actor=user, roles=roles)
    elif action == "accept_with_gaps":
        try:
            due = date.fromisoformat(_text(request, "due"))
        except ValueError:
            raise DomainError(
                _("Give a date as YYYY-MM-DD."), fields={"due": [_("Give a date as YYYY-MM-DD.")]}
            ) from None
        svc.accept_with_gaps(
            application,
            actor=user,
            roles=roles,
            gaps=request.POST.getlist("gaps"),
            due=due,
            reason=_text(request, "reason"),
        )
    elif action == "refuse":
        svc.refuse(
            application,
            actor=user,
            roles=roles,
            reason=_text(request, "reason"),
            appeal=_text(request, "appeal"),
        )
    elif action == "request_supplement":
        items = [
            {"code": code, "text": _text(request, f"text_{code}")}
            for code in request.POST.getlist("items")
        ]
        if _text(request, "other").strip():
            items.append({"code": "other", "text": _text(request, "other")})
        svc.request_supplement(
            application,
            actor=user,
            roles=roles,
            items=items,
            override_reason=_text(request, "override_reason"),
        )
    elif action == "review":
        svc.start_review(application, actor=user, roles=roles)
    elif action == "decide":
        svc.decide(
            application,
            actor=user,
            roles=roles,
            approve=request.POST.get("outcome") == "approve",
            reasons=_text(request, "reasons"),
            rule_version=_text(request, "rule_version"),
        )
    elif action == "issue":
        svc.issue_result(application, actor=user, roles=roles)
    elif action == "forward":
        forwarding.forward(application, actor=user, roles=roles)
    elif action == "retry" and hasattr(application, "submission"):
        if Role.OFFICER not in roles:
            raise DomainError(
                _("Only the department retries a submission."), code="role_not_allowed"
            )
        forwarding.retry(application.submission, actor=user)
    elif action == "suspend":
        svc.suspend(application, actor=user, roles=roles, reason=_text(request, "reason"))
    elif action == "resume":
        svc.resume(application, actor=user, roles=roles)
    elif action == "terminate":
        svc.terminate(application, actor=user, roles=roles, reason=_text(request, "reason"))
    elif action == "rate":
        rating_form = RatingForm(request.POST)
        if not rating_form.is_valid():
            raise DomainError(
                _("Choose one of the five levels."),
                fields={"level": [_("Choose one of the five levels.")]},
            )
        svc.rate(
            application,
            actor=user,
            roles=roles,
            level=rating_form.cleaned_data["level"],
            comment=rating_form.cleaned_data["comment"],
        )
    else:
        raise NotFound(_("No such action."))


@login_required
@domain_errors
def result(request: HttpRequest, application_id: str) -> HttpResponse:
    """The signed result as a JSON file, to keep and verify offline."""
    application, _roles = access.application_for(_principal(request), application_id)
    if not application.result:
        raise NotFound(_("No result has been issued."))
    response = JsonResponse(
        application.result, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="{application.reference}.json"'
    return response


@login_required
def material_file(request: HttpRequest, application_id: str, pk: int) -> HttpResponseBase:
    try:
        application, _roles = access.application_for(_principal(request), application_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    row = MaterialFile.objects.filter(application=application, pk=pk).first()
    if row is None:
        raise Http404(_("No such file."))
    return uploads.download(row)


# --- the department --------------------------------------------------------------------------


@login_required
@domain_errors
def queue(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    department = access.department_for(principal, org_id)
    status = request.GET.get("status", "")
    if status not in Application.Status.values:
        status = ""
    page = Paginator(queries.queue(department, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [(a, _due_colour(a, now)) for a in page]
    return render(
        request,
        "onecard/queue.html",
        {
            "department": department,
            "page": page,
            "rows": rows,
            "counts": queries.queue_counts(department),
            "escalated": queries.escalated_count(department),
            "status": status,
            "statuses": Application.Status.choices,
        },
    )


def _due_colour(application: Application, now: Any) -> str:
    """Green, yellow (past 80 % of the promised time) or red (overdue), from the stored due
    time; the application's page shows the full clock."""
    if application.due_at is None or application.received_at is None:
        return ""
    if application.status in (
        Application.Status.SUPPLEMENT_REQUESTED,
        Application.Status.SUSPENDED,
    ):
        return "paused"
    if now > application.due_at:
        return "red"
    total = (application.due_at - application.received_at).total_seconds() or 1
    used = (now - application.received_at).total_seconds() / total
    return "yellow" if used >= workdays.YELLOW_AT else "green"


@login_required
@domain_errors
def scan(request: HttpRequest) -> HttpResponse:
    """The window scans a holder's code (purpose ``window``): the holder's applications in
    the departments the officer works for."""
    principal = _principal(request)
    user = require_person(principal)
    departments = access.staff_departments(user)
    if not departments and not is_zone_operator(user):
        raise NotFound(_("Only department staff scan one-card codes."))
    holder = None
    found: list[Application] = []
    if request.method == "POST":
        try:
            holder = qr.verify_scan(_text(request, "token"), "window")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            found = list(
                Application.objects.filter(applicant=holder, department__in=departments)
                .exclude(status=Application.Status.DRAFT)
                .select_related("item", "version")
                .order_by("-id")[:50]
            )
    return render(request, "onecard/scan.html", {"holder": holder, "found": found})


# --- the catalogue editor --------------------------------------------------------------------


@login_required
@domain_errors
def manage(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    user = require_person(principal)
    operator = is_zone_operator(user)
    items = ServiceItem.objects.select_related("department", "current_version").order_by("number")
    edits = access.managed_departments(user)
    if not operator:
        if not edits:
            raise NotFound(_("Only catalogue editors manage service items."))
        items = items.filter(department__in=edits)

    def roles(item: ServiceItem) -> set[Role]:
        held = {Role.OPERATOR} if operator else set()
        return held | ({Role.EDITOR} if item.department_id in edits else set())

    rows = [
        (
            item,
            [
                (move, ITEM_MOVES[move])
                for move in ITEM_MOVES
                if move in transitions.moves_for(transitions.ITEM, item.status, roles(item))
                and (move != "publish_version" or item.draft_version_id)
            ],
        )
        for item in items
    ]
    return render(request, "onecard/manage.html", {"rows": rows})


@login_required
@require_POST
@domain_errors
def move_item(request: HttpRequest, code: str, action: str) -> HttpResponse:
    principal = _principal(request)
    user = require_person(principal)
    item = access.item_for(principal, code, manage=True)
    catalogue.move_item(item, action, actor=user, roles=access.item_roles(principal, item))
    messages.success(request, _("Saved."))
    if request.POST.get("back") == "edit":
        return redirect("onecard:edit_item", item.code)
    return redirect("onecard:manage")
