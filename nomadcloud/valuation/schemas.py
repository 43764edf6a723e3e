"""API inputs and outputs of valuation (the use-case inputs are in inputs.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

from nomadcloud.core.schemas import Input
from nomadcloud.valuation.inputs import AssetDraft
from nomadcloud.valuation.models import Alert, DataAsset, Valuation


class AssetIn(AssetDraft):
    holder: UUID


class MoveIn(Input):
    action: Literal["sign", "review", "issue", "withdraw"]
    reason: str = Field(default="", max_length=500)


class WatchIn(Input):
    on: date | None = None


class AssetOut(Schema):
    id: UUID = Field(alias="public_id")
    title: dict[str, str]
    category: str
    data_since: date
    holder: str
    pool: UUID | None = None

    @staticmethod
    def resolve_holder(obj: DataAsset) -> str:
        return str(obj.holder.public_id)

    @staticmethod
    def resolve_pool(obj: DataAsset) -> UUID | None:
        return obj.pool.public_id if obj.pool is not None else None


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    reason: str
    evidence: dict[str, Any]
    rule_version: str
    at: datetime


class ValuationOut(Schema):
    id: UUID = Field(alias="public_id")
    asset: UUID
    purpose: str
    valuation_date: date
    currency: str
    state: str
    valuer: UUID
    department: UUID
    final_value: Decimal | None = None
    results: dict[str, Any]
    valuer_signed_at: datetime | None = None
    reviewer_signed_at: datetime | None = None
    created_at: datetime

    @staticmethod
    def resolve_asset(obj: Valuation) -> UUID:
        return obj.asset.public_id

    @staticmethod
    def resolve_valuer(obj: Valuation) -> UUID:
        return obj.valuer.public_id

    @staticmethod
    def resolve_department(obj: Valuation) -> UUID:
        return obj.department.public_id


class ValuationDetailOut(ValuationOut):
    collected: dict[str, Any]
    legal: dict[str, Any]
    quality: dict[str, Any]
    inputs: dict[str, Any]
    reconciliation: dict[str, Any]
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj: Valuation) -> list[Any]:
        return list(obj.events.all())


class SnapshotOut(Schema):
    valuation: UUID
    sha256: str
    issued_at: datetime
    content: dict[str, Any]

    @staticmethod
    def resolve_valuation(obj: Any) -> UUID:
        return UUID(str(obj.valuation.public_id))


class PriceOut(Schema):
    asset: UUID
    kind: str
    observed_on: date
    price: Decimal
    source: str

    @staticmethod
    def resolve_asset(obj: Any) -> UUID:
        return UUID(str(obj.asset.public_id))


class AlertOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: str
    category: str
    asset: UUID | None = None
    department: UUID
    state: str
    resolution: str
    rule_version: str
    raised_at: datetime
    evidence: dict[str, Any]

    @staticmethod
    def resolve_asset(obj: Alert) -> UUID | None:
        return obj.asset.public_id if obj.asset is not None else None

    @staticmethod
    def resolve_department(obj: Alert) -> UUID:
        return obj.department.public_id


class BookEntryOut(Schema):
    id: UUID = Field(alias="public_id")
    asset: UUID
    treatment: Literal["intangible", "inventory"]
    kind: Literal["addition", "impairment", "disposal"]
    on: date
    amount: Decimal
    purchased: Decimal
    useful_life_months: int | None
    valuation: UUID | None = None
    lines: list[dict[str, Any]]
    reason: str
    recorded_at: datetime

    @staticmethod
    def resolve_asset(obj: Any) -> UUID:
        return obj.asset.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_valuation(obj: Any) -> UUID | None:
        return obj.valuation.public_id if obj.valuation is not None else None


class RollForwardQuery(Schema):
    period: Literal["year", "quarter", "month"] = "year"
    until: date | None = Field(default=None, description="the last day covered (default today)")


class RollForwardExportQuery(RollForwardQuery):
    format: Literal["csv", "xlsx"] = "csv"


class RollForwardRowOut(Schema):
    period: str
    start: date
    end: date
    opening: Decimal
    additions_purchased: Decimal
    additions_developed: Decimal
    amortisation: Decimal
    impairment: Decimal
    disposals: Decimal
    closing: Decimal


class AssetBooksOut(Schema):
    asset: UUID
    title: dict[str, str]
    useful_life_months: int | None
    rows: list[RollForwardRowOut]


class TreatmentBooksOut(Schema):
    treatment: Literal["intangible", "inventory"]
    total: list[RollForwardRowOut]
    assets: list[AssetBooksOut]


class RollForwardOut(Schema):
    holder: UUID
    period: str
    until: date
    currency: Literal["CNY"] = "CNY"
    treatments: list[TreatmentBooksOut]
