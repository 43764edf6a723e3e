"""One batch: its page (the enterprise's side and the worker's side), editing it, adding a
file, moving its status, aggregating and accepting it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts.access import role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import (
    DomainError,
    InvalidInput,
)
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.datatasks import access, queries, services, transitions
from nomadcloud.datatasks.access import Action
from nomadcloud.datatasks.forms import (
    AppealForm,
    BatchForm,
    StatusForm,
    UploadForm,
)
from nomadcloud.datatasks.models import Batch, BatchWorker
from nomadcloud.datatasks.schemas import BatchPatch
from nomadcloud.datatasks.views._common import _principal, _user
from nomadcloud.datatasks.views.uploads import _upload, limited_uploads

# --- one batch --------------------------------------------------------------------------------


@login_required
@domain_errors
def detail(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch, enterprise = access.batch_for_anyone(principal, batch_id)
    if enterprise:
        return _enterprise_detail(request, principal, batch)
    return _worker_detail(request, principal, batch)


def _enterprise_detail(request: HttpRequest, principal: Principal, batch: Batch) -> HttpResponse:
    org = batch.organisation
    can_edit = access.allows(principal, org, Action.EDIT)
    can_review = access.allows(principal, org, Action.REVIEW) and principal.user is not None
    can_accept = access.allows(principal, org, Action.ACCEPT) and principal.user is not None
    allowed = [
        action
        for action, may in (
            (Action.EDIT, can_edit),
            (Action.REVIEW, can_review),
            (Action.ACCEPT, can_accept),
        )
        if may
    ]
    context = {
        "batch": batch,
        "progress": queries.progress(batch),
        "skills": list(batch.skills.select_related("concept")),
        "events": list(batch.events.select_related("actor")),
        "workers": list(queries.workers_of(batch)[:200]),
        "can_edit": can_edit,
        "moves": transitions.moves_for(batch, allowed),
        "next_statuses": [
            (s, Batch.Status(s).label) for s in sorted(services.TRANSITIONS[batch.status])
        ],
        "upload_form": UploadForm(),
        "accepted": list(queries.accepted_rows_of(batch)),
        "total_owed": queries.total_owed(batch),
        "quality": batch.quality or {},
        "per_label_alpha": sorted((batch.quality or {}).get("per_label_alpha", {}).items()),
        "pending_appeals": queries.pending_appeals(batch),
    }
    return render(request, "datatasks/detail.html", context)


def _worker_detail(request: HttpRequest, principal: Principal, batch: Batch) -> HttpResponse:
    user = _user(request)
    state = queries.worker_state(batch, user)
    refusal = ""
    if state is None:
        if role_in(principal, batch.organisation) is not None:
            refusal = _("Members of the enterprise cannot work on its own batches.")
        elif not user.is_nomad:
            refusal = _(
                "Data batches are worked by digital nomads; say that you are one in your "
                "account settings first."
            )
        elif not batch.accepts_answers():
            refusal = _("This batch is not taking new workers.")
    accepted = batch.accepted_work.filter(worker=user).first()
    context = {
        "batch": batch,
        "state": state,
        "refusal": refusal,
        "pending_pay": queries.pending_pay(batch, user) if state else None,
        "blocked_message": (
            queries.blocked_message(state)
            if state and state.status == BatchWorker.Status.BLOCKED
            else ""
        ),
        "accepted": accepted,
        "skills": list(batch.skills.select_related("concept")),
        "gold_answers": list(queries.gold_answers_of(batch, user)) if state else [],
        "can_appeal": batch.status in {Batch.Status.OPEN, Batch.Status.CLOSED},
        "appeal_form": AppealForm(),
    }
    return render(request, "datatasks/worker.html", context)


@login_required
@domain_errors
def edit(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.EDIT)
    form = BatchForm(request.POST or None, initial=BatchForm.initial_for(batch))
    changes = draft_from_form(form, BatchPatch) if form.is_valid() else None
    if changes is not None:
        try:
            services.update_batch(principal=principal, batch=batch, changes=changes)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("datatasks:detail", batch.public_id)
    return render(
        request,
        "datatasks/form.html",
        {"form": form, "org": batch.organisation, "batch": batch},
        status=form_status(form),
    )


@login_required
@require_POST
@limited_uploads
@domain_errors
def upload(request: HttpRequest, batch_id: str) -> HttpResponse:
    """Replace a draft's items with a new file."""
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.EDIT)
    form = UploadForm(request.POST, request.FILES)
    received = _upload(request, form)
    if received is not None:
        try:
            batch = services.import_items(principal=principal, batch=batch, upload=received)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Imported %(n)d items.") % {"n": batch.item_count})
            return redirect("datatasks:detail", batch.public_id)
    return render(
        request,
        "datatasks/upload.html",
        {"form": form, "batch": batch},
        status=422,
    )


@login_required
@require_POST
@domain_errors
def change_status(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.EDIT)
    form = StatusForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("Choose a status."))
    status = form.cleaned_data["status"]
    services.change_status(
        principal=principal, batch=batch, status=status, note=form.cleaned_data["note"]
    )
    messages.success(
        request, _("The status is now: %(status)s.") % {"status": Batch.Status(status).label}
    )
    return redirect("datatasks:detail", batch.public_id)


@login_required
@require_POST
@domain_errors
def aggregate(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.REVIEW)
    services.aggregate_batch(principal=principal, batch=batch)
    messages.success(request, _("The results were computed again."))
    return redirect("datatasks:detail", batch.public_id)


@login_required
@require_POST
@domain_errors
def accept(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.ACCEPT)
    work = services.accept_batch(principal=principal, batch=batch)
    messages.success(
        request,
        _("The batch is accepted: work of %(n)d workers is recorded.") % {"n": len(work)},
    )
    return redirect("datatasks:detail", batch.public_id)
