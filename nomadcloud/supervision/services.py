"""The supervision use cases (design §4.10), each taking the state change of transitions.py
and writing a TaskEvent (the history) and an audit event. Working days come from
core/workdays.py: a notice must be answered within ``RESPONSE_DAYS`` working days, and an
unanswered one escalates to the office the next working day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.queries import members_of
from nomadcloud.core import audit, indicators, workdays
from nomadcloud.core.errors import Conflict, DomainError, invalid_field
from nomadcloud.notifications.services import notify
from nomadcloud.supervision import access, notices
from nomadcloud.supervision.models import Instruction, Notice, Task, TaskEvent
from nomadcloud.supervision.transitions import TRANSITIONS, allowed

RESPONSE_DAYS = 3
DUE_SOON_DAYS = 3  # a blue notice when the due date is this many working days away or fewer
HUNDRED = Decimal("100")


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _check(task: Task, action: str) -> None:
    if not allowed(action, task.status):
        raise Conflict(
            _("This cannot be done while the task is “%(status)s”.")
            % {"status": task.get_status_display()},
            code="wrong_status",
        )


def _move(
    task: Task,
    action: str,
    *,
    actor: User | None,
    unit: Organisation | None = None,
    target: str | None = None,
    **event: object,
) -> TaskEvent:
    before = task.status
    to = target or TRANSITIONS[action].target or before
    task.status = to
    task.save()
    made = TaskEvent.objects.create(
        task=task,
        action=action,
        from_status=before,
        to_status=to,
        actor=actor,
        unit=unit,
        **event,
    )
    audit.record(
        actor=actor,
        action=f"supervision.task.{action}",
        obj=task,
        organisation=unit,
        before={"status": before},
        after={"status": to},
    )
    return made


def _locked(task: Task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)


def expected_progress(task: Task, today: dt.date | None = None) -> Decimal:
    """序时进度: the share of the time from assignment to the due date that has passed."""
    if task.assigned_on is None or task.due is None:
        return Decimal("0")
    day = _today(today)
    span = (task.due - task.assigned_on).days
    if span <= 0 or day >= task.due:
        return HUNDRED
    passed = max(0, (day - task.assigned_on).days)
    return (HUNDRED * passed / span).quantize(Decimal("0.01"))


def indicator_progress(task: Task, today: dt.date | None = None) -> Decimal | None:
    """Progress from the linked indicators (``[{"code": …, "target": "…"}]``): the mean of
    each value's share of its target this year, capped at 100 %; None when none is linked."""
    shares: list[Decimal] = []
    period = indicators.Period.of("year", _today(today))
    for link in task.indicators or []:
        found = indicators.get(str(link["code"]))
        target = Decimal(str(link["target"]))
        if found.compute is None or target <= 0:
            continue
        shares.append(min(HUNDRED, HUNDRED * found.value(period) / target))
    if not shares:
        return None
    return (sum(shares, Decimal("0")) / len(shares)).quantize(Decimal("0.01"))


@transaction.atomic
def assign(task: Task, *, actor: User, due: dt.date, today: dt.date | None = None) -> Task:
    access.require_office(actor)
    task = _locked(task)
    _check(task, "assign")
    day = _today(today)
    if not task.leads.exists():
        raise invalid_field("leads", _("A task needs at least one lead unit."))
    if due <= day:
        raise invalid_field("due", _("The due date must be after today."))
    task.assigned_on = day
    task.due = due
    _move(task, "assign", actor=actor, new_due=due)
    return task


@transaction.atomic
def acknowledge(task: Task, *, actor: User) -> Task:
    unit = access.unit_on_task(actor, task)
    task = _locked(task)
    _check(task, "acknowledge")
    _move(task, "acknowledge", actor=actor, unit=unit)
    return task


def _answer_notices(task: Task, unit: Organisation, text: str) -> None:
    Notice.objects.filter(task=task, unit=unit, responded_at__isnull=True).update(
        response=text[:2000], responded_at=timezone.now()
    )


