"""Pages of the data innovation vouchers: the programmes (public), a programme with its
registered providers and services, provider registration and review, the application, the
voucher with the moves the asker may make (redeem with evidence, confirm delivery, verify…),
an organisation's vouchers and the department's review queue. Views fetch through
``access``, parse with a form, call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.access import is_zone_operator, require_person
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import uploads
from nomadcloud.core.errors import DomainError, NotFound
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.money import format_cny
from nomadcloud.core.pages import (
    apply_error,
    confirm_page,
    domain_errors,
    form_status,
    require_confirmation,
)
from nomadcloud.vouchers import access, budget, engine, queries, services, transitions
from nomadcloud.vouchers.access import Action
from nomadcloud.vouchers.forms import (
    ApplicationForm,
    DecisionForm,
    ProgrammeForm,
    ProviderForm,
    RedemptionForm,
    ServiceForm,
)
from nomadcloud.vouchers.models import Programme, Provider, Voucher
from nomadcloud.vouchers.schemas import (
    ApplicationDraft,
    ProgrammeDraft,
    ProviderDraft,
    RedemptionDraft,
    ServiceDraft,
)
from nomadcloud.vouchers.transitions import Side


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    return render(
        request,
        "vouchers/list.html",
        {
            "programmes": list(queries.programmes_visible_to(principal)[:100]),
            "may_create": bool(access.departments_of(principal)),
        },
    )


@domain_errors
def programme(request: HttpRequest, programme_id: str) -> HttpResponse:
    principal = _principal(request)
    item = access.programme_for(principal, programme_id, Action.VIEW)
    own: list[Provider] = []
    if principal.is_authenticated:
        own = list(queries.providers_of(principal, item))
    return render(
        request,
        "vouchers/programme.html",
        {
            "programme": item,
            "providers": list(queries.registered_providers(item)),
            "own": own,
            "decides": access.decides_for(principal, item.department),
            "open": item.status == Programme.Status.OPEN,
        },
    )


@login_required
@domain_errors
def programme_new(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    require_person(principal)
    departments = access.departments_of(principal)
    if not departments:
        raise NotFound(_("No such page."))
    form = ProgrammeForm(request.POST or None, departments=departments)
    posted = request.method == "POST" and form.is_valid()
    draft = draft_from_form(form, ProgrammeDraft, omit=("department",)) if posted else None
    if draft is not None:
        try:
            created = services.create_programme(
                principal=principal, department=form.cleaned_data["department"], draft=draft
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The programme is open."))
            return redirect("vouchers:programme", created.public_id)
    return render(request, "vouchers/programme_form.html", {"form": form}, status=form_status(form))


@login_required
@domain_errors
def register(request: HttpRequest, programme_id: str) -> HttpResponse:
    principal = _principal(request)
    item = access.programme_for(principal, programme_id, Action.VIEW)
    organisations = access.editable_organisations(
        principal, [Organisation.Kind.ENTERPRISE, Organisation.Kind.COMMUNITY]
    )
    form = ProviderForm(request.POST or None, organisations=organisations)
    posted = request.method == "POST" and form.is_valid()
    draft = draft_from_form(form, ProviderDraft, omit=("organisation",)) if posted else None
    if draft is not None:
        try:
            provider = services.register_provider(
                principal=principal,
                programme=item,
                organisation=form.cleaned_data["organisation"],
                draft=draft,
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Your registration awaits the department's review."))
            return redirect("vouchers:provider", provider.public_id)
    return render(
        request,
        "vouchers/register.html",
        {"programme": item, "form": form, "organisations": organisations},
        status=form_status(form),
    )


@domain_errors
def provider(request: HttpRequest, provider_id: str) -> HttpResponse:
    principal = _principal(request)
    item = access.provider_for(principal, provider_id, Action.VIEW)
    editor = access.is_editor(principal, item.organisation)
    decides = access.decides_for(principal, item.programme.department)
    form = ServiceForm(request.POST or None, programme=item.programme) if editor else None
    if request.method == "POST":
        item = access.provider_for(principal, provider_id, Action.EDIT)
        assert form is not None
        draft = draft_from_form(form, ServiceDraft) if form.is_valid() else None
        if draft is not None:
            try:
                services.add_service(principal=principal, provider=item, draft=draft)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("The service is in your catalogue."))
                return redirect("vouchers:provider", item.public_id)
    return render(
        request,
        "vouchers/provider.html",
        {
            "provider": item,
            "services": list(item.services.all()),
            "form": form,
            "decides": decides,
            "moves": services.provider_moves(item) if decides else [],
            "decision_form": DecisionForm(),
        },
        status=form_status(form) if form is not None else 200,
    )


@login_required
@require_POST
@domain_errors
def provider_decide(request: HttpRequest, provider_id: str) -> HttpResponse:
    principal = _principal(request)
    item = access.provider_for(principal, provider_id, Action.DECIDE)
    services.decide_provider(
        principal=principal,
        provider=item,
        decision=request.POST.get("decision", ""),
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, _("The decision has been recorded."))
    return redirect("vouchers:provider", item.public_id)


def _service_choices(programme: Programme) -> list[tuple[int, str]]:
    choices = []
    for prov in queries.registered_providers(programme):
        for service in prov.services.all():
            if service.active and service.kind in programme.service_kinds:
                label = f"{prov.organisation} · {service} · {format_cny(service.list_price)}"
                choices.append((service.pk, label))
    return choices


@login_required
@domain_errors
def apply(request: HttpRequest, programme_id: str) -> HttpResponse:
    principal = _principal(request)
    item = access.programme_for(principal, programme_id, Action.VIEW)
    organisations = access.editable_organisations(principal, [Organisation.Kind.ENTERPRISE])
    initial: dict[str, Any] = {}
    if request.GET.get("service", "").isdigit():
        initial["service"] = int(request.GET["service"])
    form = ApplicationForm(
        request.POST or None,
        initial=initial,
        organisations=organisations,
        services=_service_choices(item),
    )
    posted = request.method == "POST" and form.is_valid()
    draft = draft_from_form(form, ApplicationDraft, omit=("enterprise",)) if posted else None
    if draft is not None:
        try:
            voucher = services.apply_for_voucher(
                principal=principal,
                programme=item,
                enterprise=form.cleaned_data["enterprise"],
                draft=draft,
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Your application awaits the department's decision."))
            return redirect("vouchers:voucher", voucher.public_id)
    return render(
        request,
        "vouchers/apply.html",
        {"programme": item, "form": form, "organisations": organisations},
        status=form_status(form),
    )


def _voucher_context(principal: Principal, voucher: Voucher) -> dict[str, Any]:
    sides = access.sides_of(principal, voucher)
    redemption = access.live_redemption(voucher)
    moves = set(transitions.voucher_moves(voucher, sides))
    if redemption is not None:
        # The department's "reject" of a redemption is "refuse" on the page (the application's
        # rejection is "reject").
        moves |= {
            "refuse" if m == "reject" else m
            for m in transitions.redemption_moves(redemption, sides)
        }
    status, label = budget.payout_status(redemption)
    return {
        "voucher": voucher,
        "redemption": redemption,
        "findings": [engine.reason(f) for f in redemption.findings] if redemption else [],
        "events": list(voucher.events.select_related("actor")),
        "moves": moves,
        "payout_status": status,
        "payout_label": label,
        # The department's finance officers (the budget's owner) follow it on the payout page.
        "sees_payout": access.is_member(principal, voucher.programme.department)
        or is_zone_operator(principal),
        "accepted_types": uploads.allowed_extensions(),
    }


@login_required
@domain_errors
def voucher(request: HttpRequest, voucher_id: str) -> HttpResponse:
    principal = _principal(request)
    item = access.voucher_for(principal, voucher_id)
    context = _voucher_context(principal, item)
    context["decision_form"] = DecisionForm()
    return render(request, "vouchers/voucher.html", context)


@login_required
@domain_errors
def redeem(request: HttpRequest, voucher_id: str) -> HttpResponse:
    principal = _principal(request)
    item = access.voucher_for(principal, voucher_id, Side.PROVIDER)
    form = RedemptionForm(request.POST or None, request.FILES or None)
    posted = request.method == "POST" and form.is_valid()
    draft = draft_from_form(form, RedemptionDraft, omit=("evidence",)) if posted else None
    if draft is not None:
        try:
            services.request_redemption(
                principal=principal,
                voucher=item,
                draft=draft,
                files=form.cleaned_data["evidence"],
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, _("The redemption is recorded; the enterprise confirms the delivery.")
            )
            return redirect("vouchers:voucher", item.public_id)
    return render(
        request,
        "vouchers/redeem.html",
        {"voucher": item, "form": form, "accepted_types": uploads.allowed_extensions()},
        status=form_status(form),
    )


# Moves on a voucher's page: the side that makes it; the big ones are confirmed first.
MOVES: dict[str, Side] = {
    "approve": Side.DEPARTMENT,
    "reject": Side.DEPARTMENT,
    "cancel": Side.ENTERPRISE,
    "revoke": Side.DEPARTMENT,
    "confirm": Side.ENTERPRISE,
    "dispute": Side.ENTERPRISE,
    "verify": Side.DEPARTMENT,
    "refuse": Side.DEPARTMENT,
}
BIG = frozenset({"approve", "verify", "revoke"})


@login_required
@domain_errors
def act(request: HttpRequest, voucher_id: str, move: str) -> HttpResponse:
    principal = _principal(request)
    if move not in MOVES:
        raise NotFound(_("No such page."))
    item = access.voucher_for(principal, voucher_id, MOVES[move])
    if move in BIG and not (request.method == "POST" and request.POST.get("confirm") == "yes"):
        if request.method == "POST":
            require_confirmation(request)
        return _confirm(request, item, move)
    if request.method != "POST":
        return redirect("vouchers:voucher", item.public_id)
    reason = request.POST.get("reason", "")
    if move in {"approve", "reject"}:
        services.decide_application(
            principal=principal, voucher=item, approve=move == "approve", reason=reason
        )
    elif move == "cancel":
        services.cancel_application(principal=principal, voucher=item, reason=reason)
    elif move == "revoke":
        services.revoke_voucher(principal=principal, voucher=item, reason=reason)
    elif move == "confirm":
        services.confirm_delivery(principal=principal, voucher=item)
    elif move == "dispute":
        services.dispute_delivery(principal=principal, voucher=item, reason=reason)
    else:
        services.decide_redemption(
            principal=principal, voucher=item, verify=move == "verify", reason=reason
        )
    messages.success(request, _("Done."))
    return redirect("vouchers:voucher", item.public_id)


def _confirm(request: HttpRequest, item: Voucher, move: str) -> HttpResponse:
    back = reverse("vouchers:voucher", args=[item.public_id])
    summary = [
        (_("Voucher"), item.code or "—"),
        (_("Enterprise"), str(item.enterprise)),
        (_("Provider"), str(item.provider)),
        (_("Face value"), format_cny(item.face_value)),
    ]
    redemption = access.live_redemption(item)
    if move == "approve":
        title, button = _("Issue the voucher"), _("Issue")
        consequences = [
            _("The face value of %(value)s is committed on the programme's budget.")
            % {"value": format_cny(item.face_value)}
        ]
    elif move == "verify":
        amount = redemption.amount if redemption else item.face_value
        summary.append((_("Amount"), format_cny(amount)))
        title, button = _("Verify the redemption"), _("Verify and approve the payout")
        consequences = [
            _("A payout of %(amount)s to the provider is approved; finance pays and confirms it.")
            % {"amount": format_cny(amount)}
        ]
    else:
        title, button = _("Revoke the voucher"), _("Revoke")
        consequences = [_("The voucher can no longer be redeemed; its budget is released.")]
    fields = {"reason": request.POST.get("reason", "")} if request.method == "POST" else None
    return confirm_page(
        request,
        title=title,
        action=reverse("vouchers:act", args=[item.public_id, move]),
        button=button,
        back=back,
        summary=summary,
        consequences=consequences,
        fields=fields,
        irreversible=move != "approve",
    )


@login_required
def evidence(request: HttpRequest, voucher_id: str, file_id: str) -> HttpResponseBase:
    from django.http import Http404

    try:
        row = access.evidence_for(_principal(request), voucher_id, file_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return uploads.download(row)


@login_required
@domain_errors
def organisation(request: HttpRequest, org_id: str) -> HttpResponse:
    from nomadcloud.accounts.access import Action as OrgAction
    from nomadcloud.accounts.access import organisation_for

    principal = _principal(request)
    org = organisation_for(principal, org_id, OrgAction.VIEW)
    return render(
        request,
        "vouchers/organisation.html",
        {
            "org": org,
            "vouchers": list(queries.vouchers_of(org)[:200]),
            "registrations": list(queries.provider_registrations_of(org)),
        },
    )


@login_required
@domain_errors
def review(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    departments = access.departments_of(principal)
    if not departments and not is_zone_operator(principal):
        raise NotFound(_("No such page."))
    queue = queries.review_queue(departments)
    return render(
        request,
        "vouchers/review.html",
        {
            "departments": departments,
            "providers": list(queue["providers"][:200]),
            "applications": list(queue["applications"][:200]),
            "redemptions": list(queue["redemptions"][:200]),
        },
    )
