"""Orders, their skills, milestones and applications, and the roles people play in one."""

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
