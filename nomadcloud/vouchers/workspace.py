"""What vouchers add to the workspace (``accounts/workspace.py``): an enterprise's vouchers
(held, to confirm, to redeem as a provider) and a department's review queue."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.access import DECIDING_ROLES
from nomadcloud.accounts.workspace import Seat, Tool, figure
from nomadcloud.vouchers import queries


def enterprise_vouchers(seat: Seat) -> Tool:
    counts = queries.enterprise_counts(seat.organisation)
    waiting = counts["to_confirm"]
    return Tool(
        key="vouchers",
        title=_("Data innovation vouchers"),
        url=reverse("vouchers:organisation", args=[seat.org_id]),
        figures=(
            figure(_("Vouchers held"), counts["held"]),
            figure(_("Deliveries to confirm"), waiting, attention=True),
            figure(_("Vouchers to redeem"), counts["to_redeem"]),
        ),
        next_step=_("Confirm the delivery a provider asks you to.") if waiting else "",
        links=((_("Voucher programmes"), reverse("vouchers:list")),),
    )


def department_vouchers(seat: Seat) -> Tool | None:
    if not seat.has_role(*DECIDING_ROLES):
        return None
    counts = queries.department_counts(seat.organisation)
    waiting = counts["providers"] + counts["applications"] + counts["to_verify"]
    return Tool(
        key="vouchers",
        title=_("Data innovation vouchers"),
        url=reverse("vouchers:review"),
        figures=(
            figure(_("Providers to review"), counts["providers"], attention=True),
            figure(_("Applications to decide"), counts["applications"], attention=True),
            figure(_("Redemptions to verify"), counts["to_verify"], attention=True),
            figure(_("Held by the anti-fraud rules"), counts["held"], attention=True),
        ),
        next_step=_("Decide the voucher work waiting for your department.") if waiting else "",
        links=((_("Voucher programmes"), reverse("vouchers:list")),),
    )


def register() -> None:
    workspace.tool("enterprise", enterprise_vouchers, order=60)
    workspace.tool("department", department_vouchers, order=40)
