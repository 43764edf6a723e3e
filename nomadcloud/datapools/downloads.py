"""Downloads of de-identified extracts where the charter allows them (decision 0048).

Under an agreement in force for the ``download`` mode, the consumer asks for a link to the
newest version's extract (the release without the charter's personal columns, poolfiles.py).
The link lives at most ``LINK_SECONDS`` and never past the agreement's end:

- on an S3-compatible storage it is the storage's presigned GET URL (django-storages signs it
  offline; the object store serves the bytes);
- on the local filesystem it is a URL of ``datapools:download`` carrying a signed token
  (Django's signing, salted, with its time); that view checks the token's age, that the asker
  is the person it was issued to, and that the agreement is still in force, then streams the
  file in chunks (``FileResponse``), never reading it whole.

Issuing a link is the use logged (UsageEvent, mode ``download``, rows and bytes).

Every link is a ``DownloadLink`` row (decision 0058) and the URL handed out is always the
platform's own: the steward revokes the links of an agreement (``revoke_links``), and an
agreement that ends revokes its links (``DownloadLink.revoke_live``, called by
``negotiation.move``). A revoked link answers ``link_revoked``, an expired one
``link_expired``. On an S3 storage, opening the link redirects to a presigned GET that
lives ``REDIRECT_SECONDS``, so a revoked link stops working at once and the web process
still never carries the bytes."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, cast

from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import Field

from nomadcloud.accounts.access import require_person, role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, NotFound, invalid_field
from nomadcloud.core.inputs import Draft
from nomadcloud.datapools import access, poolfiles
from nomadcloud.datapools import negotiation as negotiations
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.models import (
    DownloadLink,
    Negotiation,
    UsageEvent,
)
from nomadcloud.datapools.transitions import Side

LINK_SECONDS = 600
REDIRECT_SECONDS = 60
SALT = "datapools.download"


def _is_presigning(storage: Any) -> bool:
    """An S3 storage signs its URLs (django-storages' ``querystring_auth``)."""
    return bool(getattr(storage, "querystring_auth", False)) and hasattr(storage, "bucket_name")


@transaction.atomic
def issue_link(*, principal: Principal, negotiation: Negotiation) -> dict[str, Any]:
    user = require_person(principal)
    if role_in(principal, negotiation.consumer) not in access.EDITORS:
        raise NotFound(_("No such negotiation."))
    now = timezone.now()
    negotiations.require_in_force(negotiation, now)
    if negotiation.policy.get("nc:accessMode") != "download":
        raise Forbidden(_("The agreement does not allow downloads."), code="mode_not_agreed")
    if "download" not in current_charter(negotiation.pool).access_modes:
        raise Forbidden(
            _("The pool's charter no longer allows downloads."), code="download_not_allowed"
        )
    version = negotiation.pool.versions.order_by("-number").select_related("charter").first()
    if version is None:
        raise Conflict(_("No version has been released yet."), code="nothing_released")
    name = poolfiles.ensure_extract(version)
    storage = poolfiles.storage()
    seconds = LINK_SECONDS
    if negotiation.expires_at is not None:
        seconds = max(1, min(seconds, int((negotiation.expires_at - now).total_seconds())))
    expires = now + timedelta(seconds=seconds)
    link = DownloadLink.objects.create(
        negotiation=negotiation, version=version, issued_to=user, issued_at=now, expires_at=expires
    )
    token = signing.dumps({"l": str(link.public_id), "u": user.pk}, salt=SALT)
    url = reverse("datapools:download", args=[token])
    size = storage.size(name)
    # Under an agreement abroad every use is a transfer, logged and counted (decision 0052).
    negotiations.transfer_abroad(principal=principal, negotiation=negotiation, version=version)
    UsageEvent.objects.create(
        negotiation=negotiation,
        version=version,
        actor=user,
        mode="download",
        query_hash=hashlib.sha256(f"{name}:{expires.isoformat()}".encode()).hexdigest(),
        parameters={"file": name, "bytes": size, "expires_at": expires.isoformat()},
        rows=version.row_count,
        at=now,
    )
    audit.record(
        actor=user,
        action="datapools.usage.download",
        obj=negotiation,
        after={"version": version.number, "bytes": size},
    )
    return {
        "id": link.public_id,
        "url": url,
        "expires_at": expires,
        "version": version.number,
        "bytes": size,
    }


def open_link(*, principal: Principal, token: str) -> HttpResponse:
    """The file behind a link: streamed from the local storage, or a redirect to a presigned
    URL of a minute on S3; refused once expired, revoked or the agreement ended."""
    user = require_person(principal)
    try:
        claims = signing.loads(token, salt=SALT, max_age=LINK_SECONDS)
    except signing.SignatureExpired as exc:
        raise Conflict(
            _("This download link has expired: ask for a new one."), code="link_expired"
        ) from exc
    except signing.BadSignature as exc:
        raise NotFound(_("No such download.")) from exc
    link = (
        DownloadLink.objects.filter(public_id=claims.get("l"))
        .select_related("negotiation__pool", "version")
        .first()
    )
    if (
        link is None
        or claims.get("u") != user.pk
        or link.issued_to_id != user.pk
        or role_in(principal, link.negotiation.consumer) not in access.EDITORS
    ):
        raise NotFound(_("No such download."))
    if link.revoked_at is not None:
        raise Conflict(
            _("This download link was revoked: ask for a new one if the agreement allows it."),
            code="link_revoked",
        )
    now = timezone.now()
    if link.expires_at <= now:
        raise Conflict(_("This download link has expired: ask for a new one."), code="link_expired")
    negotiation, version = link.negotiation, link.version
    negotiations.require_in_force(negotiation, now)
    name = poolfiles.extract_name(version)
    filename = f"{negotiation.pool.public_id}-v{version.number}.parquet"
    storage = poolfiles.storage()
    if _is_presigning(storage):
        presigning: Any = storage
        return HttpResponseRedirect(
            presigning.url(
                name,
                expire=REDIRECT_SECONDS,
                parameters={"ResponseContentDisposition": f'attachment; filename="{filename}"'},
            )
        )
    streamed = FileResponse(
        storage.open(name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.apache.parquet",
    )
    return cast(HttpResponse, streamed)


@transaction.atomic
def revoke_links(*, principal: Principal, negotiation: Negotiation) -> int:
    """The steward revokes every link issued under the agreement; how many were live."""
    access.require_side(principal, negotiation.pool, Side.STEWARD)
    user = require_person(principal)
    count = DownloadLink.revoke_live(negotiation, user, "steward")
    audit.record(
        actor=user,
        action="datapools.download.revoke",
        obj=negotiation,
        organisation=negotiation.pool.steward,
        after={"revoked": count},
    )
    return count


def links_query(negotiation: Negotiation) -> QuerySet[DownloadLink]:
    return negotiation.download_links.select_related("issued_to", "version", "revoked_by")


def links_of(negotiation: Negotiation) -> list[DownloadLink]:
    return list(links_query(negotiation)[:50])


# --- revoking one link (decision 0064) ---------------------------------------------------------


class LinkRevocationDraft(Draft):
    """Revoking one download link: the reason is kept with who and when; ``confirm`` must be
    true (the page asks on its confirmation page, an API client says so)."""

    reason: str = Field(min_length=1, max_length=500, description="Why the link is revoked")
    confirm: bool = Field(default=False, description="true: I confirm; it cannot be undone")


def may_revoke(principal: Principal, link: DownloadLink, *, steward: bool | None = None) -> bool:
    """The steward's editors, or the person the link was issued to (``steward``: whether
    the asker is the steward's editor, when the caller knows it already)."""
    if principal.user is None or not principal.can_write:
        return False
    if steward is None:
        steward = access.is_steward(principal, link.negotiation.pool)
    return steward or link.issued_to_id == principal.user.pk


@transaction.atomic
def revoke_link(
    *, principal: Principal, link: DownloadLink, draft: LinkRevocationDraft
) -> DownloadLink:
    """Revoke one link: it then answers 410 (``link_revoked``); the agreement's other links
    keep working. Recorded on the link (who, when, the reason) and in the audit log."""
    user = require_person(principal)
    link = (
        DownloadLink.objects.select_for_update()
        .select_related("negotiation__pool__steward", "negotiation__consumer", "version")
        .get(pk=link.pk)
    )
    if not may_revoke(principal, link):
        raise Forbidden(
            _("Only the steward's editors or the person the link was issued to revoke it."),
            code="not_link_holder",
        )
    if not draft.confirm:
        raise invalid_field(
            "confirm",
            _("Revoking a link cannot be undone: confirm it."),
            code="confirmation_required",
        )
    reason = draft.reason.strip()
    if not reason:
        raise invalid_field("reason", _("Say why the link is revoked."))
    if link.revoked_at is not None:
        raise Conflict(_("This download link is already revoked."), code="already_revoked")
    steward = access.is_steward(principal, link.negotiation.pool)
    link.revoked_at = timezone.now()
    link.revoked_by = user
    link.revoke_reason = "steward" if steward else "holder"
    link.revoke_note = reason
    link.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "revoke_note"])
    audit.record(
        actor=user,
        action="datapools.download.revoke_one",
        obj=link.negotiation,
        organisation=link.negotiation.pool.steward if steward else link.negotiation.consumer,
        after={"link": str(link.public_id), "reason": reason},
        token=principal.token,
    )
    return link


REVOKED_BY = {
    "steward": gettext_lazy("revoked by the steward"),
    "holder": gettext_lazy("revoked by its holder"),
    "ended": gettext_lazy("revoked: the agreement ended"),
}


def link_state(link: DownloadLink, now: datetime | None = None) -> str:
    """What the links table shows for a link, in the reader's language."""
    if link.revoked_at is not None:
        return str(REVOKED_BY.get(link.revoke_reason, gettext_lazy("revoked")))
    if link.expires_at <= (now or timezone.now()):
        return _("expired")
    return _("live")
