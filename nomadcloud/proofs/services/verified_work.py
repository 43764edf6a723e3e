"""Credentials for accepted work (data batches, orders, passed training)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Min

from nomadcloud.accounts.models import User
from nomadcloud.proofs import units
from nomadcloud.proofs.models import (
    Credential,
)
from nomadcloud.proofs.services.issuing import Claims, issue_pairs


def _skill_labels(codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    from nomadcloud.taxonomy.models import Concept

    wanted = set(codes)
    if not wanted:
        return {}
    return {
        c.code: (c.label_zh or c.label_en or c.code, c.label_en or c.label_zh or c.code)
        for c in Concept.objects.filter(code__in=wanted)
    }


def _skills(pairs: Iterable[tuple[str, int]], labels: dict[str, tuple[str, str]]) -> list[Any]:
    return [(code, *labels.get(code, (code, code))) for code, _level in pairs]


def _data_claims(works: list[Any]) -> list[tuple[User, Claims]]:
    labels = _skill_labels(code for w in works for code, _lvl in w.skills)
    pairs = []
    for work in works:
        batch = work.batch
        org = batch.organisation
        title_zh = batch.title_zh or batch.title_en
        title_en = batch.title_en or batch.title_zh
        claims = Claims(
            kind=Credential.Kind.DATA,
            source=f"{batch.public_id}:{work.user.public_id}",
            title_zh=title_zh,
            title_en=title_en,
            enterprise_id=str(org.public_id),
            enterprise_zh=org.name_zh or org.name_en,
            enterprise_en=org.name_en or org.name_zh,
            period_start=batch.opened_at or batch.created_at,
            period_end=work.accepted_at,
            work_units=units.for_data(work.amount),
            items=work.items_accepted,
            accuracy=work.accuracy,
            skills=_skills(work.skills, labels),
        )
        pairs.append((work.user, claims))
    return pairs


def issue_for_batch(batch: Any) -> list[Credential]:
    """Credentials for every worker's accepted work on an accepted data batch, issued
    together (one lock, bulk inserts)."""
    from nomadcloud.datatasks.services import accepted_work

    works = accepted_work(batch)
    for work in works:
        work.batch.organisation = batch.organisation  # already loaded by the caller
    return issue_pairs(_data_claims(works))


def _order_claims(user: User, accepted: list[Any]) -> list[tuple[User, Claims]]:
    """Claims of accepted orders (``orders.services.AcceptedOrder``); the period starts when
    the nomad was assigned."""
    from nomadcloud.orders.models import OrderEvent

    if not accepted:
        return []
    starts = dict(
        OrderEvent.objects.filter(
            order__public_id__in=[a.order_id for a in accepted], to_status="assigned"
        )
        .values("order__public_id")
        .annotate(first=Min("at"))
        .values_list("order__public_id", "first")
    )
    labels = _skill_labels(code for a in accepted for code, _lvl in a.skills)
    return [
        (
            user,
            Claims(
                kind=Credential.Kind.ORDER,
                source=a.reference,
                title_zh=a.title_zh or a.title_en,
                title_en=a.title_en or a.title_zh,
                enterprise_id=str(a.organisation_id),
                enterprise_zh=a.organisation_name_zh or a.organisation_name_en,
                enterprise_en=a.organisation_name_en or a.organisation_name_zh,
                period_start=starts.get(a.order_id) or a.accepted_at,
                period_end=a.accepted_at,
                work_units=units.for_order(a.total),
                rating=a.rating_by_enterprise,
                revisions=a.revisions,
                acceptance="automatic" if a.accepted_automatically else "enterprise",
                skills=_skills(a.skills, labels),
            ),
        )
        for a in accepted
    ]


def _training_claims(user: User, completions: list[Any]) -> list[tuple[User, Claims]]:
    """Claims of passed training (``training.services.Completion``); the period starts at
    enrolment."""
    from nomadcloud.training.models import Enrolment

    if not completions:
        return []
    starts = dict(
        Enrolment.objects.filter(public_id__in=[c.enrolment_id for c in completions]).values_list(
            "public_id", "enrolled_at"
        )
    )
    labels = _skill_labels(code for c in completions for code, _lvl in c.skills)
    return [
        (
            user,
            Claims(
                kind=Credential.Kind.TRAINING,
                source=c.reference,
                title_zh=c.title_zh or c.title_en,
                title_en=c.title_en or c.title_zh,
                enterprise_id=str(c.organisation_id),
                enterprise_zh=c.organisation_name_zh or c.organisation_name_en,
                enterprise_en=c.organisation_name_en or c.organisation_name_zh,
                period_start=starts.get(c.enrolment_id) or c.completed_at,
                period_end=c.completed_at,
                work_units=units.for_training(),
                score=c.score,
                skills=_skills(c.skills, labels),
            ),
        )
        for c in completions
    ]


def issue_for_order(order: Any) -> list[Credential]:
    """The credential of an accepted order (by the enterprise or automatically)."""
    from nomadcloud.orders.services import accepted_orders_for

    if order.nomad is None:
        return []
    accepted = [a for a in accepted_orders_for(order.nomad) if a.reference == order.reference]
    return issue_pairs(_order_claims(order.nomad, accepted))


def issue_for_enrolment(enrolment: Any) -> list[Credential]:
    """The credential of a passed training scenario."""
    from nomadcloud.training.services import completed_trainings_for

    nomad = enrolment.nomad
    done = [c for c in completed_trainings_for(nomad) if c.reference == enrolment.reference]
    return issue_pairs(_training_claims(nomad, done))


def issue_missing(user: User) -> list[Credential]:
    """Credentials for all of a person's verified work that has none yet (data batches,
    orders, training), e.g. work accepted before credentials were issued automatically."""
    from nomadcloud.datatasks.services import accepted_work_for
    from nomadcloud.orders.services import accepted_orders_for
    from nomadcloud.training.services import completed_trainings_for

    pairs = _data_claims(accepted_work_for(user))
    pairs += _order_claims(user, accepted_orders_for(user))
    pairs += _training_claims(user, completed_trainings_for(user))
    return issue_pairs(pairs)


def people_with_verified_work() -> list[User]:
    from nomadcloud.datatasks.models import AcceptedWork as AcceptedWorkRow
    from nomadcloud.orders.models import Order
    from nomadcloud.training.models import Enrolment

    ids = set(AcceptedWorkRow.objects.values_list("worker_id", flat=True))
    ids |= set(
        Order.objects.filter(accepted_at__isnull=False, nomad__isnull=False).values_list(
            "nomad_id", flat=True
        )
    )
    ids |= set(
        Enrolment.objects.filter(status=Enrolment.Status.PASSED).values_list("nomad_id", flat=True)
    )
    return list(User.objects.filter(pk__in=ids).order_by("pk"))
