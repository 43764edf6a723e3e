"""Typed input and output of demands: the API, the webhook and the native feed format share
``DemandIn`` (the push schema)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

from nomadcloud.core.i18n import localized
from nomadcloud.core.schemas import Input, IsoDate
from nomadcloud.demands.models import Demand, Feed, FeedSync, JobProfileTag

KindName = Literal["job", "project", "data_task", "training"]
StatusName = Literal["draft", "published", "paused", "closed", "filled"]
WorkModeName = Literal["remote", "hybrid", "onsite"]
PayPeriodName = Literal["total", "hour", "day", "month", "year"]


class SkillIn(Input):
    code: str = Field(..., min_length=1, max_length=120, description="A taxonomy concept code.")
    min_level: int = Field(
        5,
        ge=1,
        le=5,
        description="Lowest acceptable national skill level: 5 (五级/初级工, entry; the default, "
        "any level) … 1 (一级/高级技师, expert).",
    )
    required: bool = True


class DemandIn(Input):
    kind: KindName
    title_zh: str = Field("", max_length=200)
    title_en: str = Field("", max_length=200)
    description_zh: str = Field("", max_length=20000)
    description_en: str = Field("", max_length=20000)
    skills: list[SkillIn] = Field(default_factory=list, max_length=50)
    tools: list[str] = Field(
        default_factory=list, max_length=50, description="Taxonomy concept codes."
    )
    languages: list[str] = Field(
        default_factory=list, max_length=10, description="ISO 639-1 codes: zh, en, …"
    )
    years_experience: int | None = Field(None, ge=0, le=60)
    work_mode: WorkModeName = "remote"
    location: str = Field("", max_length=200)
    duration_days: int | None = Field(None, ge=1, le=3650)
    budget_min: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=2)
    budget_max: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=2)
    pay_period: PayPeriodName = "month"
    headcount: int = Field(1, ge=1, le=10000)
    deadline: IsoDate | None = None
    status: StatusName | None = Field(
        None,
        description="Target status. New demands: draft on POST, published on upserts.",
    )


class DemandCreateIn(DemandIn):
    organisation: UUID | None = Field(
        None, description="The enterprise; implied for an organisation API key."
    )
    external_id: str = Field("", max_length=200)


class DemandUpsertIn(DemandIn):
    organisation: UUID | None = Field(
        None, description="The enterprise; implied for an organisation API key."
    )


class DemandPushIn(DemandIn):
    """A webhook delivery or a native feed entry."""

    external_id: str = Field(..., min_length=1, max_length=200)


class DemandPatch(Input):
    kind: KindName | None = None
    title_zh: str | None = Field(None, max_length=200)
    title_en: str | None = Field(None, max_length=200)
    description_zh: str | None = Field(None, max_length=20000)
    description_en: str | None = Field(None, max_length=20000)
    skills: list[SkillIn] | None = Field(None, max_length=50)
    tools: list[str] | None = Field(None, max_length=50)
    languages: list[str] | None = Field(None, max_length=10)
    years_experience: int | None = Field(None, ge=0, le=60)
    work_mode: WorkModeName | None = None
    location: str | None = Field(None, max_length=200)
    duration_days: int | None = Field(None, ge=1, le=3650)
    budget_min: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=2)
    budget_max: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=2)
    pay_period: PayPeriodName | None = None
    headcount: int | None = Field(None, ge=1, le=10000)
    deadline: IsoDate | None = None


class TransitionIn(Input):
    status: StatusName
    note: str = Field("", max_length=200)


class TagIn(Input):
    code: str = Field(..., min_length=1, max_length=120)


class SkillOut(Schema):
    code: str
    label: str
    min_level: int
    required: bool

    @staticmethod
    def resolve_code(obj: Any) -> str:
        return str(obj.concept.code)

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return localized(obj.concept, "label")


class TagOut(Schema):
    id: int
    code: str
    label: str
    kind: str
    matched: list[str]
    origin: str
    removed: bool

    @staticmethod
    def resolve_code(obj: JobProfileTag) -> str:
        return obj.concept.code

    @staticmethod
    def resolve_label(obj: JobProfileTag) -> str:
        return localized(obj.concept, "label")

    @staticmethod
    def resolve_kind(obj: JobProfileTag) -> str:
        return obj.concept.kind


class EventOut(Schema):
    from_status: str
    to_status: str
    source: str
    note: str
    at: datetime


class DemandOut(Schema):
    id: UUID
    organisation: UUID
    organisation_name: str
    kind: str
    status: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    skills: list[SkillOut]
    tools: list[str]
    languages: list[str]
    years_experience: int | None
    work_mode: str
    location: str
    duration_days: int | None
    budget_min: Decimal | None
    budget_max: Decimal | None
    pay_period: str
    currency: str = "CNY"
    headcount: int
    deadline: date | None
    external_id: str
    source: str
    published_at: datetime | None
    updated_at: datetime
    url: str

    @staticmethod
    def resolve_id(obj: Demand) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_organisation(obj: Demand) -> UUID:
        return obj.organisation.public_id

    @staticmethod
    def resolve_organisation_name(obj: Demand) -> str:
        return str(obj.organisation)

    @staticmethod
    def resolve_skills(obj: Demand) -> list[Any]:
        return list(obj.skills.all())

    @staticmethod
    def resolve_tools(obj: Demand) -> list[str]:
        return [t.code for t in obj.tools.all()]

    @staticmethod
    def resolve_languages(obj: Demand) -> list[str]:
        return [lang.code for lang in obj.languages.all()]

    @staticmethod
    def resolve_url(obj: Demand) -> str:
        from django.conf import settings
        from django.urls import reverse

        return settings.SITE_URL + reverse("demands:detail", args=[obj.public_id])


class DemandDetailOut(DemandOut):
    profile_tags: list[TagOut]
    history: list[EventOut]

    @staticmethod
    def resolve_profile_tags(obj: Demand) -> list[Any]:
        return list(obj.profile_tags.filter(removed=False).select_related("concept"))

    @staticmethod
    def resolve_history(obj: Demand) -> list[Any]:
        return list(obj.events.all())


class FeedIn(Input):
    url: str = Field(..., min_length=1, max_length=1000)
    format: Literal["jobposting", "native"] = "jobposting"


class FeedSyncOut(Schema):
    id: int
    status: str
    http_status: int | None
    started_at: datetime
    finished_at: datetime | None
    created: int
    updated: int
    unchanged: int
    closed: int
    skipped: int
    skipped_entries: list[dict[str, Any]]
    error: str

    @staticmethod
    def resolve_skipped_entries(obj: FeedSync) -> list[dict[str, Any]]:
        return list(obj.skipped_entries)


class FeedOut(Schema):
    id: int
    url: str
    format: str
    active: bool
    next_run_at: datetime | None
    consecutive_failures: int

    @staticmethod
    def resolve_url(obj: Feed) -> str:
        return obj.url
