"""What consent holds about a person (core/privacy.py): their consent records, exported as
the JSON-LD document of docs/consent.md. Erasure keeps the records (evidence that the
processing they allowed was lawful, PIPL art. 54 audits) and withdraws every consent still
given, so nothing is used on their strength after the person is gone."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from nomadcloud.consent import jsonld
from nomadcloud.consent.models import ConsentRecord


def export(user: Any) -> dict[str, Any]:
    return jsonld.document(ConsentRecord.objects.filter(subject=user).select_related("subject"))


def erase(user: Any) -> None:
    ConsentRecord.objects.filter(subject=user, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=user
    )
