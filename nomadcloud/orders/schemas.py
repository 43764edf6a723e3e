"""Typed API input and output of orders and conversions. Amounts are decimal strings with at
most two places (CNY); a float is refused."""

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
from nomadcloud.orders.models import (
    Conversion,
    ConversionDocument,
    Deliverable,
    Dispute,
    Message,
    Order,
    OrderApplication,
    OrderEvent,
    OrderSkill,
    Rating,
    Settlement,
    SettlementLine,
)
from nomadcloud.training.schemas import FileIn

Amount = Annotated[
    Decimal,
    StrictDecimal(max_digits=15, decimal_places=2, ge=0, description='CNY, e.g. "1200.50"'),
]
StatusName = Literal[
    "draft",
    "open",
    "applied",
    "assigned",
    "in_progress",
    "delivered",
    "accepted",
    "settled",
    "cancelled",
    "disputed",
    "resolved",
]


class SkillIn(Input):
    model_config = ConfigDict(frozen=True)

    code: str = Field(
        ...,
        min_length=1,
        max_length=120,
        description="A skill by code or by name in Chinese or English: 数据标注, data annotation.",
    )
    level: int = Field(
        ..., ge=1, le=5, description="National level accepted work shows: 5 (entry) … 1 (expert)."
    )


class MilestoneIn(Input):
    model_config = ConfigDict(frozen=True)

    title: Text = Field(..., min_length=1, max_length=200)
    amount: Amount
    due_on: IsoDate


# --- the typed inputs of creating and editing an order -------------------------------------------
# Each limit is stated here once; the API's request bodies below are these models, and the
# order form hands its parsed lines to them (``draft_from_form``). The rules that need the
# database or several fields (a title in one language, at least one milestone, amounts above
# zero, the stated total, known skill codes) are the service's.


class OrderDraft(Draft):
    """The terms of a new order."""

    title_zh: Text = Field(default="", max_length=200)
    title_en: Text = Field(default="", max_length=200)
    description_zh: Text = Field(default="", max_length=20000)
    description_en: Text = Field(default="", max_length=20000)
    skills: list[SkillIn] = Field(default_factory=list, max_length=30)
    milestones: list[MilestoneIn] = Field(..., max_length=20)
    total: Amount | None = Field(
        default=None,
        description="Optional check: refused unless it equals the sum of the milestones.",
    )


class OrderChanges(Draft):
    """A partial change of the terms: a field left unset keeps its value; null clears a
    text (and empties a list)."""

    title_zh: Text | None = Field(default=None, max_length=200)
    title_en: Text | None = Field(default=None, max_length=200)
    description_zh: Text | None = Field(default=None, max_length=20000)
    description_en: Text | None = Field(default=None, max_length=20000)
    skills: list[SkillIn] | None = Field(default=None, max_length=30)
    milestones: list[MilestoneIn] | None = Field(default=None, max_length=20)
    total: Amount | None = None

    @classmethod
    def of(cls, draft: OrderDraft, names: Iterable[str]) -> "OrderChanges":
        """The fields ``names`` of a full draft (all of them from the order form)."""
        return cls.model_validate({n: getattr(draft, n) for n in names if n in cls.model_fields})


# API body: the draft, and where and from what. Like every API body it ignores unknown fields
# (and carries no docstring, which would become the schema's description).
class OrderCreateIn(OrderDraft):
    model_config = ConfigDict(extra="ignore")

    organisation: UUID | None = Field(
        default=None, description="The enterprise; implied for an organisation API key."
    )
    demand: UUID | None = Field(
        default=None, description="Create from this demand: its titles, description and skills."
    )

    def draft(self) -> OrderDraft:
        return OrderDraft.model_validate(self.model_dump(exclude={"organisation", "demand"}))


class OrderPatch(OrderChanges):  # API body of PATCH
    model_config = ConfigDict(extra="ignore")


class TransitionIn(Input):
    to: StatusName = Field(
        ...,
        description="open, in_progress (start; or a revision when delivered), delivered, "
        "accepted, settled, cancelled, disputed.",
    )
    reason: str = Field(
        "", max_length=5000, description="Required for revisions, cancelling and disputes."
    )
    milestone: int | None = Field(
        None,
        ge=1,
        le=100,
        description="delivered: the milestone handed over (default: the first not accepted).",
    )


class ApplyIn(Input):
    note: str = Field("", max_length=5000)


