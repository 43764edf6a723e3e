"""Merchants, their payment codes, payments, refunds and daily settlement statements
(``points/merchants/``)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from nomadcloud.points.models.ledger import ID_LENGTH, Asset
from nomadcloud.points.models.programme import Scenario


class Merchant(models.Model):
    """A merchant organisation that the zone operator registered into a consumption scenario:
    its cashiers take payments in the scenario's asset. The points it accepts wait in its
    account (``book.organisation_account``) until the day's settlement moves them on."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        models.PROTECT,
        related_name="points_merchant",
        verbose_name=_("organisation"),
    )
    scenario = models.ForeignKey(
        Scenario, models.PROTECT, related_name="merchants", verbose_name=_("scenario")
    )
    active = models.BooleanField(_("accepting points"), default=True)
    registered_by = models.ForeignKey(
        "accounts.User", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.organisation)


class SettlementRate(models.Model):
    """What the programme pays a merchant in CNY for one point (one display unit) of an
    asset, from a zone date on; the rate in force on a day is the latest ``effective_from``
    not after it. Statements copy the rate they used."""

    asset = models.ForeignKey(
        Asset, models.PROTECT, related_name="settlement_rates", verbose_name=_("asset")
    )
    effective_from = models.DateField(_("in force from"))
    cny_per_point = models.DecimalField(_("CNY per point"), max_digits=12, decimal_places=4)
    published_by = models.ForeignKey(
        "accounts.User", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"))

    class Meta:
        verbose_name = _("settlement rate")
        verbose_name_plural = _("settlement rates")
        ordering = ["asset", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "effective_from"], name="points_settlement_rate_day"
            ),
            models.CheckConstraint(
                condition=Q(cny_per_point__gt=0), name="points_settlement_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}: {self.cny_per_point} from {self.effective_from}"


class PaymentCode(models.Model):
    """A one-time payment code of a person for an asset. Only a keyed hash of the numeric
    code is kept (``digest``); at most one live code per person and asset."""

    class State(models.TextChoices):
        LIVE = "live", _("live")
        USED = "used", _("used")
        REPLACED = "replaced", _("replaced")

    person = models.ForeignKey("accounts.User", models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.LIVE)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment code")
        verbose_name_plural = _("payment codes")
        indexes = [models.Index(fields=["expires_at"], name="points_paycode_expires")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "asset"],
                condition=Q(state="live"),
                name="points_paycode_one_live",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.asset_id} ({self.state})"


class CodeFailure(models.Model):
    """A payment code a merchant's cashier entered that was refused (unknown, forged,
    expired or used): counted to slow down guessing."""

    merchant = models.ForeignKey(Merchant, models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("refused payment code")
        verbose_name_plural = _("refused payment codes")
        indexes = [models.Index(fields=["merchant", "at"], name="points_codefailure_recent")]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.at}"


class Statement(models.Model):
    """The settlement of one merchant's points of one asset for one zone day: points accepted
    (payments confirmed that day), refunded (refunds of those payments made before
    settlement, and refunds made that day of payments settled earlier), their CNY value at
    the rate in force that day (copied here), and the ledger transfer that moved the
    settled points from the merchant's account to the settlement account. Never changed."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    merchant = models.ForeignKey(
        Merchant, models.PROTECT, related_name="statements", verbose_name=_("merchant")
    )
    asset = models.ForeignKey(Asset, models.PROTECT, related_name="+", verbose_name=_("asset"))
    day = models.DateField(_("day"))
    rate = models.DecimalField(_("CNY per point"), max_digits=12, decimal_places=4)
    rate_effective_from = models.DateField(_("rate in force from"))
    payments = models.PositiveIntegerField(_("payments"))
    refunds = models.PositiveIntegerField(_("refunds"))
    accepted = models.BigIntegerField(_("points accepted"))
    refunded = models.BigIntegerField(_("points refunded"))
    net = models.BigIntegerField(_("net points"))
    payable_cny = models.DecimalField(_("payable (CNY)"), max_digits=15, decimal_places=2)
    settled_points = models.BigIntegerField(_("points moved to settlement"))
    transfer_id = models.CharField(_("settlement transfer"), max_length=ID_LENGTH, blank=True)
    created_at = models.DateTimeField(_("generated"))

    class Meta:
        verbose_name = _("settlement statement")
        verbose_name_plural = _("settlement statements")
        ordering = ["-day", "merchant_id", "asset_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "asset", "day"], name="points_statement_merchant_day"
            ),
            models.CheckConstraint(
                condition=Q(accepted__gte=0, refunded__gte=0, settled_points__gte=0)
                & Q(net=F("accepted") - F("refunded")),
                name="points_statement_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.asset_id} {self.day}"


class Payment(models.Model):
    """A payment by code at a merchant: a ledger hold from the person's account to the
    merchant's, confirmed (posted) or cancelled (voided) by the cashier; refunds reverse
    (part of) the posted payment."""

    class Status(models.TextChoices):
        HELD = "held", _("awaiting confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("timed out")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    merchant = models.ForeignKey(
        Merchant, models.PROTECT, related_name="payments", verbose_name=_("merchant")
    )
    person = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="+", verbose_name=_("person")
    )
    asset = models.ForeignKey(Asset, models.PROTECT, related_name="+", verbose_name=_("asset"))
    amount = models.BigIntegerField(_("amount"))
    refunded = models.BigIntegerField(_("refunded"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.HELD
    )
    hold_id = models.CharField(_("hold"), max_length=ID_LENGTH, unique=True)
    cashier = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="+", verbose_name=_("cashier")
    )
    created_at = models.DateTimeField(_("time"))
    expires_at = models.DateTimeField(_("hold times out at"))
    resolved_at = models.DateTimeField(_("confirmed or cancelled at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        "accounts.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    statement = models.ForeignKey(
        Statement, models.PROTECT, null=True, blank=True, related_name="payment_rows"
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["merchant", "created_at"], name="points_payment_recent"),
            models.Index(fields=["statement", "status", "resolved_at"], name="points_payment_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, refunded__gte=0, refunded__lte=F("amount")),
                name="points_payment_amounts",
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)

    @property
    def post_id(self) -> str:
        return self.hold_id.removesuffix(":hold") + ":post"

    @property
    def void_id(self) -> str:
        return self.hold_id.removesuffix(":hold") + ":void"

    @property
    def refundable(self) -> int:
        return self.amount - self.refunded if self.status == self.Status.CONFIRMED else 0


class Refund(models.Model):
    """A refund of (part of) a confirmed payment: a ledger reversal of the payment's post, so
    the person gets back the lots the payment took. ``from_settlement``: the payment was
    already settled, so the points first came back from the settlement account (linked)."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    payment = models.ForeignKey(
        Payment, models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    amount = models.BigIntegerField(_("amount"))
    reason = models.CharField(_("reason"), max_length=300)
    transfer_id = models.CharField(_("reversal"), max_length=ID_LENGTH, unique=True)
    from_settlement = models.BooleanField(_("after settlement"), default=False)
    created_by = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("time"))
    statement = models.ForeignKey(
        Statement, models.PROTECT, null=True, blank=True, related_name="refund_rows"
    )
    request_key = models.CharField(
        _("request key"),
        max_length=255,
        blank=True,
        default="",
        help_text=_(
            "The client's Idempotency-Key: one refund per key and payment, whoever sends it "
            "and however late the retry comes."
        ),
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["statement", "from_settlement", "created_at"], name="points_refund_due"
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="points_refund_amount"),
            models.UniqueConstraint(
                fields=["payment", "request_key"],
                condition=~Q(request_key=""),
                name="points_refund_once_per_key",
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)
