"""Presigned uploads of contributions (decision 0058): the file goes straight to storage, never
through the web process's memory.

1. The contributor opens a slot for one file, declaring its size, SHA-256 and content type
   (``open_slot``); a size over the pool's limit is refused.
2. The answer names where to PUT the bytes:
   - on an S3-compatible storage, a multipart upload (``CreateMultipartUpload``) and one
     presigned ``UploadPart`` URL per part of ``PART_BYTES`` (signed offline by botocore),
     living ``SLOT_SECONDS``;
   - on the local filesystem, one URL of ``datapools:upload-put`` carrying a signed token
     (Django's signing, salted), whose view (``receive_local``) streams the body to storage in
     chunks, refusing a body over the declared size or with another checksum.
3. ``complete`` (the contributor only; someone else's slot is not found) finishes the
   multipart upload, checks the stored file's size and SHA-256, and runs the ordinary
   contribution (consent, schema, quarantine) on it. The raw upload is then deleted: the
   contribution keeps its typed rows (or, quarantined, only the findings). On any refusal the
   stored file is deleted too: nothing is kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import tempfile
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from django.core import signing
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import Field

from nomadcloud.accounts.access import parse_public_id, require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, InvalidInput, NotFound, invalid_field
from nomadcloud.core.inputs import Draft
from nomadcloud.core.jobs import enqueue_once
from nomadcloud.datapools import poolfiles, services, uploads_check, validation
from nomadcloud.datapools.downloads import _is_presigning
from nomadcloud.datapools.models import Contribution, Pool, UploadSlot

SLOT_SECONDS = 900
# A CSV up to the form's limit is checked at completion, as the form's file is; a larger
# file, or any Parquet file, up to LARGE_MAX_BYTES, by a background job (decision 0064).
LARGE_MAX_BYTES = 200_000_000
CSV, PARQUET = "text/csv", "application/vnd.apache.parquet"
PART_BYTES = 8 * 1024 * 1024  # S3 parts are at least 5 MiB but the last
UPLOADS = "datapools/uploads"
SALT = "datapools.upload"
CHUNK = 64 * 1024


class UploadSlotDraft(Draft):
    """What the contributor declares about the file before sending it."""

    size: int = Field(ge=1, description="The file's size in bytes")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file, hex")
    content_type: Literal["text/csv", "application/vnd.apache.parquet"] = Field(
        default="text/csv",
        description="text/csv (UTF-8 with a header line) or application/vnd.apache.parquet",
    )
    consent_notice_version: str = Field(min_length=1, max_length=40)
    give_consent: bool = False


def _client(storage: Any) -> Any:
    return storage.connection.meta.client


def _parts(size: int) -> int:
    return max(1, math.ceil(size / PART_BYTES))


@transaction.atomic
def open_slot(*, principal: Principal, pool: Pool, draft: UploadSlotDraft) -> dict[str, Any]:
    user = require_person(principal)
    if pool.status != Pool.Status.OPEN:
        raise Conflict(_("This pool does not take contributions now."), code="pool_not_open")
    if draft.size > LARGE_MAX_BYTES:
        raise invalid_field(
            "size",
            _("The file is larger than the pool's limit of %(n)s bytes.") % {"n": LARGE_MAX_BYTES},
            code="file_too_large",
        )
    now = timezone.now()
    slot = UploadSlot(
        pool=pool,
        contributor=user,
        size=draft.size,
        sha256=draft.sha256,
        content_type=draft.content_type,
        consent_notice_version=draft.consent_notice_version.strip(),
        give_consent=draft.give_consent,
        created_at=now,
        expires_at=now + timedelta(seconds=SLOT_SECONDS),
    )
    slot.key = f"{UPLOADS}/{slot.public_id}.{'parquet' if draft.content_type == PARQUET else 'csv'}"
    storage = poolfiles.storage()
    parts: list[dict[str, Any]] = []
    if _is_presigning(storage):
        client = _client(storage)
        bucket = storage.bucket_name  # type: ignore[attr-defined]
        made = client.create_multipart_upload(
            Bucket=bucket, Key=slot.key, ContentType=slot.content_type
        )
        slot.multipart_id = made["UploadId"]
        for number in range(1, _parts(slot.size) + 1):
            url = client.generate_presigned_url(
                "upload_part",
                Params={
                    "Bucket": bucket,
                    "Key": slot.key,
                    "UploadId": slot.multipart_id,
                    "PartNumber": number,
                },
                ExpiresIn=SLOT_SECONDS,
                HttpMethod="PUT",
            )
            parts.append({"number": number, "url": url})
    else:
        token = signing.dumps({"s": str(slot.public_id)}, salt=SALT)
        parts.append({"number": 1, "url": reverse("datapools:upload-put", args=[token])})
    slot.save()
    audit.record(actor=user, action="datapools.upload.open", obj=pool, after={"bytes": slot.size})
    return {
        "id": slot.public_id,
        "method": "PUT",
        "multipart": bool(slot.multipart_id),
        "part_bytes": PART_BYTES,
        "parts": parts,
        "expires_at": slot.expires_at,
        "checked_later": is_large(slot),
    }


def is_large(slot: UploadSlot) -> bool:
    """Checked by the background job rather than at completion (decision 0064)."""
    return slot.content_type == PARQUET or slot.size > validation.MAX_BYTES


def _live(slot: UploadSlot) -> None:
    if slot.status != UploadSlot.Status.OPEN:
        raise Conflict(_("This upload is already completed."), code="upload_completed")
    if slot.expires_at <= timezone.now():
        raise Conflict(_("This upload slot has expired: ask for a new one."), code="upload_expired")


def _wrong_size(slot: UploadSlot) -> InvalidInput:
    return invalid_field(
        "file",
        _("The file is not the declared %(n)s bytes.") % {"n": slot.size},
        code="size_mismatch",
    )


def _wrong_checksum() -> InvalidInput:
    return invalid_field(
        "file", _("The file's SHA-256 is not the one declared."), code="checksum_mismatch"
    )


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def receive_local(*, token: str, body: Readable, length: int | None) -> UploadSlot:
    """The body of a local signed PUT, streamed in chunks to storage; refused (nothing kept)
    when the slot expired, the body is over the declared size or its checksum differs."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=SLOT_SECONDS)
    except signing.SignatureExpired as exc:
        raise Conflict(
            _("This upload slot has expired: ask for a new one."), code="upload_expired"
        ) from exc
    except signing.BadSignature as exc:
        raise NotFound(_("No such upload.")) from exc
    slot = UploadSlot.objects.filter(public_id=claims.get("s")).first()
    if slot is None:
        raise NotFound(_("No such upload."))
    _live(slot)
    if length is not None and length > slot.size:
        raise _wrong_size(slot)
    digest = hashlib.sha256()
    received = 0
    with tempfile.SpooledTemporaryFile(max_size=CHUNK * 4) as spool:
        while chunk := body.read(CHUNK):
            received += len(chunk)
            if received > slot.size:
                raise _wrong_size(slot)
            digest.update(chunk)
            spool.write(chunk)
        if received != slot.size:
            raise _wrong_size(slot)
        if digest.hexdigest() != slot.sha256:
            raise _wrong_checksum()
        spool.seek(0)
        storage = poolfiles.storage()
        if storage.exists(slot.key):
            storage.delete(slot.key)
        storage.save(slot.key, File(spool, name=slot.key.rsplit("/", 1)[-1]))
    return slot


