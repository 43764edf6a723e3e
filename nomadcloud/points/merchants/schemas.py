"""Typed API input and output of the merchants endpoints: payment codes, the cashier,
statements and settlement rates. Amounts are integers in the asset's smallest unit;
CNY are decimal strings."""

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema

from nomadcloud.core.schemas import Input, IsoDate


class PayCodeIn(Input):
    asset: str = Field(..., min_length=1, max_length=128, description='e.g. "ZP"')


class PayCodeOut(Schema):
    code: str = Field(..., description="12 digits; show once, it is not stored")
    grouped: str
    asset: str
    expires_at: datetime
    qr_svg: str = Field(..., description="The code as an SVG QR code")


class MerchantIn(Input):
    organisation: UUID
    scenario: str = Field(..., min_length=1, max_length=40)


class MerchantPatch(Input):
    scenario: str | None = Field(None, min_length=1, max_length=40)
    active: bool | None = None


class MerchantOut(Schema):
    organisation: UUID
    name: str
    scenario: str
    scenario_name: str
    category: str
    asset: str
    active: bool
    awaiting_settlement: int = Field(..., description="Points in the merchant's account")


class MerchantPaymentIn(Input):
    code: str = Field(..., max_length=64, description="The customer's 12-digit code")
    amount: int = Field(..., description="Smallest units of the merchant's asset")


class MerchantRefundIn(Input):
    amount: int
    reason: str = Field(..., max_length=300)


class MerchantRefundOut(Schema):
    id: UUID
    amount: int
    amount_display: str
    reason: str
    after_settlement: bool
    created_at: datetime


class MerchantPaymentOut(Schema):
    id: UUID
    status: str
    person: str = Field(..., description="The payer's masked name")
    asset: str
    amount: int
    amount_display: str
    refunded: int
    refundable: int
    created_at: datetime
    expires_at: datetime
    resolved_at: datetime | None
    settled: bool
    refunds: list[MerchantRefundOut]


class MerchantPaymentQuery(Schema):
    day: IsoDate | None = Field(None, description="Zone day (default today)")


class MerchantStatementLineOut(Schema):
    kind: str
    reference: str
    at: datetime
    points: int


class MerchantStatementOut(Schema):
    id: UUID
    merchant: UUID
    merchant_name: str
    day: date
    asset: str
    cny_per_point: str
    rate_effective_from: date
    payments: int
    refunds: int
    accepted: int
    refunded: int
    net: int
    payable_cny: str
    settled_points: int
    transfer_id: str
    created_at: datetime


class MerchantStatementDetailOut(MerchantStatementOut):
    lines: list[MerchantStatementLineOut]


class SettlementDayQuery(Schema):
    day: IsoDate | None = Field(None, description="Zone day (default yesterday)")


class SettlementRateIn(Input):
    asset: str = Field(..., min_length=1, max_length=128)
    effective_from: IsoDate
    cny_per_point: str = Field(..., max_length=20, description='CNY for one point, e.g. "0.1000"')


class SettlementRateOut(Schema):
    asset: str
    effective_from: date
    cny_per_point: str
    published_at: datetime
