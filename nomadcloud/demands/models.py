"""Enterprise demands (jobs, projects, data-processing tasks, training scenarios), their job
profiles, history, and the connectors that bring them in: webhook push and feed pull.

Money is exact CNY (``MoneyField``). Skills and tools are taxonomy concepts. A demand that came
from an enterprise system carries that system's ``external_id`` (unique per organisation), so
pushes and feed pulls update it instead of adding a second.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nomadcloud.core.money import MoneyField
from nomadcloud.taxonomy.levels import SkillLevel


class Demand(models.Model):
    class Kind(models.TextChoices):
        JOB = "job", _("Job")
        PROJECT = "project", _("Project")
        DATA_TASK = "data_task", _("Data-processing task")
        TRAINING = "training", _("Training scenario")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")
        FILLED = "filled", _("Filled")

    class WorkMode(models.TextChoices):
        REMOTE = "remote", _("Remote")
        HYBRID = "hybrid", _("Hybrid")
        ONSITE = "onsite", _("On-site")

    class PayPeriod(models.TextChoices):
        TOTAL = "total", _("in total")
        HOUR = "hour", _("per hour")
        DAY = "day", _("per day")
        MONTH = "month", _("per month")
        YEAR = "year", _("per year")

    class Source(models.TextChoices):
        WEB = "web", _("Entered on the platform")
        API = "api", _("Pushed through the API")
        WEBHOOK = "webhook", _("Pushed to the webhook")
        FEED = "feed", _("Pulled from a feed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="demands",
        verbose_name=_("enterprise"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    tools = models.ManyToManyField(
        "taxonomy.Concept", blank=True, related_name="+", verbose_name=_("tools")
    )
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), null=True, blank=True
    )
    work_mode = models.CharField(
        _("remote or on-site"), max_length=8, choices=WorkMode.choices, default=WorkMode.REMOTE
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    duration_days = models.PositiveIntegerField(_("duration (days)"), null=True, blank=True)
    budget_min = MoneyField(_("budget or salary from (CNY)"), null=True, blank=True)
    budget_max = MoneyField(_("budget or salary up to (CNY)"), null=True, blank=True)
    pay_period = models.CharField(
        _("paid"), max_length=6, choices=PayPeriod.choices, default=PayPeriod.MONTH
    )
    headcount = models.PositiveIntegerField(_("headcount"), default=1)
    deadline = models.DateField(_("apply by"), null=True, blank=True)
    external_id = models.CharField(
        _("external id"),
        max_length=200,
        blank=True,
        help_text=_("The demand's identifier in the enterprise's own system."),
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    feed = models.ForeignKey(
        "Feed", null=True, blank=True, on_delete=models.SET_NULL, related_name="demands"
    )
    # SHA-256 of the last pushed/pulled payload (canonical JSON): the same payload again is
    # recognised as "unchanged" without comparing every field.
    payload_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_zh="") | ~Q(title_en=""), name="demand_has_a_title"
            ),
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~Q(external_id=""),
                name="demand_external_id_unique_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True) | Q(budget_min__gte=0),
                name="demand_budget_min_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_max__gte=F("budget_min")),
                name="demand_budget_range_ordered",
            ),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="demand_headcount_positive"),
        ]
        indexes = [models.Index(fields=["status", "-published_at"], name="demand_public_list")]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized

        return localized(self, "title")

    @property
    def is_public(self) -> bool:
        return self.status == Demand.Status.PUBLISHED

    @property
    def is_remote(self) -> bool:
        return self.work_mode == Demand.WorkMode.REMOTE


class DemandSkill(models.Model):
    """A skill the demand asks for, with the minimum level on the national five-level scale
    (``taxonomy.levels``: 5 五级/初级工 … 1 一级/高级技师; 5, the default, accepts any level)."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="skills")
    concept = models.ForeignKey(
        "taxonomy.Concept", on_delete=models.PROTECT, related_name="+", verbose_name=_("skill")
    )
    min_level = models.PositiveSmallIntegerField(
        _("minimum level"), choices=SkillLevel.choices, default=SkillLevel.GRADE_5
    )
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("demanded skill")
        verbose_name_plural = _("demanded skills")
        ordering = ["-required", "id"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "concept"], name="demand_skill_unique"),
            models.CheckConstraint(
                condition=Q(min_level__gte=1) & Q(min_level__lte=5),
                name="demand_skill_level_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.concept} ({self.get_min_level_display()})"


class DemandLanguage(models.Model):
    """A working language the demand needs (ISO 639-1 code: zh, en, ja, …)."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(_("language"), max_length=8)

    class Meta:
        verbose_name = _("working language")
        verbose_name_plural = _("working languages")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "code"], name="demand_language_unique")
        ]

    def __str__(self) -> str:
        return self.code


class DemandEvent(models.Model):
    """The history of a demand's status: who, when, from → to."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    api_token = models.ForeignKey(
        "accounts.ApiToken", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=8, choices=Demand.Source.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("demand event")
        verbose_name_plural = _("demand events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"

    @property
    def from_label(self) -> str:
        """The status before, as a person reads it ("" for the first event)."""
        return _status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return _status_label(self.to_status)


def _status_label(value: str) -> str:
    if not value:
        return ""
    try:
        return str(Demand.Status(value).label)
    except ValueError:  # a status no longer offered: shown as stored
        return value


class JobProfileTag(models.Model):
    """One tag of a demand's job profile (岗位画像): a concept, the words of the demand's text
    it was found from, and whether the enterprise added or removed it. Removed tags stay as
    rows so that deriving the profile again does not bring them back."""

    class Origin(models.TextChoices):
        AUTO = "auto", _("Extracted from the text")
        MANUAL = "manual", _("Added by the enterprise")

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="profile_tags")
    concept = models.ForeignKey("taxonomy.Concept", on_delete=models.PROTECT, related_name="+")
    matched = models.JSONField(_("matched words"), default=list)
    score = models.FloatField(_("score"), default=0.0)
    origin = models.CharField(_("origin"), max_length=6, choices=Origin.choices)
    removed = models.BooleanField(_("removed by the enterprise"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("job profile tag")
        verbose_name_plural = _("job profile tags")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "concept"], name="job_profile_tag_unique")
        ]

    def __str__(self) -> str:
        return str(self.concept)


