"""/api/v1/communities/bookings: the guest's bookings, one booking, its moves, an extension and
a review."""

from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import (
    require_person,
)
from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import (
    access,
    queries,
    services,
    stays,
)
from nomadcloud.communities.api._common import BookingDetailOut, BookingRowOut, _booking, _errors
from nomadcloud.communities.schemas import (
    ExtendDraft,
    ReviewDraft,
    ReviewOut,
)
from nomadcloud.core.api import CursorPagination
from nomadcloud.core.schemas import Input

router = Router()


# ---- bookings -----------------------------------------------------------------------------


@router.get(
    "/bookings/mine",
    response=_errors({200: list[BookingRowOut]}),
    operation_id="nomadcloud_communities_api_my_bookings",
)
@paginate(CursorPagination)
def my_bookings(request: HttpRequest, **kwargs: Any) -> Any:
    user = require_person(Principal.of(request))
    return queries.bookings_of_guest(user).select_related("guest").order_by("-id")


@router.get(
    "/bookings/{booking_id}",
    response=_errors({200: BookingDetailOut}),
    operation_id="nomadcloud_communities_api_get_booking",
)
def get_booking(request: HttpRequest, booking_id: UUID) -> Any:
    principal = Principal.of(request)
    return _booking(principal, access.booking_for(principal, booking_id))


class BookingActionIn(Input):
    action: Literal["confirm", "decline", "cancel", "no_show", "check_out"]
    reason: str = Field("", max_length=500)


@router.post(
    "/bookings/{booking_id}/actions",
    response=_errors({200: BookingDetailOut}),
    operation_id="nomadcloud_communities_api_booking_action",
)
def booking_action(request: HttpRequest, booking_id: UUID, payload: BookingActionIn) -> Any:
    """Move a booking: the host confirms or declines a request, records a no-show or checks
    the guest out; the guest (or the host, once confirmed) cancels."""
    principal = Principal.of(request)
    booking = access.booking_for(principal, booking_id)
    if payload.action in ("confirm", "decline"):
        services.decide_booking(
            principal=principal,
            booking=booking,
            accept=payload.action == "confirm",
            reason=payload.reason,
        )
    elif payload.action == "cancel":
        services.cancel_booking(principal=principal, booking=booking, reason=payload.reason)
    elif payload.action == "no_show":
        services.record_no_show(principal=principal, booking=booking)
    else:
        stays.check_out(principal=principal, booking=booking)
    return _booking(principal, access.booking_for(principal, booking_id))


@router.post(
    "/bookings/{booking_id}/extension",
    response=_errors({200: BookingDetailOut}),
    operation_id="nomadcloud_communities_api_extend_booking",
)
def extend_booking(request: HttpRequest, booking_id: UUID, payload: ExtendDraft) -> Any:
    principal = Principal.of(request)
    booking = access.booking_for(principal, booking_id)
    services.extend_booking(principal=principal, booking=booking, draft=payload)
    return _booking(principal, access.booking_for(principal, booking_id))


@router.post(
    "/bookings/{booking_id}/reviews",
    response=_errors({201: ReviewOut}),
    operation_id="nomadcloud_communities_api_review",
)
def review(request: HttpRequest, booking_id: UUID, payload: ReviewDraft) -> Status[Any]:
    principal = Principal.of(request)
    booking = access.booking_for(principal, booking_id)
    created = stays.review(principal=principal, booking=booking, draft=payload)
    return Status(
        201,
        {
            "side": created.side,
            "rating": created.rating,
            "comment": created.comment,
            "created_at": created.created_at,
        },
    )
