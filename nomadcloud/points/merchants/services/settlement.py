"""Daily settlement of merchants' points: published settlement rates, statements per
merchant, asset and zone day (``settings.TIME_ZONE``), and their CSV (see docs/points.md,
"Merchants, payments and settlement").

A statement of day D for a merchant and an asset counts

- **accepted**: the payments confirmed on D (and any confirmed earlier that no statement
  counted yet);
- **refunded**: refunds of those payments made before the statement was generated (their
  points never left the merchant's account), plus refunds made on D (or earlier, not yet
  counted) of payments settled before (their points came back from the settlement
  account);
- **net** = accepted − refunded (negative when refunds of earlier days outweigh the day),
  and **payable** = net × the rate in force on D, in CNY, rounded half up to the fen.

Generating it moves the merchant's points for those payments (accepted less the refunds
of them) from the merchant's account to the asset's settlement account in one ledger
transfer with the id ``settle:<merchant>:<asset>:<YYYYMMDD>``, in the same transaction as
the statement. So the merchant's balance is always what awaits settlement, and the
statement cannot exist without its transfer or the other way round. Statements are never
changed: generating again returns the one made (idempotent per merchant, asset and day).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.csv import safe_cell
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.points import access, book
from nomadcloud.points import models as m
from nomadcloud.points.ledger import Kind, SystemRole, TransferRequest
from nomadcloud.points.merchants import notices as merchant_notices
from nomadcloud.points.merchants.services.payments import lock_merchant, refusal
from nomadcloud.points.merchants.services.registry import account_of
from nomadcloud.points.programme import services as programme

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
MAX_RATE = Decimal("10000")
PRUNE_AFTER = timedelta(days=1)


# ---- zone days ---------------------------------------------------------------------------


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def today() -> date:
    return timezone.now().astimezone(zone()).date()


def yesterday() -> date:
    return today() - timedelta(days=1)


def day_of(instant: datetime) -> date:
    return instant.astimezone(zone()).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The zone day as [start, end) instants."""
    start = datetime.combine(day, time.min, tzinfo=zone())
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone())
    return start, end


# ---- rates -------------------------------------------------------------------------------