class DeliverableIn(Input):
    note: str = Field("", max_length=5000)
    url: str = Field("", max_length=500, description="A link; or send `file` instead.")
    file: FileIn | None = None
    milestone: int | None = Field(None, ge=1, le=100, description="The milestone's position.")


class DisputeIn(Input):
    reason: str = Field(..., min_length=1, max_length=5000)


class DecisionIn(Input):
    outcome: Literal["release", "refund", "split"]
    to_nomad: Amount | None = Field(None, description="For a split.")
    to_enterprise: Amount | None = Field(None, description="For a split.")
    reason: str = Field(..., min_length=1, max_length=5000)
    evidence: str = Field("", max_length=10000, description="What the decision considered.")


class MessageIn(Input):
    body: str = Field(..., min_length=1, max_length=5000)


class RatingIn(Input):
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


class ConversionIn(Input):
    organisation: UUID
    nomad: UUID
    kind: Literal["contract", "flexible", "business"]
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = Field(None, description="None: open-ended (contracts).")
    business_name: str = Field("", max_length=200)
    credit_code: str = Field("", max_length=18)
    registered_on: IsoDate | None = None
    order: UUID | None = None
    enrolment: UUID | None = Field(None, description="The training enrolment it came from.")
    note: str = Field("", max_length=5000)
    documents: list[FileIn] = Field(default_factory=list, max_length=10)


# --- output ------------------------------------------------------------------------------------


class SkillOut(Schema):
    code: str
    label: str
    level: int

    @staticmethod
    def resolve_code(obj: OrderSkill) -> str:
        return obj.concept.code

    @staticmethod
    def resolve_label(obj: OrderSkill) -> str:
        return localized(obj.concept, "label")


class MilestoneOut(Schema):
    position: int
    title: str
    amount: Decimal
    due_on: date
    status: Literal["pending", "delivered", "accepted"] = Field(
        ..., description="pending (not delivered), delivered (awaiting review), accepted."
    )
    delivered_at: datetime | None
    accepted_at: datetime | None
    accepted_automatically: bool


class OrderOut(Schema):
    id: UUID
    organisation: UUID
    organisation_name: str
    demand: UUID | None
    status: str
    title_zh: str
    title_en: str
    title: str
    description_zh: str
    description_en: str
    total: Decimal
    currency: str = "CNY"
    milestones: list[MilestoneOut]
    skills: list[SkillOut]
    nomad: UUID | None
    nomad_name: str | None
    revision_count: int
    published_at: datetime | None
    delivered_at: datetime | None
    accepted_at: datetime | None
    accepted_automatically: bool
    settled_at: datetime | None
    url: str

    @staticmethod
    def resolve_id(obj: Order) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_organisation(obj: Order) -> UUID:
        return obj.organisation.public_id

    @staticmethod
    def resolve_organisation_name(obj: Order) -> str:
        return str(obj.organisation)

    @staticmethod
    def resolve_demand(obj: Order) -> UUID | None:
        return obj.demand.public_id if obj.demand is not None else None

    @staticmethod
    def resolve_title(obj: Order) -> str:
        return localized(obj, "title")

    @staticmethod
    def resolve_milestones(obj: Order) -> list[Any]:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_skills(obj: Order) -> list[Any]:
        return list(obj.skills.all())

    @staticmethod
    def resolve_nomad(obj: Order) -> UUID | None:
        return obj.nomad.public_id if obj.nomad is not None else None

    @staticmethod
    def resolve_nomad_name(obj: Order) -> str | None:
        return str(obj.nomad) if obj.nomad is not None else None

    @staticmethod
    def resolve_url(obj: Order) -> str:
        return settings.SITE_URL + reverse("orders:detail", args=[obj.public_id])


class EventOut(Schema):
    from_status: str
    to_status: str
    role: str
    actor: str | None
    reason: str
    at: datetime

    @staticmethod
    def resolve_actor(obj: OrderEvent) -> str | None:
        return str(obj.actor) if obj.actor is not None else None


class ApplicationOut(Schema):
    id: int
    applicant: UUID
    applicant_name: str
    note: str
    status: str
    created_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_applicant(obj: OrderApplication) -> UUID:
        return obj.applicant.public_id

    @staticmethod
    def resolve_applicant_name(obj: OrderApplication) -> str:
        return str(obj.applicant)


