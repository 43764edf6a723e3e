"""The community operator's desk: a community's bookings, requesting one, check-in, walk-in,
stay imports and the designation moves."""

from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import (
    require_person,
)
from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import (
    access,
    designation,
    queries,
    services,
    stays,
)
from nomadcloud.communities.access import Action
from nomadcloud.communities.api._common import (
    BookingDetailOut,
    BookingRowOut,
    _booking,
    _community,
    _errors,
)
from nomadcloud.communities.models import (
    Booking,
)
from nomadcloud.communities.schemas import (
    BookingDraft,
    CommunityOut,
    StayImportOut,
    WalkInDraft,
)
from nomadcloud.core.api import CursorPagination
from nomadcloud.core.schemas import Input
from nomadcloud.core.uploads import decode_base64_file

router = Router()


class BookingListQuery(Schema):
    status: Literal[tuple(Booking.Status.values)] | None = None  # type: ignore[valid-type]


@router.get(
    "/{community_id}/bookings",
    response=_errors({200: list[BookingRowOut]}),
    operation_id="nomadcloud_communities_api_community_bookings",
)
@paginate(CursorPagination)
def community_bookings(
    request: HttpRequest, community_id: UUID, filters: Query[BookingListQuery], **kwargs: Any
) -> Any:
    """The community's bookings, newest first (its members and the zone operator)."""
    community = access.community_for(Principal.of(request), community_id, Action.VIEW)
    return queries.community_bookings(community, status=filters.status or "").select_related(
        "community"
    )


@router.post(
    "/{community_id}/bookings",
    response=_errors({201: BookingDetailOut}),
    operation_id="nomadcloud_communities_api_request_booking",
)
def request_booking(request: HttpRequest, community_id: UUID, payload: BookingDraft) -> Status[Any]:
    """Ask for nights: a unit is held for the host's decision window."""
    principal = Principal.of(request)
    require_person(principal)
    community = access.public_community(community_id)
    booking = services.request_booking(principal=principal, community=community, draft=payload)
    return Status(201, _booking(principal, booking))


class CheckInIn(Input):
    code: str = Field(..., min_length=8, max_length=600, description="Booking code or QR token")


@router.post(
    "/{community_id}/check-ins",
    response=_errors({201: BookingDetailOut}),
    operation_id="nomadcloud_communities_api_check_in",
)
def check_in(request: HttpRequest, community_id: UUID, payload: CheckInIn) -> Status[Any]:
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    stay = stays.check_in(principal=principal, community=community, code=payload.code)
    assert stay.booking is not None
    return Status(201, _booking(principal, access.booking_for(principal, stay.booking.public_id)))


@router.post(
    "/{community_id}/walk-ins",
    response=_errors({201: BookingDetailOut}),
    operation_id="nomadcloud_communities_api_walk_in",
)
def walk_in(request: HttpRequest, community_id: UUID, payload: WalkInDraft) -> Status[Any]:
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    booking = stays.walk_in(principal=principal, community=community, draft=payload)
    return Status(201, _booking(principal, booking))


class StayImportIn(Input):
    file_name: str = Field(..., min_length=1, max_length=255)
    content_base64: str = Field(..., min_length=1, description="The CSV file, base64-encoded.")
    evidence_note: str = Field(..., min_length=1, max_length=500)


@router.post(
    "/{community_id}/stay-imports",
    response=_errors({201: StayImportOut}),
    operation_id="nomadcloud_communities_api_import_stays",
)
def import_stays(request: HttpRequest, community_id: UUID, payload: StayImportIn) -> Status[Any]:
    """Past stays from a CSV (person,arrived_on,departed_on) with evidence: all or nothing."""
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    upload = decode_base64_file(payload.file_name, payload.content_base64, field="content_base64")
    batch = stays.import_stays(
        principal=principal, community=community, file=upload, evidence_note=payload.evidence_note
    )
    return Status(201, {"id": batch.public_id, "rows": batch.rows})


class DesignationIn(Input):
    action: Literal[
        "submit", "start_review", "propose", "designate", "return", "suspend", "reinstate", "revoke"
    ]
    reason: str = Field("", max_length=2000)


@router.post(
    "/{community_id}/designation",
    response=_errors({200: CommunityOut}),
    operation_id="nomadcloud_communities_api_designation_move",
)
def designation_move(request: HttpRequest, community_id: UUID, payload: DesignationIn) -> Any:
    """Move the designation: the community's owner or admin applies; the designation
    authority (环湾办) reviews, opens the public notice (公示), designates once it has ended
    with no objection pending or upheld, returns, suspends, reinstates or revokes."""
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.VIEW)
    moved = designation.move(
        principal=principal, community=community, action=payload.action, reason=payload.reason
    )
    return _community(moved)