@transaction.atomic
def report(
    task: Task,
    *,
    actor: User,
    progress: Decimal,
    note: str,
    evidence: str = "",
    reason: str = "",
    today: dt.date | None = None,
) -> TaskEvent:
    """A progress report (% complete, narrative, evidence) by a unit on the task; answers
    that unit's open notices. The lead's report sets the task's progress."""
    unit = access.unit_on_task(actor, task)
    task = _locked(task)
    _check(task, "report")
    if not Decimal("0") <= progress <= HUNDRED:
        raise invalid_field("progress", _("Progress is a percentage from 0 to 100."))
    if not note.strip():
        raise invalid_field("note", _("Say what was done."))
    is_lead = task.leads.filter(pk=unit.pk).exists()
    if is_lead and progress < task.progress and not reason.strip():
        raise invalid_field("reason", _("Progress went down: give the reason."))
    day = _today(today)
    if is_lead:
        task.progress = progress
    target = Task.Status.OVERDUE if task.due and day > task.due else Task.Status.IN_PROGRESS
    _answer_notices(task, unit, note)
    return _move(
        task,
        "report",
        actor=actor,
        unit=unit,
        target=target,
        progress=progress,
        note=(note + ("\n" + reason if reason.strip() else "")).strip(),
        evidence=evidence,
    )


@transaction.atomic
def report_completion(task: Task, *, actor: User, note: str, evidence: str) -> TaskEvent:
    unit = access.unit_on_task(actor, task, lead_only=True)
    task = _locked(task)
    _check(task, "report_completion")
    if not evidence.strip():
        raise invalid_field("evidence", _("A completion report needs evidence."))
    task.progress = HUNDRED
    _answer_notices(task, unit, note)
    return _move(task, "report_completion", actor=actor, unit=unit, note=note, evidence=evidence)


@transaction.atomic
def verify(task: Task, *, actor: User, note: str = "") -> Task:
    access.require_office(actor)
    task = _locked(task)
    _check(task, "verify")
    _move(task, "verify", actor=actor, note=note)
    return task


@transaction.atomic
def return_task(task: Task, *, actor: User, reason: str) -> Task:
    access.require_office(actor)
    task = _locked(task)
    _check(task, "return")
    if not reason.strip():
        raise invalid_field("reason", _("Say why the task is returned."))
    _move(task, "return", actor=actor, note=reason)
    return task


@transaction.atomic
def close(task: Task, *, actor: User) -> Task:
    access.require_office(actor)
    task = _locked(task)
    if task.status != Task.Status.VERIFIED:
        raise Conflict(
            _("A task is closed only after its completion report has been verified."),
            code="not_verified",
        )
    _move(task, "close", actor=actor)
    return task


@transaction.atomic
def request_extension(
    task: Task, *, actor: User, new_due: dt.date, reason: str, today: dt.date | None = None
) -> TaskEvent:
    unit = access.unit_on_task(actor, task, lead_only=True)
    task = _locked(task)
    _check(task, "request_extension")
    day = _today(today)
    if task.due is None or day >= task.due:
        raise DomainError(_("An extension must be requested before the due date."), code="past_due")
    if new_due <= task.due:
        raise invalid_field("new_due", _("The new date must be after the current due date."))
    if not reason.strip():
        raise invalid_field("reason", _("Give the reasons for the extension."))
    if pending_extension(task) is not None:
        raise Conflict(_("An extension request is already waiting."), code="extension_pending")
    return _move(task, "request_extension", actor=actor, unit=unit, note=reason, new_due=new_due)


def pending_extension(task: Task) -> TaskEvent | None:
    last = (
        task.events.filter(action__in=["request_extension", "decide_extension"])
        .order_by("-at", "-id")
        .first()
    )
    return last if last is not None and last.action == "request_extension" else None


