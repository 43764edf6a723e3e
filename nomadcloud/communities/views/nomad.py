"""The nomad's pages: booking a stay, the list of one's bookings, a booking and its moves
(cancel, extend, review)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts.access import require_person, role_in
from nomadcloud.communities import access, queries, services, stays
from nomadcloud.communities.forms import (
    BookingForm,
    ExtendForm,
    ReasonForm,
    RegistrationForm,
    ReviewForm,
)
from nomadcloud.communities.models import Booking, Review
from nomadcloud.communities.schemas import (
    BookingDraft,
    ExtendDraft,
    ReviewDraft,
)
from nomadcloud.communities.transitions import Role
from nomadcloud.communities.views._common import _p
from nomadcloud.core.errors import DomainError, NotFound
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.money import format_cny
from nomadcloud.core.pages import domain_errors

# ---- the nomad ----------------------------------------------------------------------------


@login_required
@require_POST
@domain_errors
def book(request: HttpRequest, community_id: str) -> HttpResponse:
    principal = _p(request)
    community = access.public_community(community_id)
    form = BookingForm(request.POST)
    draft = draft_from_form(form, BookingDraft) if form.is_valid() else None
    if draft is None:
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors or _("Some fields are not valid."))
        return redirect("communities:detail", community.public_id)
    try:
        booking = services.request_booking(principal=principal, community=community, draft=draft)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
        return redirect("communities:detail", community.public_id)
    messages.success(
        request,
        _("Requested. The host answers within %(h)s hours.") % {"h": community.decision_hours},
    )
    return redirect("communities:booking", booking.public_id)


def _uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    user = require_person(_p(request))
    page = Paginator(queries.bookings_of_guest(user).order_by("-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "communities/my_bookings.html",
        {"page": page, "visits": queries.visits_of(user)[:20]},
    )


@login_required
@domain_errors
def booking_detail(request: HttpRequest, booking_id: str) -> HttpResponse:
    principal = _p(request)
    booking = access.booking_for(principal, booking_id)
    roles = access.booking_roles(principal, booking)
    is_host = role_in(principal, booking.community.organisation) is not None
    reviews = list(booking.reviews.all())
    if not is_host:
        reviews = [r for r in reviews if r.side == Review.Side.GUEST]
    stay = (
        getattr(booking, "stay", None) if booking.status in ("checked_in", "checked_out") else None
    )
    registration = getattr(stay, "registration", None) if stay is not None and is_host else None
    can_review = (
        booking.status == Booking.Status.CHECKED_OUT
        and bool(roles)
        and not any(
            r.side == (Review.Side.GUEST if Role.GUEST in roles else Review.Side.HOST)
            for r in booking.reviews.all()
        )
    )
    return render(
        request,
        "communities/booking.html",
        {
            "booking": booking,
            "moves": services.booking_moves(principal, booking),
            "total": format_cny(booking.total),
            "events": booking.events.select_related("actor"),
            "reviews": reviews,
            "can_review": can_review,
            "is_host": is_host,
            "stay": stay,
            "registration": registration,
            "overdue": stays.is_overdue(registration) if registration else False,
            "clock": stays.clock_of(registration) if registration else None,
            "extend_form": ExtendForm(initial={"end": booking.end + timedelta(days=7)}),
            "reason_form": ReasonForm(),
            "review_form": ReviewForm(),
            "registration_form": RegistrationForm(),
        },
    )


ACTIONS = {"confirm", "decline", "cancel", "no_show", "check_out", "check_in"}


@login_required
@require_POST
@domain_errors
def booking_action(request: HttpRequest, booking_id: str, action: str) -> HttpResponse:
    principal = _p(request)
    booking = access.booking_for(principal, booking_id)
    if action not in ACTIONS:
        raise NotFound(_("No such action."))
    reason = (request.POST.get("reason") or "").strip()[:500]
    if action in ("confirm", "decline"):
        services.decide_booking(
            principal=principal, booking=booking, accept=action == "confirm", reason=reason
        )
    elif action == "cancel":
        services.cancel_booking(principal=principal, booking=booking, reason=reason)
    elif action == "no_show":
        services.record_no_show(principal=principal, booking=booking)
    elif action == "check_in":
        stays.check_in(principal=principal, community=booking.community, code=booking.code)
    else:
        stays.check_out(principal=principal, booking=booking)
    messages.success(request, _("Done."))
    return redirect("communities:booking", booking.public_id)


@login_required
@require_POST
@domain_errors
def booking_extend(request: HttpRequest, booking_id: str) -> HttpResponse:
    principal = _p(request)
    booking = access.booking_for(principal, booking_id)
    form = ExtendForm(request.POST)
    draft = draft_from_form(form, ExtendDraft) if form.is_valid() else None
    if draft is None:
        messages.error(request, _("Give the new departure date."))
    else:
        services.extend_booking(principal=principal, booking=booking, draft=draft)
        messages.success(request, _("The stay is extended."))
    return redirect("communities:booking", booking.public_id)


@login_required
@require_POST
@domain_errors
def booking_review(request: HttpRequest, booking_id: str) -> HttpResponse:
    principal = _p(request)
    booking = access.booking_for(principal, booking_id)
    form = ReviewForm(request.POST)
    draft = draft_from_form(form, ReviewDraft) if form.is_valid() else None
    if draft is None:
        messages.error(request, _("Choose a rating from 1 to 5."))
    else:
        stays.review(principal=principal, booking=booking, draft=draft)
        messages.success(request, _("Thank you for the review."))
    return redirect("communities:booking", booking.public_id)
