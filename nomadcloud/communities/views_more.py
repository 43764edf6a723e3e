"""Pages of communities beyond bookings and stays: the events calendar and its iCalendar
export (and the designation, ``designation_views``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts.access import parse_public_id, require_zone_operator
from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import (
    access,
    authorities,
    calendar,
    designation,
    ota,
    queries,
    statistics,
    transitions,
)
from nomadcloud.communities.access import Action
from nomadcloud.communities.forms import (
    AuthorityForm,
    EventForm,
    FeedForm,
    FeedUploadForm,
    pair,
)
from nomadcloud.communities.models import Authority, CalendarFeed, OtaBlock
from nomadcloud.communities.schemas import EventDraft
from nomadcloud.communities.transitions import Role
from nomadcloud.core.errors import DomainError, NotFound
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.pages import apply_error, domain_errors, form_status

DESIGNATION_ACTIONS = {a.action for a in transitions.DESIGNATION if "system" not in a.roles}


@domain_errors
def calendar_ics(request: HttpRequest, community_id: str) -> HttpResponse:
    """The public calendar of a listed community (events and fully booked nights)."""
    community = access.public_community(community_id)
    language = "zh-Hans" if (get_language() or "").startswith("zh") else "en"
    body = calendar.export_ics(community, language=language)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="community-{community.public_id}.ics"'
    return response


@login_required
@domain_errors
def events(request: HttpRequest, community_id: str) -> HttpResponse:
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.VIEW)
    form = EventForm(request.POST or None)
    if request.method == "POST":
        community = access.community_for(principal, community_id, Action.MANAGE)
        if form.is_valid():
            c = form.cleaned_data
            draft = draft_from_form(
                form,
                EventDraft,
                omit=["title_zh", "title_en"],
                title=pair(None, c["title_zh"], c["title_en"]),
            )
            if draft is not None:
                try:
                    calendar.add_event(principal=principal, community=community, draft=draft)
                except DomainError as exc:
                    if isinstance(exc, NotFound):
                        raise
                    apply_error(form, exc)
                else:
                    messages.success(request, _("The event is on the calendar."))
                    return redirect("communities:events", community.public_id)
    return render(
        request,
        "communities/events.html",
        {"community": community, "form": form, "events": calendar.upcoming_events(community)},
        status=form_status(form),
    )


# ---- external channels' calendars -----------------------------------------------------------


@login_required
@domain_errors
def calendars(request: HttpRequest, community_id: str) -> HttpResponse:
    """The community's external calendar feeds (OTAs): add one, sync it from its address
    or from an uploaded file; the held nights and the conflicts of each."""
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.VIEW)
    form = FeedForm(community=community)
    upload = FeedUploadForm()
    status = 200
    if request.method == "POST":
        community = access.community_for(principal, community_id, Action.MANAGE)
        op = request.POST.get("op", "")
        if op == "add":
            form = FeedForm(request.POST, community=community)
            if form.is_valid():
                try:
                    ota.add_feed(
                        principal=principal,
                        unit_type=form.cleaned_data["unit_type"],
                        name=form.cleaned_data["name"],
                        url=form.cleaned_data["url"],
                    )
                except DomainError as exc:
                    apply_error(form, exc)
                else:
                    messages.success(request, _("The calendar feed is added."))
                    return redirect("communities:calendars", community.public_id)
            status = form_status(form)
        else:
            feed_id = parse_public_id(
                request.POST.get("feed", ""), message=_("No such calendar feed.")
            )
            feed = CalendarFeed.objects.filter(
                public_id=feed_id, unit_type__community=community
            ).first()
            if feed is None:
                raise NotFound(_("No such calendar feed."))
            data = None
            if op == "upload":
                upload = FeedUploadForm(request.POST, request.FILES)
                if not upload.is_valid():
                    return _calendars(request, community, form, upload, 400)
                data = upload.cleaned_data["file"].read(ota.MAX_BYTES + 1)
            try:
                result = ota.sync(feed, data=data, principal=principal)
            except DomainError as exc:
                if isinstance(exc, NotFound):
                    raise
                messages.error(request, exc.message)
                status = exc.status
                return _calendars(request, community, form, upload, status)
            messages.success(
                request,
                _("Synced: %(held)s blocks held, %(released)s released, %(conflicts)s conflicts.")
                % {
                    "held": result.held,
                    "released": result.released,
                    "conflicts": result.conflicts,
                },
            )
            return redirect("communities:calendars", community.public_id)
    return _calendars(request, community, form, upload, status)


def _calendars(
    request: HttpRequest, community: Any, form: FeedForm, upload: FeedUploadForm, status: int
) -> HttpResponse:
    feeds = ota.feed_counts(
        CalendarFeed.objects.filter(unit_type__community=community).select_related("unit_type")
    )
    conflicts = OtaBlock.objects.filter(
        feed__unit_type__community=community, held=False
    ).select_related("feed")[:50]
    return render(
        request,
        "communities/calendars.html",
        {
            "community": community,
            "feeds": feeds,
            "conflicts": conflicts,
            "form": form,
            "upload": upload,
            "may_manage": Role.HOST in access.community_roles(Principal.of(request), community),
        },
        status=status,
    )


# ---- statistics (旅文局) ----------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    raw = str(request.GET.get("year", ""))
    this = timezone.localdate().year
    return int(raw) if raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= this + 1 else this


@login_required
@domain_errors
def statistics_page(request: HttpRequest, community_id: str) -> HttpResponse:
    """One community's stays, nights, visits and occupancy by month, as two charts and the
    table that says the same (aggregates only)."""
    community = access.statistics_for(Principal.of(request), community_id)
    year = _year(request)
    months = statistics.community_year(community, year)
    activity, occupancy = statistics.charts(year, months)
    return render(
        request,
        "communities/statistics.html",
        {
            "community": community,
            "year": year,
            "months": months,
            "total": statistics.totals(months),
            "activity": activity.as_data(),
            "occupancy": occupancy.as_data(),
            "is_member": access.community_roles(Principal.of(request), community) != [],
        },
    )


@login_required
@domain_errors
def statistics_overview(request: HttpRequest) -> HttpResponse:
    """Every community's figures of the year, for the tourism bureau and the operator."""
    access.require_statistics(Principal.of(request))
    year = _year(request)
    return render(
        request,
        "communities/statistics_overview.html",
        {"year": year, "rows": statistics.all_communities(year)},
    )


