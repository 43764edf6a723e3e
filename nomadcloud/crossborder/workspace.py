"""What cross-border export adds to the workspaces: an enterprise's requests and whitelist
entries, the 网信办's pre-checks, the operator's overview."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Tool, figure
from nomadcloud.crossborder import access, queries


def exporter_tool(seat: Seat) -> Tool:
    summary = queries.exporter_summary(seat.organisation)
    waiting = summary["open"] + summary["attention"]
    return Tool(
        key="crossborder",
        title=_("Cross-border data export"),
        url=reverse("crossborder:exporter", args=[seat.org_id]),
        figures=(
            figure(_("Active whitelist entries"), summary["active"]),
            figure(_("Needing your action"), waiting, attention=bool(waiting)),
        ),
        next_step=_("Complete the cross-border obligations or renew an entry.") if waiting else "",
    )


def reviewer_tool(seat: Seat) -> Tool | None:
    if seat.organisation.code != access.REVIEWING_UNIT:
        return None
    waiting = queries.to_precheck(seat.organisation)
    return Tool(
        key="crossborder-review",
        title=_("Cross-border pre-checks"),
        url=reverse("crossborder:review"),
        figures=(figure(_("Requests to pre-check"), waiting, attention=bool(waiting)),),
        next_step=_("Pre-check the submitted export requests.") if waiting else "",
    )


def operator_tool(seat: Seat) -> Tool:
    totals = queries.zone_totals()
    return Tool(
        key="crossborder-operator",
        title=_("Cross-border data export"),
        url=reverse("crossborder:review"),
        figures=(
            figure(_("Active whitelist entries"), totals["active"]),
            figure(_("Requests to pre-check"), totals["to_precheck"]),
        ),
    )


def register() -> None:
    workspace.tool("enterprise", exporter_tool, order=80)
    workspace.tool("department", reviewer_tool, order=60)
    workspace.tool("operator", operator_tool, order=80)
