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


def funnel_counts(organisation: Organisation) -> list[tuple[str, int | None]]:
    from nomadcloud.matching.models import Invitation
    from nomadcloud.orders.models import Order

    invitations = Invitation.objects.filter(demand__organisation=organisation).aggregate(
        sent=Count("id"),
        accepted=Count("id", filter=Q(status=Invitation.Status.ACCEPTED)),
    )
    orders = Order.objects.filter(organisation=organisation, demand__isnull=False).aggregate(
        total=Count("id"),
        accepted=Count("id", filter=Q(status__in=[Order.Status.ACCEPTED, Order.Status.SETTLED])),
    )
    return [
        (_("Views"), None),
        (_("Applications and invitations"), int(invitations["sent"])),
        (_("Shortlisted (invitations accepted)"), int(invitations["accepted"])),
        (_("Orders"), int(orders["total"])),
        (_("Work accepted"), int(orders["accepted"])),
    ]
