"""What datatasks adds to the workspace (``accounts/workspace.py``): the nomad's batches and
the open ones to join, an enterprise's batches."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Tool, figure
from nomadcloud.datatasks import queries


def nomad_batches(seat: Seat) -> Tool:
    counts = queries.worker_counts(seat.user)
    return Tool(
        key="datatasks",
        title=_("Data-processing work"),
        url=reverse("datatasks:list"),
        figures=(
            figure(_("Working on"), counts["working"]),
            figure(_("Open to join"), counts["open"], testid="batches-open"),
        ),
    )


def enterprise_batches(seat: Seat) -> Tool:
    counts = queries.batch_counts_of(seat.organisation)
    return Tool(
        key="datatasks",
        title=_("Data-processing work"),
        url=reverse("datatasks:organisation", args=[seat.org_id]),
        figures=(
            figure(_("Open batches"), counts["open"]),
            figure(_("Closed, awaiting acceptance"), counts["closed"], attention=True),
        ),
        next_step=_("Accept the work of your closed batches.") if counts["closed"] else "",
    )


def register() -> None:
    workspace.tool("nomad", nomad_batches, order=60)
    workspace.tool("enterprise", enterprise_batches, order=40)
