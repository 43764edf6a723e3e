"""What payouts tell the apps above it (``core.events``; docs/decisions/0004): a payout
was confirmed paid, failed, or was reversed. The app that owns the subject (a voucher, a
prize, a reward claim) connects to these in its ``AppConfig.ready`` and finds its subject
by ``subject_kind``/``subject_id``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from nomadcloud.core.events import Event


@dataclass(frozen=True)
class PayoutChanged:
    payout_id: UUID
    commitment_id: UUID
    subject_kind: str
    subject_id: str
    payee_kind: str
    payee_id: str
    amount: Decimal
    status: str
    external_reference: str
    actor_id: int | None
    at: datetime


payout_confirmed: Event[PayoutChanged] = Event("payouts.payout_confirmed")
payout_failed: Event[PayoutChanged] = Event("payouts.payout_failed")
payout_reversed: Event[PayoutChanged] = Event("payouts.payout_reversed")
