"""The programme around the ledger, as the zone operator configures it: consumption scenarios
(with their own points where they run them), dated exchange rates, versioned earning rules
and bonus campaigns, and the organisations authorised to post transfers of an asset.

Rates, rule versions and campaign versions are immutable once published (``AppendOnly``) and
take effect at ``valid_from``, which may not lie in the past: what was in force at any past
instant never changes, so neither does any past exchange. A correction is a new version.
Every decision is recorded in the audit log."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, NotFound, invalid_field
from nomadcloud.core.i18n import localized
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.access import operator
from nomadcloud.points.ledger import Asset, ExpiryRule

PAST_TOLERANCE = timedelta(minutes=5)
"""A ``valid_from`` this little in the past (a form filled in a minute ago) means now."""
FUTURE_LIMIT = timedelta(days=5 * 366)
MAX_RATE = Decimal("1000000")
MAX_EXPIRY_MONTHS = 120
MAX_DAYS = 3660
MAX_PERCENT = Decimal("1000")
SCENARIO_ASSET_MAX = 10**12
SCENARIO_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def ensure_assets() -> None:
    """The built-in assets (WU, ZP), defined on first use."""
    if m.Asset.objects.filter(code__in=[a.code for a in book.BUILT_IN_ASSETS]).count() < len(
        book.BUILT_IN_ASSETS
    ):
        book.ensure_assets()


def asset_label(code: str) -> str:
    """The name of an asset for people: work units, zone points, or a scenario's points."""
    if code == book.WORK_UNITS:
        return _("Work units")
    if code == book.ZONE_POINTS:
        return _("Zone points")
    scenario = m.Scenario.objects.filter(asset_id=code).order_by("id").first()
    if scenario is not None:
        return _("%(scenario)s points") % {"scenario": localized(scenario, "name")}
    return code


def asset_labels() -> dict[str, str]:
    """``asset_label`` of every asset that has a name (one query); others: their code."""
    labels = {book.WORK_UNITS: _("Work units"), book.ZONE_POINTS: _("Zone points")}
    for scenario in m.Scenario.objects.exclude(asset_id=book.ZONE_POINTS).order_by("-id"):
        labels[scenario.asset_id] = _("%(scenario)s points") % {
            "scenario": localized(scenario, "name")
        }
    return labels


def format_amount(amount: int, scale: int) -> str:
    """An integer amount in the smallest unit, shown with the asset's decimal places."""
    return Asset("X", scale=scale).format(amount)