def rate_in_force(asset_code: str, day: date) -> m.SettlementRate | None:
    return (
        m.SettlementRate.objects.filter(asset_id=asset_code, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def rates() -> list[m.SettlementRate]:
    return list(m.SettlementRate.objects.order_by("asset_id", "-effective_from"))


def parse_rate(raw: object) -> Decimal:
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or value >= MAX_RATE:
        raise invalid_field(
            "cny_per_point",
            _("Enter the CNY paid for one point, greater than 0 and below 10,000."),
            code="rate_invalid",
        )
    if value != value.quantize(RATE_PLACES):
        raise invalid_field("cny_per_point", _("At most 4 decimal places."), code="rate_invalid")
    return value.quantize(RATE_PLACES)


@transaction.atomic
def publish_rate(
    *, principal: Principal, asset: m.Asset, effective_from: date, cny_per_point: object
) -> m.SettlementRate:
    """Publish (or, for a day no statement used yet, replace) the settlement rate of an
    asset from a zone day on. A rate can never change a statement: days that already have
    a statement of the asset (that day or later) are refused."""
    user = access.operator(principal, write=True)
    rate = parse_rate(cny_per_point)
    if not m.Scenario.objects.filter(asset=asset).exists():
        raise invalid_field(
            "asset", _("Points of this kind cannot be spent at merchants."), code="asset_unknown"
        )
    if effective_from > today() + timedelta(days=5 * 366):
        raise invalid_field("effective_from", _("Choose a day within five years."))
    settled = (
        m.Statement.objects.filter(asset=asset, day__gte=effective_from)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    if settled is not None:
        raise Conflict(
            _(
                "Statements up to %(day)s were made with the rate then in force; publish a "
                "rate from a later day."
            )
            % {"day": settled.isoformat()},
            code="rate_settled",
        )
    existing = m.SettlementRate.objects.filter(asset=asset, effective_from=effective_from).first()
    before = {"cny_per_point": str(existing.cny_per_point)} if existing else None
    if existing is None:
        row = m.SettlementRate.objects.create(
            asset=asset,
            effective_from=effective_from,
            cny_per_point=rate,
            published_by=user,
            published_at=timezone.now(),
        )
    else:
        existing.cny_per_point = rate
        existing.published_by = user
        existing.published_at = timezone.now()
        existing.save()
        row = existing
    audit.record(
        actor=user,
        action="points.settlement_rate_published",
        obj=row,
        before=before,
        after={
            "asset": asset.code,
            "effective_from": effective_from.isoformat(),
            "cny_per_point": str(rate),
        },
        token=principal.token,
    )
    return row


def cny_value(points: int, scale: int, rate: Decimal) -> Decimal:
    """``points`` (smallest units) × CNY per point, rounded half up to the fen."""
    return (Decimal(points).scaleb(-scale) * rate).quantize(CENT, rounding=ROUND_HALF_UP)


# ---- statements --------------------------------------------------------------------------


@dataclass
class SettlementRun:
    """What one run did: statements made (or found made before), and the asset-days left
    unsettled because no settlement rate was in force."""

    statements: list[m.Statement] = field(default_factory=list)
    created: int = 0
    missing_rates: list[tuple[str, date]] = field(default_factory=list)


def _merchant_account(merchant: m.Merchant, asset_code: str) -> str:
    if merchant.scenario.asset_id == asset_code:
        return account_of(merchant)
    return book.organisation_account(merchant.organisation, asset_code)


def settle_merchant_day(merchant: m.Merchant, asset: m.Asset, day: date) -> m.Statement | None:
    """The statement of the merchant's ``asset`` points for ``day``: made once, with its
    ledger transfer, or the one made before. None when there was nothing to settle."""
    _start, end = day_bounds(day)
    with transaction.atomic():
        lock_merchant(merchant)
        existing = m.Statement.objects.filter(merchant=merchant, asset=asset, day=day).first()
        if existing is not None:
            return existing
        payments = list(
            m.Payment.objects.filter(
                merchant=merchant,
                asset=asset,
                status=m.Payment.Status.CONFIRMED,
                statement__isnull=True,
                resolved_at__lt=end,
            ).order_by("resolved_at", "id")
        )
        refunds = list(
            m.Refund.objects.filter(statement__isnull=True)
            .filter(
                Q(payment__in=payments, from_settlement=False)
                | Q(
                    payment__merchant=merchant,
                    payment__asset=asset,
                    from_settlement=True,
                    created_at__lt=end,
                )
            )
            .order_by("created_at", "id")
        )
        if not payments and not refunds:
            return None
        rate = rate_in_force(asset.code, day)
        if rate is None:
            raise RateMissing(asset.code, day)
        accepted = sum(p.amount for p in payments)
        refunded = sum(r.amount for r in refunds)
        refunded_before = sum(r.amount for r in refunds if not r.from_settlement)
        settled_points = accepted - refunded_before
        transfer_id = ""
        if settled_points > 0:
            transfer_id = f"settle:{merchant.organisation.public_id.hex}:{asset.code}:{day:%Y%m%d}"
            merchant_account = _merchant_account(merchant, asset.code)
            ledger = book.ledger()
            result = ledger.submit(
                [
                    TransferRequest(
                        id=transfer_id,
                        kind=Kind.TRANSFER,
                        debit_account=merchant_account,
                        credit_account=ledger.system_account(
                            SystemRole.SETTLEMENT, asset.code, merchant_account
                        ),
                        amount=settled_points,
                        code=merchant_notices.SETTLEMENT,
                        reference=day.isoformat(),
                    )
                ]
            )[0]
            if not result.ok:
                raise refusal(result)
        net = accepted - refunded
        statement = m.Statement.objects.create(
            merchant=merchant,
            asset=asset,
            day=day,
            rate=rate.cny_per_point,
            rate_effective_from=rate.effective_from,
            payments=len(payments),
            refunds=len(refunds),
            accepted=accepted,
            refunded=refunded,
            net=net,
            payable_cny=cny_value(net, asset.scale, rate.cny_per_point),
            settled_points=settled_points,
            transfer_id=transfer_id,
            created_at=timezone.now(),
        )
        m.Payment.objects.filter(pk__in=[p.pk for p in payments]).update(statement=statement)
        m.Refund.objects.filter(pk__in=[r.pk for r in refunds]).update(statement=statement)
    return statement


class RateMissing(Exception):
    def __init__(self, asset: str, day: date) -> None:
        super().__init__(f"no settlement rate for {asset} on {day}")
        self.asset = asset
        self.day = day


def _due(before: date) -> set[tuple[int, str, date]]:
    """(merchant, asset, day) with activity not yet settled, for days before ``before``."""
    start, _end = day_bounds(before)
    due: set[tuple[int, str, date]] = set()
    payments = m.Payment.objects.filter(
        status=m.Payment.Status.CONFIRMED, statement__isnull=True, resolved_at__lt=start
    ).values_list("merchant_id", "asset_id", "resolved_at")
    for merchant_id, asset_id, at in payments:
        if at is not None:
            due.add((merchant_id, asset_id, day_of(at)))
    refunds = m.Refund.objects.filter(
        statement__isnull=True, from_settlement=True, created_at__lt=start
    ).values_list("payment__merchant_id", "payment__asset_id", "created_at")
    for merchant_id, asset_id, at in refunds:
        due.add((merchant_id, asset_id, day_of(at)))
    return due


def settle(day: date | None = None, *, now: datetime | None = None) -> SettlementRun:
    """The scheduled job: statements for every merchant with activity on ``day`` (default:
    every day before today that still has unsettled activity, so a missed run catches up).
    Only days that have ended (in the zone) are settled. An asset without a settlement rate
    for a day stays unsettled from that day on (so a rate published later for that day can
    still apply), and is reported. ``now``: the job's clock (tests run it "tomorrow")."""
    current = (now or timezone.now()).astimezone(zone()).date()
    if day is not None and day >= current:
        raise invalid_field(
            "date", _("Only days that have ended can be settled."), code="day_not_ended"
        )
    due = sorted(_due(current), key=lambda d: (d[2], d[1], d[0]))
    blocked: dict[str, date] = {}
    run = SettlementRun()
    merchants = {mr.pk: mr for mr in m.Merchant.objects.select_related("organisation", "scenario")}
    assets = {a.code: a for a in m.Asset.objects.all()}
    for merchant_id, asset_code, due_day in due:
        if asset_code in blocked and due_day >= blocked[asset_code]:
            continue
        if day is not None and due_day != day:
            if due_day < day and rate_in_force(asset_code, due_day) is None:
                blocked.setdefault(asset_code, due_day)
            continue
        before = m.Statement.objects.filter(
            merchant_id=merchant_id, asset_id=asset_code, day=due_day
        ).exists()
        try:
            statement = settle_merchant_day(merchants[merchant_id], assets[asset_code], due_day)
        except RateMissing:
            blocked.setdefault(asset_code, due_day)
            if (asset_code, due_day) not in run.missing_rates:
                run.missing_rates.append((asset_code, due_day))
            continue
        if statement is not None:
            run.statements.append(statement)
            run.created += 0 if before else 1
    for asset_code, blocked_day in blocked.items():
        if (asset_code, blocked_day) not in run.missing_rates:
            run.missing_rates.append((asset_code, blocked_day))
    return run


def prune(now: datetime | None = None) -> int:
    """Delete payment codes and refused-code records older than a day (housekeeping)."""
    cutoff = (now or timezone.now()) - PRUNE_AFTER
    codes, _ = m.PaymentCode.objects.filter(expires_at__lt=cutoff).delete()
    failures, _ = m.CodeFailure.objects.filter(at__lt=cutoff).delete()
    return codes + failures


def expire_payments(now: datetime | None = None) -> int:
    """Mark holds past their timeout as timed out (the ledger refuses to post them anyway;
    its own sweep returns the points)."""
    return m.Payment.objects.filter(
        status=m.Payment.Status.HELD, expires_at__lte=now or timezone.now()
    ).update(status=m.Payment.Status.EXPIRED)


# ---- the lines of a statement (pages and CSV) -------------------------------------------


@dataclass(frozen=True)
class Line:
    kind: str  # payment | refund
    reference: str
    at: datetime
    points: int  # signed: payments +, refunds −
    note: str = ""


def lines(statement: m.Statement) -> list[Line]:
    """The payments and refunds a statement counts, in time order."""
    rows = [
        Line("payment", str(p.public_id), p.resolved_at or p.created_at, p.amount)
        for p in statement.payment_rows.all()
    ]
    rows += [
        Line(
            "refund",
            str(r.public_id),
            r.created_at,
            -r.amount,
            "after settlement" if r.from_settlement else "",
        )
        for r in statement.refund_rows.all()
    ]
    return sorted(rows, key=lambda line: (line.at, line.kind != "payment", line.reference))


# ---- CSV ---------------------------------------------------------------------------------

STATEMENT_COLUMNS = [
    "statement",
    "merchant",
    "merchant_id",
    "day",
    "asset",
    "line",
    "reference",
    "time",
    "points",
    "cny_per_point",
    "cny",
]
DAY_COLUMNS = [
    "statement",
    "merchant",
    "merchant_id",
    "scenario",
    "day",
    "asset",
    "payments",
    "refunds",
    "accepted",
    "refunded",
    "net",
    "cny_per_point",
    "payable_cny",
    "settled_points",
    "transfer",
]


def _csv(header: list[str], rows: Iterable[list[object]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # a byte-order mark, so that Excel reads UTF-8 Chinese
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _local(instant: datetime) -> str:
    return instant.astimezone(zone()).isoformat(timespec="seconds")


def statement_csv(statement: m.Statement) -> str:
    """One statement: its payments and refunds (points signed), then the lines accepted,
    refunded and net — the net line carries the CNY payable. Amounts are numbers (points in
    display units, CNY with two places); the header is stable (docs/points.md)."""
    scale = statement.asset.scale
    merchant = statement.merchant.organisation
    head: list[object] = [
        str(statement.public_id),
        safe_cell(merchant),
        str(merchant.public_id),
        statement.day.isoformat(),
        statement.asset_id,
    ]

    def points(n: int) -> str:
        return programme.format_amount(n, scale)

    rows: list[list[object]] = [
        [*head, line.kind, safe_cell(line.reference), _local(line.at), points(line.points), "", ""]
        for line in lines(statement)
    ]
    rows.append([*head, "accepted", "", "", points(statement.accepted), "", ""])
    rows.append([*head, "refunded", "", "", points(-statement.refunded), "", ""])
    rows.append(
        [
            *head,
            "net",
            "",
            "",
            points(statement.net),
            str(statement.rate),
            str(statement.payable_cny),
        ]
    )
    return _csv(STATEMENT_COLUMNS, rows)


def statements_csv(statements: Iterable[m.Statement]) -> str:
    """One row per statement (the operator's day of all merchants)."""
    rows: list[list[object]] = []
    for s in statements:
        scale = s.asset.scale
        org = s.merchant.organisation
        rows.append(
            [
                str(s.public_id),
                safe_cell(org),
                str(org.public_id),
                s.merchant.scenario.code,
                s.day.isoformat(),
                s.asset_id,
                s.payments,
                s.refunds,
                programme.format_amount(s.accepted, scale),
                programme.format_amount(s.refunded, scale),
                programme.format_amount(s.net, scale),
                str(s.rate),
                str(s.payable_cny),
                programme.format_amount(s.settled_points, scale),
                s.transfer_id,
            ]
        )
    return _csv(DAY_COLUMNS, rows)


def csv_filename(statement: m.Statement) -> str:
    merchant = statement.merchant.organisation.public_id.hex[:8]
    return f"settlement-{statement.day.isoformat()}-{statement.asset_id}-{merchant}.csv"


def parse_day(raw: object, field_name: str = "date") -> date:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise invalid_field(
            field_name, _("Enter a date as YYYY-MM-DD."), code="date_invalid"
        ) from None
