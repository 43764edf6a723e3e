"""Reads of the points programme: the scenarios, the rates, earning rules and campaigns in
force and their history, the programme operators; and the zone operator's reports — the
outstanding liability per asset, the expiry forecast for the next twelve months, and the
shortfalls left by revoked proofs of work."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, CharField, OuterRef, Subquery, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.core.errors import NotFound, invalid_field
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.ledger import HoldStatus
from nomadcloud.points.programme import services as programme

# ---- scenarios, rates, rules, campaigns, programme operators ---------------------------


def scenario_for(code: str, *, active_only: bool = True) -> m.Scenario:
    found = m.Scenario.objects.select_related("asset").filter(code=str(code)[:40]).first()
    if found is None or (active_only and not found.active):
        raise invalid_field("scenario", _("No such consumption scenario."), code="unknown_scenario")
    return found


def scenario_by_code(code: str) -> m.Scenario:
    """A scenario named in a URL (operator pages and API), active or not; NotFound if none."""
    found = m.Scenario.objects.filter(code=str(code)[:40]).first()
    if found is None:
        raise NotFound(_("No such consumption scenario."))
    return found


def scenarios(*, active_only: bool = True) -> list[m.Scenario]:
    rows = m.Scenario.objects.select_related("asset")
    if active_only:
        rows = rows.filter(active=True)
    return list(rows)


def rate_in_force(scenario: m.Scenario, at: datetime | None = None) -> m.Rate | None:
    """The rate with the latest ``valid_from`` not after ``at`` (the later published wins a
    tie)."""
    at = at or timezone.now()
    return (
        m.Rate.objects.filter(scenario=scenario, valid_from__lte=at)
        .order_by("-valid_from", "-id")
        .first()
    )


def rates_in_force(at: datetime | None = None) -> list[tuple[m.Scenario, m.Rate]]:
    """The rate in force of every active scenario that has one."""
    at = at or timezone.now()
    return with_rates(scenarios(), at)


def with_rates(
    rows: list[m.Scenario], at: datetime | None = None
) -> list[tuple[m.Scenario, m.Rate]]:
    """The scenarios that have a rate in force at ``at``, each with it (two queries)."""
    at = at or timezone.now()
    latest = (
        m.Rate.objects.filter(scenario=OuterRef("pk"), valid_from__lte=at)
        .order_by("-valid_from", "-id")
        .values("pk")[:1]
    )
    ids = dict(
        m.Scenario.objects.filter(pk__in=[s.pk for s in rows])
        .annotate(rate_id=Subquery(latest))
        .values_list("pk", "rate_id")
    )
    rates = m.Rate.objects.in_bulk([i for i in ids.values() if i is not None])
    return [(s, rates[ids[s.pk]]) for s in rows if ids.get(s.pk) in rates]


def rate_history(scenario: m.Scenario | None = None) -> list[m.Rate]:
    rows = m.Rate.objects.select_related("scenario", "published_by")
    if scenario is not None:
        rows = rows.filter(scenario=scenario)
    return list(rows.order_by("-valid_from", "-id")[:500])


def rule_in_force(asset_code: str, at: datetime | None = None) -> m.EarningRule | None:
    at = at or timezone.now()
    return (
        m.EarningRule.objects.filter(asset_id=asset_code, valid_from__lte=at)
        .order_by("-valid_from", "-version")
        .first()
    )


def rule_history(asset_code: str | None = None) -> list[m.EarningRule]:
    rows = m.EarningRule.objects.select_related("published_by")
    if asset_code is not None:
        rows = rows.filter(asset_id=asset_code)
    return list(rows.order_by("asset_id", "-version")[:500])


def _latest_per_code(rows: Iterable[m.Campaign]) -> list[m.Campaign]:
    latest: dict[str, m.Campaign] = {}
    for row in rows:
        current = latest.get(row.code)
        if current is None or (row.valid_from, row.version) > (current.valid_from, current.version):
            latest[row.code] = row
    return sorted(latest.values(), key=lambda c: (c.starts_at, c.code))


def campaigns_in_force(
    asset_code: str, scenario: m.Scenario | None, at: datetime | None = None
) -> list[m.Campaign]:
    """The campaign versions giving a bonus on an exchange into ``asset_code`` (and
    ``scenario``) at ``at``: per code the latest version in force, if active, in its window."""
    at = at or timezone.now()
    current = _latest_per_code(m.Campaign.objects.filter(valid_from__lte=at))
    return [
        c
        for c in current
        if c.active
        and c.asset_id == asset_code
        and c.starts_at <= at < c.ends_at
        and (c.scenario_id is None or (scenario is not None and c.scenario_id == scenario.pk))
    ]


def current_campaigns(at: datetime | None = None) -> list[m.Campaign]:
    """Per code the latest version in force (active or not), for the operator's page."""
    at = at or timezone.now()
    return _latest_per_code(
        m.Campaign.objects.select_related("scenario").filter(valid_from__lte=at)
    )


