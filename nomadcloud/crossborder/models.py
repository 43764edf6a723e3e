"""Cross-border data export (数据出境): requests routed by the decision procedure, their
obligations, the 网信办 pre-check, whitelist entries, transfers and the year-to-date
counters per exporter (docs/crossborder.md)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Route(models.TextChoices):
    EXEMPT = "exempt", _("exempt")
    STANDARD_CONTRACT = "standard_contract", _("standard contract")
    CERTIFICATION = "certification", _("certification")
    SECURITY_ASSESSMENT = "security_assessment", _("security assessment")
    BLOCKED = "blocked", _("blocked")


class ExportRequest(models.Model):
    """One outbound transfer an exporter asks for: the facts the procedure reads, and its
    decision (route, reasons, rule version, the counters it saw)."""

    class State(models.TextChoices):
        OBLIGATIONS_PENDING = "obligations_pending", _("obligations pending")
        EVIDENCE_SUBMITTED = "evidence_submitted", _("evidence submitted")
        WHITELISTED = "whitelisted", _("whitelisted")
        RETURNED = "returned", _("returned for correction")
        BLOCKED = "blocked", _("blocked")
        SUPERSEDED = "superseded", _("superseded by a reassessment")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    exporter = models.ForeignKey(
        "accounts.Organisation", models.PROTECT, related_name="+", verbose_name=_("exporter")
    )
    department = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="+",
        verbose_name=_("reviewing 网信办"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=24, choices=State.choices)
    recipient_name = models.CharField(_("recipient"), max_length=200)
    recipient_country = models.CharField(_("recipient country (ISO 3166)"), max_length=2)
    purpose = models.CharField(_("purpose"), max_length=80)
    data_categories = models.JSONField(_("data categories"), default=list)
    scenario = models.CharField(_("scenario"), max_length=20)
    pi_count = models.PositiveIntegerField(_("people whose personal information is exported"))
    sensitive_count = models.PositiveIntegerField(_("of them, with sensitive information"))
    is_ciio = models.BooleanField(_("critical information infrastructure operator"))
    in_ftz = models.BooleanField(_("inside the free-trade port"))
    ftz_entry = models.CharField(_("negative-list entry matched"), max_length=40, blank=True)
    is_important_data = models.BooleanField(_("important data (notified or listed)"))
    is_core_data = models.BooleanField(_("core data"), default=False)
    automotive = models.BooleanField(_("automotive data"), default=False)
    vehicle_flow_data = models.BooleanField(_("vehicle-flow data"), default=False)
    returned_abroad = models.BooleanField(_("collected abroad and sent back"), default=False)
    chosen_route = models.CharField(_("route chosen"), max_length=20, blank=True)
    source = models.CharField(_("source (a pool agreement)"), max_length=80, blank=True)
    previous = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reassessment of"),
    )
    # The decision.
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    rule_version = models.CharField(_("rule version"), max_length=120)
    params_used = models.JSONField(_("parameters used"), default=dict)
    ytd_pi = models.PositiveIntegerField(_("people counted before this request"))
    ytd_sensitive = models.PositiveIntegerField(_("sensitive counted before this request"))
    counted = models.BooleanField(_("counted in the year's totals"), default=False)
    decided_on = models.DateField(_("decided on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("export request")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sensitive_count__lte=models.F("pi_count")),
                name="crossborder_sensitive_within_pi",
            ),
            models.CheckConstraint(
                condition=~Q(recipient_country="CN"), name="crossborder_recipient_abroad"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} ({self.recipient_country})"


class Obligation(models.Model):
    """What must be gathered before the pre-check: separate consent, impact assessment,
    filing receipt, certificate, CAC decision."""

    class Kind(models.TextChoices):
        SEPARATE_CONSENT = "separate_consent", _("separate consent (PIPL art. 39)")
        IMPACT_ASSESSMENT = "impact_assessment", _("impact assessment (PIPL art. 55)")
        FILING_RECEIPT = "filing_receipt", _("standard-contract filing receipt")
        CERTIFICATE = "certificate", _("certificate of an accredited body")
        CAC_DECISION = "cac_decision", _("CAC security-assessment decision")

    request = models.ForeignKey(ExportRequest, models.CASCADE, related_name="obligations")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    consents = models.PositiveIntegerField(_("separate consents on record"), default=0)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="crossborder_one_obligation")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


class RequestEvent(models.Model):
    """Append-only history of a request: who moved it, from what to what, why."""

    request = models.ForeignKey(ExportRequest, models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24)
    reason = models.CharField(max_length=500, blank=True)
    rule_version = models.CharField(max_length=120, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"


class WhitelistEntry(models.Model):
    """数据出境白名单: what an exporter may send, to whom, for what, until when, how much."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        RENEWAL_DUE = "renewal_due", _("renewal due")
        REASSESSMENT_REQUIRED = "reassessment_required", _("reassessment required")
        EXPIRED = "expired", _("expired")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    request = models.OneToOneField(ExportRequest, models.PROTECT, related_name="entry")
    exporter = models.ForeignKey(
        "accounts.Organisation", models.PROTECT, related_name="+", verbose_name=_("exporter")
    )
    recipient_name = models.CharField(_("recipient"), max_length=200)
    recipient_country = models.CharField(_("recipient country"), max_length=2)
    purpose = models.CharField(_("purpose"), max_length=80)
    data_categories = models.JSONField(_("data categories"), default=list)
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    reference = models.CharField(_("approval reference"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    volume_cap = models.PositiveIntegerField(_("people at most"))
    sensitive_cap = models.PositiveIntegerField(_("sensitive at most"))
    volume_used = models.PositiveIntegerField(_("people sent"), default=0)
    sensitive_used = models.PositiveIntegerField(_("sensitive sent"), default=0)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices)
    reminded_on = models.DateField(_("renewal reminded on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("whitelist entry")
        verbose_name_plural = _("whitelist entries")
        ordering = ["valid_to", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="crossborder_entry_dates"
            ),
            models.CheckConstraint(
                condition=Q(volume_used__lte=models.F("volume_cap"))
                & Q(sensitive_used__lte=models.F("sensitive_cap")),
                name="crossborder_entry_within_cap",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} {self.valid_from}–{self.valid_to}"


class TransferEvent(models.Model):
    """One transfer sent under an entry; it counts against the entry's cap and the
    exporter's year."""

    entry = models.ForeignKey(WhitelistEntry, models.PROTECT, related_name="transfers")
    pi_count = models.PositiveIntegerField(_("people"))
    sensitive_count = models.PositiveIntegerField(_("of them sensitive"))
    purpose = models.CharField(_("purpose"), max_length=80)
    data_categories = models.JSONField(_("data categories"), default=list)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    # Where it came from when not logged by hand: ``datapools:<negotiation public id>``.
    source = models.CharField(_("source"), max_length=80, blank=True)
    at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.pi_count}"


class ExportCounter(models.Model):
    """The exporter's cumulative counts in one calendar year: people assessed in non-exempt
    requests (the procedure's ``ytd_*``, reserved when a request is decided, under a row
    lock) and people actually sent (transfer events)."""

    exporter = models.ForeignKey("accounts.Organisation", models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    pi_assessed = models.PositiveBigIntegerField(default=0)
    sensitive_assessed = models.PositiveBigIntegerField(default=0)
    pi_sent = models.PositiveBigIntegerField(default=0)
    sensitive_sent = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exporter", "year"], name="crossborder_counter_year")
        ]

    def __str__(self) -> str:
        return f"{self.exporter_id} {self.year}"
