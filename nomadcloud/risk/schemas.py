"""The API shapes of the zone operator's review queue of held work units."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

from nomadcloud.core.schemas import Input
from nomadcloud.risk import queries
from nomadcloud.risk.models import HeldIssuance


class ReasonOut(Schema):
    rule: str = Field(..., description="The rule's id (docs/risk.md)")
    weight: int
    params: dict[str, str]
    reason: str = Field(..., description="Localized (Accept-Language)")


class HeldIssuanceOut(Schema):
    id: UUID
    status: str
    credential_id: UUID
    holder_id: UUID
    holder: str
    organisation_id: UUID | None
    organisation: str
    kind: str
    source: str
    work_units: Decimal
    score: int
    reasons: list[ReasonOut]
    rule_version: str
    held_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str
    decision_rule_version: str

    @staticmethod
    def resolve_id(obj: HeldIssuance) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_credential_id(obj: HeldIssuance) -> UUID:
        return obj.assessment.credential

    @staticmethod
    def resolve_holder_id(obj: HeldIssuance) -> UUID:
        return obj.assessment.holder.public_id

    @staticmethod
    def resolve_holder(obj: HeldIssuance) -> str:
        return str(obj.assessment.holder)

    @staticmethod
    def resolve_organisation_id(obj: HeldIssuance) -> UUID | None:
        org = obj.assessment.organisation
        return org.public_id if org else None

    @staticmethod
    def resolve_organisation(obj: HeldIssuance) -> str:
        org = obj.assessment.organisation
        return str(org) if org else ""

    @staticmethod
    def resolve_kind(obj: HeldIssuance) -> str:
        return obj.assessment.kind

    @staticmethod
    def resolve_source(obj: HeldIssuance) -> str:
        return obj.assessment.source

    @staticmethod
    def resolve_work_units(obj: HeldIssuance) -> Decimal:
        return obj.assessment.units

    @staticmethod
    def resolve_score(obj: HeldIssuance) -> int:
        return obj.assessment.score

    @staticmethod
    def resolve_reasons(obj: HeldIssuance) -> list[dict[str, Any]]:
        return queries.reasons(obj)

    @staticmethod
    def resolve_rule_version(obj: HeldIssuance) -> str:
        return obj.assessment.rule_version

    @staticmethod
    def resolve_held_at(obj: HeldIssuance) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_decided_by(obj: HeldIssuance) -> str | None:
        return str(obj.decided_by) if obj.decided_by else None


class HeldFilters(Schema):
    status: Literal["held", "released", "cancelled", "all"] = "held"


class DecisionIn(Input):
    release: bool = Field(..., description="true: credit the units; false: cancel them")
    reason: str = Field(..., min_length=1, max_length=2000)
