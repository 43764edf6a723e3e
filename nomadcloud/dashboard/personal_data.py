"""What the dashboard holds about a person (core/privacy.py): the official figures they
reported or approved and the statistics files they imported, as a unit's official acts. Kept
on erasure (they are the record of official statistics); the person is then named only
through the account, which erasure makes pseudonymous. Figures themselves are aggregates:
no personal data is imported."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.dashboard.models import ImportBatch, Observation


def export(user: Any) -> dict[str, Any]:
    return {
        "figures_reported": privacy.dump(Observation.objects.filter(submitted_by=user)),
        "figures_approved": privacy.dump(Observation.objects.filter(approved_by=user)),
        "imports": privacy.dump(ImportBatch.objects.filter(imported_by=user)),
    }


def erase(user: Any) -> None:
    """Nothing to remove: see the module's docstring."""
