"""Data asset valuation and bubble watch (docs/valuation.md): an asset (a data pool of the
platform or an external data asset), valuations that move through the workflow of
中评协〔2023〕17号 with every step's inputs kept, an append-only event log, an immutable
snapshot on issue, price observations, dated monitor settings and alerts."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nomadcloud.core.fields import MultilingualField


class DataAsset(models.Model):
    class Category(models.TextChoices):
        CONSUMPTION = "consumption", _("Culture and tourism consumption")
        TRAFFIC = "traffic", _("Traffic behaviour")
        METAVERSE = "metaverse", _("Metaverse assets")
        OTHER = "other", _("Other data")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    holder = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="data_assets",
        verbose_name=_("holder"),
    )
    pool = models.ForeignKey(
        "datapools.Pool",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("data pool"),
    )
    title = MultilingualField(_("title"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    data_since = models.DateField(_("data exists since"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("data asset")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.title.get("en", "")) if isinstance(self.title, dict) else str(self.pk)


class Valuation(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DATA_COLLECTED = "data_collected", _("Data collected")
        LEGAL_PASSED = "legal_passed", _("Legal basis confirmed")
        NOT_RECOGNISABLE = "not_recognisable", _("Not recognisable (no legal basis)")
        QUALITY_ASSESSED = "quality_assessed", _("Quality assessed")
        COMPUTED = "computed", _("Computed")
        RECONCILED = "reconciled", _("Reconciled")
        REVIEWED = "reviewed", _("Reviewed")
        ISSUED = "issued", pgettext_lazy("valuation state", "Issued")
        SUPERSEDED = "superseded", _("Superseded")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Purpose(models.TextChoices):
        ACCOUNTING = "accounting", _("recognition in the accounts (入表)")
        TRANSACTION = "transaction", _("transaction pricing")
        PLEDGE = "pledge", _("pledge or financing")
        INSURANCE = "insurance", _("insurance")
        INTERNAL = "internal", _("internal management")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    asset = models.ForeignKey(DataAsset, models.PROTECT, related_name="valuations")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    valuation_date = models.DateField(_("valuation date"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    valuer = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="valuations_performed",
        verbose_name=_("valuation firm"),
    )
    department = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="valuations_reviewed",
        verbose_name=_("reviewing department"),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default="draft")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # Each step's typed input, as given (decision 0042: JSON of the step's draft).
    collected: Any = models.JSONField(_("collected data"), default=dict)
    legal: Any = models.JSONField(_("legal gate"), default=dict)
    quality: Any = models.JSONField(_("quality assessment"), default=dict)
    inputs: Any = models.JSONField(_("approach inputs"), default=dict)
    results: Any = models.JSONField(_("approach results"), default=dict)
    reconciliation: Any = models.JSONField(_("reconciliation"), default=dict)
    final_value = models.DecimalField(
        _("final value (CNY)"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    valuer_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    valuer_signed_at = models.DateTimeField(null=True, blank=True)
    reviewer_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewer_signed_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("valuation")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.asset} @ {self.valuation_date}"


class ValuationEvent(models.Model):
    """Append-only history: who moved the valuation, when, from and to, why, with what
    evidence and under which rule version."""

    valuation = models.ForeignKey(Valuation, models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    reason = models.CharField(max_length=500, blank=True)
    evidence: Any = models.JSONField(default=dict)
    rule_version = models.CharField(max_length=40)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} → {self.to_state}"


class ValuationSnapshot(models.Model):
    """What was issued, as it was: the disclosures of 中评协〔2023〕17号 and 财会〔2023〕11号,
    every input and result, and the SHA-256 of its canonical JSON. Never edited."""

    valuation = models.OneToOneField(Valuation, models.PROTECT, related_name="snapshot")
    content: Any = models.JSONField()
    sha256 = models.CharField(max_length=64)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.sha256

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("a valuation snapshot is never changed")
        super().save(*args, **kwargs)


class PriceObservation(models.Model):
    class Kind(models.TextChoices):
        TRANSACTION = "transaction", _("transaction")
        LISTING = "listing", _("listing")
        VALUATION = "valuation", _("issued valuation")

    asset = models.ForeignKey(DataAsset, models.PROTECT, related_name="prices")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    observed_on = models.DateField(_("date"))
    price = models.DecimalField(_("price (CNY)"), max_digits=15, decimal_places=2)
    seller = models.CharField(_("seller"), max_length=200, blank=True)
    buyer = models.CharField(_("buyer"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["observed_on", "id"]

    def __str__(self) -> str:
        return f"{self.observed_on} {self.price}"


class MonitorConfig(models.Model):
    """The bubble watch's settings for one category, from a date on; a change is a new row."""

    category = models.CharField(_("category"), max_length=20, choices=DataAsset.Category.choices)
    effective_from = models.DateField(_("effective from"))
    department = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="+",
        verbose_name=_("responsible department"),
    )
    rho_threshold = models.DecimalField(
        _("price-to-fundamental threshold"), max_digits=6, decimal_places=2
    )
    level = models.DecimalField(_("confidence level"), max_digits=4, decimal_places=3)
    lags = models.PositiveSmallIntegerField(_("ADF lag order"), default=0)
    repetitions = models.PositiveIntegerField(_("Monte Carlo repetitions"), default=500)

    class CriticalMethod(models.TextChoices):
        MONTE_CARLO = "monte_carlo", _("Monte Carlo under the null")
        WILD_BOOTSTRAP = "wild_bootstrap", _("wild bootstrap of the observed series")

    critical_method = models.CharField(
        _("critical values by"),
        max_length=16,
        choices=CriticalMethod.choices,
        default=CriticalMethod.MONTE_CARLO,
    )
    z_threshold = models.DecimalField(
        _("category z-score threshold"), max_digits=5, decimal_places=2, default=Decimal("2.00")
    )
    velocity_window_days = models.PositiveIntegerField(_("velocity window (days)"), default=90)
    velocity_trades = models.PositiveSmallIntegerField(
        _("rising trades that raise a velocity alert"), default=3
    )
    velocity_rise = models.DecimalField(
        _("price rise over the run that raises a velocity alert"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("0.500"),
    )
    circular_window_days = models.PositiveIntegerField(
        _("related-party and circular trade window (days)"), default=180
    )
    growth_gap = models.DecimalField(
        _("valuation growth over usage growth that raises an alert"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("2.00"),
    )

    class Meta:
        ordering = ["category", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "effective_from"], name="valuation_monitor_dated"
            )
        ]

    def __str__(self) -> str:
        return self.rule_version

    @property
    def rule_version(self) -> str:
        return f"monitor:{self.category}:{self.effective_from.isoformat()}"


