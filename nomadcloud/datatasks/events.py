"""What datatasks tells the apps above it, as named events with typed payloads
(``core.events``; docs/decisions/0004). ``accept_batch`` sends ``batch_accepted`` once, in
its transaction; proofs of work issue each worker's credential from the payload alone.

``accepted_batches`` yields the same payloads for batches accepted earlier (the proofs
backfill), read from the stored acceptance."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from nomadcloud.core.events import Event
from nomadcloud.datatasks.models import AcceptedWork, Batch
from nomadcloud.taxonomy.labels import SkillLabel
from nomadcloud.taxonomy.models import Concept


@dataclass(frozen=True)
class WorkerAccepted:
    """One worker's accepted work on the batch. ``accuracy`` is the share right on gold items
    (0–1, qualification included) or None; ``pay`` = items accepted × pay per item, exact."""

    user_id: int
    user_public_id: UUID
    items: int
    accuracy: float | None
    pay: Decimal


@dataclass(frozen=True)
class BatchAccepted:
    """An enterprise accepted a data batch. The work ran from ``opened_at`` (when the batch
    opened, else when it was created) to ``accepted_at``."""

    batch_id: UUID
    title_zh: str
    title_en: str
    enterprise_id: UUID
    enterprise_name_zh: str
    enterprise_name_en: str
    opened_at: datetime
    accepted_at: datetime
    skills: tuple[SkillLabel, ...]
    workers: tuple[WorkerAccepted, ...]


batch_accepted: Event[BatchAccepted] = Event("datatasks.batch_accepted")


def payload(batch: Batch, rows: Iterable[AcceptedWork], skills: Iterable[Concept]) -> BatchAccepted:
    """The payload of an accepted batch from its acceptance rows (with their workers) and the
    concepts of its skills (in code order)."""
    org = batch.organisation
    assert batch.accepted_at is not None
    return BatchAccepted(
        batch_id=batch.public_id,
        title_zh=batch.title_zh,
        title_en=batch.title_en,
        enterprise_id=org.public_id,
        enterprise_name_zh=org.name_zh,
        enterprise_name_en=org.name_en,
        opened_at=batch.opened_at or batch.created_at,
        accepted_at=batch.accepted_at,
        skills=tuple(SkillLabel.of(concept) for concept in skills),
        workers=tuple(
            WorkerAccepted(
                user_id=row.worker.pk,
                user_public_id=row.worker.public_id,
                items=row.items_accepted,
                accuracy=row.accuracy,
                pay=row.amount,
            )
            for row in rows
        ),
    )


def accepted_batches() -> Iterator[BatchAccepted]:
    """The payload of every accepted batch, as stored at its acceptance (oldest first)."""
    batches = (
        Batch.objects.filter(status=Batch.Status.ACCEPTED, accepted_at__isnull=False)
        .select_related("organisation")
        .order_by("accepted_at", "id")
    )
    for batch in batches.iterator(chunk_size=200):
        rows = list(
            AcceptedWork.objects.filter(batch=batch).select_related("worker").order_by("id")
        )
        codes = sorted({s["code"] for row in rows for s in row.skills})
        concepts = Concept.objects.filter(code__in=codes).order_by("code")
        yield payload(batch, rows, concepts)
