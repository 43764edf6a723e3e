"""An enterprise's demand funnel for the chart on its demands page (issue 14 item 9):
views → applications → shortlisted → orders → accepted, over all its demands.

``funnel_counts`` computes each stage from what exists today and is the one place to extend:
- views: demands record no page views yet, so the stage is left out (None) until they do;
- applications: applications to the demands plus invitations sent from their candidate lists
  (matching.Invitation);
- shortlisted: applications shortlisted (or already turned into an order) plus invitations
  the nomads accepted;
- orders: orders created from the demands; accepted: those whose work was accepted (or settled).
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.demands.models import Demand, DemandApplication

# Status values of the apps above demands, named here rather than imported (demands sits below
# matching and orders: tests/test_architecture.py).
INVITATION_ACCEPTED = "accepted"
ORDER_WORK_ACCEPTED = ("accepted", "settled")
SHORTLISTED = (DemandApplication.Status.SHORTLISTED, DemandApplication.Status.ORDERED)


def funnel_counts(organisation: Organisation) -> list[tuple[str, int | None]]:
    demands = Demand.objects.filter(organisation=organisation)
    invitations = demands.aggregate(
        sent=Count("invitations"),
        accepted=Count("invitations", filter=Q(invitations__status=INVITATION_ACCEPTED)),
    )
    applied = DemandApplication.objects.filter(demand__organisation=organisation).aggregate(
        total=Count("id"),
        shortlisted=Count("id", filter=Q(status__in=SHORTLISTED)),
    )
    orders = demands.aggregate(
        total=Count("orders"),
        accepted=Count("orders", filter=Q(orders__status__in=ORDER_WORK_ACCEPTED)),
    )
    return [
        (_("Views"), None),
        (_("Applications and invitations"), int(invitations["sent"]) + int(applied["total"])),
        (
            _("Shortlisted"),
            int(invitations["accepted"]) + int(applied["shortlisted"]),
        ),
        (_("Orders"), int(orders["total"])),
        (_("Work accepted"), int(orders["accepted"])),
    ]
