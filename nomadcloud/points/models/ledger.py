"""The ledger's records in the database, mirroring ``nomadcloud.points.ledger.model``.

``DatabaseStore`` (book/store.py) is the only writer. Transfers, entries and lot moves are
append-only: the models refuse updates and deletes, and database triggers (migration 0002,
``book/triggers.py``) refuse them for every other client. CHECK constraints hold the invariants
that one row can express: positive amounts, non-negative balance fields, the limits of
constrained accounts, lots within 0…amount.
"""

from __future__ import annotations

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
