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

Issuing a link is the use logged (UsageEvent, mode ``download``, rows and bytes)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.db import transaction
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, NotFound
from nomadcloud.datapools import access, poolfiles
from nomadcloud.datapools import negotiation as negotiations
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.models import IN_FORCE, DatasetVersion, Negotiation, UsageEvent

LINK_SECONDS = 600
SALT = "datapools.download"


def _in_force(negotiation: Negotiation, now: datetime) -> None:
    if negotiation.state not in IN_FORCE or (
        negotiation.expires_at is not None and negotiation.expires_at <= now
    ):
        raise Conflict(_("There is no agreement in force for this."), code="no_agreement")


def _is_presigning(storage: Any) -> bool:
    """An S3 storage signs its URLs (django-storages' ``querystring_auth``)."""
    return bool(getattr(storage, "querystring_auth", False)) and hasattr(storage, "bucket_name")


@transaction.atomic
def issue_link(*, principal: Principal, negotiation: Negotiation) -> dict[str, Any]:
    user = require_person(principal)
    if role_in(principal, negotiation.consumer) not in access.EDITORS:
        raise NotFound(_("No such negotiation."))
    now = timezone.now()
    _in_force(negotiation, now)
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
    filename = f"{negotiation.pool.public_id}-v{version.number}.parquet"
    if _is_presigning(storage):
        presigning: Any = storage
        url = presigning.url(
            name,
            expire=seconds,
            parameters={"ResponseContentDisposition": f'attachment; filename="{filename}"'},
        )
    else:
        token = signing.dumps(
            {"n": str(negotiation.public_id), "v": str(version.public_id), "u": user.pk},
            salt=SALT,
        )
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
    return {"url": url, "expires_at": expires, "version": version.number, "bytes": size}


def open_link(*, principal: Principal, token: str) -> FileResponse:
    """The file behind a local signed link, streamed; refused once expired or revoked."""
    user = require_person(principal)
    try:
        claims = signing.loads(token, salt=SALT, max_age=LINK_SECONDS)
    except signing.SignatureExpired as exc:
        raise Conflict(
            _("This download link has expired: ask for a new one."), code="link_expired"
        ) from exc
    except signing.BadSignature as exc:
        raise NotFound(_("No such download.")) from exc
    negotiation = (
        Negotiation.objects.filter(public_id=claims.get("n")).select_related("pool").first()
    )
    version = DatasetVersion.objects.filter(public_id=claims.get("v")).first()
    if (
        negotiation is None
        or version is None
        or claims.get("u") != user.pk
        or role_in(principal, negotiation.consumer) not in access.EDITORS
    ):
        raise NotFound(_("No such download."))
    now = timezone.now()
    _in_force(negotiation, now)
    if negotiation.expires_at is not None and negotiation.expires_at <= now:
        raise Conflict(_("This download link has expired."), code="link_expired")
    name = poolfiles.extract_name(version)
    return FileResponse(
        poolfiles.storage().open(name, "rb"),
        as_attachment=True,
        filename=f"{negotiation.pool.public_id}-v{version.number}.parquet",
        content_type="application/vnd.apache.parquet",
    )
