"""Typed API input and output of the programme endpoints (scenarios, rates, earning rules,
campaigns, reports, programme operators, batch transfers), and the types the wallet shares.

Amounts are integers in the asset's smallest unit (``scale`` decimal places: with scale 2,
1250 reads 12.50) with a ``…_display`` string beside them; work units in requests are decimal
strings with at most two places (``"12.50"``); a float is refused."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import BeforeValidator, StrictBool, StrictInt

from nomadcloud.core.inputs import StrictDecimal
from nomadcloud.core.schemas import Input
from nomadcloud.points.ledger.engine import MAX_TIMEOUT


def _iso_datetime(value: Any) -> Any:
    if value is not None and not isinstance(value, str | datetime):
        raise ValueError("expected a date and time in ISO 8601")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]
WorkUnits = Annotated[
    Decimal,
    StrictDecimal(max_digits=15, decimal_places=2, gt=0, description='work units, e.g. "12.50"'),
]
RateValue = Annotated[
    Decimal,
    StrictDecimal(
        gt=0,
        le=1_000_000,
        max_digits=20,
        decimal_places=6,
        description='points of the scenario\'s asset per 1.00 work unit, e.g. "10" or "2.5"',
    ),
]
Percent = Annotated[
    Decimal,
    StrictDecimal(gt=0, le=1000, max_digits=6, decimal_places=2, description='e.g. "10" for 10 %'),
]
Category = Literal["culture_tourism", "dining", "transport", "coworking", "entertainment"]
ScenarioCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")]
AssetCode = Annotated[str, Field(min_length=1, max_length=128)]
Cap = Annotated[int, Field(ge=1, le=10**15, description="smallest units of the asset")]


# ---- scenarios and rates -----------------------------------------------------------------


class PointsScenarioOut(Schema):
    code: str
    name: str
    name_zh: str
    name_en: str
    category: str
    category_label: str
    asset: str
    own_points: bool
    active: bool


class PointsRateOut(Schema):
    id: int
    scenario: str
    asset: str
    points_per_work_unit: str = Field(description="decimal string")
    valid_from: datetime
    published_at: datetime
    note: str


class PointsScenarioIn(Input):
    code: ScenarioCode
    name_zh: str = Field("", max_length=120)
    name_en: str = Field("", max_length=120)
    category: Category
    own_points: StrictBool = Field(False, description="run the scenario's own points")
    own_scale: int = Field(0, ge=0, le=4)
    own_expiry_months: int = Field(12, ge=0, le=120, description="0: never expire")


class PointsScenarioPatch(Input):
    name_zh: str | None = Field(None, max_length=120)
    name_en: str | None = Field(None, max_length=120)
    category: Category | None = None
    active: StrictBool | None = None


class PointsRateIn(Input):
    scenario: ScenarioCode
    points_per_work_unit: RateValue
    valid_from: IsoDateTime | None = Field(None, description="default: now; never in the past")
    note: str = Field("", max_length=200)


class PointsRuleIn(Input):
    asset: AssetCode
    valid_from: IsoDateTime | None = None
    day_cap: Cap | None = None
    week_cap: Cap | None = None
    month_cap: Cap | None = None
    lock_days: int = Field(0, ge=0, le=3660)
    expiry_months: int = Field(0, ge=0, le=120)
    expiry_days: int = Field(0, ge=0, le=3660)
    expiry_at_end_of: Literal["", "day", "month", "year"] = ""
    note: str = Field("", max_length=200)


class PointsRuleOut(Schema):
    id: int
    asset: str
    version: int
    valid_from: datetime
    day_cap: int | None
    week_cap: int | None
    month_cap: int | None
    lock_days: int
    expiry_months: int
    expiry_days: int
    expiry_at_end_of: str
    note: str
    published_at: datetime


class PointsCampaignIn(Input):
    code: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")]
    name_zh: str = Field("", max_length=120)
    name_en: str = Field("", max_length=120)
    kind: Literal["percent", "fixed"]
    percent: Percent | None = None
    fixed_amount: int | None = Field(None, ge=1, le=10**15)
    starts_at: IsoDateTime
    ends_at: IsoDateTime
    scenario: ScenarioCode | None = Field(None, description="only exchanges into this scenario")
    asset: AssetCode | None = Field(None, description="default: ZP (or the scenario's)")
    active: StrictBool = True
    valid_from: IsoDateTime | None = None


class PointsCampaignOut(Schema):
    id: int
    code: str
    version: int
    valid_from: datetime
    asset: str
    scenario: str | None
    name: str
    kind: str
    percent: str | None
    fixed_amount: int | None
    starts_at: datetime
    ends_at: datetime
    active: bool


class PointsLiabilityOut(Schema):
    asset: str
    label: str
    scale: int
    outstanding: int = Field(description="− the sum of the asset's system accounts")
    persons: int
    persons_spendable: int
    persons_held: int
    persons_expired: int
    organisations: int
    others: int
    locked: int = Field(description="pending credits under a lock period (on top)")
    with_locked: int
    balanced: bool


class PointsForecastMonthOut(Schema):
    month: str
    expiring: int
    locked: int


class PointsForecastOut(Schema):
    asset: str
    label: str
    scale: int
    overdue: int
    months: list[PointsForecastMonthOut]


class PointsShortfallOut(Schema):
    credential: UUID
    person: str
    amount: str = Field(description="work units credited")
    reclaimed: str
    shortfall: str
    revoked_at: datetime | None


class PointsProgrammeIn(Input):
    organisation: UUID
    asset: AssetCode
    active: StrictBool = True


class PointsProgrammeOut(Schema):
    organisation: UUID
    organisation_name: str
    asset: str
    active: bool
    granted_at: datetime


# ---- batch transfers ---------------------------------------------------------------------


class PointsBatchTransferIn(Input):
    id: str = Field(
        min_length=1,
        max_length=90,
        pattern=r"^[\x21-\x7e]+$",
        description="the caller's id: a retry with the same id and fields answers 'exists'",
    )
    kind: Literal["transfer", "hold", "post", "void", "reversal"]
    debit_account: str = Field("", max_length=128)
    credit_account: str = Field("", max_length=128)
    amount: StrictInt | None = Field(None, description="smallest units")
    asset: str = Field("", max_length=128)
    pending_id: str = Field("", max_length=90, description="post/void: the hold's id")
    reverses: str = Field("", max_length=90, description="reversal: the transfer's id")
    timeout: StrictInt = Field(0, ge=0, le=MAX_TIMEOUT, description="hold: seconds, 0: none")
    lot_expires_at: IsoDateTime | None = None
    linked: StrictBool = Field(False, description="chain with the next request: all or none")
    code: str = Field("", max_length=64)
    reference: str = Field("", max_length=255)


class PointsBatchIn(Input):
    transfers: list[PointsBatchTransferIn] = Field(..., min_length=1, max_length=8000)


class PointsBatchResultOut(Schema):
    id: str
    status: Literal["created", "exists", "refused"]
    reason: str | None = None
    field: str | None = None
    message: str | None = None


class PointsBatchOut(Schema):
    results: list[PointsBatchResultOut]
