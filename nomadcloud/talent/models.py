"""Nomad profiles, the dynamic skill record and certification (认定).

Skill levels follow the five national vocational skill levels (``taxonomy.levels``): the
number is the national grade, so 5 is the entry level (五级/初级工) and 1 the top (一级/高级技师).
A *higher* level therefore has a *smaller* number; ``is_higher`` and the check constraints
below are written with that in mind.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.money import MoneyField
from nomadcloud.taxonomy.levels import SkillLevel

# The highest level a bare self-declaration can support: 四级/中级工. Anything above needs
# certified or verified-work evidence (docs/talent.md, "The level rule").
SELF_DECLARED_MAX_LEVEL = 4
FRESH_DAYS = 365


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Signed-in members of the zone")
    PRIVATE = "private", _("Only me")


SECTIONS = ("about", "rate", "languages", "links", "skills", "projects", "tools")


def _visibility(label: Any) -> models.CharField:  # type: ignore[type-arg]
    return models.CharField(
        label, max_length=8, choices=Visibility.choices, default=Visibility.MEMBERS
    )


class Profile(models.Model):
    """A nomad's profile: one per person, each section with its own visibility."""

    class Availability(models.TextChoices):
        AVAILABLE = "available", _("Available now")
        PARTLY = "partly", _("Partly available")
        UNAVAILABLE = "unavailable", _("Not available")

    class RateUnit(models.TextChoices):
        NONE = "", _("—")
        HOUR = "hour", _("per hour")
        DAY = "day", _("per day")
        MONTH = "month", _("per month")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nomad_profile"
    )
    headline_zh = models.CharField(_("headline (Chinese)"), max_length=200, blank=True)
    headline_en = models.CharField(_("headline (English)"), max_length=200, blank=True)
    bio_zh = models.TextField(_("about me (Chinese)"), blank=True)
    bio_en = models.TextField(_("about me (English)"), blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    availability = models.CharField(
        _("availability"),
        max_length=12,
        choices=Availability.choices,
        default=Availability.AVAILABLE,
    )
    rate_amount = MoneyField(_("expected rate (CNY)"), null=True, blank=True)
    rate_unit = models.CharField(
        _("rate per"), max_length=8, choices=RateUnit.choices, blank=True, default=""
    )
    about_visibility = _visibility(_("who sees headline, about me and location"))
    rate_visibility = _visibility(_("who sees the expected rate"))
    languages_visibility = _visibility(_("who sees languages"))
    links_visibility = _visibility(_("who sees portfolio links"))
    skills_visibility = _visibility(_("who sees skills"))
    projects_visibility = _visibility(_("who sees projects"))
    tools_visibility = _visibility(_("who sees tools"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("nomad profile")
        verbose_name_plural = _("nomad profiles")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(rate_amount__isnull=True) & Q(rate_unit=""))
                | (Q(rate_amount__isnull=False) & Q(rate_amount__gte=0) & ~Q(rate_unit="")),
                name="profile_rate_has_amount_and_unit",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def visibility_of(self, section: str) -> str:
        return str(getattr(self, f"{section}_visibility"))


class ProfileLanguage(models.Model):
    class Level(models.TextChoices):
        A1 = "A1", "A1"
        A2 = "A2", "A2"
        B1 = "B1", "B1"
        B2 = "B2", "B2"
        C1 = "C1", "C1"
        C2 = "C2", "C2"
        NATIVE = "native", _("Native")

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(
        _("language"), max_length=12, help_text=_("ISO 639 code, e.g. zh, en, fr.")
    )
    level = models.CharField(_("level"), max_length=6, choices=Level.choices)

    class Meta:
        verbose_name = _("language spoken")
        verbose_name_plural = _("languages spoken")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "language"], name="profile_language_unique")
        ]

    def __str__(self) -> str:
        return f"{self.language} {self.level}"


