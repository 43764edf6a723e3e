"""The zone operator's review queue of held work units (page); the same as the API at
/api/v1/risk/held-issuances. Anyone but a zone operator gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.risk import access, engine, queries, services
from nomadcloud.risk.forms import HeldDecisionForm
from nomadcloud.risk.models import HeldIssuance


@login_required
@domain_errors
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", HeldIssuance.Status.HELD)
    if status not in HeldIssuance.Status.values:
        status = HeldIssuance.Status.HELD
    rows = list(queries.queue_for(Principal.of(request), status)[:200])
    return render(
        request,
        "risk/queue.html",
        {
            "rows": [(h, queries.reasons(h)) for h in rows],
            "status": status,
            "statuses": HeldIssuance.Status.choices,
            "rules": engine.RULES,
        },
    )


@login_required
@domain_errors
def held(request: HttpRequest, held_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.held_for(principal, held_id)
    form = HeldDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decide = services.release if form.cleaned_data["release"] else services.cancel
        try:
            decide(principal=principal, held=item, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect("risk:queue")
    return render(
        request,
        "risk/held.html",
        {"held": item, "reasons": queries.reasons(item), "form": form},
        status=form_status(form),
    )
