"""What training adds to the workspace (``accounts/workspace.py``): the nomad's trainings,
an enterprise's scenarios and the submissions awaiting assessment."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Tool, figure
from nomadcloud.training import queries


def nomad_training(seat: Seat) -> Tool:
    counts = queries.nomad_training_counts(seat.user)
    return Tool(
        key="training",
        title=_("Scenario training"),
        url=reverse("training:mine"),
        figures=(
            figure(_("In progress"), counts["enrolled"]),
            figure(_("Passed"), counts["passed"]),
        ),
        links=((_("Open trainings"), reverse("training:list")),),
    )


def enterprise_training(seat: Seat) -> Tool:
    waiting = queries.submissions_to_assess(seat.organisation)
    return Tool(
        key="training",
        title=_("Scenario training"),
        url=reverse("training:organisation", args=[seat.org_id]),
        figures=(figure(_("Submissions to assess"), waiting, attention=True),),
        next_step=_("Assess the submitted training work.") if waiting else "",
    )


def open_trainings(seat: Seat) -> Tool:
    return Tool(
        key="open-trainings",
        title=_("Open trainings"),
        url=reverse("training:list"),
        figures=(figure(_("Published"), queries.published_scenarios().count()),),
    )


def register() -> None:
    workspace.tool("nomad", nomad_training, order=50)
    workspace.tool("enterprise", enterprise_training, order=30)
    workspace.tool("community", open_trainings, order=30)
