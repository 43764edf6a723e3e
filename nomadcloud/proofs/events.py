"""What proofs of work tell the apps above them (points), as named events with typed payloads
(``core.events``; docs/decisions/0004, 0005), sent inside the issuing or revoking
transaction so that what listeners do commits or rolls back with it.

Listeners receive the work units as values: they never read them back out of a signed
credential."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from nomadcloud.core.events import Event
from nomadcloud.proofs.models import Credential


@dataclass(frozen=True)
class Holder:
    """The person a credential is issued to: their user id and public id."""

    pk: int
    public_id: UUID


@dataclass(frozen=True)
class WorkUnitsEarned:
    """Work units a newly issued credential carries (``proofs/units.py``): exact, to the
    cent, positive."""

    holder: Holder
    credential_id: UUID
    units: Decimal


@dataclass(frozen=True)
class CredentialsIssued:
    """Sent once per issuing call that issued anything: the new credentials and the work
    units they carry (none for a credential carrying none)."""

    credentials: tuple[Credential, ...]
    work_units: tuple[WorkUnitsEarned, ...]


@dataclass(frozen=True)
class CredentialRevoked:
    """The zone operator revoked a credential."""

    credential_id: UUID
    holder_id: int | None
    actor_id: int | None
    reason: str
    revoked_at: datetime


credentials_issued: Event[CredentialsIssued] = Event("proofs.credentials_issued")
credential_revoked: Event[CredentialRevoked] = Event("proofs.credential_revoked")
