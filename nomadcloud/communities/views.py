"""Pages of communities: the public list and page (no personal data), the nomad's bookings,
the community operator's desk (listing, units and rates, bookings, check-in, walk-in,
imports), public security's registration queue and the visit statistics. Views fetch
through ``access.py``, parse with a form and call one service."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts.access import Action as OrgAction
from nomadcloud.accounts.access import organisation_for, require_person, role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import access, inventory, queries, services, stays, visits
from nomadcloud.communities.access import Action
from nomadcloud.communities.forms import (
    BookingForm,
    CheckInForm,
    ExtendForm,
    ImportForm,
    ListingForm,
    RatePlanForm,
    ReasonForm,
    RegistrationForm,
    ReviewForm,
    UnitCountForm,
    UnitTypeForm,
    VisitsForm,
    WalkInForm,
    pair,
)
from nomadcloud.communities.models import Amenity, Booking, Community, RatePlan, Review, UnitType
from nomadcloud.communities.schemas import (
    BookingDraft,
    CommunityDraft,
    ExtendDraft,
    RatePlanDraft,
    RegistrationDraft,
    ReviewDraft,
    UnitCountDraft,
    UnitTypeDraft,
    WalkInDraft,
)
from nomadcloud.communities.transitions import Role
from nomadcloud.core.errors import DomainError, NotFound
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.money import format_cny
from nomadcloud.core.pages import apply_error, domain_errors, form_status

AVAILABILITY_DAYS = 14


def _p(request: HttpRequest) -> Principal:
    return Principal.of(request)


def _unit_rows(community: Community, *, only_active: bool) -> list[dict[str, Any]]:
    today = timezone.localdate()
    units = community.unit_types.prefetch_related("rate_plans").order_by("id")
    rows = []
    for unit in units:
        if only_active and not unit.active:
            continue
        free = inventory.free_by_night(unit, today, today + timedelta(days=AVAILABILITY_DAYS))
        plans = [p for p in unit.rate_plans.all() if p.active or not only_active]
        rows.append(
            {
                "unit": unit,
                "plans": [{"plan": p, "price": format_cny(p.price)} for p in plans],
                "free": sorted(free.items()),
                "free_tonight": free.get(today, unit.count),
            }
        )
    return rows


# ---- public -------------------------------------------------------------------------------


def community_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.listed_communities(), 50).get_page(request.GET.get("page"))
    return render(request, "communities/list.html", {"page": page})


@domain_errors
def community_detail(request: HttpRequest, community_id: str) -> HttpResponse:
    community = access.public_community(community_id)
    units = _unit_rows(community, only_active=True)
    if request.user.is_authenticated:
        today = timezone.localdate()
        for row in units:
            form = BookingForm(
                initial={
                    "unit_type": row["unit"].public_id,
                    "start": today + timedelta(days=1),
                    "end": today + timedelta(days=8),
                },
                auto_id=f"id_{row['unit'].public_id.hex[:8]}_%s",
            )
            form.fields["rate_plan"].widget.choices = [
                (str(p["plan"].public_id), f"{p['plan'].name_text} · {p['price']}")
                for p in row["plans"]
            ]
            row["form"] = form
    return render(
        request,
        "communities/detail.html",
        {
            "community": community,
            "units": units,
            "reviews": queries.public_reviews(community)[:20],
            "amenities": [
                label for code, label in _amenity_labels() if code in community.amenities
            ],
        },
    )


def _amenity_labels() -> list[tuple[str, str]]:
    return [(str(code), str(label)) for code, label in Amenity.choices]


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


# ---- the community operator ---------------------------------------------------------------


@login_required
@domain_errors
def community_create(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _p(request)
    organisation = organisation_for(principal, org_id, OrgAction.EDIT)
    existing = queries.community_of(organisation)
    if existing is not None:
        return redirect("communities:manage", existing.public_id)
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        draft = draft_from_form(_ListingDraftForm(form), CommunityDraft)
        if draft is not None:
            try:
                community = services.create_community(
                    principal=principal, organisation=organisation, draft=draft
                )
            except DomainError as exc:
                if isinstance(exc, NotFound):
                    raise
                apply_error(form, exc)
            else:
                return redirect("communities:manage", community.public_id)
        else:
            _copy_errors(form)
    return render(
        request,
        "communities/listing_form.html",
        {"form": form, "organisation": organisation},
        status=form_status(form),
    )


class _ListingDraftForm(forms.Form):
    """The listing form's data as the draft expects it (multilingual pairs)."""

    def __init__(self, form: ListingForm) -> None:
        super().__init__()
        self.source = form
        self.cleaned_data = form.data_for_draft()

    def add_error(self, field: str | None, error: Any) -> None:
        target = {"name": "name_en", "summary": "summary_en", "house_rules": "rules_en"}.get(
            field or "", field
        )
        self.source.add_error(target if target in self.source.fields else None, error)