def campaign_history() -> list[m.Campaign]:
    return list(
        m.Campaign.objects.select_related("scenario", "published_by").order_by("code", "-version")[
            :500
        ]
    )


def programme_operators() -> list[m.ProgrammeOperator]:
    return list(
        m.ProgrammeOperator.objects.select_related("organisation").order_by(
            "asset_id", "organisation__name_en"
        )
    )


def programme_assets(organisation: Organisation) -> frozenset[str]:
    """The assets an organisation is authorised to post transfers of."""
    return frozenset(
        m.ProgrammeOperator.objects.filter(organisation=organisation, active=True).values_list(
            "asset_id", flat=True
        )
    )


# ---- reports -----------------------------------------------------------------------------

FORECAST_MONTHS = 12


@dataclass
class Liability:
    """What an asset's holders hold (posted), equal to minus the sum of its system accounts,
    broken down; ``locked`` (pending credits of exchanges under a lock period) comes on top."""

    asset: m.Asset
    label: str
    system_total: int
    persons: int
    persons_held: int
    persons_expired: int
    organisations: int
    others: int
    locked: int

    @property
    def outstanding(self) -> int:
        return -self.system_total

    @property
    def persons_spendable(self) -> int:
        return self.persons - self.persons_held - self.persons_expired

    @property
    def with_locked(self) -> int:
        return self.outstanding + self.locked

    @property
    def balanced(self) -> bool:
        """Holders' balances add up to minus the system accounts (double entry)."""
        return self.persons + self.organisations + self.others == self.outstanding

    def fmt(self, amount: int) -> str:
        return programme.format_amount(amount, self.asset.scale)

    @property
    def outstanding_display(self) -> str:
        return self.fmt(self.outstanding)

    @property
    def spendable_display(self) -> str:
        return self.fmt(self.persons_spendable)

    @property
    def held_display(self) -> str:
        return self.fmt(self.persons_held)

    @property
    def expired_display(self) -> str:
        return self.fmt(self.persons_expired)

    @property
    def organisations_display(self) -> str:
        return self.fmt(self.organisations)

    @property
    def others_display(self) -> str:
        return self.fmt(self.others)

    @property
    def locked_display(self) -> str:
        return self.fmt(self.locked)


def liability() -> list[Liability]:
    programme.ensure_assets()
    now = timezone.now()
    assets = list(m.Asset.objects.order_by("code"))
    system = {
        row["asset_id"]: int(row["c"] or 0) - int(row["d"] or 0)
        for row in m.Account.objects.exclude(system_role="")
        .values("asset_id")
        .annotate(c=Sum("credits_posted"), d=Sum("debits_posted"))
    }
    group = Case(
        When(holder__startswith="u:", then=Value("person")),
        When(holder__startswith="o:", then=Value("organisation")),
        default=Value("other"),
        output_field=CharField(),
    )
    holders: dict[tuple[str, str], dict[str, int]] = {}
    for row in (
        m.Account.objects.filter(system_role="")
        .annotate(group=group)
        .values("asset_id", "group")
        .annotate(
            c=Sum("credits_posted"),
            d=Sum("debits_posted"),
            held=Sum("debits_pending"),
            incoming=Sum("credits_pending"),
        )
    ):
        holders[(row["asset_id"], row["group"])] = {
            "balance": int(row["c"] or 0) - int(row["d"] or 0),
            "held": int(row["held"] or 0),
            "incoming": int(row["incoming"] or 0),
        }
    expired = {
        row["asset_id"]: int(row["total"] or 0)
        for row in m.Lot.objects.filter(
            remaining__gt=0, expires_at__lte=now, account__holder__startswith="u:"
        )
        .values("asset_id")
        .annotate(total=Sum("remaining"))
    }
    empty = {"balance": 0, "held": 0, "incoming": 0}
    labels = programme.asset_labels()
    found = []
    for asset in assets:
        person = holders.get((asset.code, "person"), empty)
        found.append(
            Liability(
                asset=asset,
                label=labels.get(asset.code, asset.code),
                system_total=system.get(asset.code, 0),
                persons=person["balance"],
                persons_held=person["held"],
                persons_expired=expired.get(asset.code, 0),
                organisations=holders.get((asset.code, "organisation"), empty)["balance"],
                others=holders.get((asset.code, "other"), empty)["balance"],
                locked=person["incoming"],
            )
        )
    return found


