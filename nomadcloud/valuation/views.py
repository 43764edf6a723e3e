"""Pages of valuation: the valuations of the asker's organisations, one valuation with its
inputs, results, sensitivity table, history and the moves the asker may make (sign, review,
issue, withdraw), its snapshot as JSON, and the bubble watch's alerts with their evidence.
The data of each step is entered through the API (docs/valuation.md)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import NotFound
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.pages import domain_errors
from nomadcloud.valuation import access, charts, queries, services, transitions, watch
from nomadcloud.valuation.inputs import AlertMoveDraft
from nomadcloud.valuation.models import Alert, ValuationSnapshot


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
    moves = [m for m in transitions.moves_for(valuation, sides) if m in transitions.PAGE_ACTIONS]
    return render(
        request,
        "valuation/detail.html",
        {
            "valuation": valuation,
            "moves": moves,
            "events": list(valuation.events.select_related("actor")),
            "results": valuation.results,
            "issued": ValuationSnapshot.objects.filter(valuation=valuation).exists(),
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
    services.move(
        principal=principal,
        valuation=valuation,
        action=move,
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, _("Done."))
    return redirect("valuation:detail", valuation.public_id)


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
