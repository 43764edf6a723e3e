"""Typed inputs and outputs of challenges (docs/decisions/0010): each limit stated once."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field, field_validator, model_validator

from nomadcloud.core.i18n import Multilingual
from nomadcloud.core.inputs import Draft, StrictDecimal, refuse
from nomadcloud.core.schemas import IsoDate, Text

Amount = Annotated[
    Decimal,
    StrictDecimal(max_digits=15, decimal_places=2, ge=0, description='CNY, e.g. "1200.50"'),
]
Reason = Annotated[Text, Field(max_length=2000)]
LongText = Annotated[Text, Field(min_length=1, max_length=20000)]
Short = Annotated[Text, Field(min_length=1, max_length=200)]
Sha256 = Annotated[Text, Field(pattern=r"^[0-9a-f]{64}$")]
TeamKind = Literal["team", "studio", "enterprise"]
ALL_KINDS: tuple[TeamKind, ...] = ("team", "studio", "enterprise")
PhaseKind = Literal["applications", "qualification", "evaluation", "selection"]
ActionName = Literal[
    "submit",
    "return",
    "approve",
    "close_applications",
    "start_evaluation",
    "fail",
    "start_signing",
    "accept_final",
    "remediate",
    "close",
    "cancel",
    "terminate",
]


class EligibilityRule(Draft):
    """Who may apply: team kinds, a legal entity (unified social credit code), team size."""

    kinds: list[TeamKind] = Field(default_factory=lambda: list(ALL_KINDS))
    entity_required: bool = False
    min_members: Annotated[int, Field(ge=1, le=50)] = 1
    max_members: Annotated[int, Field(ge=1, le=50)] = 10

    @model_validator(mode="after")
    def _sizes(self) -> EligibilityRule:
        if self.min_members > self.max_members:
            raise refuse(_("The smallest team size is above the largest."))
        if not self.kinds:
            raise refuse(_("Allow at least one kind of team."))
        return self


class Criterion(Draft):
    code: Annotated[Text, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    name_zh: Short
    name_en: Short
    weight: Annotated[int, Field(ge=0, le=100)]
    max_points: Annotated[int, Field(ge=1, le=100)]


class PhaseIn(Draft):
    kind: PhaseKind
    starts_on: IsoDate
    ends_on: IsoDate


class ChallengeDraft(Draft):
    """A challenge as its issuer drafts it."""

    department: UUID
    title: Multilingual
    statement: Multilingual
    kpis: Multilingual
    terms: Multilingual
    budget: Amount
    subsidy: Amount = Decimal("0.00")
    eligibility: EligibilityRule = Field(default_factory=EligibilityRule)
    rubric: Annotated[list[Criterion], Field(min_length=1, max_length=20)]
    aggregation: Literal["mean", "trimmed_mean", "zscore"] = "mean"
    min_experts: Annotated[int, Field(ge=3, le=9)] = 3
    one_team_per_person: bool = True
    blind_first_round: bool = False
    publicity_days: Annotated[int, Field(ge=1, le=30)] = 5
    review_days: Annotated[int, Field(ge=1, le=30)] = 5
    phases: Annotated[list[PhaseIn], Field(min_length=4, max_length=4)]

    @field_validator("rubric")
    @classmethod
    def _weights(cls, rubric: list[Criterion]) -> list[Criterion]:
        if sum(c.weight for c in rubric) <= 0:
            raise refuse(_("The rubric's weights must sum to more than 0."))
        if len({c.code for c in rubric}) != len(rubric):
            raise refuse(_("Each criterion needs its own code."))
        return rubric

    @field_validator("budget")
    @classmethod
    def _budget(cls, budget: Decimal) -> Decimal:
        if budget <= 0:
            raise refuse(_("A challenge needs a budget above 0."))
        return budget

    @field_validator("phases")
    @classmethod
    def _phases(cls, phases: list[PhaseIn]) -> list[PhaseIn]:
        order = ["applications", "qualification", "evaluation", "selection"]
        if [p.kind for p in phases] != order:
            raise refuse(
                _(
                    "Give the four phases in order: applications, qualification, evaluation, "
                    "selection."
                )
            )
        for before, after in itertools.pairwise(phases):
            if before.ends_on < before.starts_on or after.ends_on < after.starts_on:
                raise refuse(_("A phase ends before it starts."))
            if (after.starts_on - before.ends_on).days != 1:
                raise refuse(
                    _(
                        "Phases must be contiguous: each starts the day after the one before "
                        "ends (%(kind)s)."
                    )
                    % {"kind": after.kind}
                )
        return phases

    @model_validator(mode="after")
    def _subsidy(self) -> ChallengeDraft:
        if self.subsidy > self.budget:
            raise refuse(_("The 奖补 share cannot exceed the budget."))
        return self


class PlanItem(Draft):
    title: Short
    amount: Amount
    due_on: IsoDate
    criteria: Annotated[Text, Field(max_length=2000)] = ""


class ApplicationDraft(Draft):
    """A team's application: its proposal, the amount asked and the milestone plan (its
    amounts sum to the amount asked)."""

    team: UUID
    proposal: LongText
    amount: Amount
    plan: Annotated[list[PlanItem], Field(min_length=1, max_length=20)]

    @model_validator(mode="after")
    def _plan_sums(self) -> ApplicationDraft:
        if sum((p.amount for p in self.plan), Decimal("0")) != self.amount:
            raise refuse(_("The milestone amounts must sum to the amount asked."))
        return self


class QuestionDraft(Draft):
    question: Annotated[Text, Field(min_length=1, max_length=2000)]


class ReplyDraft(Draft):
    answer: Annotated[Text, Field(min_length=1, max_length=4000)]


class EligibilityDraft(Draft):
    eligible: bool
    reason: Reason = ""


class ScoresDraft(Draft):
    scores: dict[str, Annotated[int, Field(ge=0, le=100)]]
    comment: Annotated[Text, Field(max_length=4000)] = ""


class RecusalDraft(Draft):
    conflict: Annotated[Text, Field(min_length=1, max_length=2000)]


class SelectionDraft(Draft):
    """The department's selection, with its reasons; none selected → the challenge fails."""

    applications: Annotated[list[UUID], Field(max_length=1)]
    reason: Annotated[Text, Field(min_length=1, max_length=4000)]


