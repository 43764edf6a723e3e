from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.fields import MultilingualField


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an append-only record."""


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One state-changing action. Append-only: the model refuses updates and deletes, and
    database triggers (migration 0002) refuse them for any other client too."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web page")
        API = "api", _("API")
        SYSTEM = "system", _("System")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    api_token = models.ForeignKey(
        "accounts.ApiToken",
        verbose_name=_("API token"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    summary = models.JSONField(_("before/after summary"), default=dict)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")


class IdempotencyRecord(models.Model):
    """The stored outcome of a POST made with an ``Idempotency-Key``: a retry with the same
    key and body gets the same response; the same key with another body is refused.
    ``status_code`` 0: the key is claimed and its first request is still running."""

    owner = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=512)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.BinaryField()
    content_type = models.CharField(max_length=100, default="application/json")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.owner}:{self.key}"


class Holiday(models.Model):
    """A day that is not what its weekday says: a public holiday (``is_working_day`` False) or
    a 调休 weekend worked in exchange (True). Every other day of a loaded year is a working
    day from Monday to Friday. Seeded from the ``chinese-calendar`` package (``nomadcloud
    load_holidays``) and editable by the zone operator (``source`` then says so)."""

    class Source(models.TextChoices):
        PACKAGE = "chinese-calendar", _("chinese-calendar package")
        OPERATOR = "operator", _("Zone operator")

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"), default=False)
    name_zh = models.CharField(_("name (Chinese)"), max_length=80, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'work' if self.is_working_day else 'rest'} {self.name_en}"


class HolidayYear(models.Model):
    """A year whose holidays are loaded: working days are computed only inside these years
    (the State Council publishes each year's holidays late in the year before)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Holiday.Source.choices)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday year")
        verbose_name_plural = _("holiday years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class Clock(models.Model):
    """A deadline running for one subject (``subject_kind`` "onecard.application", its public
    id): ``limit`` working days or hours from ``started_at``; paused while waiting for the
    applicant (补正, 中止), which moves ``due_at`` on by the time paused."""

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", _("working days")
        HOURS = "hours", _("hours")

    subject_kind = models.CharField(_("subject kind"), max_length=60)
    subject_id = models.CharField(_("subject id"), max_length=64)
    name = models.CharField(_("name"), max_length=60, blank=True)
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices)
    limit = models.PositiveIntegerField(_("limit"))
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("working days paused"), default=0)
    paused_seconds = models.PositiveIntegerField(_("seconds paused"), default=0)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["subject_kind", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.subject_kind}:{self.subject_id} {self.limit} {self.unit}"


class PublicNotice(models.Model):
    """公示: a subject shown to the public for N working days before it may advance, open to
    objections (``core/publicity.py``)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    subject_kind = models.CharField(_("subject kind"), max_length=60)
    subject_id = models.CharField(_("subject id"), max_length=64)
    title = MultilingualField(_("title"))
    body = MultilingualField(_("text"))
    working_days = models.PositiveSmallIntegerField(_("working days"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["subject_kind", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.subject_kind}:{self.subject_id} {self.status}"


class Objection(models.Model):
    """异议 filed against an open notice; a pending one stops the subject from advancing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    notice = models.ForeignKey(
        PublicNotice,
        verbose_name=_("notice"),
        on_delete=models.CASCADE,
        related_name="objections",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    grounds = models.TextField(_("grounds"), max_length=5000)
    evidence = models.TextField(_("evidence"), max_length=5000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["filed_at", "id"]

    def __str__(self) -> str:
        return f"objection {self.pk} on {self.notice_id} {self.status}"


# --- Background jobs (core/jobs.py, docs/operations.md "Background workers") ------------------
# Internal bookkeeping of the job machinery, never shown to people: no translated names.


class WorkerHeartbeat(models.Model):
    """A running ``nomadcloud jobs worker``: it refreshes ``seen_at`` while it lives; a job
    held by a worker not seen for JOB_LEASE_SECONDS is put back on its queue."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=255)
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.host}"


class JobKey(models.Model):
    """An idempotency key of an enqueued job: a second enqueue with the same key is the
    first job (``jobs.enqueue_once``)."""

    key = models.CharField(max_length=200, unique=True)
    task_path = models.CharField(max_length=255)
    result_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"job key {self.key}"


class ScheduledRun(models.Model):
    """When a periodic job (core/schedule.py) last started, claimed under an advisory lock."""

    name = models.CharField(max_length=100, primary_key=True)
    last_started_at = models.DateTimeField()
    last_host = models.CharField(max_length=255)
    runs = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"scheduled {self.name} at {self.last_started_at}"
