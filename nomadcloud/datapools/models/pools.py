"""Pools, their versioned charters and events, and contributions (with their upload slots and the
datatasks connector's batch releases)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.fields import MultilingualField


class Pool(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        APPROVED = "approved", _("approved")
        OPEN = "open", _("open for contributions")
        CLOSED = "closed", _("closed")
        ARCHIVED = "archived", _("archived")
        REJECTED = "rejected", _("rejected")

    class Kind(models.TextChoices):
        CONSUMPTION = "consumption", _("Culture and tourism consumption")
        TRAFFIC = "traffic", _("Traffic behaviour")
        METAVERSE = "metaverse", _("Metaverse assets")
        LABELLED = "labelled", _("Labelled data")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = MultilingualField(_("title"))
    description = MultilingualField(_("description"))
    steward = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="stewarded_pools",
        verbose_name=_("steward (authorised operator)"),
    )
    lead_department = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="led_pools",
        verbose_name=_("lead department"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    # The newest connector import: payments after this moment are read next time.
    connector_watermark = models.DateTimeField(null=True, blank=True)
    # The provincial registry's registration query code (登记查询码) of the data product,
    # once registered (registration.py); public.
    registration_code = models.CharField(_("registration query code"), max_length=40, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data pool")
        verbose_name_plural = _("data pools")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.title.get("en", "")) if isinstance(self.title, dict) else str(self.pk)

    @property
    def recipient(self) -> str:
        """The recipient named in contributors' consent records."""
        return f"datapools:{self.public_id}"


