"""The community operator's desk: creating a community and its listing, units and rates, the
bookings, check-in, walk-in, stay imports and filing a foreign resident's registration."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts.access import Action as OrgAction
from nomadcloud.accounts.access import organisation_for, role_in
from nomadcloud.communities import access, queries, services, stays
from nomadcloud.communities.access import Action
from nomadcloud.communities.forms import (
    CheckInForm,
    ImportForm,
    ListingForm,
    RatePlanForm,
    RegistrationForm,
    UnitCountForm,
    UnitTypeForm,
    WalkInForm,
    pair,
)
from nomadcloud.communities.models import Booking, Community, RatePlan, UnitType
from nomadcloud.communities.schemas import (
    CommunityDraft,
    RatePlanDraft,
    RegistrationDraft,
    UnitCountDraft,
    UnitTypeDraft,
    WalkInDraft,
)
from nomadcloud.communities.views._common import _p, _unit_rows
from nomadcloud.communities.views.nomad import _uuid
from nomadcloud.core.errors import DomainError, NotFound
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.money import format_cny
from nomadcloud.core.pages import apply_error, domain_errors, form_status

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
