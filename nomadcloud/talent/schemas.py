"""Typed API input and output for profiles, skills and certification."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, ValidationInfo, field_validator

from nomadcloud.core.i18n import localized
from nomadcloud.core.inputs import Draft, refuse
from nomadcloud.core.schemas import Input, IsoDate, Text
from nomadcloud.talent.models import (
    Application,
    Certificate,
    Profile,
    ProfileSkill,
    ProfileTool,
    Project,
    RuleSet,
)

VisibilityName = Literal["public", "members", "private"]
TrackName = Literal["domestic", "foreign"]
LanguageLevel = Literal["A1", "A2", "B1", "B2", "C1", "C2", "native"]
EvidenceKind = Literal["income", "contract", "stay", "permit", "skill", "other"]


class VisibilityIn(Input):
    model_config = ConfigDict(frozen=True)

    about: VisibilityName | None = None
    rate: VisibilityName | None = None
    languages: VisibilityName | None = None
    links: VisibilityName | None = None
    skills: VisibilityName | None = None
    projects: VisibilityName | None = None
    tools: VisibilityName | None = None


# --- the typed inputs of the profile's use cases ------------------------------------------------
# Each limit is stated here once; the API's request bodies below are these models and the
# profile forms hand their fields to them (``draft_from_form``). The rules that need the
# database or several fields (a known time zone, an exact rate with its unit, a title in one
# language, dates in order, known skill codes) are the service's.


class ProfileChanges(Draft):
    """A change of the profile's own fields: only what is given (not null) changes."""

    headline_zh: Text | None = Field(default=None, max_length=200)
    headline_en: Text | None = Field(default=None, max_length=200)
    bio_zh: Text | None = Field(default=None, max_length=5000)
    bio_en: Text | None = Field(default=None, max_length=5000)
    location: Text | None = Field(default=None, max_length=100)
    time_zone: Text | None = Field(
        default=None, max_length=64, description="IANA name, e.g. Asia/Shanghai"
    )
    availability: Literal["available", "partly", "unavailable"] | None = None
    rate_amount: Text | None = Field(
        default=None,
        max_length=20,
        description='Exact CNY as a string, e.g. "450.00"; "" clears.',
    )
    rate_unit: Literal["", "hour", "day", "month"] | None = None
    visibility: VisibilityIn | None = None


class ProfilePatch(ProfileChanges):  # API body of PATCH (unknown fields ignored)
    model_config = ConfigDict(extra="ignore")


class LanguageIn(Input):
    language: str = Field(
        ..., min_length=1, max_length=40, description="ISO 639 code or name: zh, 中文, English"
    )
    level: LanguageLevel


class LanguageOut(Schema):
    id: int
    language: str
    level: str


class LinkIn(Input):
    title: str = Field(..., min_length=1, max_length=100)
    url: str = Field(..., min_length=1, max_length=500)


class LinkOut(Schema):
    id: int
    title: str
    url: str


class ConceptOut(Schema):
    code: str
    kind: str
    label: str
    label_zh: str
    label_en: str

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return localized(obj, "label")


class EvidenceOut(Schema):
    kind: str
    level: int
    source: str
    reference: str
    url: str
    occurred_at: datetime


class SkillEvidenceIn(Input):
    source: str = Field(..., min_length=1, max_length=100, description="Who issued it")
    reference: str = Field(..., min_length=1, max_length=255, description="Certificate number")
    url: str = Field("", max_length=500)
    occurred_on: IsoDate | None = None


class SkillIn(Input):
    skill: str = Field(
        ...,
        min_length=1,
        max_length=120,
        description="A skill by code or name: nc.python, 数据标注",
    )
    level: int = Field(
        ..., ge=1, le=5, description="National level: 5 (五级, beginner) … 1 (一级, expert)"
    )
    evidence: SkillEvidenceIn | None = Field(
        None, description="A certificate; required for levels above 4 without earlier evidence."
    )


