"""Pages of proofs of work.

Public: the did:web document, the Bitstring Status Lists, the latest checkpoint, and the verify
page (paste or upload a credential, scan its QR code, or open a verification link
``/proofs/verify/?credential=<id>``). A nomad's own: the list of their credentials, and per
credential the JSON bundle, the Open Badges 3.0 credential and a printable page with a QR code.
The zone operator's: publish a checkpoint, revoke a credential, register external keys.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nomadcloud.accounts.access import require_zone_operator
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError, NotFound
from nomadcloud.core.pages import apply_error, confirm_page, domain_errors, require_confirmation
from nomadcloud.proofs import access, queries, services
from nomadcloud.proofs.forms import ExternalKeyForm, RevokeForm
from nomadcloud.proofs.models import Credential, ExternalKey
from nomadcloud.proofs.services.external_keys import ScreenedKey

MAX_UPLOAD = 256 * 1024


# --- presenting claims ------------------------------------------------------------------------
def _pick(pair: object, zh: bool) -> str:
    if not isinstance(pair, dict):
        return str(pair or "")
    first, second = ("zh", "en") if zh else ("en", "zh")
    return str(pair.get(first) or pair.get(second) or "")


def _moment(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def present(work: dict[str, Any] | None) -> dict[str, Any] | None:
    """The claims of a credential's ``work`` in the current language, for templates."""
    if not isinstance(work, dict):
        return None
    zh = (get_language() or "").startswith("zh")

    def part(name: str) -> dict[str, Any]:
        value = work.get(name)
        return value if isinstance(value, dict) else {}

    period, enterprise = part("period"), part("enterprise")
    quantity, quality = part("quantity"), part("quality")
    kinds = dict(Credential.Kind.choices)
    acceptance = {"enterprise": _("by the enterprise"), "automatic": _("automatically")}
    raw_skills = work.get("skills")
    skills = raw_skills if isinstance(raw_skills, list) else []
    return {
        "kind": kinds.get(str(work.get("kind")), str(work.get("kind", ""))),
        "title": _pick(work.get("name"), zh),
        "enterprise": _pick(enterprise.get("name"), zh),
        "start": _moment(period.get("start")),
        "end": _moment(period.get("end")),
        "items": quantity.get("items"),
        "hours": quantity.get("hours"),
        "accuracy": quality.get("accuracy"),
        "rating": quality.get("rating"),
        "score": quality.get("score"),
        "revisions": quality.get("revisions"),
        "acceptance": acceptance.get(str(work.get("acceptance")), ""),
        "work_units": work.get("workUnits"),
        "skills": [_pick(s.get("label"), zh) for s in skills if isinstance(s, dict)],
    }


def _row(credential: Credential) -> dict[str, Any]:
    subject = credential.document.get("credentialSubject", {})
    return {"credential": credential, "claims": present(subject.get("work"))}


# --- public pages -----------------------------------------------------------------------------
@require_GET
def did_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(services.did_document(), content_type="application/did+json")


