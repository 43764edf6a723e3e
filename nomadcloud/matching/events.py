"""What matching tells the apps above it (docs/decisions/0004).

``invitation_answered``: a nomad accepted or declined an enterprise's invitation; sent in
the transaction of the answer (conversations opens the conversation on acceptance).
"""

from __future__ import annotations

from dataclasses import dataclass

from nomadcloud.core.events import Event


@dataclass(frozen=True)
class InvitationAnswered:
    invitation_id: int
    accepted: bool


invitation_answered = Event[InvitationAnswered]("matching.invitation_answered")
