"""Pages of valuation: the valuations of the asker's organisations, one valuation with its
inputs, results, sensitivity table, history and the moves the asker may make (sign, review,
issue, withdraw), the forms of the data steps (``steps.py``: the same drafts as the API),
its snapshot as JSON, and the bubble watch's alerts with their evidence. The legal gate,
the quality assessment, issuing and withdrawing cannot be undone: each goes through a
confirmation page first (docs/valuation.md)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, InvalidInput, NotFound
from nomadcloud.core.i18n import localized_text
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.pages import confirm_page, confirmed, domain_errors, require_confirmation
from nomadcloud.valuation import (
    access,
    charts,
    ledgers,
    pdf,
    platform,
    queries,
    services,
    steps,
    transitions,
    watch,
)
from nomadcloud.valuation.inputs import AlertMoveDraft, LegalGateDraft
from nomadcloud.valuation.models import Alert, ValuationSnapshot
from nomadcloud.valuation.transitions import Side


@login_required
@require_GET
def valuation_list(request: HttpRequest) -> HttpResponse:
    principal = Principal.of(request)
    return render(
        request,
        "valuation/list.html",
        {
            "valuations": list(queries.valuations_visible_to(principal)[:200]),
            "assets": list(queries.assets_of(principal)[:200]),
        },
    )


@login_required
@require_GET
@domain_errors
def valuation_detail(request: HttpRequest, valuation_id: str) -> HttpResponse:
    principal = Principal.of(request)
    valuation = access.valuation_for(principal, valuation_id)
    sides = access.sides_of(principal, valuation)
    allowed = transitions.moves_for(valuation, sides)
    moves = [m for m in allowed if m in transitions.PAGE_ACTIONS]
    forms_ = [(s.slug, s.title) for s in steps.STEPS.values() if s.action in allowed]
    return render(
        request,
        "valuation/detail.html",
        {
            "valuation": valuation,
            "moves": moves,
            "steps": forms_,
            "events": list(valuation.events.select_related("actor")),
            "results": valuation.results,
            "issued": ValuationSnapshot.objects.filter(valuation=valuation).exists(),
            "holder_writes": Side.HOLDER in sides,
            "holder_reads": access.may_read_books(principal, valuation.asset.holder),
            "recognised": valuation.book_entries.exists(),
        },
    )


@require_POST
@login_required
@domain_errors
def act(request: HttpRequest, valuation_id: str, move: str) -> HttpResponse:
    if move not in transitions.PAGE_ACTIONS:
        raise NotFound(_("No such page."))
    principal = Principal.of(request)
    valuation = access.valuation_for(principal, valuation_id)
    if move in ("issue", "withdraw") and not confirmed(request):
        return _confirm_move(request, valuation, move)
    if move in ("issue", "withdraw"):
        require_confirmation(request)
    services.move(
        principal=principal,
        valuation=valuation,
        action=move,
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, _("Done."))
    return redirect("valuation:detail", valuation.public_id)


def _confirm_move(request: HttpRequest, valuation: Any, move: str) -> HttpResponse:
    transitions.check(valuation, move)  # refused here already when it is not allowed
    back = reverse("valuation:detail", args=[valuation.public_id])
    summary = [
        (_("Data asset"), localized_text(valuation.asset.title)),
        (_("Final value (CNY)"), str(valuation.final_value or "—")),
    ]
    if move == "issue":
        title, button = _("Issue the valuation?"), _("Issue the valuation")
        consequences = [
            _("An immutable snapshot with its disclosures is written and can be downloaded."),
            _("An earlier issued valuation of this asset is superseded."),
            _("The value joins the asset's price series watched for bubbles."),
        ]
    else:
        title, button = _("Withdraw the valuation?"), _("Withdraw")
        consequences = [_("The valuation stops here; its history is kept.")]
    fields = {"reason": request.POST.get("reason", "")} if move == "withdraw" else {}
    return confirm_page(
        request,
        title=title,
        action=reverse("valuation:act", args=[valuation.public_id, move]),
        button=button,
        back=back,
        summary=summary,
        consequences=consequences,
        fields=fields,
    )


@login_required
@domain_errors
def step(request: HttpRequest, valuation_id: str, slug: str) -> HttpResponse:
    """A data step's form; a valid post is taken (after its confirmation page for the steps
    that cannot be undone), a refused one is shown again with each error on its field."""
    the_step = steps.STEPS.get(slug)
    if the_step is None:
        raise NotFound(_("No such page."))
    principal = Principal.of(request)
    valuation = access.valuation_for(principal, valuation_id)
    _target, side = transitions.check(valuation, the_step.action)
    access.require_side(principal, valuation, side)
    if request.method != "POST":
        initial = {}
        if the_step.slug == "collect":  # the costs the platform's ledgers show, proposed
            initial = ledgers.initial_rows(ledgers.proposed_costs(valuation), steps.COST_ROWS)
        if the_step.slug == "compute":  # the pool's agreement revenue, proposed (0063)
            initial = platform.proposed_income(valuation)
        form = the_step.form(initial=initial)
        return _step_page(request, valuation, the_step, form)
    form = the_step.form(request.POST)
    draft = steps.parse_step(the_step, form)
    if draft is None:
        return _step_page(request, valuation, the_step, form, status=422)
    if the_step.confirm and not confirmed(request):
        return _confirm_step(request, valuation, the_step, draft)
    try:
        the_step.run(principal=principal, valuation=valuation, draft=draft)
    except (InvalidInput, Conflict) as exc:
        steps.show_error(form, exc, the_step.data(form.cleaned_data)[1])
        return _step_page(request, valuation, the_step, form, status=422)
    messages.success(request, _("Saved."))
    return redirect("valuation:detail", valuation.public_id)


def _step_page(
    request: HttpRequest, valuation: Any, the_step: steps.Step, form: Any, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "valuation/step.html",
        {"valuation": valuation, "step": the_step, "form": form},
        status=status,
    )


def _confirm_step(
    request: HttpRequest, valuation: Any, the_step: steps.Step, draft: Any
) -> HttpResponse:
    fields = {k: str(v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken" and v}
    summary = [(_("Data asset"), localized_text(valuation.asset.title))]
    if isinstance(draft, LegalGateDraft):
        failures = services.legal_failures(draft, valuation.valuation_date)
        given = ", ".join(str(steps.RIGHT_LABELS[r.right]) for r in draft.rights) or "—"
        summary.append((_("Rights evidenced"), given))
        if failures:
            consequences = [
                _("The data has no legal basis, so the valuation becomes not recognisable and "
                  "stops:"),
                *failures.values(),
            ]  # fmt: skip
        else:
            consequences = [_("The legal basis is recorded and the quality assessment is next.")]
    else:
        coefficient = sum(
            (d.score * d.weight for d in draft.dimensions), start=Decimal(0)
        ) / Decimal(100)
        summary.append((_("Quality coefficient"), str(coefficient.quantize(Decimal("0.0001")))))
        consequences = [_("The quality assessment is recorded and cannot be entered again.")]
    return confirm_page(
        request,
        title=str(the_step.title),
        action=reverse("valuation:step", args=[valuation.public_id, the_step.slug]),
        button=_("Confirm and record"),
        back=reverse("valuation:step", args=[valuation.public_id, the_step.slug]),
        summary=summary,
        consequences=[str(c) for c in consequences],
        fields=fields,
    )


@login_required
@require_GET
@domain_errors
def snapshot_json(request: HttpRequest, valuation_id: str) -> HttpResponse:
    valuation = access.valuation_for(Principal.of(request), valuation_id)
    row = ValuationSnapshot.objects.filter(valuation=valuation).first()
    if row is None:
        raise NotFound(_("This valuation has not been issued."))
    body = json.dumps({"sha256": row.sha256, "content": row.content}, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="valuation-{valuation.public_id}.json"'
    return response


@login_required
@require_GET
@domain_errors
def snapshot_pdf(request: HttpRequest, valuation_id: str) -> HttpResponse:
    """The issued snapshot as a PDF in the reader's language (decision 0063)."""
    valuation = access.valuation_for(Principal.of(request), valuation_id)
    return pdf.response(valuation)


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    alerts = queries.alerts_visible_to(Principal.of(request))[:200]
    return render(request, "valuation/alerts.html", {"alerts": list(alerts)})


