"""Typed input and output of the data-processing API.

``BatchDraft`` is the one typed input of creating a batch: it states each setting's limits
once, through the annotated types below, which ``BatchPatch`` (a partial update) shares. The
API's body (``BatchCreateIn``) is the draft plus the organisation; the page form hands its
cleaned data to the same draft. Rules that need the database or several fields (known skills,
labels that fit the task type, a title and instructions in one language) are the service's."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, field_validator

from nomadcloud.core.i18n import localized
from nomadcloud.core.inputs import Draft, StrictDecimal
from nomadcloud.core.money import to_cny
from nomadcloud.core.schemas import Input, IsoDate, Text
from nomadcloud.datatasks.models import (
    AcceptedWork,
    Answer,
    Assignment,
    Batch,
    BatchWorker,
    Item,
    ResultOverride,
)

TaskTypeName = Literal["single_label", "multi_label", "transcription", "spans"]
MethodName = Literal["dawid_skene", "majority"]
PayBeforeBanName = Literal["kept", "discarded"]
StatusName = Literal["draft", "open", "closed"]


class SkillIn(Input):
    model_config = ConfigDict(frozen=True)

    code: Text = Field(
        ...,
        min_length=1,
        max_length=120,
        description="A skill by code or by name in Chinese or English: 数据标注, data annotation.",
    )
    level: int = Field(
        5,
        ge=1,
        le=5,
        description="The level the work shows: 5 (五级/初级工, entry) … 1 (一级/高级技师, expert).",
    )


# --- the limits, stated once ------------------------------------------------------------------

Title = Annotated[Text, Field(max_length=200)]
Instructions = Annotated[Text, Field(max_length=20000)]
Labels = Annotated[tuple[str, ...], Field(max_length=50)]
Overlap = Annotated[int, Field(ge=1, le=50)]
Pay = Annotated[
    Decimal, StrictDecimal(max_digits=10, decimal_places=2, ge=0), AfterValidator(to_cny)
]
Percent = Annotated[int, Field(ge=0, le=100)]
GoldAnswers = Annotated[int, Field(ge=1, le=1000)]
GoldPercent = Annotated[int, Field(ge=0, le=50)]
Misses = Annotated[int, Field(ge=1, le=1000)]
Window = Annotated[int, Field(ge=0, le=1000)]
Skills = Annotated[tuple[SkillIn, ...], Field(max_length=20)]


class _Labels:
    """Labels as typed, without blank ones; what they may be depends on the task type (the
    service checks that)."""

    @field_validator("labels", check_fields=False)
    @classmethod
    def _without_blanks(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else tuple(v.strip() for v in value if v.strip())


class BatchDraft(_Labels, Draft):
    """A batch's settings: the input of creating one."""

    title_zh: Title = ""
    title_en: Title = ""
    instructions_zh: Instructions = ""
    instructions_en: Instructions = ""
    task_type: TaskTypeName
    labels: Labels = Field(
        default_factory=tuple,
        description="The label set (classification, spans); none for transcription.",
    )
    overlap: Overlap = Field(3, description="Answers wanted per item.")
    pay_per_item: Pay = Field(Decimal("0.00"), description="CNY, exact.")
    min_accuracy_percent: Percent = Field(
        70, description="Gold accuracy a worker must keep; 0 never blocks."
    )
    min_gold_answers: GoldAnswers = Field(3, description="Gold answers before blocking applies.")
    ban_after_misses: Misses = Field(
        2, description="Gold items a worker may miss before blocking applies (a warning first)."
    )
    accuracy_window: Window = Field(
        0, description="The latest gold answers the accuracy is measured over; 0 for all."
    )
    pay_before_ban: PayBeforeBanName = Field(
        "kept",
        description="`kept`: a blocked worker's earlier answers stay and are paid once "
        "accepted; `discarded`: they are set aside and not paid.",
    )
    qualification_min_percent: Percent = 80
    gold_percent: GoldPercent = Field(
        10, description="Share of a worker's items that are gold items."
    )
    deadline: IsoDate | None = Field(None, description="Answers accepted until this day.")
    method: MethodName = Field(
        "dawid_skene", description="Classification only; text and spans use majority."
    )
    skills: Skills = Field(default_factory=tuple)


class BatchCreateIn(BatchDraft):
    # The API's body: unknown members are ignored, as they always were.
    model_config = ConfigDict(extra="ignore")

    organisation: UUID | None = Field(
        None, description="The enterprise; implied for an organisation API key."
    )

    def draft(self) -> BatchDraft:
        return BatchDraft.model_construct(
            **{name: getattr(self, name) for name in BatchDraft.model_fields}
        )


