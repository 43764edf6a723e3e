"""What the risk engine tells the apps above it (``core.events``; docs/decisions/0004): a
zone operator released or cancelled held work units. Points credits released units (from
the payload alone); proofs revokes the credential of cancelled ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from nomadcloud.core.events import Event


@dataclass(frozen=True)
class HeldIssuanceDecided:
    """A decision on held work units: the credential that carries them, its holder, the
    amount (as signed in the credential), who decided, why and when."""

    held_id: UUID
    credential_id: UUID
    holder_id: int
    holder_public_id: UUID
    units: Decimal
    actor_id: int
    reason: str
    decided_at: datetime


issuance_released: Event[HeldIssuanceDecided] = Event("risk.issuance_released")
issuance_cancelled: Event[HeldIssuanceDecided] = Event("risk.issuance_cancelled")