def _valid_from(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value < now - PAST_TOLERANCE:
        raise invalid_field(
            "valid_from",
            _("A new version cannot take effect in the past; choose now or a later time."),
            code="valid_from_past",
        )
    if value > now + FUTURE_LIMIT:
        raise invalid_field(
            "valid_from", _("Choose a time within five years."), code="valid_from_far"
        )
    return max(value, now)


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


# ---- scenarios ---------------------------------------------------------------------------


@transaction.atomic
def create_scenario(
    *,
    principal: Principal,
    code: str,
    name_zh: str,
    name_en: str,
    category: str,
    own_points: bool = False,
    own_scale: int = 0,
    own_expiry_months: int = 12,
) -> m.Scenario:
    """A new scenario spending zone points, or its own points (an asset ``S-<CODE>`` with
    ``own_scale`` decimal places whose lots expire ``own_expiry_months`` after crediting, at
    the end of that month; 0: never)."""
    user = operator(principal, write=True)
    ensure_assets()
    code = code.strip().lower()
    if not SCENARIO_CODE.fullmatch(code):
        raise invalid_field(
            "code", _("Use 1 to 40 lower-case letters, digits and hyphens."), code="code_invalid"
        )
    if m.Scenario.objects.filter(code=code).exists():
        raise invalid_field("code", _("A scenario with this code exists."), code="code_taken")
    if category not in m.Scenario.Category.values:
        raise invalid_field("category", _("Choose a category."))
    if not name_zh.strip() and not name_en.strip():
        raise invalid_field("name_zh", _("Give the scenario a name."))
    if own_points:
        if not 0 <= own_scale <= 4:
            raise invalid_field("own_scale", _("Choose 0 to 4 decimal places."))
        if not 0 <= own_expiry_months <= MAX_EXPIRY_MONTHS:
            raise invalid_field("own_expiry_months", _("Choose 0 to 120 months."))
        expiry = (
            ExpiryRule(months=own_expiry_months, at_end_of="month")
            if own_expiry_months
            else (ExpiryRule())
        )
        asset_code = book.scenario_asset_code(code)
        if m.Asset.objects.filter(code=asset_code).exists():
            raise invalid_field("code", _("A scenario with this code exists."), code="code_taken")
        book.ledger().create_asset(
            Asset(asset_code, scale=own_scale, max_amount=SCENARIO_ASSET_MAX, expiry=expiry)
        )
    else:
        asset_code = book.ZONE_POINTS
    scenario = m.Scenario.objects.create(
        code=code,
        name_zh=name_zh.strip(),
        name_en=name_en.strip(),
        category=category,
        asset_id=asset_code,
    )
    audit.record(
        actor=user,
        action="points.scenario_create",
        obj=scenario,
        after={"code": code, "asset": asset_code, "category": category},
        token=principal.token,
    )
    return scenario


@transaction.atomic
def update_scenario(
    *,
    principal: Principal,
    scenario: m.Scenario,
    name_zh: str | None = None,
    name_en: str | None = None,
    category: str | None = None,
    active: bool | None = None,
) -> m.Scenario:
    """Rename, recategorise, deactivate or reactivate a scenario (its asset never changes:
    its rates and past exchanges refer to it)."""
    user = operator(principal, write=True)
    locked = m.Scenario.objects.select_for_update().get(pk=scenario.pk)
    values: dict[str, object] = {}
    if name_zh is not None:
        values["name_zh"] = name_zh.strip()
    if name_en is not None:
        values["name_en"] = name_en.strip()
    if category is not None:
        if category not in m.Scenario.Category.values:
            raise invalid_field("category", _("Choose a category."))
        values["category"] = category
    if active is not None:
        values["active"] = active
    if not (values.get("name_zh", locked.name_zh) or values.get("name_en", locked.name_en)):
        raise invalid_field("name_zh", _("Give the scenario a name."))
    before, after = audit.changes(locked, values)
    if after:
        for field, value in after.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(after))
        audit.record(
            actor=user,
            action="points.scenario_update",
            obj=locked,
            before=before,
            after=after,
            token=principal.token,
        )
    return locked


# ---- rates -------------------------------------------------------------------------------


@transaction.atomic
def publish_rate(
    *,
    principal: Principal,
    scenario: m.Scenario,
    points_per_work_unit: Decimal,
    valid_from: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
) -> m.Rate:
    """Publish a rate of ``scenario`` taking effect at ``valid_from`` (default: now)."""
    user = operator(principal, write=True)
    now = now or timezone.now()
    try:
        value = Decimal(points_per_work_unit)
    except (ArithmeticError, TypeError, ValueError):
        raise invalid_field("points_per_work_unit", _("Enter a number.")) from None
    if not value.is_finite() or value <= 0 or value > MAX_RATE:
        raise invalid_field(
            "points_per_work_unit",
            _("Enter a rate greater than 0 and at most 1,000,000."),
            code="rate_invalid",
        )
    if value != value.quantize(Decimal("0.000001")):
        raise invalid_field(
            "points_per_work_unit", _("Use at most six decimal places."), code="rate_invalid"
        )
    rate = m.Rate.objects.create(
        scenario=scenario,
        points_per_work_unit=value,
        valid_from=_valid_from(valid_from, now),
        note=note.strip()[:200],
        published_by=user,
        published_at=now,
    )
    audit.record(
        actor=user,
        action="points.rate_publish",
        obj=rate,
        after={
            "scenario": scenario.code,
            "points_per_work_unit": str(value),
            "valid_from": rate.valid_from.isoformat(),
        },
        token=principal.token,
    )
    return rate


# ---- earning rules -----------------------------------------------------------------------


def rule_expiry(rule: m.EarningRule | None, asset: m.Asset) -> ExpiryRule:
    """The expiry of lots credited under ``rule``: its own, or the asset's default."""
    if rule is not None and (rule.expiry_months or rule.expiry_days or rule.expiry_at_end_of):
        return ExpiryRule(rule.expiry_months, rule.expiry_days, rule.expiry_at_end_of or None)  # type: ignore[arg-type]
    return ExpiryRule(asset.expiry_months, asset.expiry_days, asset.expiry_at_end_of or None)  # type: ignore[arg-type]


