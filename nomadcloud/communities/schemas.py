"""Typed inputs (one ``Draft`` per use case, shared by pages and API) and API outputs of
communities."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import AfterValidator, Field, WithJsonSchema

from nomadcloud.communities.models import Amenity, Community, RatePlan, UnitType
from nomadcloud.core.i18n import Multilingual
from nomadcloud.core.inputs import Draft, StrictDecimal, refuse
from nomadcloud.core.schemas import IsoDate, Text

TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
REQUIRED_LANGUAGES = ("zh-Hans", "en")


def _amenity(value: str) -> str:
    if value not in Amenity.values:
        raise refuse(f"Unknown amenity {value!r}.")
    return value


Name = Multilingual
LongText = Multilingual
Price = Annotated[
    Decimal,
    StrictDecimal(max_digits=15, decimal_places=2, gt=0, description='CNY, e.g. "2000.00"'),
]
AmenityCode = Annotated[
    str, AfterValidator(_amenity), WithJsonSchema({"type": "string", "enum": Amenity.values})
]
AdminCode = Annotated[str, Field(pattern=r"^[1-8][0-9]{5}$", description="GB/T 2260, six digits")]


class CommunityDraft(Draft):
    """A community's listing (the organisation must be of kind community)."""

    kind: Literal["coliving", "hotel", "apartment"] = "coliving"
    name: Name
    summary: LongText
    house_rules: LongText
    address: Text = Field(..., min_length=2, max_length=300)
    admin_code: AdminCode
    amenities: list[AmenityCode] = Field(default_factory=list, max_length=len(Amenity.values))
    international_internet: bool = False
    internet_mbps: int | None = Field(default=None, ge=1, le=100000)
    accessibility: Text = Field(default="", max_length=300)
    decision_hours: int = Field(default=48, ge=1, le=168)
    listed: bool = False


class CommunityCreateIn(CommunityDraft):
    organisation: UUID


class UnitTypeDraft(Draft):
    kind: Literal["bed", "room", "desk"]
    name: Name
    count: int = Field(..., ge=1, le=10000)


class UnitCountDraft(Draft):
    count: int = Field(..., ge=0, le=10000)
    active: bool = True


class RatePlanDraft(Draft):
    name: Name
    per: Literal["night", "month"] = "night"
    price: Price
    min_nights: int = Field(default=1, ge=1, le=366)


class BookingDraft(Draft):
    unit_type: UUID
    rate_plan: UUID
    start: IsoDate
    end: IsoDate
    note: Text = Field(default="", max_length=500)


class WalkInDraft(Draft):
    guest: Text = Field(
        ...,
        min_length=3,
        max_length=254,
        description="The guest's e-mail address, mobile number or public id",
    )
    unit_type: UUID
    rate_plan: UUID
    end: IsoDate


class ExtendDraft(Draft):
    end: IsoDate


class ReasonDraft(Draft):
    reason: Text = Field(default="", max_length=500)


class CheckInDraft(Draft):
    code: Text = Field(
        ..., min_length=8, max_length=600, description="The booking code, or the guest's QR token"
    )


class ReviewDraft(Draft):
    rating: int = Field(..., ge=1, le=5)
    comment: Text = Field(default="", max_length=2000)


class RegistrationDraft(Draft):
    reference: Text = Field(default="", max_length=64)


class EventDraft(Draft):
    title: Name
    starts_at: datetime
    ends_at: datetime
    weekly_count: int = Field(default=1, ge=1, le=52)


class DesignationDraft(Draft):
    reason: Text = Field(default="", max_length=2000)
    valid_years: int = Field(default=3, ge=1, le=5)


# ---- outputs --------------------------------------------------------------------------------


class RatePlanOut(Schema):
    id: UUID
    name: str
    names: dict[str, Any]
    per: str
    price: str
    min_nights: int
    active: bool


class UnitTypeOut(Schema):
    id: UUID
    kind: str
    name: str
    names: dict[str, Any]
    count: int
    active: bool
    rate_plans: list[RatePlanOut]


class CommunityOut(Schema):
    id: UUID
    organisation: UUID
    kind: str
    name: str
    names: dict[str, Any]
    summary: str
    house_rules: str
    machine_translated: bool
    address: str
    admin_code: str
    amenities: list[str]
    international_internet: bool
    internet_mbps: int | None
    accessibility: str
    decision_hours: int
    listed: bool
    designation: str
    designated_from: date | None
    designated_until: date | None
    unit_types: list[UnitTypeOut]


class AvailabilityOut(Schema):
    unit_type: UUID
    night: date
    free: int


class BookingOut(Schema):
    id: UUID
    code: str
    community: UUID
    community_name: str
    unit_type: UUID
    rate_plan: UUID
    guest: UUID
    guest_name: str
    start: date
    end: date
    nights: int
    status: str
    source: str
    total: str
    note: str
    hold_expires_at: datetime | None
    created_at: datetime
    moves: list[str]


class ForeignRegistrationOut(Schema):
    """The minimum fields public security sees."""

    id: UUID
    community: str
    community_address: str
    full_name: str
    nationality: str
    passport_number: str
    arrived_at: datetime
    due_at: datetime
    status: str
    overdue: bool
    reference: str


class VisitCountOut(Schema):
    start: date
    end: date
    visits: int
    people: int
    foreign: int


class ReviewOut(Schema):
    side: str
    rating: int
    comment: str
    created_at: datetime


class StayImportOut(Schema):
    id: UUID
    rows: int


class EventOut(Schema):
    id: UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    weekly_count: int


UNIT_KINDS = UnitType.Kind
PER = RatePlan.Per
DESIGNATION = Community.Designation
