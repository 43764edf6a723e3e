"""Agreement between workers from the textbook formulas: Krippendorff's alpha (nominal, any number
of answers per item) and Fleiss' kappa (a fixed number per item)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence


def krippendorff_alpha(units: Iterable[Sequence[Hashable]]) -> float | None:
    """Krippendorff's alpha for nominal data. Each unit is the list of values given to one
    item (one per answer; missing answers are simply absent). Units with fewer than two
    values cannot be paired and are left out. None when there is no variation at all (or
    nothing to pair), where alpha is undefined.

    α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k, with the coincidences
    o_ck = Σ_u (pairs of c and k in unit u) / (m_u − 1).
    """
    disagreement = 0.0
    totals: Counter[Hashable] = Counter()
    for unit in units:
        m = len(unit)
        if m < 2:
            continue
        counts = Counter(unit)
        disagreement += (m * m - sum(c * c for c in counts.values())) / (m - 1)
        totals.update(counts)
    n = sum(totals.values())
    expected = n * n - sum(c * c for c in totals.values())
    if n < 2 or expected == 0:
        return None
    return 1.0 - (n - 1) * disagreement / expected


def fleiss_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from a subjects × categories table of counts; every subject must have
    the same number of ratings (at least two). None when undefined."""
    rows = [list(row) for row in table if sum(row) > 0]
    if not rows:
        return None
    raters = sum(rows[0])
    if raters < 2 or any(sum(row) != raters for row in rows):
        return None
    subjects = len(rows)
    agreement = (
        sum((sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in rows) / subjects
    )
    categories = len(rows[0])
    shares = [sum(row[j] for row in rows) / (subjects * raters) for j in range(categories)]
    chance = sum(p * p for p in shares)
    if math.isclose(chance, 1.0):
        return None
    return (agreement - chance) / (1.0 - chance)


def fleiss_from_answers(
    answers: Iterable[tuple[Hashable, Hashable, str]], raters: int
) -> float | None:
    """Fleiss' kappa over the items that have exactly ``raters`` answers."""
    per_item: dict[Hashable, Counter[str]] = defaultdict(Counter)
    for item, _worker, label in answers:
        per_item[item][label] += 1
    complete = [c for c in per_item.values() if sum(c.values()) == raters]
    categories = sorted({label for c in complete for label in c})
    return fleiss_kappa([[c[label] for label in categories] for c in complete])


def _units(answers: Iterable[tuple[Hashable, Hashable, Hashable]]) -> list[list[Hashable]]:
    units: dict[Hashable, list[Hashable]] = defaultdict(list)
    for item, _worker, value in answers:
        units[item].append(value)
    return list(units.values())
