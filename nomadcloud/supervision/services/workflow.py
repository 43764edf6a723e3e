"""The task workflow's use cases (transitions.py): assign (交办), progress reports, the
completion report (办结报告), verification (督查核实) or return (退办), closing (销号),
extensions (延期申请) and leadership instructions (批示). Each checks the state, writes a
TaskEvent and an audit event in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, DomainError, invalid_field
from nomadcloud.core.i18n import localized_text
from nomadcloud.core.indicators import Period
from nomadcloud.supervision import access
from nomadcloud.supervision.models import Acknowledgement, Instruction, Notice, Task, TaskEvent
from nomadcloud.supervision.schemas import ExtensionDraft, ReportDraft
from nomadcloud.supervision.services._common import HUNDRED, check, locked, move, today_or
from nomadcloud.supervision.services.acknowledgements import open_for, record
from nomadcloud.supervision.transitions import TRANSITIONS


def check_due(task: Task, due: dt.date, *, field: str) -> None:
    """A due date fits the task's family and milestones: not after its parent's due date,
    not before a sub-task's, not before a milestone's."""
    parent = task.parent
    if parent is not None and parent.due is not None and due > parent.due:
        raise invalid_field(
            field,
            _("A sub-task cannot be due after its parent task (due %(due)s).")
            % {"due": parent.due.isoformat()},
        )
    child = task.children.filter(due__gt=due).order_by("due").first()
    if child is not None:
        raise invalid_field(
            field,
            _("The sub-task %(code)s is due after this date (%(due)s).")
            % {"code": child.code, "due": child.due.isoformat() if child.due else ""},
        )
    late = task.milestones.filter(due__gt=due).order_by("due").first()
    if late is not None:
        raise invalid_field(
            field,
            _("The milestone “%(title)s” falls after this date (%(due)s).")
            % {"title": localized_text(late.title), "due": late.due.isoformat()},
        )


@transaction.atomic
def assign(task: Task, *, actor: User, due: dt.date, today: dt.date | None = None) -> Task:
    """交办: the due date, and a 签收 row for each lead and responsible unit."""
    access.require_office(actor)
    task = locked(task)
    check(task, "assign")
    day = today_or(today)
    if not task.leads.exists():
        raise invalid_field("leads", _("A task needs at least one lead unit."))
    if due <= day:
        raise invalid_field("due", _("The due date must be after today."))
    check_due(task, due, field="due")
    task.assigned_on = day
    task.due = due
    move(task, "assign", actor=actor, new_due=due)
    open_for(task, day)
    return task


def answer_notices(task: Task, unit: Organisation, text: str) -> None:
    Notice.objects.filter(task=task, unit=unit, responded_at__isnull=True).update(
        response=text[:2000], responded_at=timezone.now()
    )


def _period(label: str, day: dt.date) -> str:
    if not label:
        return Period.of("month", day).label
    period = Period.parse(label)
    if period.start > day:
        raise invalid_field(
            "period",
            _("A report cannot be for a future period (%(period)s).") % {"period": label},
            code="future_period",
        )
    return period.label


@transaction.atomic
def report(
    task: Task, *, actor: User, draft: ReportDraft, today: dt.date | None = None
) -> TaskEvent:
    """A progress report (% complete, narrative, evidence) by a unit on the task: answers
    that unit's open notices and counts as its 签收 if it had not acknowledged yet. The lead's
    report sets the task's progress; a lower % than before needs a reason."""
    unit = access.unit_on_task(actor, task)
    task = locked(task)
    check(task, "report")
    day = today_or(today)
    period = _period(draft.period, day)
    is_lead = task.leads.filter(pk=unit.pk).exists()
    if is_lead and draft.progress < task.progress and not draft.reason:
        raise invalid_field("reason", _("Progress went down: give the reason."))
    if is_lead:
        task.progress = draft.progress
    record(task, units=[unit], actor=actor)
    target = Task.Status.OVERDUE if task.due and day > task.due else Task.Status.IN_PROGRESS
    answer_notices(task, unit, draft.note)
    return move(
        task,
        "report",
        actor=actor,
        unit=unit,
        target=target,
        progress=draft.progress,
        note=(draft.note + ("\n" + draft.reason if draft.reason else "")).strip(),
        evidence=draft.evidence,
        period=period,
    )


@transaction.atomic
def report_completion(task: Task, *, actor: User, note: str, evidence: str) -> TaskEvent:
    unit = access.unit_on_task(actor, task, lead_only=True)
    task = locked(task)
    check(task, "report_completion")
    if not evidence.strip():
        raise invalid_field("evidence", _("A completion report needs evidence."))
    task.progress = HUNDRED
    answer_notices(task, unit, note)
    return move(task, "report_completion", actor=actor, unit=unit, note=note, evidence=evidence)


