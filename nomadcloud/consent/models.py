"""Per-purpose consent records (ISO/IEC TS 27560:2023 consent record information structure,
with W3C DPV terms; docs/consent.md). A record is evidence: it is never edited except to
note its withdrawal; giving consent again makes a new record."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nomadcloud.consent import dpv


class ConsentRecord(models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consent_records",
        verbose_name=_("data subject"),
    )
    purpose = models.CharField(_("purpose"), max_length=80)
    purpose_description = models.CharField(_("purpose in words"), max_length=300, blank=True)
    data_categories = models.JSONField(_("personal data categories"), default=list)
    recipients = models.JSONField(_("recipients"), default=list)
    legal_basis = models.CharField(_("legal basis"), max_length=80, default="dpv:Consent")
    notice_version = models.CharField(_("notice version"), max_length=40)
    method = models.CharField(
        _("how it was given"), max_length=20, choices=list(dpv.METHODS.items())
    )
    given_at = models.DateTimeField(_("given at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["subject", "purpose"], name="consent_subject_purpose")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("given_at")),
                name="consent_expires_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.purpose} {self.given_at:%Y-%m-%d}"

    def status_at(self, now: datetime) -> str:
        """``dpv:ConsentGiven``, ``dpv:ConsentWithdrawn`` or ``dpv:ConsentExpired``."""
        if self.withdrawn_at is not None:
            return dpv.STATUS_WITHDRAWN
        if self.expires_at is not None and self.expires_at <= now:
            return dpv.STATUS_EXPIRED
        return dpv.STATUS_GIVEN

    def is_valid_at(self, now: datetime) -> bool:
        return self.status_at(now) == dpv.STATUS_GIVEN
