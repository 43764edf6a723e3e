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
        PUBLICITY = "publicity", _("Winners in public notice (公示)")
        AWARDED = "awarded", _("Awarded")
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
    # A jury round: the organiser closes the scoring once every sheet is in; only then are
    # the scores shown, and appeals may be filed for ``appeal_days`` calendar days.
    scoring_closed_at = models.DateTimeField(_("jury scoring closed"), null=True, blank=True)
    appeal_days = models.PositiveSmallIntegerField(_("appeal window (days)"), default=3)

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
    # A team entry (entrant_kind="team"): the team, and its public id in ``team_ref``.
    team = models.ForeignKey(
        "teams.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="competition_entries",
    )
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
            models.UniqueConstraint(
                fields=["competition", "team"],
                condition=Q(team__isnull=False),
                name="competitions_one_entry_per_team",
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


# --- jury rubric scoring (decision 0035) ----------------------------------------------------


class Criterion(models.Model):
    """One criterion of a jury round's rubric: points 0…``max_points``, weighted."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=40)
    title = MultilingualField(_("title"))
    weight = models.PositiveSmallIntegerField(_("weight"))
    max_points = models.PositiveSmallIntegerField(_("maximum points"), default=10)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="competitions_criterion_code"),
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(max_points__gte=1),
                name="competitions_criterion_positive",
            ),
        ]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized_text

        return localized_text(self.title)


class Judge(models.Model):
    """A jury member assigned to a round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="competition_juries"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        verbose_name = _("jury member")
        verbose_name_plural = _("jury members")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="competitions_judge_once")
        ]

    def __str__(self) -> str:
        return str(self.user)


class Recusal(models.Model):
    """A conflict of interest a jury member declared with one entry: they do not score it."""

    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="recusals")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="recusals")
    reason = models.CharField(_("reason"), max_length=500)
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)

    class Meta:
        verbose_name = _("declared conflict of interest")
        verbose_name_plural = _("declared conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["judge", "entry"], name="competitions_recusal_once")
        ]

    def __str__(self) -> str:
        return f"{self.judge} ≠ {self.entry}"


class Score(models.Model):
    """A jury member's points for one entry on one criterion (a score sheet is the rows of
    one judge and entry)."""

    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="scores")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="jury_scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    points = models.PositiveSmallIntegerField(_("points"))
    scored_at = models.DateTimeField(_("scored"), auto_now=True)

    class Meta:
        verbose_name = _("jury score")
        verbose_name_plural = _("jury scores")
        constraints = [
            models.UniqueConstraint(
                fields=["judge", "entry", "criterion"], name="competitions_score_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.judge} · {self.entry} · {self.points}"


class Appeal(models.Model):
    """An entrant's appeal against a round's published jury result, filed within the round's
    appeal window and decided by the organiser with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("appeal", "Pending")
        UPHELD = "upheld", pgettext_lazy("appeal", "Upheld")
        DISMISSED = "dismissed", pgettext_lazy("appeal", "Dismissed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="appeals")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="appeals")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed"), auto_now_add=True)
    grounds = models.TextField(_("grounds"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["id"]

    # --- winners, prizes and matchmaking --------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.entry} · {self.status}"


class Award(models.Model):
    """A winning entry: its rank and prize (CNY), announced in 公示 and paid through payouts;
    ``paid_at`` is set only when the payout is confirmed."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="awards")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="awards")
    rank = models.PositiveSmallIntegerField(_("rank"))
    prize = models.DecimalField(_("prize (CNY)"), max_digits=12, decimal_places=2)
    payout_id = models.UUIDField(_("payout"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid (confirmed)"), null=True, blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "rank"], name="competitions_award_rank"),
            models.UniqueConstraint(
                fields=["competition", "entry"], name="competitions_award_entry"
            ),
            models.CheckConstraint(condition=Q(prize__gte=0), name="competitions_award_prize"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.entry}"


class Introduction(models.Model):
    """A winning project offered to an enterprise or investor (获奖项目—企业对接), which its
    owners or administrators accept or decline; accepted ones are followed up at 30, 90 and
    180 days."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", pgettext_lazy("introduction", "Accepted")
        DECLINED = "declined", pgettext_lazy("introduction", "Declined")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="introductions")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="competition_intros"
    )
    note = models.TextField(_("why this match"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OFFERED
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField(_("offered"), auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "organisation"], name="competitions_intro_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.award} → {self.organisation}"


class FollowUp(models.Model):
    """The follow-up of an accepted introduction after 30, 90 or 180 days: created by the
    daily job when due, its outcome recorded by the organiser (with evidence unless
    nothing came of it)."""

    class Outcome(models.TextChoices):
        ORDER = "order", _("An order or pilot contract")
        INVESTMENT = "investment", _("An investment")
        REGISTERED = "registered_in_zone", _("Business registered in the zone")
        NOTHING = "nothing", _("Nothing (yet)")

    DAYS = (30, 90, 180)

    introduction = models.ForeignKey(
        Introduction, on_delete=models.CASCADE, related_name="follow_ups"
    )
    after_days = models.PositiveSmallIntegerField(_("after days"))
    due_on = models.DateField(_("due"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["introduction", "after_days"], name="competitions_follow_up_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.introduction} · {self.after_days}"


class Park(models.Model):
    """An industrial park (产业园) that hosts winning projects: an organisation of the zone with
    the sectors it welcomes (taxonomy concepts) and the places it has free. Winning projects are
    matched to parks by the matching engine (``landing.py``)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="park"
    )
    sectors = models.ManyToManyField(
        "taxonomy.Concept", related_name="+", verbose_name=_("sectors")
    )
    capacity = models.PositiveIntegerField(_("free places"), default=0)
    note = models.TextField(_("what the park offers"), blank=True)

    class Meta:
        verbose_name = _("industrial park")
        verbose_name_plural = _("industrial parks")

    def __str__(self) -> str:
        return str(self.organisation)