def slot_for(principal: Principal, public_id: object) -> UploadSlot:
    """The asker's own slot; anyone else's is not found."""
    user = require_person(principal)
    slot = (
        UploadSlot.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such upload.")), contributor=user
        )
        .select_related("pool")
        .first()
    )
    if slot is None:
        raise NotFound(_("No such upload."))
    return slot


def _finish_multipart(slot: UploadSlot) -> None:
    storage: Any = poolfiles.storage()
    client = _client(storage)
    listed = client.list_parts(Bucket=storage.bucket_name, Key=slot.key, UploadId=slot.multipart_id)
    parts = [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in listed.get("Parts", [])]
    if not parts:
        raise invalid_field("file", _("No part of the file has arrived."), code="file_missing")
    client.complete_multipart_upload(
        Bucket=storage.bucket_name,
        Key=slot.key,
        UploadId=slot.multipart_id,
        MultipartUpload={"Parts": parts},
    )


def _stored_bytes(slot: UploadSlot) -> bytes:
    """The stored file, checked against the declaration (at most the pool's limit)."""
    storage = poolfiles.storage()
    if not storage.exists(slot.key):
        raise invalid_field("file", _("No part of the file has arrived."), code="file_missing")
    if storage.size(slot.key) != slot.size:
        raise _wrong_size(slot)
    with storage.open(slot.key, "rb") as stored:
        data: bytes = stored.read(validation.MAX_BYTES + 1)
    if hashlib.sha256(data).hexdigest() != slot.sha256:
        raise _wrong_checksum()
    return data


