"""Typed inputs of the valuation use cases, shared by forms and the API (decision 0010).
The limits of one field are here; rules that need the asset, the rights or the database
(n beyond the rights' expiry, a valuation date before the data existed) are the services'."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from django.utils.translation import gettext as _
from pydantic import Field, field_validator, model_validator

from nomadcloud.core.i18n import Multilingual
from nomadcloud.core.inputs import Draft, StrictDecimal, refuse
from nomadcloud.core.schemas import IsoDate, Text

Money = Annotated[
    Decimal,
    StrictDecimal(max_digits=15, decimal_places=2, ge=0, description='CNY, e.g. "120000.00"'),
]
Rate = Annotated[
    Decimal,
    StrictDecimal(max_digits=8, decimal_places=6, ge=-1, le=10, description='e.g. "0.08"'),
]
Share = Annotated[Decimal, StrictDecimal(max_digits=7, decimal_places=6, ge=0, le=1)]
Factor = Annotated[Decimal, StrictDecimal(max_digits=8, decimal_places=6, gt=0, le=10)]
Score = Annotated[Decimal, StrictDecimal(max_digits=5, decimal_places=2, ge=0, le=100)]
Currency = Literal["CNY"]

QUALITY_DIMENSIONS = (
    "normative",  # 规范性
    "completeness",  # 完整性
    "accuracy",  # 准确性
    "consistency",  # 一致性
    "timeliness",  # 时效性
    "accessibility",  # 可访问性
)
RIGHTS = ("resource_holding", "processing_use", "product_operation")  # 数据二十条 三权
COST_CATEGORIES = ("acquisition", "labour", "storage", "quality", "other")


def _currency(value: object) -> object:
    if value != "CNY":
        raise refuse(_("Only CNY amounts are accepted; convert at the valuation date first."))
    return value


class AssetDraft(Draft):
    title: Multilingual
    category: Literal["consumption", "traffic", "metaverse", "other"]
    data_since: IsoDate
    pool: UUID | None = None  # a data pool the holder stewards


class RequestDraft(Draft):
    asset: UUID
    purpose: Literal["accounting", "transaction", "pledge", "insurance", "internal"]
    valuation_date: IsoDate
    valuer: UUID  # the licensed valuation firm's organisation
    department: UUID  # the reviewing department


class CostLineDraft(Draft):
    category: Literal["acquisition", "labour", "storage", "quality", "other"]
    amount: Money
    currency: str = "CNY"
    source: Text = Field(min_length=1, max_length=200)

    _check_currency = field_validator("currency")(_currency)


class CollectDraft(Draft):
    cost_lines: list[CostLineDraft] = Field(min_length=1, max_length=100)
    notes: Text = Field(default="", max_length=2000)


class RightDraft(Draft):
    right: Literal["resource_holding", "processing_use", "product_operation"]
    evidence: Text = Field(min_length=1, max_length=300)  # contract no., registration code …
    expires_on: IsoDate | None = None


class LegalGateDraft(Draft):
    rights: list[RightDraft] = Field(default_factory=list, max_length=3)
    consent_scope_covers_purpose: bool
    consent_expires_on: IsoDate | None = None
    notes: Text = Field(default="", max_length=2000)

    @field_validator("rights")
    @classmethod
    def _distinct(cls, value: list[RightDraft]) -> list[RightDraft]:
        names = [r.right for r in value]
        if len(set(names)) != len(names):
            raise refuse(_("Name each right once."))
        return value


class DimensionDraft(Draft):
    dimension: Literal[
        "normative", "completeness", "accuracy", "consistency", "timeliness", "accessibility"
    ]
    score: Score
    weight: Share
    evidence: Text = Field(min_length=1, max_length=300)


class QualityDraft(Draft):
    dimensions: list[DimensionDraft] = Field(min_length=6, max_length=6)

    @field_validator("dimensions")
    @classmethod
    def _complete(cls, value: list[DimensionDraft]) -> list[DimensionDraft]:
        if {d.dimension for d in value} != set(QUALITY_DIMENSIONS):
            raise refuse(_("Score each of the six quality dimensions once."))
        if sum((d.weight for d in value), Decimal(0)) != 1:
            raise refuse(_("The quality weights must add up to exactly 1."))
        return value


class CostMethodDraft(Draft):
    basis: Literal["historical", "replacement"] = "historical"
    return_rate: Rate = Decimal(0)  # R
    adjustment: Factor | None = None  # U; the quality coefficient when not given
    replacement_cost: Money | None = None
    depreciation: Share = Decimal(0)


class IncomeMethodDraft(Draft):
    attribution: Literal["royalty_split", "excess_earnings", "incremental"]
    cash_flows: list[Money] = Field(min_length=1, max_length=30)  # years 1..n
    currency: str = "CNY"
    share: Share  # the part of each year's cash flow the data earns
    discount_rate: Rate  # i
    terminal_growth: Rate | None = None  # g; no terminal value when absent

    _check_currency = field_validator("currency")(_currency)

    @model_validator(mode="after")
    def _rates(self) -> IncomeMethodDraft:
        if self.discount_rate <= 0:
            raise refuse(_("The discount rate must be above zero."))
        if self.terminal_growth is not None and self.discount_rate <= self.terminal_growth:
            raise refuse(_("The discount rate must be above the terminal growth rate."))
        return self


class ComparableDraft(Draft):
    reference: Text = Field(min_length=1, max_length=200)  # agreement or listing
    price: Money
    currency: str = "CNY"
    quality: Factor  # X1
    value_density: Factor  # X2
    date: Factor  # X3
    volume: Factor  # X4
    other: Factor  # X5
    related_party: bool  # stated for every comparable
    related_party_note: Text = Field(default="", max_length=300)

    _check_currency = field_validator("currency")(_currency)

    @model_validator(mode="after")
    def _flag(self) -> ComparableDraft:
        if self.related_party and not self.related_party_note:
            raise refuse(
                _("A related-party comparable needs a note on how its price was adjusted.")
            )
        return self


class MarketMethodDraft(Draft):
    comparables: list[ComparableDraft] = Field(max_length=30)

    @field_validator("comparables")
    @classmethod
    def _at_least_three(cls, value: list[ComparableDraft]) -> list[ComparableDraft]:
        if len(value) < 3:
            raise refuse(_("The market approach needs at least 3 comparables."))
        return value


class ComputeDraft(Draft):
    cost: CostMethodDraft | None = None
    income: IncomeMethodDraft | None = None
    market: MarketMethodDraft | None = None
    assumptions: Text = Field(min_length=1, max_length=4000)
    limitations: Text = Field(min_length=1, max_length=4000)
    method_choice: Text = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _one_method(self) -> ComputeDraft:
        if self.cost is None and self.income is None and self.market is None:
            raise refuse(_("Use at least one of the cost, income and market approaches."))
        return self


class ReconcileDraft(Draft):
    weights: dict[Literal["cost", "income", "market"], Share] = Field(min_length=1)
    rationale: Text = Field(min_length=1, max_length=4000)

    @field_validator("weights")
    @classmethod
    def _sum(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        if sum(value.values(), Decimal(0)) != 1:
            raise refuse(_("The weights of the approaches must add up to exactly 1."))
        return value


class ReasonDraft(Draft):
    reason: Text = Field(default="", max_length=500)


class ObservationDraft(Draft):
    asset: UUID
    kind: Literal["transaction", "listing"]
    observed_on: IsoDate
    price: Money
    currency: str = "CNY"
    seller: Text = Field(default="", max_length=200)
    buyer: Text = Field(default="", max_length=200)
    source: Text = Field(min_length=1, max_length=200)

    _check_currency = field_validator("currency")(_currency)


class AlertMoveDraft(Draft):
    action: Literal["acknowledge", "investigate", "resolve"]
    reason: Text = Field(default="", max_length=500)
    resolution: (
        Literal["false_positive", "listing_frozen", "valuation_review", "price_cap"] | None
    ) = None


class RecognitionDraft(Draft):
    """入表: an issued valuation's cost lines recognised at cost as an intangible asset (with
    its useful life on the first recognition) or as inventory."""

    treatment: Literal["intangible", "inventory"]
    recognised_on: IsoDate
    useful_life_months: int | None = Field(default=None, ge=1, le=1200)


PositiveMoney = Annotated[
    Decimal,
    StrictDecimal(max_digits=15, decimal_places=2, gt=0, description='CNY, e.g. "5000.00"'),
]


class MovementDraft(Draft):
    """An impairment or a disposal of a recognised data asset, at its carrying amount."""

    kind: Literal["impairment", "disposal"]
    on: IsoDate
    amount: PositiveMoney
    currency: str = "CNY"
    reason: Text = Field(min_length=1, max_length=500)

    _check_currency = field_validator("currency")(_currency)