def _cap(value: int | None, field: str, asset: m.Asset) -> int | None:
    if value is None:
        return None
    if not 0 < value <= asset.max_amount * 1000:
        raise invalid_field(field, _("Enter a cap greater than 0, or leave it empty."))
    return value


def _asset(code: str, field: str = "asset") -> m.Asset:
    ensure_assets()
    found = m.Asset.objects.filter(code=str(code)[:128]).first()
    if found is None or found.code == book.WORK_UNITS:
        raise invalid_field(field, _("No such kind of points."), code="unknown_asset")
    return found


@transaction.atomic
def publish_rule(
    *,
    principal: Principal,
    asset_code: str,
    valid_from: datetime | None = None,
    day_cap: int | None = None,
    week_cap: int | None = None,
    month_cap: int | None = None,
    lock_days: int = 0,
    expiry_months: int = 0,
    expiry_days: int = 0,
    expiry_at_end_of: str = "",
    note: str = "",
    now: datetime | None = None,
) -> m.EarningRule:
    """A new version of the earning rules of an asset (caps in the asset's smallest unit)."""
    user = operator(principal, write=True)
    now = now or timezone.now()
    asset = _asset(asset_code)
    m.Asset.objects.select_for_update().filter(pk=asset.pk).first()  # serialise versions
    caps = {
        "day_cap": _cap(day_cap, "day_cap", asset),
        "week_cap": _cap(week_cap, "week_cap", asset),
        "month_cap": _cap(month_cap, "month_cap", asset),
    }
    if not 0 <= lock_days <= MAX_DAYS:
        raise invalid_field("lock_days", _("Choose 0 to 3660 days."))
    if not 0 <= expiry_months <= MAX_EXPIRY_MONTHS:
        raise invalid_field("expiry_months", _("Choose 0 to 120 months."))
    if not 0 <= expiry_days <= MAX_DAYS:
        raise invalid_field("expiry_days", _("Choose 0 to 3660 days."))
    if expiry_at_end_of not in m.EarningRule.EndOf.values:
        raise invalid_field("expiry_at_end_of", _("Choose when in the period points expire."))
    effective = ExpiryRule(expiry_months, expiry_days, expiry_at_end_of or None)  # type: ignore[arg-type]
    if not (expiry_months or expiry_days or expiry_at_end_of):
        effective = rule_expiry(None, asset)
    if lock_days:
        expires = effective.expires_at(now)
        if expires is not None and expires <= now + timedelta(days=lock_days):
            raise invalid_field(
                "lock_days",
                _("Points would expire before they are unlocked: shorten the lock period."),
                code="lock_after_expiry",
            )
    last = m.EarningRule.objects.filter(asset=asset).order_by("-version").first()
    rule = m.EarningRule.objects.create(
        asset=asset,
        version=(last.version + 1) if last else 1,
        valid_from=_valid_from(valid_from, now),
        lock_days=lock_days,
        expiry_months=expiry_months,
        expiry_days=expiry_days,
        expiry_at_end_of=expiry_at_end_of,
        note=note.strip()[:200],
        published_by=user,
        published_at=now,
        **caps,
    )
    audit.record(
        actor=user,
        action="points.rule_publish",
        obj=rule,
        after={
            "asset": asset.code,
            "version": rule.version,
            "valid_from": rule.valid_from.isoformat(),
            "caps": caps,
            "lock_days": lock_days,
            "expiry": [expiry_months, expiry_days, expiry_at_end_of],
        },
        token=principal.token,
    )
    return rule


# ---- campaigns ---------------------------------------------------------------------------