@dataclass
class ForecastRow:
    asset: m.Asset
    label: str
    overdue: int
    """Expired, not yet swept by the expiry job."""
    months: list[tuple[str, int, int]] = field(default_factory=list)
    """``(YYYY-MM, open lots expiring, locked points that will expire)`` for 12 months."""

    def fmt(self, amount: int) -> str:
        return programme.format_amount(amount, self.asset.scale)

    @property
    def total(self) -> int:
        return sum(a + b for _m, a, b in self.months)


def _month_starts(now: datetime, count: int) -> list[datetime]:
    local = timezone.localtime(now, ZoneInfo(settings.TIME_ZONE))
    year, month = local.year, local.month
    starts = []
    for i in range(count + 1):
        y, mo = year + (month - 1 + i) // 12, (month - 1 + i) % 12 + 1
        starts.append(datetime(y, mo, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)))
    return starts


def forecast(now: datetime | None = None, months: int = FORECAST_MONTHS) -> list[ForecastRow]:
    """Per asset that expires: points expiring in each of the next ``months`` calendar months
    (this month first; the zone's time zone), from open lots and from locked credits."""
    now = now or timezone.now()
    starts = _month_starts(now, months)
    horizon = starts[-1]
    lots: dict[str, list[tuple[datetime, int]]] = {}
    for code, at, total in (
        m.Lot.objects.filter(remaining__gt=0, expires_at__isnull=False, expires_at__lt=horizon)
        .values("asset_id", "expires_at")
        .annotate(total=Sum("remaining"))
        .values_list("asset_id", "expires_at", "total")
    ):
        if at is not None:
            lots.setdefault(code, []).append((at, int(total)))
    locked: dict[str, list[tuple[datetime, int]]] = {}
    for code, at, total in (
        m.Hold.objects.filter(
            status=HoldStatus.PENDING.value,
            lot_expires_at__isnull=False,
            lot_expires_at__lt=horizon,
        )
        .values("asset_id", "lot_expires_at")
        .annotate(total=Sum("amount"))
        .values_list("asset_id", "lot_expires_at", "total")
    ):
        if at is not None:
            locked.setdefault(code, []).append((at, int(total)))
    rows: list[ForecastRow] = []
    labels = programme.asset_labels()
    for asset in m.Asset.objects.exclude(code=book.WORK_UNITS).order_by("code"):
        overdue = sum(n for at, n in lots.get(asset.code, []) if at <= now)
        row = ForecastRow(asset, labels.get(asset.code, asset.code), overdue)
        for start, end in itertools.pairwise(starts):
            lots_here = lots.get(asset.code, [])
            in_lots = sum(n for at, n in lots_here if start <= at < end and at > now)
            in_locked = sum(n for at, n in locked.get(asset.code, []) if start <= at < end)
            row.months.append((f"{start.year:04d}-{start.month:02d}", in_lots, in_locked))
        rows.append(row)
    return rows


def shortfalls() -> list[m.WorkUnitCredit]:
    """Revoked proofs of work whose work units had been exchanged before: what could not be
    taken back."""
    return list(
        m.WorkUnitCredit.objects.filter(shortfall__gt=0)
        .select_related("user")
        .order_by("-revoked_at")[:500]
    )
