"""An order's life after it starts: events, deliverables, disputes, settlement, ratings and
messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.money import MoneyField
from nomadcloud.core.uploads import StoredFile

from .orders import (
    ROLE_LABELS,
    Milestone,
    Order,
    Role,
    adds_up,
)


class OrderEvent(models.Model):
    """One transition of an order: from → to, who (and as which role), when, why."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)
    role = models.CharField(_("as"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    api_token = models.ForeignKey(
        "accounts.ApiToken", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"

    @property
    def from_label(self) -> str:
        return str(Order.Status(self.from_status).label) if self.from_status else "—"

    @property
    def to_label(self) -> str:
        return str(Order.Status(self.to_status).label)

    @property
    def role_label(self) -> str:
        try:
            return str(ROLE_LABELS[Role(self.role)])
        except ValueError:
            return self.role


class Deliverable(StoredFile):
    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="deliverables")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="deliverables"
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(
        _("file"), upload_to="orders/deliverables/%Y/%m/", max_length=255, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)
    round = models.PositiveIntegerField(_("delivery round"), default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="") & Q(file=""))
                | (Q(kind="file") & Q(url="") & ~Q(file="")),
                name="deliverable_is_a_file_or_a_link",
            )
        ]

    def __str__(self) -> str:
        return self.original_name or self.url


class Dispute(models.Model):
    """A dispute opened by either party and decided by the zone operator: who decided, when,
    on what evidence, under which rule version, and the exact amounts."""

    class Outcome(models.TextChoices):
        RELEASE = "release", _("Release the total to the nomad")
        REFUND = "refund", _("Refund the total to the enterprise")
        SPLIT = "split", _("Split between the nomad and the enterprise")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="disputes")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_as = models.CharField(_("opened by"), max_length=12)
    reason = models.TextField(_("reason"))
    status_before = models.CharField(_("status before the dispute"), max_length=12)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    outcome = models.CharField(_("decision"), max_length=8, choices=Outcome.choices, blank=True)
    to_nomad = MoneyField(_("to the nomad (CNY)"), null=True, blank=True)
    to_enterprise = MoneyField(_("back to the enterprise (CNY)"), null=True, blank=True)
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    evidence = models.JSONField(_("evidence"), default=dict)
    rule_version = models.CharField(_("rule version"), max_length=40, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(decided_at__isnull=True),
                name="dispute_one_open_per_order",
            ),
            models.CheckConstraint(
                condition=Q(outcome="")
                | (
                    Q(to_nomad__gte=0)
                    & Q(to_enterprise__gte=0)
                    & ~Q(decision_reason="")
                    & ~Q(rule_version="")
                    & Q(decided_by__isnull=False)
                    & Q(decided_at__isnull=False)
                ),
                name="dispute_decision_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}: {self.outcome or 'open'}"

    @property
    def is_open(self) -> bool:
        return self.decided_at is None


class Settlement(models.Model):
    """What is owed when an order ends: per milestone, exactly, to the nomad and back to the
    enterprise. Payment itself happens elsewhere; this is the record of the amounts."""

    class Basis(models.TextChoices):
        ACCEPTANCE = "acceptance", _("Accepted work")
        DISPUTE = "dispute", _("Dispute decision")

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="settlement")
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    dispute = models.OneToOneField(
        Dispute, null=True, blank=True, on_delete=models.PROTECT, related_name="settlement"
    )
    total = MoneyField(_("total (CNY)"))
    to_nomad = MoneyField(_("owed to the nomad (CNY)"))
    to_enterprise = MoneyField(_("back to the enterprise (CNY)"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=adds_up("total", "to_nomad", "to_enterprise"),
                name="settlement_adds_up",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order}: {self.to_nomad} / {self.to_enterprise}"


class SettlementLine(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="lines")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(_("milestone amount (CNY)"))
    to_nomad = MoneyField(_("owed to the nomad (CNY)"))
    to_enterprise = MoneyField(_("back to the enterprise (CNY)"))

    class Meta:
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")
        ordering = ["milestone__position"]
        constraints = [
            models.CheckConstraint(
                condition=adds_up("amount", "to_nomad", "to_enterprise"),
                name="settlement_line_adds_up",
            ),
            models.UniqueConstraint(
                fields=["settlement", "milestone"], name="settlement_line_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.to_nomad} / {self.to_enterprise}"


class Rating(models.Model):
    """Each side rates the other once, after acceptance: 1 to 5 stars and a comment."""

    class Side(models.TextChoices):
        ENTERPRISE = "enterprise", _("The enterprise rates the nomad")
        NOMAD = "nomad", _("The nomad rates the enterprise")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="ratings")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("stars"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "side"], name="rating_once_per_side"),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.side}: {self.score}"


class Message(models.Model):
    """The order's thread: only the two parties and the zone operator read it."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_role = models.CharField(_("as"), max_length=12)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("order message")
        verbose_name_plural = _("order messages")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order} #{self.pk}"