def _copy_errors(form: forms.Form) -> None:
    if not form.errors:
        form.add_error(None, _("Some fields are not valid."))


@login_required
@domain_errors
def manage(request: HttpRequest, community_id: str) -> HttpResponse:
    principal = _p(request)
    community = access.community_for(principal, community_id, Action.VIEW)
    can_manage = (
        Action.MANAGE.value if role_in(principal, community.organisation) in access.HOSTS else ""
    )
    form = ListingForm(request.POST or None, initial=ListingForm.initial_for(community))
    if request.method == "POST":
        community = access.community_for(principal, community_id, Action.MANAGE)
        if form.is_valid():
            draft = draft_from_form(_ListingDraftForm(form), CommunityDraft)
            if draft is not None:
                services.update_community(principal=principal, community=community, draft=draft)
                messages.success(request, _("The listing is saved."))
                return redirect("communities:manage", community.public_id)
            _copy_errors(form)
    return render(
        request,
        "communities/manage.html",
        {
            "community": community,
            "form": form,
            "units": _unit_rows(community, only_active=False),
            "unit_form": UnitTypeForm(),
            "rate_form": RatePlanForm(),
            "can_manage": bool(can_manage),
        },
        status=form_status(form),
    )


@login_required
@require_POST
@domain_errors
def unit_add(request: HttpRequest, community_id: str) -> HttpResponse:
    principal = _p(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    form = UnitTypeForm(request.POST)
    if form.is_valid():
        c = form.cleaned_data
        draft = draft_from_form(
            form,
            UnitTypeDraft,
            omit=["name_zh", "name_en"],
            name=pair(None, c["name_zh"], c["name_en"]),
        )
        if draft is not None:
            services.add_unit_type(principal=principal, community=community, draft=draft)
            messages.success(request, _("The unit type is added."))
            return redirect("communities:manage", community.public_id)
    messages.error(
        request,
        "; ".join(str(e) for errs in form.errors.values() for e in errs)
        or _("Some fields are not valid."),
    )
    return redirect("communities:manage", community.public_id)


def _unit(community: Community, unit_id: str) -> UnitType:
    unit = UnitType.objects.filter(public_id=unit_id, community=community).first()
    if unit is None:
        raise NotFound(_("No such unit type."))
    return unit


@login_required
@require_POST
@domain_errors
def unit_count(request: HttpRequest, community_id: str, unit_id: str) -> HttpResponse:
    principal = _p(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    unit = _unit(community, unit_id)
    form = UnitCountForm(request.POST)
    draft = draft_from_form(form, UnitCountDraft) if form.is_valid() else None
    if draft is None:
        messages.error(request, _("Give the number of units."))
    else:
        services.set_unit_count(principal=principal, unit_type=unit, draft=draft)
        messages.success(request, _("The number of units is saved."))
    return redirect("communities:manage", community.public_id)


@login_required
@require_POST
@domain_errors
def rate_add(request: HttpRequest, community_id: str, unit_id: str) -> HttpResponse:
    principal = _p(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    unit = _unit(community, unit_id)
    form = RatePlanForm(request.POST)
    if form.is_valid():
        c = form.cleaned_data
        draft = draft_from_form(
            form,
            RatePlanDraft,
            omit=["name_zh", "name_en"],
            name=pair(None, c["name_zh"], c["name_en"]),
        )
        if draft is not None:
            services.add_rate_plan(principal=principal, unit_type=unit, draft=draft)
            messages.success(request, _("The rate is added."))
            return redirect("communities:manage", community.public_id)
    messages.error(
        request,
        "; ".join(str(e) for errs in form.errors.values() for e in errs)
        or _("Some fields are not valid."),
    )
    return redirect("communities:manage", community.public_id)


@login_required
@require_POST
@domain_errors
def rate_retire(request: HttpRequest, community_id: str, rate_id: str) -> HttpResponse:
    principal = _p(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    plan = (
        RatePlan.objects.filter(public_id=rate_id, unit_type__community=community).first()
        if _uuid(rate_id)
        else None
    )
    if plan is None:
        raise NotFound(_("No such rate."))
    services.retire_rate_plan(principal=principal, plan=plan)
    messages.success(request, _("The rate is no longer offered."))
    return redirect("communities:manage", community.public_id)


@login_required
@domain_errors
def bookings(request: HttpRequest, community_id: str) -> HttpResponse:
    """The operator's bookings page: requests first to decide, then everything, by status."""
    principal = _p(request)
    community = access.community_for(principal, community_id, Action.VIEW)
    status = request.GET.get("status", "")
    if status not in Booking.Status.values:
        status = ""
    rows = queries.community_bookings(
        community, status=status, search=request.GET.get("code", "")[:8]
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "communities/bookings.html",
        {
            "community": community,
            "page": page,
            "status": status,
            "statuses": Booking.Status.choices,
            "counts": queries.host_counts(community),
        },
    )


@login_required
@domain_errors
def check_in_page(request: HttpRequest, community_id: str) -> HttpResponse:
    principal = _p(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            stay = stays.check_in(
                principal=principal, community=community, code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            apply_error(form, exc)
        else:
            messages.success(request, _("%(guest)s is checked in.") % {"guest": stay.guest})
            return redirect("communities:booking", stay.booking.public_id if stay.booking else "")
    return render(
        request,
        "communities/check_in.html",
        {"community": community, "form": form},
        status=form_status(form),
    )


def _plan_choices(community: Community) -> list[tuple[str, str]]:
    plans = RatePlan.objects.filter(
        unit_type__community=community, unit_type__active=True, active=True
    ).select_related("unit_type")
    return [
        (f"{p.unit_type.public_id}:{p.public_id}", f"{p.unit_type} · {p} · {format_cny(p.price)}")
        for p in plans
    ]


@login_required
@domain_errors
def walk_in_page(request: HttpRequest, community_id: str) -> HttpResponse:
    principal = _p(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    form = WalkInForm(
        request.POST or None, initial={"end": timezone.localdate() + timedelta(days=1)}
    )
    form.fields["rate_plan"].choices = _plan_choices(community)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        unit_id, _sep, plan_id = form.cleaned_data["rate_plan"].partition(":")
        draft = draft_from_form(
            form, WalkInDraft, omit=["rate_plan"], unit_type=unit_id, rate_plan=plan_id
        )
        if draft is not None:
            try:
                booking = stays.walk_in(principal=principal, community=community, draft=draft)
            except DomainError as exc:
                if isinstance(exc, NotFound):
                    raise
                apply_error(form, exc)
            else:
                messages.success(request, _("%(guest)s is checked in.") % {"guest": booking.guest})
                return redirect("communities:booking", booking.public_id)
    return render(
        request,
        "communities/walk_in.html",
        {"community": community, "form": form},
        status=form_status(form),
    )


@login_required
@domain_errors
def import_page(request: HttpRequest, community_id: str) -> HttpResponse:
    principal = _p(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = stays.import_stays(
                principal=principal,
                community=community,
                file=form.cleaned_data["file"],
                evidence_note=form.cleaned_data["evidence_note"],
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            apply_error(form, exc)
        else:
            messages.success(request, _("%(n)s stays imported.") % {"n": batch.rows})
            return redirect("communities:import", community.public_id)
    return render(
        request,
        "communities/import.html",
        {"community": community, "form": form, "imports": community.imports.order_by("-id")[:20]},
        status=form_status(form),
    )


@login_required
@require_POST
@domain_errors
def registration_file(request: HttpRequest, registration_id: str) -> HttpResponse:
    principal = _p(request)
    registration = stays.registration_for(principal, registration_id)
    form = RegistrationForm(request.POST)
    draft = draft_from_form(form, RegistrationDraft) if form.is_valid() else None
    if draft is not None:
        stays.file_registration(principal=principal, registration=registration, draft=draft)
        messages.success(request, _("The registration is recorded."))
    back = request.POST.get("next", "")
    if back == "police":
        return redirect("communities:police")
    booking = registration.stay.booking
    return (
        redirect("communities:booking", booking.public_id)
        if booking
        else redirect("communities:police")
    )


# ---- public security, statistics ----------------------------------------------------------


@login_required
@domain_errors
def police(request: HttpRequest) -> HttpResponse:
    access.require_police(_p(request))
    now = timezone.now()
    page = Paginator(queries.police_queue(), 50).get_page(request.GET.get("page"))
    rows = [
        {"r": r, "overdue": stays.is_overdue(r, now), "passport": stays.passport_of(r)}
        for r in page.object_list
    ]
    return render(
        request,
        "communities/police.html",
        {"page": page, "rows": rows, "counts": queries.police_counts(now)},
    )


@login_required
@domain_errors
def visit_statistics(request: HttpRequest) -> HttpResponse:
    access.require_statistics(_p(request))
    today = timezone.localdate()
    form = VisitsForm(
        request.GET or None, initial={"start": today.replace(month=1, day=1), "end": today}
    )
    start, end = today.replace(month=1, day=1), today
    if form.is_bound and form.is_valid() and form.cleaned_data["start"] <= form.cleaned_data["end"]:
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return render(
        request,
        "communities/visits.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "figures": visits.count(start, end),
            "months": visits.by_month(end.year),
            "year": end.year,
            "target": 50000,
            "definition": visits.parameters(),
        },
    )


def workspace_link(community: Community) -> str:
    return reverse("communities:bookings", args=[community.public_id])
