"""Public pages of proofs of work: the did:web document, the Bitstring Status List, the verify
page (paste or upload a credential), and the nomad's own credentials with downloads."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from nomadcloud.accounts.models import User
from nomadcloud.core.errors import NotFound
from nomadcloud.proofs import services
from nomadcloud.proofs.models import Credential

MAX_UPLOAD = 256 * 1024


@require_GET
def did_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(services.did_document(), content_type="application/did+json")


@require_GET
def status_list(request: HttpRequest) -> JsonResponse:
    return JsonResponse(services.status_list_credential(), content_type="application/vc+ld+json")


@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    cp = services.latest_checkpoint()
    if cp is None:
        raise Http404(_("No checkpoint has been published yet."))
    return HttpResponse(cp.note, content_type="text/plain; charset=utf-8")


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    result = None
    text = ""
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is not None:
            if upload.size is not None and upload.size > MAX_UPLOAD:
                error = _("The file is too large.")
            else:
                text = upload.read().decode("utf-8", errors="replace")
        else:
            text = str(request.POST.get("credential", ""))[:MAX_UPLOAD]
        if not error:
            result = services.verify(services.parse(text))
    names = services.check_names()
    checks = [{"label": names[c.name], **c.__dict__} for c in result.checks] if result else []
    work = None
    if result is not None and result.document is not None:
        subject = result.document.get("credentialSubject")
        work = subject.get("work") if isinstance(subject, dict) else None
    return render(
        request,
        "proofs/verify.html",
        {"result": result, "checks": checks, "text": text, "error": error, "work": work},
        status=200,
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    credentials = Credential.objects.filter(user=user).order_by("-issued_at", "-id")
    return render(request, "proofs/mine.html", {"credentials": credentials})


def _own(request: HttpRequest, credential_id: str) -> Credential:
    try:
        assert isinstance(request.user, User)
        return services.credential_for_user(request.user, credential_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
@require_GET
def download(request: HttpRequest, credential_id: str) -> HttpResponse:
    credential = _own(request, credential_id)
    body = json.dumps(services.bundle(credential), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="credential-{credential.public_id}.json"'
    )
    return response
