"""What challenges tell the apps above them (proofs), as named events with typed payloads
(``core.events``; docs/decisions/0004): sent inside the accepting transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from nomadcloud.core.events import Event


@dataclass(frozen=True)
class MemberShare:
    user_id: int
    user_public_id: UUID
    share: Decimal  # percent of the milestone's amount, as the team recorded it
    amount: Decimal  # the member's part of the milestone's amount, to the cent


@dataclass(frozen=True)
class ChallengeMilestoneAccepted:
    """A milestone of a signed challenge was accepted: every accepted member of the team is
    credited with their share. ``reference`` is ``challenge:<uuid>:milestone:<position>``."""

    reference: str
    challenge_id: UUID
    title_zh: str
    title_en: str
    milestone_title: str
    amount: Decimal
    issuer_id: UUID
    issuer_name_zh: str
    issuer_name_en: str
    started_at: datetime
    accepted_at: datetime
    team_name: str
    members: tuple[MemberShare, ...]


milestone_accepted: Event[ChallengeMilestoneAccepted] = Event("bounties.milestone_accepted")
