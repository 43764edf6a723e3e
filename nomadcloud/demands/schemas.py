"""Typed input and output of demands.

``DemandDraft`` is the one typed input of creating (and upserting) a demand: it states each
field's limits once, through the annotated types below, which ``DemandPatch`` (a partial
update) shares. The API's bodies (``DemandCreateIn``, ``DemandUpsertIn``), the webhook and the
native feed format (``DemandPushIn``) are the draft plus what addresses it; the page form hands
its cleaned data to the same draft. Rules that need the database or several fields (known
skill codes, a title in one language, a location unless remote, the budget range) are the
service's."""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, field_validator

from nomadcloud.core.errors import InvalidInput
from nomadcloud.core.i18n import localized
from nomadcloud.core.inputs import Draft, StrictDecimal, refuse
from nomadcloud.core.money import to_cny
from nomadcloud.core.schemas import Input, IsoDate, Text
from nomadcloud.demands.models import Demand, DemandApplication, Feed, FeedSync, JobProfileTag
from nomadcloud.taxonomy import naming

KindName = Literal["job", "project", "data_task", "training"]
StatusName = Literal["draft", "published", "paused", "closed", "filled"]
WorkModeName = Literal["remote", "hybrid", "onsite"]
PayPeriodName = Literal["total", "hour", "day", "month", "year"]

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


def _language(value: str) -> str:
    code = value.strip().lower().replace("_", "-")
    if code == "zh-hans":
        code = "zh"
    if LANGUAGE_CODE.match(code):
        return code
    try:  # a language's name (中文, English) is as good as its code
        return naming.language_iso(value, field="languages")
    except InvalidInput as error:
        raise refuse(error.message) from None


# --- the limits, stated once ------------------------------------------------------------------

Title = Annotated[Text, Field(max_length=200)]
Description = Annotated[Text, Field(max_length=20000)]
Location = Annotated[Text, Field(max_length=200)]
Code = Text
LanguageCode = Annotated[str, AfterValidator(_language)]
YearsExperience = Annotated[int, Field(ge=0, le=60)]
DurationDays = Annotated[int, Field(ge=1, le=3650)]
Amount = Annotated[
    Decimal, StrictDecimal(max_digits=15, decimal_places=2, ge=0), AfterValidator(to_cny)
]
Headcount = Annotated[int, Field(ge=1, le=10000)]


class SkillIn(Input):
    model_config = ConfigDict(frozen=True)

    code: Code = Field(..., min_length=1, max_length=120, description="A taxonomy concept code.")
    min_level: int = Field(
        5,
        ge=1,
        le=5,
        description="Lowest acceptable national skill level: 5 (五级/初级工, entry; the default, "
        "any level) … 1 (一级/高级技师, expert).",
    )
    required: bool = True


Skills = Annotated[tuple[SkillIn, ...], Field(max_length=50)]
Tools = Annotated[tuple[Code, ...], Field(max_length=50)]
Languages = Annotated[tuple[LanguageCode, ...], Field(max_length=10)]


