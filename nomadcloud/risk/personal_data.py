"""What the risk engine holds about a person (core/privacy.py): sightings (keyed hashes of
the client addresses and devices they acted from, never the address or user agent itself),
the assessments of work units they earned and the held issuances among them.

Erasure deletes the sightings (they serve only to compare people); assessments and held
issuances stay under the pseudonymous person, like the ledger rows and credentials they
describe, and the audit trail of the operator's decisions."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.risk.models import Assessment, HeldIssuance, Sighting


def export(user: Any) -> dict[str, Any]:
    return {
        "sightings": privacy.dump(Sighting.objects.filter(user=user), exclude=["user"]),
        "assessments": privacy.dump(Assessment.objects.filter(holder=user), exclude=["holder"]),
        "held_issuances": privacy.dump(
            HeldIssuance.objects.filter(assessment__holder=user), exclude=["decided_by"]
        ),
    }


def erase(user: Any) -> None:
    Sighting.objects.filter(user=user).delete()
