"""The ledger's records in the database, mirroring ``nomadcloud.points.ledger.model``.

``DatabaseStore`` (store.py) is the only writer. Transfers, entries and lot moves are
append-only: the models refuse updates and deletes, and database triggers (migration 0002,
``triggers.py``) refuse them for every other client. CHECK constraints hold the invariants
that one row can express: positive amounts, non-negative balance fields, the limits of
constrained accounts, lots within 0…amount.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from nomadcloud.points.ledger import HoldStatus, Kind

ID_LENGTH = 128


class AppendOnlyError(Exception):
    """A change to history was attempted."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")


class AppendOnly(models.Model):
    objects: ClassVar[models.Manager[Any]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class Asset(models.Model):
    code = models.CharField(_("code"), max_length=ID_LENGTH, primary_key=True)
    scale = models.PositiveSmallIntegerField(_("decimal places"), default=0)
    max_amount = models.BigIntegerField(_("largest amount of one transfer"))
    expiry_months = models.PositiveIntegerField(_("lots expire after months"), default=0)
    expiry_days = models.PositiveIntegerField(_("lots expire after days"), default=0)
    expiry_at_end_of = models.CharField(
        _("lots expire at the end of"),
        max_length=8,
        blank=True,
        choices=[("day", _("day")), ("month", _("month")), ("year", _("year"))],
    )
    shards = models.PositiveSmallIntegerField(_("system account shards"), default=8)

    class Meta:
        verbose_name = _("points asset")
        verbose_name_plural = _("points assets")
        constraints = [
            models.CheckConstraint(condition=Q(max_amount__gt=0), name="points_asset_max_amount"),
            models.CheckConstraint(condition=Q(scale__lte=18), name="points_asset_scale"),
            models.CheckConstraint(
                condition=Q(shards__gte=1, shards__lte=1024), name="points_asset_shards"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Account(models.Model):
    """One holder in one asset, or a shard of a system account. The four balance fields of
    TigerBeetle; the core's flags as one column each, so CHECK constraints can use them."""

    id = models.CharField(_("account"), max_length=ID_LENGTH, primary_key=True)
    asset = models.ForeignKey(Asset, models.PROTECT, verbose_name=_("asset"))
    holder = models.CharField(_("holder"), max_length=ID_LENGTH, blank=True, db_index=True)
    system_role = models.CharField(_("system role"), max_length=16, blank=True)
    debits_must_not_exceed_credits = models.BooleanField(_("must not go negative"))
    credits_must_not_exceed_debits = models.BooleanField(_("must not go positive"))
    lots = models.BooleanField(_("keeps lots"))
    closed = models.BooleanField(_("closed"))
    debits_pending = models.BigIntegerField(_("pending debits"), default=0)
    debits_posted = models.BigIntegerField(_("posted debits"), default=0)
    credits_pending = models.BigIntegerField(_("pending credits"), default=0)
    credits_posted = models.BigIntegerField(_("posted credits"), default=0)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    debits_pending__gte=0,
                    debits_posted__gte=0,
                    credits_pending__gte=0,
                    credits_posted__gte=0,
                ),
                name="points_account_fields_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(debits_must_not_exceed_credits=False)
                | Q(credits_posted__gte=F("debits_pending") + F("debits_posted")),
                name="points_account_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(credits_must_not_exceed_debits=False)
                | Q(debits_posted__gte=F("credits_pending") + F("credits_posted")),
                name="points_account_not_positive",
            ),
            models.CheckConstraint(
                condition=~Q(
                    debits_must_not_exceed_credits=True, credits_must_not_exceed_debits=True
                ),
                name="points_account_one_limit",
            ),
            models.CheckConstraint(
                condition=Q(lots=False) | Q(debits_must_not_exceed_credits=True),
                name="points_account_lots_need_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.id


_KINDS = [(k.value, k.value) for k in Kind]
_HOLD_STATUSES = [(s.value, s.value) for s in HoldStatus]


class Transfer(AppendOnly):
    """Applied history. ``tid`` is the client's id, unique in the ledger; ``request`` is the
    request as sent (JSON), compared field by field on a retry."""

    seq = models.BigAutoField(primary_key=True)
    tid = models.CharField(_("transfer id"), max_length=ID_LENGTH, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=_KINDS)
    # Indexes of the transfer path are declared in Meta (no LIKE-pattern twins, none unused):
    # every transfer inserts into each of them (docs/points.md, "Ledger performance").
    debit_account = models.ForeignKey(
        Account,
        models.PROTECT,
        related_name="+",
        verbose_name=_("debit account"),
        db_index=False,
    )
    credit_account = models.ForeignKey(
        Account,
        models.PROTECT,
        related_name="+",
        verbose_name=_("credit account"),
        db_index=False,
    )
    # No database foreign key to the asset: it is the accounts' asset (the engine checks it),
    # and each foreign key is a lookup on every insert.
    asset = models.ForeignKey(
        Asset,
        models.PROTECT,
        related_name="+",
        verbose_name=_("asset"),
        db_index=False,
        db_constraint=False,
    )
    amount = models.BigIntegerField(_("amount"))
    timestamp = models.DateTimeField(_("time"))
    request = models.JSONField(_("request"))
    pending_id = models.CharField(_("hold"), max_length=ID_LENGTH, blank=True)
    reverses = models.CharField(_("reverses"), max_length=ID_LENGTH, blank=True)
    expires_at = models.DateTimeField(_("hold times out at"), null=True, blank=True)
    lot_id = models.CharField(_("lot created"), max_length=ID_LENGTH, blank=True)
    allocation = models.JSONField(_("lots taken"), default=list)
    code = models.CharField(_("reason"), max_length=64, blank=True)
    reference = models.CharField(_("reference"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("points transfer")
        verbose_name_plural = _("points transfers")
        indexes = [
            models.Index(fields=["debit_account"], name="points_transfer_debit"),
            models.Index(fields=["credit_account"], name="points_transfer_credit"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="points_transfer_amount"),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")),
                name="points_transfer_accounts_differ",
            ),
        ]

    def __str__(self) -> str:
        return self.tid


class Entry(AppendOnly):
    """One account's side of a transfer: the change of its four balance fields. Written in the
    same statement as its transfer, so it has no database foreign key to it (the stress test
    checks in SQL that none is left without its transfer)."""

    transfer = models.ForeignKey(
        Transfer,
        models.PROTECT,
        to_field="tid",
        related_name="+",
        db_column="transfer_tid",
        db_index=False,
        db_constraint=False,
    )
    account = models.ForeignKey(Account, models.PROTECT, related_name="+", db_index=False)
    debits_pending = models.BigIntegerField(default=0)
    debits_posted = models.BigIntegerField(default=0)
    credits_pending = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [models.Index(fields=["account"], name="points_entry_account")]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.account_id}"


class Hold(models.Model):
    """The state of a pending transfer (``id`` = the hold's transfer id)."""

    id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    debit_account = models.ForeignKey(Account, models.PROTECT, related_name="+")
    credit_account = models.ForeignKey(Account, models.PROTECT, related_name="+")
    asset = models.ForeignKey(Asset, models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    expires_at = models.DateTimeField(null=True, blank=True)
    reservation = models.JSONField(default=list)
    lot_expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=_HOLD_STATUSES)
    posted_amount = models.BigIntegerField(default=0)
    resolved_by = models.CharField(max_length=ID_LENGTH, blank=True)

    class Meta:
        verbose_name = _("points hold")
        verbose_name_plural = _("points holds")
        indexes = [models.Index(fields=["status", "expires_at"], name="points_hold_due")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="points_hold_amount"),
            models.CheckConstraint(
                condition=Q(posted_amount__gte=0, posted_amount__lte=F("amount")),
                name="points_hold_posted_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.id


class Lot(models.Model):
    """Points credited together, expiring together."""

    id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    account = models.ForeignKey(Account, models.PROTECT, related_name="+", db_index=False)
    asset = models.ForeignKey(
        Asset, models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    amount = models.BigIntegerField()
    remaining = models.BigIntegerField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    expired_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("points lot")
        verbose_name_plural = _("points lots")
        # Only open lots are looked up (spending, statements, the expiry run): partial indexes
        # stay the size of what is open, not of all history.
        indexes = [
            models.Index(fields=["account"], condition=Q(remaining__gt=0), name="points_lot_open"),
            models.Index(
                fields=["expires_at"], condition=Q(remaining__gt=0), name="points_lot_due"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="points_lot_amount"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0, remaining__lte=F("amount")),
                name="points_lot_remaining",
            ),
        ]

    def __str__(self) -> str:
        return self.id


class LotMove(AppendOnly):
    """A change of a lot's ``remaining`` by a transfer (negative: taken; positive: returned).
    Like an entry, written with its transfer and without a database foreign key to it."""

    transfer = models.ForeignKey(
        Transfer,
        models.PROTECT,
        to_field="tid",
        related_name="+",
        db_column="transfer_tid",
        db_index=False,
        db_constraint=False,
    )
    lot = models.ForeignKey(Lot, models.PROTECT, related_name="+", db_index=False)
    amount = models.BigIntegerField()

    class Meta:
        verbose_name = _("points lot move")
        verbose_name_plural = _("points lot moves")
        indexes = [models.Index(fields=["lot"], name="points_lotmove_lot")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="points_lotmove_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.lot_id} {self.amount:+d}"


class ReversalTotal(models.Model):
    """How much of a posted transfer has been reversed so far."""

    transfer = models.OneToOneField(
        Transfer, models.PROTECT, to_field="tid", primary_key=True, related_name="+"
    )
    total = models.BigIntegerField()

    class Meta:
        verbose_name = _("points reversal total")
        verbose_name_plural = _("points reversal totals")
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="points_reversal_total"),
        ]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.total}"


# ---- the programme around the ledger ------------------------------------------------------


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


# ---- exchange of work units for points (exchange.py, programme.py) -------------------------


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


# ---- merchants, payments and settlement (merchants.py, payments.py, settlement.py) ---------


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
        ]

    def __str__(self) -> str:
        return str(self.public_id)
