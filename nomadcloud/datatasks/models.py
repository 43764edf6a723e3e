"""Data-processing work (来数加工): batches of items that an enterprise uploads, the nomads
who qualify and work them, their assignments and answers, the aggregated results with
reviewers' overrides, and the accepted work per worker that proofs and points build on.

Money is exact CNY (``MoneyField``). Accuracy thresholds are whole percentages. Answers and
results are JSON in the shape of the batch's task type (see ``importer.py``):
a label, a list of labels, a text, or a list of ``[start, end, label]`` spans.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.money import MoneyField
from nomadcloud.datatasks import aggregation
from nomadcloud.taxonomy.levels import SkillLevel


class Batch(models.Model):
    class TaskType(models.TextChoices):
        SINGLE_LABEL = aggregation.SINGLE_LABEL, _("Single-label classification")
        MULTI_LABEL = aggregation.MULTI_LABEL, _("Multi-label classification")
        TRANSCRIPTION = aggregation.TRANSCRIPTION, _("Transcription or normalisation")
        SPANS = aggregation.SPANS, _("Span labelling of text")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for work")
        CLOSED = "closed", _("Closed")
        ACCEPTED = "accepted", _("Accepted by the enterprise")

    class Method(models.TextChoices):
        DAWID_SKENE = aggregation.DAWID_SKENE, _("Dawid–Skene")
        MAJORITY = aggregation.MAJORITY, _("Majority vote")

    class PayBeforeBan(models.TextChoices):
        KEPT = "kept", _("Answers given before a block are kept and paid once accepted")
        DISCARDED = "discarded", _("Answers of a blocked worker are set aside and not paid")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="data_batches",
        verbose_name=_("enterprise"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    instructions_zh = models.TextField(_("instructions (Chinese)"), blank=True)
    instructions_en = models.TextField(_("instructions (English)"), blank=True)
    task_type = models.CharField(_("task type"), max_length=16, choices=TaskType.choices)
    labels = models.JSONField(_("labels"), default=list)
    overlap = models.PositiveSmallIntegerField(_("answers per item"), default=3)
    pay_per_item = MoneyField(_("pay per item (CNY)"), default=Decimal("0.00"))
    min_accuracy_percent = models.PositiveSmallIntegerField(
        _("accuracy needed to keep working (%)"), default=70
    )
    min_gold_answers = models.PositiveSmallIntegerField(
        _("gold answers before blocking applies"), default=3
    )
    # The grace before a block: a worker is blocked only once they missed this many gold
    # items (a warning follows the first miss) and their accuracy over the window is low.
    ban_after_misses = models.PositiveSmallIntegerField(
        _("gold items missed before blocking applies"), default=2
    )
    accuracy_window = models.PositiveSmallIntegerField(
        _("latest gold answers the accuracy is measured over (0: all)"), default=0
    )
    pay_before_ban = models.CharField(
        _("answers given before a block"),
        max_length=9,
        choices=PayBeforeBan.choices,
        default=PayBeforeBan.KEPT,
    )
    qualification_min_percent = models.PositiveSmallIntegerField(
        _("accuracy needed to pass the qualification test (%)"), default=80
    )
    gold_percent = models.PositiveSmallIntegerField(
        _("share of gold items mixed into the work (%)"), default=10
    )
    deadline = models.DateField(_("answers accepted until"), null=True, blank=True)
    method = models.CharField(
        _("aggregation"), max_length=12, choices=Method.choices, default=Method.DAWID_SKENE
    )
    # The items file, as last imported.
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    file_format = models.CharField(_("format"), max_length=5, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    item_count = models.PositiveIntegerField(_("items"), default=0)
    gold_count = models.PositiveIntegerField(_("gold items"), default=0)
    qualification_count = models.PositiveIntegerField(_("qualification items"), default=0)
    # The last aggregation: agreement figures and how it ran.
    aggregated_at = models.DateTimeField(_("results computed on"), null=True, blank=True)
    quality = models.JSONField(_("quality"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    opened_at = models.DateTimeField(_("opened on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted on"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("data batch")
        verbose_name_plural = _("data batches")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_zh="") | ~Q(title_en=""), name="data_batch_has_a_title"
            ),
            models.CheckConstraint(
                condition=Q(overlap__gte=1) & Q(overlap__lte=50), name="data_batch_overlap_1_50"
            ),
            models.CheckConstraint(
                condition=Q(pay_per_item__gte=0), name="data_batch_pay_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(min_accuracy_percent__lte=100)
                & Q(qualification_min_percent__lte=100)
                & Q(gold_percent__lte=50),
                name="data_batch_percentages_in_range",
            ),
        ]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized

        return localized(self, "title")

    @property
    def is_categorical(self) -> bool:
        return self.task_type in {self.TaskType.SINGLE_LABEL, self.TaskType.MULTI_LABEL}

    @property
    def uses_labels(self) -> bool:
        return self.task_type != self.TaskType.TRANSCRIPTION

    @property
    def has_qualification(self) -> bool:
        return self.qualification_count > 0

    def deadline_passed(self, now: datetime | None = None) -> bool:
        if self.deadline is None:
            return False
        end = timezone.make_aware(datetime.combine(self.deadline, time.max))
        return (now or timezone.now()) > end

    def accepts_answers(self, now: datetime | None = None) -> bool:
        return self.status == self.Status.OPEN and not self.deadline_passed(now)


class BatchSkill(models.Model):
    """A skill that work on the batch evidences, at a level on the national five-level
    scale (5 entry … 1 expert); recorded on each accepted worker's skill record."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="skills")
    concept = models.ForeignKey(
        "taxonomy.Concept", on_delete=models.PROTECT, related_name="+", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=SkillLevel.choices, default=SkillLevel.GRADE_5
    )

    class Meta:
        verbose_name = _("evidenced skill")
        verbose_name_plural = _("evidenced skills")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "concept"], name="data_batch_skill_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5), name="data_batch_skill_level_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.concept} ({self.level})"