class PortfolioLink(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(_("title"), max_length=100)
    url = models.URLField(_("address"), max_length=500)

    class Meta:
        verbose_name = _("portfolio link")
        verbose_name_plural = _("portfolio links")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="portfolio_link_is_http",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ProfileSkill(models.Model):
    """A skill on the national levels. ``supported_level`` is the highest level the evidence
    supports (a bare self-declaration supports at most SELF_DECLARED_MAX_LEVEL); the database
    refuses a ``level`` above it, so a level never rises without evidence."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="skills")
    concept = models.ForeignKey(
        "taxonomy.Concept", on_delete=models.PROTECT, related_name="profile_skills"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=SkillLevel.choices)
    supported_level = models.PositiveSmallIntegerField(
        _("highest level supported by evidence"), choices=SkillLevel.choices
    )
    last_evidence_at = models.DateTimeField(_("last evidence"))
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["level", "id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "concept"], name="profile_skill_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5) & Q(supported_level__gte=1),
                name="profile_skill_level_in_range",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=F("supported_level")),
                name="profile_skill_level_supported_by_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.concept} ({self.level})"

    @property
    def is_fresh(self) -> bool:
        return (timezone.now() - self.last_evidence_at).days <= FRESH_DAYS

    @property
    def best_evidence_kind(self) -> str:
        kinds = {e.kind for e in self.evidence.all()}
        for kind in (SkillEvidence.Kind.VERIFIED_WORK, SkillEvidence.Kind.CERTIFIED):
            if kind in kinds:
                return str(kind)
        return str(SkillEvidence.Kind.SELF_DECLARED)


class SkillEvidence(models.Model):
    """Why a skill has its level: declared by the nomad, a certificate, or verified work
    recorded by the platform. Append-only in practice: services only add rows."""

    class Kind(models.TextChoices):
        SELF_DECLARED = "self", _("Self-declared")
        CERTIFIED = "certified", _("Certified")
        VERIFIED_WORK = "verified_work", _("Verified by completed work")

    skill = models.ForeignKey(ProfileSkill, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("level shown"), choices=SkillLevel.choices)
    source = models.CharField(_("source"), max_length=100, blank=True)
    reference = models.CharField(_("reference"), max_length=255, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    occurred_at = models.DateTimeField(_("when"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("skill evidence")
        verbose_name_plural = _("skill evidence")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5), name="skill_evidence_level_in_range"
            ),
            models.CheckConstraint(
                condition=Q(kind="self") | (~Q(source="") & ~Q(reference="")),
                name="skill_evidence_third_party_has_source_and_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill}: {self.kind} {self.level}"


class Project(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="projects")
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=100)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    outcome_zh = models.TextField(_("outcome (Chinese)"), blank=True)
    outcome_en = models.TextField(_("outcome (English)"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    skills = models.ManyToManyField(
        "taxonomy.Concept", blank=True, related_name="+", verbose_name=_("skills and tools used")
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_zh="") | ~Q(title_en=""), name="project_has_a_title"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="project_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized

        return localized(self, "title")


class ProfileTool(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="tools")
    concept = models.ForeignKey(
        "taxonomy.Concept", on_delete=models.PROTECT, related_name="profile_tools"
    )
    proficiency = models.PositiveSmallIntegerField(
        _("proficiency"), help_text=_("1 (basic) to 5 (master).")
    )
    years = models.PositiveSmallIntegerField(_("years of use"), default=0)
    last_used = models.DateField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("tool")
        verbose_name_plural = _("tools")
        ordering = ["-proficiency", "id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "concept"], name="profile_tool_unique"),
            models.CheckConstraint(
                condition=Q(proficiency__gte=1) & Q(proficiency__lte=5) & Q(years__lte=60),
                name="profile_tool_values_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.concept} ({self.proficiency}/5)"


# --- certification ----------------------------------------------------------------------------


class Track(models.TextChoices):
    DOMESTIC = "domestic", _("Digital nomad (domestic)")
    FOREIGN = "foreign", _("Foreign nomad seeking a 6–12 month permit")


class RuleSet(models.Model):
    """One version of the certification criteria for a track. Immutable once written: an
    edit is a new version (``save`` refuses to change an existing row)."""

    track = models.CharField(_("track"), max_length=10, choices=Track.choices)
    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    criteria = models.JSONField(_("criteria"))
    notes_zh = models.TextField(_("notes (Chinese)"), blank=True)
    notes_en = models.TextField(_("notes (English)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("certification rule set")
        verbose_name_plural = _("certification rule sets")
        ordering = ["track", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["track", "version"], name="rule_set_version_unique"),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gte=F("effective_from")),
                name="rule_set_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise RuntimeError("certification rule sets are immutable; add a new version")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def label(self) -> str:
        return f"{self.track}-v{self.version}"


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="certification_applications",
    )
    track = models.CharField(_("track"), max_length=10, choices=Track.choices)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="applications")
    answers = models.JSONField(_("answers"), default=dict)
    evaluation = models.JSONField(_("evaluation when submitted"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    reviewing_department = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="certification_applications",
        verbose_name=_("reviewing department"),
    )
    renews = models.ForeignKey(
        "Certificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewal_applications",
        verbose_name=_("renews certificate"),
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("certification application")
        verbose_name_plural = _("certification applications")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "track"],
                condition=Q(status="submitted"),
                name="application_one_open_per_track",
            )
        ]

    def __str__(self) -> str:
        return f"{self.applicant} · {self.track} · {self.status}"


class EvidenceFile(models.Model):
    class Kind(models.TextChoices):
        INCOME = "income", _("Remote income")
        CONTRACT = "contract", _("Contract")
        STAY = "stay", _("Planned stay (booking, lease)")
        PERMIT = "permit", _("Visa or permit")
        SKILL = "skill", _("Skill certificate")
        OTHER = "other", _("Other")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="evidence_files"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="talent/evidence/%Y/%m/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class CertificationDecision(models.Model):
    """A department's decision on an application: who, when, on what evidence, under which
    rule version."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    approved = models.BooleanField(_("approved"))
    reason = models.TextField(_("reason"))
    evidence = models.JSONField(_("evidence"), default=dict)
    rule_version = models.CharField(_("rule version"), max_length=40)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_for = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("deciding department"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("certification decision")
        verbose_name_plural = _("certification decisions")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="certification_decision_reason")
        ]

    def __str__(self) -> str:
        return f"{self.application}: {'approved' if self.approved else 'rejected'}"


class Certificate(models.Model):
    class State(models.TextChoices):
        VALID = "valid", _("Valid")
        NOT_YET_VALID = "not_yet_valid", _("Not yet valid")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    verification_code = models.CharField(_("verification code"), max_length=40, unique=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nomad_certificates"
    )
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="certificate"
    )
    track = models.CharField(_("track"), max_length=10, choices=Track.choices)
    rule_version = models.CharField(_("rule version"), max_length=40)
    issued_by = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    class Meta:
        verbose_name = _("nomad certificate")
        verbose_name_plural = _("nomad certificates")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="certificate_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                name="certificate_revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} · {self.valid_from}–{self.valid_until}"

    def state_on(self, day: date | None = None) -> str:
        day = day or timezone.localdate()
        if self.revoked_at is not None:
            return self.State.REVOKED
        if day < self.valid_from:
            return self.State.NOT_YET_VALID
        if day > self.valid_until:
            return self.State.EXPIRED
        return self.State.VALID

    @property
    def state(self) -> str:
        return self.state_on()

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)
