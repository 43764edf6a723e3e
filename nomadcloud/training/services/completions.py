"""Completions: a nomad's record of passed trainings, for the talent profile and proofs of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from nomadcloud.accounts.models import User
from nomadcloud.training.models import (
    Enrolment,
)

# --- completions (a nomad's record; proofs of work get them through events.training_passed) --


@dataclass(frozen=True)
class Completion:
    """A passed training, as the nomad's record lists it."""

    reference: str  # "training:<enrolment uuid>", the same as on the skill evidence
    enrolment_id: UUID
    scenario_id: UUID
    title_zh: str
    title_en: str
    organisation_id: UUID
    organisation_name_zh: str
    organisation_name_en: str
    score: Decimal
    pass_score: Decimal
    completed_at: datetime
    assessed_by_id: UUID
    skills: tuple[tuple[str, int], ...]  # (concept code, national level 5…1)


def completed_trainings_for(user: User) -> list[Completion]:
    """The person's verified training completions (passed assessments), oldest first."""
    enrolments = (
        Enrolment.objects.filter(nomad=user, status=Enrolment.Status.PASSED)
        .select_related("scenario__organisation")
        .prefetch_related("scenario__skills__concept", "assessments__assessor")
        .order_by("completed_at", "id")
    )
    result = []
    for enrolment in enrolments:
        scenario = enrolment.scenario
        passing = next(a for a in enrolment.assessments.all() if a.passed)
        assert enrolment.completed_at is not None and enrolment.score is not None
        result.append(
            Completion(
                reference=enrolment.reference,
                enrolment_id=enrolment.public_id,
                scenario_id=scenario.public_id,
                title_zh=scenario.title_zh,
                title_en=scenario.title_en,
                organisation_id=scenario.organisation.public_id,
                organisation_name_zh=scenario.organisation.name_zh,
                organisation_name_en=scenario.organisation.name_en,
                score=enrolment.score,
                pass_score=passing.pass_score,
                completed_at=enrolment.completed_at,
                assessed_by_id=passing.assessor.public_id,
                skills=tuple((s.concept.code, s.level) for s in scenario.skills.all()),
            )
        )
    return result
