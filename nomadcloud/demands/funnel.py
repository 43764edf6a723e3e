"""An enterprise's demand funnel for the chart on its demands page (issue 14 item 9):
views → applications → shortlisted → orders → accepted, over all its demands.

``funnel_counts`` computes each stage from what exists today and is the one place to extend:
- views: demands record no page views yet, so the stage is left out (None) until they do;
- applications: invitations sent from the demands' candidate lists (matching.Invitation) —
  extend with the applications to demands (issue 14 item 2) when they land;
- shortlisted: invitations the nomads accepted — extend with shortlisted applications;
- orders: orders created from the demands; accepted: those whose work was accepted (or settled).
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.demands.models import Demand

# Status values of the apps above demands, named here rather than imported (demands sits below
# matching and orders: tests/test_architecture.py).
INVITATION_ACCEPTED = "accepted"
ORDER_WORK_ACCEPTED = ("accepted", "settled")


def funnel_counts(organisation: Organisation) -> list[tuple[str, int | None]]:
    demands = Demand.objects.filter(organisation=organisation)
    invitations = demands.aggregate(
        sent=Count("invitations"),
        accepted=Count("invitations", filter=Q(invitations__status=INVITATION_ACCEPTED)),
    )
    orders = demands.aggregate(
        total=Count("orders"),
        accepted=Count("orders", filter=Q(orders__status__in=ORDER_WORK_ACCEPTED)),
    )
    return [
        (_("Views"), None),
        (_("Applications and invitations"), int(invitations["sent"])),
        (_("Shortlisted (invitations accepted)"), int(invitations["accepted"])),
        (_("Orders"), int(orders["total"])),
        (_("Work accepted"), int(orders["accepted"])),
    ]