class WebhookEndpoint(models.Model):
    """An organisation's webhook for pushing demands. The secret is needed to verify HMACs,
    so it is stored encrypted (not hashed); it is shown once, when created or rotated."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="demand_webhook"
    )
    secret_encrypted = models.TextField()
    prefix = models.CharField(max_length=16)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("demand webhook")
        verbose_name_plural = _("demand webhooks")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.prefix}…)"


class WebhookReceipt(models.Model):
    """A signature already accepted: the same signed request again is a replay. Kept until
    its timestamp can no longer pass the tolerance window."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    signature = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("webhook receipt")
        verbose_name_plural = _("webhook receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "signature"], name="webhook_receipt_unique"
            )
        ]

    def __str__(self) -> str:
        return self.signature[:12]


class Feed(models.Model):
    """A feed of demands the platform pulls from the enterprise's system."""

    class Format(models.TextChoices):
        JOBPOSTING = "jobposting", _("schema.org JobPosting (JSON list)")
        NATIVE = "native", _("NomadCloud demand schema (JSON list)")

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="demand_feeds"
    )
    url = models.URLField(_("feed URL"), max_length=1000)
    format = models.CharField(_("format"), max_length=12, choices=Format.choices)
    etag = models.CharField(max_length=255, blank=True)
    last_modified = models.CharField(max_length=64, blank=True)
    next_run_at = models.DateTimeField(_("next pull"), null=True, blank=True, db_index=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("demand feed")
        verbose_name_plural = _("demand feeds")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "url"], name="feed_url_unique")
        ]

    def __str__(self) -> str:
        return self.url


class FeedSync(models.Model):
    """One pull of a feed and its report."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        OK = "ok", _("Applied")
        PARTIAL = "partial", _("Applied, some entries skipped")
        NOT_MODIFIED = "not_modified", _("Not modified since the last pull")
        FAILED = "failed", _("Failed")

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="syncs")
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("result"), max_length=12, choices=Status.choices, default=Status.RUNNING
    )
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    # [{"index": 2, "external_id": "J-3", "field": "baseSalary.currency", "reason": "…"}]
    skipped_entries = models.JSONField(_("skipped entries"), default=list)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("feed sync")
        verbose_name_plural = _("feed syncs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.feed} @ {self.started_at:%Y-%m-%d %H:%M} ({self.status})"

    def report(self) -> dict[str, object]:
        return {
            "status": self.status,
            "http_status": self.http_status,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "closed": self.closed,
            "skipped": self.skipped,
            "skipped_entries": self.skipped_entries,
            "error": self.error,
        }


class DemandApplication(models.Model):
    """A nomad's application to a demand (a job or a project): a note, a proposed rate,
    when they are available and the proofs of work they attach (their own credentials, by
    public id). Its lifecycle is the table in ``transitions.py``; every move is kept as an
    ``ApplicationEvent`` and an audit event. One application per nomad and demand."""

    class Status(models.TextChoices):
        # "Submitted" alone is a column heading (提交时间); the status has its own context.
        SUBMITTED = "submitted", pgettext_lazy("application status", "Submitted")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        ORDERED = "ordered", _("Invited to an order")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="demand_applications",
        verbose_name=_("nomad"),
    )
    note = models.TextField(_("note to the enterprise"), blank=True)
    proposed_rate = MoneyField(_("proposed rate (CNY)"), null=True, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    # Public ids of the nomad's own credentials (proofs of work), checked when attached.
    proofs = models.JSONField(_("proofs of work"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.SUBMITTED,
        db_index=True,
    )
    decision_note = models.CharField(_("reason given"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("applied"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("application to a demand")
        verbose_name_plural = _("applications to demands")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "applicant"], name="demand_application_once_per_nomad"
            ),
            models.CheckConstraint(
                condition=Q(proposed_rate__isnull=True) | Q(proposed_rate__gte=0),
                name="demand_application_rate_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.demand}"


class ApplicationEvent(models.Model):
    """The history of an application: who moved it, when, from → to, and why."""

    application = models.ForeignKey(
        DemandApplication, on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=DemandApplication.Status.choices)
    role = models.CharField(_("as"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"
