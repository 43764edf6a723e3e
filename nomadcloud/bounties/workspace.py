"""What challenges add to the workspaces: the enterprise's challenges, the department's
approvals, the nomad's expert assignments and the public list."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Tool, figure
from nomadcloud.bounties import queries
from nomadcloud.bounties.models import Assignment


def enterprise_challenges(seat: Seat) -> Tool:
    n = queries.challenges_of(seat.organisation).count()
    return Tool(
        key="challenges",
        title=_("揭榜挂帅 challenges"),
        url=reverse("bounties:organisation", args=[seat.org_id]),
        figures=(figure(_("Challenges"), n, testid="challenges-count"),),
    )


def department_approvals(seat: Seat) -> Tool:
    n = queries.to_approve(seat.organisation).count()
    return Tool(
        key="challenges",
        title=_("揭榜挂帅 challenges"),
        url=reverse("bounties:organisation", args=[seat.org_id]),
        figures=(figure(_("To approve"), n, attention=True, testid="challenges-to-approve"),),
        next_step=_("Approve or return the submitted challenges.") if n else "",
    )


def nomad_challenges(seat: Seat) -> Tool:
    open_sheets = (
        queries.assignments_of(seat.user).filter(status=Assignment.Status.ASSIGNED).count()
    )
    return Tool(
        key="challenges",
        title=_("揭榜挂帅 challenges"),
        url=reverse("bounties:list"),
        figures=(figure(_("Score sheets to fill"), open_sheets, attention=True),),
        next_step=_("Score the applications assigned to you.") if open_sheets else "",
        links=((_("My score sheets"), reverse("bounties:expert")),),
    )


def register() -> None:
    workspace.tool("enterprise", enterprise_challenges, order=30)
    workspace.tool("department", department_approvals, order=30)
    workspace.tool("nomad", nomad_challenges, order=46)
