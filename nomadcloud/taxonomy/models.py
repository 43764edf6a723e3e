"""The taxonomy: skills, tools/technologies and occupations with stable codes, labels and
aliases in Chinese and English, a broader/narrower hierarchy and related-concept links.

Concepts come from the vocabulary NomadCloud ships (source ``nomadcloud``) and from the
official taxonomies an operator imports (``esco``, ``onet``). A concept is identified by its
``code``; a vocabulary concept mapped to an ESCO URI or O*NET code is the same concept as the
imported one, so imports update it instead of adding a second.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Concept(models.Model):
    class Kind(models.TextChoices):
        SKILL = "skill", _("Skill")
        KNOWLEDGE = "knowledge", _("Knowledge")
        TOOL = "tool", _("Tool or technology")
        LANGUAGE = "language", _("Language")
        OCCUPATION = "occupation", _("Occupation")

    class Source(models.TextChoices):
        NOMADCLOUD = "nomadcloud", _("NomadCloud vocabulary")
        ESCO = "esco", _("ESCO")
        ONET = "onet", _("O*NET")

    code = models.CharField(
        _("code"),
        max_length=120,
        unique=True,
        help_text=_("Stable identifier, e.g. nc.python, esco.<uuid>, onet.43232408."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, db_index=True)
    category = models.CharField(_("category"), max_length=40, blank=True, db_index=True)
    label_zh = models.CharField(_("label (Chinese)"), max_length=255, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=255, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    esco_uri = models.CharField(_("ESCO URI"), max_length=255, blank=True, db_index=True)
    onet_code = models.CharField(
        _("O*NET code"),
        max_length=32,
        blank=True,
        db_index=True,
        help_text=_("UNSPSC commodity code for tools and technologies; O*NET-SOC for occupations."),
    )
    hot_technology = models.BooleanField(_("hot technology"), default=False)
    in_demand = models.BooleanField(_("in demand"), default=False)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    is_active = models.BooleanField(_("active"), default=True)
    broader = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="narrower",
        blank=True,
        verbose_name=_("broader concepts"),
    )
    related = models.ManyToManyField(
        "self", symmetrical=True, blank=True, verbose_name=_("related concepts")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("concept")
        verbose_name_plural = _("concepts")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(label_zh="") | ~Q(label_en=""), name="concept_has_a_label"
            ),
            models.UniqueConstraint(
                fields=["esco_uri"], condition=~Q(esco_uri=""), name="concept_esco_uri_unique"
            ),
        ]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized

        return localized(self, "label")


class Alias(models.Model):
    """Another name for a concept in one language (ESCO altLabels, 同义词, spellings)."""

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="aliases")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    label = models.CharField(_("label"), max_length=255)
    normalized = models.CharField(max_length=255, db_index=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "language", "normalized"], name="alias_unique_per_concept"
            )
        ]

    def __str__(self) -> str:
        return self.label


class OccupationSkill(models.Model):
    """An occupation needs a skill: essential or optional (ESCO), or a technology used in
    it (O*NET)."""

    class Relation(models.TextChoices):
        ESSENTIAL = "essential", _("Essential")
        OPTIONAL = "optional", _("Optional")

    occupation = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="occupation_links")
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    source = models.CharField(_("source"), max_length=12, choices=Concept.Source.choices)

    class Meta:
        verbose_name = _("occupation skill")
        verbose_name_plural = _("occupation skills")
        constraints = [
            models.UniqueConstraint(fields=["occupation", "skill"], name="occupation_skill_unique")
        ]

    def __str__(self) -> str:
        return f"{self.occupation} → {self.skill} ({self.relation})"


class ImportRun(models.Model):
    """One run of an importer: what it read and what it changed."""

    source = models.CharField(_("source"), max_length=12, choices=Concept.Source.choices)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report = models.JSONField(_("report"), default=dict)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.source} import {self.started_at:%Y-%m-%d %H:%M}"
