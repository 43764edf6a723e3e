"""What the incentives app holds about a person (core/privacy.py): the introductions that
name them as the nomad brought in, the claim items that count them, the investments and
conferences they recorded, and the claims, appeals and decisions they made for an
organisation or a department. These are records of public money (a claim is paid on them
and may be audited or clawed back), so erasure keeps them under the pseudonymous account;
claim items name a nomad only by the account's number."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.incentives.models import (
    Appeal,
    Claim,
    ClaimEvent,
    ClaimItem,
    Conference,
    Introduction,
    Investment,
)


def export(user: Any) -> dict[str, Any]:
    return {
        "introductions_of_you": privacy.dump(Introduction.objects.filter(nomad=user)),
        "introductions_recorded": privacy.dump(Introduction.objects.filter(recorded_by=user)),
        "claim_items_counting_you": privacy.dump(
            ClaimItem.objects.filter(nomad_key=str(user.pk)), exclude=["data"]
        ),
        "claims_started": privacy.dump(Claim.objects.filter(created_by=user)),
        "claim_events": privacy.dump(ClaimEvent.objects.filter(actor=user)),
        "appeals_filed": privacy.dump(Appeal.objects.filter(filed_by=user)),
        "investments_recorded": privacy.dump(Investment.objects.filter(recorded_by=user)),
        "conferences_recorded": privacy.dump(Conference.objects.filter(recorded_by=user)),
    }


def erase(user: Any) -> None:
    """Nothing to remove: the rows above are records of public money and name the person
    only through the account, which erasure makes pseudonymous."""
