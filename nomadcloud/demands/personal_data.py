"""What demands holds about a person (core/privacy.py): only who acted for an organisation —
the demands they created, the status changes they made, the webhooks and feeds they set up.
These are the organisation's records; the export lists them so the person sees where they
are named, and erasure leaves them pointing to the pseudonymous person (no name, contact or
text about the person is stored here)."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.demands.models import Demand, DemandEvent, Feed, WebhookEndpoint


def export(user: Any) -> dict[str, Any]:
    return {
        "demands_created": [
            {"public_id": str(d.public_id), "created_at": privacy.json_safe(d.created_at)}
            for d in Demand.objects.filter(created_by=user).only("public_id", "created_at")
        ],
        "status_changes": privacy.dump(
            DemandEvent.objects.filter(actor=user).select_related("demand"),
            exclude=["actor", "demand"],
            demand_public_id=lambda e: e.demand.public_id,
        ),
        "webhooks_set_up": WebhookEndpoint.objects.filter(created_by=user).count(),
        "feeds_set_up": Feed.objects.filter(created_by=user).count(),
    }


def erase(user: Any) -> None:
    """Nothing to remove: see the module's note."""
