"""What training tells the apps above it, as named events with typed payloads
(``core.events``; docs/decisions/0004). A passing assessment sends ``training_passed`` once,
in its transaction; proofs of work issue the nomad's credential from the payload alone.

``passed_trainings`` yields the same payloads for trainings passed earlier (the proofs
backfill)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from nomadcloud.core.events import Event
from nomadcloud.taxonomy.labels import SkillLabel
from nomadcloud.taxonomy.models import Concept
from nomadcloud.training.models import Enrolment, Scenario


@dataclass(frozen=True)
class TrainingPassed:
    """A nomad passed a training scenario. ``reference`` is ``training:<enrolment uuid>`` (as
    on the skill evidence); the training ran from ``enrolled_at`` to ``completed_at``;
    ``score`` is the weighted rubric score in percent."""

    reference: str
    enrolment_id: UUID
    nomad_id: int
    nomad_public_id: UUID
    title_zh: str
    title_en: str
    enterprise_id: UUID
    enterprise_name_zh: str
    enterprise_name_en: str
    enrolled_at: datetime
    completed_at: datetime
    score: Decimal
    skills: tuple[SkillLabel, ...]


training_passed: Event[TrainingPassed] = Event("training.training_passed")


def payload(enrolment: Enrolment, scenario: Scenario, skills: Iterable[Concept]) -> TrainingPassed:
    """The payload of a passed enrolment (nomad loaded; the scenario's organisation too)."""
    assert enrolment.completed_at is not None and enrolment.score is not None
    org = scenario.organisation
    return TrainingPassed(
        reference=enrolment.reference,
        enrolment_id=enrolment.public_id,
        nomad_id=enrolment.nomad.pk,
        nomad_public_id=enrolment.nomad.public_id,
        title_zh=scenario.title_zh,
        title_en=scenario.title_en,
        enterprise_id=org.public_id,
        enterprise_name_zh=org.name_zh,
        enterprise_name_en=org.name_en,
        enrolled_at=enrolment.enrolled_at,
        completed_at=enrolment.completed_at,
        score=enrolment.score,
        skills=tuple(SkillLabel.of(concept) for concept in skills),
    )


def passed_trainings() -> Iterator[TrainingPassed]:
    """The payload of every passed enrolment, oldest first."""
    enrolments = (
        Enrolment.objects.filter(status=Enrolment.Status.PASSED, completed_at__isnull=False)
        .select_related("nomad", "scenario__organisation")
        .prefetch_related("scenario__skills__concept")
        .order_by("completed_at", "id")
    )
    for enrolment in enrolments.iterator(chunk_size=500):
        scenario = enrolment.scenario
        yield payload(enrolment, scenario, [s.concept for s in scenario.skills.all()])
