"""Conversion: a nomad's order work turned into employment, flexible employment or a business
registered in the zone, with its documents."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.uploads import StoredFile

from .orders import (
    Order,
)

# --- conversion -------------------------------------------------------------------------------


class Conversion(models.Model):
    class Kind(models.TextChoices):
        CONTRACT = "contract", _("Employment contract")
        FLEXIBLE = "flexible", _("Flexible employment")
        BUSINESS = "business", _("Business registered in the zone")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="conversions",
        verbose_name=_("enterprise"),
    )
    nomad = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="conversions",
        verbose_name=_("nomad"),
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="conversions"
    )
    enrolment = models.ForeignKey(
        "training.Enrolment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversions",
        verbose_name=_("training"),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    term_months = models.PositiveIntegerField(_("term (months)"), null=True, blank=True)
    term_days = models.PositiveIntegerField(_("term (days)"), null=True, blank=True)
    one_year_or_more = models.BooleanField(_("one year or more"), default=False)
    business_name = models.CharField(_("business name"), max_length=200, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    occurred_on = models.DateField(_("date"), db_index=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversion")
        verbose_name_plural = _("conversions")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="conversion_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(kind="contract") | Q(starts_on__isnull=False),
                name="conversion_contract_has_a_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind="business")
                | (~Q(business_name="") & ~Q(credit_code="") & Q(registered_on__isnull=False)),
                name="conversion_business_is_identified",
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=Q(kind="business"),
                name="conversion_business_credit_code_unique",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "occurred_on"], name="conversion_period")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.nomad} · {self.organisation}"

    @property
    def open_ended(self) -> bool:
        return self.kind == Conversion.Kind.CONTRACT and self.ends_on is None


class ConversionDocument(StoredFile):
    conversion = models.ForeignKey(Conversion, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(_("file"), upload_to="orders/conversions/%Y/%m/", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("conversion document")
        verbose_name_plural = _("conversion documents")
        ordering = ["id"]