def campaign_bonus(campaign: m.Campaign, points: int) -> int:
    """The bonus of a campaign on ``points``: a percentage rounded down, or the fixed amount."""
    if campaign.kind == m.Campaign.Kind.PERCENT and campaign.percent is not None:
        return int(points * campaign.percent // 100)
    return int(campaign.fixed_amount or 0)


@transaction.atomic
def publish_campaign(
    *,
    principal: Principal,
    code: str,
    name_zh: str,
    name_en: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    asset_code: str = "",
    scenario: m.Scenario | None = None,
    percent: Decimal | None = None,
    fixed_amount: int | None = None,
    active: bool = True,
    valid_from: datetime | None = None,
    now: datetime | None = None,
) -> m.Campaign:
    """A new campaign (code not used before) or a new version of one: to change its window,
    bonus or scenario, or to end it (``active=False``)."""
    user = operator(principal, write=True)
    now = now or timezone.now()
    code = code.strip().lower()
    if not code or len(code) > 40 or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise invalid_field("code", _("Use letters, digits, - and _ (at most 40)."))
    if scenario is not None:
        asset = scenario.asset
    else:
        asset = _asset(asset_code or book.ZONE_POINTS, "asset_code")
    if not (name_zh.strip() or name_en.strip()):
        raise invalid_field("name_zh", _("Give the campaign a name."))
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    if ends_at <= starts_at:
        raise invalid_field("ends_at", _("The end must come after the start."))
    if ends_at > now + FUTURE_LIMIT or starts_at < now - FUTURE_LIMIT:
        raise invalid_field("ends_at", _("Choose dates within five years."))
    if kind == m.Campaign.Kind.PERCENT:
        if percent is None or not Decimal(0) < Decimal(percent) <= MAX_PERCENT:
            raise invalid_field("percent", _("Enter a percentage greater than 0, at most 1000."))
        if Decimal(percent) != Decimal(percent).quantize(Decimal("0.01")):
            raise invalid_field("percent", _("Use at most two decimal places."))
        fixed_amount = None
    elif kind == m.Campaign.Kind.FIXED:
        if fixed_amount is None or not 0 < fixed_amount <= asset.max_amount:
            raise invalid_field("fixed_amount", _("Enter a bonus greater than 0."))
        percent = None
    else:
        raise invalid_field("kind", _("Choose a percentage or a fixed bonus."))
    m.Asset.objects.select_for_update().filter(pk=asset.pk).first()  # serialise versions
    last = m.Campaign.objects.filter(code=code).order_by("-version").first()
    campaign = m.Campaign.objects.create(
        code=code,
        version=(last.version + 1) if last else 1,
        valid_from=_valid_from(valid_from, now),
        asset=asset,
        scenario=scenario,
        name_zh=name_zh.strip()[:120],
        name_en=name_en.strip()[:120],
        kind=kind,
        percent=percent,
        fixed_amount=fixed_amount,
        starts_at=starts_at,
        ends_at=ends_at,
        active=active,
        published_by=user,
        published_at=now,
    )
    audit.record(
        actor=user,
        action="points.campaign_publish",
        obj=campaign,
        after={
            "code": code,
            "version": campaign.version,
            "asset": asset.code,
            "kind": kind,
            "percent": str(percent) if percent is not None else None,
            "fixed_amount": fixed_amount,
            "window": [starts_at.isoformat(), ends_at.isoformat()],
            "active": active,
        },
        token=principal.token,
    )
    return campaign


# ---- programme operators (batch endpoint) ------------------------------------------------


def organisation_by_id(public_id: object) -> Organisation:
    try:
        found = Organisation.objects.filter(public_id=uuid.UUID(str(public_id))).first()
    except ValueError:
        found = None
    if found is None:
        raise invalid_field("organisation", _("No such organisation."), code="unknown_organisation")
    return found


@transaction.atomic
def authorise_programme(
    *, principal: Principal, organisation: Organisation, asset_code: str, active: bool = True
) -> m.ProgrammeOperator:
    """Authorise (or withdraw the authority of) an organisation to post transfers of an asset
    through the batch endpoint with its API keys."""
    user = operator(principal, write=True)
    asset = _asset(asset_code, "asset_code")
    if organisation.kind == Organisation.Kind.DEPARTMENT:
        raise invalid_field(
            "organisation", _("A government department cannot run a points programme.")
        )
    row = (
        m.ProgrammeOperator.objects.select_for_update()
        .filter(organisation=organisation, asset=asset)
        .first()
    )
    if row is None:
        if not active:
            raise NotFound(_("This organisation is not authorised for these points."))
        row = m.ProgrammeOperator.objects.create(
            organisation=organisation, asset=asset, granted_by=user, granted_at=timezone.now()
        )
        book.organisation_account(organisation, asset.code)  # its own account, for its transfers
    elif row.active == active:
        raise Conflict(_("Nothing to change."), code="unchanged")
    else:
        row.active = active
        row.granted_by = user
        row.granted_at = timezone.now()
        row.save(update_fields=["active", "granted_by", "granted_at"])
    audit.record(
        actor=user,
        action="points.programme_authorise" if active else "points.programme_withdraw",
        obj=row,
        organisation=organisation,
        after={"asset": asset.code, "active": active},
        token=principal.token,
    )
    return row
