"""Credentials for accepted work, issued from the payloads the lower apps send:
``datatasks.events.batch_accepted``, ``orders.events.order_accepted`` and
``training.events.training_passed`` (connected in ``ProofsConfig.ready``). Proofs reads
nothing back from those apps: the payload carries every claim, and the work units are
computed here from its figures (``proofs/units.py``; docs/decisions/0005).

``backfill`` issues what is missing for work accepted earlier, from the payloads those apps
rebuild from their stored acceptances. Issuing is idempotent per source, so running it
again issues nothing new."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from nomadcloud.datatasks.events import BatchAccepted, accepted_batches
from nomadcloud.orders.events import OrderAccepted, accepted_orders
from nomadcloud.proofs import units
from nomadcloud.proofs.events import Holder
from nomadcloud.proofs.models import Credential
from nomadcloud.proofs.services.issuing import Claims, issue_pairs
from nomadcloud.taxonomy.labels import SkillLabel
from nomadcloud.training.events import TrainingPassed, passed_trainings

BACKFILL_CHUNK = 1000  # credentials per issuing transaction when backfilling

Pair = tuple[Holder, Claims]


def _skills(skills: Iterable[SkillLabel]) -> list[tuple[str, str, str]]:
    return [(s.code, s.label_zh, s.label_en) for s in skills]


def batch_claims(batch: BatchAccepted) -> list[Pair]:
    """One credential per worker whose work on the batch was accepted."""
    skills = _skills(batch.skills)
    return [
        (
            Holder(work.user_id, work.user_public_id),
            Claims(
                kind=Credential.Kind.DATA,
                source=f"{batch.batch_id}:{work.user_public_id}",
                title_zh=batch.title_zh or batch.title_en,
                title_en=batch.title_en or batch.title_zh,
                enterprise_id=str(batch.enterprise_id),
                enterprise_zh=batch.enterprise_name_zh or batch.enterprise_name_en,
                enterprise_en=batch.enterprise_name_en or batch.enterprise_name_zh,
                period_start=batch.opened_at,
                period_end=batch.accepted_at,
                work_units=units.for_data(work.pay),
                items=work.items,
                accuracy=work.accuracy,
                skills=list(skills),
            ),
        )
        for work in batch.workers
    ]


def order_claims(order: OrderAccepted) -> list[Pair]:
    """The credential of an accepted order; the period starts when the nomad was assigned."""
    return [
        (
            Holder(order.nomad_id, order.nomad_public_id),
            Claims(
                kind=Credential.Kind.ORDER,
                source=order.reference,
                title_zh=order.title_zh or order.title_en,
                title_en=order.title_en or order.title_zh,
                enterprise_id=str(order.enterprise_id),
                enterprise_zh=order.enterprise_name_zh or order.enterprise_name_en,
                enterprise_en=order.enterprise_name_en or order.enterprise_name_zh,
                period_start=order.assigned_at or order.accepted_at,
                period_end=order.accepted_at,
                work_units=units.for_order(order.total),
                rating=order.rating_by_enterprise,
                revisions=order.revisions,
                acceptance="automatic" if order.automatically else "enterprise",
                skills=_skills(order.skills),
            ),
        )
    ]


def training_claims(training: TrainingPassed) -> list[Pair]:
    """The credential of a passed training scenario; the period starts at enrolment."""
    return [
        (
            Holder(training.nomad_id, training.nomad_public_id),
            Claims(
                kind=Credential.Kind.TRAINING,
                source=training.reference,
                title_zh=training.title_zh or training.title_en,
                title_en=training.title_en or training.title_zh,
                enterprise_id=str(training.enterprise_id),
                enterprise_zh=training.enterprise_name_zh or training.enterprise_name_en,
                enterprise_en=training.enterprise_name_en or training.enterprise_name_zh,
                period_start=training.enrolled_at,
                period_end=training.completed_at,
                work_units=units.for_training(),
                score=training.score,
                skills=_skills(training.skills),
            ),
        )
    ]


def issue_for_batch(batch: BatchAccepted) -> list[Credential]:
    """Credentials for every worker's accepted work on a batch, issued together (one lock,
    bulk inserts)."""
    return issue_pairs(batch_claims(batch))


def issue_for_order(order: OrderAccepted) -> list[Credential]:
    """The credential of an accepted order (by the enterprise or automatically)."""
    return issue_pairs(order_claims(order))


def issue_for_training(training: TrainingPassed) -> list[Credential]:
    """The credential of a passed training scenario."""
    return issue_pairs(training_claims(training))


# Handlers of the lower apps' events (connected in ``ProofsConfig.ready``).
def on_batch_accepted(batch: BatchAccepted) -> None:
    issue_for_batch(batch)


def on_order_accepted(order: OrderAccepted) -> None:
    issue_for_order(order)


def on_training_passed(training: TrainingPassed) -> None:
    issue_for_training(training)


def _all_claims() -> Iterator[Pair]:
    for batch in accepted_batches():
        yield from batch_claims(batch)
    for order in accepted_orders():
        yield from order_claims(order)
    for training in passed_trainings():
        yield from training_claims(training)


def backfill(chunk: int = BACKFILL_CHUNK) -> int:
    """Issue the credentials missing for work accepted before (e.g. before credentials were
    issued automatically), ``chunk`` claims per transaction; say how many were issued."""
    issued = 0
    pending: list[Pair] = []
    for pair in _all_claims():
        pending.append(pair)
        if len(pending) >= chunk:
            issued += len(issue_pairs(pending))
            pending = []
    return issued + len(issue_pairs(pending))