@require_GET
def status_list(request: HttpRequest, number: int) -> JsonResponse:
    try:
        document = services.status_list_credential(number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return JsonResponse(document, content_type="application/vc+ld+json")


@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    cp = services.latest_checkpoint()
    if cp is None:
        raise Http404(_("No checkpoint has been published yet."))
    return HttpResponse(cp.note, content_type="text/plain; charset=utf-8")


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Verify a pasted or uploaded credential, or the one a verification link names."""
    result = None
    text = ""
    error = ""
    status = 200
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
    elif "credential" in request.GET:
        try:
            credential = queries.credential_for(request.GET["credential"])
        except NotFound as exc:
            error, status = exc.message, 404
        else:
            result = services.verify(credential.document)
    names = services.check_names()
    checks = [{"label": names[c.name], **c.__dict__} for c in result.checks] if result else []
    context = {
        "result": result,
        "checks": checks,
        "text": text,
        "error": error,
        "claims": present(result.work) if result else None,
        "credential_id": (result.document or {}).get("id", "") if result else "",
    }
    return render(request, "proofs/verify.html", context, status=status)


# --- the nomad's own --------------------------------------------------------------------------
def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _own(request: HttpRequest, credential_id: str) -> Credential:
    try:
        return access.own_credential(_user(request), credential_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    rows = [_row(c) for c in queries.credentials_of(_user(request))]
    return render(request, "proofs/mine.html", {"rows": rows})


def _json_download(document: dict[str, Any], filename: str, content_type: str) -> HttpResponse:
    body = json.dumps(document, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def download(request: HttpRequest, credential_id: str) -> HttpResponse:
    """The credential with its log index, inclusion proof and checkpoint (for offline)."""
    credential = _own(request, credential_id)
    return _json_download(
        services.bundle(credential),
        f"credential-{credential.public_id}.json",
        "application/json",
    )


@login_required
@require_GET
def openbadge(request: HttpRequest, credential_id: str) -> HttpResponse:
    """The credential as an Open Badges 3.0 credential, for wallets that expect one."""
    credential = _own(request, credential_id)
    return _json_download(
        services.openbadge(credential),
        f"openbadge-{credential.public_id}.json",
        "application/vc+ld+json",
    )


def qr_svg(url: str) -> str:
    """An SVG QR code (error correction M) of a URL, to embed in a page."""
    code = segno.make(url, error="m", micro=False)
    return code.svg_inline(scale=4, border=4, dark="#000", light="#fff", omitsize=False)


@login_required
@require_GET
def printable(request: HttpRequest, credential_id: str) -> HttpResponse:
    credential = _own(request, credential_id)
    url = services.verification_url(credential)
    context = {
        **_row(credential),
        "url": url,
        "qr": mark_safe(qr_svg(url)),  # noqa: S308 (generated by segno from our own URL)
        "issuer": credential.document.get("issuer"),
        "log_index": credential.log_entry.index,
    }
    return render(request, "proofs/print.html", context)


# --- the zone operator ------------------------------------------------------------------------
def _operator_context(
    request: HttpRequest, lookup: str | None = None, **extra: Any
) -> dict[str, Any]:
    lookup = (request.GET.get("credential", "") if lookup is None else lookup).strip()
    found = None
    if lookup:
        try:
            found = queries.credential_for(lookup)
        except NotFound as exc:
            messages.error(request, exc.message)
    recent = Credential.objects.select_related("log_entry", "user").order_by("-id")[:20]
    return {
        "size": services.log_size(),
        "checkpoint": services.latest_checkpoint(),
        "keys": ExternalKey.objects.order_by("name"),
        "found": _row(found) if found else None,
        "lookup": lookup,
        "recent": [_row(c) for c in recent],
        "revoke_form": RevokeForm(),
        "key_form": ExternalKeyForm(),
        **extra,
    }


@login_required
@require_GET
@domain_errors
def operator(request: HttpRequest) -> HttpResponse:
    require_zone_operator(Principal.of(request))
    return render(request, "proofs/operator.html", _operator_context(request))


@login_required
@require_POST
@domain_errors
def operator_checkpoint(request: HttpRequest) -> HttpResponse:
    cp, new = services.publish_checkpoint_as(principal=Principal.of(request))
    if new:
        published = ngettext(
            "Checkpoint published for %(n)d entry.",
            "Checkpoint published for %(n)d entries.",
            cp.size,
        )
        messages.success(request, published % {"n": cp.size})
    else:
        messages.info(request, _("The log has not grown since the last checkpoint."))
    return redirect("proofs:operator")


@login_required
@domain_errors
def operator_revoke(request: HttpRequest, credential_id: str) -> HttpResponse:
    """GET (the operator page's form, with the reason): what revoking does, to confirm;
    POST with the reason and the confirmation: revoke."""
    principal = Principal.of(request)
    require_zone_operator(principal)
    credential = queries.credential_for(credential_id)
    form = RevokeForm(request.POST if request.method == "POST" else request.GET)
    if form.is_valid() and request.method != "POST":
        return _revoke_confirmation(request, credential, form.cleaned_data["reason"])
    if form.is_valid():
        require_confirmation(request)
        try:
            services.revoke(
                principal=principal, credential=credential, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            if not exc.fields:
                raise
            apply_error(form, exc)
        else:
            messages.success(request, _("The credential is revoked."))
            return redirect(f"{reverse('proofs:operator')}?credential={credential.public_id}")
    context = _operator_context(request, str(credential.public_id), revoke_form=form)
    return render(request, "proofs/operator.html", context, status=422)


def _revoke_confirmation(request: HttpRequest, credential: Credential, reason: str) -> HttpResponse:
    work = credential.document.get("credentialSubject", {}).get("work", {})
    name = work.get("name", {}) if isinstance(work, dict) else {}
    language = "en" if (get_language() or "").startswith("en") else "zh"
    title = name.get(language, "") if isinstance(name, dict) else ""
    units = str(work.get("workUnits", "0")) if isinstance(work, dict) else "0"
    return confirm_page(
        request,
        title=_("Revoke this credential?"),
        action=request.path,
        button=_("Revoke the credential"),
        back=f"{reverse('proofs:operator')}?credential={credential.public_id}",
        summary=[
            (_("Credential"), str(credential.public_id)),
            (_("Work"), str(title)),
            (_("Holder"), str(credential.user)),
            (_("Work units it carries"), units),
            (_("Reason"), reason),
        ],
        consequences=[
            _(
                "The credential is marked revoked in the status list: every verifier sees it as "
                "revoked from now on."
            ),
            _(
                "The work units it carried (%(units)s) are taken back from the holder's wallet, "
                "as far as they are left."
            )
            % {"units": units},
        ],
        fields={"reason": reason},
    )


@login_required
@domain_errors
def operator_keys(request: HttpRequest) -> HttpResponse:
    """GET (the operator page's form): the screened key and what trusting it means, to
    confirm; POST with the form and the confirmation: register it."""
    principal = Principal.of(request)
    require_zone_operator(principal)
    posted = request.method == "POST"
    form = ExternalKeyForm(request.POST if posted else request.GET)
    if form.is_valid():
        if posted:
            require_confirmation(request)
        try:
            if not posted:
                screened = services.preview_external_key(principal=principal, **form.cleaned_data)
                return _key_confirmation(request, screened, form.cleaned_data)
            key = services.register_external_key(principal=principal, **form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Key %(name)s registered.") % {"name": key.name})
            return redirect("proofs:operator")
    return render(
        request, "proofs/operator.html", _operator_context(request, key_form=form), status=422
    )


def _key_confirmation(
    request: HttpRequest, screened: ScreenedKey, data: dict[str, str]
) -> HttpResponse:
    purpose = str(ExternalKey.Purpose(screened.purpose).label)
    return confirm_page(
        request,
        title=_("Register the key %(name)s?") % {"name": screened.name},
        action=request.path,
        button=_("Register the key"),
        back=reverse("proofs:operator"),
        summary=[
            (_("Name"), screened.name),
            (_("Purpose"), purpose),
            (_("Public key"), screened.multikey),
        ],
        consequences=[
            _(
                "Signatures by this key are trusted from now on for: %(purpose)s. The key "
                "passed screening."
            )
            % {"purpose": purpose},
            _("A registered key stays in the record; check it with its owner before you confirm."),
        ],
        fields={k: str(v) for k, v in data.items()},
    )
