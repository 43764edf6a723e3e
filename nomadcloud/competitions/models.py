"""Maker competitions (数字创客赛事, docs/competitions.md): a competition with its tracks and
rounds, the entries to it and their submissions.

An entry is made by an *entrant*: today a person (``entrant_kind="person"``); the ``teams``
app will fill ``entrant_kind="team"`` with ``team_ref`` (the team's public id) without a
change to submissions, limits or leaderboards, which all hang on the entry.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nomadcloud.core.fields import MultilingualField


class Competition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organiser = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="competitions",
        verbose_name=_("organiser"),
    )
    title = MultilingualField(_("title"))
    description = MultilingualField(_("description"), blank=True)
    entry_opens_at = models.DateTimeField(_("entries open"))
    entry_closes_at = models.DateTimeField(_("entries close"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(entry_closes_at__gt=models.F("entry_opens_at")),
                name="competitions_entry_window_order",
            ),
        ]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized_text

        return localized_text(self.title)


class Track(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="tracks")
    code = models.SlugField(_("code"), max_length=40)
    title = MultilingualField(_("title"))

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "code"], name="competitions_track_code")
        ]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized_text

        return localized_text(self.title)


class Round(models.Model):
    class Scoring(models.TextChoices):
        METRIC = "metric", _("Metric on a hidden answer set")
        JURY = "jury", _("Jury")

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("number"))
    title = MultilingualField(_("title"))
    opens_at = models.DateTimeField(_("submissions open"))
    closes_at = models.DateTimeField(_("submissions close"))
    max_per_day = models.PositiveSmallIntegerField(_("submissions per day"))
    max_total = models.PositiveSmallIntegerField(_("submissions in total"))
    final_count = models.PositiveSmallIntegerField(_("final submissions to select"), default=1)
    scoring = models.CharField(_("scoring"), max_length=10, choices=Scoring.choices)
    # The hidden answer set of a metric round: item id → expected label. Never shown to
    # entrants; ``public_share`` percent of the items (chosen by a hash) score the public
    # leaderboard, the rest the private one shown after the round closes.
    answers = models.JSONField(_("hidden answers"), default=dict, blank=True)
    public_share = models.PositiveSmallIntegerField(_("public share (%)"), default=30)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "number"], name="competitions_round_number"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="competitions_round_window_order",
            ),
            models.CheckConstraint(
                condition=Q(max_total__gte=models.F("max_per_day")) & Q(max_per_day__gte=1),
                name="competitions_round_limits",
            ),
        ]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized_text

        return f"{self.number}. {localized_text(self.title)}"


class Entry(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        TEAM = "team", _("Team")

    class Status(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("competition entry", "Registered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="entries")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="entries")
    entrant_kind = models.CharField(
        _("entrant"), max_length=10, choices=Kind.choices, default=Kind.PERSON
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="competition_entries",
    )
    # The team's public id once the teams app exists (entrant_kind="team").
    team_ref = models.CharField(_("team"), max_length=64, blank=True)
    name = models.CharField(_("project name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "person"],
                condition=Q(person__isnull=False),
                name="competitions_one_entry_per_person",
            ),
            models.CheckConstraint(
                condition=(Q(entrant_kind="person") & Q(person__isnull=False))
                | (Q(entrant_kind="team") & ~Q(team_ref="")),
                name="competitions_entry_has_entrant",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="submissions")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="submissions")
    # 1, 2, 3 … per entry and round: the unique constraint makes the limits race-safe even
    # where the entry's row lock is not available (SQLite serialises writers anyway).
    number = models.PositiveSmallIntegerField(_("number"))
    day = models.DateField(_("day (local)"))
    content = models.TextField(_("content"), blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    is_final = models.BooleanField(_("selected as final"), default=False)
    public_score = models.DecimalField(
        _("public score"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    private_score = models.DecimalField(
        _("private score"), max_digits=7, decimal_places=4, null=True, blank=True
    )

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "round", "number"], name="competitions_submission_number"
            )
        ]
        indexes = [models.Index(fields=["entry", "round", "day"], name="competitions_sub_day")]

    def __str__(self) -> str:
        return f"{self.entry} #{self.number}"
