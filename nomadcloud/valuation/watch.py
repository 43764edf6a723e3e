"""The bubble watch (docs/valuation.md): price observations, the dated monitor settings of a
category, and the checks that raise alerts to the responsible department with the evidence:

- price-to-fundamental ρ = the asset's latest transaction or listing price ÷ max(cost value,
  income value) of its issued valuation, above the dated threshold;
- the PSY GSADF test on the category's monthly price index (the geometric mean, per month,
  of each asset's price relative to its first observed price), dated by BSADF.

A check that would raise an alert already open for the same asset (ρ) or category (PSY) adds
nothing. Critical values are computed once per shape and kept (``CriticalValueSet``)."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, invalid_field
from nomadcloud.notifications import kinds
from nomadcloud.notifications.services import notify
from nomadcloud.valuation import access, psy
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
    raised: list[Alert] = []
    threshold = config.rho_threshold
    for asset in DataAsset.objects.filter(category=category):
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
            continue
        fundamentals = [
            Decimal(issued.results[m]["value"]) for m in ("cost", "income") if m in issued.results
        ]
        fundamental = max(fundamentals, default=Decimal(0))
        if fundamental <= 0:
            continue
        rho = price.price / fundamental
        if rho > threshold:
            alert = _raise(
                kind=Alert.Kind.PRICE_TO_FUNDAMENTAL,
                category=category,
                asset=asset,
                config=config,
                actor=actor,
                evidence={
                    "price": str(price.price),
                    "price_date": price.observed_on.isoformat(),
                    "price_source": price.source,
                    "fundamental": str(fundamental),
                    "valuation": str(issued.public_id),
                    "rho": str(rho.quantize(Decimal("0.01"))),
                    "threshold": str(threshold),
                },
            )
            if alert:
                raised.append(alert)
    index = category_index(category, on)
    if len(index) >= psy.needed_length(config.lags):
        verdict, index = explosive_check(category, on, config)
        if verdict.explosive and verdict.episodes:
            alert = _raise(
                kind=Alert.Kind.EXPLOSIVE,
                category=category,
                asset=None,
                config=config,
                actor=actor,
                evidence=_evidence(verdict, index),
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
