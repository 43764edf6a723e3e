"""Incentives (奖励, 经核定): the seeded policies of plan 004, introductions, the nightly
entitlements, claims verified item by item, appeals and clawbacks (docs/incentives.md).

Amounts are exact CNY (``core/money.py``). Every decision stores its inputs, the rule
version (book, rule, code version, parameter snapshot hash) and the OpenFisca-shaped trace,
so re-running it reproduces the amount to the cent (``services.reproduce``)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.money import MoneyField
from nomadcloud.core.uploads import StoredFile


class Policy(models.Model):
    """One incentive policy of plan 004 (seeded by a data migration; its rule and
    parameters are code and YAML in this app)."""

    class Mode(models.TextChoices):
        APPLICATION = "application", _("On application")
        AUTOMATIC = "automatic", _("Automatic (免申即享)")

    class Beneficiary(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprises")
        COMMUNITY = "community", _("Community operators")
        ANY = "any", _("Enterprises and community operators")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    rule = models.CharField(_("rule"), max_length=40)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    summary_zh = models.TextField(_("summary (Chinese)"))
    summary_en = models.TextField(_("summary (English)"))
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    department_code = models.SlugField(_("verifying department"), max_length=40)
    beneficiary = models.CharField(_("who may claim"), max_length=12, choices=Beneficiary.choices)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices)
    fact_kind = models.CharField(_("facts counted"), max_length=30)
    exclusive_with = models.JSONField(_("not combined with"), default=list, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    claim_window_days = models.PositiveIntegerField(_("claim window after the year (days)"))
    publicity_days = models.PositiveIntegerField(_("公示 (working days)"), default=5)
    appeal_days = models.PositiveIntegerField(_("appeal window (days)"), default=15)

    class Meta:
        verbose_name = _("incentive policy")
        verbose_name_plural = _("incentive policies")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.code


class Introduction(models.Model):
    """Which organisation brought a nomad in (引进): recorded by the introducer, confirmed
    when the nomad is certified and has a contract or stay in the zone within the window."""

    class Channel(models.TextChoices):
        COMMUNITY_STAY = "community_stay", _("Community stay")
        EMPLOYMENT = "employment", _("Employment")
        EVENT = "event", _("Event")

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Not confirmed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    nomad = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="introductions"
    )
    introducer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="introductions"
    )
    introduced_on = models.DateField(_("introduced on"), db_index=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    evidence = models.TextField(_("evidence"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECORDED
    )
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomad", "introducer", "introduced_on"], name="introduction_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.introducer_id} → {self.nomad_id} ({self.introduced_on})"


class Investment(StoredFile):
    """A fixed-asset investment in a community's demonstration site (社区示范点固定资产投资),
    recorded by the community operator with its evidence; counted by the
    ``community_investment`` policy up to the statistics bureau's 纳统 figure for the
    community and year (``recorded_facts.py``)."""

    class Category(models.TextChoices):
        BUILDING = "building", _("Buildings and renovation")
        EQUIPMENT = "equipment", _("Equipment and furniture")
        NETWORK = "network", _("Network and IT")
        OTHER = "other", _("Other fixed assets")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="investments"
    )
    invested_on = models.DateField(_("invested on"), db_index=True)
    amount = MoneyField(_("amount"))
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.CharField(_("description"), max_length=500)
    file = models.FileField(upload_to="incentives/investments/")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("fixed-asset investment")
        verbose_name_plural = _("fixed-asset investments")
        ordering = ["-invested_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="investment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.invested_on} {self.amount}"


class Conference(StoredFile):
    """A conference or exhibition held in the zone (会议会展), recorded by its organiser with
    the attendance evidence (sign-in list); the declared participants are verified by the
    department item by item when the ``conference`` policy is claimed (经核定)."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organiser = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="conferences"
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    starts_on = models.DateField(_("starts on"), db_index=True)
    ends_on = models.DateField(_("ends on"))
    venue = models.CharField(_("venue"), max_length=200)
    participants = models.PositiveIntegerField(_("participants"))
    international = models.BooleanField(_("international"), default=False)
    file = models.FileField(upload_to="incentives/conferences/")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("conference or exhibition")
        verbose_name_plural = _("conferences and exhibitions")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="conference_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title_en} ({self.starts_on})"