# A partial update: only the fields sent (``model_fields_set``) change; null sets a field back
# to its default. It is also the API's PATCH body (no docstring: it would show in the OpenAPI
# document), so unknown members are ignored as they always were.
class BatchPatch(_Labels, Draft):
    model_config = ConfigDict(extra="ignore")

    title_zh: Title | None = None
    title_en: Title | None = None
    instructions_zh: Instructions | None = None
    instructions_en: Instructions | None = None
    task_type: TaskTypeName | None = None
    labels: Labels | None = None
    overlap: Overlap | None = None
    pay_per_item: Pay | None = None
    min_accuracy_percent: Percent | None = None
    min_gold_answers: GoldAnswers | None = None
    ban_after_misses: Misses | None = None
    accuracy_window: Window | None = None
    pay_before_ban: PayBeforeBanName | None = None
    qualification_min_percent: Percent | None = None
    gold_percent: GoldPercent | None = None
    deadline: IsoDate | None = None
    method: MethodName | None = None
    skills: Skills | None = None


class TransitionIn(Input):
    status: StatusName
    note: str = Field("", max_length=200)


class SpanIn(Input):
    start: int = Field(..., ge=0)
    end: int = Field(..., ge=1)
    label: str = Field(..., min_length=1, max_length=100)


class AnswerIn(Input):
    """Give the one field that fits the batch's task type."""

    label: str | None = Field(None, max_length=100, description="Single-label classification.")
    labels: list[str] | None = Field(None, max_length=50, description="Multi-label.")
    text: str | None = Field(None, max_length=20000, description="Transcription.")
    spans: list[SpanIn] | None = Field(None, max_length=500, description="Span labelling.")

    def value_for(self, task_type: str) -> Any:
        if task_type == Batch.TaskType.SINGLE_LABEL:
            return self.label
        if task_type == Batch.TaskType.MULTI_LABEL:
            return self.labels
        if task_type == Batch.TaskType.TRANSCRIPTION:
            return self.text
        if self.spans is None:
            return None
        return [[s.start, s.end, s.label] for s in self.spans]


class OverrideIn(AnswerIn):
    reason: str = Field(..., min_length=1, max_length=500)


class SkillOut(Schema):
    code: str
    label: str
    level: int


class BatchOut(Schema):
    id: UUID
    organisation: UUID
    organisation_name: str
    status: str
    title_zh: str
    title_en: str
    title: str
    instructions_zh: str
    instructions_en: str
    task_type: str
    labels: list[str]
    overlap: int
    pay_per_item: Decimal
    currency: str = "CNY"
    min_accuracy_percent: int
    min_gold_answers: int
    ban_after_misses: int
    accuracy_window: int
    pay_before_ban: str
    qualification_min_percent: int
    gold_percent: int
    deadline: date | None
    method: str
    skills: list[SkillOut]
    item_count: int
    gold_count: int
    qualification_count: int
    file_name: str
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    accepted_at: datetime | None
    aggregated_at: datetime | None
    quality: dict[str, Any]
    url: str

    @staticmethod
    def resolve_id(obj: Batch) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_organisation(obj: Batch) -> UUID:
        return obj.organisation.public_id

    @staticmethod
    def resolve_organisation_name(obj: Batch) -> str:
        return str(obj.organisation)

    @staticmethod
    def resolve_title(obj: Batch) -> str:
        return localized(obj, "title")

    @staticmethod
    def resolve_skills(obj: Batch) -> list[dict[str, Any]]:
        return [
            {"code": s.concept.code, "label": localized(s.concept, "label"), "level": s.level}
            for s in obj.skills.select_related("concept")
        ]

    @staticmethod
    def resolve_quality(obj: Batch) -> dict[str, Any]:
        return dict(obj.quality or {})

    @staticmethod
    def resolve_url(obj: Batch) -> str:
        from django.conf import settings
        from django.urls import reverse

        return settings.SITE_URL + reverse("datatasks:detail", args=[obj.public_id])


class ItemOut(Schema):
    id: int
    external_id: str
    line: int
    text: str
    context: str
    media_url: str
    is_gold: bool
    is_qualification: bool
    gold: Any = None
    answer_count: int
    result: Any = None
    aggregated_result: Any = None
    confidence: float | None
    support: dict[str, float]
    overridden: bool

    @staticmethod
    def resolve_line(obj: Item) -> int:
        return obj.position

    @staticmethod
    def resolve_result(obj: Item) -> Any:
        return obj.final

    @staticmethod
    def resolve_aggregated_result(obj: Item) -> Any:
        return obj.result

    @staticmethod
    def resolve_support(obj: Item) -> dict[str, float]:
        return dict(obj.support or {})

    @staticmethod
    def resolve_overridden(obj: Item) -> bool:
        return obj.override is not None


class ItemAnswerOut(Schema):
    worker: str
    value: Any
    phase: str
    score: float | None
    discarded: bool
    created_at: datetime

    @staticmethod
    def resolve_worker(obj: Answer) -> str:
        return str(obj.worker)


class OverrideOut(Schema):
    value: Any
    previous: Any = None
    reason: str
    by: str
    at: datetime

    @staticmethod
    def resolve_by(obj: ResultOverride) -> str:
        return str(obj.by)


