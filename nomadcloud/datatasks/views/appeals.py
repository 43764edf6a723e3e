"""Appeals of gold items: the worker appeals a known answer they missed; the enterprise lists
and decides the appeals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.core.errors import (
    invalid_field,
)
from nomadcloud.core.pages import domain_errors
from nomadcloud.datatasks import access, queries, services
from nomadcloud.datatasks.access import Action
from nomadcloud.datatasks.forms import (
    AppealForm,
    DecisionForm,
)
from nomadcloud.datatasks.models import Batch, GoldAppeal
from nomadcloud.datatasks.views._common import _principal

# --- appeals of gold items ------------------------------------------------------------------


@login_required
@require_POST
@domain_errors
def appeal(request: HttpRequest, batch_id: str, answer_id: int) -> HttpResponse:
    """The worker appeals the known answer of a gold item they missed."""
    principal = _principal(request)
    batch = access.batch_for_worker(principal, batch_id)
    answer = access.answer_for(principal, batch, answer_id)
    form = AppealForm(request.POST)
    if not form.is_valid():
        raise invalid_field("reason", _("Say why you think the known answer is wrong."))
    services.appeal_gold(principal=principal, answer=answer, reason=form.cleaned_data["reason"])
    messages.success(request, _("Your appeal is sent; a reviewer of the enterprise decides it."))
    return redirect("datatasks:detail", batch.public_id)


@login_required
@domain_errors
def appeals(request: HttpRequest, batch_id: str) -> HttpResponse:
    """The enterprise's list of appeals, with a decision form for reviewers."""
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.VIEW)
    can_review = (
        access.allows(principal, batch.organisation, Action.REVIEW)
        and principal.user is not None
        and batch.status in {Batch.Status.OPEN, Batch.Status.CLOSED}
    )
    rows = list(queries.appeals_of(batch)[:200])
    return render(
        request,
        "datatasks/appeals.html",
        {
            "batch": batch,
            "appeals": [
                (
                    a,
                    DecisionForm(batch=batch, auto_id=f"id_a{a.pk}_%s")
                    if can_review and a.status == GoldAppeal.Status.PENDING
                    else None,
                )
                for a in rows
            ],
        },
    )


@login_required
@require_POST
@domain_errors
def decide(request: HttpRequest, batch_id: str, appeal_id: int) -> HttpResponse:
    """A reviewer upholds or rejects an appeal."""
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.REVIEW)
    the_appeal = access.appeal_for(batch, appeal_id)
    form = DecisionForm(request.POST, batch=batch)
    if not form.is_valid():
        raise invalid_field("decision", _("Choose to uphold or reject the appeal."))
    uphold = form.cleaned_data["decision"] == "uphold"
    corrected = form.cleaned_data.get("value")
    decided = services.decide_appeal(
        principal=principal,
        appeal=the_appeal,
        uphold=uphold,
        note=form.cleaned_data["note"],
        corrected=corrected if corrected not in (None, "", []) else None,
    )
    messages.success(
        request,
        _("The appeal is upheld; the gold item is corrected.")
        if decided.status == GoldAppeal.Status.UPHELD
        else _("The appeal is rejected."),
    )
    return redirect("datatasks:appeals", batch.public_id)
