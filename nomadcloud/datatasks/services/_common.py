"""What the data-work use cases share: the batch statuses, links and titles for notices, the
lease length, and the batch's status history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from nomadcloud.accounts.models import User
from nomadcloud.datatasks.models import Batch, BatchEvent

Status = Batch.Status
TaskType = Batch.TaskType


def url(batch: Batch) -> str:
    return reverse("datatasks:detail", args=[batch.public_id])


def title(obj: Any, field: str = "title") -> str:
    """Both languages, since the reader's is not known when the notice is stored."""
    zh, en = getattr(obj, f"{field}_zh"), getattr(obj, f"{field}_en")
    return f"{zh} / {en}" if zh and en and zh != en else (zh or en)


def lease_seconds() -> int:
    return int(getattr(settings, "DATATASKS_LEASE_SECONDS", 600))


def event(batch: Batch, before: str, after: str, actor: User | None, note: str = "") -> None:
    BatchEvent.objects.create(
        batch=batch, from_status=before, to_status=after, actor=actor, note=note[:200]
    )
