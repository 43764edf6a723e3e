"""What matching adds to the workspace (``accounts/workspace.py``): the nomad's recommended
work and invitations."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Tool, figure
from nomadcloud.matching import queries


def recommended_work(seat: Seat) -> Tool:
    best, waiting = seat.remember("matching.summary", lambda: queries.nomad_summary(seat.user))
    top = [
        (
            f"{match.demand} · {match.score:.0f}",
            reverse("demands:detail", args=[match.demand.public_id]),
        )
        for match in best
    ]
    return Tool(
        key="recommended",
        title=_("Recommended for you"),
        url=reverse("matching:recommended"),
        figures=(figure(_("Invitations waiting"), waiting, attention=True, testid="invitations"),),
        next_step=_("Answer the invitations from enterprises.") if waiting else "",
        next_url=reverse("matching:invitations"),
        links=(*top, (_("Invitations"), reverse("matching:invitations"))),
    )


def register() -> None:
    workspace.tool("nomad", recommended_work, order=25)
