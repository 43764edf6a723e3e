"""What orders adds to the workspace (``accounts/workspace.py``): the nomad's applications
and orders, an enterprise's orders awaiting acceptance, the operator's disputes and
conversions."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Tool, age_text, figure
from nomadcloud.orders import queries


def nomad_orders(seat: Seat) -> Tool:
    counts = queries.nomad_order_counts(seat.user)
    return Tool(
        key="orders",
        title=_("Remote orders"),
        url=reverse("orders:list"),
        figures=(
            figure(_("Open applications"), counts["applications"], testid="open-applications"),
            figure(_("To work on"), counts["active"], attention=True, testid="orders-active"),
            figure(_("Delivered, awaiting acceptance"), counts["delivered"]),
        ),
        next_step=_("Deliver the work of your orders in progress.") if counts["active"] else "",
    )


def enterprise_orders(seat: Seat) -> Tool:
    counts = queries.enterprise_order_counts(seat.organisation)
    next_step = ""
    if counts["delivered"]:
        next_step = _("Review the delivered work and accept it.")
    elif counts["applied"]:
        next_step = _("Choose a nomad among the applicants to your orders.")
    return Tool(
        key="orders",
        title=_("Remote orders"),
        url=reverse("orders:organisation", args=[seat.org_id]),
        figures=(
            figure(
                _("Awaiting acceptance"),
                counts["delivered"],
                attention=True,
                testid="orders-awaiting-acceptance",
            ),
            figure(_("With applications"), counts["applied"], attention=True),
            figure(_("In progress"), counts["active"]),
            figure(_("In dispute"), counts["disputed"]),
        ),
        next_step=next_step,
    )


def operator_disputes(seat: Seat) -> Tool:
    n, oldest = queries.dispute_queue_summary()
    return Tool(
        key="disputes",
        title=_("Order disputes"),
        url=reverse("orders:disputes"),
        figures=(
            figure(pgettext("disputes", "Open"), n, attention=True, testid="disputes-open"),
            figure(_("Oldest waiting"), age_text(oldest) if n else "—"),
        ),
        next_step=_("Decide the oldest open dispute.") if n else "",
        links=((_("Conversions"), reverse("orders:conversions")),),
    )


def register() -> None:
    workspace.tool("nomad", nomad_orders, order=40)
    workspace.tool("enterprise", enterprise_orders, order=20)
    workspace.tool("operator", operator_disputes, order=20)