@login_required
@require_GET
@domain_errors
def alert_detail(request: HttpRequest, alert_id: str) -> HttpResponse:
    principal = Principal.of(request)
    alert = access.alert_for(principal, alert_id)
    deciding = access.decides_alert(principal, alert)
    moves = [a for (s, a) in watch.TRANSITIONS if s == alert.state] if deciding else []
    explosive = alert.kind == Alert.Kind.EXPLOSIVE
    return render(
        request,
        "valuation/alert.html",
        {
            "alert": alert,
            "moves": moves,
            "explosive": explosive,
            "index_chart": charts.index_chart(alert.evidence) if explosive else None,
            "bsadf_chart": charts.bsadf_chart(alert.evidence) if explosive else None,
            "events": list(alert.events.select_related("actor")),
            "resolutions": Alert.Resolution.choices,
        },
    )


@require_POST
@login_required
@domain_errors
def alert_act(request: HttpRequest, alert_id: str, move: str) -> HttpResponse:
    principal = Principal.of(request)
    alert = access.alert_for(principal, alert_id)
    draft = parse_draft(
        AlertMoveDraft,
        {
            "action": move,
            "reason": request.POST.get("reason", ""),
            "resolution": request.POST.get("resolution") or None,
        },
    )
    watch.move_alert(principal=principal, alert=alert, draft=draft)
    messages.success(request, _("Done."))
    return redirect("valuation:alert", alert.public_id)
