"""Typed API input and output of the one card."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema

from nomadcloud.core.i18n import Multilingual
from nomadcloud.core.inputs import StrictDecimal
from nomadcloud.core.schemas import Input, IsoDate, Text
from nomadcloud.onecard import content
from nomadcloud.onecard.models import Application, ItemVersion, ServiceItem

Action = Literal[
    "receive",
    "accept_with_gaps",
    "refuse",
    "request_supplement",
    "resubmit",
    "review",
    "decide",
    "issue",
    "forward",
    "withdraw",
    "suspend",
    "resume",
    "terminate",
]


class ItemOut(Schema):
    code: str
    number: int
    kind: str
    status: str
    handler: str
    department: UUID
    department_name: str
    name: dict[str, Any]
    summary: dict[str, Any]
    legal_basis: dict[str, Any]
    localized_name: str
    version: int
    statutory_days: int
    promised_days: int
    fee: str
    visits: int
    four_eyes: bool
    allows_gaps: bool
    audience: list[str]
    life_events: list[str]
    materials: list[dict[str, Any]]
    form_schema: dict[str, Any]

    @staticmethod
    def resolve_department(item: ServiceItem) -> UUID:
        return item.department.public_id

    @staticmethod
    def resolve_department_name(item: ServiceItem) -> str:
        return content.text({"zh-Hans": item.department.name_zh, "en": item.department.name_en})

    @staticmethod
    def resolve_name(item: ServiceItem) -> dict[str, Any]:
        return dict(_version(item).content.get("name", {}))

    @staticmethod
    def resolve_summary(item: ServiceItem) -> dict[str, Any]:
        return dict(_version(item).content.get("summary", {}))

    @staticmethod
    def resolve_legal_basis(item: ServiceItem) -> dict[str, Any]:
        return dict(_version(item).content.get("legal_basis", {}))

    @staticmethod
    def resolve_localized_name(item: ServiceItem) -> str:
        return content.text(_version(item).content.get("name"))

    @staticmethod
    def resolve_version(item: ServiceItem) -> int:
        return _version(item).number

    @staticmethod
    def resolve_statutory_days(item: ServiceItem) -> int:
        return _version(item).statutory_days

    @staticmethod
    def resolve_promised_days(item: ServiceItem) -> int:
        return _version(item).promised_days

    @staticmethod
    def resolve_fee(item: ServiceItem) -> str:
        return str(_version(item).fee)

    @staticmethod
    def resolve_visits(item: ServiceItem) -> int:
        return _version(item).visits

    @staticmethod
    def resolve_four_eyes(item: ServiceItem) -> bool:
        return _version(item).four_eyes

    @staticmethod
    def resolve_allows_gaps(item: ServiceItem) -> bool:
        return _version(item).allows_gaps

    @staticmethod
    def resolve_materials(item: ServiceItem) -> list[dict[str, Any]]:
        return list(_version(item).materials)

    @staticmethod
    def resolve_form_schema(item: ServiceItem) -> dict[str, Any]:
        return dict(_version(item).form_schema)


def _version(item: ServiceItem) -> ItemVersion:
    version = item.current_version
    assert version is not None
    return version


class EligibilityIn(Input):
    answers: dict[str, Any] = Field(default_factory=dict)


class CriterionOut(Schema):
    code: str
    text: str
    met: bool | None
    detail: str


class EligibilityOut(Schema):
    eligible: bool
    refused: bool
    criteria: list[CriterionOut]


class StartIn(Input):
    item: str = Field(..., min_length=1, max_length=40, description="The item code.")
    on_behalf_of: UUID | None = Field(
        default=None, description="The principal's public id, when an agent applies for them."
    )


class AnswersIn(Input):
    answers: dict[str, Any]


class MoveIn(Input):
    action: Action
    reason: Text = Field(default="", max_length=4000)
    appeal: Text = Field(default="", max_length=500)
    approve: bool = True
    rule_version: Text = Field(default="", max_length=40)
    items: list[dict[str, str]] = Field(default_factory=list, max_length=50)
    override_reason: Text = Field(default="", max_length=2000)
    gaps: list[str] = Field(default_factory=list, max_length=20)
    due: IsoDate | None = None


class RatingIn(Input):
    level: int = Field(..., ge=1, le=5)
    comment: Text = Field(default="", max_length=2000)


class ApplicationOut(Schema):
    id: UUID
    reference: str
    item: str
    version: int
    status: str
    applicant: UUID
    agent: UUID | None
    answers: dict[str, Any]
    prefilled: dict[str, Any]
    materials: list[dict[str, Any]]
    gaps: list[str]
    gaps_due: date | None
    supplements: int
    submitted_at: datetime | None
    received_at: datetime | None
    due_at: datetime | None
    decided_at: datetime | None
    decision_reasons: str
    rule_version: str
    result: dict[str, Any] | None

    @staticmethod
    def resolve_id(a: Application) -> UUID:
        return a.public_id

    @staticmethod
    def resolve_item(a: Application) -> str:
        return a.item.code

    @staticmethod
    def resolve_version(a: Application) -> int:
        return a.version.number

    @staticmethod
    def resolve_applicant(a: Application) -> UUID:
        return a.applicant.public_id

    @staticmethod
    def resolve_agent(a: Application) -> UUID | None:
        return a.agent.public_id if a.agent is not None else None


class QrIn(Input):
    purpose: Literal["checkin", "window", "points"]


class QrOut(Schema):
    token: str
    purpose: str
    expires_at: datetime


class ScanIn(Input):
    token: str = Field(..., min_length=1, max_length=400)


class ScanOut(Schema):
    holder: UUID
    display_name: str
    applications: list[ApplicationOut]


# --- the catalogue editor --------------------------------------------------------------------

Fee = Annotated[
    Decimal,
    StrictDecimal(max_digits=12, decimal_places=2, ge=0, description='CNY, e.g. "50.00"'),
]


Channel = Literal["online", "window", "phone"]
CHANNELS: tuple[Channel, ...] = ("online", "window", "phone")


class VersionContentIn(Input):
    """The guide's text, keyed by BCP-47 language tag (zh-Hans and en required)."""

    name: Multilingual
    summary: Multilingual
    legal_basis: Multilingual
    process: Multilingual | None = None
    location: Multilingual | None = None
    hours: Multilingual | None = None


