"""API shapes of matching."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from nomadcloud.core.schemas import Input


class MatchOut(Schema):
    demand: UUID = Field(..., description="The demand's public id.")
    demand_title: str
    profile: UUID = Field(..., description="The nomad profile's public id.")
    score: float = Field(..., ge=0, le=100)
    required_met: int
    required_total: int
    certified: bool
    available: bool
    explanation: dict[str, Any] = Field(
        ..., description="Each requirement met, partly met or missing, with its points."
    )
    rule_version: str
    computed_at: datetime


class MatchPage(Schema):
    items: list[MatchOut]
    next_cursor: str | None


class InviteIn(Input):
    profile: UUID = Field(..., description="The candidate's profile public id.")
    message: str = Field("", max_length=2000)


class AnswerIn(Input):
    accept: bool


class InvitationOut(Schema):
    id: int
    demand: UUID
    demand_title: str
    profile: UUID
    status: str
    message: str
    score: float
    created_at: datetime
    responded_at: datetime | None
