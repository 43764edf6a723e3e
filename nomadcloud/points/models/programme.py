"""The programme around the ledger, kept by the zone operator: consumption scenarios, exchange
rates, earning rules, campaigns and the organisations authorised to post through the batch
endpoint (``points/programme/``)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from nomadcloud.points.models.ledger import AppendOnly, Asset


class Scenario(models.Model):
    """A consumption scenario (消费场景) where points are spent: its merchants accept the
    scenario's asset — the zone's unified points, or the scenario's own points."""

    class Category(models.TextChoices):
        CULTURE_TOURISM = "culture_tourism", _("Culture and tourism")
        DINING = "dining", _("Dining")
        TRANSPORT = "transport", _("Transport")
        COWORKING = "coworking", _("Coworking and communities")
        ENTERTAINMENT = "entertainment", _("Entertainment")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    asset = models.ForeignKey(
        Asset, models.PROTECT, related_name="scenarios", verbose_name=_("points spent here")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("consumption scenario")
        verbose_name_plural = _("consumption scenarios")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.code


class Rate(AppendOnly):
    """An exchange rate of a scenario, published by the zone operator: one work unit (1.00 WU)
    buys ``points_per_work_unit`` points of the scenario's asset (in its display units). The
    rate in force at an instant is the one with the latest ``valid_from`` not after it.
    Immutable once published: a correction is a new rate."""

    scenario = models.ForeignKey(
        Scenario, models.PROTECT, related_name="rates", verbose_name=_("scenario")
    )
    points_per_work_unit = models.DecimalField(
        _("points per work unit"), max_digits=20, decimal_places=6
    )
    valid_from = models.DateTimeField(_("valid from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    published_by = models.ForeignKey(
        "accounts.User", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"))

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        indexes = [models.Index(fields=["scenario", "valid_from"], name="points_rate_in_force")]
        constraints = [
            models.CheckConstraint(
                condition=Q(points_per_work_unit__gt=0), name="points_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario_id}: {self.points_per_work_unit} from {self.valid_from}"


class EarningRule(AppendOnly):
    """A version of the earning rules of an asset: caps per person per calendar day, week and
    month (smallest units, empty: no cap), a lock period (days the credited points stay locked)
    and the expiry of the credited lots (all zero: the asset's default). The version in force
    is the one with the latest ``valid_from`` not after the exchange. Immutable."""

    class EndOf(models.TextChoices):
        NONE = "", _("exactly")
        DAY = "day", _("end of that day")
        MONTH = "month", _("end of that month")
        YEAR = "year", _("end of that year")

    asset = models.ForeignKey(
        Asset, models.PROTECT, related_name="earning_rules", verbose_name=_("asset")
    )
    version = models.PositiveIntegerField(_("version"))
    valid_from = models.DateTimeField(_("valid from"))
    day_cap = models.BigIntegerField(_("daily cap"), null=True, blank=True)
    week_cap = models.BigIntegerField(_("weekly cap"), null=True, blank=True)
    month_cap = models.BigIntegerField(_("monthly cap"), null=True, blank=True)
    lock_days = models.PositiveIntegerField(_("lock period (days)"), default=0)
    expiry_months = models.PositiveIntegerField(_("points expire after months"), default=0)
    expiry_days = models.PositiveIntegerField(_("points expire after days"), default=0)
    expiry_at_end_of = models.CharField(
        _("expire at"), max_length=8, blank=True, choices=EndOf.choices
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    published_by = models.ForeignKey(
        "accounts.User", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"))

    class Meta:
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        constraints = [
            models.UniqueConstraint(fields=["asset", "version"], name="points_rule_version"),
            models.CheckConstraint(
                condition=(Q(day_cap__isnull=True) | Q(day_cap__gt=0))
                & (Q(week_cap__isnull=True) | Q(week_cap__gt=0))
                & (Q(month_cap__isnull=True) | Q(month_cap__gt=0)),
                name="points_rule_caps_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} v{self.version}"


class Campaign(AppendOnly):
    """A version of a bonus campaign: exchanges into ``asset`` (only into ``scenario`` when
    given) between ``starts_at`` and ``ends_at`` earn a bonus, a percentage of the points or
    a fixed amount (smallest units). A campaign is changed or ended by a new version of the
    same ``code``; the version in force is the latest ``valid_from`` not after the exchange.
    Immutable."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("percentage of the points")
        FIXED = "fixed", _("fixed amount")

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    valid_from = models.DateTimeField(_("valid from"))
    asset = models.ForeignKey(Asset, models.PROTECT, related_name="+", verbose_name=_("asset"))
    scenario = models.ForeignKey(
        Scenario,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("only for scenario"),
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    kind = models.CharField(_("bonus"), max_length=8, choices=Kind.choices)
    percent = models.DecimalField(
        _("percentage"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    fixed_amount = models.BigIntegerField(_("fixed amount"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    active = models.BooleanField(_("active"), default=True)
    published_by = models.ForeignKey(
        "accounts.User", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"))

    class Meta:
        verbose_name = _("bonus campaign")
        verbose_name_plural = _("bonus campaigns")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="points_campaign_version"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="points_campaign_window"
            ),
            models.CheckConstraint(
                condition=Q(kind="percent", percent__gt=0, fixed_amount__isnull=True)
                | Q(kind="fixed", fixed_amount__gt=0, percent__isnull=True),
                name="points_campaign_bonus",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class ProgrammeOperator(models.Model):
    """An organisation the zone operator authorises to post transfers of an asset through the
    batch endpoint with its API keys (see docs/points.md: what it may move)."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        related_name="points_programmes",
        verbose_name=_("organisation"),
    )
    asset = models.ForeignKey(Asset, models.PROTECT, related_name="+", verbose_name=_("asset"))
    active = models.BooleanField(_("active"), default=True)
    granted_by = models.ForeignKey(
        "accounts.User", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"))

    class Meta:
        verbose_name = _("programme operator")
        verbose_name_plural = _("programme operators")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "asset"], name="points_programme_operator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.asset_id}"
