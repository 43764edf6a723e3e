"""Credentials for accepted work, issued from the payloads the lower apps send:
``datatasks.events.batch_accepted``, ``orders.events.milestone_accepted`` (an order's work
is accepted milestone by milestone: one credential per accepted milestone, carrying its
amount) and ``training.events.training_passed`` (connected in ``ProofsConfig.ready``). Proofs reads
nothing back from those apps: the payload carries every claim, and the work units are
computed here from its figures (``proofs/units.py``; docs/decisions/0005).

``backfill`` issues what is missing for work accepted earlier, from the payloads those apps
rebuild from their stored acceptances. Issuing is idempotent per source, so running it
again issues nothing new."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from nomadcloud.bounties.backfill import accepted_milestones as accepted_challenge_milestones
from nomadcloud.bounties.events import ChallengeMilestoneAccepted
from nomadcloud.datatasks.events import BatchAccepted, accepted_batches
from nomadcloud.orders.events import MilestoneAccepted, accepted_milestones
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


def milestone_claims(milestone: MilestoneAccepted) -> list[Pair]:
    """The credential of an accepted milestone of an order: its amount in work units; the
    period starts when the nomad was assigned (or the previous milestone was accepted). The
    name is the order's title, followed by the milestone's when the order has several."""
    title_zh = milestone.title_zh or milestone.title_en
    title_en = milestone.title_en or milestone.title_zh
    if milestone.milestone_count > 1:
        title_zh = f"{title_zh} · {milestone.milestone_title}"
        title_en = f"{title_en} · {milestone.milestone_title}"
    return [
        (
            Holder(milestone.nomad_id, milestone.nomad_public_id),
            Claims(
                kind=Credential.Kind.ORDER,
                source=milestone.reference,
                title_zh=title_zh[:300],
                title_en=title_en[:300],
                enterprise_id=str(milestone.enterprise_id),
                enterprise_zh=milestone.enterprise_name_zh or milestone.enterprise_name_en,
                enterprise_en=milestone.enterprise_name_en or milestone.enterprise_name_zh,
                period_start=milestone.assigned_at or milestone.accepted_at,
                period_end=milestone.accepted_at,
                work_units=units.for_order(milestone.amount),
                revisions=milestone.revisions,
                acceptance="automatic" if milestone.automatically else "enterprise",
                skills=_skills(milestone.skills),
            ),
        )
    ]


def challenge_claims(milestone: ChallengeMilestoneAccepted) -> list[Pair]:
    """One credential per accepted member of the team that signed the challenge, for their
    share of the milestone's amount as the team recorded it (its work units too)."""
    title_zh = f"{milestone.title_zh or milestone.title_en} · {milestone.milestone_title}"
    title_en = f"{milestone.title_en or milestone.title_zh} · {milestone.milestone_title}"
    return [
        (
            Holder(member.user_id, member.user_public_id),
            Claims(
                kind=Credential.Kind.CHALLENGE,
                source=f"{milestone.reference}:{member.user_public_id}",
                title_zh=title_zh[:300],
                title_en=title_en[:300],
                enterprise_id=str(milestone.issuer_id),
                enterprise_zh=milestone.issuer_name_zh or milestone.issuer_name_en,
                enterprise_en=milestone.issuer_name_en or milestone.issuer_name_zh,
                period_start=milestone.started_at,
                period_end=milestone.accepted_at,
                work_units=units.for_order(member.amount),
                acceptance="enterprise",
            ),
        )
        for member in milestone.members
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


def issue_for_milestone(milestone: MilestoneAccepted) -> list[Credential]:
    """The credential of an accepted milestone (by the enterprise or automatically)."""
    return issue_pairs(milestone_claims(milestone))


def issue_for_training(training: TrainingPassed) -> list[Credential]:
    """The credential of a passed training scenario."""
    return issue_pairs(training_claims(training))


# Handlers of the lower apps' events (connected in ``ProofsConfig.ready``).
def on_batch_accepted(batch: BatchAccepted) -> None:
    issue_for_batch(batch)


def on_milestone_accepted(milestone: MilestoneAccepted) -> None:
    issue_for_milestone(milestone)


def on_challenge_milestone_accepted(milestone: ChallengeMilestoneAccepted) -> None:
    issue_pairs(challenge_claims(milestone))


def on_training_passed(training: TrainingPassed) -> None:
    issue_for_training(training)


def _all_claims() -> Iterator[Pair]:
    for batch in accepted_batches():
        yield from batch_claims(batch)
    # orders accepted whole before milestones were accepted one by one hold one credential
    # under the order's reference: their milestones issue nothing more
    whole = set(
        Credential.objects.filter(kind=Credential.Kind.ORDER)
        .exclude(source__contains=":milestone:")
        .values_list("source", flat=True)
    )
    for milestone in accepted_milestones():
        if milestone.order_reference not in whole:
            yield from milestone_claims(milestone)
    for training in passed_trainings():
        yield from training_claims(training)
    for accepted in accepted_challenge_milestones():
        yield from challenge_claims(accepted)


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
