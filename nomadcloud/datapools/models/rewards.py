"""Distribution runs and their reward lines."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.money import MoneyField

from .pools import Pool


class DistributionRun(models.Model):
    """The contributor reward run of a pool for one period (a month, ``YYYY-MM``): at most
    one per (pool, period), enforced by the database."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    pool = models.ForeignKey(Pool, models.PROTECT, related_name="distribution_runs")
    period = models.CharField(_("period"), max_length=7)
    uses = models.PositiveIntegerField(_("uses counted"))
    total_points = models.PositiveBigIntegerField(_("points paid"))
    # Money (the charter's share of fees): the fees the period's agreements brought, the
    # contributors' share paid out of ``commitment`` (payouts app), zero when none.
    fees = MoneyField(_("fees received"), default=0)
    total_amount = MoneyField(_("contributors' share paid (CNY)"), default=0)
    commitment = models.ForeignKey(
        "payouts.Commitment", models.PROTECT, null=True, blank=True, related_name="+"
    )
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    run_at = models.DateTimeField(_("run at"))

    class Meta:
        verbose_name = _("distribution run")
        ordering = ["-period", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "period"], name="datapools_one_run_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.pool_id} {self.period}"


class RewardLine(models.Model):
    """What one contributor earned in a run, and from which uses (the statement)."""

    run = models.ForeignKey(DistributionRun, models.PROTECT, related_name="lines")
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="pool_rewards"
    )
    rows_used = models.PositiveBigIntegerField(_("rows used"))
    points = models.PositiveBigIntegerField(_("points"))
    transfer_id = models.CharField(_("ledger transfer"), max_length=100, unique=True)
    uses = models.JSONField(_("uses"), default=list)
    amount = MoneyField(_("amount (CNY)"), default=0)
    payout = models.ForeignKey(
        "payouts.Payout", models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-run__period", "-id"]

    def __str__(self) -> str:
        return self.transfer_id
