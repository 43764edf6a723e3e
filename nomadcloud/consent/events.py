"""What consent tells the apps above it (``core.events``): a person withdrew a consent.
An app that relies on it (a data pool, once-only prefill) stops using the data from then
on, in its handler."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from nomadcloud.core.events import Event


@dataclass(frozen=True)
class ConsentWithdrawn:
    record_id: UUID
    subject_id: int
    purpose: str
    recipients: tuple[str, ...]
    withdrawn_at: datetime


consent_withdrawn: Event[ConsentWithdrawn] = Event("consent.consent_withdrawn")
