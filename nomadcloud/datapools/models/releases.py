"""Released dataset versions, the scenario library, and the catalogue records search reads."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.fields import MultilingualField

from .pools import Charter, Contribution, Pool


class DatasetVersion(models.Model):
    """A release of a pool's dataset (a DCAT 3 dataset in the pool's dataset series): the
    accepted contributions whose consents were valid at release, and its quality scores
    (GB/T 36344-2018 dimensions, 0–100)."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    pool = models.ForeignKey(Pool, models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    charter = models.ForeignKey(Charter, models.PROTECT, related_name="+")
    contributions = models.ManyToManyField(Contribution, related_name="versions")
    row_count = models.PositiveIntegerField(_("rows"))
    contributor_count = models.PositiveIntegerField(_("contributors"))
    excluded_withdrawn = models.PositiveIntegerField(_("contributions left out (withdrawn)"))
    quality = models.JSONField(_("quality by dimension"), default=dict)
    quality_score = models.PositiveSmallIntegerField(_("quality score"))
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    released_at = models.DateTimeField(_("released"))

    class Meta:
        verbose_name = _("dataset version")
        ordering = ["pool", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "number"], name="datapools_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.pool_id} v{self.number}"


class ApplicationScenario(models.Model):
    """An entry of the public scenario library (应用场景库, plan 003): what an enterprise made
    with the data of one or more pools, written per language."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    title = MultilingualField(_("title"))
    summary = MultilingualField(_("use case"))
    outcome = MultilingualField(_("outcome"))
    enterprise = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="application_scenarios",
        verbose_name=_("enterprise"),
    )
    pools = models.ManyToManyField(Pool, related_name="scenarios", verbose_name=_("data pools"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application scenario")
        verbose_name_plural = _("application scenarios")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.title.get("en", "")) if isinstance(self.title, dict) else str(self.pk)


class CatalogueRecord(models.Model):
    """What the catalogue's search sorts, filters and facets on, per pool, kept as columns
    (decision 0050): the last modification (the newest release, else the proposal), whether a
    version is released, and the newest charter's access modes; and the pool's CKAN package
    as JSON text in each language, with ``source``, the values of the pool, steward and
    lead department it was built from. Written only by ``records.refresh``, which the use
    cases that change versions or charters call (proposal, charter revision, release); a
    package whose ``source`` differs from the live values (a renamed steward…) is not used
    but built afresh. The pool's status is always read live from the pool."""

    pool = models.OneToOneField(
        Pool, models.CASCADE, primary_key=True, related_name="catalogue_record"
    )
    modified_at = models.DateTimeField(db_index=True)
    released = models.BooleanField(default=False)
    access_modes = models.JSONField(default=list)
    package_zh = models.TextField(blank=True)
    package_en = models.TextField(blank=True)
    source = models.TextField(blank=True)

    class Meta:
        verbose_name = _("catalogue record")

    def __str__(self) -> str:
        return f"{self.pool_id} {self.modified_at:%Y-%m-%d}"
