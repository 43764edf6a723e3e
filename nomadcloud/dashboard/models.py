"""The dashboard's data (design §4.9): daily snapshots of the platform's indicators
(core/indicators.py), official observations reported by departments or imported from the
statistics bureau, import batches, and the six targets of plan 004 with their trajectories.
A platform value and an official one are never mixed: they live in different tables and are
shown side by side, labelled."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Snapshot(models.Model):
    """A platform indicator's value for a period, computed by the daily job, with its
    provenance (which app's function computed it, when, by which definition)."""

    indicator = models.CharField(max_length=80)
    period = models.CharField(max_length=10)  # ISO 8601 label: 2026, 2026-Q2, 2026-05
    period_end = models.DateField()
    dimensions = models.CharField(max_length=200, blank=True)  # "nationality=foreign"
    value = models.DecimalField(max_digits=20, decimal_places=6)
    computed_at = models.DateTimeField()
    provenance = models.JSONField(default=dict)

    class Meta:
        ordering = ["indicator", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "dimensions"], name="dashboard_snapshot_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.value}"


class ImportBatch(models.Model):
    """One uploaded statistics file: its hash, rows and (when refused) line-numbered errors."""

    class Status(models.TextChoices):
        STORED = "stored", _("Stored")
        REFUSED = "refused", _("Refused")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices)
    errors = models.JSONField(default=list)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class Observation(models.Model):
    """An official figure: reported by the owning department or imported from a statistics
    file; ``draft → submitted → approved → published``, replaced only by a newer observation
    that names the reason (``superseded``)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    class Finality(models.TextChoices):
        PROVISIONAL = "P", _("Provisional")
        FINAL = "F", _("Final")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    indicator = models.CharField(_("indicator"), max_length=80)
    period = models.CharField(_("period"), max_length=10)
    period_end = models.DateField()
    area = models.CharField(_("area"), max_length=10, default="DZ")
    # For an indicator counted per unit (dimension ``entity``): the unit's unified social
    # credit code, e.g. a community's fixed-asset investment counted by the bureau (纳统).
    entity = models.CharField(_("reporting entity"), max_length=18, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    finality = models.CharField(_("status of the figure"), max_length=1, choices=Finality.choices)
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=200)
    evidence = models.TextField(_("evidence"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    unit = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    supersede_reason = models.TextField(blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="observations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "period_end", "-id"]
        indexes = [models.Index(fields=["indicator", "status"], name="observation_status")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.area} {self.value}"


class Target(models.Model):
    """A dated version of one of plan 004's targets: the number, the year it is due, the
    trajectory (expected value per year) and the definition it is counted by."""

    code = models.CharField(max_length=40)
    indicator = models.CharField(max_length=80)  # the official indicator
    platform_indicator = models.CharField(max_length=80, blank=True)  # shown beside it
    title = models.JSONField()  # {"zh-Hans": …, "en": …}
    definition = models.JSONField()
    value = models.DecimalField(max_digits=20, decimal_places=6)
    cumulative = models.BooleanField(default=False)
    effective_from = models.DateField()
    due_year = models.PositiveIntegerField()
    trajectory = models.JSONField(default=dict)  # {"2026": "10000", "2027": "30000", …}
    order = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="dashboard_target_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.value} from {self.effective_from}"
