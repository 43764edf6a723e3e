"""The one-card service hub (一卡通): the dynamic personal QR code's scans, the catalogue of
service items (办事指南) with immutable versions, applications (办件) with their events,
supplement notices, ratings and rectifications, agents' authorisations and the outbox of
submissions to external systems (海易办).

Translatable content is a JSON object keyed by BCP-47 language tags (``{"zh-Hans": …,
"en": …}``, both required, more allowed; ``"_machine": ["ru"]`` flags machine translation),
so a third language needs no schema change (cross-cutting §3.4).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.money import MoneyField
from nomadcloud.core.uploads import StoredFile


class QrScan(models.Model):
    """One scanned personal QR code: its nonce may be used once (single purpose per scan)."""

    nonce = models.CharField(max_length=32, unique=True)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=16)
    scanned_at = models.DateTimeField()

    class Meta:
        verbose_name = _("QR code scan")
        verbose_name_plural = _("QR code scans")

    def __str__(self) -> str:
        return f"{self.purpose} {self.scanned_at:%Y-%m-%d %H:%M}"


class ServiceItem(models.Model):
    """A service item of the catalogue. What the applicant reads and the rules that bind an
    application live in its versions; the item holds what does not change with them."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review by the department")
        PUBLISHED = "published", _("Published")
        SUSPENDED = "suspended", _("Suspended")
        RETIRED = "retired", _("Retired")

    class Handler(models.TextChoices):
        INTERNAL = "internal", _("Handled here")
        DEEP_LINK = "deep_link", _("Handled by another part of the platform")
        EXTERNAL = "external", _("Handled by an external system")

    class Kind(models.TextChoices):
        LICENSING = "licensing", _("Administrative licensing (行政许可)")
        CONFIRMATION = "confirmation", _("Administrative confirmation (行政确认)")
        PUBLIC = "public", _("Public service (公共服务)")
        CONVENIENCE = "convenience", _("Convenience service (便民服务)")
        PLATFORM = "platform", _("Platform service (平台服务)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("item code"), max_length=40, unique=True)
    number = models.PositiveSmallIntegerField(_("catalogue number"), default=0)
    kind = models.CharField(_("item type"), max_length=14, choices=Kind.choices)
    department = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="service_items",
        verbose_name=_("competent department"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    handler = models.CharField(_("handler"), max_length=10, choices=Handler.choices)
    deep_link = models.CharField(_("deep link (URL name)"), max_length=80, blank=True)
    external_url = models.URLField(_("external address"), blank=True)
    audience = models.JSONField(_("audience"), default=list)
    life_events = models.JSONField(_("life events"), default=list)
    current_version = models.ForeignKey(
        "ItemVersion", models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Changes to the guide not yet published: applicants never see this version.
    draft_version = models.ForeignKey(
        "ItemVersion", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["number", "code"]

    def __str__(self) -> str:
        return self.code


class ItemVersion(models.Model):
    """One immutable version of an item's guide (办事指南): every change to conditions,
    materials or time limits makes a new one; an application binds to the version it was
    started under."""

    item = models.ForeignKey(ServiceItem, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # name, summary, legal_basis_text, process, location, hours, consultation, complaints
    content = models.JSONField(_("content per language"), default=dict)
    legal_basis_url = models.URLField(_("legal basis link"), blank=True)
    # [{"code", "text": {lang: …}, "kind": "answer"|"profile", "field", "op", "value"}]
    conditions = models.JSONField(_("conditions"), default=list)
    # [{"code", "name": {lang: …}, "mandatory", "evidence_type", "formats", "max_mb", "source"}]
    materials = models.JSONField(_("materials"), default=list)
    form_schema = models.JSONField(_("form (JSON Schema 2020-12)"), default=dict)
    statutory_days = models.PositiveSmallIntegerField(_("statutory time limit (working days)"))
    promised_days = models.PositiveSmallIntegerField(_("promised time limit (working days)"))
    fee = MoneyField(_("fee"), default=Decimal("0.00"))
    visits = models.PositiveSmallIntegerField(_("visits in person"), default=0)
    result_type = models.CharField(_("result type"), max_length=20, default="certificate")
    four_eyes = models.BooleanField(_("approver must differ from reviewer"), default=False)
    allows_gaps = models.BooleanField(_("accept with gaps (容缺受理)"), default=False)
    channels = models.JSONField(_("channels"), default=list)  # ["online", "window", "phone"]
    phone = models.CharField(_("consultation phone"), max_length=40, blank=True)
    valid_from = models.DateField(_("valid from"), default=date(2026, 1, 1))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="onecard_version_unique"),
            models.CheckConstraint(
                condition=Q(promised_days__lte=models.F("statutory_days")),
                name="onecard_promised_within_statutory",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


class AgentAuthorisation(models.Model):
    """A principal lets an agent (代办) act for them on some items until a date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    principal = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    items = models.JSONField(_("item codes"), default=list)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    document = models.CharField(_("authorisation document reference"), max_length=120)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agent authorisation")
        verbose_name_plural = _("agent authorisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="onecard_authorisation_dates",
            ),
            models.CheckConstraint(
                condition=~Q(principal=models.F("agent")), name="onecard_agent_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} for {self.principal_id}"


class Application(models.Model):
    """An application (办件) for one item version, by an applicant or an agent for them."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RECEIVED = "received", _("Received (受理)")
        NOT_ACCEPTED = "not_accepted", _("Not accepted (不予受理)")
        SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested (补正)")
        FORWARDING = "forwarding", _("Forwarding")
        FORWARDED = "forwarded", _("Forwarded")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RESULT_ISSUED = "result_issued", _("Result issued (出件)")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUSPENDED = "suspended", _("Suspended (中止)")
        TERMINATED = "terminated", _("Terminated")
        CLOSED = "closed", _("Closed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=24, unique=True)
    item = models.ForeignKey(ServiceItem, models.PROTECT, related_name="applications")
    version = models.ForeignKey(ItemVersion, models.PROTECT, related_name="applications")
    department = models.ForeignKey("accounts.Organisation", models.PROTECT, related_name="+")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="onecard_applications"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    authorisation = models.ForeignKey(
        AgentAuthorisation, models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    language = models.CharField(max_length=10, default="zh-hans")
    answers = models.JSONField(_("answers"), default=dict)
    materials = models.JSONField(_("materials provided"), default=list)
    prefilled = models.JSONField(_("prefilled answers and their sources"), default=dict)
    submit_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("promised by"), null=True, blank=True)
    gaps = models.JSONField(_("materials to follow (容缺)"), default=list)
    gaps_due = models.DateField(null=True, blank=True)
    supplements = models.PositiveSmallIntegerField(default=0)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)
    rule_version = models.CharField(max_length=40, blank=True)
    result = models.JSONField(_("signed result"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["department", "status", "-id"], name="onecard_app_queue"),
            models.Index(fields=["applicant", "-id"], name="onecard_app_applicant"),
            models.Index(fields=["item", "status"], name="onecard_app_item_status"),
            models.Index(fields=["department", "due_at", "id"], name="onecard_app_due"),
            models.Index(fields=["item", "-decided_at"], name="onecard_app_item_decided"),
        ]

    def __str__(self) -> str:
        return self.reference


class ApplicationEvent(models.Model):
    """What happened to an application, who did it and why; never changed afterwards."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class SupplementNotice(models.Model):
    """一次性告知: one notice listing every missing or incorrect item."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="notices")
    items = models.JSONField(default=list)  # [{"code", "text"}]
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_reason = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {len(self.items)} items"


class Rating(models.Model):
    """好差评: the applicant's one rating of a finished application."""

    class Level(models.IntegerChoices):
        VERY_SATISFIED = 5, _("Very satisfied (非常满意)")
        SATISFIED = 4, _("Satisfied (满意)")
        FAIRLY_SATISFIED = 3, _("Fairly satisfied (基本满意)")
        DISSATISFIED = 2, _("Dissatisfied (不满意)")
        VERY_DISSATISFIED = 1, _("Very dissatisfied (非常不满意)")

    application = models.OneToOneField(Application, models.CASCADE, related_name="rating")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="onecard_rating_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.level}"


class Rectification(models.Model):
    """A 差评 to rectify within 15 working days, with the call-back recorded."""

    rating = models.OneToOneField(Rating, models.CASCADE, related_name="rectification")
    due = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    measures = models.TextField(blank=True)
    callback_note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.rating_id} due {self.due}"


class AdapterSubmission(models.Model):
    """The outbox row of an application forwarded to an external system (海易办)."""

    class State(models.TextChoices):
        SUBMITTING = "submitting", _("Submitting")
        SUBMITTED = "submitted", _("Submitted")
        FAILED = "failed", _("Failed")

    application = models.OneToOneField(Application, models.CASCADE, related_name="submission")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    external_id = models.CharField(max_length=80, blank=True)
    external_status = models.CharField(max_length=40, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.application_id}: {self.state}"


class MaterialFile(StoredFile):
    """A material an applicant attached to an application (申请材料)."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="files")
    material = models.CharField(max_length=40)
    file = models.FileField(upload_to="onecard/materials/")

    class Meta:
        ordering = ["id"]


class Escalation(models.Model):
    """An application past its promised time limit, escalated to the competent department's
    head (its owners and administrators) by the daily job: once per due date, so an
    application whose clock was paused and ran over again is escalated again."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="escalations")
    due_at = models.DateTimeField(_("was due"))
    escalated_at = models.DateTimeField(_("escalated at"))
    notified = models.PositiveSmallIntegerField(_("supervisors notified"), default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "due_at"], name="onecard_escalation_once_per_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} due {self.due_at:%Y-%m-%d}"
