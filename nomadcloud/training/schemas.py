"""Typed API input and output of scenario training."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from django.conf import settings
from django.urls import reverse
from ninja import Field, Schema
from pydantic import ConfigDict

from nomadcloud.core.i18n import localized
from nomadcloud.core.inputs import Draft, StrictDecimal
from nomadcloud.core.schemas import Input, IsoDate, Text
from nomadcloud.training.models import (
    Assessment,
    CriterionScore,
    Enrolment,
    Material,
    Scenario,
    ScenarioSkill,
    Submission,
    SubmissionFile,
)

# A pass mark: exact, as amounts are (a float is refused).
Percent = Annotated[Decimal, StrictDecimal(max_digits=5, decimal_places=2, ge=0, le=100)]


class SkillIn(Input):
    model_config = ConfigDict(frozen=True)

    code: str = Field(
        ...,
        min_length=1,
        max_length=120,
        description="A skill by code or by name in Chinese or English: 数据标注, data annotation.",
    )
    level: int = Field(
        ..., ge=1, le=5, description="National level a pass shows: 5 (entry) … 1 (expert)."
    )


class CriterionIn(Input):
    model_config = ConfigDict(frozen=True)

    title_zh: Text = Field(default="", max_length=200)
    title_en: Text = Field(default="", max_length=200)
    weight: int = Field(default=1, ge=1, le=100)
    max_points: int = Field(..., ge=1, le=1000)


# --- the typed inputs of creating and editing a scenario -----------------------------------------
# Each limit is stated here once; the API's request bodies below are these models and the
# scenario form hands its parsed fields to them (``draft_from_form``). The rules that need the
# database, the scenario's state or several fields (a title in one language, dates in order,
# a named criterion, known skill codes, places for those enrolled) are the service's.


class ScenarioDraft(Draft):
    """A new scenario: its texts, places, dates, pass mark, skills and rubric."""

    title_zh: Text = Field(default="", max_length=200)
    title_en: Text = Field(default="", max_length=200)
    goal_zh: Text = Field(default="", max_length=20000)
    goal_en: Text = Field(default="", max_length=20000)
    tasks_zh: Text = Field(default="", max_length=20000)
    tasks_en: Text = Field(default="", max_length=20000)
    capacity: int = Field(..., ge=1, le=100000)
    enrol_from: IsoDate
    enrol_until: IsoDate
    runs_from: IsoDate
    runs_until: IsoDate
    pass_score: Percent = Decimal("60")
    skills: list[SkillIn] = Field(default_factory=list, max_length=30)
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=20)


class ScenarioChanges(Draft):
    """A partial change: a field left unset keeps its value."""

    title_zh: Text | None = Field(default=None, max_length=200)
    title_en: Text | None = Field(default=None, max_length=200)
    goal_zh: Text | None = Field(default=None, max_length=20000)
    goal_en: Text | None = Field(default=None, max_length=20000)
    tasks_zh: Text | None = Field(default=None, max_length=20000)
    tasks_en: Text | None = Field(default=None, max_length=20000)
    capacity: int | None = Field(default=None, ge=1, le=100000)
    enrol_from: IsoDate | None = None
    enrol_until: IsoDate | None = None
    runs_from: IsoDate | None = None
    runs_until: IsoDate | None = None
    pass_score: Percent | None = None
    skills: list[SkillIn] | None = Field(default=None, max_length=30)
    criteria: list[CriterionIn] | None = Field(default=None, max_length=20)

    @classmethod
    def of(cls, draft: ScenarioDraft, names: Iterable[str]) -> "ScenarioChanges":
        """The fields ``names`` of a full draft (those a person changed on the page)."""
        return cls.model_validate({n: getattr(draft, n) for n in names if n in cls.model_fields})


# API body: the draft, and where and what for. Like every API body it ignores unknown fields
# (and carries no docstring, which would become the schema's description).
class ScenarioCreateIn(ScenarioDraft):
    model_config = ConfigDict(extra="ignore")

    organisation: UUID | None = Field(
        default=None, description="The enterprise; implied for an organisation API key."
    )
    demand: UUID | None = Field(default=None, description="The training demand it fulfils, if any.")

    def draft(self) -> ScenarioDraft:
        return ScenarioDraft.model_validate(self.model_dump(exclude={"organisation", "demand"}))


class ScenarioPatch(ScenarioChanges):  # API body of PATCH
    model_config = ConfigDict(extra="ignore")


class FileIn(Input):
    file_name: str = Field(..., min_length=1, max_length=255)
    content_base64: str = Field(..., min_length=1, description="The file, base64-encoded.")


class MaterialIn(Input):
    title: str = Field(..., min_length=1, max_length=200)
    url: str = Field("", max_length=500, description="A link; or send `file` instead.")
    file: FileIn | None = None


class SubmissionIn(Input):
    text: str = Field("", max_length=50000)
    links: list[str] = Field(default_factory=list, max_length=10)
    files: list[FileIn] = Field(default_factory=list, max_length=10)


class ScoreIn(Input):
    position: int = Field(..., ge=1, le=100, description="The criterion's position (1, 2, …).")
    points: int = Field(..., ge=0, le=1000)
    comment: str = Field("", max_length=1000)


class AssessmentIn(Input):
    scores: list[ScoreIn] = Field(..., max_length=20)
    comment: str = Field("", max_length=10000)


class SkillOut(Schema):
    code: str
    label: str
    level: int

    @staticmethod
    def resolve_code(obj: ScenarioSkill) -> str:
        return obj.concept.code

    @staticmethod
    def resolve_label(obj: ScenarioSkill) -> str:
        return localized(obj.concept, "label")


class CriterionOut(Schema):
    position: int
    title_zh: str
    title_en: str
    title: str
    weight: int
    max_points: int

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return localized(obj, "title")


class MaterialOut(Schema):
    id: int
    kind: str
    title: str
    url: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    download_url: str

    @staticmethod
    def resolve_download_url(obj: Material) -> str:
        if obj.kind == Material.Kind.LINK:
            return obj.url
        return settings.SITE_URL + reverse(
            "training:material", args=[obj.scenario.public_id, obj.pk]
        )


class ScenarioOut(Schema):
    id: UUID
    organisation: UUID
    organisation_name: str
    demand: UUID | None
    status: str
    title_zh: str
    title_en: str
    title: str
    goal_zh: str
    goal_en: str
    tasks_zh: str
    tasks_en: str
    capacity: int
    enrolled: int
    places_left: int
    enrol_from: date
    enrol_until: date
    runs_from: date
    runs_until: date
    pass_score: Decimal
    skills: list[SkillOut]
    criteria: list[CriterionOut]
    published_at: datetime | None
    url: str

    @staticmethod
    def resolve_id(obj: Scenario) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_organisation(obj: Scenario) -> UUID:
        return obj.organisation.public_id

    @staticmethod
    def resolve_organisation_name(obj: Scenario) -> str:
        return str(obj.organisation)

    @staticmethod
    def resolve_demand(obj: Scenario) -> UUID | None:
        return obj.demand.public_id if obj.demand is not None else None

    @staticmethod
    def resolve_title(obj: Scenario) -> str:
        return localized(obj, "title")

    @staticmethod
    def resolve_skills(obj: Scenario) -> list[Any]:
        return list(obj.skills.all())

    @staticmethod
    def resolve_criteria(obj: Scenario) -> list[Any]:
        return list(obj.criteria.all())

    @staticmethod
    def resolve_url(obj: Scenario) -> str:
        return settings.SITE_URL + reverse("training:detail", args=[obj.public_id])


class SubmissionFileOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    download_url: str

    @staticmethod
    def resolve_download_url(obj: SubmissionFile) -> str:
        return settings.SITE_URL + reverse(
            "training:submission_file", args=[obj.submission.enrolment.public_id, obj.pk]
        )


class SubmissionOut(Schema):
    number: int
    text: str
    links: list[str]
    files: list[SubmissionFileOut]
    submitted_at: datetime

    @staticmethod
    def resolve_files(obj: Submission) -> list[Any]:
        return list(obj.files.all())


class CriterionScoreOut(Schema):
    position: int
    points: int
    max_points: int
    comment: str

    @staticmethod
    def resolve_position(obj: CriterionScore) -> int:
        return obj.criterion.position

    @staticmethod
    def resolve_max_points(obj: CriterionScore) -> int:
        return obj.criterion.max_points


class AssessmentOut(Schema):
    submission: int
    assessor: str
    score: Decimal
    pass_score: Decimal
    passed: bool
    comment: str
    scores: list[CriterionScoreOut]
    assessed_at: datetime

    @staticmethod
    def resolve_submission(obj: Assessment) -> int:
        return obj.submission.number

    @staticmethod
    def resolve_assessor(obj: Assessment) -> str:
        return str(obj.assessor)

    @staticmethod
    def resolve_scores(obj: Assessment) -> list[Any]:
        return list(obj.scores.select_related("criterion"))


class EnrolmentOut(Schema):
    id: UUID
    scenario: UUID
    scenario_title: str
    nomad: str
    status: Literal["enrolled", "submitted", "passed", "failed", "withdrawn"]
    enrolled_at: datetime
    submitted_at: datetime | None
    completed_at: datetime | None
    score: Decimal | None

    @staticmethod
    def resolve_id(obj: Enrolment) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_scenario(obj: Enrolment) -> UUID:
        return obj.scenario.public_id

    @staticmethod
    def resolve_scenario_title(obj: Enrolment) -> str:
        return localized(obj.scenario, "title")

    @staticmethod
    def resolve_nomad(obj: Enrolment) -> str:
        return str(obj.nomad)


class EnrolmentDetailOut(EnrolmentOut):
    submissions: list[SubmissionOut]
    assessments: list[AssessmentOut]

    @staticmethod
    def resolve_submissions(obj: Enrolment) -> list[Any]:
        return list(obj.submissions.all())

    @staticmethod
    def resolve_assessments(obj: Enrolment) -> list[Any]:
        return list(obj.assessments.select_related("assessor", "submission"))


class CompletionOut(Schema):
    reference: str
    enrolment_id: UUID
    scenario_id: UUID
    title_zh: str
    title_en: str
    organisation_id: UUID
    score: Decimal
    pass_score: Decimal
    completed_at: datetime
    skills: list[tuple[str, int]]
