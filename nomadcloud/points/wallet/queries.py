"""Reads of a person's wallet (their accounts as holder ``u:<public id>``): balances per asset,
lots in spending order, what expires when, history with localized reasons, and monthly
statements. Only the person's own accounts are ever read here."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.core.csv import safe_cell
from nomadcloud.core.errors import invalid_field
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.book.history import label as reason_label
from nomadcloud.points.ledger import HoldStatus, Kind
from nomadcloud.points.programme import services as programme

HISTORY_PAGE = 50


def _fmt(amount: int, asset: m.Asset) -> str:
    return programme.format_amount(amount, asset.scale)


def person_accounts(user: User) -> list[m.Account]:
    return list(
        m.Account.objects.filter(holder=book.person_holder(user))
        .select_related("asset")
        .order_by("asset_id")
    )


@dataclass
class Balance:
    asset: m.Asset
    label: str
    account: str
    balance: int
    available: int
    held: int
    """In payment holds (pending debits): part of the balance, not spendable."""
    locked: int
    """Credited by exchanges under a lock period (pending credits): not yet in the balance."""

    def fmt(self, amount: int) -> str:
        return _fmt(amount, self.asset)

    @property
    def balance_display(self) -> str:
        return self.fmt(self.balance)

    @property
    def available_display(self) -> str:
        return self.fmt(self.available)

    @property
    def held_display(self) -> str:
        return self.fmt(self.held)

    @property
    def locked_display(self) -> str:
        return self.fmt(self.locked)


def balances(user: User) -> list[Balance]:
    """Per asset: work units and zone points always (zero until credited), then every asset
    the person holds."""
    programme.ensure_assets()
    accounts = {a.asset_id: a for a in person_accounts(user)}
    built_in = [book.WORK_UNITS, book.ZONE_POINTS]
    codes = [*built_in, *sorted(c for c in accounts if c not in built_in)]
    assets = m.Asset.objects.in_bulk(codes)
    labels = programme.asset_labels()
    found = []
    for code in codes:
        account = accounts.get(code)
        asset = account.asset if account is not None else assets[code]
        if account is None:
            found.append(Balance(asset, labels.get(code, code), "", 0, 0, 0, 0))
            continue
        balance = account.credits_posted - account.debits_posted
        found.append(
            Balance(
                asset=asset,
                label=labels.get(code, code),
                account=account.id,
                balance=balance,
                available=balance - account.debits_pending,
                held=account.debits_pending,
                locked=account.credits_pending,
            )
        )
    return found


@dataclass
class LotLine:
    asset: m.Asset
    lot: m.Lot
    expired: bool

    @property
    def remaining_display(self) -> str:
        return _fmt(self.lot.remaining, self.asset)

    @property
    def amount_display(self) -> str:
        return _fmt(self.lot.amount, self.asset)


def lots(user: User, asset_code: str | None = None) -> list[LotLine]:
    """Open lots in spending order per asset (soonest expiry first, never-expiring last)."""
    now = timezone.now()
    rows = m.Lot.objects.filter(
        account__holder=book.person_holder(user), remaining__gt=0
    ).select_related("asset")
    if asset_code:
        rows = rows.filter(asset_id=asset_code)
    ordered = sorted(
        rows,
        key=lambda lot: (
            lot.asset_id,
            lot.expires_at is None,
            lot.expires_at or lot.created_at,
            lot.created_at,
            lot.id,
        ),
    )
    return [
        LotLine(lot.asset, lot, lot.expires_at is not None and lot.expires_at <= now)
        for lot in ordered
    ]


@dataclass
class ExpiryLine:
    asset: m.Asset
    expires_at: datetime
    amount: int
    locked: bool
    """Points still locked (they will form a lot with this expiry when released)."""
    expired: bool

    @property
    def amount_display(self) -> str:
        return _fmt(self.amount, self.asset)


def expiry_statement(user: User) -> list[ExpiryLine]:
    """What will expire when: open lots summed per asset and instant, soonest first, and the
    locked points with the expiry they will carry."""
    now = timezone.now()
    holder = book.person_holder(user)
    sums: dict[tuple[str, datetime, bool], int] = {}
    lots = (
        m.Lot.objects.filter(account__holder=holder, remaining__gt=0, expires_at__isnull=False)
        .values("asset_id", "expires_at")
        .annotate(total=Sum("remaining"))
        .values_list("asset_id", "expires_at", "total")
    )
    holds = (
        m.Hold.objects.filter(
            credit_account__holder=holder,
            status=HoldStatus.PENDING.value,
            lot_expires_at__isnull=False,
        )
        .values("asset_id", "lot_expires_at")
        .annotate(total=Sum("amount"))
        .values_list("asset_id", "lot_expires_at", "total")
    )
    for locked, rows in ((False, lots), (True, holds)):
        for code, at, total in rows:
            if at is not None:
                key = (code, at, locked)
                sums[key] = sums.get(key, 0) + int(total)
    assets = m.Asset.objects.in_bulk({k[0] for k in sums})
    return [
        ExpiryLine(assets[code], at, amount, locked, at <= now)
        for (code, at, locked), amount in sorted(sums.items(), key=lambda i: (i[0][1], i[0][0]))
    ]


@dataclass
class HistoryLine:
    seq: int
    tid: str
    kind: str
    code: str
    asset: m.Asset
    timestamp: datetime
    amount: int
    """Signed, as the person sees it: + received, − paid."""
    reason: str
    reference: str
    pending: bool
    """A hold still pending: not (yet) settled either way."""
    hold_status: str = ""
    """For a hold: pending, posted, voided or expired."""

    @property
    def amount_display(self) -> str:
        text = _fmt(abs(self.amount), self.asset)
        return ("+" if self.amount >= 0 else "−") + text


def history(
    user: User, *, asset_code: str | None = None, before: int | None = None, limit: int = 50
) -> tuple[list[HistoryLine], int | None]:
    """The person's transfers, newest first: ``before`` a sequence number (paging); returns
    the lines and the cursor of the next page (``None``: no more)."""
    ids = [a.id for a in person_accounts(user) if not asset_code or a.asset_id == asset_code]
    if not ids:
        return [], None
    rows = m.Transfer.objects.filter(
        Q(debit_account_id__in=ids) | Q(credit_account_id__in=ids)
    ).select_related("asset")
    if before is not None:
        rows = rows.filter(seq__lt=before)
    found = list(rows.order_by("-seq")[: limit + 1])
    more = len(found) > limit
    owned = set(ids)
    holds = dict(
        m.Hold.objects.filter(
            id__in=[t.tid for t in found[:limit] if t.kind == Kind.HOLD]
        ).values_list("id", "status")
    )
    lines = []
    for t in found[:limit]:
        incoming = t.credit_account_id in owned
        sign = 1 if incoming else -1
        if t.kind in (Kind.VOID, Kind.EXPIRE_PENDING):
            sign = -sign  # a cancelled hold returns: the debit side gets it back
        lines.append(
            HistoryLine(
                seq=t.seq,
                tid=t.tid,
                kind=t.kind,
                code=t.code,
                asset=t.asset,
                timestamp=t.timestamp,
                amount=sign * t.amount,
                reason=reason_label(t.kind, t.code),
                reference=t.reference,
                pending=holds.get(t.tid) == HoldStatus.PENDING,
                hold_status=holds.get(t.tid, ""),
            )
        )
    return lines, (found[limit - 1].seq if more else None)


# ---- monthly statements ------------------------------------------------------------------


def parse_month(value: str | None, field: str = "month") -> tuple[int, int]:
    """``YYYY-MM`` (default: this month, in the zone's time zone)."""
    if not value:
        today = timezone.localdate()
        return today.year, today.month
    try:
        year_text, month_text = value.split("-")
        year, month = int(year_text), int(month_text)
    except ValueError:
        raise invalid_field(field, _("Enter a month as YYYY-MM.")) from None
    if not (2000 <= year <= 2100 and 1 <= month <= 12) or len(value) != 7:
        raise invalid_field(field, _("Enter a month as YYYY-MM."))
    return year, month


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, end


@dataclass
class StatementLine:
    asset: m.Asset
    label: str
    opening: int
    credits: int
    debits: int

    @property
    def closing(self) -> int:
        return self.opening + self.credits - self.debits

    def fmt(self, amount: int) -> str:
        return _fmt(amount, self.asset)

    @property
    def opening_display(self) -> str:
        return self.fmt(self.opening)

    @property
    def credits_display(self) -> str:
        return self.fmt(self.credits)

    @property
    def debits_display(self) -> str:
        return self.fmt(self.debits)

    @property
    def closing_display(self) -> str:
        return self.fmt(self.closing)


@dataclass
class Statement:
    year: int
    month: int
    lines: list[StatementLine]
    transfers: list[HistoryLine]

    @property
    def month_text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def statement(user: User, year: int, month: int) -> Statement:
    """Per asset: the posted balance at the start of the month, what came in and went out
    during it, and the balance at its end (holds count once confirmed)."""
    start, end = month_bounds(year, month)
    accounts = person_accounts(user)
    labels = programme.asset_labels()
    before = Q(transfer__timestamp__lt=start)
    during = Q(transfer__timestamp__gte=start, transfer__timestamp__lt=end)
    sums = {
        row["account_id"]: row
        for row in m.Entry.objects.filter(account__in=[a.id for a in accounts])
        .values("account_id")
        .annotate(
            opening_c=Sum("credits_posted", filter=before),
            opening_d=Sum("debits_posted", filter=before),
            c=Sum("credits_posted", filter=during),
            d=Sum("debits_posted", filter=during),
        )
    }
    lines = []
    for account in accounts:
        row = sums.get(account.id, {})
        lines.append(
            StatementLine(
                asset=account.asset,
                label=labels.get(account.asset_id, account.asset_id),
                opening=int(row.get("opening_c") or 0) - int(row.get("opening_d") or 0),
                credits=int(row.get("c") or 0),
                debits=int(row.get("d") or 0),
            )
        )
    transfers: list[HistoryLine] = []
    ids = [a.id for a in accounts]
    if ids:
        rows = (
            m.Transfer.objects.filter(Q(debit_account_id__in=ids) | Q(credit_account_id__in=ids))
            .filter(timestamp__gte=start, timestamp__lt=end)
            .exclude(kind=Kind.HOLD)
            .select_related("asset")
            .order_by("seq")
        )
        owned = set(ids)
        for t in rows[:5000]:
            if t.kind in (Kind.VOID, Kind.EXPIRE_PENDING):
                continue  # a hold that came to nothing moves no posted balance
            sign = 1 if t.credit_account_id in owned else -1
            transfers.append(
                HistoryLine(
                    t.seq,
                    t.tid,
                    t.kind,
                    t.code,
                    t.asset,
                    t.timestamp,
                    sign * t.amount,
                    reason_label(t.kind, t.code),
                    t.reference,
                    False,
                )
            )
    return Statement(year, month, lines, transfers)


def statement_csv(user: User, year: int, month: int) -> str:
    """The monthly statement as CSV: one summary row per asset, then the month's transfers."""
    st = statement(user, year, month)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Statement"), st.month_text, safe_cell(user.display_name or user.pseudonym)])
    writer.writerow(
        [_("Asset"), _("Opening balance"), _("Credits"), _("Debits"), _("Closing balance")]
    )
    for line in st.lines:
        writer.writerow(
            [
                line.asset.code,
                line.fmt(line.opening),
                line.fmt(line.credits),
                line.fmt(line.debits),
                line.fmt(line.closing),
            ]
        )
    writer.writerow([])
    writer.writerow(
        [_("Time"), _("Asset"), _("Points amount"), _("What for"), _("Reference"), _("Id")]
    )
    for t in st.transfers:
        writer.writerow(
            [
                timezone.localtime(t.timestamp).strftime("%Y-%m-%d %H:%M:%S"),
                t.asset.code,
                t.amount_display.replace("−", "-"),
                safe_cell(t.reason),
                safe_cell(t.reference),
                t.tid,
            ]
        )
    return out.getvalue()


def zone_points_of(user: User) -> str:
    """The person's zone points balance, formatted (one query)."""
    account = (
        m.Account.objects.filter(holder=book.person_holder(user), asset_id=book.ZONE_POINTS)
        .select_related("asset")
        .first()
    )
    if account is None:
        return "0"
    return _fmt(account.credits_posted - account.debits_posted, account.asset)
