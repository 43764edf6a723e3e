"""What datatasks holds about a person (core/privacy.py): the batches they joined (with
their quality figures), the items they labelled and their answers, and the work accepted
from them.

Erasure keeps all of it: the answers are work the enterprise accepted and paid for, and
the accepted work backs credentials and work units; every row points to the pseudonymous
person and holds no name, contact or free text about them."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.datatasks.models import AcceptedWork, Answer, BatchWorker


def export(user: Any) -> dict[str, Any]:
    return {
        "batches_joined": privacy.dump(
            BatchWorker.objects.filter(worker=user).select_related("batch"),
            exclude=["worker", "batch"],
            batch_public_id=lambda w: w.batch.public_id,
        ),
        "answers": privacy.dump(
            Answer.objects.filter(worker=user).select_related("batch", "item"),
            exclude=["worker", "batch", "assignment"],
            batch_public_id=lambda a: a.batch.public_id,
            item_text=lambda a: a.item.text,
        ),
        "accepted_work": privacy.dump(
            AcceptedWork.objects.filter(worker=user).select_related("batch"),
            exclude=["worker", "batch"],
            batch_public_id=lambda w: w.batch.public_id,
        ),
    }


def erase(user: Any) -> None:
    """Nothing to remove: see the module's note."""
