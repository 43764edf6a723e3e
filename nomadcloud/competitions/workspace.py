"""What competitions adds to the workspace: a nomad's entries, an enterprise's competitions
and the operator's view of all of them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Tool, figure
from nomadcloud.competitions.models import Competition, Entry, Introduction

OPEN = (Competition.Status.DRAFT, Competition.Status.PUBLISHED)


def nomad_competitions(seat: Seat) -> Tool:
    entries = Entry.objects.filter(person=seat.user, competition__status="published").count()
    return Tool(
        key="competitions",
        title=_("Maker competitions"),
        url=reverse("competitions:index"),
        figures=(figure(_("Entries in open competitions"), entries, testid="competition-entries"),),
    )


def organiser_competitions(seat: Seat) -> Tool:
    running = Competition.objects.filter(organiser=seat.organisation, status__in=OPEN).count()
    manager = seat.has_role("owner", "admin")
    offered = (
        Introduction.objects.filter(
            organisation=seat.organisation, status=Introduction.Status.OFFERED
        ).count()
        if manager
        else 0
    )
    return Tool(
        key="competitions",
        title=_("Maker competitions"),
        url=reverse("competitions:index"),
        figures=(
            figure(_("Drafts and published"), running, testid="competitions-running"),
            figure(_("Winning projects to answer"), offered, testid="competition-introductions"),
        ),
        links=(
            (_("Organise a competition"), reverse("competitions:create")),
            (_("Winning projects introduced to you"), reverse("competitions:introductions")),
            (
                _("Our industrial park profile"),
                reverse("competitions:park", args=[seat.org_id]),
            ),
        )
        if manager
        else (),
    )


def register() -> None:
    workspace.tool("nomad", nomad_competitions, order=60)
    workspace.tool("enterprise", organiser_competitions, order=60)
    workspace.tool("operator", organiser_competitions, order=60)
