"""The bubble watch (docs/valuation.md): price observations, the dated monitor settings of a
category, and the checks that raise alerts to the responsible department with the evidence:

- price-to-fundamental ρ = the asset's latest transaction or listing price ÷ max(cost value,
  income value) of its issued valuation, above the dated threshold;
- the PSY GSADF test on the category's monthly price index (the geometric mean, per month,
  of each asset's price relative to its first observed price), dated by BSADF, with critical
  values by Monte Carlo (kept per shape) or by the wild bootstrap of the series;
- the checks of ``monitors.py``: a category z-score of ρ, velocity, related-party or
  circular trades, valuation growth ≫ usage growth.

A check that would raise an alert of a kind already open for the same asset (or category,
for PSY) adds nothing. Monte Carlo critical values are computed once per shape and kept
(``CriticalValueSet``)."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, invalid_field
from nomadcloud.datapools.models import UsageEvent
from nomadcloud.notifications import kinds
from nomadcloud.notifications.services import notify
from nomadcloud.valuation import access, monitors, psy
from nomadcloud.valuation.inputs import AlertMoveDraft, ObservationDraft
from nomadcloud.valuation.models import (
    Alert,
    AlertEvent,
    CriticalValueSet,
    DataAsset,
    MonitorConfig,
    PriceObservation,
    Valuation,
)

SEED = 20150401
OPEN_STATES = (Alert.State.RAISED, Alert.State.ACKNOWLEDGED, Alert.State.INVESTIGATING)


@transaction.atomic
def record_price(*, principal: Principal, draft: ObservationDraft) -> PriceObservation:
    asset = access.asset_for(principal, draft.asset)
    if not access.may_record_prices(principal, asset):
        raise Forbidden(
            _("Prices are recorded by the holder or the zone operator."), code="holder_only"
        )
    return PriceObservation.objects.create(
        asset=asset,
        kind=draft.kind,
        observed_on=draft.observed_on,
        price=draft.price,
        seller=draft.seller,
        buyer=draft.buyer,
        source=draft.source,
        recorded_by=principal.user,
    )


def config_for(category: str, on: date) -> MonitorConfig | None:
    return (
        MonitorConfig.objects.filter(category=category, effective_from__lte=on)
        .select_related("department")
        .order_by("-effective_from")
        .first()
    )


def critical_values(length: int, lags: int, level: Decimal, repetitions: int) -> psy.CriticalValues:
    row = CriticalValueSet.objects.filter(
        length=length, lags=lags, level=level, repetitions=repetitions, seed=SEED
    ).first()
    if row is None:
        cv = psy.critical_values(
            length, lags=lags, level=float(level), repetitions=repetitions, seed=SEED
        )
        try:
            with transaction.atomic():
                row = CriticalValueSet.objects.create(
                    length=length,
                    lags=lags,
                    level=level,
                    repetitions=repetitions,
                    seed=SEED,
                    gsadf=cv.gsadf,
                    sadf=cv.sadf,
                    bsadf=cv.bsadf,
                )
        except IntegrityError:  # computed at the same time elsewhere: the same numbers
            return cv
        return cv
    return psy.CriticalValues(
        T=row.length,
        lags=row.lags,
        level=float(row.level),
        repetitions=row.repetitions,
        seed=row.seed,
        sadf=row.sadf,
        gsadf=row.gsadf,
        bsadf=list(row.bsadf),
    )


def category_index(category: str, until: date) -> list[tuple[str, float]]:
    """(YYYY-MM, index) per month with observations: the geometric mean of each asset's
    transaction and listing prices relative to its first, × 100."""
    first: dict[int, Decimal] = {}
    logs: dict[str, list[float]] = defaultdict(list)
    rows = PriceObservation.objects.filter(
        asset__category=category,
        kind__in=(PriceObservation.Kind.TRANSACTION, PriceObservation.Kind.LISTING),
        observed_on__lte=until,
        price__gt=0,
    ).order_by("observed_on", "id")
    for row in rows.values("asset_id", "observed_on", "price"):
        base = first.setdefault(row["asset_id"], row["price"])
        logs[row["observed_on"].strftime("%Y-%m")].append(math.log(row["price"] / base))
    return [(month, round(100 * math.exp(sum(v) / len(v)), 4)) for month, v in sorted(logs.items())]


def explosive_check(
    category: str, on: date, config: MonitorConfig
) -> tuple[psy.Verdict, list[tuple[str, float]]]:
    index = category_index(category, on)
    if len(index) < psy.needed_length(config.lags):
        raise invalid_field(
            "series",
            _("The PSY test needs at least %(n)s periods; this series has %(m)s.")
            % {"n": psy.needed_length(config.lags), "m": len(index)},
            code="series_too_short",
        )
    series = [math.log(value) for _month, value in index]
    if config.critical_method == MonitorConfig.CriticalMethod.WILD_BOOTSTRAP:
        # depends on the series itself: computed in the (scheduled) run, not kept
        cv = psy.wild_bootstrap_critical_values(
            series, lags=config.lags, level=float(config.level),
            repetitions=config.repetitions, seed=SEED,
        )  # fmt: skip
    else:
        cv = critical_values(len(series), config.lags, config.level, config.repetitions)
    return psy.test_series(series, lags=config.lags, critical=cv), index


def _evidence(verdict: psy.Verdict, index: list[tuple[str, float]]) -> dict[str, Any]:
    stats, cv = verdict.statistics, verdict.critical
    months = [m for m, _v in index]
    return {
        "test": "PSY GSADF (Phillips, Shi & Yu 2015)",
        "statistic": round(stats.gsadf, 4),
        "critical_value": round(cv.gsadf, 4),
        "level": cv.level,
        "periods": stats.T,
        "minimum_window": stats.window,
        "lags": stats.lags,
        "repetitions": cv.repetitions,
        "seed": cv.seed,
        "episodes": [{"start": months[e.start], "end": months[e.end]} for e in verdict.episodes],
        "series": [[m, v] for m, v in index],
        "bsadf": [
            [months[stats.first + j], round(b, 4), round(c, 4)]
            for j, (b, c) in enumerate(zip(stats.bsadf, cv.bsadf, strict=True))
        ],
    }


def _raise(
    *,
    kind: str,
    category: str,
    asset: DataAsset | None,
    config: MonitorConfig,
    evidence: dict[str, Any],
    actor: Principal | None,
) -> Alert | None:
    open_alerts = Alert.objects.select_for_update().filter(
        kind=kind, category=category, asset=asset, state__in=OPEN_STATES
    )
    if open_alerts.exists():
        return None
    alert = Alert.objects.create(
        kind=kind,
        category=category,
        asset=asset,
        department=config.department,
        evidence=evidence,
        rule_version=config.rule_version,
        raised_at=timezone.now(),
    )
    AlertEvent.objects.create(
        alert=alert, actor=actor.user if actor else None, action="raise", to_state=alert.state
    )
    for membership in config.department.memberships.filter(role__in=("owner", "admin", "reviewer")):
        notify(
            membership.user,
            "valuation.alert",
            params={"kind": Alert.Kind(kind).label, "category": DataAsset.Category(category).label},
            url=f"/valuation/alerts/{alert.public_id}/",
        )
    return alert


def _trades(asset: DataAsset, on: date) -> list[monitors.Trade]:
    rows = PriceObservation.objects.filter(
        asset=asset, kind=PriceObservation.Kind.TRANSACTION, observed_on__lte=on
    ).order_by("observed_on", "id")
    return [
        monitors.Trade(day=r.observed_on, price=r.price, seller=r.seller, buyer=r.buyer,
                       source=r.source)
        for r in rows
    ]  # fmt: skip


def _uses_in_year_before(asset: DataAsset, day: date) -> int:
    if asset.pool_id is None:
        return 0
    return UsageEvent.objects.filter(
        negotiation__pool_id=asset.pool_id,
        at__date__gt=day - timedelta(days=365),
        at__date__lte=day,
    ).count()


def _growth_gap(asset: DataAsset, on: date, config: MonitorConfig) -> dict[str, Any] | None:
    values = list(
        PriceObservation.objects.filter(
            asset=asset, kind=PriceObservation.Kind.VALUATION, observed_on__lte=on
        ).order_by("-observed_on", "-id")[:2]
    )
    if len(values) < 2:
        return None
    later, earlier = values
    return monitors.growth_gap(
        earlier=(earlier.observed_on, earlier.price),
        later=(later.observed_on, later.price),
        uses_before_earlier=_uses_in_year_before(asset, earlier.observed_on),
        uses_before_later=_uses_in_year_before(asset, later.observed_on),
        gap=config.growth_gap,
    )


def _rho(asset: DataAsset, on: date) -> tuple[Decimal, dict[str, Any]] | None:
    """ρ = the latest transaction/listing price ÷ max(cost, income value) of the asset's
    issued valuation, with its evidence; None without both."""
    issued = (
        Valuation.objects.filter(asset=asset, state=Valuation.State.ISSUED)
        .order_by("-valuation_date")
        .first()
    )
    price = (
        PriceObservation.objects.filter(
            asset=asset,
            observed_on__lte=on,
            kind__in=(PriceObservation.Kind.TRANSACTION, PriceObservation.Kind.LISTING),
        )
        .order_by("-observed_on", "-id")
        .first()
    )
    if issued is None or price is None:
        return None
    fundamentals = [
        Decimal(issued.results[m]["value"]) for m in ("cost", "income") if m in issued.results
    ]
    fundamental = max(fundamentals, default=Decimal(0))
    if fundamental <= 0:
        return None
    rho = (price.price / fundamental).quantize(Decimal("0.01"))
    return rho, {
        "price": str(price.price),
        "price_date": price.observed_on.isoformat(),
        "price_source": price.source,
        "fundamental": str(fundamental),
        "valuation": str(issued.public_id),
        "rho": str(rho),
    }


@transaction.atomic
def run_watch(*, category: str, on: date, actor: Principal | None = None) -> list[Alert]:
    """Run the category's checks as of ``on``; the alerts raised (none already open twice)."""
    config = config_for(category, on)
    if config is None:
        raise InvalidInput(
            _("No monitor settings for this category on that date."),
            code="no_monitor",
            fields={"category": [_("No monitor settings.")]},
        )
    # One run per category at a time: the check-then-raise below must not interleave.
    MonitorConfig.objects.select_for_update().filter(pk=config.pk).first()
    found: list[tuple[str, DataAsset | None, dict[str, Any]]] = []
    threshold = config.rho_threshold
    rhos: dict[DataAsset, Decimal] = {}
    rho_evidence: dict[DataAsset, dict[str, Any]] = {}
    for asset in DataAsset.objects.filter(category=category).order_by("id"):
        measured = _rho(asset, on)
        if measured is not None:
            rhos[asset], rho_evidence[asset] = measured
            if measured[0] > threshold:
                evidence = {**measured[1], "threshold": str(threshold)}
                found.append((Alert.Kind.PRICE_TO_FUNDAMENTAL, asset, evidence))
        trades = _trades(asset, on)
        fast = monitors.velocity(
            trades,
            on=on,
            window_days=config.velocity_window_days,
            min_trades=config.velocity_trades,
            min_rise=config.velocity_rise,
        )
        if fast:
            found.append((Alert.Kind.VELOCITY, asset, fast))
        loop = monitors.circular(trades, on=on, window_days=config.circular_window_days)
        if loop:
            found.append((Alert.Kind.CIRCULAR, asset, loop))
        gap = _growth_gap(asset, on, config)
        if gap:
            found.append((Alert.Kind.GROWTH_GAP, asset, gap))
    for asset, evidence in monitors.z_scores(rhos, threshold=config.z_threshold).items():
        found.append((Alert.Kind.Z_SCORE, asset, {**rho_evidence[asset], **evidence}))
    index = category_index(category, on)
    if len(index) >= psy.needed_length(config.lags):
        verdict, index = explosive_check(category, on, config)
        if verdict.explosive and verdict.episodes:
            found.append((Alert.Kind.EXPLOSIVE, None, _evidence(verdict, index)))
    raised: list[Alert] = []
    for kind, subject, evidence in found:
        alert = _raise(
            kind=kind,
            category=category,
            asset=subject,
            config=config,
            actor=actor,
            evidence=evidence,
        )
        if alert:
            raised.append(alert)
    audit.record(
        actor=actor.user if actor else None,
        action="valuation.watch.run",
        obj=config,
        organisation=config.department,
        after={"on": on.isoformat(), "alerts": [str(a.public_id) for a in raised]},
        token=actor.token if actor else None,
    )
    return raised