class VersionIn(Input):
    """A changed guide: saved as the item's draft version until it is published."""

    content: VersionContentIn
    statutory_days: int = Field(ge=1, le=365)
    promised_days: int = Field(ge=1, le=365)
    legal_basis_url: str = Field(default="", max_length=200)
    fee: Fee = Decimal("0.00")
    visits: int = Field(default=0, ge=0, le=1)
    result_type: Text = Field(default="certificate", max_length=20)
    four_eyes: bool = False
    allows_gaps: bool = False
    channels: list[Channel] = Field(default_factory=lambda: list(CHANNELS), max_length=3)
    phone: Text = Field(default="", max_length=40)
    materials: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    conditions: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    form_schema: dict[str, Any] = Field(default_factory=dict)


class VersionOut(Schema):
    number: int
    published: bool
    content: dict[str, Any]
    statutory_days: int
    promised_days: int
    fee: str
    visits: int
    four_eyes: bool
    allows_gaps: bool
    materials: list[dict[str, Any]]
    conditions: list[dict[str, Any]]
    form_schema: dict[str, Any]
    created_at: datetime

    @staticmethod
    def resolve_published(version: ItemVersion) -> bool:
        return version.item.draft_version_id != version.pk

    @staticmethod
    def resolve_fee(version: ItemVersion) -> str:
        return str(version.fee)


class ItemMoveIn(Input):
    action: Literal[
        "submit_review", "publish", "return", "suspend", "resume", "retire", "publish_version"
    ]
