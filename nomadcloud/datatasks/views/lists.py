"""The lists: the nomads' open batches, an enterprise's batches, and creating a batch from a
file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from nomadcloud.core.errors import (
    DomainError,
)
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.datatasks import access, queries, services
from nomadcloud.datatasks.access import Action
from nomadcloud.datatasks.forms import (
    CreateBatchForm,
)
from nomadcloud.datatasks.schemas import BatchDraft
from nomadcloud.datatasks.views._common import PAGE_SIZE, _principal, _user
from nomadcloud.datatasks.views.uploads import _upload, limited_uploads

# --- lists ------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Open batches to work on, the person's own batches and accepted work."""
    user = _user(request)
    page = Paginator(queries.open_batches_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    organisations = [
        m.organisation
        for m in user.memberships.select_related("organisation").filter(
            organisation__kind="enterprise"
        )
    ]
    return render(
        request,
        "datatasks/list.html",
        {
            "page": page,
            "mine": list(queries.batches_worked_by(user)[:50]),
            "accepted": list(queries.accepted_rows_for(user)[:50]),
            "organisations": organisations,
        },
    )


@login_required
@domain_errors
def organisation(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org = access.enterprise_for(principal, org_id, Action.VIEW)
    page = Paginator(queries.batches_of(org), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "datatasks/organisation.html",
        {"org": org, "page": page, "can_edit": access.allows(principal, org, Action.EDIT)},
    )


@login_required
@limited_uploads
@domain_errors
def create(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org = access.enterprise_for(principal, org_id, Action.EDIT)
    form = CreateBatchForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        upload = _upload(request, form)
        # The settings are checked even when the file is refused, as the form always did.
        settings_parsed = not set(form.errors) - {"file", "format"}
        draft = (
            draft_from_form(form, BatchDraft, omit=("file", "format")) if settings_parsed else None
        )
        if upload is not None and draft is not None:
            try:
                batch = services.create_batch(
                    principal=principal, organisation=org, draft=draft, upload=upload
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The batch is saved as a draft with %(n)d items.") % {"n": batch.item_count},
                )
                return redirect("datatasks:detail", batch.public_id)
    return render(
        request,
        "datatasks/form.html",
        {"form": form, "org": org, "batch": None},
        status=form_status(form),
    )
