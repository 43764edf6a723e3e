"""What the crossborder app holds about a person (core/privacy.py): the requests they filed,
the evidence they submitted and the transfers they logged, all as the acting officer of an
exporter. Erasure keeps them: they are the exporter's records that PIPL art. 56 and Decree
790 require to be kept (at least 3 years); they name the person only as the actor."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.crossborder.models import ExportRequest, Obligation, TransferEvent


def export(user: Any) -> dict[str, Any]:
    return {
        "requests_filed": privacy.dump(ExportRequest.objects.filter(created_by=user)),
        "evidence_submitted": privacy.dump(Obligation.objects.filter(submitted_by=user)),
        "transfers_logged": privacy.dump(TransferEvent.objects.filter(logged_by=user)),
    }


def erase(user: Any) -> None:
    """Nothing is removed (records the law requires the exporter to keep)."""