class DeliverableOut(Schema):
    id: int
    kind: str
    milestone: int | None
    url: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    note: str
    round: int
    uploaded_at: datetime
    download_url: str

    @staticmethod
    def resolve_milestone(obj: Deliverable) -> int | None:
        return obj.milestone.position if obj.milestone is not None else None

    @staticmethod
    def resolve_download_url(obj: Deliverable) -> str:
        if obj.kind == Deliverable.Kind.LINK:
            return obj.url
        return settings.SITE_URL + reverse("orders:deliverable", args=[obj.order.public_id, obj.pk])


class DisputeOut(Schema):
    id: int
    order: UUID
    opened_as: str
    reason: str
    status_before: str
    opened_at: datetime
    outcome: str
    to_nomad: Decimal | None
    to_enterprise: Decimal | None
    decision_reason: str
    evidence: dict[str, Any]
    rule_version: str
    decided_by: str | None
    decided_at: datetime | None

    @staticmethod
    def resolve_order(obj: Dispute) -> UUID:
        return obj.order.public_id

    @staticmethod
    def resolve_decided_by(obj: Dispute) -> str | None:
        return str(obj.decided_by) if obj.decided_by is not None else None


class MessageOut(Schema):
    id: int
    author: str | None
    author_role: str
    body: str
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Message) -> str | None:
        return str(obj.author) if obj.author is not None else None


class RatingOut(Schema):
    side: str
    score: int
    comment: str
    created_at: datetime

    @staticmethod
    def resolve_side(obj: Rating) -> str:
        return obj.side


class SettlementLineOut(Schema):
    milestone: int
    title: str
    amount: Decimal
    to_nomad: Decimal
    to_enterprise: Decimal

    @staticmethod
    def resolve_milestone(obj: SettlementLine) -> int:
        return obj.milestone.position

    @staticmethod
    def resolve_title(obj: SettlementLine) -> str:
        return obj.milestone.title


class SettlementOut(Schema):
    basis: str
    total: Decimal
    to_nomad: Decimal
    to_enterprise: Decimal
    currency: str = "CNY"
    lines: list[SettlementLineOut]
    recorded_at: datetime

    @staticmethod
    def resolve_lines(obj: Settlement) -> list[Any]:
        return list(obj.lines.select_related("milestone"))


class AcceptedOrderOut(Schema):
    reference: str
    order_id: UUID
    title_zh: str
    title_en: str
    organisation_id: UUID
    total: Decimal
    owed_to_nomad: Decimal | None
    accepted_at: datetime
    accepted_automatically: bool
    revisions: int
    rating_by_enterprise: int | None
    skills: list[tuple[str, int]]


class DocumentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    download_url: str

    @staticmethod
    def resolve_download_url(obj: ConversionDocument) -> str:
        return settings.SITE_URL + reverse(
            "orders:conversion_document", args=[obj.conversion.public_id, obj.pk]
        )


class ConversionOut(Schema):
    id: UUID
    kind: str
    organisation: UUID
    organisation_name: str
    nomad: UUID
    nomad_name: str
    starts_on: date | None
    ends_on: date | None
    term_months: int | None
    term_days: int | None
    one_year_or_more: bool
    business_name: str
    credit_code: str
    registered_on: date | None
    occurred_on: date
    order: UUID | None
    enrolment: UUID | None
    note: str
    documents: list[DocumentOut]
    recorded_at: datetime

    @staticmethod
    def resolve_id(obj: Conversion) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_organisation(obj: Conversion) -> UUID:
        return obj.organisation.public_id

    @staticmethod
    def resolve_organisation_name(obj: Conversion) -> str:
        return str(obj.organisation)

    @staticmethod
    def resolve_nomad(obj: Conversion) -> UUID:
        return obj.nomad.public_id

    @staticmethod
    def resolve_nomad_name(obj: Conversion) -> str:
        return str(obj.nomad)

    @staticmethod
    def resolve_order(obj: Conversion) -> UUID | None:
        return obj.order.public_id if obj.order is not None else None

    @staticmethod
    def resolve_enrolment(obj: Conversion) -> UUID | None:
        return obj.enrolment.public_id if obj.enrolment is not None else None

    @staticmethod
    def resolve_documents(obj: Conversion) -> list[Any]:
        return list(obj.documents.all())


class ReportRowOut(Schema):
    organisation_id: UUID
    organisation: str
    period: str
    contracts: int
    contracts_one_year_or_more: int
    flexible: int
    businesses: int
    total: int