class CriticalValueSet(models.Model):
    """Monte Carlo critical values of the PSY test, computed once per shape and kept."""

    length = models.PositiveIntegerField()
    lags = models.PositiveSmallIntegerField()
    level = models.DecimalField(max_digits=4, decimal_places=3)
    repetitions = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    gsadf = models.FloatField()
    sadf = models.FloatField()
    bsadf: Any = models.JSONField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["length", "lags", "level", "repetitions", "seed"],
                name="valuation_critical_values_shape",
            )
        ]

    def __str__(self) -> str:
        return f"T={self.length} k={self.lags}"


class Alert(models.Model):
    class State(models.TextChoices):
        RAISED = "raised", pgettext_lazy("alert state", "Raised")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        INVESTIGATING = "investigating", _("Investigating")
        RESOLVED = "resolved", _("Resolved")

    class Kind(models.TextChoices):
        PRICE_TO_FUNDAMENTAL = "price_to_fundamental", _("price far above fundamental value")
        EXPLOSIVE = "explosive", _("explosive price path (PSY test)")
        Z_SCORE = "z_score", _("price-to-fundamental far above its category")
        VELOCITY = "velocity", _("re-traded at rising prices")
        CIRCULAR = "circular", _("related-party or circular trade")
        GROWTH_GAP = "growth_gap", _("valuation growing far faster than use")

    class Resolution(models.TextChoices):
        FALSE_POSITIVE = "false_positive", _("false positive")
        LISTING_FROZEN = "listing_frozen", _("listing frozen")
        VALUATION_REVIEW = "valuation_review", _("valuation review ordered")
        PRICE_CAP = "price_cap", _("price cap set")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=DataAsset.Category.choices)
    # The asset for a price-to-fundamental alert; none for a category's explosive index.
    asset = models.ForeignKey(
        DataAsset, models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    department = models.ForeignKey(
        "accounts.Organisation", models.PROTECT, related_name="+", verbose_name=_("department")
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="raised")
    evidence: Any = models.JSONField(_("evidence"))
    rule_version = models.CharField(max_length=60)
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=Resolution.choices, blank=True
    )
    raised_at = models.DateTimeField(_("raised at"))

    class Meta:
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.category}"


class AlertEvent(models.Model):
    alert = models.ForeignKey(Alert, models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20)
    to_state = models.CharField(max_length=16)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} → {self.to_state}"


class BookEntry(models.Model):
    """A movement of a data asset in its holder's books under 财会〔2023〕11号 (入表): an
    addition recognised at cost from an issued valuation's cost lines, an impairment (减值准备;
    for inventory 存货跌价准备) or a disposal (处置; for inventory 出售转销). The asset is an
    intangible asset (amortised straight line over its useful life, set by its first
    addition) or inventory (not amortised). Amortisation is not stored: the roll-forward
    computes it from the entries (``rollforward.py``). Never edited or deleted."""

    class Treatment(models.TextChoices):
        INTANGIBLE = "intangible", _("intangible asset (无形资产)")
        INVENTORY = "inventory", _("inventory (存货)")

    class Kind(models.TextChoices):
        ADDITION = "addition", _("addition at cost")
        IMPAIRMENT = "impairment", _("impairment")
        DISPOSAL = "disposal", _("disposal")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    asset = models.ForeignKey(DataAsset, models.PROTECT, related_name="book_entries")
    treatment = models.CharField(
        _("accounting treatment"), max_length=12, choices=Treatment.choices
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=15, decimal_places=2)
    # An addition's part acquired from others (外购); the rest was developed or processed
    # in-house (自行开发 / 自行加工).
    purchased = models.DecimalField(
        _("of which purchased (CNY)"), max_digits=15, decimal_places=2, default=Decimal("0.00")
    )
    useful_life_months = models.PositiveSmallIntegerField(
        _("useful life (months)"), null=True, blank=True
    )
    valuation = models.ForeignKey(
        Valuation, models.PROTECT, null=True, blank=True, related_name="book_entries"
    )
    lines: Any = models.JSONField(_("cost lines recognised"), default=list)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("book entry")
        ordering = ["on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["valuation"],
                condition=models.Q(valuation__isnull=False),
                name="valuation_recognised_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.on} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("a book entry is never changed")
        super().save(*args, **kwargs)
