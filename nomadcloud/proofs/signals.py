"""Accepting a data batch issues its workers' credentials, in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save


def _batch_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    from nomadcloud.datatasks.models import Batch

    if update_fields and "status" in update_fields and instance.status == Batch.Status.ACCEPTED:
        from nomadcloud.proofs.services import issue_for_batch

        issue_for_batch(instance)


def connect() -> None:
    from nomadcloud.datatasks.models import Batch

    post_save.connect(_batch_saved, sender=Batch, dispatch_uid="proofs.batch_accepted")
