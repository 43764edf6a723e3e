"""Pages of communities beyond bookings and stays: the events calendar and its iCalendar
export (and the designation, ``designation_views``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import access, calendar, designation, queries, transitions
from nomadcloud.communities.access import Action
from nomadcloud.communities.forms import EventForm, pair
from nomadcloud.communities.schemas import EventDraft
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
