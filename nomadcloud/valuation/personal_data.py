"""What the valuation app holds about a person (core/privacy.py): the assets they
registered, the valuations they requested or signed and the prices they recorded. These are
records of an organisation's decisions (who signed, who recorded), kept for audit: erasure
keeps them (the person's account itself is anonymised by accounts), nothing is deleted."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from nomadcloud.core import privacy
from nomadcloud.valuation.models import DataAsset, PriceObservation, Valuation


def export(user: Any) -> dict[str, Any]:
    return {
        "assets_registered": privacy.dump(DataAsset.objects.filter(created_by=user)),
        "valuations": privacy.dump(
            Valuation.objects.filter(
                Q(requested_by=user) | Q(valuer_signed_by=user) | Q(reviewer_signed_by=user)
            )
        ),
        "prices_recorded": privacy.dump(PriceObservation.objects.filter(recorded_by=user)),
    }


def erase(user: Any) -> None:
    """Nothing to remove: the rows name the person only as the one who acted for an
    organisation (an audit record the valuation guidance requires to be kept)."""
