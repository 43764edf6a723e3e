"""Typed inputs (one per use case, shared by the pages' forms and the API) and outputs of
supervision (docs/supervision.md, decision 0065)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from nomadcloud.core.i18n import Multilingual
from nomadcloud.core.inputs import Draft, StrictDecimal
from nomadcloud.core.schemas import Text

Percent = Annotated[Decimal, StrictDecimal(max_digits=5, decimal_places=2, ge=0, le=100)]
Note = Annotated[Text, Field(max_length=5000)]
Short = Annotated[Text, Field(max_length=2000)]
# A report's period: a month (2026-03) or a quarter (2026-Q1); empty means the current month.
PeriodLabel = Annotated[Text, Field(max_length=7, pattern=r"^(|[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4]))$")]
UnitName = Annotated[Text, Field(min_length=1, max_length=100)]


class ReportDraft(Draft):
    """A progress report by a unit on the task: % complete, what was done, evidence, the
    reason when the % went down, and the month or quarter it reports on (not a future one)."""

    progress: Percent
    note: Annotated[Text, Field(min_length=1, max_length=5000)]
    evidence: Short = ""
    reason: Short = ""
    period: PeriodLabel = ""


class ExtensionDraft(Draft):
    """延期申请: the new due date and the reasons, requested before the due date."""

    new_due: date
    reason: Annotated[Text, Field(min_length=1, max_length=5000)]


class MilestoneDraft(Draft):
    """A milestone: its title in Chinese and English, the date it is due (not after the
    task's), its weight (1–100) and its 序时进度 target (0–100 %, not lower than an earlier
    milestone's)."""

    title: Multilingual
    due: date
    weight: int = Field(1, ge=1, le=100)
    target: Percent


class MilestoneDoneDraft(Draft):
    """A lead unit reports a milestone done: the day it was done (not in the future) and the
    evidence."""

    done_on: date
    evidence: Annotated[Text, Field(min_length=1, max_length=2000)]


class SubTaskDraft(Draft):
    """A sub-task under a task: its title, text, and its lead and responsible units as the
    registry names them (code, name or alias; at least one lead)."""

    title: Annotated[Text, Field(min_length=1, max_length=300)]
    text: Note = ""
    leads: list[UnitName] = Field(max_length=20)
    responsibles: list[UnitName] = Field(default_factory=list, max_length=30)


class ParentDraft(Draft):
    """Where a task sits: under the task with this code, or at the top (empty)."""

    parent: Annotated[Text, Field(max_length=30)] = ""


# --- outputs --------------------------------------------------------------------------------


class UnitOut(Schema):
    id: UUID
    code: str | None
    name_zh: str
    name_en: str


class AcknowledgementOut(Schema):
    unit: UnitOut
    lead: bool
    due_by: date | None
    acknowledged_at: datetime | None


class MilestoneOut(Schema):
    id: UUID
    task: str
    title: dict[str, Any]
    due: date
    weight: int
    target: Decimal
    done_on: date | None
    evidence: str
    on_time: bool


class MilestoneRowOut(MilestoneOut):
    """A row of a task's milestones (the cursor page returns the models)."""

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_task(obj: Any) -> str:
        return str(obj.task.code)


class TaskRowOut(Schema):
    """A row of the tasks visible to you (the cursor page returns the models)."""

    id: UUID
    code: str
    title: str
    status: str
    status_label: str
    parent: str | None
    due: date | None
    progress: Decimal

    @staticmethod
    def resolve_id(obj: Any) -> UUID:
        return obj.public_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None


class TaskOut(Schema):
    id: UUID
    code: str
    plan: str
    title: str
    text: str
    status: str
    status_label: str
    parent: str | None
    children: list[str]
    leads: list[UnitOut]
    responsibles: list[UnitOut]
    assigned_on: date | None
    due: date | None
    progress: Decimal
    expected_progress: Decimal
    milestones: list[MilestoneOut]
    acknowledgements: list[AcknowledgementOut]


class EventOut(Schema):
    """A step recorded in the task's history (a report, an extension request)."""

    task: str
    action: str
    status: str
    progress: Decimal | None
    note: str
    evidence: str
    new_due: date | None
    period: str
    at: datetime
