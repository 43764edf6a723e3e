"""Pages of presigned uploads (decision 0058): the contribute page's script opens a slot
(``upload_slot``, JSON), PUTs the file to the URLs it names (``upload_put`` on the local
filesystem, the object store otherwise) and then completes it (``upload_complete``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.pages import domain_errors
from nomadcloud.datapools import access, charters, uploads


def _envelope(exc: DomainError) -> JsonResponse:
    """The localized error envelope, as the API answers it."""
    return JsonResponse(
        {"code": exc.code, "message": exc.message, "fields": exc.fields}, status=exc.status
    )


@require_POST
@login_required
def upload_slot(request: HttpRequest, pool_id: str) -> HttpResponse:
    principal = Principal.of(request)
    try:
        pool = access.pool_for(principal, pool_id)
        draft = parse_draft(
            uploads.UploadSlotDraft,
            {
                "size": request.POST.get("size", ""),
                "sha256": request.POST.get("sha256", "").lower(),
                "content_type": request.POST.get("content_type", "text/csv"),
                "consent_notice_version": charters.current_charter(pool).consent_notice_version,
                "give_consent": request.POST.get("consent") == "on",
            },
        )
        slot = uploads.open_slot(principal=principal, pool=pool, draft=draft)
    except DomainError as exc:
        return _envelope(exc)
    body: dict[str, Any] = {
        **slot,
        "id": str(slot["id"]),
        "expires_at": slot["expires_at"].isoformat(),
        "complete_url": reverse("datapools:upload-complete", args=[slot["id"]]),
    }
    return JsonResponse(body, status=201)


@csrf_exempt  # the signed URL is the credential, as a presigned S3 URL is
@require_http_methods(["PUT"])
def upload_put(request: HttpRequest, token: str) -> HttpResponse:
    length = request.headers.get("Content-Length", "")
    try:
        uploads.receive_local(
            token=token, body=request, length=int(length) if length.isdigit() else None
        )
    except DomainError as exc:
        return _envelope(exc)
    return HttpResponse(status=204)


@require_POST
@login_required
@domain_errors
def upload_complete(request: HttpRequest, slot_id: str) -> HttpResponse:
    principal = Principal.of(request)
    contribution = uploads.complete(principal=principal, slot=uploads.slot_for(principal, slot_id))
    if contribution.status == contribution.Status.VALIDATING:
        messages.info(
            request,
            _(
                "Your file was received and is being checked against the pool's schema; "
                "its state and any errors appear here."
            ),
        )
    elif contribution.status == contribution.Status.REJECTED:
        messages.error(request, _("Your file does not match the pool's schema: see the errors."))
    elif contribution.status == contribution.Status.QUARANTINED:
        messages.warning(
            request,
            _(
                "The file holds personal data the charter does not declare; it is "
                "quarantined and not used. Remove it and contribute again."
            ),
        )
    else:
        messages.success(request, _("Thank you: your contribution was accepted."))
    return redirect("datapools:mine")