class Charter(models.Model):
    """One version of a pool's charter; a new version is a new row, never an edit."""

    class Classification(models.TextChoices):
        GENERAL = "general", _("general data")
        IMPORTANT = "important", _("important data")

    class Grade(models.TextChoices):
        NONE = "none", _("no personal information")
        PI = "pi", _("personal information")
        SENSITIVE = "sensitive", _("sensitive personal information")

    pool = models.ForeignKey(Pool, models.CASCADE, related_name="charters")
    version = models.PositiveIntegerField(_("version"))
    purposes = models.JSONField(_("purposes"), default=list)
    data_categories = models.JSONField(_("personal data categories"), default=list)
    classification = models.CharField(
        _("classification"), max_length=10, choices=Classification.choices
    )
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    consent_notice_version = models.CharField(_("consent notice version"), max_length=40)
    access_modes = models.JSONField(_("access modes"), default=list)
    points_per_row = models.PositiveIntegerField(_("points per accepted row"), default=0)
    fee_share_percent = models.PositiveSmallIntegerField(
        _("contributors' share of fees (%)"), default=0
    )
    distribution_period = models.CharField(_("distribution period"), max_length=10)
    retention_days = models.PositiveIntegerField(_("retention (days)"))
    # The data contract: [{"name", "type", "required", "min", "max", "values", "personal"}]
    columns = models.JSONField(_("schema"), default=list)
    # Differential privacy (docs/decisions/0048): when set, every aggregate under an agreement
    # for this pool adds Laplace noise and spends ε from this budget per agreement.
    dp_epsilon_budget = models.DecimalField(
        _("ε budget per agreement (differential privacy)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )
    # Asset provenance (provenance.py, decision 0057): each contribution carries its asset
    # file with a SHA-256 (and optionally a C2PA manifest reference) the platform checks.
    requires_provenance = models.BooleanField(
        _("assets need hash provenance (SHA-256, optional C2PA)"), default=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pool charter")
        ordering = ["pool", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "version"], name="datapools_charter_version")
        ]

    def __str__(self) -> str:
        return f"{self.pool_id} v{self.version}"

    def column_names(self) -> list[str]:
        return [str(c["name"]) for c in self.columns]


class PoolEvent(models.Model):
    """Append-only history of a pool's moves."""

    pool = models.ForeignKey(Pool, models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.pool_id} {self.action}"


class Contribution(models.Model):
    class Status(models.TextChoices):
        VALIDATING = "validating", _("received, being checked")
        ACCEPTED = "accepted", _("accepted")
        QUARANTINED = "quarantined", _("quarantined: undeclared personal data")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("consent withdrawn")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("uploaded file")
        POINTS_PAYMENTS = "points_payments", _("points payments (connector)")
        DATATASKS = "datatasks", _("accepted labelling work (connector)")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    pool = models.ForeignKey(Pool, models.PROTECT, related_name="contributions")
    charter = models.ForeignKey(Charter, models.PROTECT, related_name="+")
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="pool_contributions",
        verbose_name=_("contributor"),
    )
    consents = models.ManyToManyField("consent.ConsentRecord", related_name="+")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    rows: Any = models.JSONField(_("rows"), default=list)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    findings = models.JSONField(_("findings"), default=list)
    received_at = models.DateTimeField(_("received"))
    # What a connector read it from, e.g. ``datatasks:<batch public id>``: a connector reads
    # each source once per contributor (unique below), so a second import adds nothing.
    source_ref = models.CharField(max_length=80, blank=True, default="")
    # The asset file and its provenance, where the charter requires it (provenance.py).
    asset_name = models.CharField(_("asset file"), max_length=200, blank=True, default="")
    asset_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, default="")
    c2pa_manifest = models.CharField(
        _("C2PA manifest reference"), max_length=500, blank=True, default=""
    )
    asset_file = models.CharField(max_length=300, blank=True, default="")  # storage name
    asset_size = models.PositiveBigIntegerField(default=0)
    # A large upload (decision 0064) is checked by a background job (uploads_check.py): it
    # is ``validating`` until then. Accepted, its typed rows are a Parquet file in storage
    # (``rows_file``) instead of ``rows``; rejected, ``errors`` holds the first errors, each
    # in every language of the site ({"zh-Hans": …, "en": …}).
    rows_file = models.CharField(max_length=300, blank=True, default="")  # storage name
    errors = models.JSONField(_("errors"), default=list)
    validated_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contribution")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["pool", "status"], name="datapools_contrib_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "source_ref", "contributor"],
                condition=~models.Q(source_ref=""),
                name="datapools_contrib_source_once",
            )
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class UploadSlot(models.Model):
    """A slot for one contribution uploaded straight to storage (decision 0058): declared
    size, SHA-256 and content type; the bytes go to ``key`` by a presigned (multipart) PUT,
    and ``complete`` validates the stored file as a contribution."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for the file")
        COMPLETED = "completed", _("completed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    pool = models.ForeignKey(Pool, models.CASCADE, related_name="upload_slots")
    contributor = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    size = models.PositiveIntegerField(_("declared size (bytes)"))
    sha256 = models.CharField(_("declared SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=40)
    consent_notice_version = models.CharField(max_length=40)
    give_consent = models.BooleanField(default=False)
    key = models.CharField(_("storage key"), max_length=200)
    multipart_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("opened at"))
    expires_at = models.DateTimeField(_("expires at"))
    contribution = models.ForeignKey(
        Contribution, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("upload slot")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.public_id)


class BatchRelease(models.Model):
    """An enterprise's agreement that the accepted outputs of one of its data-labelling
    batches (datatasks) go into a labelled-data pool (connectors.py, decision 0057). Given
    by an editor of the batch's enterprise; the steward's connector reads only agreed
    batches. One row per pool and batch; withdrawing is not offered (what was read stays,
    as with any contribution)."""

    pool = models.ForeignKey(Pool, models.PROTECT, related_name="batch_releases")
    batch = models.ForeignKey(
        "datatasks.Batch", models.PROTECT, related_name="+", verbose_name=_("data batch")
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("agreed by")
    )
    agreed_at = models.DateTimeField(_("agreed at"), auto_now_add=True)
    imported_at = models.DateTimeField(_("last read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch released to a pool")
        ordering = ["-agreed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "batch"], name="datapools_batch_release_once")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} → {self.pool_id}"
