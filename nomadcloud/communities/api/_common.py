"""What the communities API's parts share: the error responses, and how communities, units,
bookings and registrations are written out."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import (
    services,
    stays,
)
from nomadcloud.communities.models import (
    Booking,
    Community,
    ForeignRegistration,
    UnitType,
)
from nomadcloud.communities.text import is_machine, tr
from nomadcloud.core.api import ERROR_RESPONSES

MAX_AVAILABILITY_NIGHTS = 92


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


# ---- serialisation ------------------------------------------------------------------------


def _unit(unit: UnitType) -> dict[str, Any]:
    return {
        "id": unit.public_id,
        "kind": unit.kind,
        "name": tr(unit.name),
        "names": unit.name,
        "count": unit.count,
        "active": unit.active,
        "rate_plans": [
            {
                "id": p.public_id,
                "name": tr(p.name),
                "names": p.name,
                "per": p.per,
                "price": str(p.price),
                "min_nights": p.min_nights,
                "active": p.active,
            }
            for p in unit.rate_plans.all()
        ],
    }


def _community(community: Community, *, public: bool = False) -> dict[str, Any]:
    units = community.unit_types.prefetch_related("rate_plans").order_by("id")
    return {
        "id": community.public_id,
        "organisation": community.organisation.public_id,
        "kind": community.kind,
        "name": tr(community.name),
        "names": community.name,
        "summary": tr(community.summary),
        "house_rules": tr(community.house_rules),
        "machine_translated": is_machine(community.name) or is_machine(community.summary),
        "address": community.address,
        "admin_code": community.admin_code,
        "amenities": community.amenities,
        "international_internet": community.international_internet,
        "internet_mbps": community.internet_mbps,
        "accessibility": community.accessibility,
        "decision_hours": community.decision_hours,
        "listed": community.listed,
        "designation": community.designation,
        "designated_from": community.designated_from,
        "designated_until": community.designated_until,
        "unit_types": [_unit(u) for u in units if u.active or not public],
    }


class CommunityRowOut(Schema):
    id: UUID = Field(..., alias="public_id")
    name: str
    kind: str
    address: str
    admin_code: str
    international_internet: bool
    designation: str

    @staticmethod
    def resolve_name(obj: Community) -> str:
        return tr(obj.name)


class BookingRowOut(Schema):
    id: UUID = Field(..., alias="public_id")
    code: str
    community: UUID
    community_name: str
    unit_type: UUID
    guest: UUID
    guest_name: str
    start: date
    end: date
    status: str
    source: str
    total: str

    @staticmethod
    def resolve_community(obj: Booking) -> UUID:
        return obj.community.public_id

    @staticmethod
    def resolve_community_name(obj: Booking) -> str:
        return tr(obj.community.name)

    @staticmethod
    def resolve_unit_type(obj: Booking) -> UUID:
        return obj.unit_type.public_id

    @staticmethod
    def resolve_guest(obj: Booking) -> UUID:
        return obj.guest.public_id

    @staticmethod
    def resolve_guest_name(obj: Booking) -> str:
        return str(obj.guest)

    @staticmethod
    def resolve_total(obj: Booking) -> str:
        return str(obj.total)


class BookingDetailOut(BookingRowOut):
    rate_plan: UUID
    nights: int
    note: str
    hold_expires_at: datetime | None = None
    moves: list[str]

    @staticmethod
    def resolve_rate_plan(obj: Booking) -> UUID:
        return obj.rate_plan.public_id


def _booking(principal: Principal, booking: Booking) -> Any:
    booking.moves = sorted(services.booking_moves(principal, booking))  # type: ignore[attr-defined]
    return booking


def _registration(r: ForeignRegistration) -> dict[str, Any]:
    return {
        "id": r.public_id,
        "community": tr(r.stay.community.name),
        "community_address": r.stay.community.address,
        "full_name": r.full_name,
        "nationality": r.nationality,
        "passport_number": stays.passport_of(r),
        "arrived_at": r.arrived_at,
        "due_at": r.due_at,
        "status": r.status,
        "overdue": stays.is_overdue(r),
        "reference": r.reference,
    }
