"""What proofs holds about a person (core/privacy.py): the proof-of-work credentials issued
to them (the signed documents name the person only by a pseudonymous subject id).

Erasure keeps the credentials: they are signed, logged in the transparency log and back
work units in the ledger; they point to the pseudonymous person."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.proofs.models import Credential


def export(user: Any) -> dict[str, Any]:
    return {
        "credentials": privacy.dump(
            Credential.objects.filter(user=user), exclude=["user", "revoked_by"]
        )
    }


def erase(user: Any) -> None:
    """Nothing to remove: see the module's note."""
