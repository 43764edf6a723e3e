"""What demands holds about a person (core/privacy.py): who acted for an organisation — the
demands they created, the status changes they made, the webhooks and feeds they set up —
and a nomad's applications to demands. The organisation's records are listed so the person
sees where they are named, and erasure leaves them pointing to the pseudonymous person; an
application's texts about the nomad (the note, the availability, the proofs attached) are
blanked, its status, rate and history kept for the enterprise."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.demands.models import (
    ApplicationEvent,
    Demand,
    DemandApplication,
    DemandEvent,
    Feed,
    WebhookEndpoint,
)


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
        "applications": privacy.dump(
            DemandApplication.objects.filter(applicant=user).select_related("demand"),
            exclude=["applicant", "demand"],
            demand_public_id=lambda a: a.demand.public_id,
        ),
        "application_moves": ApplicationEvent.objects.filter(actor=user).count(),
    }


def erase(user: Any) -> None:
    """Blank the texts of the person's applications; see the module's note."""
    DemandApplication.objects.filter(applicant=user).update(note="", availability="", proofs=[])