class CosignDraft(Draft):
    """The issuer's co-signature of the selection, with its evidence (e.g. the reference of
    the sealed confirmation letter)."""

    evidence: Annotated[Text, Field(min_length=1, max_length=2000)]


class TaskBookDraft(Draft):
    milestones: Annotated[list[PlanItem], Field(min_length=1, max_length=20)]
    note: Reason = ""


class ReportDraft(Draft):
    report: LongText
    deliverable_sha256: Sha256


class ReviewDraft(Draft):
    """``accept`` true accepts; false asks for changes, or rejects when ``reject`` is set
    (a rejection can be disputed by the team)."""

    accept: bool
    reject: bool = False
    note: Reason = ""


class DisputeDraft(Draft):
    reason: Annotated[Text, Field(min_length=1, max_length=2000)]


class DisputeResponseDraft(Draft):
    response: Annotated[Text, Field(min_length=1, max_length=2000)]


class DisputeDecisionDraft(Draft):
    decision: Literal["accept", "redo", "uphold"]
    reason: Annotated[Text, Field(min_length=1, max_length=2000)]


class ExtensionDraft(Draft):
    due_on: IsoDate
    reason: Annotated[Text, Field(min_length=1, max_length=2000)]


class ExtensionDecisionDraft(Draft):
    approve: bool
    reason: Annotated[Text, Field(min_length=1, max_length=2000)]


class ExtensionOut(Schema):
    milestone: UUID
    previous_due_on: date
    due_on: date
    reason: str
    approved: bool | None
    decision_reason: str
    milestone_due_on: date


class MidtermDraft(Draft):
    outcome: Literal["on_track", "concerns", "failing"]
    findings: Annotated[Text, Field(min_length=1, max_length=5000)]


class StudioRegistrationDraft(Draft):
    registered_on: IsoDate
    note: Reason = ""


class ActionIn(Draft):
    action: ActionName
    reason: Reason = ""


# --- outputs -----------------------------------------------------------------------------


class PhaseOut(Schema):
    kind: str
    starts_on: date
    ends_on: date


class CosignOut(Schema):
    """The issuer's co-signature of the selection: who, when, evidence, rule version."""

    application: UUID
    organisation: UUID
    signed_by: str
    signed_at: datetime
    evidence: str
    rule_version: str


