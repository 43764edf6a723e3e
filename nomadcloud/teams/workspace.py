"""What teams adds to the nomad's workspace: their teams and open invitations."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Tool, figure
from nomadcloud.teams import queries


def nomad_teams(seat: Seat) -> Tool:
    invitations = queries.invitations_for(seat.user).count()
    return Tool(
        key="teams",
        title=_("Teams and studios"),
        url=reverse("teams:mine"),
        figures=(
            figure(_("Invitations"), invitations, attention=True, testid="team-invitations"),
            figure(_("Teams"), queries.teams_of(seat.user).count()),
        ),
        next_step=_("Answer your team invitations.") if invitations else "",
    )


def register() -> None:
    workspace.tool("nomad", nomad_teams, order=45)