class ItemDetailOut(ItemOut):
    answers: list[ItemAnswerOut]
    overrides: list[OverrideOut]

    @staticmethod
    def resolve_answers(obj: Item) -> list[Any]:
        return list(obj.answers.select_related("worker").order_by("id"))

    @staticmethod
    def resolve_overrides(obj: Item) -> list[Any]:
        return list(obj.overrides.select_related("by").order_by("id"))


class WorkerOut(Schema):
    """A worker's standing on a batch (accuracies are 0–1)."""

    worker: str
    status: str
    joined_at: datetime
    qualified_at: datetime | None
    qualification_accuracy: float | None
    gold_answers: int
    gold_misses: int
    accuracy: float | None
    work_answers: int
    agreement: float | None
    warned_at: datetime | None
    blocked_at: datetime | None
    block_reason: dict[str, Any]

    @staticmethod
    def resolve_worker(obj: BatchWorker) -> str:
        return str(obj.worker)

    @staticmethod
    def resolve_block_reason(obj: BatchWorker) -> dict[str, Any]:
        return dict(obj.block_reason or {})


class MeOut(WorkerOut):
    blocked_message: str
    pending_pay: Decimal

    @staticmethod
    def resolve_blocked_message(obj: BatchWorker) -> str:
        from nomadcloud.datatasks.queries import blocked_message

        return blocked_message(obj) if obj.status == BatchWorker.Status.BLOCKED else ""

    @staticmethod
    def resolve_pending_pay(obj: BatchWorker) -> Decimal:
        from nomadcloud.datatasks.queries import pending_pay

        return pending_pay(obj.batch, obj.worker)


class TaskItemOut(Schema):
    """An item as a worker sees it (no known answers, no results)."""

    external_id: str
    text: str
    context: str
    media_url: str


class AssignmentOut(Schema):
    id: int
    phase: str
    status: str
    assigned_at: datetime
    expires_at: datetime
    item: TaskItemOut
    task_type: str
    labels: list[str]

    @staticmethod
    def resolve_task_type(obj: Assignment) -> str:
        return obj.batch.task_type

    @staticmethod
    def resolve_labels(obj: Assignment) -> list[str]:
        return list(obj.batch.labels)


class NextOut(Schema):
    """The next item to work on, or none left (``assignment`` null) with the reason."""

    assignment: AssignmentOut | None
    state: MeOut


class OwnAnswerOut(Schema):
    id: int
    item: str
    phase: str
    value: Any
    created_at: datetime
    discarded: bool

    @staticmethod
    def resolve_item(obj: Answer) -> str:
        return obj.item.external_id


class FeedbackOut(Schema):
    """What a qualification answer is told at once: right or not, the expected answer and
    why."""

    correct: bool
    score: float
    expected: Any = None
    explanation: str


class SubmittedOut(Schema):
    answer: OwnAnswerOut
    state: MeOut
    feedback: FeedbackOut | None = None
    warning: str = ""


class AppealIn(Input):
    reason: Text = Field(..., min_length=1, max_length=1000)


class AppealDecisionIn(AnswerIn):
    """Uphold or reject an appeal. Upholding corrects the gold item to the answer given
    here (the field that fits the task type), or, when none is given, to the appellant's."""

    uphold: bool
    note: Text = Field("", max_length=1000)


class AppealOut(Schema):
    id: int
    batch: UUID
    item: str
    item_text: str
    worker: str
    answer: Any = None
    gold: Any = None
    reason: str
    status: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    previous_gold: Any = None
    corrected_gold: Any = None

    @staticmethod
    def resolve_batch(obj: Any) -> UUID:
        return UUID(str(obj.batch.public_id))

    @staticmethod
    def resolve_item(obj: Any) -> str:
        return str(obj.item.external_id)

    @staticmethod
    def resolve_item_text(obj: Any) -> str:
        return str(obj.item.text)

    @staticmethod
    def resolve_worker(obj: Any) -> str:
        return str(obj.worker)

    @staticmethod
    def resolve_answer(obj: Any) -> Any:
        return obj.answer.value

    @staticmethod
    def resolve_gold(obj: Any) -> Any:
        return obj.item.gold

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None


class AcceptedWorkOut(Schema):
    batch: UUID
    batch_title: str
    worker: str
    items_accepted: int
    accuracy: float | None
    agreement: float | None
    skills: list[dict[str, Any]]
    pay_per_item: Decimal
    amount: Decimal
    currency: str = "CNY"
    accepted_at: datetime

    @staticmethod
    def resolve_batch(obj: AcceptedWork) -> UUID:
        return obj.batch.public_id

    @staticmethod
    def resolve_batch_title(obj: AcceptedWork) -> str:
        return localized(obj.batch, "title")

    @staticmethod
    def resolve_worker(obj: AcceptedWork) -> str:
        return str(obj.worker)

    @staticmethod
    def resolve_skills(obj: AcceptedWork) -> list[dict[str, Any]]:
        return list(obj.skills)