class SkillOut(Schema):
    id: int
    concept: ConceptOut
    level: int
    level_label: str
    supported_level: int
    last_evidence_at: datetime
    fresh: bool
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_level_label(obj: ProfileSkill) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_fresh(obj: ProfileSkill) -> bool:
        return obj.is_fresh

    @staticmethod
    def resolve_evidence(obj: ProfileSkill) -> list[Any]:
        return list(obj.evidence.all())


class ProjectDraft(Draft):
    """A project on the profile."""

    title_zh: Text = Field(default="", max_length=200)
    title_en: Text = Field(default="", max_length=200)
    role: Text = Field(..., min_length=1, max_length=100)
    started_on: IsoDate
    ended_on: IsoDate | None = None
    outcome_zh: Text = Field(default="", max_length=5000)
    outcome_en: Text = Field(default="", max_length=5000)
    evidence_url: Text = Field(default="", max_length=500)
    skills: list[str] = Field(default_factory=list, max_length=30, description="Codes or names")


class ProjectIn(ProjectDraft):  # API body (unknown fields ignored)
    model_config = ConfigDict(extra="ignore")


class ProjectOut(Schema):
    id: int
    title_zh: str
    title_en: str
    role: str
    started_on: date
    ended_on: date | None
    outcome_zh: str
    outcome_en: str
    evidence_url: str
    skills: list[ConceptOut]

    @staticmethod
    def resolve_skills(obj: Project) -> list[Any]:
        return list(obj.skills.all())


class ToolIn(Input):
    tool: str = Field(
        ..., min_length=1, max_length=120, description="A tool by code or name: nc.label-studio"
    )
    proficiency: int = Field(..., ge=1, le=5)
    years: int = Field(0, ge=0, le=60)
    last_used: IsoDate | None = None


class ToolOut(Schema):
    id: int
    concept: ConceptOut
    proficiency: int
    years: int
    last_used: date | None


class PublicProfileOut(Schema):
    id: UUID | None
    display_name: str
    visible_sections: list[str]
    headline_zh: str | None = None
    headline_en: str | None = None
    bio_zh: str | None = None
    bio_en: str | None = None
    location: str | None = None
    time_zone: str | None = None
    availability: str | None = None
    rate_amount: Decimal | None = None
    rate_unit: str | None = None
    languages: list[LanguageOut] | None = None
    links: list[LinkOut] | None = None
    skills: list[SkillOut] | None = None
    projects: list[ProjectOut] | None = None
    tools: list[ToolOut] | None = None


class ProfileOut(PublicProfileOut):
    visibility: dict[str, str]


def profile_out(profile: Profile, sections: set[str], *, own: bool) -> dict[str, Any]:
    """The profile as the asker may see it: sections they may not see are left out."""
    data: dict[str, Any] = {
        "id": profile.public_id if profile.pk else None,
        "display_name": profile.user.display_name or profile.user.pseudonym,
        "visible_sections": sorted(sections),
    }
    if "about" in sections:
        for f in ("headline_zh", "headline_en", "bio_zh", "bio_en", "location", "time_zone"):
            data[f] = getattr(profile, f)
        data["availability"] = profile.availability
    if "rate" in sections:
        data["rate_amount"] = profile.rate_amount
        data["rate_unit"] = profile.rate_unit
    if profile.pk:
        if "languages" in sections:
            data["languages"] = list(profile.languages.all())
        if "links" in sections:
            data["links"] = list(profile.links.all())
        if "skills" in sections:
            data["skills"] = list(
                ProfileSkill.objects.filter(profile=profile)
                .select_related("concept")
                .prefetch_related("evidence")
            )
        if "projects" in sections:
            data["projects"] = list(profile.projects.prefetch_related("skills"))
        if "tools" in sections:
            data["tools"] = list(
                ProfileTool.objects.filter(profile=profile).select_related("concept")
            )
    else:
        for section in ("languages", "links", "skills", "projects", "tools"):
            data[section] = []
    if own:
        data["visibility"] = {s: profile.visibility_of(s) for s in sections}
    return data


class RuleSetIn(Input):
    track: TrackName
    criteria: dict[str, Any] = Field(..., description="See docs/talent.md")
    effective_from: IsoDate
    effective_until: IsoDate | None = None
    notes_zh: str = Field("", max_length=5000)
    notes_en: str = Field("", max_length=5000)