def _discard(slot: UploadSlot) -> None:
    storage = poolfiles.storage()
    if slot.multipart_id:
        # Already completed or gone: nothing to abort.
        with contextlib.suppress(Exception):
            _client(storage).abort_multipart_upload(
                Bucket=storage.bucket_name,  # type: ignore[attr-defined]
                Key=slot.key,
                UploadId=slot.multipart_id,
            )
    if storage.exists(slot.key):
        storage.delete(slot.key)


def complete(*, principal: Principal, slot: UploadSlot, method: str = "web_form") -> Contribution:
    """The uploaded file becomes a contribution through the ordinary checks; the raw upload is
    deleted whatever the outcome."""
    user = require_person(principal)
    with transaction.atomic():
        slot = UploadSlot.objects.select_for_update().select_related("pool").get(pk=slot.pk)
        if slot.contributor_id != user.pk:
            raise NotFound(_("No such upload."))
        try:
            _live(slot)
        except Conflict:
            if slot.status == UploadSlot.Status.OPEN:
                _discard(slot)
            raise
    if is_large(slot):
        return _receive_large(principal=principal, slot=slot, method=method)
    try:
        if slot.multipart_id:
            _finish_multipart(slot)
        data = _stored_bytes(slot)
        with transaction.atomic():
            contribution = services.contribute(
                principal=principal,
                pool=slot.pool,
                data=data,
                consent_notice_version=slot.consent_notice_version,
                give_consent=slot.give_consent,
                method=method,
            )
            UploadSlot.objects.filter(pk=slot.pk).update(
                status=UploadSlot.Status.COMPLETED, contribution=contribution
            )
    finally:
        _discard(slot)
    return contribution


def _receive_large(*, principal: Principal, slot: UploadSlot, method: str) -> Contribution:
    """A large file is received under the contributor's consents (checked now, as for any
    contribution) as ``validating``, and the job checks it; the web process never reads
    it. Refused before that (consent, the size stored), nothing is kept."""
    try:
        if slot.multipart_id:
            _finish_multipart(slot)
        storage = poolfiles.storage()
        if not storage.exists(slot.key):
            raise invalid_field("file", _("No part of the file has arrived."), code="file_missing")
        if storage.size(slot.key) != slot.size:
            raise _wrong_size(slot)
        with transaction.atomic():
            contribution = services.receive_for_checking(
                principal=principal,
                pool=slot.pool,
                consent_notice_version=slot.consent_notice_version,
                give_consent=slot.give_consent,
                method=method,
            )
            UploadSlot.objects.filter(pk=slot.pk).update(
                status=UploadSlot.Status.COMPLETED, contribution=contribution
            )
            enqueue_once(
                uploads_check.validate_upload,
                f"contribution:{contribution.public_id}",
                str(contribution.public_id),
            )
    except BaseException:
        _discard(slot)
        raise
    contribution.refresh_from_db()  # the job may have run already (the immediate backend)
    return contribution


def discard_expired(now: datetime | None = None) -> int:
    """The hourly clean-up: slots never completed past their expiry lose their stored file
    (or their open multipart upload) and are deleted; how many."""
    now = now or timezone.now()
    expired = list(UploadSlot.objects.filter(status=UploadSlot.Status.OPEN, expires_at__lte=now))
    for slot in expired:
        _discard(slot)
    UploadSlot.objects.filter(pk__in=[s.pk for s in expired]).delete()
    return len(expired)
