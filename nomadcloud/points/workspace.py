"""What points adds to the workspace (``accounts/workspace.py``): the nomad's wallet and the
pay page, the merchant's cashier page and today's takings, the operator's programme and
merchant registry."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Step, Tool, figure
from nomadcloud.points.merchants import queries as merchants
from nomadcloud.points.merchants.services.payments import amount_text
from nomadcloud.points.models import Merchant
from nomadcloud.points.wallet import queries as wallet


def nomad_wallet(seat: Seat) -> Tool:
    return Tool(
        key="points",
        title=_("My points"),
        url=reverse("points:wallet"),
        figures=(figure(_("Zone points"), wallet.zone_points_of(seat.user), testid="points"),),
        links=((_("Pay at a merchant"), reverse("points:pay")),),
    )


def _merchant(seat: Seat) -> Merchant | None:
    return seat.remember("points.merchant", lambda: merchants.merchant_of(seat.organisation))


def cashier_tool(seat: Seat) -> Tool:
    merchant = _merchant(seat)
    if merchant is None:
        return Tool(
            key="cashier",
            title=_("Cashier"),
            url=reverse("points:cashier_home"),
            next_step=_("The zone operator has not yet registered you in a consumption scenario."),
        )
    n, amount = merchants.takings_on(merchant, timezone.localdate())
    org_id = merchant.organisation.public_id
    return Tool(
        key="cashier",
        title=_("Cashier"),
        url=reverse("points:merchant_cashier", args=[org_id]),
        figures=(
            figure(_("Payments today"), n, testid="payments-today"),
            figure(
                _("Today's takings"),
                amount_text(merchant.scenario.asset, amount),
                testid="takings-today",
            ),
        ),
        links=((_("Statements and settlement"), reverse("points:merchant_detail", args=[org_id])),),
    )


def scenario_step(seat: Seat) -> Step:
    return Step(
        key="scenario",
        label=_("Be registered by the zone operator in a consumption scenario"),
        url=reverse("points:cashier_home"),
        done=_merchant(seat) is not None,
    )


def operator_points(seat: Seat) -> Tool:
    waiting = len(merchants.unregistered_merchant_organisations())
    return Tool(
        key="points-operator",
        title=_("Points programme"),
        url=reverse("points:operator"),
        figures=(figure(_("Merchants to register"), waiting, attention=True),),
        next_step=_("Register the verified merchants in their scenarios.") if waiting else "",
        links=((_("Merchant registry"), reverse("points:merchant_registry")),),
    )


def register() -> None:
    workspace.tool("nomad", nomad_wallet, order=80)
    workspace.tool("merchant", cashier_tool, order=10)
    workspace.checklist("merchant", scenario_step, order=20)
    workspace.tool("operator", operator_points, order=30)