class ChallengeOut(Schema):
    id: UUID
    ocid: str
    status: str
    issuer: UUID
    department: UUID
    title: dict[str, object]
    statement: dict[str, object]
    kpis: dict[str, object]
    terms: dict[str, object]
    budget: Decimal
    subsidy: Decimal
    eligibility: dict[str, object]
    rubric: list[dict[str, object]]
    aggregation: str
    blind_first_round: bool
    min_experts: int
    phases: list[PhaseOut]
    moves: list[str]
    created_at: datetime


class CriterionResult(Schema):
    criterion: str
    passed: bool
    reason: str


class ApplicationOut(Schema):
    id: UUID
    challenge: UUID
    team: UUID
    team_name: str
    status: str
    amount: Decimal
    eligibility: list[CriterionResult]
    score: Decimal | None
    rank: int | None
    submitted_at: datetime


class ClarificationOut(Schema):
    id: int
    question: str
    answer: str
    asked_at: datetime
    answered_at: datetime | None


class AssignmentOut(Schema):
    id: int
    challenge: UUID
    application: UUID
    team_name: str
    status: str
    scores: dict[str, int]
    total: Decimal | None


class TaskBookOut(Schema):
    version: int
    milestones: list[dict[str, object]]
    changes: list[dict[str, object]]
    lead_signed_at: datetime | None
    department_signed_at: datetime | None


class MilestoneOut(Schema):
    id: UUID
    position: int
    title: str
    amount: Decimal
    due_on: date
    status: str
    deliverable_sha256: str
    review_due_at: datetime | None


# --- list rows (resolved from the models the cursor pagination returns) -------------------


class ChallengeRowOut(Schema):
    id: UUID
    status: str
    issuer: UUID
    title: dict[str, object]
    budget: Decimal
    created_at: datetime

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_issuer(obj: Any) -> UUID:
        return obj.issuer.public_id  # type: ignore[no-any-return]


class ApplicationRowOut(Schema):
    """A row of the applications list: scores, ranks and eligibility decisions appear only
    once the evaluation closed (or to the department running it)."""

    id: UUID
    team_name: str
    status: str
    amount: Decimal
    score: Decimal | None
    rank: int | None
    review_reason: str

    @staticmethod
    def _reveal(obj: Any, context: Any) -> bool:
        request = context["request"] if context else None
        return bool(getattr(request, "bounties_reveal", False))

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_team_name(obj: Any) -> str:
        return str(obj.team.name)

    @staticmethod
    def resolve_status(obj: Any, context: Any) -> str:
        hidden = ("eligible", "ineligible", "scored")
        reveal = ApplicationRowOut._reveal(obj, context)
        return str(obj.status) if reveal or obj.status not in hidden else "submitted"

    @staticmethod
    def resolve_score(obj: Any, context: Any) -> Decimal | None:
        return obj.score if ApplicationRowOut._reveal(obj, context) else None

    @staticmethod
    def resolve_rank(obj: Any, context: Any) -> int | None:
        return obj.rank if ApplicationRowOut._reveal(obj, context) else None

    @staticmethod
    def resolve_review_reason(obj: Any, context: Any) -> str:
        return str(obj.review_reason) if ApplicationRowOut._reveal(obj, context) else ""


class ClarificationRowOut(Schema):
    id: int
    question: str
    answer: str
    asked_at: datetime
    answered_at: datetime | None


class AssignmentRowOut(Schema):
    id: int
    challenge: UUID
    application: UUID
    team_name: str
    status: str
    scores: dict[str, int]
    total: Decimal | None

    @staticmethod
    def resolve_challenge(obj: Any) -> UUID:
        return obj.application.challenge.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_application(obj: Any) -> UUID:
        return obj.application.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_team_name(obj: Any) -> str:
        return str(obj.team_label)


class RegistrationFile(Draft):
    file_name: Annotated[Text, Field(min_length=1, max_length=255)]
    content_base64: Annotated[str, Field(min_length=1, description="The file, base64-encoded.")]


class StudioRegistrationIn(StudioRegistrationDraft):
    documents: Annotated[list[RegistrationFile], Field(min_length=1, max_length=10)]


class MilestoneDisputeOut(Schema):
    id: UUID
    milestone: UUID
    milestone_status: str
    reason: str
    response: str
    decision: str
    decision_reason: str
    raised_at: datetime
    responded_at: datetime | None
    decided_at: datetime | None


class MidtermOut(Schema):
    outcome: str
    findings: str
    checked_at: datetime


class StudioRegistrationOut(Schema):
    team: UUID
    conversion: UUID
    business_name: str
    credit_code: str
    registered_on: date