@transaction.atomic
def decide_extension(task: Task, *, actor: User, approve: bool, note: str = "") -> Task:
    access.require_office(actor)
    task = _locked(task)
    _check(task, "decide_extension")
    request = pending_extension(task)
    if request is None or request.new_due is None:
        raise Conflict(_("No extension request is waiting."), code="no_extension")
    target = None
    if approve:
        task.due = request.new_due
        if task.status == Task.Status.OVERDUE:
            target = Task.Status.IN_PROGRESS
    _move(
        task,
        "decide_extension",
        actor=actor,
        target=target,
        note=(_("approved") if approve else _("refused")) + (f": {note}" if note else ""),
        new_due=request.new_due if approve else None,
    )
    return task


def _notify(task: Task, colour: str, reason: str, day: dt.date) -> list[Notice]:
    made = []
    for unit in task.leads.all():
        if Notice.objects.filter(
            task=task, unit=unit, colour=colour, responded_at__isnull=True
        ).exists():
            continue
        notice = Notice.objects.create(
            task=task,
            unit=unit,
            colour=colour,
            reason=reason,
            raised_on=day,
            respond_by=workdays.add_working_days(day, RESPONSE_DAYS),
        )
        _tell_unit(notice)
        made.append(notice)
    return made


def _tell_unit(notice: Notice) -> None:
    """The 督办单 reaches every member of the lead unit in their notifications (and e-mail,
    unless they opted out of that kind)."""
    task = notice.task
    params = {
        "code": task.code,
        "title": task.title,
        "due": task.due.isoformat() if task.due else "",
        "respond_by": notice.respond_by.isoformat(),
    }
    url = reverse("supervision:detail", args=[task.public_id])
    for membership in members_of(notice.unit):
        notify(membership.user, notices.BY_COLOUR[notice.colour].key, params=params, url=url)


@transaction.atomic
def sweep(today: dt.date | None = None) -> dict[str, int]:
    """The daily run: past due → overdue with a red notice to each lead unit; behind 序时进度
    → at risk with a yellow notice; due within ``DUE_SOON_DAYS`` working days and not reported
    complete → a blue notice; unanswered notices past their date escalate."""
    day = _today(today)
    counts = {"overdue": 0, "at_risk": 0, "notices": 0, "escalated": 0}
    running = Task.objects.select_for_update().filter(
        status__in=TRANSITIONS["mark_overdue"].sources, due__isnull=False
    )
    for task in running:
        auto = indicator_progress(task, day)
        if auto is not None and auto > task.progress:
            task.progress = auto
            task.save(update_fields=["progress"])
        if day > task.due:  # type: ignore[operator]
            if task.status != Task.Status.OVERDUE:
                _move(task, "mark_overdue", actor=None)
                counts["overdue"] += 1
            reason = _("Past its due date %(due)s.") % {"due": task.due}
            counts["notices"] += len(_notify(task, Notice.Colour.RED, reason, day))
        elif allowed("mark_at_risk", task.status) and task.progress < expected_progress(
            task, day
        ) - Decimal("10"):
            _move(task, "mark_at_risk", actor=None)
            counts["at_risk"] += 1
            reason = _("Behind schedule: %(done)s %% done, %(expected)s %% expected.") % {
                "done": task.progress,
                "expected": expected_progress(task, day),
            }
            counts["notices"] += len(_notify(task, Notice.Colour.YELLOW, reason, day))
        elif 0 <= workdays.working_days_between(day, task.due) <= DUE_SOON_DAYS:  # type: ignore[arg-type]
            reason = _("Due on %(due)s.") % {"due": task.due}
            counts["notices"] += len(_notify(task, Notice.Colour.BLUE, reason, day))
    counts["escalated"] = Notice.objects.filter(
        responded_at__isnull=True, escalated_at__isnull=True, respond_by__lt=day
    ).update(escalated_at=timezone.now())
    return counts


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
