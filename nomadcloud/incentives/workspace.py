"""What incentives adds to the workspaces: an organisation's entitlements and claims, the
department's claims to verify, the operator's recalculation and policy library."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Tool, figure
from nomadcloud.core.money import format_cny
from nomadcloud.incentives import queries


def organisation_incentives(seat: Seat) -> Tool:
    summary = queries.organisation_summary(seat.organisation)
    waiting = summary["supplements"]
    return Tool(
        key="incentives",
        title=_("Incentives"),
        url=reverse("incentives:organisation", args=[seat.org_id]),
        figures=(
            figure(_("Entitlements found"), summary["entitlements"], testid="entitlements"),
            figure(_("Amount found"), format_cny(summary["amount"])),
            figure(_("Supplements to answer"), waiting, attention=bool(waiting)),
        ),
        next_step=_("Answer the department's supplement request.") if waiting else "",
        links=(
            (_("Policy library"), reverse("incentives:policies")),
            *(
                (
                    (
                        _("Fixed-asset investments"),
                        reverse("incentives:investments", args=[seat.org_id]),
                    ),
                )
                if seat.organisation.kind == "community"
                else ()
            ),
            (
                _("Conferences and exhibitions"),
                reverse("incentives:conferences", args=[seat.org_id]),
            ),
        ),
    )


def department_incentives(seat: Seat) -> Tool | None:
    code = seat.organisation.code
    if not code or not queries.department_has_policies(code):
        return None
    waiting = queries.claims_to_verify(code)
    return Tool(
        key="incentives-review",
        title=_("Incentive claims to verify"),
        url=reverse("incentives:review"),
        figures=(figure(_("Claims to verify"), waiting, attention=bool(waiting)),),
        next_step=_("Verify the submitted incentive claims.") if waiting else "",
        links=(
            (_("Recalculation"), reverse("incentives:recalculation")),
            (_("Policy library"), reverse("incentives:policies")),
        ),
    )


def operator_incentives(seat: Seat) -> Tool:
    return Tool(
        key="incentives-operator",
        title=_("Incentives"),
        url=reverse("incentives:review"),
        figures=(figure(_("Claims in 公示"), queries.claims_in_publicity()),),
        links=(
            (_("Recalculation"), reverse("incentives:recalculation")),
            (_("Policy library"), reverse("incentives:policies")),
        ),
    )


def register() -> None:
    workspace.tool("enterprise", organisation_incentives, order=70)
    workspace.tool("community", organisation_incentives, order=70)
    workspace.tool("department", department_incentives, order=40)
    workspace.tool("operator", operator_incentives, order=70)
