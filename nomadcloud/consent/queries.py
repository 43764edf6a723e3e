"""Reads of consent: whether a person consents, now or at a moment, to a purpose for a
recipient. The app that uses personal data asks here before each use; a person's own records
are read through ``access.py``."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from nomadcloud.accounts.models import User
from nomadcloud.consent.models import ConsentRecord


def valid_consent(
    user: User, *, purpose: str, recipient: str, at: datetime | None = None
) -> ConsentRecord | None:
    """The newest record by which ``user`` consents, now (or ``at``), to ``purpose`` for
    ``recipient``: not withdrawn, not expired. ``None`` when there is none."""
    now = at or timezone.now()
    for record in ConsentRecord.objects.filter(subject=user, purpose=purpose):
        if recipient in record.recipients and record.is_valid_at(now):
            return record
    return None


def has_consent(user: User, *, purpose: str, recipient: str, at: datetime | None = None) -> bool:
    return valid_consent(user, purpose=purpose, recipient=recipient, at=at) is not None
