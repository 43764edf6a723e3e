"""Money out (CNY): budgets, commitments against them (预算占用), payouts and the exact
double-entry money ledger behind them (docs/payouts.md). Separate from the points ledger:
points are work units, these are yuan.

A budget's balances are kept on its row and change only under its row lock, in the same
transaction as the ledger entries that explain them; database constraints refuse a budget
whose commitments, payments in flight and confirmed payments exceed its amount.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.money import MoneyField

ZERO = Decimal("0.00")


class Budget(models.Model):
    """A programme's money for one year (e.g. the data innovation voucher programme, 2026),
    owned by the organisation that pays it out."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    programme_code = models.SlugField(_("programme"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    owner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="budgets",
        verbose_name=_("owner"),
    )
    amount = MoneyField(_("amount"))
    committed = MoneyField(_("committed"), default=ZERO)
    in_flight = MoneyField(_("being paid"), default=ZERO)
    paid = MoneyField(_("paid (confirmed)"), default=ZERO)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-year", "programme_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme_code", "year"], name="payouts_budget_programme_year"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payouts_budget_amount"),
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(in_flight__gte=0) & Q(paid__gte=0),
                name="payouts_budget_balances_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=F("committed") + F("in_flight") + F("paid")),
                name="payouts_budget_not_exceeded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_code} {self.year}"

    @property
    def available(self) -> Decimal:
        """budget − committed − paid (payments in flight count as committed)."""
        left: Decimal = self.amount - self.committed - self.in_flight - self.paid
        return left


class Commitment(models.Model):
    """Money reserved in a budget for one subject (a voucher, a prize, a reward claim)
    before it is paid. ``amount`` is what was reserved; what is left of it is
    ``amount − released − disbursed`` (``disbursed``: payouts approved from it and not
    reversed)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RELEASED = "released", _("Released")
        CONSUMED = "consumed", _("Consumed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("budget")
    )
    subject_kind = models.CharField(_("subject kind"), max_length=60)
    subject_id = models.CharField(_("subject"), max_length=64)
    amount = MoneyField(_("amount committed"))
    released = MoneyField(_("released"), default=ZERO)
    disbursed = MoneyField(_("paid out or being paid"), default=ZERO)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(released__gte=0) & Q(disbursed__gte=0),
                name="payouts_commitment_amounts",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=F("released") + F("disbursed")),
                name="payouts_commitment_not_overdrawn",
            ),
        ]
        indexes = [
            models.Index(fields=["subject_kind", "subject_id"], name="payouts_commitment_subject")
        ]

    def __str__(self) -> str:
        return f"{self.subject_kind}:{self.subject_id} {self.amount}"

    @property
    def remaining(self) -> Decimal:
        left: Decimal = self.amount - self.released - self.disbursed
        return left


class Payout(models.Model):
    """One payment to a payee out of a commitment. Money leaves the budget's "committed"
    balance when the payout is approved, and counts as paid only when a person confirms it
    with the bank's reference: "paid" is what the bank reported, never shown as paid."""

    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        SCHEDULED = "scheduled", _("Scheduled")
        PAYING = "paying", _("Sent to the bank")
        PAID = "paid", _("Reported by the bank, awaiting confirmation")
        CONFIRMED = "confirmed", _("Paid (confirmed)")
        FAILED = "failed", _("Failed")
        RETRIED = "retried", _("Scheduled again")
        REVERSED = "reversed", _("Reversed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("commitment")
    )
    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("budget")
    )
    payee_kind = models.CharField(_("payee kind"), max_length=40)
    payee_id = models.CharField(_("payee"), max_length=64)
    amount = MoneyField(_("amount"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPROVED
    )
    scheduled_for = models.DateField(_("scheduled for"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    bank_order = models.CharField(_("bank order"), max_length=100, blank=True)
    external_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payouts_payout_amount"),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | ~Q(external_reference=""),
                name="payouts_confirmed_has_reference",
            ),
        ]
        indexes = [models.Index(fields=["budget", "status"], name="payouts_payout_status")]

    def __str__(self) -> str:
        return f"payout {self.public_id} {self.amount} {self.status}"


class PayoutEvent(models.Model):
    """Append-only history of a payout: who moved it, when, from which state to which,
    why, and what the bank said."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payout event")
        verbose_name_plural = _("payout events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.payout_id} {self.action} {self.from_status}→{self.to_status}"


class MoneyEntry(models.Model):
    """One leg of a double-entry money transfer between a budget's accounts. Every transfer
    (one ``transfer`` id) sums to zero; an account's balance is the sum of its entries.

    Accounts: ``funding`` (where a budget's money comes from; negative), ``available``,
    ``committed`` (open commitments), ``in_flight`` (approved payouts not yet confirmed) and
    ``paid`` (confirmed payouts). ``available + committed + in_flight + paid`` is the budget.
    """

    class Account(models.TextChoices):
        FUNDING = "funding", _("Funding")
        AVAILABLE = "available", _("Available")
        COMMITTED = "committed", _("Committed")
        IN_FLIGHT = "in_flight", _("Being paid")
        PAID = "paid", _("Paid (confirmed)")

    transfer = models.UUIDField(_("transfer"), db_index=True)
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="entries")
    account = models.CharField(_("account"), max_length=10, choices=Account.choices)
    amount = MoneyField(_("amount"))
    commitment = models.ForeignKey(
        Commitment, null=True, on_delete=models.PROTECT, related_name="entries"
    )
    payout = models.ForeignKey(Payout, null=True, on_delete=models.PROTECT, related_name="entries")
    memo = models.CharField(_("memo"), max_length=40)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("money entry")
        verbose_name_plural = _("money entries")
        ordering = ["id"]
        indexes = [models.Index(fields=["budget", "account"], name="payouts_entry_account")]

    def __str__(self) -> str:
        return f"{self.transfer} {self.account} {self.amount}"
