"""Typed inputs and outputs of teams (docs/decisions/0010)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from nomadcloud.core.inputs import Draft
from nomadcloud.core.schemas import Text

Name = Annotated[Text, Field(min_length=1, max_length=200)]
CreditCode = Annotated[Text, Field(max_length=30)]
Share = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


class TeamDraft(Draft):
    """A new team, studio or enterprise team; the creator is its lead."""

    kind: Literal["team", "studio", "enterprise"]
    name: Name
    credit_code: CreditCode = ""


class InvitationDraft(Draft):
    """Invite a registered person by e-mail address."""

    email: Annotated[Text, Field(min_length=3, max_length=254)]
    role: Literal["member", "adviser"] = "member"


class AnswerDraft(Draft):
    """Accept (with consent to take part and to be named in applications) or decline."""

    accept: bool
    consent: bool = False


class SharesDraft(Draft):
    """Each accepted member's share of the team's credit, in percent, summing to 100."""

    shares: dict[UUID, Share]


class MemberOut(Schema):
    user: UUID
    name: str
    role: str
    status: str
    share: Decimal
    accepted_at: datetime | None
    consent_at: datetime | None


class TeamOut(Schema):
    id: UUID
    kind: str
    name: str
    lead: UUID
    credit_code: str
    members: list[MemberOut]
    created_at: datetime


class TeamRowOut(Schema):
    """A row of your teams (the cursor page returns the models)."""

    id: UUID
    kind: str
    name: str
    lead: UUID
    created_at: datetime

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_lead(obj: Any) -> UUID:
        return obj.lead.public_id  # type: ignore[no-any-return]