class BatchEvent(models.Model):
    """The history of a batch's status: who, when, from → to."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("data batch event")
        verbose_name_plural = _("data batch events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class Item(models.Model):
    """One item of a batch, as imported. ``gold`` holds the known answer of a gold item;
    ``result`` the aggregated answer; ``override`` a reviewer's correction (the history of
    corrections is in ``ResultOverride``; the aggregated result is always kept)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("line"))
    external_id = models.CharField(_("item id"), max_length=100)
    text = models.TextField(_("text"))
    context = models.TextField(_("context"), blank=True)
    media_url = models.URLField(_("media URL"), max_length=1000, blank=True)
    # Why the known answer is right: shown as feedback after a qualification answer and with
    # a missed gold item.
    explanation = models.TextField(_("explanation"), blank=True)
    is_gold = models.BooleanField(_("gold item"), default=False)
    is_qualification = models.BooleanField(_("qualification item"), default=False)
    gold = models.JSONField(_("known answer"), null=True, blank=True)
    answer_count = models.PositiveIntegerField(_("number of answers"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    support = models.JSONField(default=dict, blank=True)
    override = models.JSONField(_("corrected result"), null=True, blank=True)

    class Meta:
        verbose_name = _("data item")
        verbose_name_plural = _("data items")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "external_id"], name="data_item_id_unique"),
            models.CheckConstraint(
                condition=Q(is_gold=True) | Q(is_qualification=False),
                name="data_item_qualification_is_gold",
            ),
        ]
        indexes = [
            models.Index(
                fields=["batch", "is_gold", "answer_count", "position"], name="data_item_queue"
            )
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def final(self) -> Any:
        """The result as delivered: the reviewer's correction, else the aggregated one; for
        gold items, the known answer."""
        if self.override is not None:
            return self.override
        if self.is_gold:
            return self.gold
        return self.result


class BatchWorker(models.Model):
    """A nomad working on a batch: qualification, gold accuracy and whether blocked."""

    class Status(models.TextChoices):
        QUALIFYING = "qualifying", _("Taking the qualification test")
        QUALIFIED = "qualified", _("Qualified")
        FAILED = "failed", _("Did not pass the qualification test")
        BLOCKED = "blocked", _("Blocked")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="workers")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_batches"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    qualified_at = models.DateTimeField(_("qualified"), null=True, blank=True)
    qualification_answers = models.PositiveIntegerField(default=0)
    qualification_score = models.FloatField(default=0.0)  # sum of scores
    gold_answers = models.PositiveIntegerField(_("gold answers"), default=0)
    gold_score = models.FloatField(default=0.0)  # sum of scores, work phase
    gold_misses = models.PositiveIntegerField(_("gold items missed"), default=0)  # work phase
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    work_answers = models.PositiveIntegerField(_("work answers"), default=0)
    agreement = models.FloatField(_("agreement with the results"), null=True, blank=True)
    blocked_at = models.DateTimeField(_("blocked"), null=True, blank=True)
    # {"accuracy": 0.5, "threshold": 70, "gold_answers": 4} — shown in the reader's language
    block_reason = models.JSONField(default=dict, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data worker")
        verbose_name_plural = _("data workers")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "worker"], name="data_worker_unique")
        ]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.batch}"

    @property
    def accuracy(self) -> float | None:
        """Accuracy on the gold items mixed into the work."""
        return self.gold_score / self.gold_answers if self.gold_answers else None

    @property
    def qualification_accuracy(self) -> float | None:
        if not self.qualification_answers:
            return None
        return self.qualification_score / self.qualification_answers

    @property
    def known_accuracy(self) -> float | None:
        """The best estimate available: work gold, else the qualification test."""
        total = self.gold_answers + self.qualification_answers
        if not total:
            return None
        return (self.gold_score + self.qualification_score) / total