@transaction.atomic
def verify(task: Task, *, actor: User, note: str = "") -> Task:
    access.require_office(actor)
    task = locked(task)
    check(task, "verify")
    move(task, "verify", actor=actor, note=note)
    return task


@transaction.atomic
def return_task(task: Task, *, actor: User, reason: str) -> Task:
    access.require_office(actor)
    task = locked(task)
    check(task, "return")
    if not reason.strip():
        raise invalid_field("reason", _("Say why the task is returned."))
    move(task, "return", actor=actor, note=reason)
    return task


@transaction.atomic
def close(task: Task, *, actor: User) -> Task:
    """销号, only after the completion report has been verified."""
    access.require_office(actor)
    task = locked(task)
    if task.status != Task.Status.VERIFIED:
        raise Conflict(
            _("A task is closed only after its completion report has been verified."),
            code="not_verified",
        )
    move(task, "close", actor=actor)
    return task


@transaction.atomic
def request_extension(
    task: Task, *, actor: User, draft: ExtensionDraft, today: dt.date | None = None
) -> TaskEvent:
    """延期申请 by a lead unit, before the due date; a sub-task's new date stays within its
    parent's."""
    unit = access.unit_on_task(actor, task, lead_only=True)
    task = locked(task)
    check(task, "request_extension")
    day = today_or(today)
    if task.due is None or day >= task.due:
        message = _("An extension must be requested before the due date.")
        raise DomainError(message, code="past_due", fields={"new_due": [message]})
    if draft.new_due <= task.due:
        raise invalid_field("new_due", _("The new date must be after the current due date."))
    check_due(task, draft.new_due, field="new_due")
    if pending_extension(task) is not None:
        raise Conflict(_("An extension request is already waiting."), code="extension_pending")
    return move(
        task,
        "request_extension",
        actor=actor,
        unit=unit,
        note=draft.reason,
        new_due=draft.new_due,
    )


def pending_extension(task: Task) -> TaskEvent | None:
    last = (
        task.events.filter(action__in=["request_extension", "decide_extension"])
        .order_by("-at", "-id")
        .first()
    )
    return last if last is not None and last.action == "request_extension" else None


def moves(task: Task, user: User, acknowledgements: list[Acknowledgement]) -> list[str]:
    """The actions ``user`` may take on ``task`` now, in the table's order: those its state
    and the user's roles allow, with an extension decided only while one is pending (and not
    requested again meanwhile), 签收 only by a unit that still owes it, and a milestone
    reported done only while one is open."""
    roles = access.roles_on(user, task)
    found = [
        name
        for name, rule in TRANSITIONS.items()
        if task.status in rule.sources and rule.who in roles
    ]
    pending = pending_extension(task) is not None
    if not pending and "decide_extension" in found:
        found.remove("decide_extension")
    if pending and "request_extension" in found:
        found.remove("request_extension")
    mine = {unit.pk for unit in access.units_of(user)}
    owed = any(a.unit_id in mine and a.acknowledged_at is None for a in acknowledgements)
    if "acknowledge" in found and not owed:
        found.remove("acknowledge")
    if "complete_milestone" in found and not any(m.done_on is None for m in task.milestones.all()):
        found.remove("complete_milestone")
    return found


@transaction.atomic
def decide_extension(task: Task, *, actor: User, approve: bool, note: str = "") -> Task:
    """The office approves (the due date moves; an overdue task runs again) or refuses."""
    access.require_office(actor)
    task = locked(task)
    check(task, "decide_extension")
    request = pending_extension(task)
    if request is None or request.new_due is None:
        raise Conflict(_("No extension request is waiting."), code="no_extension")
    target = None
    if approve:
        check_due(task, request.new_due, field="new_due")
        task.due = request.new_due
        if task.status == Task.Status.OVERDUE:
            target = Task.Status.IN_PROGRESS
    move(
        task,
        "decide_extension",
        actor=actor,
        target=target,
        note=(_("approved") if approve else _("refused")) + (f": {note}" if note else ""),
        new_due=request.new_due if approve else None,
    )
    return task


@transaction.atomic
def instruct(task: Task, *, actor: User, text: str) -> Instruction:
    """A leadership instruction (批示) on a task, open until the office closes it."""
    access.require_office(actor)
    if not text.strip():
        raise invalid_field("text", _("Write the instruction."))
    made = Instruction.objects.create(task=task, text=text, given_by=actor)
    audit.record(actor=actor, action="supervision.instruction.give", obj=made)
    return made


@transaction.atomic
def close_instruction(instruction: Instruction, *, actor: User, note: str) -> Instruction:
    access.require_office(actor)
    if instruction.closed_at is not None:
        raise Conflict(_("This instruction is already closed."), code="already_closed")
    if not note.strip():
        raise invalid_field("note", _("Say how the instruction was carried out."))
    instruction.closed_at = timezone.now()
    instruction.closing_note = note
    instruction.save()
    audit.record(actor=actor, action="supervision.instruction.close", obj=instruction)
    return instruction
