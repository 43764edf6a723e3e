"""The bubble watch's checks beyond ρ and PSY, as pure functions over plain values so that
they can be tested on generated series with known windows (docs/valuation.md, decision
0051). ``watch.run_watch`` reads the rows and raises the alerts.

- velocity: the same asset re-traded at ever higher prices within a window;
- related-party or circular trade: a trade whose seller is its buyer, or a chain of trades
  in the window through which the asset comes back to an earlier holder;
- valuation growth ≫ usage growth: the growth of the asset's issued valuations against the
  growth of its logged uses over the year before each;
- category z-score: an asset's ρ against the ρ of the other assets of its category."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

MIN_PEERS = 3  # the z-score compares an asset with at least this many others
SD_FLOOR = 0.01  # peers with (almost) equal ρ: the spread is taken as at least this


@dataclass(frozen=True)
class Trade:
    day: date
    price: Decimal
    seller: str
    buyer: str
    source: str

    def as_evidence(self) -> dict[str, str]:
        return {
            "date": self.day.isoformat(),
            "price": str(self.price),
            "seller": self.seller,
            "buyer": self.buyer,
            "source": self.source,
        }


def _party(name: str) -> str:
    """Names compared without case, spaces or the usual company suffixes' punctuation."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _recent(trades: Sequence[Trade], on: date, window_days: int) -> list[Trade]:
    since = on - timedelta(days=window_days)
    return sorted((t for t in trades if since < t.day <= on), key=lambda t: t.day)


def velocity(
    trades: Sequence[Trade], *, on: date, window_days: int, min_trades: int, min_rise: Decimal
) -> dict[str, Any] | None:
    """The longest run of consecutive trades in the window each above the one before; when it
    has at least ``min_trades`` trades and rose by at least ``min_rise`` (0.5 = 50 %), the
    evidence, else None."""
    recent = _recent(trades, on, window_days)
    best: list[Trade] = []
    run: list[Trade] = []
    for trade in recent:
        run = [*run, trade] if run and trade.price > run[-1].price else [trade]
        if len(run) > len(best):
            best = run
    if len(best) < min_trades or best[0].price <= 0:
        return None
    rise = best[-1].price / best[0].price - 1
    if rise < min_rise:
        return None
    return {
        "window_days": window_days,
        "trades": [t.as_evidence() for t in best],
        "rise": str(rise.quantize(Decimal("0.0001"))),
        "min_trades": min_trades,
        "min_rise": str(min_rise),
    }


def circular(trades: Sequence[Trade], *, on: date, window_days: int) -> dict[str, Any] | None:
    """A trade in the window whose seller is its buyer, or the shortest chain of the window's
    trades (seller → buyer) that leads from a party back to itself; the evidence, else None."""
    recent = [t for t in _recent(trades, on, window_days) if t.seller and t.buyer]
    for trade in recent:
        if _party(trade.seller) == _party(trade.buyer):
            return {"pattern": "self_trade", "window_days": window_days,
                    "trades": [trade.as_evidence()]}  # fmt: skip
    # in date order: does a later trade's buyer close a chain that began with its seller?
    for i, first in enumerate(recent):
        chain = [first]
        holder = _party(first.buyer)
        for later in recent[i + 1 :]:
            if _party(later.seller) != holder:
                continue
            chain.append(later)
            holder = _party(later.buyer)
            if holder == _party(first.seller):
                return {"pattern": "circular", "window_days": window_days,
                        "trades": [t.as_evidence() for t in chain]}  # fmt: skip
    return None


def growth_gap(
    *,
    earlier: tuple[date, Decimal],
    later: tuple[date, Decimal],
    uses_before_earlier: int,
    uses_before_later: int,
    gap: Decimal,
) -> dict[str, Any] | None:
    """Valuation growth ≫ usage growth: (V1 ÷ V0) ÷ ((U1 + 1) ÷ (U0 + 1)) above ``gap``, with
    U the uses logged in the year before each valuation date (+1 so that an unused asset
    still compares); the evidence, else None."""
    (d0, v0), (d1, v1) = earlier, later
    if v0 <= 0 or d1 <= d0:
        return None
    value_growth = v1 / v0
    usage_growth = Decimal(uses_before_later + 1) / Decimal(uses_before_earlier + 1)
    ratio = value_growth / usage_growth
    if ratio <= gap:
        return None
    q = Decimal("0.0001")
    return {
        "earlier": {"date": d0.isoformat(), "value": str(v0), "uses": uses_before_earlier},
        "later": {"date": d1.isoformat(), "value": str(v1), "uses": uses_before_later},
        "value_growth": str(value_growth.quantize(q)),
        "usage_growth": str(usage_growth.quantize(q)),
        "ratio": str(ratio.quantize(q)),
        "gap": str(gap),
    }


def z_scores(rhos: Mapping[Any, Decimal], *, threshold: Decimal) -> dict[Any, dict[str, Any]]:
    """Each asset whose ρ is more than ``threshold`` standard deviations above the mean ρ of
    the category's other assets (at least ``MIN_PEERS`` of them; a spread below ``SD_FLOOR``
    counts as ``SD_FLOOR``): its evidence, by key."""
    found: dict[Any, dict[str, Any]] = {}
    if len(rhos) < MIN_PEERS + 1:
        return found
    for key, rho in rhos.items():
        peers = [float(v) for k, v in rhos.items() if k != key]
        mean = sum(peers) / len(peers)
        sd = math.sqrt(sum((p - mean) ** 2 for p in peers) / (len(peers) - 1))
        z = (float(rho) - mean) / max(sd, SD_FLOOR)
        if z > float(threshold):
            found[key] = {
                "rho": str(rho),
                "peers": len(peers),
                "peer_mean": f"{mean:.4f}",
                "peer_sd": f"{sd:.4f}",
                "z": f"{z:.2f}",
                "threshold": str(threshold),
            }
    return found