class Assignment(models.Model):
    """An item given to a worker, with a lease: while active and unexpired, it holds one of
    the item's answer slots. A worker gets an item at most once (unique), so nobody answers
    the same item twice."""

    class Phase(models.TextChoices):
        QUALIFICATION = "qualification", _("Qualification test")
        WORK = "work", _("Regular work")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Reserved")
        ANSWERED = "answered", _("Answered")
        SKIPPED = "skipped", _("Skipped")
        RELEASED = "released", _("Released")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="assignments")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="assignments")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_assignments"
    )
    phase = models.CharField(_("phase"), max_length=13, choices=Phase.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    expires_at = models.DateTimeField(_("reserved until"))
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "worker"], name="data_assignment_unique")
        ]
        indexes = [
            models.Index(fields=["batch", "worker", "status"], name="data_assignment_worker"),
            models.Index(fields=["item", "status", "expires_at"], name="data_assignment_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.worker}"


class Answer(models.Model):
    """A worker's answer to an assigned item. ``score`` is set for gold items (0–1);
    ``discarded`` answers (of a worker later blocked) are left out of aggregation and pay."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="answer")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="answers")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_answers"
    )
    phase = models.CharField(_("phase"), max_length=13, choices=Assignment.Phase.choices)
    value = models.JSONField(_("answer"))
    score = models.FloatField(_("score"), null=True, blank=True)
    discarded = models.BooleanField(_("discarded"), default=False)
    created_at = models.DateTimeField(_("answered on"), auto_now_add=True)

    class Meta:
        verbose_name = _("data answer")
        verbose_name_plural = _("data answers")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "worker"], name="data_answer_unique")
        ]
        indexes = [models.Index(fields=["batch", "worker"], name="data_answer_worker")]

    def __str__(self) -> str:
        return f"{self.worker} on {self.item}"


class ResultOverride(models.Model):
    """A reviewer's correction of an item's result: who, when, why, and what it replaced."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="overrides")
    value = models.JSONField(_("corrected result"))
    previous = models.JSONField(_("previous result"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("result correction")
        verbose_name_plural = _("result corrections")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.item}: {self.previous!r} → {self.value!r}"


class AcceptedWork(models.Model):
    """What the enterprise accepted from one worker on one batch, fixed when it accepted the
    batch: the unit that proofs of work certify and points reward."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="accepted_work")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="accepted_data_work"
    )
    items_accepted = models.PositiveIntegerField(_("items accepted"))
    accuracy = models.FloatField(_("gold accuracy"), null=True, blank=True)
    agreement = models.FloatField(_("agreement with the results"), null=True, blank=True)
    pay_per_item = MoneyField(_("pay per item (CNY)"))
    amount = MoneyField(_("pay owed (CNY)"))
    skills = models.JSONField(_("skills"), default=list)  # [{"code": "nc.x", "level": 4}]
    accepted_at = models.DateTimeField(_("accepted on"))

    class Meta:
        verbose_name = _("accepted data work")
        verbose_name_plural = _("accepted data work")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "worker"], name="accepted_work_unique"),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="accepted_work_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.batch} · {self.items_accepted}"


class GoldAppeal(models.Model):
    """A worker's appeal against the known answer of a gold item they missed, decided by a
    reviewer of the enterprise. An upheld appeal corrects the gold item (``previous_gold`` →
    ``corrected_gold``), scores every answer to it again and recomputes the standing of each
    worker who answered it (a worker blocked or failed because of it is restored)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a reviewer")
        UPHELD = "upheld", _("Upheld: the known answer was corrected")
        REJECTED = "rejected", _("Rejected: the known answer stands")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="appeals")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="appeals")
    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="appeal")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_appeals"
    )
    reason = models.CharField(_("reason"), max_length=1000)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("appealed on"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    decision_note = models.CharField(_("reviewer's note"), max_length=1000, blank=True)
    previous_gold = models.JSONField(_("known answer before"), null=True, blank=True)
    corrected_gold = models.JSONField(_("corrected known answer"), null=True, blank=True)

    class Meta:
        verbose_name = _("gold item appeal")
        verbose_name_plural = _("gold item appeals")
        ordering = ["id"]
        indexes = [models.Index(fields=["batch", "status"], name="data_appeal_queue")]

    def __str__(self) -> str:
        return f"{self.worker} · {self.item} · {self.status}"
