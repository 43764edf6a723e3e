"""What communities adds to the workspaces (``accounts/workspace.py``): the community
operator's desk (requests, arrivals, guests in house, registrations; the listing, units and
rates, walk-in, imports, calendar, designation), the nomad's stays, and for departments the
designation queue (环湾办), the foreign registrations queue (公安) and visit statistics
(旅文局); the zone operator's visit count."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Tool, figure
from nomadcloud.communities import queries, visits
from nomadcloud.communities.models import Authority


def community_desk(seat: Seat) -> Tool:
    community = seat.remember("community", lambda: queries.community_of(seat.organisation))
    if community is None:
        return Tool(
            key="community",
            title=_("Your community"),
            url=reverse("communities:create", args=[seat.org_id]),
            next_step=_("List your community: name, address, amenities and house rules."),
        )
    counts = queries.host_counts(community)
    pid = community.public_id
    next_step = ""
    if counts["registrations"]:
        next_step = _("File the accommodation registrations of your foreign guests.")
    elif counts["requested"]:
        next_step = _("Accept or decline the booking requests.")
    elif counts["arriving"]:
        next_step = _("Check in today's arrivals.")
    return Tool(
        key="community",
        title=_("Bookings and stays"),
        url=reverse("communities:bookings", args=[pid]),
        figures=(
            figure(
                _("Requests waiting"),
                counts["requested"],
                attention=True,
                testid="requests-waiting",
            ),
            figure(_("Arriving"), counts["arriving"], attention=True),
            figure(_("In house"), counts["in_house"]),
            figure(
                _("Registrations to file"),
                counts["registrations"],
                attention=True,
                testid="registrations-open",
            ),
        ),
        next_step=next_step,
        links=(
            (_("Check in"), reverse("communities:check_in", args=[pid])),
            (_("Walk-in"), reverse("communities:walk_in", args=[pid])),
            (_("Listing, units and rates"), reverse("communities:manage", args=[pid])),
            (_("Import stays"), reverse("communities:import", args=[pid])),
            (_("Events calendar"), reverse("communities:events", args=[pid])),
            (_("Designation"), reverse("communities:designation", args=[pid])),
            (_("Public page"), reverse("communities:detail", args=[pid])),
        ),
    )


def nomad_stays(seat: Seat) -> Tool:
    counts = queries.guest_counts(seat.user)
    return Tool(
        key="stays",
        title=_("Stays"),
        url=reverse("communities:my_bookings"),
        figures=(
            figure(_("Upcoming"), counts["upcoming"], testid="stays-upcoming"),
            figure(_("Staying now"), counts["staying"]),
            figure(_("Past stays"), counts["stays"]),
        ),
        links=((_("Find a community"), reverse("communities:list")),),
    )


def _authority(seat: Seat) -> set[str]:
    return seat.remember(
        "community_authority",
        lambda: set(
            Authority.objects.filter(organisation=seat.organisation).values_list("role", flat=True)
        ),
    )


def police_queue(seat: Seat) -> Tool | None:
    if Authority.Role.POLICE not in _authority(seat):
        return None
    counts = queries.police_counts()
    return Tool(
        key="foreign-registrations",
        title=_("Foreign guests' registrations"),
        url=reverse("communities:police"),
        figures=(
            figure(_("Not yet registered"), counts["open"], attention=True),
            figure(_("Overdue"), counts["overdue"], attention=True, testid="registrations-overdue"),
        ),
        next_step=_("Follow up the overdue registrations.") if counts["overdue"] else "",
    )


def designation_queue(seat: Seat) -> Tool | None:
    if Authority.Role.DESIGNATION not in _authority(seat):
        return None
    waiting = queries.designation_queue().filter(
        designation__in=["submitted", "under_review", "publicity"]
    )
    n = waiting.count()
    return Tool(
        key="designations",
        title=_("Community designations"),
        url=reverse("communities:designations"),
        figures=(figure(_("In progress"), n, attention=True),),
        next_step=_("Review the communities that applied for designation.") if n else "",
    )


def _visits_tool() -> Tool:
    year = timezone.localdate().year
    figures = visits.count(timezone.localdate().replace(month=1, day=1), timezone.localdate())
    return Tool(
        key="visits",
        title=_("Visits to the zone"),
        url=reverse("communities:visits"),
        figures=(
            figure(
                _("Visits in %(year)s") % {"year": year}, figures["visits"], testid="visits-year"
            ),
            figure(_("Foreign"), figures["foreign"]),
        ),
    )


def statistics(seat: Seat) -> Tool | None:
    if Authority.Role.STATISTICS not in _authority(seat):
        return None
    return _visits_tool()


def operator_visits(seat: Seat) -> Tool:
    return _visits_tool()


def register() -> None:
    workspace.tool("community", community_desk, order=10)
    workspace.tool("nomad", nomad_stays, order=60)
    workspace.tool("department", police_queue, order=60)
    workspace.tool("department", designation_queue, order=61)
    workspace.tool("department", statistics, order=62)
    workspace.tool("operator", operator_visits, order=60)
