"""Remote orders (远程接单) and conversions (落地转化).

An order moves through the states of ``Order.Status``; which moves are allowed, by whom and
under which condition is one table in ``transitions.py``, and every move is kept as an
``OrderEvent`` (who, when, as which role, why). Money is exact CNY (``MoneyField``): the
order's total is always the sum of its milestones, a settlement splits each milestone's
amount exactly between the nomad and the enterprise, and a dispute decision records its
amounts, reasons, evidence and rule version.

A conversion records what work turned into: an employment contract (its term, and whether it
runs a year or more), flexible employment, or a business registered in the zone.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nomadcloud.core.money import MoneyField
from nomadcloud.core.uploads import StoredFile
from nomadcloud.taxonomy.levels import SkillLevel

HALF_CENT = Decimal("0.005")


def adds_up(total: str, first: str, second: str) -> Q:
    """``total = first + second``, both parts not negative. Written as "within half a cent"
    because SQLite evaluates decimal columns as binary floating point; amounts have two
    places, so this is exact equality. Services compute the amounts exactly with Decimal."""
    return (
        Q(**{f"{total}__gt": F(first) + F(second) - HALF_CENT})
        & Q(**{f"{total}__lt": F(first) + F(second) + HALF_CENT})
        & Q(**{f"{first}__gte": 0})
        & Q(**{f"{second}__gte": 0})
    )


class Order(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # "Open" alone is the verb of a button (查看); the status has its own context.
        OPEN = "open", pgettext_lazy("order status", "Open")
        APPLIED = "applied", _("Applications received")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        DELIVERED = "delivered", _("Delivered")
        ACCEPTED = "accepted", _("Work accepted")
        SETTLED = "settled", _("Settled")
        CANCELLED = "cancelled", _("Cancelled")
        DISPUTED = "disputed", _("In dispute")
        RESOLVED = "resolved", _("Dispute resolved")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("enterprise"),
    )
    demand = models.ForeignKey(
        "demands.Demand",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("demand"),
    )
    # Where the order came from, when it was made for one nomad (orders/services/contracting):
    # the application or the invitation, at most one order each.
    application = models.OneToOneField(
        "demands.DemandApplication",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order",
        verbose_name=_("application"),
    )
    invitation = models.OneToOneField(
        "matching.Invitation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order",
        verbose_name=_("invitation"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    total = MoneyField(_("total (CNY)"), default=0)
    nomad = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders_taken",
        verbose_name=_("nomad"),
    )
    revision_count = models.PositiveIntegerField(_("revisions requested"), default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_automatically = models.BooleanField(_("accepted automatically"), default=False)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_zh="") | ~Q(title_en=""), name="order_has_a_title"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "applied", "cancelled"])
                | Q(nomad__isnull=False),
                name="order_assigned_has_a_nomad",
            ),
        ]

    def __str__(self) -> str:
        from nomadcloud.core.i18n import localized

        return localized(self, "title")

    @property
    def reference(self) -> str:
        """The stable reference of this order's accepted work (skill evidence, proofs)."""
        return f"order:{self.public_id}"

    @property
    def final_due_on(self) -> date | None:
        """The last milestone's due date (uses prefetched milestones when there are)."""
        return max((m.due_on for m in self.milestones.all()), default=None)


class OrderSkill(models.Model):
    """A skill the work shows, at the level accepted work evidences."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="skills")
    concept = models.ForeignKey(
        "taxonomy.Concept", on_delete=models.PROTECT, related_name="+", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(_("level shown"), choices=SkillLevel.choices)

    class Meta:
        verbose_name = _("order skill")
        verbose_name_plural = _("order skills")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "concept"], name="order_skill_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5), name="order_skill_level_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.concept} ({self.level})"


class Milestone(models.Model):
    """A part of an order's work with its own amount: delivered by the nomad and accepted by
    the enterprise (or automatically after the review window) on its own; accepting the last
    one completes the order."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not delivered")
        DELIVERED = "delivered", _("Delivered, awaiting review")
        ACCEPTED = "accepted", _("Accepted")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("milestone"), max_length=200)
    amount = MoneyField(_("amount (CNY)"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_automatically = models.BooleanField(_("accepted automatically"), default=False)
    due_soon_notified_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="milestone_position"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="milestone_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        """The stable reference of this milestone's accepted work (its proof of work)."""
        return f"order:{self.order.public_id}:milestone:{self.position}"


class OrderApplication(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a decision")
        SELECTED = "selected", _("Selected")
        DECLINED = "declined", _("Not selected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="order_applications"
    )
    note = models.TextField(_("note to the enterprise"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("applied"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("order application")
        verbose_name_plural = _("order applications")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "applicant"], name="order_application_unique")
        ]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.order} ({self.status})"


class Role(StrEnum):
    """Who moves an order (the transition table in transitions.py is written in these)."""

    ENTERPRISE = "enterprise"  # an owner, administrator or member of the order's enterprise
    APPLICANT = "applicant"  # a person outside the enterprise, applying
    NOMAD = "nomad"  # the nomad the order is assigned to
    OPERATOR = "operator"  # the zone operator
    SYSTEM = "system"  # the platform itself (automatic acceptance)


ROLE_LABELS: dict[Role, Promise] = {
    Role.ENTERPRISE: _("the enterprise"),
    Role.APPLICANT: _("an applicant"),
    Role.NOMAD: _("the assigned nomad"),
    Role.OPERATOR: _("the zone operator"),
    Role.SYSTEM: _("the platform (automatically)"),
}


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
