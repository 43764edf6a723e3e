"""Plan task supervision (督办, design §4.10): plans, their tasks with lead and responsible
units (accounts/units.py), the events of the workflow (transitions.py) and the three-colour
notices (督办单)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nomadcloud.core.fields import MultilingualField


class Plan(models.Model):
    """A plan whose tasks are supervised (e.g. plan 004), with the hash of the text imported."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    source_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Task(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (立项)")
        ASSIGNED = "assigned", _("Assigned (交办)")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged (签收)")
        IN_PROGRESS = "in_progress", pgettext_lazy("task status", "In progress")
        AT_RISK = "at_risk", _("At risk")
        OVERDUE = "overdue", _("Overdue")
        COMPLETION_REPORTED = "completion_reported", _("Completion reported (办结报告)")
        RETURNED = "returned", _("Returned (退办)")
        VERIFIED = "verified", _("Verified (督查核实)")
        CLOSED = "closed", _("Closed (销号)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="tasks")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    number = models.PositiveIntegerField(_("number"))
    code = models.CharField(_("code"), max_length=30, unique=True)  # "004-12"
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    leads = models.ManyToManyField(
        "accounts.Organisation", related_name="supervision_leads", verbose_name=_("lead units")
    )
    responsibles = models.ManyToManyField(
        "accounts.Organisation",
        related_name="supervision_responsibilities",
        verbose_name=_("responsible units"),
        blank=True,
    )
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    progress = models.DecimalField(
        _("progress (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    indicators = models.JSONField(_("linked indicators"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "number", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class TaskEvent(models.Model):
    """Every transition, report and decision on a task: its history and audit trail."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    progress = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    note = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    new_due = models.DateField(null=True, blank=True)
    period = models.CharField(max_length=7, blank=True)  # a report's period: 2026-03, 2026-Q1
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"


class Notice(models.Model):
    """A 督办单 to a unit about a task: blue (due within 3 working days), yellow (behind
    序时进度) or red (overdue), with the
    working day by which the unit must respond; unanswered notices escalate."""

    class Colour(models.TextChoices):
        BLUE = "blue", _("Blue: due soon")
        YELLOW = "yellow", _("Yellow: behind schedule")
        RED = "red", _("Red: overdue")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="notices")
    unit = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")

    class Cause(models.TextChoices):
        PROGRESS = "progress", _("progress of the task")
        ACKNOWLEDGEMENT = "acknowledgement", _("not acknowledged (签收) in time")

    colour = models.CharField(_("colour"), max_length=6, choices=Colour.choices)
    cause = models.CharField(
        _("cause"), max_length=16, choices=Cause.choices, default=Cause.PROGRESS
    )
    reason = models.TextField(_("reason"))
    raised_on = models.DateField(_("raised on"))
    respond_by = models.DateField(_("respond by"))
    response = models.TextField(_("response"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit", "colour"],
                condition=models.Q(responded_at__isnull=True),
                name="supervision_one_open_notice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.colour} {self.task_id} {self.unit_id}"


class Instruction(models.Model):
    """A leadership instruction (批示) on a task, tracked until the office closes it."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="instructions")
    text = models.TextField(_("instruction"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.text[:60]


class Evaluation(models.Model):
    """A task's quarterly evaluation (每季度开展评估评价): the computed parts and the office's
    quality rating, stored when the office imports the evaluation sheet back."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="evaluations")
    quarter = models.CharField(max_length=7)  # 2026-Q3
    quality = models.PositiveSmallIntegerField(null=True, blank=True)  # 1–5, the office's rating
    score = models.DecimalField(max_digits=5, decimal_places=1)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["quarter", "task"]
        constraints = [
            models.UniqueConstraint(fields=["task", "quarter"], name="supervision_evaluation_once")
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.task_id} {self.score}"


class Milestone(models.Model):
    """A step of a task (design §4.10): its title in each language, the date it is due, its
    weight among the task's milestones and the 序时进度 target (the % of the task expected
    done by that date); reported done by a lead unit with the date and evidence."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="milestones")
    title = MultilingualField(_("title"))
    due = models.DateField(_("due"))
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    target = models.DecimalField(_("序时进度 target (%)"), max_digits=5, decimal_places=2)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_unit = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["task", "due", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.due}"

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.due


class Acknowledgement(models.Model):
    """签收: one row per unit on an assigned task, opened when the task is assigned, due
    ``ACK_DAYS`` working days later (core/workdays.py); the unit acknowledges on its own
    (who, when)."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="acknowledgements")
    unit = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    lead = models.BooleanField(_("lead unit"), default=False)
    due_by = models.DateField(_("acknowledge by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["task", "-lead", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="supervision_ack_once")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.unit_id} {self.acknowledged_at or '—'}"
