"""Scenario training (场景实训): an enterprise publishes a scenario with its goal, tasks,
materials, an assessment rubric and the skills it evidences; nomads enrol (capacity enforced
atomically), submit work, and the enterprise's reviewers assess it against the rubric. A
passed enrolment is a verified completion that feeds the nomad's skill record.

Skill levels use the national five-level scale (``taxonomy.levels``; 5 entry … 1 expert).
Scores are exact Decimals in percent with two places.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nomadcloud.core.uploads import StoredFile
from nomadcloud.taxonomy.levels import SkillLevel


class Scenario(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="training_scenarios",
        verbose_name=_("enterprise"),
    )
    demand = models.ForeignKey(
        "demands.Demand",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_scenarios",
        verbose_name=_("demand"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    goal_zh = models.TextField(_("goal (Chinese)"), blank=True)
    goal_en = models.TextField(_("goal (English)"), blank=True)
    tasks_zh = models.TextField(_("tasks (Chinese)"), blank=True)
    tasks_en = models.TextField(_("tasks (English)"), blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    enrolled = models.PositiveIntegerField(_("enrolled"), default=0)
    enrol_from = models.DateField(_("enrolment opens"))
    enrol_until = models.DateField(_("enrolment closes"))
    runs_from = models.DateField(_("runs from"))
    runs_until = models.DateField(_("runs until"))
    pass_score = models.DecimalField(_("pass mark (%)"), max_digits=5, decimal_places=2, default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("training scenario")
        verbose_name_plural = _("training scenarios")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_zh="") | ~Q(title_en=""), name="scenario_has_a_title"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="scenario_capacity_positive"),
            models.CheckConstraint(
                condition=Q(enrolled__lte=F("capacity")), name="scenario_not_over_capacity"
            ),
            models.CheckConstraint(
                condition=Q(enrol_until__gte=F("enrol_from")), name="scenario_enrolment_ordered"
            ),
            models.CheckConstraint(
                condition=Q(runs_until__gte=F("runs_from")), name="scenario_run_ordered"
            ),
            models.CheckConstraint(
                condition=Q(pass_score__gte=0) & Q(pass_score__lte=100),
                name="scenario_pass_score_percent",
            ),
        ]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized

        return localized(self, "title")

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.enrolled, 0)


class ScenarioSkill(models.Model):
    """A skill the scenario evidences, at the level a pass shows."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="skills")
    concept = models.ForeignKey(
        "taxonomy.Concept", on_delete=models.PROTECT, related_name="+", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(_("level shown"), choices=SkillLevel.choices)

    class Meta:
        verbose_name = _("evidenced skill")
        verbose_name_plural = _("evidenced skills")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "concept"], name="scenario_skill_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5), name="scenario_skill_level_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.concept} ({self.level})"


class Criterion(models.Model):
    """One line of the assessment rubric: points from 0 to ``max_points``, weighted."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"))
    title_zh = models.CharField(_("criterion (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("criterion (English)"), max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"))
    max_points = models.PositiveSmallIntegerField(_("maximum points"))

    class Meta:
        verbose_name = _("assessment criterion")
        verbose_name_plural = _("assessment criteria")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "position"], name="criterion_position"),
            models.CheckConstraint(
                condition=~Q(title_zh="") | ~Q(title_en=""), name="criterion_has_a_title"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(max_points__gte=1), name="criterion_positive"
            ),
        ]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized

        return localized(self, "title")


class Material(StoredFile):
    """A file or a link that the nomads work with."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(
        _("file"), upload_to="training/materials/%Y/%m/", max_length=255, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("training material")
        verbose_name_plural = _("training materials")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="") & Q(file=""))
                | (Q(kind="file") & Q(url="") & ~Q(file="")),
                name="material_is_a_file_or_a_link",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        SUBMITTED = "submitted", _("Submitted, awaiting assessment")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Not passed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ACTIVE = (Status.ENROLLED, Status.SUBMITTED, Status.PASSED, Status.FAILED)

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="enrolments")
    nomad = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_enrolments"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ENROLLED
    )
    enrolled_at = models.DateTimeField(_("enrolled"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("last submitted"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "nomad"], name="enrolment_unique"),
            models.CheckConstraint(
                condition=~Q(status="passed") | (Q(completed_at__isnull=False) & Q(score__gte=0)),
                name="enrolment_passed_has_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nomad} · {self.scenario} ({self.status})"

    @property
    def reference(self) -> str:
        """The stable reference of this completion (skill evidence, proofs of work)."""
        return f"training:{self.public_id}"


class Submission(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="submissions")
    number = models.PositiveSmallIntegerField(_("attempt"))
    text = models.TextField(_("text"), blank=True)
    links = models.JSONField(_("links"), default=list)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "number"], name="submission_number")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} #{self.number}"


class SubmissionFile(StoredFile):
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("file"), upload_to="training/submissions/%Y/%m/", max_length=255)

    class Meta:
        verbose_name = _("submitted file")
        verbose_name_plural = _("submitted files")
        ordering = ["id"]


class Assessment(models.Model):
    """A reviewer's assessment of one submission against the rubric: who, when, the points
    per criterion and the pass mark in force."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="assessments")
    submission = models.OneToOneField(
        Submission, on_delete=models.PROTECT, related_name="assessment"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2)
    pass_score = models.DecimalField(_("pass mark (%)"), max_digits=5, decimal_places=2)
    passed = models.BooleanField(_("passed"))
    comment = models.TextField(_("comment"), blank=True)
    assessed_at = models.DateTimeField(_("assessed"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="assessment_score_percent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.score}"


class CriterionScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    # A criterion's points are its marks (分值), not the ledger's currency (积分).
    points = models.PositiveSmallIntegerField(pgettext_lazy("rubric", "points"))
    comment = models.CharField(_("comment"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        ordering = ["criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="criterion_score")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.points}"