class RuleSetOut(Schema):
    version: str
    track: str
    effective_from: date
    effective_until: date | None
    criteria: dict[str, Any]
    notes_zh: str
    notes_en: str
    created_at: datetime

    @staticmethod
    def resolve_version(obj: RuleSet) -> str:
        return obj.label


class AnswersIn(Input):
    track: TrackName
    remote_income_cny_12m: str = Field("0", max_length=20, description="Exact CNY as a string")
    contract_value_cny_12m: str = Field("0", max_length=20, description="Exact CNY as a string")
    clients_outside_city: int = Field(0, ge=0, le=1000)
    planned_stay_days: int = Field(0, ge=0, le=3660)
    permit_months: int | None = Field(None, ge=1, le=60)


class EvidenceFileIn(Input):
    kind: EvidenceKind
    file_name: str = Field(..., min_length=1, max_length=255)
    content_base64: str = Field(..., min_length=1, description="The file, base64-encoded")


class ApplicationIn(AnswersIn):
    evidence: list[EvidenceFileIn] = Field(default_factory=list, max_length=10)
    renews: str | None = Field(None, max_length=40, description="Verification code to renew")


class CriterionOut(Schema):
    key: str
    met: bool
    en: str
    zh: str


class EvaluationOut(Schema):
    rule_version: str
    qualifies: bool
    results: list[CriterionOut]


class EvidenceFileOut(Schema):
    id: int
    kind: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class ApplicationOut(Schema):
    id: UUID
    applicant: str
    track: str
    status: str
    rule_version: str
    answers: dict[str, Any]
    evaluation: dict[str, Any]
    submitted_at: datetime
    evidence_files: list[EvidenceFileOut]
    certificate_code: str | None

    @staticmethod
    def resolve_id(obj: Application) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_applicant(obj: Application) -> str:
        return obj.applicant.display_name or obj.applicant.pseudonym

    @staticmethod
    def resolve_rule_version(obj: Application) -> str:
        return obj.rule_set.label

    @staticmethod
    def resolve_evidence_files(obj: Application) -> list[Any]:
        return list(obj.evidence_files.all())

    @staticmethod
    def resolve_certificate_code(obj: Application) -> str | None:
        certificate = Certificate.objects.filter(application=obj).first()
        return certificate.verification_code if certificate else None


class CertificationDecisionDraft(Draft):
    """A department's decision on a certification application. Certifying requires the
    reviewer's statement that the evidence (the files and the answers) was checked against
    its sources, such as the social-insurance and tax registries (``checked_evidence``): the
    page's tick box and the API's field."""

    approve: bool
    reason: Text = Field(..., min_length=1, max_length=5000)
    checked_evidence: bool = Field(default=False, validate_default=True)

    @field_validator("checked_evidence")
    @classmethod
    def _evidence_checked(cls, value: bool, info: ValidationInfo) -> bool:
        if info.data.get("approve") and not value:
            raise refuse(_("Check the evidence against its sources before certifying."))
        return value


class CertificationDecisionIn(CertificationDecisionDraft):  # API body (unknown fields ignored)
    model_config = ConfigDict(extra="ignore")


class CertificationDecisionOut(Schema):
    application_id: UUID
    approved: bool
    reason: str
    rule_version: str
    decided_at: datetime
    certificate_code: str | None


class RevokeIn(Input):
    reason: str = Field(..., min_length=1, max_length=5000)


class CertificateOut(Schema):
    """What anyone holding the code may see: the holder's name and nothing more personal."""

    verification_code: str
    state: str
    holder_name: str
    track: str
    valid_from: date
    valid_until: date
    issued_by: str
    rule_version: str
    revoked_at: datetime | None

    @staticmethod
    def resolve_holder_name(obj: Certificate) -> str:
        return obj.holder.display_name or obj.holder.pseudonym

    @staticmethod
    def resolve_issued_by(obj: Certificate) -> str:
        return localized(obj.issued_by, "name")
