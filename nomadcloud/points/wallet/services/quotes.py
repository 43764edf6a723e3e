"""Quotes: what an exchange of work units would give at the rate in force, with each cap and what
is left of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.core.errors import Conflict, DomainError, invalid_field
from nomadcloud.core.i18n import localized
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.programme import queries as programme_queries
from nomadcloud.points.programme import services as programme

from .base import WU, WU_SCALE, _local

# ---- quotes ------------------------------------------------------------------------------


PERIODS = ("day", "week", "month")


def period_start(period: str, now: datetime) -> datetime:
    """The start of the calendar day, week (Monday) or month containing ``now``, in the
    zone's time zone."""
    local = _local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        local -= timedelta(days=local.weekday())
    elif period == "month":
        local = local.replace(day=1)
    return local


def period_label(period: str) -> str:
    return {"day": _("today"), "week": _("this week"), "month": _("this month")}[period]


@dataclass
class CapLine:
    period: str
    cap: int
    earned: int

    @property
    def left(self) -> int:
        return max(self.cap - self.earned, 0)


@dataclass
class Quote:
    """What an exchange would do now: nothing is applied."""

    scenario: m.Scenario
    asset: m.Asset
    rate: m.Rate
    rule: m.EarningRule | None
    campaign: m.Campaign | None
    work_units: int
    points: int
    bonus: int
    lot_expires_at: datetime | None
    locked_until: datetime | None
    available_work_units: int
    caps: list[CapLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.points + self.bonus

    def formatted(self, amount: int) -> str:
        return programme.format_amount(amount, self.asset.scale)


def parse_work_units(value: Any, field_name: str = "work_units") -> int:
    """Work units as a decimal with at most two places (``"12.50"``) → hundredths."""
    if isinstance(value, float | bool):
        raise invalid_field(field_name, _("Enter the work units as a decimal, e.g. 12.50."))
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise invalid_field(
            field_name, _("Enter the work units as a decimal, e.g. 12.50.")
        ) from None
    if not amount.is_finite():
        raise invalid_field(field_name, _("Enter the work units as a decimal, e.g. 12.50."))
    if amount != amount.quantize(Decimal("0.01"), rounding=ROUND_FLOOR):
        raise invalid_field(
            field_name, _("Work units have at most two decimal places."), code="amount_precision"
        )
    return _check_work_units(int(amount * 100), field_name)


def _check_work_units(hundredths: int, field_name: str = "work_units") -> int:
    if hundredths <= 0:
        raise invalid_field(
            field_name, _("Enter more than 0 work units."), code="amount_not_positive"
        )
    if hundredths > _wu_max():
        raise invalid_field(
            field_name,
            _("That is more work units than one exchange may move."),
            code="amount_too_large",
        )
    return hundredths


def _wu_max() -> int:
    found = m.Asset.objects.filter(code=WU).values_list("max_amount", flat=True).first()
    return int(found) if found is not None else book.BUILT_IN_ASSETS[0].max_amount


def points_for(work_units: int, rate: Decimal, scale: int) -> int:
    """Points (smallest unit of an asset with ``scale`` places) for ``work_units`` hundredths
    at ``rate`` points per work unit: exact, rounded down."""
    exact = Fraction(work_units) * Fraction(rate) * 10**scale / 10**WU_SCALE
    return int(exact.numerator // exact.denominator)


def available_work_units(user: User) -> int:
    account = m.Account.objects.filter(pk=f"u:{user.public_id.hex}:{WU}").first()
    if account is None:
        return 0
    return account.credits_posted - account.debits_posted - account.debits_pending


def earned(user: User, asset_code: str, since: datetime, until: datetime) -> int:
    """Points (and bonus) this person earned by exchange into ``asset_code`` in a period."""
    total = (
        m.Exchange.objects.filter(
            user=user, asset_id=asset_code, created_at__gte=since, created_at__lte=until
        )
        .aggregate(total=Sum(F("points") + F("bonus")))
        .get("total")
    )
    return int(total or 0)


def quote(
    *, user: User, scenario: m.Scenario, work_units: int, now: datetime | None = None
) -> Quote:
    """What exchanging ``work_units`` (hundredths) into ``scenario``'s points gives now, or the
    refusal: unknown or inactive scenario, bad amount, no rate in force, too few work units
    for one point, cap reached, not enough work units."""
    now = now or timezone.now()
    if not scenario.active:
        raise invalid_field("scenario", _("No such consumption scenario."), code="unknown_scenario")
    work_units = _check_work_units(work_units)
    asset = scenario.asset
    rate = programme_queries.rate_in_force(scenario, now)
    if rate is None:
        raise Conflict(
            _("No exchange rate is in force for %(scenario)s yet.")
            % {"scenario": localized(scenario, "name")},
            code="no_rate_in_force",
        )
    points = points_for(work_units, rate.points_per_work_unit, asset.scale)
    if points <= 0:
        raise invalid_field(
            "work_units",
            _("That is too few work units for one point at the rate in force."),
            code="amount_too_small",
        )
    if points > asset.max_amount:
        raise invalid_field(
            "work_units",
            _("That is more points than one exchange may credit."),
            code="amount_too_large",
        )
    rule = programme_queries.rule_in_force(asset.code, now)
    campaign, bonus = None, 0
    for candidate in programme_queries.campaigns_in_force(asset.code, scenario, now):
        amount = min(programme.campaign_bonus(candidate, points), asset.max_amount)
        if amount > bonus:
            campaign, bonus = candidate, amount
    caps = []
    for period in PERIODS:
        cap = getattr(rule, f"{period}_cap", None) if rule is not None else None
        if cap is not None:
            caps.append(
                CapLine(period, cap, earned(user, asset.code, period_start(period, now), now))
            )
    for line in caps:
        if points + bonus > line.left:
            raise invalid_field(
                "work_units",
                _(
                    "This exchange would pass your earning limit of %(cap)s %(asset)s "
                    "%(period)s: %(left)s left."
                )
                % {
                    "cap": programme.format_amount(line.cap, asset.scale),
                    "asset": programme.asset_label(asset.code),
                    "period": period_label(line.period),
                    "left": programme.format_amount(line.left, asset.scale),
                },
                code="cap_reached",
            )
    available = available_work_units(user)
    if work_units > available:
        raise _insufficient(available)
    expires = programme.rule_expiry(rule, asset).expires_at(now)
    locked_until = now + timedelta(days=rule.lock_days) if rule and rule.lock_days else None
    return Quote(
        scenario=scenario,
        asset=asset,
        rate=rate,
        rule=rule,
        campaign=campaign,
        work_units=work_units,
        points=points,
        bonus=bonus,
        lot_expires_at=expires,
        locked_until=locked_until,
        available_work_units=available,
        caps=caps,
    )


def _insufficient(available: int) -> DomainError:
    return invalid_field(
        "work_units",
        _("Not enough work units: you have %(available)s.")
        % {"available": programme.format_amount(available, WU_SCALE)},
        code="insufficient_work_units",
    )
