"""What demands adds to the workspace (``accounts/workspace.py``): an enterprise's demands
and connectors, the nomad's public demand list, the operator's export."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Step, Tool, figure
from nomadcloud.core import showcase
from nomadcloud.demands import access, queries


def _counts(seat: Seat) -> dict[str, int]:
    return seat.remember("demands.counts", lambda: queries.demand_counts_of(seat.organisation))


def enterprise_demands(seat: Seat) -> Tool:
    counts = _counts(seat)
    links: tuple[tuple[str, str], ...] = ()
    if seat.has_role(*access.EDITORS):
        links = ((_("Post a demand"), reverse("demands:create", args=[seat.org_id])),)
    return Tool(
        key="demands",
        title=_("Demands and connectors"),
        url=reverse("demands:organisation", args=[seat.org_id]),
        figures=(
            figure(_("Published"), counts["published"], testid="demands-published"),
            figure(_("Drafts"), counts["drafts"]),
        ),
        next_step=(
            _("Publish your drafts, so that nomads can find them.") if counts["drafts"] else ""
        ),
        links=links,
    )


def first_demand_step(seat: Seat) -> Step | None:
    if not seat.has_role(*access.EDITORS):
        return None
    return Step(
        key="first-demand",
        label=_("Post your first demand"),
        url=reverse("demands:create", args=[seat.org_id]),
        done=_counts(seat)["total"] > 0,
    )


def open_demands(seat: Seat) -> Tool:
    return Tool(
        key="open-demands",
        title=_("Open demands"),
        url=reverse("demands:list"),
        figures=(figure(_("Published"), queries.open_demand_count()),),
    )


def operator_export(seat: Seat) -> Tool:
    return Tool(
        key="demands-export",
        title=_("Published demands"),
        url=reverse("demands:list"),
        links=((_("Export published demands (CSV)"), reverse("demands:export_csv")),),
    )


def register() -> None:
    showcase.figure(
        "open_demands", gettext_lazy("open demands"), queries.open_demand_count, order=20
    )
    workspace.tool("enterprise", enterprise_demands, order=10)
    workspace.checklist("enterprise", first_demand_step, order=20)
    workspace.tool("nomad", open_demands, order=30)
    workspace.tool("operator", operator_export, order=60)
    workspace.tool("community", open_demands, order=20)  # to share with the community's nomads
