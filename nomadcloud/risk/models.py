"""What the risk engine keeps: where people were seen from (hashed), every assessment of an
issuance of work units (the organisations' history and the flows between them), and the
issuances it held for a zone operator's decision."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sighting(models.Model):
    """A person seen acting from a client address with a device. Both are keyed hashes
    (HMAC with the deployment's secret), never the address or the user agent itself; one row
    per person, address, device and day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    address = models.CharField(_("client address (hashed)"), max_length=64)
    device = models.CharField(_("device (hashed)"), max_length=64)
    day = models.DateField(_("day"))
    seen_at = models.DateTimeField(_("seen at"))

    class Meta:
        verbose_name = _("sighting")
        verbose_name_plural = _("sightings")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "address", "device", "day"], name="risk_sighting_unique"
            )
        ]
        indexes = [
            models.Index(fields=["address", "seen_at"], name="risk_sighting_address"),
            models.Index(fields=["device"], name="risk_sighting_device"),
        ]

    def __str__(self) -> str:
        return f"sighting {self.user_id} {self.day}"


class Assessment(models.Model):
    """One issuance of work units as the engine saw it: who earned, from which organisation,
    how much, the findings and whether it was held."""

    credential = models.UUIDField(_("credential"), unique=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("holder"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=12)
    source = models.CharField(_("source"), max_length=200)
    units = models.DecimalField(_("work units"), max_digits=14, decimal_places=2)
    score = models.PositiveIntegerField(_("score"), default=0)
    findings = models.JSONField(_("findings"), default=list)
    params_used = models.JSONField(_("parameters used"), default=dict)
    rule_version = models.CharField(_("rule version"), max_length=80)
    held = models.BooleanField(_("held"), default=False)
    assessed_at = models.DateTimeField(_("assessed at"))

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [
            models.Index(fields=["organisation", "assessed_at"], name="risk_assessment_org"),
            models.Index(fields=["holder"], name="risk_assessment_holder"),
        ]

    def __str__(self) -> str:
        return f"assessment {self.credential} ({self.score})"


class HeldIssuance(models.Model):
    """Work units held for a zone operator's decision: released (credited to the holder) or
    cancelled (never credited, the credential revoked)."""

    class Status(models.TextChoices):
        HELD = "held", _("Held for review")
        RELEASED = "released", _("Released")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    assessment = models.OneToOneField(
        Assessment, on_delete=models.PROTECT, related_name="held_issuance"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.HELD
    )
    created_at = models.DateTimeField(_("held at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    decision_rule_version = models.CharField(
        _("rule version at decision"), max_length=80, blank=True
    )

    class Meta:
        verbose_name = _("held issuance")
        verbose_name_plural = _("held issuances")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="risk_held_status")]

    def __str__(self) -> str:
        return f"held {self.assessment.units} WU ({self.status})"
