"""Typed API input and output of incentives."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema

from nomadcloud.core.i18n import localized
from nomadcloud.core.inputs import Draft, StrictDecimal
from nomadcloud.core.schemas import Input, IsoDate, Text
from nomadcloud.incentives.models import Claim, ClaimItem, Entitlement, Policy


class ParameterOut(Schema):
    name: str
    description: str
    unit: str
    reference: str
    values: list[tuple[date, str | bool | None]]


class PolicyOut(Schema):
    code: str
    title: str
    title_zh: str
    title_en: str
    summary_zh: str
    summary_en: str
    legal_basis: str
    department_code: str
    mode: str
    beneficiary: str
    effective_from: date
    effective_until: date | None
    claim_window_days: int
    publicity_days: int
    appeal_days: int
    parameters: list[ParameterOut]

    @staticmethod
    def resolve_title(obj: Policy) -> str:
        return localized(obj, "title")


class EntitlementOut(Schema):
    policy: str
    year: int
    eligible: bool
    amount: Decimal
    reasons: list[str]
    params_used: dict[str, Any]
    rule_version: str
    computed_at: datetime
    facts: int

    @staticmethod
    def resolve_policy(obj: Entitlement) -> str:
        return obj.policy.code

    @staticmethod
    def resolve_facts(obj: Entitlement) -> int:
        return len(obj.inputs.get("items", []))


class ClaimItemOut(Schema):
    reference: str
    label: str
    computed: str
    state: str
    reason_code: str
    reason: str


class ClaimOut(Schema):
    id: UUID = Field(..., alias="public_id")
    organisation: UUID
    policy: str
    year: int
    status: str
    claimed_amount: Decimal
    amount: Decimal
    clawed_back: Decimal
    rule_version: str
    decision: dict[str, Any]
    supplement_request: str
    supplement_response: str
    items: list[ClaimItemOut]
    moves: list[str]

    @staticmethod
    def resolve_organisation(obj: Claim) -> UUID:
        return obj.organisation.public_id

    @staticmethod
    def resolve_policy(obj: Claim) -> str:
        return obj.policy.code

    @staticmethod
    def resolve_items(obj: Claim) -> list[ClaimItem]:
        return list(obj.items.all())

    @staticmethod
    def resolve_moves(obj: Claim) -> list[str]:
        return sorted(getattr(obj, "moves", ()))


class ClaimSummaryOut(Schema):
    id: UUID = Field(..., alias="public_id")
    organisation: UUID
    policy: str
    year: int
    status: str
    claimed_amount: Decimal
    amount: Decimal

    @staticmethod
    def resolve_organisation(obj: Claim) -> UUID:
        return obj.organisation.public_id

    @staticmethod
    def resolve_policy(obj: Claim) -> str:
        return obj.policy.code


class ClaimIn(Input):
    policy: str = Field(
        ..., min_length=1, max_length=40, description="A policy code, e.g. contract"
    )
    year: int = Field(..., ge=2000, le=2100)


class IntroductionIn(Input):
    nomad_email: str = Field(..., min_length=3, max_length=254)
    introduced_on: IsoDate
    channel: str = Field(..., max_length=20, description="community_stay, employment or event")
    evidence: Text = Field("", max_length=4000)


class IntroductionOut(Schema):
    id: UUID = Field(..., alias="public_id")
    introduced_on: date
    channel: str
    status: str


class MoveIn(Input):
    """The fields a move reads: ``declaration`` (submit); ``item``, ``counted``,
    ``reason_code``, ``text`` (verify_item); ``text`` (request_supplement,
    answer_supplement, reject, appeal, decide_appeal, claw_back); ``upheld``
    (decide_appeal); ``amount`` (claw_back, CNY as a string)."""

    declaration: Text = Field("", max_length=4000)
    item: str = Field("", max_length=80)
    counted: bool = False
    reason_code: str = Field("", max_length=40)
    text: Text = Field("", max_length=4000)
    upheld: bool = False
    amount: str = Field("", max_length=20)


class DiffOut(Schema):
    claim: UUID
    policy: str
    year: int
    old: Decimal
    new: Decimal


class SimulationIn(Input):
    year: int = Field(..., ge=2000, le=2100)
    effective: IsoDate
    changes: dict[str, str] = Field(
        ...,
        description='{parameter: value}, values as exact strings, e.g. {"contract.cap": "120000"}',
    )


class SimulationOut(Schema):
    policy: str
    year: int
    organisations: int
    before_total: Decimal
    after_total: Decimal
    impact: Decimal
    gained: list[tuple[str, Decimal]]
    lost: list[tuple[str, Decimal]]
    changed: list[tuple[str, Decimal, Decimal]]


# ---- recorded facts: community investments (纳统) and conferences -----------------------------

Cny = Annotated[
    Decimal,
    StrictDecimal(max_digits=15, decimal_places=2, gt=0, description='CNY, e.g. "1200000.00"'),
]


class InvestmentDraft(Draft):
    """A fixed-asset investment of the community's demonstration site."""

    invested_on: IsoDate
    amount: Cny
    category: Literal["building", "equipment", "network", "other"]
    description: Text = Field(..., min_length=1, max_length=500)


class ConferenceDraft(Draft):
    """A conference or exhibition held in the zone, with its declared attendance."""

    title_zh: Text = Field(..., min_length=1, max_length=200)
    title_en: Text = Field(..., min_length=1, max_length=200)
    starts_on: IsoDate
    ends_on: IsoDate
    venue: Text = Field(..., min_length=1, max_length=200)
    participants: int = Field(..., ge=1, le=1_000_000)
    international: bool = False


class EvidenceIn(Input):
    evidence_name: str = Field(..., min_length=1, max_length=255)
    evidence_base64: str = Field(
        ..., min_length=1, description="The evidence file (PDF, image, XLSX…), base64-encoded."
    )


class InvestmentIn(EvidenceIn):
    invested_on: IsoDate
    amount: Cny
    category: Literal["building", "equipment", "network", "other"]
    description: Text = Field(..., min_length=1, max_length=500)


class ConferenceIn(EvidenceIn):
    title_zh: Text = Field(..., min_length=1, max_length=200)
    title_en: Text = Field(..., min_length=1, max_length=200)
    starts_on: IsoDate
    ends_on: IsoDate
    venue: Text = Field(..., min_length=1, max_length=200)
    participants: int = Field(..., ge=1, le=1_000_000)
    international: bool = False


class InvestmentOut(Schema):
    id: UUID = Field(..., alias="public_id")
    invested_on: date
    amount: Decimal
    category: str
    description: str
    evidence: str = Field(..., alias="original_name")


class ConferenceOut(Schema):
    id: UUID = Field(..., alias="public_id")
    title_zh: str
    title_en: str
    starts_on: date
    ends_on: date
    venue: str
    participants: int
    international: bool
    evidence: str = Field(..., alias="original_name")