def run_scheduled(on: date | None = None) -> int:
    """The daily watch over every category with monitor settings (``core/schedule.py``); a
    category whose index is still too short for PSY is checked by the other monitors only.
    The number of alerts raised."""
    day = on or timezone.localdate()
    raised = 0
    for category in DataAsset.Category.values:
        if config_for(category, day) is not None:
            raised += len(run_watch(category=category, on=day))
    return raised


TRANSITIONS = {
    ("raised", "acknowledge"): "acknowledged",
    ("acknowledged", "investigate"): "investigating",
    ("acknowledged", "resolve"): "resolved",
    ("investigating", "resolve"): "resolved",
    ("raised", "resolve"): "resolved",
}


@transaction.atomic
def move_alert(*, principal: Principal, alert: Alert, draft: AlertMoveDraft) -> Alert:
    alert = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("department", "asset__holder")
        .get(pk=alert.pk)
    )
    access.alert_for(principal, alert.public_id, decide=True)
    target = TRANSITIONS.get((alert.state, draft.action))
    if target is None:
        raise Conflict(
            _("An alert that is “%(state)s” cannot take this step.")
            % {"state": Alert.State(alert.state).label},
            code="transition_not_allowed",
        )
    if draft.action == "resolve":
        if draft.resolution is None:
            raise invalid_field("resolution", _("Say how the alert was resolved."))
        if not draft.reason:
            raise invalid_field("reason", _("Say why."))
        alert.resolution = draft.resolution
    alert.state = target
    alert.save(update_fields=["state", "resolution"])
    AlertEvent.objects.create(
        alert=alert,
        actor=principal.user,
        action=draft.action,
        to_state=target,
        reason=draft.reason,
    )
    audit.record(
        actor=principal.user,
        action=f"valuation.alert.{draft.action}",
        obj=alert,
        organisation=alert.department,
        after={"state": target},
        token=principal.token,
    )
    return alert


def register_kinds() -> None:
    from django.utils.translation import gettext_lazy

    kinds.register(
        "valuation.alert",
        title=gettext_lazy("Bubble watch alert: %(kind)s"),
        body=gettext_lazy(
            "The bubble watch raised an alert (%(kind)s) in %(category)s, with its evidence."
        ),
    )
