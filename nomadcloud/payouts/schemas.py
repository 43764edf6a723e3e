from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from nomadcloud.core.inputs import Draft
from nomadcloud.core.schemas import Input, IsoDate
from nomadcloud.payouts import transitions
from nomadcloud.payouts.models import Budget, Payout

MoveAction = Literal["schedule", "send", "mark_paid", "confirm", "fail", "retry", "reverse"]


class BudgetOut(Schema):
    public_id: UUID
    programme_code: str
    year: int
    name_zh: str
    name_en: str
    owner_public_id: UUID
    amount: Decimal
    committed: Decimal
    in_flight: Decimal
    paid: Decimal
    available: Decimal

    @staticmethod
    def resolve_owner_public_id(obj: Budget) -> UUID:
        return obj.owner.public_id


class PayoutEventOut(Schema):
    action: str
    from_status: str
    to_status: str
    reason: str
    at: datetime


class PayoutOut(Schema):
    public_id: UUID
    budget_public_id: UUID
    commitment_public_id: UUID
    subject_kind: str
    subject_id: str
    payee_kind: str
    payee_id: str
    amount: Decimal
    status: str
    status_label: str
    scheduled_for: date | None
    attempts: int
    bank_order: str
    external_reference: str
    last_error: str
    created_at: datetime
    confirmed_at: datetime | None
    moves: list[str]

    @staticmethod
    def resolve_budget_public_id(obj: Payout) -> UUID:
        return obj.budget.public_id

    @staticmethod
    def resolve_commitment_public_id(obj: Payout) -> UUID:
        return obj.commitment.public_id

    @staticmethod
    def resolve_subject_kind(obj: Payout) -> str:
        return obj.commitment.subject_kind

    @staticmethod
    def resolve_subject_id(obj: Payout) -> str:
        return obj.commitment.subject_id

    @staticmethod
    def resolve_status_label(obj: Payout) -> str:
        return str(Payout.Status(obj.status).label)

    @staticmethod
    def resolve_moves(obj: Payout) -> list[str]:
        return transitions.moves(obj.status)


class PayoutDetailOut(PayoutOut):
    events: list[PayoutEventOut]

    @staticmethod
    def resolve_events(obj: Payout) -> list[PayoutEventOut]:
        return [PayoutEventOut.from_orm(e) for e in obj.events.all()]


class PayoutFilters(Input):
    status: Literal[
        "", "approved", "scheduled", "paying", "paid", "confirmed", "failed", "retried", "reversed"
    ] = ""


class PayoutMove(Draft):
    """One move of a payout: ``external_reference`` for ``mark_paid`` (the bank's reference),
    ``reason`` for ``fail``, ``retry`` and ``reverse``, ``scheduled_for`` for ``schedule``."""

    action: MoveAction
    reason: str = Field("", max_length=500)
    external_reference: str = Field("", max_length=100)
    scheduled_for: IsoDate | None = None