# ---- authorities (the zone operator) ---------------------------------------------------------


@login_required
@domain_errors
def authorities_page(request: HttpRequest) -> HttpResponse:
    """The units acting towards communities, named as plans name them and resolved through
    the units registry (an unknown name is refused with the closest known ones)."""
    principal = Principal.of(request)
    require_zone_operator(principal)
    form = AuthorityForm(request.POST or None)
    if request.method == "POST":
        remove = str(request.POST.get("remove", ""))
        if remove.isdigit():
            row = Authority.objects.filter(pk=int(remove)).first()
            if row is None:
                raise NotFound(_("No such authority."))
            authorities.remove_authority(principal=principal, authority=row)
            messages.success(request, _("The authority is removed."))
            return redirect("communities:authorities")
        if form.is_valid():
            try:
                authorities.set_authority(
                    principal=principal,
                    unit=form.cleaned_data["unit"],
                    role=form.cleaned_data["role"],
                )
            except DomainError as exc:
                if isinstance(exc, NotFound):
                    raise
                apply_error(form, exc)
            else:
                messages.success(request, _("The authority is set."))
                return redirect("communities:authorities")
    rows = Authority.objects.select_related("organisation").order_by("role", "organisation_id")
    return render(
        request,
        "communities/authorities.html",
        {"form": form, "rows": rows},
        status=form_status(form),
    )


# ---- designation ----------------------------------------------------------------------------


@login_required
@domain_errors
def designation_page(request: HttpRequest, community_id: str) -> HttpResponse:
    """The community's designation: state, validity, the public notice, the moves the person
    may make and the history (members, the designation authority, the zone operator)."""
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.VIEW)
    return render(
        request,
        "communities/designation.html",
        {
            "community": community,
            "moves": designation.moves(principal, community),
            "notice": designation.notice(community),
            "events": community.designation_events.select_related("actor"),
        },
    )


@login_required
@require_POST
@domain_errors
def designation_move(request: HttpRequest, community_id: str, action: str) -> HttpResponse:
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.VIEW)
    if action not in DESIGNATION_ACTIONS:
        raise NotFound(_("No such action."))
    designation.move(
        principal=principal,
        community=community,
        action=action,
        reason=(request.POST.get("reason") or "").strip()[:2000],
    )
    messages.success(request, _("Done."))
    return redirect("communities:designation", community.public_id)


@login_required
@domain_errors
def designations(request: HttpRequest) -> HttpResponse:
    """The designation authority's queue: every community past its draft."""
    access.require_designation_authority(Principal.of(request))
    page = Paginator(queries.designation_queue(), 50).get_page(request.GET.get("page"))
    return render(request, "communities/designations.html", {"page": page})