class Entitlement(models.Model):
    """What the nightly job found an organisation may receive under a policy for a year
    (政策找企业): the inputs, the decision and its trace."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="entitlements"
    )
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="entitlements")
    year = models.PositiveIntegerField(_("year"))
    eligible = models.BooleanField(_("eligible"))
    amount = MoneyField(_("amount"))
    inputs = models.JSONField(_("inputs"))
    reasons = models.JSONField(_("reasons"), default=list)
    params_used = models.JSONField(_("parameters used"), default=dict)
    rule_version = models.CharField(_("rule version"), max_length=120)
    computed_at = models.DateTimeField(_("computed"))
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        ordering = ["-year", "policy_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "policy", "year"], name="entitlement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.year} · {self.organisation_id}: {self.amount}"


class Claim(models.Model):
    """A claim under one policy for one year by one organisation (经核定)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        VERIFYING = "verifying", _("Being verified")
        SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
        VERIFIED = "verified", _("Verified")
        PUBLICITY = "publicity", _("In 公示")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        APPEAL_REVIEW = "appeal_review", _("Appeal under review")
        REVERSED = "reversed", _("Clawed back")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="incentive_claims"
    )
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="claims")
    year = models.PositiveIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    claimed_amount = MoneyField(_("amount computed when claimed"))
    amount = MoneyField(_("amount"), default=0)
    inputs = models.JSONField(_("inputs when claimed"))
    facts = models.JSONField(_("other facts"), default=dict, blank=True)
    decision = models.JSONField(_("decision"), default=dict, blank=True)
    rule_version = models.CharField(_("rule version"), max_length=120, blank=True)
    declaration = models.TextField(_("declaration"), blank=True)
    supplement_request = models.TextField(_("supplement requested"), blank=True)
    supplement_response = models.TextField(_("supplement given"), blank=True)
    clawed_back = MoneyField(_("clawed back"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    commitment = models.ForeignKey(
        "payouts.Commitment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("budget commitment"),
    )
    payout = models.ForeignKey(
        "payouts.Payout",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("payout"),
    )

    class Meta:
        verbose_name = _("incentive claim")
        verbose_name_plural = _("incentive claims")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "policy", "year"],
                condition=~Q(status="withdrawn"),
                name="claim_one_per_year",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="claim_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(clawed_back__gte=0) & Q(clawed_back__lte=models.F("amount")),
                name="claim_clawback_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy.code} {self.year} · {self.organisation_id}"


class ClaimItem(models.Model):
    """One counted fact of a claim (a nomad brought in, a contract, a training pass …),
    verified one by one by the department."""

    class State(models.TextChoices):
        PENDING = "pending", _("To verify")
        COUNTED = "counted", _("Counted")
        EXCLUDED = "excluded", _("Excluded")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="items")
    reference = models.CharField(_("reference"), max_length=80)
    nomad_key = models.CharField(_("nomad"), max_length=80, blank=True)
    label = models.CharField(_("fact"), max_length=300)
    data = models.JSONField(_("data"))
    computed = models.CharField(_("as computed"), max_length=40, blank=True)
    state = models.CharField(
        _("verification"), max_length=10, choices=State.choices, default=State.PENDING
    )
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("verified"), null=True, blank=True)

    class Meta:
        verbose_name = _("claim item")
        verbose_name_plural = _("claim items")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "reference"], name="claim_item_unique"),
            models.CheckConstraint(
                condition=~Q(state="excluded") | ~Q(reason=""), name="claim_item_excluded_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.state})"


class ClaimEvent(models.Model):
    """Append-only history of a claim: who moved it, from where to where, why."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=24)
    to_status = models.CharField(_("to"), max_length=24)
    reason = models.TextField(_("reason"), blank=True)
    amount = MoneyField(_("amount"), null=True, blank=True)
    rule_version = models.CharField(_("rule version"), max_length=120, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("claim events are append-only")
        super().save(*args, **kwargs)

    # The history is read by people: actions and states in words, never their codes.
    ACTION_LABELS: ClassVar[dict[str, Any]] = {
        "start": _("claim started"),
        "submit": _("claim submitted"),
        "submit_automatically": _("submitted automatically, no application needed"),
        "withdraw": _("claim withdrawn"),
        "verify_item": _("item verified"),
        "verify_item_counted": _("item counted"),
        "verify_item_excluded": _("item excluded"),
        "request_supplement": _("supplement requested"),
        "answer_supplement": _("supplement provided"),
        "complete": _("verification completed"),
        "reject": _("claim rejected"),
        "open_publicity": _("public notice opened"),
        "approve": _("claim approved"),
        "appeal": _("appeal filed"),
        "decide_appeal": _("appeal decided"),
        "claw_back": _("amount clawed back"),
        "payout_confirmed": _("payout confirmed"),
        "payout_failed": _("payout failed"),
        "payout_reversed": _("payout reversed"),
    }

    @property
    def action_label(self) -> str:
        return str(self.ACTION_LABELS.get(self.action, _("other change")))

    @staticmethod
    def _status_label(value: str) -> str:
        return str(Claim.Status(value).label) if value in Claim.Status.values else "—"

    @property
    def from_label(self) -> str:
        return self._status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._status_label(self.to_status)


class Appeal(models.Model):
    """An organisation's appeal against a rejection or a reduced amount, decided by a
    different officer than the one who verified."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Under review")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="appeals")
    grounds = models.TextField(_("grounds"))
    previous_status = models.CharField(_("status appealed"), max_length=24)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"], condition=Q(status="pending"), name="appeal_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"appeal {self.pk} ({self.status})"


class ParameterSnapshot(models.Model):
    """The parameter files a decision was computed with, kept once per snapshot hash, so
    that every stored decision can be re-run exactly after the parameters change."""

    snapshot = models.CharField(_("snapshot"), max_length=40, unique=True)
    texts = models.JSONField(_("parameter files"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("parameter snapshot")
        verbose_name_plural = _("parameter snapshots")

    def __str__(self) -> str:
        return self.snapshot
