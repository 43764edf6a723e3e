"""揭榜挂帅 open-bounty challenges (issue 18 item 2; design 04-bounties).

A challenge (榜单) is drafted by an issuer enterprise, approved by its department (科工信局),
published with contiguous phase windows and public Q&A, applied for by teams, reviewed for
eligibility, evaluated by at least three experts each (conflicts recused), selected with
reasons, shown in 公示 (core/publicity.py), signed as a versioned task book, carried out
milestone by milestone and accepted. The states and their moves are in ``transitions.py``.
Every move is written to ``ChallengeEvent`` and, once the challenge is public, to the OCDS
release log (``OcdsRelease``; ``ocds.py``).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.core.fields import MultilingualField
from nomadcloud.core.money import MoneyField
from nomadcloud.payouts.models import Commitment, Payout
from nomadcloud.teams.models import Team

RULE_VERSION = "bounties-2026.1"


class Challenge(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        PUBLISHED = "published", _("Published")
        QUALIFICATION_REVIEW = "qualification_review", _("Qualification review")
        EVALUATION = "evaluation", _("Expert evaluation")
        SELECTION = "selection", _("Selection")
        PUBLICITY = "publicity", _("Public notice")
        SIGNING = "signing", _("Signing")
        IN_PROGRESS = "in_progress", _("In progress")
        FINAL_ACCEPTANCE = "final_acceptance", _("Final acceptance")
        REWARDED = "rewarded", _("Rewarded")
        CLOSED = "closed", _("Closed")
        FAILED = "failed", _("No team selected")
        CANCELLED = "cancelled", _("Cancelled")
        TERMINATED = "terminated", _("Terminated")

    class Aggregation(models.TextChoices):
        MEAN = "mean", _("Mean")
        TRIMMED_MEAN = "trimmed_mean", _("Trimmed mean (highest and lowest dropped)")
        ZSCORE = "zscore", _("Mean of z-scores per expert")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    issuer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="challenges_issued"
    )
    department = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="challenges_supervised"
    )
    title = MultilingualField(_("title"))
    statement = MultilingualField(_("statement"))
    kpis = MultilingualField(_("key performance indicators"))
    terms = MultilingualField(_("IP and confidentiality terms"))
    budget = MoneyField(_("budget"))
    subsidy = MoneyField(_("奖补 share of the budget"), default=Decimal("0.00"))
    eligibility = models.JSONField(_("eligibility rule"), default=dict)
    rubric = models.JSONField(_("rubric"), default=list)
    aggregation = models.CharField(
        _("aggregation"), max_length=12, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    min_experts = models.PositiveSmallIntegerField(_("experts per application"), default=3)
    one_team_per_person = models.BooleanField(_("one team per person"), default=True)
    publicity_days = models.PositiveSmallIntegerField(_("公示 working days"), default=5)
    review_days = models.PositiveSmallIntegerField(_("milestone review working days"), default=5)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT
    )
    rule_version = models.CharField(_("rule version"), max_length=40, default=RULE_VERSION)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    evaluation_closed_at = models.DateTimeField(null=True, blank=True)
    selection_reason = models.TextField(blank=True)
    end_reason = models.TextField(blank=True)
    remediation_used = models.BooleanField(default=False)
    blind_first_round = models.BooleanField(
        _("blind first round (experts see anonymised proposals)"), default=False
    )
    publicity_reminded_at = models.DateTimeField(null=True, blank=True)
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return str(self.title.get("zh-Hans") or self.public_id)

    @property
    def results_visible(self) -> bool:
        """Scores, ranks and ineligibility reasons are shown only once evaluation closed."""
        return self.evaluation_closed_at is not None


class Phase(models.Model):
    class Kind(models.TextChoices):
        APPLICATIONS = "applications", _("Applications")
        QUALIFICATION = "qualification", _("Qualification review")
        EVALUATION = "evaluation", _("Expert evaluation")
        SELECTION = "selection", _("Selection")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "kind"], name="bounties_phase_once"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="bounties_phase_order"
            ),
        ]

    def __str__(self) -> str:
        return str(f"{self.kind} {self.starts_on}–{self.ends_on}")


class ChallengeEvent(models.Model):
    """Append-only: each move of a challenge (who, when, from, to, reason, rule version)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    source = models.CharField(max_length=24)
    target = models.CharField(max_length=24)
    reason = models.TextField(blank=True)
    rule_version = models.CharField(max_length=40)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(f"{self.action}: {self.source} → {self.target}")


class Clarification(models.Model):
    """A public question about a published challenge and the issuer's answer."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="clarifications"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.question[:60])


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        INELIGIBLE = "ineligible", _("Not eligible")
        ELIGIBLE = "eligible", _("Eligible")
        SCORED = "scored", _("Scored")
        SELECTED = "selected", _("Selected")
        NOT_SELECTED = "not_selected", _("Not selected")
        SIGNED = "signed", _("Signed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="applications")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="bounty_applications")
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.SUBMITTED
    )
    proposal = models.TextField(_("proposal"))
    amount = MoneyField(_("amount asked"))
    plan = models.JSONField(_("milestone plan"), default=list)
    eligibility = models.JSONField(_("eligibility per criterion"), default=list)
    review_reason = models.TextField(blank=True)
    score = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "team"], name="bounties_team_once"),
        ]

    def __str__(self) -> str:
        return str(f"{self.team_id} → {self.challenge_id}")


class ApplicationSeat(models.Model):
    """One row per person named in a live application: the database holds "one team per
    person per challenge" even under concurrent applications."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="bounties_person_once"),
        ]

    def __str__(self) -> str:
        return str(f"{self.user_id} in {self.application_id}")


