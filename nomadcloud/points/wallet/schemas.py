"""Typed API input and output of the wallet and exchange endpoints.

Amounts are integers in the asset's smallest unit (``scale`` decimal places: with scale 2,
1250 reads 12.50) with a ``…_display`` string beside them; work units in requests are decimal
strings with at most two places (``"12.50"``); a float is refused."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Field, Schema

from nomadcloud.core.schemas import Input
from nomadcloud.points.programme.schemas import PointsRateOut, ScenarioCode, WorkUnits

IdempotencyKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="chosen by the client: a retry with the same key returns the same exchange",
    ),
]

# ---- wallet ------------------------------------------------------------------------------


class PointsBalanceOut(Schema):
    asset: str
    label: str
    scale: int
    balance: int = Field(description="posted: credits − debits")
    available: int = Field(description="balance less what payment holds keep")
    held: int = Field(description="in payment holds (pending debits)")
    locked: int = Field(description="credited under a lock period, not yet spendable")
    balance_display: str
    available_display: str


class PointsWalletOut(Schema):
    balances: list[PointsBalanceOut]


class PointsLotOut(Schema):
    id: str
    asset: str
    amount: int
    remaining: int
    remaining_display: str
    created_at: datetime
    expires_at: datetime | None
    expired: bool = Field(description="expired, not yet swept by the expiry job")


class PointsExpiryOut(Schema):
    asset: str
    expires_at: datetime
    amount: int
    amount_display: str
    locked: bool = Field(description="locked points that will form a lot with this expiry")
    expired: bool


class PointsHistoryItemOut(Schema):
    id: str = Field(description="the ledger transfer id")
    kind: str
    code: str = Field(description="reason code, e.g. proof_of_work, exchange_points")
    reason: str = Field(description="the reason in the reader's language")
    asset: str
    timestamp: datetime
    amount: int = Field(description="signed: + received, − paid")
    amount_display: str
    reference: str
    pending: bool = Field(description="a hold: not (yet) in the balance")


class PointsHistoryPageOut(Schema):
    items: list[PointsHistoryItemOut]
    next_cursor: str | None


class PointsStatementLineOut(Schema):
    asset: str
    label: str
    scale: int
    opening: int
    credits: int
    debits: int
    closing: int


class PointsStatementOut(Schema):
    month: str
    lines: list[PointsStatementLineOut]
    transfers: list[PointsHistoryItemOut]


# ---- scenarios, rates, exchange ----------------------------------------------------------


class PointsQuoteIn(Input):
    scenario: ScenarioCode
    work_units: WorkUnits


class PointsExchangeIn(PointsQuoteIn):
    key: IdempotencyKey
    rate_id: int | None = Field(
        None, description="the rate a quote showed: refused (409) if another is in force now"
    )


class PointsCapOut(Schema):
    period: Literal["day", "week", "month"]
    cap: int
    earned: int
    left: int


class PointsQuoteOut(Schema):
    scenario: str
    asset: str
    scale: int
    rate: PointsRateOut
    work_units: str
    points: int
    bonus: int
    total: int
    total_display: str
    campaign: str | None = Field(None, description="code and version of the campaign applied")
    rule_version: int | None
    lot_expires_at: datetime | None
    locked_until: datetime | None
    available_work_units: str
    caps: list[PointsCapOut]


class PointsExchangeOut(Schema):
    id: UUID
    key: str
    scenario: str
    asset: str
    scale: int
    work_units: str
    points: int
    bonus: int
    rate_id: int
    points_per_work_unit: str
    rule_version: int | None
    campaign: str | None
    lot_expires_at: datetime | None
    locked_until: datetime | None
    lock: str
    created_at: datetime
    transfers: list[str]


# ---- the operator ------------------------------------------------------------------------
