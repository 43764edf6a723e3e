"""Aggregating expert score sheets, with no Django imports: mean, trimmed mean (the highest
and the lowest dropped, as Chinese 专家评审 does, when at least three sheets are in) or the
mean of z-scores per expert. Exact Decimal arithmetic; four places, half-up at the end.
Tie-break: the earlier application ranks first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

PLACES = Decimal("0.0001")


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def trimmed(values: Sequence[Decimal]) -> Sequence[Decimal]:
    ordered = sorted(values)
    return ordered[1:-1] if len(ordered) >= 3 else ordered


def zscores(
    sheets: Sequence[tuple[Hashable, Hashable, Decimal]],
) -> dict[tuple[Hashable, Hashable], Decimal]:
    """(expert, application, total) → z of the total among that expert's totals (0 when the
    expert gave every application the same total)."""
    by_expert: dict[Hashable, list[Decimal]] = defaultdict(list)
    for expert, _app, total in sheets:
        by_expert[expert].append(total)
    result: dict[tuple[Hashable, Hashable], Decimal] = {}
    for expert, app, total in sheets:
        values = by_expert[expert]
        mu = _mean(values)
        sd = (sum(((v - mu) ** 2 for v in values), Decimal(0)) / len(values)).sqrt()
        result[(expert, app)] = Decimal(0) if sd == 0 else (total - mu) / sd
    return result


def aggregate(
    method: str, sheets: Sequence[tuple[Hashable, Hashable, Decimal]]
) -> dict[Hashable, Decimal]:
    """Each application's score from its sheets (expert, application, total percent)."""
    per_app: dict[Hashable, list[Decimal]] = defaultdict(list)
    if method == "zscore":
        for (_expert, app), z in zscores(sheets).items():
            per_app[app].append(z)
    else:
        for _expert, app, total in sheets:
            per_app[app].append(total)
    out: dict[Hashable, Decimal] = {}
    for app, values in per_app.items():
        used = trimmed(values) if method == "trimmed_mean" else values
        out[app] = _mean(used).quantize(PLACES, rounding=ROUND_HALF_UP)
    return out


def rank(scores: Mapping[Hashable, Decimal], order: Mapping[Hashable, int]) -> list[Hashable]:
    """Best first; equal scores: the lower ``order`` (earlier application) first."""
    return sorted(scores, key=lambda app: (-scores[app], order[app]))
