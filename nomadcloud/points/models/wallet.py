"""A person's exchanges of work units for points, the work units credited for proofs of work,
and the lock on earning (``points/wallet/``)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from nomadcloud.points.models.ledger import ID_LENGTH, Account, Asset
from nomadcloud.points.models.programme import Campaign, EarningRule, Rate, Scenario


class Exchange(models.Model):
    """One exchange of work units for points: who, when, at which rate, rule version and
    campaign, and the ledger transfers of its one linked chain. ``key`` is the client's
    idempotency key (the ledger ids derive from it). Only the lock state changes later."""

    class Lock(models.TextChoices):
        NONE = "", _("spendable at once")
        LOCKED = "locked", _("locked")
        RELEASED = "released", _("released")
        CANCELLED = "cancelled", _("cancelled")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="points_exchanges", verbose_name=_("person")
    )
    key = models.CharField(_("idempotency key"), max_length=64)
    scenario = models.ForeignKey(
        Scenario, models.PROTECT, related_name="exchanges", verbose_name=_("scenario")
    )
    asset = models.ForeignKey(Asset, models.PROTECT, related_name="+", verbose_name=_("asset"))
    rate = models.ForeignKey(Rate, models.PROTECT, related_name="exchanges", verbose_name=_("rate"))
    rule = models.ForeignKey(
        EarningRule, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("rule")
    )
    campaign = models.ForeignKey(
        Campaign,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    work_units = models.BigIntegerField(_("work units (hundredths)"))
    points = models.BigIntegerField(_("points"))
    bonus = models.BigIntegerField(_("bonus"), default=0)
    lot_expires_at = models.DateTimeField(_("points expire"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    lock = models.CharField(_("lock"), max_length=10, blank=True, choices=Lock.choices)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    wu_transfer = models.CharField(_("work units transfer"), max_length=ID_LENGTH)
    points_transfer = models.CharField(_("points transfer"), max_length=ID_LENGTH)
    bonus_transfer = models.CharField(_("bonus transfer"), max_length=ID_LENGTH, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("points exchange")
        verbose_name_plural = _("points exchanges")
        indexes = [
            models.Index(fields=["user", "asset", "created_at"], name="points_exchange_earned"),
            models.Index(fields=["lock", "locked_until"], name="points_exchange_locked"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="points_exchange_key"),
            models.CheckConstraint(
                condition=Q(work_units__gt=0, points__gt=0, bonus__gte=0),
                name="points_exchange_amounts",
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class WorkUnitCredit(models.Model):
    """Work units credited for one proof-of-work credential, and what a revocation took back:
    ``shortfall`` is what could not be taken back (already exchanged), shown to the
    operator."""

    credential = models.UUIDField(_("credential"), unique=True)
    user = models.ForeignKey(
        "accounts.User", models.PROTECT, related_name="+", verbose_name=_("person")
    )
    account = models.ForeignKey(Account, models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("work units (hundredths)"))
    transfer = models.CharField(_("transfer"), max_length=ID_LENGTH)
    credited_at = models.DateTimeField(_("credited"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    reclaimed = models.BigIntegerField(_("taken back"), default=0)
    shortfall = models.BigIntegerField(_("shortfall"), default=0)
    reversal = models.CharField(_("reversal transfer"), max_length=ID_LENGTH, blank=True)

    class Meta:
        verbose_name = _("work unit credit")
        verbose_name_plural = _("work unit credits")
        indexes = [models.Index(fields=["shortfall"], name="points_wucredit_shortfall")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, reclaimed__gte=0, shortfall__gte=0)
                & Q(reclaimed__lte=F("amount")),
                name="points_wucredit_amounts",
            ),
        ]

    def __str__(self) -> str:
        return str(self.credential)


class EarningLock(models.Model):
    """One row per person, locked (SELECT … FOR UPDATE) while an exchange checks the earning
    caps and applies, so that two concurrent exchanges cannot both pass a cap."""

    user = models.OneToOneField("accounts.User", models.CASCADE, primary_key=True, related_name="+")

    class Meta:
        verbose_name = _("earning lock")
        verbose_name_plural = _("earning locks")

    def __str__(self) -> str:
        return str(self.user_id)