class _Languages:
    """One code once, in a stable order (the fingerprint of an upsert depends on it)."""

    @field_validator("languages", check_fields=False)
    @classmethod
    def _sorted(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else tuple(sorted(set(value)))


class DemandDraft(_Languages, Draft):
    """What a demand says: the input of creating or upserting one."""

    kind: KindName
    title_zh: Title = ""
    title_en: Title = ""
    description_zh: Description = ""
    description_en: Description = ""
    skills: Skills = Field(default_factory=tuple)
    tools: Tools = Field(default_factory=tuple, description="Taxonomy concept codes.")
    languages: Languages = Field(default_factory=tuple, description="ISO 639-1 codes: zh, en, …")
    years_experience: YearsExperience | None = None
    work_mode: WorkModeName = "remote"
    location: Location = ""
    duration_days: DurationDays | None = None
    budget_min: Amount | None = None
    budget_max: Amount | None = None
    pay_period: PayPeriodName = "month"
    headcount: Headcount = 1
    deadline: IsoDate | None = None


# A partial update: only the fields sent (``model_fields_set``) change; null sets a field back
# to its default. It is also the API's PATCH body (no docstring: it would show in the OpenAPI
# document), so unknown members are ignored as they always were.
class DemandPatch(_Languages, Draft):
    model_config = ConfigDict(extra="ignore")

    kind: KindName | None = None
    title_zh: Title | None = None
    title_en: Title | None = None
    description_zh: Description | None = None
    description_en: Description | None = None
    skills: Skills | None = None
    tools: Tools | None = None
    languages: Languages | None = None
    years_experience: YearsExperience | None = None
    work_mode: WorkModeName | None = None
    location: Location | None = None
    duration_days: DurationDays | None = None
    budget_min: Amount | None = None
    budget_max: Amount | None = None
    pay_period: PayPeriodName | None = None
    headcount: Headcount | None = None
    deadline: IsoDate | None = None


class DemandIn(DemandDraft):
    """A draft as the API, the webhook and a feed send it: plus the target status, and unknown
    members ignored (as they always were)."""

    model_config = ConfigDict(extra="ignore")

    status: StatusName | None = Field(
        None,
        description="Target status. New demands: draft on POST, published on upserts.",
    )

    def draft(self) -> DemandDraft:
        return DemandDraft.model_construct(
            **{name: getattr(self, name) for name in DemandDraft.model_fields}
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


# --- applications -----------------------------------------------------------------------------

# The proposed rate follows the one rule for numbers from outside (core/numbers.py): ASCII
# digits written out, at most two places, not negative; floats, exponents, Unicode digits and
# separators are refused with a localized message on the field.
StrictRate = Annotated[
    Decimal,
    StrictDecimal(
        max_digits=15,
        decimal_places=2,
        ge=0,
        description='CNY as a string of ASCII digits, at most two places, e.g. "350.50"',
    ),
]
ProofId = Annotated[str, Field(min_length=1, max_length=64)]


class ApplicationDraft(Draft):
    """A nomad's application to a demand (the API's body and the page form's cleaned data)."""

    note: Annotated[Text, Field(max_length=5000)] = ""
    proposed_rate: StrictRate | None = None
    availability: Annotated[Text, Field(max_length=200)] = ""
    proofs: tuple[ProofId, ...] = Field(
        default_factory=tuple, max_length=20, description="Public ids of your credentials."
    )


# The API's body: the draft with unknown members ignored (no docstring: it would show in the
# OpenAPI document).
class ApplicationIn(ApplicationDraft):
    model_config = ConfigDict(extra="ignore")


ApplicationMove = Literal["shortlisted", "declined"]


class ApplicationDecisionIn(Input):
    decision: ApplicationMove
    note: Annotated[Text, Field(max_length=500)] = ""


class ApplicationOut(Schema):
    id: UUID
    demand: UUID
    demand_title: str
    organisation: str
    applicant: UUID
    applicant_name: str
    note: str
    proposed_rate: Decimal | None
    pay_period: str
    availability: str
    proofs: list[str]
    status: str
    status_label: str
    created_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_id(obj: DemandApplication) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_demand(obj: DemandApplication) -> UUID:
        return obj.demand.public_id

    @staticmethod
    def resolve_demand_title(obj: DemandApplication) -> str:
        return localized(obj.demand, "title")

    @staticmethod
    def resolve_organisation(obj: DemandApplication) -> str:
        return str(obj.demand.organisation)

    @staticmethod
    def resolve_applicant(obj: DemandApplication) -> UUID:
        return obj.applicant.public_id

    @staticmethod
    def resolve_applicant_name(obj: DemandApplication) -> str:
        return str(obj.applicant)

    @staticmethod
    def resolve_pay_period(obj: DemandApplication) -> str:
        return obj.demand.pay_period

    @staticmethod
    def resolve_proofs(obj: DemandApplication) -> list[str]:
        return [str(p) for p in obj.proofs]

    @staticmethod
    def resolve_status_label(obj: DemandApplication) -> str:
        return str(obj.get_status_display())