class Expert(models.Model):
    """A member of the department's expert pool, with their affiliation and fields."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bounty_expert"
    )
    affiliation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fields = models.CharField(_("fields"), max_length=300, blank=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return str(self.user)


class Assignment(models.Model):
    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        RECUSED = "recused", _("Recused (conflict of interest)")
        SCORED = "scored", _("Scored")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    conflict = models.TextField(_("declared conflict"), blank=True)
    scores = models.JSONField(default=dict)
    comment = models.TextField(blank=True)
    total = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="bounties_assign_once"),
        ]

    def __str__(self) -> str:
        return str(f"{self.expert_id} on {self.application_id}")

    @property
    def team_label(self) -> str:
        """What the expert is shown of the applicant: in a blind first round an anonymised
        code until the evaluation closes, else the team's name."""
        app = self.application
        if app.challenge.blind_first_round and not app.challenge.results_visible:
            return gettext("Proposal %(code)s") % {"code": app.public_id.hex[:6].upper()}
        return str(app.team.name)


class SelectionCosign(models.Model):
    """The issuer's co-signature of the department's selection (选定 is the issuer's and the
    department's decision, 04-bounties.md): who signed for the issuing organisation, when,
    on what evidence (e.g. the sealed confirmation letter's reference) and under which rule
    version. Signing the task book waits for it."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="cosign")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("co-signed"), auto_now_add=True)
    evidence = models.TextField(_("evidence"))
    rule_version = models.CharField(_("rule version"), max_length=40)

    def __str__(self) -> str:
        return str(f"{self.organisation} · {self.signed_at:%Y-%m-%d}")


class TaskBook(models.Model):
    """One version of the task book (任务书): milestones with amounts, due dates and
    acceptance criteria; ``changes`` is the diff from the version before. Signed when the
    team lead and the department have both signed the latest version."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="task_books")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    milestones = models.JSONField(default=list)
    changes = models.JSONField(default=list)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lead_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    lead_signed_at = models.DateTimeField(null=True, blank=True)
    department_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    department_signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "version"], name="bounties_book_version"),
        ]

    def __str__(self) -> str:
        return str(f"{self.challenge_id} v{self.version}")


class Milestone(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SUBMITTED = "submitted", _("Submitted for review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        ESCALATED = "escalated", _("Escalated to the department")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        DISPUTED = "disputed", _("Disputed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=200)
    criteria = models.TextField(_("acceptance criteria"), blank=True)
    amount = MoneyField(_("amount"))
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=18, choices=Status.choices, default=Status.PLANNED
    )
    report = models.TextField(_("report"), blank=True)
    deliverable_sha256 = models.CharField(max_length=64, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_due_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    rounds = models.PositiveSmallIntegerField(default=0)
    due_reminded_at = models.DateTimeField(null=True, blank=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    payout = models.ForeignKey(
        Payout, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "position"], name="bounties_ms_once"),
        ]

    def __str__(self) -> str:
        return str(f"{self.position}. {self.title}")


class MilestoneDispute(models.Model):
    """A dispute about a rejected milestone (the orders pattern): the team raises it with a
    reason, the issuer responds, the department decides with a reason. One per milestone;
    every step is kept here and in the audit log."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", _("The milestone is accepted")
        REDO = "redo", _("The team reworks the milestone")
        UPHOLD = "uphold", _("The rejection stands")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    milestone = models.OneToOneField(Milestone, on_delete=models.CASCADE, related_name="dispute")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(_("reason"))
    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(f"dispute on {self.milestone_id}")


class MilestoneExtension(models.Model):
    """A later due date asked by the signed team with a reason, decided by the department with
    a reason: due dates move only this way (expired milestones never trap the money)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    previous_due_on = models.DateField(_("due before"))
    due_on = models.DateField(_("due date asked"))
    reason = models.TextField(_("reason"))
    approved = models.BooleanField(null=True)
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(f"{self.milestone_id} → {self.due_on}")


class MidtermCheck(models.Model):
    """The department's mid-term check (中期检查) of a challenge in progress."""

    class Outcome(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        CONCERNS = "concerns", _("Concerns: corrective actions required")
        FAILING = "failing", _("Failing: termination recommended")

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="midterm_checks"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    findings = models.TextField(_("findings"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(f"{self.challenge_id}: {self.outcome}")


class StudioRegistration(models.Model):
    """A studio that carried out a challenge registered its business in the zone: the
    conversion (orders.Conversion, kind business) it was recorded as, with its evidence."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.PROTECT, related_name="studio_registrations"
    )
    team = models.OneToOneField(Team, on_delete=models.PROTECT, related_name="registration")
    conversion = models.OneToOneField(
        "orders.Conversion", on_delete=models.PROTECT, related_name="studio_registration"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(f"{self.team_id} registered")


class OcdsRelease(models.Model):
    """The OCDS release log: one release per public step of a challenge (``ocds.py``)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="releases")
    release_id = models.CharField(max_length=120, unique=True)
    tag = models.CharField(max_length=40)
    date = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.release_id)
