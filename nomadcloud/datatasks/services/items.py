"""A batch's items: the file they come in, checked whole before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_write
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict
from nomadcloud.datatasks import importer
from nomadcloud.datatasks.models import Batch, Item
from nomadcloud.datatasks.services._common import Status
from nomadcloud.datatasks.services.rules import spec_of


@dataclass(frozen=True)
class Upload:
    """An items file as received: its name, its bytes and, if given, its format."""

    name: str
    data: bytes
    format: str = ""


def parse(upload: Upload, spec: importer.Spec) -> importer.ParsedFile:
    fmt = importer.format_for(upload.name, upload.format)
    return importer.parse(upload.data, format=fmt, spec=spec)


def store_items(batch: Batch, parsed: importer.ParsedFile, name: str) -> None:
    Item.objects.filter(batch=batch).delete()
    Item.objects.bulk_create(
        (
            Item(
                batch=batch,
                position=item.line,
                external_id=item.external_id,
                text=item.text,
                context=item.context,
                media_url=item.media_url,
                is_gold=item.is_gold,
                is_qualification=item.is_qualification,
                gold=item.gold,
                explanation=item.explanation,
            )
            for item in parsed.items
        ),
        batch_size=1000,
    )
    batch.file_name = name[-255:]
    batch.file_format = parsed.format
    batch.file_sha256 = parsed.sha256
    batch.file_size = parsed.size
    batch.item_count = len(parsed.items)
    batch.gold_count = parsed.gold_count
    batch.qualification_count = parsed.qualification_count
    batch.save()


def import_items(*, principal: Principal, batch: Batch, upload: Upload) -> Batch:
    """Replace a draft batch's items with those of the file: all of them or none."""
    require_write(principal)
    if batch.status != Status.DRAFT:
        raise Conflict(
            _("Items can only be replaced while the batch is a draft."), code="not_draft"
        )
    parsed = parse(upload, spec_of(batch))
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != Status.DRAFT:
            raise Conflict(
                _("Items can only be replaced while the batch is a draft."), code="not_draft"
            )
        before = {"items": locked.item_count, "file": locked.file_name}
        store_items(locked, parsed, upload.name)
        audit.record(
            actor=principal.user,
            action="datatasks.batch.import",
            obj=locked,
            organisation=locked.organisation,
            before=before,
            after={
                "items": locked.item_count,
                "gold": locked.gold_count,
                "qualification": locked.qualification_count,
                "file": locked.file_name,
                "sha256": locked.file_sha256,
            },
            token=principal.token,
        )
    return locked
